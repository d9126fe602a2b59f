// Calendar exceptions approved by an authorised person (第23条 "原則として"). Empty for now.
import type { CalendarExceptionWire } from '../../shared/server-api';
import type { ServerDb } from '../db/open';

export function listCalendarExceptions(db: ServerDb): CalendarExceptionWire[] {
  return db
    .prepare('SELECT id, date, opens_at AS opensAt, closes_at AS closesAt, reason, approved_by AS approvedBy FROM calendar_exceptions ORDER BY date, id')
    .all() as CalendarExceptionWire[];
}
