// Registered service terminals (業務端末). Only the SHA-256 of a terminal's secret is stored.
import { createHash, randomBytes } from 'node:crypto';
import type { ServerDb } from '../db/open';

export interface Terminal {
  id: string;
  name: string;
  secretSha256: string;
  registeredAt: number;
  retiredAt: number | null;
  lastContactAt: number | null;
  /** The app version the terminal last reported (header X-App-Version), if any. */
  appVersion: string | null;
  /** Records the terminal last said it still holds unsent, the oldest one's time, and when it said so. */
  logBacklog: { count: number; oldestAt: number | null; reportedAt: number } | null;
}

interface TerminalRow {
  id: string;
  name: string;
  secret_sha256: string;
  registered_at: number;
  retired_at: number | null;
  last_contact_at: number | null;
  app_version: string | null;
  log_backlog: number | null;
  log_backlog_oldest_at: number | null;
  log_backlog_reported_at: number | null;
}

function fromRow(row: TerminalRow): Terminal {
  return {
    id: row.id,
    name: row.name,
    secretSha256: row.secret_sha256,
    registeredAt: row.registered_at,
    retiredAt: row.retired_at,
    lastContactAt: row.last_contact_at,
    appVersion: row.app_version,
    logBacklog: row.log_backlog === null || row.log_backlog_reported_at === null ? null : { count: row.log_backlog, oldestAt: row.log_backlog_oldest_at, reportedAt: row.log_backlog_reported_at },
  };
}

/** 32 random bytes, base64url without padding: 43 characters. */
export function generateTerminalSecret(): string {
  return randomBytes(32).toString('base64url');
}

export function hashTerminalSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

export function getTerminal(db: ServerDb, id: string): Terminal | undefined {
  const row = db.prepare('SELECT * FROM terminals WHERE id = ?').get(id) as TerminalRow | undefined;
  return row && fromRow(row);
}

export function listTerminals(db: ServerDb): Terminal[] {
  return (db.prepare('SELECT * FROM terminals ORDER BY id').all() as TerminalRow[]).map(fromRow);
}

export function insertTerminal(db: ServerDb, terminal: { id: string; name: string; secret: string; registeredAt: number }): void {
  db.prepare('INSERT INTO terminals (id, name, secret_sha256, registered_at) VALUES (?, ?, ?, ?)').run(
    terminal.id,
    terminal.name,
    hashTerminalSecret(terminal.secret),
    terminal.registeredAt,
  );
}

export function setTerminalSecret(db: ServerDb, id: string, secret: string): void {
  db.prepare('UPDATE terminals SET secret_sha256 = ? WHERE id = ?').run(hashTerminalSecret(secret), id);
}

export function retireTerminal(db: ServerDb, id: string, at: number): boolean {
  return db.prepare('UPDATE terminals SET retired_at = ? WHERE id = ? AND retired_at IS NULL').run(at, id).changes === 1;
}

/** Last contact; the app version only when the request reported one. */
export function touchTerminal(db: ServerDb, id: string, at: number, appVersion?: string): void {
  if (appVersion === undefined) db.prepare('UPDATE terminals SET last_contact_at = ? WHERE id = ?').run(at, id);
  else db.prepare('UPDATE terminals SET last_contact_at = ?, app_version = ? WHERE id = ?').run(at, appVersion, id);
}

/** What the terminal reported it still holds unsent (with a log-cursor request). */
export function reportLogBacklog(db: ServerDb, id: string, backlog: { count: number; oldestAt: number | null }, at: number): void {
  db.prepare('UPDATE terminals SET log_backlog = ?, log_backlog_oldest_at = ?, log_backlog_reported_at = ? WHERE id = ?').run(backlog.count, backlog.oldestAt, at, id);
}
