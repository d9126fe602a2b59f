// The server-side audit trail: what the server served or changed (append-only table).
import type { ServerDb } from '../db/open';

export type ServerEventKind =
  | 'roster-fetched'
  | 'signin-attempt'
  | 'signin-refused'
  | 'lockout'
  | 'password-changed'
  | 'password-change-refused'
  | 'lockout-released'
  | 'temporary-password-set'
  | 'terminal-registered'
  | 'terminal-retired'
  | 'terminal-secret-rotated'
  | 'terminal-auth-failed'
  | 'operator-added'
  | 'card-issued'
  | 'card-revoked'
  | 'demo-seeded'
  | 'calendar-exception-approved'
  | 'calendar-exception-withdrawn'
  | 'purpose-category-set'
  | 'purpose-category-retired'
  | 'integrity-problem'
  | 'log-batch-received'
  | 'log-integrity-alert'
  | 'log-pruned'
  | 'log-checkpoint-key-created'
  | 'resident-changes-fetched'
  | 'resident-changes-refused'
  | 'residents-seeded'
  | 'residents-moved'
  | 'admin-session-opened'
  | 'admin-session-refused'
  | 'admin-session-ended'
  | 'admin-action-refused'
  | 'admin-viewed'
  | 'operator-changed'
  | 'operator-retired'
  | 'password-change-required'
  | 'emergency-stop-set'
  | 'emergency-stop-cleared'
  | 'resident-flag-set'
  | 'resident-flag-withdrawn'
  | 'audit-config-changed'
  | 'spot-check-sample-drawn'
  | 'spot-check-verdict-recorded'
  | 'card-return-confirmed'
  | 'audit-report-produced';

export interface ServerEvent {
  id: number;
  at: number;
  terminalId: string | null;
  operatorId: string | null;
  kind: ServerEventKind;
  detail: Record<string, unknown>;
}

export function recordEvent(
  db: ServerDb,
  event: { at: number; kind: ServerEventKind; terminalId?: string | null; operatorId?: string | null; detail?: Record<string, unknown> },
): void {
  db.prepare('INSERT INTO server_events (at, terminal_id, operator_id, kind, detail) VALUES (?, ?, ?, ?, ?)').run(
    event.at,
    event.terminalId ?? null,
    event.operatorId ?? null,
    event.kind,
    JSON.stringify(event.detail ?? {}),
  );
}

export function listEvents(db: ServerDb, filter: { kind?: ServerEventKind; operatorId?: string } = {}): ServerEvent[] {
  const rows = db
    .prepare(
      `SELECT id, at, terminal_id, operator_id, kind, detail FROM server_events
       WHERE (@kind IS NULL OR kind = @kind) AND (@operatorId IS NULL OR operator_id = @operatorId) ORDER BY id`,
    )
    .all({ kind: filter.kind ?? null, operatorId: filter.operatorId ?? null }) as {
    id: number;
    at: number;
    terminal_id: string | null;
    operator_id: string | null;
    kind: ServerEventKind;
    detail: string;
  }[];
  return rows.map((row) => ({
    id: row.id,
    at: row.at,
    terminalId: row.terminal_id,
    operatorId: row.operator_id,
    kind: row.kind,
    detail: JSON.parse(row.detail) as Record<string, unknown>,
  }));
}
