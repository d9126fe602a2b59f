// Runs a state-changing decision at most once per request id, inside one immediate transaction.
import type { ServerDb } from '../db/open';
import { findProcessedRequest, requestFingerprint, saveProcessedRequest } from '../store/processed-requests';
import { REFUSALS, type Answer } from './answers';

export interface IdempotentRequest {
  requestId: string;
  kind: string;
  terminalId: string;
  body: unknown;
  now: number;
}

/** A replayed answer is the stored body of the first one, hence of the same type. */
export function runOnce<T>(db: ServerDb, request: IdempotentRequest, decide: () => Answer<T>): Answer<T> & { replayed: boolean } {
  const run = db.transaction((): Answer<T> & { replayed: boolean } => {
    const fingerprint = requestFingerprint(request.body);
    const previous = findProcessedRequest(db, request.requestId);
    if (previous) {
      if (previous.kind !== request.kind || previous.terminalId !== request.terminalId || previous.bodySha256 !== fingerprint) {
        return { ...REFUSALS.requestIdReused(), replayed: false };
      }
      return { status: previous.status, body: previous.body as Answer<T>['body'], replayed: true };
    }
    const answer = decide();
    saveProcessedRequest(db, { requestId: request.requestId, kind: request.kind, terminalId: request.terminalId, bodySha256: fingerprint, ...answer }, request.now);
    return { ...answer, replayed: false };
  });
  return run.immediate();
}
