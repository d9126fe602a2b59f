// The card presented must be an ACTIVE card lent to that operator (第17条3項・11項・13項).
import type { ServerDb } from '../db/open';
import { getCard } from '../store/cards';
import { getOperator, type Operator } from '../store/operators';
import { REFUSALS, type Answer } from './answers';

export function checkOperatorCard(db: ServerDb, operatorId: string, cardKeyId: string): Answer<never> | null {
  const card = getCard(db, cardKeyId);
  if (!card) return REFUSALS.unknownCard();
  if (card.operatorId !== operatorId) return REFUSALS.cardNotOwned();
  if (card.status !== 'active') return REFUSALS.cardRevoked();
  return null;
}

export type ReportingOperator = { ok: true; operator: Operator } | { ok: false; refusal: Answer<never>; reason: string };

/**
 * The operator a terminal reports about (a sign-in attempt, a password change): on the
 * roster, active, and holding the card the report names. `reason` is the code for the log.
 */
export function reportingOperator(db: ServerDb, operatorId: string, cardKeyId: string): ReportingOperator {
  const operator = getOperator(db, operatorId);
  if (!operator) return { ok: false, refusal: REFUSALS.unknownOperator(), reason: 'unknown-operator' };
  if (operator.status !== 'active') return { ok: false, refusal: REFUSALS.operatorRetired(), reason: 'operator-retired' };
  const cardRefusal = checkOperatorCard(db, operator.id, cardKeyId);
  if (cardRefusal) return { ok: false, refusal: cardRefusal, reason: (cardRefusal.body as { error: { code: string } }).error.code };
  return { ok: true, operator };
}
