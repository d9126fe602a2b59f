// 点検 in the renderer (issue 5): the spot-check store puts the server's refusals next to the field they
// are about, pages newest first with the server's cursors, writes every export to the log before the
// file is handed out (no log, no file), forgets everything when the admin session ends; the offline
// store checks periods itself, filters this terminal's records and runs the real findings engine.
import { describe, expect, it } from 'vitest';
import { observable, runInAction } from 'mobx';
import { SpotCheckStore, checkFilters, normalizeDateInput, queryOf, defaultPeriod } from '../../src/renderer/src/stores/spot-check-store';
import { OfflineAuditStore, filterOffline, offlinePeriod, type LocalLogSource } from '../../src/renderer/src/stores/offline-audit-store';
import type { AdminCallResult, AdminSessionView } from '../../src/shared/admin-routes';
import type { LogEvent } from '../../src/shared/log-event';
import { GENESIS_HASH, sealRecord, type LogRecord } from '../../src/domain/log/log-record';
import { createHash } from 'node:crypto';
import { DEFAULT_AUDIT_CONFIG } from '../../src/domain/audit/config';
import { SetAuditConfigInputSchema } from '../../src/shared/admin-routes';
import type { TerminalSnapshot } from '../../src/shared/contract';

const NOW = Date.parse('2026-11-24T01:00:00Z');
const index = { complete: true, terminals: [] };
const row = (seq: number) => ({ terminalId: 'term-a', seq, at: '2026-11-20T01:00:00.000Z', type: 'resident.viewed', outcome: 'success' as const, operatorId: 'op-a', operatorName: '山田 花子', cardKeyId: null, purposeCategory: 'certificate', hasCaseNumber: false });
const session: AdminSessionView = { operatorName: '鈴木 一郎', role: 'manager', roleLabel: '情報保護管理者', permissions: ['audit.log.view', 'audit.card-ledger.view', 'audit.who-looked.view'], expiresAt: '2026-11-24T02:00:00Z' };

function setup(answer: (call: { action: string; target?: string; input?: unknown }) => AdminCallResult) {
  const calls: { action: string; target?: string; input?: unknown }[] = [];
  const logged: LogEvent[] = [];
  const downloads: string[] = [];
  const box = observable.box<AdminSessionView | null>(session);
  let logFails = false;
  const store = new SpotCheckStore({
    api: { adminCall: async (c) => (calls.push(c), answer(c)) },
    session: () => box.get(),
    log: async (e) => {
      if (logFails) throw new Error('full');
      logged.push(e);
    },
    operatorId: () => 'op-suzuki',
    now: () => NOW,
    download: (name) => downloads.push(name),
  });
  return { store, calls, logged, downloads, box, failLog: () => (logFails = true) };
}

