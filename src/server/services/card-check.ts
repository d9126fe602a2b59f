// The card presented must be an ACTIVE card lent to that operator (第17条3項・11項・13項).
import type { ServerDb } from '../db/open';
import { getCard } from '../store/cards';
import { REFUSALS, type Answer } from './answers';

export function checkOperatorCard(db: ServerDb, operatorId: string, cardKeyId: string): Answer<never> | null {
  const card = getCard(db, cardKeyId);
  if (!card) return REFUSALS.unknownCard();
  if (card.operatorId !== operatorId) return REFUSALS.cardNotOwned();
  if (card.status !== 'active') return REFUSALS.cardRevoked();
  return null;
}
