// Temporary passwords set by an authorised person; the operator must change it at first logon
// (第20条の2 3項(5)). Generated to pass the password rules: length ≥ 8, all character classes,
// no runs of repeated or consecutive characters.
import { randomInt } from 'node:crypto';
import { hashPassword } from '../../node/password/scrypt';
import type { Clock } from '../clock';
import type { ServerDb } from '../db/open';
import { recordEvent } from '../store/events';
import { setPassword } from '../store/operators';
import { AdminError } from './admin-error';
import { requireOperator, requirePasswordAdmin } from './authorize';

// Look-alikes (0 O o 1 l I) are left out: the password is read from a screen and typed.
const UPPER = 'ABCDEFGHJKLMNPQRSTUVWXYZ';
const LOWER = 'abcdefghijkmnpqrstuvwxyz';
const DIGITS = '23456789';
const SYMBOLS = '#%+=@!?';
const ALL = UPPER + LOWER + DIGITS + SYMBOLS;
export const TEMPORARY_PASSWORD_LENGTH = 12;

/** True when three characters in a row repeat or run up or down by one (aaa, abc, 321). */
export function hasRun(password: string): boolean {
  for (let i = 2; i < password.length; i++) {
    const a = password.charCodeAt(i - 2);
    const b = password.charCodeAt(i - 1);
    const c = password.charCodeAt(i);
    if (b - a === c - b && Math.abs(b - a) <= 1) return true;
  }
  return false;
}

export function isAcceptableTemporaryPassword(password: string): boolean {
  return (
    password.length >= TEMPORARY_PASSWORD_LENGTH &&
    [UPPER, LOWER, DIGITS, SYMBOLS].every((set) => [...password].some((ch) => set.includes(ch))) &&
    !hasRun(password)
  );
}

export function generateTemporaryPassword(random: (max: number) => number = randomInt): string {
  for (;;) {
    let password = '';
    for (let i = 0; i < TEMPORARY_PASSWORD_LENGTH; i++) password += ALL[random(ALL.length)];
    if (isAcceptableTemporaryPassword(password)) return password;
  }
}

/**
 * Sets a generated temporary password and returns it (shown once, never stored in the clear).
 * The failure counter and lockout are left as they are: release-lockout is a separate act.
 */
export async function setTemporaryPassword(
  db: ServerDb,
  args: { operatorId: string; by: string; clock: Clock },
): Promise<{ password: string; lockedOut: boolean }> {
  const operator = requireOperator(db, args.operatorId);
  requirePasswordAdmin(db, args.by, args.operatorId);
  if (operator.status !== 'active') {
    throw new AdminError('operator-retired', `${operator.name} (${operator.id}) は退職(無効)です`, `${operator.id} is retired`);
  }
  const password = generateTemporaryPassword();
  const hash = await hashPassword(password);
  return db
    .transaction(() => {
      // Checked again inside the transaction: the hashing above took a moment.
      const current = requireOperator(db, args.operatorId);
      const admin = requirePasswordAdmin(db, args.by, args.operatorId);
      const now = args.clock.now();
      setPassword(db, current.id, hash, now, true);
      recordEvent(db, { at: now, operatorId: current.id, kind: 'temporary-password-set', detail: { by: admin.id, byName: admin.name } });
      return { password, lockedOut: current.lockedOut };
    })
    .immediate();
}
