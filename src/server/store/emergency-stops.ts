// Emergency stops (第35条, migration 6): rows are never deleted; a stop is cleared.
import type { ServerDb } from '../db/open';

export interface EmergencyStopRow {
  id: string;
  /** null: every terminal. */
  terminalId: string | null;
  reason: string;
  setBy: string;
  setAt: number;
  clearedBy: string | null;
  clearedAt: number | null;
  clearReason: string | null;
}

const SELECT = `SELECT id, terminal_id AS terminalId, reason, set_by AS setBy, set_at AS setAt, cleared_by AS clearedBy, cleared_at AS clearedAt,
  clear_reason AS clearReason FROM emergency_stops`;

export function insertEmergencyStop(db: ServerDb, stop: Pick<EmergencyStopRow, 'id' | 'terminalId' | 'reason' | 'setBy' | 'setAt'>): void {
  db.prepare('INSERT INTO emergency_stops (id, terminal_id, reason, set_by, set_at) VALUES (@id, @terminalId, @reason, @setBy, @setAt)').run(stop);
}

export function getEmergencyStop(db: ServerDb, id: string): EmergencyStopRow | undefined {
  return db.prepare(`${SELECT} WHERE id = ?`).get(id) as EmergencyStopRow | undefined;
}

export function listEmergencyStops(db: ServerDb): EmergencyStopRow[] {
  return db.prepare(`${SELECT} ORDER BY set_at DESC, id`).all() as EmergencyStopRow[];
}

/** The stops in force for a terminal (every-terminal stops and its own), newest first. */
export function activeStopsFor(db: ServerDb, terminalId: string): EmergencyStopRow[] {
  return db.prepare(`${SELECT} WHERE cleared_at IS NULL AND (terminal_id IS NULL OR terminal_id = ?) ORDER BY set_at DESC, id`).all(terminalId) as EmergencyStopRow[];
}

export function clearEmergencyStopRow(db: ServerDb, id: string, by: string, at: number, reason: string): boolean {
  return (
    db.prepare('UPDATE emergency_stops SET cleared_by = ?, cleared_at = ?, clear_reason = ? WHERE id = ? AND cleared_at IS NULL').run(by, at, reason, id).changes === 1
  );
}