describe('SpotCheckStore', () => {
  it('saves the rules configuration: only what differs from the defaults, with a reason; refusals shown; nobody without the permission', async () => {
    const configAnswer = (overrides: Record<string, unknown>) => ({
      ok: true as const,
      data: { config: { ...DEFAULT_AUDIT_CONFIG, ...overrides }, overrides, defaults: DEFAULT_AUDIT_CONFIG, changedBy: overrides.manyOperatorsMin ? '鈴木 一郎' : null, changedAt: overrides.manyOperatorsMin ? '2026-11-24T01:00:00.000Z' : null },
    });
    let refuse = false;
    const { store, calls, box } = setup((c) => {
      if (c.action === 'audit.config.view') return configAnswer({ volumeFactor: 4 });
      if (refuse) return { ok: false, code: 'bad-config-value', message: '設定「manyOperatorsMin」の値が範囲外です（2〜100）。' };
      return configAnswer((c.input as { config: Record<string, unknown> }).config);
    });
    runInAction(() => box.set({ ...session, permissions: [...session.permissions, 'audit.findings.view', 'audit.config.view', 'audit.config.set'] }));
    await store.loadConfig();
    expect(store.config?.config.volumeFactor).toBe(4);

    expect(await store.saveConfig({ manyOperatorsMin: 5 }, '  ')).toBe(false);
    expect(store.configErrors.reason).toMatch(/理由/);
    expect(calls.filter((c) => c.action === 'audit.config.set')).toHaveLength(0);

    // The edited whole: volumeFactor put back to its default, manyOperatorsMin changed, one rule off.
    const ok = await store.saveConfig({ ...DEFAULT_AUDIT_CONFIG, manyOperatorsMin: 5, disabledRules: ['relation.same-surname'] }, '窓口の繁忙期に合わせる');
    expect(ok).toBe(true);
    const sent = calls.at(-1)!;
    expect(sent).toEqual({ action: 'audit.config.set', input: { config: { manyOperatorsMin: 5, disabledRules: ['relation.same-surname'] }, reason: '窓口の繁忙期に合わせる' } });
    expect(SetAuditConfigInputSchema.safeParse(sent.input).success).toBe(true);
    expect(store.config?.overrides).toEqual({ manyOperatorsMin: 5, disabledRules: ['relation.same-surname'] });
    expect(store.configOutcome).toMatch(/保存しました/);

    refuse = true;
    expect(await store.saveConfig({ manyOperatorsMin: 500 }, '試し')).toBe(false);
    expect(store.configErrors.form).toMatch(/範囲外/);

    runInAction(() => box.set({ ...session, permissions: [...session.permissions, 'audit.config.view'] }));
    const before = calls.length;
    expect(await store.saveConfig({ manyOperatorsMin: 6 }, '権限なし')).toBe(false);
    expect(store.configErrors.form).toMatch(/権限がありません/);
    expect(calls.length).toBe(before);
  });

  it('main refuses a configuration input with unknown keys or out-of-range values before anything is sent', () => {
    expect(SetAuditConfigInputSchema.safeParse({ config: { manyOperatorsMin: 5 }, reason: '理由' }).success).toBe(true);
    expect(SetAuditConfigInputSchema.safeParse({ config: { manyOperatorsMin: 1 }, reason: '理由' }).success).toBe(false);
    expect(SetAuditConfigInputSchema.safeParse({ config: { dropTable: 1 }, reason: '理由' }).success).toBe(false);
    expect(SetAuditConfigInputSchema.safeParse({ config: {}, reason: '' }).success).toBe(false);
    expect(SetAuditConfigInputSchema.safeParse({ config: {}, reason: '理由', extra: 1 }).success).toBe(false);
  });

  it('starts with the last 30 days (JST) and offers only the sections the session permits', () => {
    const { store } = setup(() => ({ ok: true, data: {} }));
    expect(defaultPeriod(NOW)).toEqual(['2026-10-26', '2026-11-24']);
    expect(store.filters.from).toBe('2026-10-26');
    expect(store.sections.map((s) => s.id)).toEqual(['log', 'ledger', 'who']);
  });

  it('normalises dates as typed and leaves empty filters out; checks lengths and control characters itself', () => {
    expect(normalizeDateInput('２０２６/１１/１')).toBe('2026-11-01');
    expect(queryOf({ from: '2026/11/1', to: '2026-11-24', terminalId: ' ', operatorId: 'op-a ', type: '', purposeCategory: '', outcome: '', residentId: '' })).toEqual({ from: '2026-11-01', to: '2026-11-24', operatorId: 'op-a' });
    expect(checkFilters({ from: '', to: '2026-11-24' }).period).toMatch(/開始と終了/);
    expect(checkFilters({ from: 'x', to: 'y', operatorId: 'a'.repeat(101) }).operatorId).toMatch(/100文字以内/);
    expect(checkFilters({ from: 'x', to: 'y', type: 'a\nb' }).type).toMatch(/改行/);
  });

  it('shows the server refusal next to its field and keeps working', async () => {
    const { store, calls } = setup((c) => {
      const q = c.input as Record<string, string>;
      if (q.from === '2026-02-30') return { ok: false, code: 'bad-period', message: '期間の開始（from）の日付がありえない日付です' };
      if (q.operatorId) return { ok: false, code: 'bad-operator-id', message: "操作者ID（operatorId）の形式が正しくありません: 「' OR 1=1 --」" };
      return { ok: true, data: { rows: [row(3)], nextCursor: null, snapshot: { indexedRows: 3 }, index } };
    });
    store.setFilter('from', '2026-02-30');
    await store.search();
    expect(store.logErrors.period).toMatch(/ありえない日付/);
    expect(store.rows).toBeNull();
    store.setFilter('from', '2026-11-01');
    store.setFilter('operatorId', "' OR 1=1 --");
    await store.search();
    expect(store.logErrors.operatorId).toMatch(/形式が正しくありません/);
    expect(store.logErrors.period).toBeUndefined();
    store.setFilter('operatorId', '');
    await store.search();
    expect(store.logErrors).toEqual({});
    expect(store.rows).toHaveLength(1);
    expect(calls.at(-1)).toEqual({ action: 'audit.log.view', input: { from: '2026-11-01', to: '2026-11-24' } });
  });

  it('pages older with the server cursor and back to newer with the cursor it came from', async () => {
    const { store, calls } = setup((c) => {
      const cursor = (c.input as Record<string, string>).cursor;
      if (cursor === undefined) return { ok: true, data: { rows: [row(9), row(8)], nextCursor: 'c1', snapshot: { indexedRows: 9 }, index } };
      if (cursor === 'c1') return { ok: true, data: { rows: [row(7), row(6)], nextCursor: 'c2', snapshot: { indexedRows: 9 }, index } };
      return { ok: true, data: { rows: [row(5)], nextCursor: null, snapshot: { indexedRows: 9 }, index } };
    });
    await store.search();
    await store.olderPage();
    await store.olderPage();
    expect(store.page).toBe(2);
    expect(store.rows!.map((r) => r.seq)).toEqual([5]);
    expect(store.nextCursor).toBeNull();
    await store.newerPage();
    expect(store.rows!.map((r) => r.seq)).toEqual([7, 6]);
    expect((calls.at(-1)!.input as Record<string, string>).cursor).toBe('c1');
    await store.newerPage();
    expect(store.page).toBe(0);
    expect((calls.at(-1)!.input as Record<string, string>).cursor).toBeUndefined();
  });

  it('opens a record by terminal and seq (both in the input), and shows a refusal in the dialog', async () => {
    const { store, calls } = setup(() => ({ ok: false, code: 'unknown-log-record', message: '端末「term-a」の連番 99 の記録は保存されていません' }));
    await store.openRecord('term-a', 99);
    expect(calls[0]).toEqual({ action: 'audit.log.record', input: { terminalId: 'term-a', seq: '99' } });
    expect(store.recordError).toMatch(/保存されていません/);
    store.closeRecord();
    expect(store.recordOpen).toBe(false);
  });

  it('writes an export to the log before handing out the file, and refuses the file when the log cannot be written', async () => {
    const { store, logged, downloads, failLog } = setup(() => ({ ok: true, data: {} }));
    expect(await store.exportFile('card-ledger-csv', 'カード貸出簿_20261101-20261124.csv', new Blob(['x']), { lendings: 1 })).toBe(true);
    expect(logged[0]).toMatchObject({ type: 'admin.exported', outcome: 'info', operatorId: 'op-suzuki', detail: { kind: 'card-ledger-csv', lendings: 1, bytes: 1 } });
    expect(downloads).toEqual(['カード貸出簿_20261101-20261124.csv']);
    failLog();
    expect(await store.exportFile('x', 'y.csv', new Blob(['x']), {})).toBe(false);
    expect(downloads).toHaveLength(1);
    expect(store.problem).toMatch(/操作記録を書き込めない/);
  });

  it('asks for a resident id, and forgets what it showed when the admin session ends', async () => {
    const { store, box, calls } = setup(() => ({ ok: true, data: { residentId: 'R000001', accesses: [], nextCursor: null, index } }));
    await store.loadWhoLooked();
    expect(store.whoErrors.residentId).toMatch(/住民IDを入力/);
    expect(calls).toHaveLength(0);
    store.setWhoResidentId(' R000001 ');
    await store.loadWhoLooked();
    expect(calls[0]).toEqual({ action: 'audit.who-looked.view', input: { residentId: 'R000001' } });
    expect(store.whoShown).toBe('R000001');
    runInAction(() => box.set(null));
    expect(store.whoShown).toBeNull();
    expect(store.accesses).toBeNull();
    expect(store.whoResidentId).toBe('');
  });
});

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
function chain(events: { at: string; type: string; outcome?: LogRecord['outcome']; operatorId?: string; detail?: LogRecord['detail'] }[]): LogRecord[] {
  const out: LogRecord[] = [];
  let prev = GENESIS_HASH;
  events.forEach((e, i) => {
    const r = sealRecord({ terminalId: 'term-x', seq: i + 1, prevHash: prev, at: e.at, clockOffsetMs: 0, type: e.type, outcome: e.outcome ?? 'success', operatorId: e.operatorId ?? 'op-a', cardKeyId: null, detail: e.detail ?? {} }, sha);
    prev = r.hash;
    out.push(r);
  });
  return out;
}

