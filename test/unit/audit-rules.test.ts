// Each findings rule (src/domain/audit) on small hand-made logs: one case that must be found and
// one close to it that must not.
import { describe, expect, it } from 'vitest';
import { findFindings } from '../../src/domain/audit/engine';
import type { AuditConfig } from '../../src/domain/audit/config';
import type { AuditContext, AuditOperator, AuditResident, RuleId } from '../../src/domain/audit/types';
import { isVagueNote } from '../../src/domain/audit/vague-note';
import { DEFAULT_AUDIT_CONFIG } from '../../src/domain/audit/config';
import type { DetailValue, LogRecord } from '../../src/domain/log/log-record';

const CARD_A = 'a'.repeat(64);
const CARD_B = 'b'.repeat(64);
const OPS: AuditOperator[] = [
  { id: 'op-a', name: '山田　花子', kana: 'ヤマダ　ハナコ', role: 'operator', address: '組山町中央一丁目1番1号', householdId: 'H1', cards: [{ keyId: CARD_A, status: 'active', issuedAt: '2026-01-01T00:00:00Z', revokedAt: null }] },
  { id: 'op-b', name: '鈴木　一郎', kana: 'スズキ　イチロウ', role: 'operator', address: '組山町大字北島5番地', householdId: 'H2', cards: [{ keyId: CARD_B, status: 'revoked', issuedAt: '2026-01-01T00:00:00Z', revokedAt: '2026-11-20T08:00:00Z' }] },
];
const RES: AuditResident[] = [
  { id: 'R1', name: '山田　花子', kana: 'ヤマダ　ハナコ', address: '組山町中央一丁目1番1号', householdId: 'H1' },
  { id: 'R2', name: '山田　太郎', kana: 'ヤマダ　タロウ', address: '組山町中央一丁目1番1号', householdId: 'H1' },
  { id: 'R3', name: '鈴木　一郎', kana: 'スズキ　イチロウ', address: '組山町大字北島5番地', householdId: 'H2' },
  { id: 'R4', name: '佐藤　次郎', kana: 'サトウ　ジロウ', address: '組山町中央一丁目1番1号', householdId: 'H9' },
  { id: 'R5', name: '山田　三郎', kana: 'ヤマダ　サブロウ', address: '組山町緑ケ丘二丁目3番4号', householdId: 'H5' },
  { id: 'R6', name: '田中　四郎', kana: 'タナカ　シロウ', address: '組山町桜台一丁目2番3号', householdId: 'H6' },
  { id: 'R7', name: '鈴木　一郎', kana: 'スズキ　イチロウ', address: '組山町駅前二丁目9番9号', householdId: 'H7' },
  { id: 'R8', name: '伊藤　五郎', kana: 'イトウ　ゴロウ', address: '組山町大字南野12番地', householdId: 'H8' },
];

function context(extra: Partial<AuditContext> = {}): AuditContext {
  return {
    operators: OPS,
    residents: new Map(RES.map((r) => [r.id, r])),
    flagged: new Map([['R6', 'dv-support']]),
    calendarExceptions: [],
    terminals: [],
    integrityAlerts: [],
    ...extra,
  };
}

class Log {
  readonly records: LogRecord[] = [];
  private seq = 0;
  add(at: string, type: string, operatorId: string | null, detail: Record<string, DetailValue> = {}, extra: Partial<LogRecord> = {}): this {
    this.seq += 1;
    this.records.push({ terminalId: 't-01', seq: this.seq, prevHash: '0'.repeat(64), at, clockOffsetMs: 0, type, outcome: 'success', operatorId, cardKeyId: null, detail, hash: '0'.repeat(64), ...extra });
    return this;
  }
  /** purpose + search + view of `residentId` at JST `hhmm` on 2026-11-24 (a Tuesday). */
  lookup(hhmm: string, op: string, residentId: string, purpose: { category?: string; caseNumber?: string | null; note?: string | null } = {}, ymd = '2026-11-24'): this {
    const p = { purposeCategory: purpose.category ?? 'juminhyo-copy', caseNumber: purpose.caseNumber === undefined ? 'R8-00001' : purpose.caseNumber };
    const at = (s: number): string => new Date(Date.parse(`${ymd}T${hhmm}:00+09:00`) + s * 1000).toISOString();
    return this.add(at(0), 'purpose.stated', op, { ...p, note: purpose.note ?? null })
      .add(at(10), 'resident.search', op, { ...p, criteria: 'kana', hits: 1, truncated: false, source: 'replica', replicaVersion: 1, shownIds: residentId })
      .add(at(20), 'resident.viewed', op, { ...p, residentId })
      .add(at(30), 'purpose.ended', op, p);
  }
}

