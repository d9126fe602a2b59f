import { describe, expect, it } from 'vitest';
import { effectiveFailures, operatorForCard, type RosterOperatorLike } from '../../src/domain/session/eligibility';

const KEY = 'c'.repeat(64);
const op = (over: Partial<RosterOperatorLike> = {}): RosterOperatorLike => ({
  id: 'op-x',
  status: 'active',
  since: '2026-04-01T00:00:00+09:00',
  until: null,
  cards: [{ keyId: KEY, status: 'active' }],
  failedAttempts: 0,
  lockedOut: false,
  ...over,
});
const NOW = Date.parse('2026-11-25T10:00:00+09:00');

describe('operatorForCard', () => {
  it('finds the operator of an active card', () => {
    expect(operatorForCard([op()], KEY, NOW)).toMatchObject({ ok: true });
  });
  it('refuses unknown, revoked, retired, not-yet-approved and expired approvals', () => {
    expect(operatorForCard([op()], 'd'.repeat(64), NOW)).toMatchObject({ ok: false, reason: 'unknown-card' });
    expect(operatorForCard([op({ cards: [{ keyId: KEY, status: 'revoked' }] })], KEY, NOW)).toMatchObject({ ok: false, reason: 'revoked-card' });
    expect(operatorForCard([op({ status: 'retired' })], KEY, NOW)).toMatchObject({ ok: false, reason: 'not-on-roster' });
    expect(operatorForCard([op({ since: '2027-01-01T00:00:00+09:00' })], KEY, NOW)).toMatchObject({ ok: false, reason: 'not-on-roster' });
    expect(operatorForCard([op({ until: '2026-11-25T09:00:00+09:00' })], KEY, NOW)).toMatchObject({ ok: false, reason: 'not-on-roster' });
    expect(operatorForCard([op({ since: 'garbage' })], KEY, NOW)).toMatchObject({ ok: false, reason: 'not-on-roster' });
  });
});

describe('effectiveFailures', () => {
  it('adds unacknowledged failures to the server count and locks at the limit', () => {
    expect(effectiveFailures({ failedAttempts: 1, lockedOut: false }, ['failure'], 3)).toEqual({ failedAttempts: 2, lockedOut: false, attemptsLeft: 1 });
    expect(effectiveFailures({ failedAttempts: 1, lockedOut: false }, ['failure', 'failure'], 3)).toMatchObject({ lockedOut: true, attemptsLeft: 0 });
  });
  it('a pending success resets, but not once locked out', () => {
    expect(effectiveFailures({ failedAttempts: 2, lockedOut: false }, ['success', 'failure'], 3)).toMatchObject({ failedAttempts: 1, lockedOut: false });
    expect(effectiveFailures({ failedAttempts: 3, lockedOut: true }, ['success'], 3)).toMatchObject({ lockedOut: true });
  });
  it('a release on the server (count 0, not locked) is honoured when nothing is pending', () => {
    expect(effectiveFailures({ failedAttempts: 0, lockedOut: false }, [], 3)).toEqual({ failedAttempts: 0, lockedOut: false, attemptsLeft: 3 });
  });
});
