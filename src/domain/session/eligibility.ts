// Who may sign in with a given card (第17条3項・6項・8項・10–11項) and how many wrong
// passwords count against an operator (第18条1項(3)). Pure: the roster arrives as data.

export interface RosterCardLike {
  keyId: string;
  status: 'active' | 'revoked';
}

export interface RosterOperatorLike {
  id: string;
  status: 'active' | 'retired';
  since: string;
  until: string | null;
  cards: readonly RosterCardLike[];
  failedAttempts: number;
  lockedOut: boolean;
}

export type Eligibility<O> = { ok: true; operator: O } | { ok: false; reason: 'unknown-card' | 'revoked-card' | 'not-on-roster'; message: string };

export const ELIGIBILITY_MESSAGES = {
  'unknown-card': 'このカードは登録されていません。情報保護管理者に確認してください。',
  'revoked-card': 'このカードは失効しています（紛失・盗難・破損の届出済み）。使用できません。情報保護管理者に連絡してください。',
  'not-on-roster': 'このカードの操作者は操作者名簿に登録されていない（または承認期間外の）ため、使用できません。',
} as const;

export function operatorForCard<O extends RosterOperatorLike>(operators: readonly O[], keyId: string, now: number): Eligibility<O> {
  for (const operator of operators) {
    const card = operator.cards.find((c) => c.keyId === keyId);
    if (!card) continue;
    if (card.status !== 'active') return { ok: false, reason: 'revoked-card', message: ELIGIBILITY_MESSAGES['revoked-card'] };
    const since = Date.parse(operator.since);
    const until = operator.until === null ? Infinity : Date.parse(operator.until);
    if (operator.status !== 'active' || !(now >= since) || !(now < until)) {
      return { ok: false, reason: 'not-on-roster', message: ELIGIBILITY_MESSAGES['not-on-roster'] };
    }
    return { ok: true, operator };
  }
  return { ok: false, reason: 'unknown-card', message: ELIGIBILITY_MESSAGES['unknown-card'] };
}

/**
 * Failed attempts as the terminal must count them: what the server last said, plus the
 * attempts this terminal made that the server has not acknowledged yet (offline, or in flight).
 * A pending success resets the count, as it will on the server.
 */
export function effectiveFailures(
  server: { failedAttempts: number; lockedOut: boolean },
  pendingOutcomes: readonly ('success' | 'failure')[],
  maxFailedAttempts: number,
): { failedAttempts: number; lockedOut: boolean; attemptsLeft: number } {
  let count = server.failedAttempts;
  let lockedOut = server.lockedOut;
  for (const outcome of pendingOutcomes) {
    if (outcome === 'success' && !lockedOut) count = 0;
    if (outcome === 'failure') count += 1;
    if (count >= maxFailedAttempts) lockedOut = true;
  }
  return { failedAttempts: count, lockedOut, attemptsLeft: lockedOut ? 0 : Math.max(0, maxFailedAttempts - count) };
}
