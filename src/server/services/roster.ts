// The operator roster handed to terminals (第17条9項): every operator including retired ones,
// their cards (revoked ones too, so an offline terminal learns the revocation at next contact),
// password hash info and lockout state.
import { passwordExpiresAt } from '../../domain/password';
import type { RosterOperator, RosterResponse } from '../../shared/server-api';
import { toIso } from '../clock';
import type { ServerDb } from '../db/open';
import type { ServerPolicy } from '../policy';
import { listCalendarExceptions } from '../store/calendar';
import { listCards, type Card } from '../store/cards';
import { recordEvent } from '../store/events';
import { listOperators } from '../store/operators';

/** RosterOperatorSchema allows at most this many cards per operator. */
export const MAX_CARDS_PER_OPERATOR = 20;

/** The active card first, then the most recently issued; returned in issue order. */
export function cardsForRoster(cards: Card[]): Card[] {
  const chosen = [...cards]
    .sort((a, b) => Number(b.status === 'active') - Number(a.status === 'active') || b.issuedAt - a.issuedAt)
    .slice(0, MAX_CARDS_PER_OPERATOR);
  return chosen.sort((a, b) => a.issuedAt - b.issuedAt || a.keyId.localeCompare(b.keyId));
}

export function buildRoster(db: ServerDb, terminal: { id: string; name: string }, now: number, policy: ServerPolicy): RosterResponse {
  const cardsByOperator = new Map<string, Card[]>();
  for (const card of listCards(db)) {
    const list = cardsByOperator.get(card.operatorId) ?? [];
    list.push(card);
    cardsByOperator.set(card.operatorId, list);
  }
  const operators: RosterOperator[] = listOperators(db).map((op) => ({
    id: op.id,
    name: op.name,
    kana: op.kana,
    role: op.role,
    approvedBy: op.approvedBy,
    since: toIso(op.since),
    until: op.until === null ? null : toIso(op.until),
    status: op.status,
    cards: cardsForRoster(cardsByOperator.get(op.id) ?? []).map((card) => ({
      keyId: card.keyId,
      status: card.status,
      issuedAt: toIso(card.issuedAt),
      revokedAt: card.revokedAt === null ? null : toIso(card.revokedAt),
    })),
    password: {
      hash: op.passwordHash,
      setAt: toIso(op.passwordSetAt),
      temporary: op.passwordTemporary,
      expiresAt: toIso(passwordExpiresAt(op.passwordSetAt, policy.passwordExpiryDays)),
    },
    failedAttempts: op.failedAttempts,
    lockedOut: op.lockedOut,
  }));
  return {
    generatedAt: toIso(now),
    terminal: { id: terminal.id, name: terminal.name },
    operators,
    calendarExceptions: listCalendarExceptions(db),
    policy: { passwordExpiryDays: policy.passwordExpiryDays, maxFailedAttempts: policy.maxFailedAttempts },
  };
}

export function serveRoster(db: ServerDb, terminal: { id: string; name: string }, now: number, policy: ServerPolicy): RosterResponse {
  const roster = buildRoster(db, terminal, now, policy);
  recordEvent(db, { at: now, terminalId: terminal.id, kind: 'roster-fetched', detail: { operators: roster.operators.length } });
  return roster;
}
