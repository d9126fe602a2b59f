// Admin challenges and sessions (migration 6). Only SHA-256 of a session's token is stored.
import { createHash } from 'node:crypto';
import type { AdminRole } from '../../shared/admin-session';
import type { ServerDb } from '../db/open';

export interface AdminChallenge {
  id: string;
  terminalId: string;
  nonce: Uint8Array;
  createdAt: number;
  expiresAt: number;
  usedAt: number | null;
}

export interface AdminSession {
  id: string;
  terminalId: string;
  operatorId: string;
  cardKeyId: string;
  role: AdminRole;
  challengeId: string;
  createdAt: number;
  lastUsedAt: number;
  idleExpiresAt: number;
  expiresAt: number;
  endedAt: number | null;
  endReason: string | null;
}

export function hashAdminToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

export function insertAdminChallenge(db: ServerDb, challenge: Omit<AdminChallenge, 'usedAt'>): void {
  db.prepare('INSERT INTO admin_challenges (id, terminal_id, nonce, created_at, expires_at) VALUES (?, ?, ?, ?, ?)').run(
    challenge.id,
    challenge.terminalId,
    Buffer.from(challenge.nonce),
    challenge.createdAt,
    challenge.expiresAt,
  );
}

export function getAdminChallenge(db: ServerDb, id: string): AdminChallenge | undefined {
  const row = db
    .prepare('SELECT id, terminal_id AS terminalId, nonce, created_at AS createdAt, expires_at AS expiresAt, used_at AS usedAt FROM admin_challenges WHERE id = ?')
    .get(id) as (Omit<AdminChallenge, 'nonce'> & { nonce: Buffer }) | undefined;
  return row && { ...row, nonce: new Uint8Array(row.nonce) };
}

/** Marks the challenge used; false when it already was. */
export function useAdminChallenge(db: ServerDb, id: string, at: number): boolean {
  return db.prepare('UPDATE admin_challenges SET used_at = ? WHERE id = ? AND used_at IS NULL').run(at, id).changes === 1;
}

/** Challenges expired more than a day ago are of no use to anyone (sessions keep their challenge id). */
export function pruneAdminChallenges(db: ServerDb, before: number): void {
  db.prepare('DELETE FROM admin_challenges WHERE expires_at < ? AND id NOT IN (SELECT challenge_id FROM admin_sessions)').run(before);
}

export function insertAdminSession(db: ServerDb, session: Omit<AdminSession, 'endedAt' | 'endReason'> & { tokenSha256: string }): void {
  db.prepare(
    `INSERT INTO admin_sessions (id, token_sha256, terminal_id, operator_id, card_key_id, role, challenge_id, created_at, last_used_at, idle_expires_at, expires_at)
     VALUES (@id, @tokenSha256, @terminalId, @operatorId, @cardKeyId, @role, @challengeId, @createdAt, @lastUsedAt, @idleExpiresAt, @expiresAt)`,
  ).run(session);
}

const SESSION_COLUMNS = `id, terminal_id AS terminalId, operator_id AS operatorId, card_key_id AS cardKeyId, role, challenge_id AS challengeId,
  created_at AS createdAt, last_used_at AS lastUsedAt, idle_expires_at AS idleExpiresAt, expires_at AS expiresAt, ended_at AS endedAt, end_reason AS endReason`;

export function adminSessionByToken(db: ServerDb, token: string): AdminSession | undefined {
  return db.prepare(`SELECT ${SESSION_COLUMNS} FROM admin_sessions WHERE token_sha256 = ?`).get(hashAdminToken(token)) as AdminSession | undefined;
}

export function touchAdminSession(db: ServerDb, id: string, at: number, idleExpiresAt: number): void {
  db.prepare('UPDATE admin_sessions SET last_used_at = ?, idle_expires_at = ? WHERE id = ? AND ended_at IS NULL').run(at, idleExpiresAt, id);
}

export function endAdminSession(db: ServerDb, id: string, at: number, reason: string): boolean {
  return db.prepare('UPDATE admin_sessions SET ended_at = ?, end_reason = ? WHERE id = ? AND ended_at IS NULL').run(at, reason, id).changes === 1;
}
