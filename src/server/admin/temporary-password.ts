// Temporary passwords set by an authorised person; the operator must change it at first logon
// (第20条の2 3項(5)). Generated to pass the password rules: length ≥ 8, all character classes,
// no runs of repeated or consecutive characters.
import { randomInt } from 'node:crypto';
import { generateTemporaryPassword } from '../../domain/password/temporary';
import { hashPassword, parsePasswordHash } from '../../node/password/scrypt';
import type { Clock } from '../clock';
import type { ServerDb } from '../db/open';
import { recordEvent } from '../store/events';
import { setPassword } from '../store/operators';
import { actorDetail, type AdminVia } from './actor';
import { AdminError } from './admin-error';
import { requireOperator, requirePasswordAdmin } from './authorize';
import { optionalReason } from './reason';

/**
 * Sets a generated temporary password and returns it (shown once, never stored in the clear).
 * The failure counter and lockout are left as they are: release-lockout is a separate act.
 */
export async function setTemporaryPassword(
  db: ServerDb,
  args: { operatorId: string; by: string; clock: Clock; reason?: string },
): Promise<{ password: string; lockedOut: boolean }> {
  const operator = requireOperator(db, args.operatorId);
  requirePasswordAdmin(db, args.by, args.operatorId);
  if (operator.status !== 'active') {
    throw new AdminError('operator-retired', `${operator.name} (${operator.id}) は退職(無効)です`, `${operator.id} is retired`);
  }
  const password = generateTemporaryPassword(randomInt);
  const hash = await hashPassword(password);
  // Checked again inside the transaction: the hashing above took a moment.
  const { lockedOut } = setTemporaryPasswordHash(db, { ...args, hash, generated: true });
  return { password, lockedOut };
}

/**
 * Stores a temporary password given as its scrypt hash (an admin route: the admin's terminal makes
 * and shows the password, only the hash travels). It must be changed at first sign-in.
 */
export function setTemporaryPasswordHash(
  db: ServerDb,
  args: { operatorId: string; hash: string; by: string; clock: Clock; reason?: string; via?: AdminVia; generated?: boolean },
): { lockedOut: boolean } {
  if (!parsePasswordHash(args.hash)) {
    throw new AdminError('weak-password-hash', 'パスワードハッシュの形式またはパラメータが基準を満たしていません。', 'the password hash is malformed or too weak');
  }
  return db
    .transaction(() => {
      const current = requireOperator(db, args.operatorId);
      const admin = requirePasswordAdmin(db, args.by, args.operatorId);
      const reason = optionalReason(args.reason);
      if (current.status !== 'active') {
        throw new AdminError('operator-retired', `${current.name} (${current.id}) は退職(無効)です`, `${current.id} is retired`);
      }
      const now = args.clock.now();
      setPassword(db, current.id, args.hash, now, true);
      recordEvent(db, {
        at: now,
        terminalId: args.via?.terminalId ?? null,
        operatorId: current.id,
        kind: 'temporary-password-set',
        detail: args.via || reason !== null ? { ...actorDetail(admin, args.via), reason } : { by: admin.id, byName: admin.name },
      });
      return { lockedOut: current.lockedOut };
    })
    .immediate();
}
