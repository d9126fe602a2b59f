// A password changed on a terminal. The terminal checks the policy and hashes; only the hash
// arrives here. The lockout state is left as it is (only an authorised person releases it).
import type { PasswordChangeRequest, PasswordChangeResponse } from '../../shared/server-api';
import { parsePasswordHash } from '../../node/password/scrypt';
import { passwordExpiresAt } from '../../domain/password';
import { toIso } from '../clock';
import type { ServerDb } from '../db/open';
import { recordEvent } from '../store/events';
import { setPassword } from '../store/operators';
import { ok, REFUSALS, type Answer } from './answers';
import { reportingOperator } from './card-check';
import { runOnce } from './idempotency';
import type { TerminalContext } from './signin-attempts';

export function recordPasswordChange(
  db: ServerDb,
  context: TerminalContext & { passwordExpiryDays: number },
  request: PasswordChangeRequest,
): Answer<PasswordChangeResponse> & { replayed: boolean } {
  const { terminalId, now } = context;
  return runOnce(db, { requestId: request.requestId, kind: 'password-change', terminalId, body: request, now }, () => {
    const base = { requestId: request.requestId, at: request.at, cardKeyId: request.cardKeyId };
    const refuse = (answer: Answer<never>, reason: string): Answer<never> => {
      recordEvent(db, { at: now, terminalId, operatorId: request.operatorId, kind: 'password-change-refused', detail: { ...base, reason } });
      return answer;
    };
    const found = reportingOperator(db, request.operatorId, request.cardKeyId);
    if (!found.ok) return refuse(found.refusal, found.reason);
    const { operator } = found;
    if (!parsePasswordHash(request.newHash)) return refuse(REFUSALS.weakPasswordHash(), 'weak-password-hash');

    setPassword(db, operator.id, request.newHash, now, false);
    // The hash itself is never written to the event log.
    recordEvent(db, {
      at: now,
      terminalId,
      operatorId: operator.id,
      kind: 'password-changed',
      detail: { ...base, wasTemporary: operator.passwordTemporary, lockedOut: operator.lockedOut },
    });
    return ok({ setAt: toIso(now), expiresAt: toIso(passwordExpiresAt(now, context.passwordExpiryDays)) });
  });
}