const rules = (log: Log, ctx = context(), config: Partial<AuditConfig> = {}): RuleId[] => findFindings(log.records, ctx, config).map((f) => f.rule);

describe('1. purpose', () => {
  it('finds a missing case number where the category needs one, not where it does not', () => {
    expect(rules(new Log().lookup('10:00', 'op-a', 'R8', { caseNumber: null }))).toEqual(['purpose.missing-case']);
    expect(rules(new Log().lookup('10:00', 'op-a', 'R8', { category: 'identity-check', caseNumber: null, note: '来庁者の本人確認（整理券12番）' }))).toEqual([]);
  });
  it('finds a case number not in the receipt ledger, or a placeholder', () => {
    expect(rules(new Log().lookup('10:00', 'op-a', 'R8', { caseNumber: 'R8-99999' }), context({ receipts: new Set(['R8-00001']) }))).toEqual(['purpose.unknown-case']);
    expect(rules(new Log().lookup('10:00', 'op-a', 'R8', { caseNumber: '0000' }))).toEqual(['purpose.unknown-case']);
    expect(rules(new Log().lookup('10:00', 'op-a', 'R8'), context({ receipts: new Set(['R8-00001']) }))).toEqual([]);
  });
  it('finds a vague note and explains it with the note', () => {
    const f = findFindings(new Log().lookup('10:00', 'op-a', 'R8', { category: 'identity-check', caseNumber: null, note: '確認のため' }).records, context());
    expect(f.map((x) => x.rule)).toEqual(['purpose.vague-note']);
    expect(f[0]!.explanation).toContain('「確認のため」');
    expect(f[0]!.rows).toHaveLength(3); // purpose.stated, search, view
  });
  it('tells vague notes from specific ones', () => {
    for (const note of ['確認', '照会', 'テスト', 'なし', '念のため確認します', 'ああああああ', '業務上必要のため照会']) expect(isVagueNote(note, DEFAULT_AUDIT_CONFIG), note).toBe(true);
    for (const note of ['税務課からの依頼（文書番号123）', '来庁者の本人確認（整理券12番）', '住所異動の相談対応']) expect(isVagueNote(note, DEFAULT_AUDIT_CONFIG), note).toBe(false);
  });
  it('finds the same note reused for many purposes', () => {
    const log = new Log();
    for (let i = 0; i < 5; i++) log.lookup(`1${i}:00`, 'op-a', 'R8', { category: 'identity-check', caseNumber: null, note: '住所異動の相談対応' });
    expect(rules(log)).toEqual(['purpose.repeated-note']);
    const fewer = new Log();
    for (let i = 0; i < 4; i++) fewer.lookup(`1${i}:00`, 'op-a', 'R8', { category: 'identity-check', caseNumber: null, note: '住所異動の相談対応' });
    expect(rules(fewer)).toEqual([]);
  });
});

describe('2. many operators', () => {
  it('finds one resident viewed by 4 operators within 7 days, not by 3', () => {
    const ops = ['op-a', 'op-b', 'op-c', 'op-d'];
    const log = new Log();
    ops.forEach((op, i) => log.lookup('10:00', op, 'R8', {}, `2026-11-2${4 + i}`));
    expect(rules(log)).toEqual(['resident.many-operators']);
    const three = new Log();
    ops.slice(0, 3).forEach((op, i) => three.lookup('10:00', op, 'R8', {}, `2026-11-2${4 + i}`));
    expect(rules(three)).toEqual([]);
    const spread = new Log();
    ops.forEach((op, i) => spread.lookup('10:00', op, 'R8', {}, ['2026-11-02', '2026-11-10', '2026-11-18', '2026-11-26'][i]));
    expect(rules(spread)).toEqual([]);
  });
});

