// Roster and reader changes as operation-log events (src/node/terminal/roster-changes.ts): pure diffs.
import { describe, expect, it } from 'vitest';
import { readerChanges, rosterChanges } from '../../src/node/terminal/roster-changes';
import { validateEvent } from '../../src/shared/log-event';
import type { RosterResponse } from '../../src/shared/server-api';

const HASH = `scrypt$16384$8$1$${'A'.repeat(22)}$${'B'.repeat(43)}`;

function operator(id: string, lockedOut: boolean, failedAttempts: number): RosterResponse['operators'][number] {
  return {
    id,
    name: '山田 花子',
    kana: 'ヤマダ ハナコ',
    role: 'operator',
    approvedBy: '鈴木',
    since: '2026-04-01T00:00:00.000Z',
    until: null,
    status: 'active',
    cards: [],
    password: { hash: HASH, setAt: '2026-04-01T00:00:00.000Z', temporary: false, expiresAt: '2027-04-01T00:00:00.000Z' },
    failedAttempts,
    lockedOut,
  };
}

function exception(id: string, date: string, closesAt = '17:15'): RosterResponse['calendarExceptions'][number] {
  return { id, date, opensAt: '08:30', closesAt, reason: '選挙のため臨時開庁', approvedBy: '情報保護管理者 田中' };
}

function roster(parts: Partial<RosterResponse> = {}): RosterResponse {
  return {
    generatedAt: '2026-11-24T01:00:00.000Z',
    terminal: { id: 'term-demo-01', name: '住民課窓口1' },
    operators: [operator('op-yamada', false, 0), operator('op-sato', true, 3)],
    calendarExceptions: [exception('x1', '2026-12-06')],
    policy: { passwordExpiryDays: 90, maxFailedAttempts: 3 },
    purposeCategories: [],
    ...parts,
  };
}

describe('rosterChanges', () => {
  it('nothing for the first roster or an unchanged one', () => {
    expect(rosterChanges(null, roster())).toEqual([]);
    expect(rosterChanges(roster(), roster())).toEqual([]);
  });

  it('a lockout released on the server, once, for that operator only', () => {
    const next = roster({ operators: [operator('op-yamada', false, 0), operator('op-sato', false, 0)] });
    expect(rosterChanges(roster(), next)).toEqual([{ type: 'roster.lockout-released', outcome: 'info', operatorId: 'op-sato', detail: { failedAttempts: 0 } }]);
    // A new lockout is not a release (the terminal logged the lockout itself when it happened).
    expect(rosterChanges(next, roster())).toEqual([]);
  });

  it('calendar exceptions approved, withdrawn and changed, by date and hours, without names or reasons', () => {
    const next = roster({ calendarExceptions: [exception('x1', '2026-12-06', '19:00'), exception('x2', '2026-12-13')] });
    const [event] = rosterChanges(roster(), next);
    expect(event).toEqual({
      type: 'calendar.exceptions-changed',
      outcome: 'info',
      detail: { added: '2026-12-06 08:30-19:00,2026-12-13 08:30-17:15', withdrawn: '2026-12-06 08:30-17:15', addedIds: 'x1,x2', withdrawnIds: 'x1', total: 2 },
    });
    expect(JSON.stringify(event)).not.toMatch(/田中|選挙/);
    expect(rosterChanges(next, roster({ calendarExceptions: [] }))[0]?.detail).toMatchObject({ added: '', withdrawn: '2026-12-06 08:30-19:00,2026-12-13 08:30-17:15', total: 0 });
  });

  it('a long list stays within a detail value and says how many are left out', () => {
    const many = Array.from({ length: 300 }, (_, i) => exception(`id-${String(i).padStart(3, '0')}`, `2027-${String((i % 12) + 1).padStart(2, '0')}-${String((i % 28) + 1).padStart(2, '0')}`));
    const [event] = rosterChanges(roster({ calendarExceptions: [] }), roster({ calendarExceptions: many }));
    const added = String(event!.detail.added);
    expect(added.length).toBeLessThanOrEqual(500);
    const shown = added.split(',').filter((x) => !x.startsWith('…'));
    expect(added).toMatch(new RegExp(`…\\(\\+${300 - shown.length}\\)$`));
    // The log accepts it as it is.
    expect(() => validateEvent({ ...event, operatorId: null, cardKeyId: null })).not.toThrow();
  });

  it('a changed password policy', () => {
    expect(rosterChanges(roster(), roster({ policy: { passwordExpiryDays: 60, maxFailedAttempts: 5 } }))).toEqual([
      { type: 'config.policy-changed', outcome: 'info', detail: { passwordExpiryDays: 60, maxFailedAttempts: 5, previousPasswordExpiryDays: 90, previousMaxFailedAttempts: 3 } },
    ]);
  });
});

describe('rosterChanges: emergency stop', () => {
  const stop = (id: string) => ({ id, scope: 'all' as const, terminalId: null, reason: '不正アクセスの疑い（山田 花子の件）', by: 'op-suzuki', byName: '鈴木 一郎', at: '2026-11-24T02:00:00.000Z' });

  it('received, lifted, and replaced by another, with ids only (the reason is free text)', () => {
    expect(rosterChanges(roster({ emergencyStop: null }), roster({ emergencyStop: stop('s1') }))).toEqual([
      { type: 'emergency.stop-received', outcome: 'info', detail: { stopId: 's1', scope: 'all', by: 'op-suzuki', at: '2026-11-24T02:00:00.000Z' } },
    ]);
    expect(rosterChanges(roster({ emergencyStop: stop('s1') }), roster({ emergencyStop: stop('s1') }))).toEqual([]);
    expect(rosterChanges(roster({ emergencyStop: stop('s1') }), roster())).toEqual([{ type: 'emergency.stop-lifted', outcome: 'info', detail: { stopId: 's1', scope: 'all' } }]);
    const replaced = rosterChanges(roster({ emergencyStop: stop('s1') }), roster({ emergencyStop: stop('s2') }));
    expect(replaced.map((e) => e.type)).toEqual(['emergency.stop-lifted', 'emergency.stop-received']);
    for (const event of replaced) {
      expect(JSON.stringify(event)).not.toContain('山田');
      expect(() => validateEvent({ ...event, operatorId: null, cardKeyId: null })).not.toThrow();
    }
  });
});

describe('readerChanges', () => {
  it('readers connected and lost between two lists', () => {
    expect(readerChanges([], ['Virtual PCD 00 00'])).toEqual({ connected: ['Virtual PCD 00 00'], lost: [] });
    expect(readerChanges(['A', 'B'], ['B', 'C'])).toEqual({ connected: ['C'], lost: ['A'] });
    expect(readerChanges(['A'], ['A'])).toEqual({ connected: [], lost: [] });
  });
});
