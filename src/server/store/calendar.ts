// Calendar exceptions approved by an authorised person (第23条 "原則として"): a special opening
// day or changed hours for one date. Written by the approve-/withdraw-exception commands
// (src/server/admin/calendar-exceptions.ts); rows are checked before they are sent
// (src/server/services/calendar-check.ts), because a row may also come from an old version or by hand.
import type { CalendarExceptionWire } from '../../shared/server-api';
import type { ServerDb } from '../db/open';

/** A stored row as it is, not yet checked (the table's columns are TEXT NOT NULL, STRICT). */
export interface CalendarExceptionRow extends CalendarExceptionWire {
  /** SQLite rowid: identifies the row even when its `id` text is odd. */
  rowid: number;
  createdAt: number;
}

const SELECT = `SELECT rowid, id, date, opens_at AS opensAt, closes_at AS closesAt, reason, approved_by AS approvedBy, created_at AS createdAt
  FROM calendar_exceptions`;

export function listCalendarExceptionRows(db: ServerDb): CalendarExceptionRow[] {
  return db.prepare(`${SELECT} ORDER BY date, id, rowid`).all() as CalendarExceptionRow[];
}

export function calendarExceptionRowsOn(db: ServerDb, date: string): CalendarExceptionRow[] {
  return db.prepare(`${SELECT} WHERE date = ? ORDER BY rowid`).all(date) as CalendarExceptionRow[];
}

export function calendarExceptionRowWithId(db: ServerDb, id: string): CalendarExceptionRow | undefined {
  return db.prepare(`${SELECT} WHERE id = ?`).get(id) as CalendarExceptionRow | undefined;
}

export function insertCalendarException(db: ServerDb, exception: CalendarExceptionWire, createdAt: number): void {
  db.prepare(
    'INSERT INTO calendar_exceptions (id, date, opens_at, closes_at, reason, approved_by, created_at) VALUES (@id, @date, @opensAt, @closesAt, @reason, @approvedBy, @createdAt)',
  ).run({ ...exception, createdAt });
}

export function deleteCalendarExceptionRow(db: ServerDb, rowid: number): boolean {
  return db.prepare('DELETE FROM calendar_exceptions WHERE rowid = ?').run(rowid).changes === 1;
}
