// Releases a lockout (第18条1項(3): 無効 until an authorised person releases it).
import type { Clock } from '../clock';
import type { ServerDb } from '../db/open';
import { recordEvent } from '../store/events';
import { setFailedAttempts } from '../store/operators';
import { actorDetail, type AdminVia } from './actor';
import { AdminError } from './admin-error';
import { requireOperator, requirePasswordAdmin } from './authorize';
import { optionalReason } from './reason';

export function releaseLockout(
  db: ServerDb,
  args: { operatorId: string; by: string; clock: Clock; reason?: string; via?: AdminVia },
): { failedAttemptsBefore: number } {
  return db
    .transaction(() => {
      const operator = requireOperator(db, args.operatorId);
      const admin = requirePasswordAdmin(db, args.by, args.operatorId);
      const reason = optionalReason(args.reason);
      if (!operator.lockedOut) {
        throw new AdminError('not-locked-out', `${operator.name} (${operator.id}) はロックアウトされていません`, `${operator.id} is not locked out`);
      }
      const now = args.clock.now();
      setFailedAttempts(db, operator.id, 0, null);
      recordEvent(db, {
        at: now,
        terminalId: args.via?.terminalId ?? null,
        operatorId: operator.id,
        kind: 'lockout-released',
        detail: {
          by: admin.id,
          byName: admin.name,
          failedAttemptsBefore: operator.failedAttempts,
          lockedOutAt: operator.lockedOutAt,
          ...(args.via || reason !== null ? { ...actorDetail(admin, args.via), reason } : {}),
        },
      });
      return { failedAttemptsBefore: operator.failedAttempts };
    })
    .immediate();
}
