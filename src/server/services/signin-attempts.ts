// Sign-in attempts decided on a terminal; the server keeps the authoritative failure counter
// (第18条1項(3): 3 wrong passwords → lockout until an authorised person releases it).
import type { SignInAttemptRequest, SignInAttemptResponse } from '../../shared/server-api';
import type { ServerDb } from '../db/open';
import { recordEvent } from '../store/events';
import { setFailedAttempts } from '../store/operators';
import { ok, REFUSALS, type Answer } from './answers';
import { reportingOperator } from './card-check';
import { runOnce } from './idempotency';

/** The roster schema caps the counter; counting beyond it tells nobody anything more. */
const FAILED_ATTEMPTS_CAP = 1000;

export interface TerminalContext {
  terminalId: string;
  now: number;
}

export function recordSignInAttempt(
  db: ServerDb,
  context: TerminalContext & { maxFailedAttempts: number },
  request: SignInAttemptRequest,
): Answer<SignInAttemptResponse> & { replayed: boolean } {
  const { terminalId, now } = context;
  return runOnce(db, { requestId: request.requestId, kind: 'signin-attempt', terminalId, body: request, now }, () => {
    const base = { requestId: request.requestId, outcome: request.outcome, at: request.at, cardKeyId: request.cardKeyId };
    const refuse = (answer: Answer<never>, reason: string): Answer<never> => {
      recordEvent(db, { at: now, terminalId, operatorId: request.operatorId, kind: 'signin-refused', detail: { ...base, reason } });
      return answer;
    };
    const found = reportingOperator(db, request.operatorId, request.cardKeyId);
    if (!found.ok) return refuse(found.refusal, found.reason);
    const { operator } = found;

    if (request.outcome === 'success') {
      if (operator.lockedOut) return refuse(REFUSALS.lockedOut(), 'locked-out');
      setFailedAttempts(db, operator.id, 0, null);
      recordEvent(db, { at: now, terminalId, operatorId: operator.id, kind: 'signin-attempt', detail: { ...base, failedAttempts: 0, lockedOut: false } });
      return ok({ failedAttempts: 0, lockedOut: false });
    }

    const failedAttempts = Math.min(operator.failedAttempts + 1, FAILED_ATTEMPTS_CAP);
    const locksNow = !operator.lockedOut && failedAttempts >= context.maxFailedAttempts;
    const lockedOutAt = operator.lockedOut ? operator.lockedOutAt : locksNow ? now : null;
    setFailedAttempts(db, operator.id, failedAttempts, lockedOutAt);
    const lockedOut = lockedOutAt !== null;
    recordEvent(db, { at: now, terminalId, operatorId: operator.id, kind: 'signin-attempt', detail: { ...base, failedAttempts, lockedOut } });
    if (locksNow) {
      recordEvent(db, { at: now, terminalId, operatorId: operator.id, kind: 'lockout', detail: { requestId: request.requestId, failedAttempts } });
    }
    return ok({ failedAttempts, lockedOut });
  });
}