describe('offline spot check', () => {
  it('checks periods with Japanese messages', () => {
    expect(offlinePeriod('2026-02-30', '2026-03-01')).toMatchObject({ ok: false, message: expect.stringMatching(/ありえない日付/) });
    expect(offlinePeriod('2026-11-24', '2026-11-01')).toMatchObject({ ok: false, message: expect.stringMatching(/開始が終了より後/) });
    expect(offlinePeriod('2020-01-01', '2026-11-01')).toMatchObject({ ok: false, message: expect.stringMatching(/長すぎます/) });
    expect(offlinePeriod("' OR 1=1", '2026-11-01')).toMatchObject({ ok: false, message: expect.stringMatching(/形式が正しくありません/) });
    expect(offlinePeriod('2026/11/01', '2026-11-01')).toMatchObject({ ok: true });
  });

  it('filters newest first by operator, type prefix, outcome and resident (also inside the ids a search showed)', () => {
    const records = chain([
      { at: '2026-11-20T01:00:00.000Z', type: 'resident.search', detail: { purposeCategory: 'certificate', shownIds: 'R1,R2' } },
      { at: '2026-11-20T01:01:00.000Z', type: 'resident.viewed', detail: { purposeCategory: 'certificate', residentId: 'R2' } },
      { at: '2026-11-20T01:02:00.000Z', type: 'signin.failure', outcome: 'failure', operatorId: 'op-b' },
    ]);
    const all = { from: '', to: '', operatorId: '', type: '', outcome: '', residentId: '' };
    expect(filterOffline(records, all).map((r) => r.seq)).toEqual([3, 2, 1]);
    expect(filterOffline(records, { ...all, type: 'resident.' }).map((r) => r.seq)).toEqual([2, 1]);
    expect(filterOffline(records, { ...all, residentId: 'R2' }).map((r) => r.seq)).toEqual([2, 1]);
    expect(filterOffline(records, { ...all, residentId: 'R1' }).map((r) => r.seq)).toEqual([1]);
    expect(filterOffline(records, { ...all, outcome: 'failure', operatorId: 'op-b' }).map((r) => r.seq)).toEqual([3]);
  });

  it('is offered to a manager only, logs itself, runs the findings engine on this terminal log and checks a record chain', async () => {
    // Five wrong passwords in a few minutes: the sign-in rule's finding, from the real engine.
    const records = chain([
      ...Array.from({ length: 6 }, (_, i) => ({ at: `2026-11-20T01:0${i}:00.000Z`, type: 'signin.failure', outcome: 'failure' as const, detail: { attempt: i + 1 } })),
      { at: '2026-11-20T01:07:00.000Z', type: 'signin.lockout', outcome: 'failure' as const },
    ]);
    const tampered = { ...records[2]!, detail: { attempt: 99 } };
    const source: LocalLogSource = {
      between: async (from, to) => records.filter((r) => r.at >= from && r.at <= to),
      get: async (seq) => (seq === 3 ? tampered : records[seq - 1]),
      oldest: async () => records[0],
    };
    const logged: LogEvent[] = [];
    const store = new OfflineAuditStore({ source: () => source, log: async (e) => void logged.push(e), sha256: sha, now: () => NOW, lastSyncAt: () => null });
    const snap = (role: 'operator' | 'manager') => ({ phase: 'working', operator: { id: 'op-s', name: '鈴木', role, roleLabel: '' }, terminal: { id: 'term-x', name: '窓口1' } }) as unknown as TerminalSnapshot;
    expect(OfflineAuditStore.offeredTo(snap('operator'))).toBe(false);
    expect(OfflineAuditStore.offeredTo(snap('manager'))).toBe(true);
    store.receive(snap('manager'));
    await store.open();
    expect(logged[0]).toMatchObject({ type: 'audit.offline-viewed', operatorId: 'op-s', detail: { scope: 'this-terminal', terminalId: 'term-x' } });
    expect(store.visible).toBe(true);
    expect(store.since).toBe(records[0]!.at);
    expect(store.rows).toHaveLength(7);
    expect(store.findings!.map((f) => f.rule)).toEqual(expect.arrayContaining(['signin.lockout']));
    await store.openRecord(2);
    expect(store.record).toMatchObject({ hashValid: true, linkValid: true });
    await store.openRecord(3);
    expect(store.record).toMatchObject({ hashValid: false });
    store.setFilter('to', '2026-02-30');
    await store.run();
    expect(store.error).toMatch(/ありえない日付/);
    store.receive(snap('operator'));
    expect(store.visible).toBe(false);
    expect(store.rows).toBeNull();
  });
});
