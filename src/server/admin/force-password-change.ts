// Forcing a password change (第18条2項(2): 必要に応じて変更; issue 6 item 4), e.g. when a password may
// have been seen: the password stays valid for signing in, but must be changed right after. Terminals
// see it as expired from now on (roster expiresAt) and as changeRequiredAt; a new password clears it.
import { toIso, type Clock } from '../clock';
import type { ServerDb } from '../db/open';
import { recordEvent } from '../store/events';
import { requirePasswordChange } from '../store/operators';
import { actorDetail, type AdminVia } from './actor';
import { AdminError } from './admin-error';
import { requireOperator, requirePasswordAdmin, requirePermitted } from './authorize';
import { checkedReason } from './reason';

export function forcePasswordChange(db: ServerDb, args: { operatorId: string; reason: string; by: string; via?: AdminVia; clock: Clock }): { requiredAt: number } {
  return db
    .transaction(() => {
      requirePermitted(db, args.by, 'password.require-change');
      const operator = requireOperator(db, args.operatorId);
      const admin = requirePasswordAdmin(db, args.by, args.operatorId);
      const reason = checkedReason(args.reason);
      if (operator.status !== 'active') throw new AdminError('operator-retired', `${operator.name} (${operator.id}) は退職(無効)です`, `${operator.id} is retired`);
      if (operator.passwordChangeRequiredAt !== null) {
        throw new AdminError(
          'change-already-required',
          `${operator.name} (${operator.id}) には既にパスワード変更が求められています (${toIso(operator.passwordChangeRequiredAt)})。`,
          `${operator.id} must already change the password`,
        );
      }
      const now = args.clock.now();
      requirePasswordChange(db, operator.id, now);
      recordEvent(db, {
        at: now,
        terminalId: args.via?.terminalId ?? null,
        operatorId: operator.id,
        kind: 'password-change-required',
        detail: { temporary: operator.passwordTemporary, lockedOut: operator.lockedOut, reason, ...actorDetail(admin, args.via) },
      });
      return { requiredAt: now };
    })
    .immediate();
}
