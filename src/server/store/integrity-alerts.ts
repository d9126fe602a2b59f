// Integrity alerts: a terminal's batch that breaks the chain rule, and other signs of tampering or
// damage. Each alert is written to integrity_alerts (append-only) and, as `log-integrity-alert`,
// to server_events, in the caller's transaction.
import type { ServerDb } from '../db/open';
import { recordEvent } from './events';

export type IntegrityAlertKind =
  | 'log-gap'
  | 'log-conflict'
  | 'log-broken-link'
  | 'log-hash-mismatch'
  | 'log-wrong-terminal'
  | 'log-stored-chain-damaged'
  | 'log-pruning-refused'
  | 'checkpoint-key-replaced';

export interface IntegrityAlert {
  id: number;
  at: number;
  terminalId: string | null;
  kind: IntegrityAlertKind;
  seq: number | null;
  detail: Record<string, unknown>;
}

export function recordIntegrityAlert(
  db: ServerDb,
  alert: { at: number; terminalId: string | null; kind: IntegrityAlertKind; seq: number | null; detail: Record<string, unknown> },
): void {
  db.prepare('INSERT INTO integrity_alerts (at, terminal_id, kind, seq, detail) VALUES (?, ?, ?, ?, ?)').run(
    alert.at,
    alert.terminalId,
    alert.kind,
    alert.seq,
    JSON.stringify(alert.detail),
  );
  recordEvent(db, { at: alert.at, terminalId: alert.terminalId, kind: 'log-integrity-alert', detail: { alert: alert.kind, seq: alert.seq, ...alert.detail } });
}

export function listIntegrityAlerts(db: ServerDb, filter: { terminalId?: string } = {}): IntegrityAlert[] {
  const rows = db
    .prepare('SELECT id, at, terminal_id, kind, seq, detail FROM integrity_alerts WHERE (@terminalId IS NULL OR terminal_id = @terminalId) ORDER BY id')
    .all({ terminalId: filter.terminalId ?? null }) as { id: number; at: number; terminal_id: string | null; kind: IntegrityAlertKind; seq: number | null; detail: string }[];
  return rows.map((row) => ({
    id: row.id,
    at: row.at,
    terminalId: row.terminal_id,
    kind: row.kind,
    seq: row.seq,
    detail: JSON.parse(row.detail) as Record<string, unknown>,
  }));
}

export function countIntegrityAlerts(db: ServerDb): number {
  return db.prepare('SELECT count(*) FROM integrity_alerts').pluck().get() as number;
}