describe('3. relations', () => {
  it('finds self, household, colleague, same address', () => {
    const f = findFindings(new Log().lookup('10:00', 'op-a', 'R1').lookup('10:10', 'op-a', 'R2').lookup('10:20', 'op-a', 'R3').lookup('10:30', 'op-a', 'R4').records, context());
    expect(f.map((x) => x.rule)).toEqual(['relation.self', 'relation.household', 'relation.colleague', 'relation.same-address']);
    expect(f[0]!.explanation).toBe('山田 花子（op-a） が 2026年11月24日(火) 10:00 に自分自身の記録（住民ID R1）を参照しました。');
    expect(f[0]!.residentIds).toEqual(['R1']);
    expect(f[0]!.operatorIds).toEqual(['op-a']);
  });
  it('does not take a homonym of a colleague at another address for the colleague', () => {
    expect(rules(new Log().lookup('10:00', 'op-a', 'R7'))).toEqual([]);
  });
  it('finds a rare same surname without a case number only', () => {
    const shares = new Map([['ヤマダ', 0.001]]);
    expect(rules(new Log().lookup('10:00', 'op-a', 'R5', { category: 'identity-check', caseNumber: null, note: '来庁者の本人確認（整理券12番）' }), context({ surnameShare: shares }))).toEqual(['relation.same-surname']);
    expect(rules(new Log().lookup('10:00', 'op-a', 'R5'), context({ surnameShare: shares }))).toEqual([]);
    expect(rules(new Log().lookup('10:00', 'op-a', 'R5', { category: 'identity-check', caseNumber: null, note: '来庁者の本人確認（整理券12番）' }), context({ surnameShare: new Map([['ヤマダ', 0.01]]) }))).toEqual([]);
  });
});

describe('4. volume', () => {
  it('finds a day far above the operator’s own median, not an ordinary busy day', () => {
    const days = ['2026-11-16', '2026-11-17', '2026-11-18', '2026-11-19', '2026-11-20'];
    const build = (last: number): Log => {
      const log = new Log();
      for (const d of days) for (let i = 0; i < 5; i++) log.lookup(`10:${String(i * 10).padStart(2, '0')}`, 'op-a', 'R8', {}, d);
      for (let i = 0; i < last; i++) log.lookup(`${String(9 + Math.floor(i / 6)).padStart(2, '0')}:${String((i % 6) * 10).padStart(2, '0')}`, 'op-a', 'R8', {}, '2026-11-24');
      return log;
    };
    // Usual day: 5 cases = 10 lookups; threshold max(3 × 10, floor).
    expect(rules(build(20), context(), { volumeFloor: 20 })).toEqual(['volume.unusual']); // 40 lookups > 30
    expect(rules(build(12), context(), { volumeFloor: 20 })).toEqual([]); // 24 lookups
  });
});

describe('5. hours', () => {
  it('finds access outside the window, on a closed day, and near closing without case numbers', () => {
    expect(rules(new Log().lookup('18:30', 'op-a', 'R8'))).toEqual(['hours.outside']);
    expect(rules(new Log().lookup('10:00', 'op-a', 'R8', {}, '2026-11-29'))).toEqual(['hours.outside']); // Sunday
    expect(rules(new Log().lookup('10:00', 'op-a', 'R8'))).toEqual([]);
    const near = new Log();
    for (const t of ['17:06', '17:08', '17:10']) near.lookup(t, 'op-a', 'R8', { category: 'identity-check', caseNumber: null, note: '来庁者の本人確認（整理券12番）' });
    expect(rules(near)).toEqual(['hours.near-closing']);
    expect(rules(new Log().lookup('17:06', 'op-a', 'R8').lookup('17:08', 'op-a', 'R8').lookup('17:10', 'op-a', 'R8'))).toEqual([]);
  });
  it('finds work on a day opened only by an exception', () => {
    const exception = { id: 'x1', date: '2026-11-29', opensAt: '09:00', closesAt: '12:00', reason: '日曜開庁', approvedBy: '管理者' };
    const f = findFindings(new Log().lookup('10:00', 'op-a', 'R8', {}, '2026-11-29').records, context({ calendarExceptions: [exception] }));
    expect(f.map((x) => x.rule)).toEqual(['hours.exception-day']);
    expect(f[0]!.explanation).toContain('特別開庁');
  });
});

describe('6. sign-in', () => {
  const at = (m: number): string => new Date(Date.parse('2026-11-24T09:00:00+09:00') + m * 60_000).toISOString();
  it('finds a lockout, and not also repeated failures for the failures that led to it', () => {
    const log = new Log();
    for (let i = 1; i <= 3; i++) log.add(at(i), 'signin.failure', 'op-a', { reason: 'wrong-password', failedAttempts: i, unlock: false });
    log.add(at(3), 'signin.lockout', 'op-a', { failedAttempts: 3 });
    expect(rules(log)).toEqual(['signin.lockout']);
  });
  it('finds repeated failures reset by successes, not two failures', () => {
    const log = new Log();
    for (const m of [0, 60, 120]) log.add(at(m), 'signin.failure', 'op-a', { reason: 'wrong-password', failedAttempts: 1, unlock: false }).add(at(m + 1), 'signin.password-ok', 'op-a');
    expect(rules(log)).toEqual(['signin.repeated-failures']);
    const two = new Log();
    for (const m of [0, 60]) two.add(at(m), 'signin.failure', 'op-a', { reason: 'wrong-password', failedAttempts: 1, unlock: false }).add(at(m + 1), 'signin.password-ok', 'op-a');
    expect(rules(two)).toEqual([]);
  });
  it('finds a burst of refused cards on one terminal', () => {
    const log = new Log();
    for (let i = 0; i < 5; i++) log.add(at(i * 5), 'signin.refused', null, { reason: 'unknown-card' });
    expect(rules(log)).toEqual(['signin.terminal-failures']);
    const slow = new Log();
    for (let i = 0; i < 5; i++) slow.add(at(i * 20), 'signin.refused', null, { reason: 'unknown-card' });
    expect(rules(slow)).toEqual([]);
  });
});

describe('7. cards', () => {
  it('finds a revoked card used, and a card used before it was lent', () => {
    const used = (at: string, card: string, op: string): Log => new Log().add(at, 'session.signed-in', op, {}, { cardKeyId: card });
    expect(rules(used('2026-11-24T01:00:00Z', CARD_B, 'op-b'))).toEqual(['card.revoked-use']);
    expect(rules(used('2026-11-19T01:00:00Z', CARD_B, 'op-b'))).toEqual([]);
    expect(rules(used('2025-12-24T01:00:00Z', CARD_A, 'op-a'))).toEqual(['card.outside-lending']);
    expect(rules(new Log().add('2026-11-24T01:00:00Z', 'signin.refused', null, { reason: 'revoked-card' }, { cardKeyId: CARD_B }))).toEqual(['card.revoked-use']);
  });
});

describe('8. integrity', () => {
  it('reports integrity records and the server’s alerts', () => {
    const log = new Log().add('2026-11-24T00:00:00Z', 'log.integrity-problem', null, { head: 'ok', problem: 'hash-mismatch', seq: 3, summary: 'x' }).add('2026-11-24T00:01:00Z', 'app.start', null);
    expect(rules(log)).toEqual(['log.integrity']);
    const f = findFindings([], context({ integrityAlerts: [{ terminalId: 't-02', at: '2026-11-24T01:00:00Z', kind: 'gap', seq: 7 }] }));
    expect(f.map((x) => [x.rule, x.terminalIds, x.rows])).toEqual([['log.integrity', ['t-02'], [{ terminalId: 't-02', seq: 7 }]]]);
  });
});

describe('9. sync', () => {
  it('finds a terminal silent for more than 4 opening hours, counting working time only', () => {
    const asOf = '2026-11-30T03:00:00Z'; // Monday 12:00 JST
    const ctx = (last: string): AuditContext => context({ asOf, terminals: [{ terminalId: 't-09', lastSyncAt: last }] });
    expect(rules(new Log(), ctx('2026-11-27T08:00:00Z'))).toEqual([]); // Friday 17:00 JST: 15 min + 3.5 h
    expect(rules(new Log(), ctx('2026-11-27T04:00:00Z'))).toEqual(['sync.stale']); // Friday 13:00 JST
    expect(rules(new Log(), context({ asOf, terminals: [{ terminalId: 't-09', lastSyncAt: null }] }))).toEqual(['sync.stale']);
    expect(rules(new Log(), context({ asOf, terminals: [{ terminalId: 't-09', lastSyncAt: null, retired: true }] }))).toEqual([]);
  });
  it('reports refused log sync passes', () => {
    expect(rules(new Log().add('2026-11-24T01:00:00Z', 'log.sync-refused', null, { code: 'log-conflict', message: 'x' }))).toEqual(['sync.refused']);
  });
});

describe('10. flagged records', () => {
  it('always reports access to a flagged record, even with a case number', () => {
    const f = findFindings(new Log().lookup('10:00', 'op-a', 'R6').records, context());
    expect(f.map((x) => x.rule)).toEqual(['flagged.access']);
    expect(f[0]!.explanation).toContain('支援措置');
    expect(f[0]!.rowCount).toBe(2); // search (shown) and view
  });
});

describe('configuration', () => {
  it('switches rules off and changes severities', () => {
    const log = new Log().lookup('10:00', 'op-a', 'R6');
    expect(rules(log, context(), { disabledRules: ['flagged.access'] })).toEqual([]);
    expect(findFindings(log.records, context(), { severity: { 'flagged.access': 'low' } })[0]!.severity).toBe('low');
  });
  it('refuses a non-positive threshold', () => {
    expect(() => findFindings([], context(), { manyOperatorsMin: 0 })).toThrow(RangeError);
  });
});
