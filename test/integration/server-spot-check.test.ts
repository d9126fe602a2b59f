// Spot-check samples, verdicts and card return confirmations (issue 5 items 4–5) against the real
// server (SQLite in a temp dir, HTTP on 127.0.0.1): chained log records sent as terminals send them,
// indexed, then samples drawn through HTTP (reproducible from the seed, weighted by the findings),
// verdicts recorded (append-only, logged, never on one's own search), card returns confirmed (once,
// never one's own), and bad input refused with Japanese messages.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LogRecord } from '../../src/domain/log/log-record';
import { listEvents } from '../../src/server/store/events';
import { CardLedgerResponseSchema } from '../../src/shared/audit-api';
import { ErrorResponseSchema, type TerminalCredential } from '../../src/shared/server-api';
import { ConfirmCardReturnResponseSchema, RecordVerdictResponseSchema, SampleListResponseSchema, SampleResponseSchema, type SampleResponse } from '../../src/shared/spot-check-api';
import { adminCaller, demoCard, openSession, requestSession, type AdminCall, type Reply } from '../support/admin-client';
import { startDemoServer, type DemoServer } from '../support/demo-server';
import { TerminalLog } from '../support/terminal-log';

const START = Date.parse('2026-11-25T10:00:00+09:00');
const clock = { t: START, now(): number { return this.t; } };
const DAY = 86_400_000;
const PERIOD = { from: '2026-11-01', to: '2026-11-30' };
/** term-demo-01's records only (term-demo-02's start the next day). */
const FIRST_DAY = { from: '2026-11-15', to: '2026-11-15' };

let demo: DemoServer;
let call: AdminCall;
let manager: string; // op-suzuki
let sysadmin: string; // op-takahashi

let first: TerminalLog;
let other: TerminalLog;
/** (terminal#seq) of the searches without a case number where one is needed: behind findings. */
const risky = new Set<string>();
let population = 0;
let suzukiSearch: LogRecord;

function expectRefused(reply: Reply, status: number, code: string): void {
  expect(reply.status, reply.text).toBe(status);
  const parsed = ErrorResponseSchema.parse(reply.json);
  expect(parsed.error.code).toBe(code);
  expect(parsed.error.message).toMatch(/[ぁ-んァ-ン一-龥]/);
  expect(reply.text).not.toMatch(/stack|SQLITE|SELECT |node_modules/i);
}

async function draw(body: Record<string, unknown>, token = manager): Promise<SampleResponse> {
  const reply = await call('/samples', { token, body });
  expect(reply.status, reply.text).toBe(200);
  return SampleResponseSchema.parse(reply.json);
}
const refs = (s: SampleResponse) => s.items.map((i) => `${i.terminalId}#${i.seq}`);

beforeAll(async () => {
  demo = await startDemoServer(clock, 'kumiyama-server-spot-check-', { logIndexIntervalMs: 0 });
  call = adminCaller(demo.server.url, demo.credential);
  manager = (await openSession(call, demo.credential, 'op-suzuki', demoCard(demo.dataDir, 'op-suzuki'))).token;
  sysadmin = (await openSession(call, demo.credential, 'op-takahashi', demoCard(demo.dataDir, 'op-takahashi'))).token;
  const second = JSON.parse(readFileSync(`${demo.dataDir}/demo-terminal-02.json`, 'utf8')) as TerminalCredential;
  const residents = demo.server.db.prepare('SELECT id FROM residents ORDER BY id LIMIT 50').pluck().all() as string[];

  first = new TerminalLog(() => demo.server.url, demo.credential, START - 10 * DAY);
  first.add('app.start');
  first.add('session.signed-in', { operatorId: 'op-yamada', cardKeyId: 'a'.repeat(64), outcome: 'success' });
  for (let i = 0; i < 150; i++) {
    const missing = i % 10 === 0; // 15 searches for a moving-in without the case number
    const record = first.add('resident.search', {
      operatorId: 'op-yamada', outcome: 'success',
      detail: { purposeCategory: 'moving-in', caseNumber: missing ? null : `R8-${1000 + i}`, criteria: 'kana', hits: 1, shownIds: residents[i % residents.length]! },
    });
    if (missing) risky.add(`${record.terminalId}#${record.seq}`);
  }
  first.add('session.signed-out', { operatorId: 'op-yamada', detail: { reason: 'operator' } });
  first.add('session.signed-in', { operatorId: 'op-suzuki', cardKeyId: 'c'.repeat(64), outcome: 'success' });
  suzukiSearch = first.add('resident.search', { operatorId: 'op-suzuki', outcome: 'success', detail: { purposeCategory: 'identity-check', caseNumber: null, criteria: 'kana', hits: 1, shownIds: residents[0]! } });
  first.add('session.signed-out', { operatorId: 'op-suzuki', detail: { reason: 'operator' } });
  await first.send();

  other = new TerminalLog(() => demo.server.url, second, START - 9 * DAY);
  other.add('session.signed-in', { operatorId: 'op-sato', cardKeyId: 'b'.repeat(64), outcome: 'success' });
  for (let i = 0; i < 150; i++) {
    other.add('resident.search', { operatorId: 'op-sato', outcome: 'success', detail: { purposeCategory: 'moving-out', caseNumber: `R8-${2000 + i}`, criteria: 'kana', hits: 1, shownIds: residents[(i * 7) % residents.length]! } });
  }
  await other.send();
  population = 150 + 1 + 150;
  demo.server.log.index();
});

afterAll(async () => {
  await demo?.close();
});

describe('POST /admin/samples', () => {
  it('draws from the searches of the period, stores who drew it and the seed, weighted by the findings', async () => {
    const sample = await draw({ ...PERIOD, size: 20, seed: 'nov-2026' });
    expect(sample.sample).toMatchObject({ size: 20, seed: 'nov-2026', populationSize: population, drawnBy: 'op-suzuki', drawnByName: '鈴木 一郎', items: 20, judged: 0 });
    expect(sample.sample.riskyPopulation).toBeGreaterThanOrEqual(risky.size);
    expect(sample.items.map((i) => i.position)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    for (const item of sample.items) {
      expect(item.type).toBe('resident.search');
      expect(item.verdict).toBeNull();
      if (item.findings.length === 0) expect(item.weight).toBe(1);
      else expect(item.weight).toBeGreaterThan(1);
    }
    const yamada = sample.items.find((i) => i.operatorId === 'op-yamada');
    if (yamada) expect(yamada).toMatchObject({ operatorName: '山田 花子', purposeCategory: 'moving-in', purposeLabel: '転入届' });
    const missing = sample.items.find((i) => risky.has(`${i.terminalId}#${i.seq}`));
    if (missing) {
      expect(missing.hasCaseNumber).toBe(false);
      expect(missing.findings.map((f) => f.rule)).toContain('purpose.missing-case');
    }
    const event = listEvents(demo.server.db, { kind: 'spot-check-sample-drawn' }).at(-1)!;
    expect(event).toMatchObject({ operatorId: 'op-suzuki', detail: { sampleId: sample.sample.id, seed: 'nov-2026', population, size: 20, by: 'op-suzuki' } });
    expect(event.detail.items).toEqual(refs(sample));
  });

  it('is reproducible: the same period and seed give the same items, another seed others', async () => {
    const a = await draw({ ...PERIOD, size: 25, seed: 'repro-1' });
    const b = await draw({ ...PERIOD, size: 25, seed: 'repro-1' }, sysadmin);
    const c = await draw({ ...PERIOD, size: 25, seed: 'repro-2' });
    expect(b.sample.id).not.toBe(a.sample.id);
    expect(refs(b)).toEqual(refs(a));
    expect(refs(c)).not.toEqual(refs(a));
    const random = await draw({ ...PERIOD, size: 5 });
    expect(random.sample.seed).toMatch(/^[0-9a-f]{16}$/);
    const again = await draw({ ...PERIOD, size: 5, seed: random.sample.seed });
    expect(refs(again)).toEqual(refs(random));
  });

  it('favours rows behind findings (5 % of the population) yet still draws clean ones', async () => {
    let riskyDrawn = 0;
    let clean = 0;
    for (let s = 0; s < 12; s++) {
      const sample = await draw({ ...PERIOD, size: 10, seed: `weight-${s}` });
      for (const item of sample.items) {
        if (item.findings.length > 0) riskyDrawn++;
        else clean++;
      }
    }
    const share = riskyDrawn / (riskyDrawn + clean);
    const populationShare = 16 / population; // 15 missing case numbers (+ suzuki's, possibly)
    expect(share).toBeGreaterThan(populationShare * 3);
    expect(clean).toBeGreaterThan(0);
  });

  it('a size beyond the population gives all of it; an empty period gives an empty sample', async () => {
    const all = await draw({ ...FIRST_DAY, size: 200, seed: 'everything' });
    expect(all.sample.populationSize).toBe(151); // term-demo-01's day: yamada's 150 and suzuki's one
    expect(all.items).toHaveLength(151);
    const empty = await draw({ from: '2026-10-01', to: '2026-10-31', size: 10, seed: 'nothing' });
    expect(empty.sample).toMatchObject({ populationSize: 0, items: 0 });
  });

  it.each([
    [{ ...PERIOD, size: 0 }, 'invalid-request'],
    [{ ...PERIOD, size: 201 }, 'invalid-request'],
    [{ ...PERIOD, size: '10' }, 'invalid-request'],
    [{ ...PERIOD, size: 1.5 }, 'invalid-request'],
    [{ ...PERIOD, size: 10, seed: "x' OR '1'='1" }, 'invalid-request'],
    [{ ...PERIOD, size: 10, extra: true }, 'invalid-request'],
    [{ from: '2026-02-30', to: '2026-03-01', size: 10 }, 'bad-period'],
    [{ from: '2026-11-30', to: '2026-11-01', size: 10 }, 'bad-period'],
    [{ from: 'yesterday', to: 'today', size: 10 }, 'bad-period'],
    [{ from: '2026-01-01', to: '2026-11-30', size: 10 }, 'period-too-long'],
    [{ from: '2000-01-01', to: '2199-12-31', size: 10 }, 'period-too-long'],
  ])('400 for %j', async (body, code) => {
    expectRefused(await call('/samples', { token: manager, body }), 400, code);
  });
});

describe('GET /admin/samples and /admin/samples/:id', () => {
  it('lists the samples newest first and answers one with its items; every look is recorded', async () => {
    const list = SampleListResponseSchema.parse((await call('/samples', { token: manager })).json);
    expect(list.samples.length).toBeGreaterThan(5);
    const reply = await call(`/samples/${list.samples[0]!.id}`, { token: sysadmin });
    expect(reply.status, reply.text).toBe(200);
    expect(SampleResponseSchema.parse(reply.json).sample.id).toBe(list.samples[0]!.id);
    expect(listEvents(demo.server.db, { kind: 'admin-viewed' }).at(-1)).toMatchObject({ operatorId: 'op-takahashi', detail: { action: 'audit.samples.view', sampleId: list.samples[0]!.id } });
  });

  it('404 for an unknown sample, 400 for a malformed id', async () => {
    expectRefused(await call('/samples/smp-0000000000000000', { token: manager }), 404, 'unknown-sample');
    expectRefused(await call(`/samples/${encodeURIComponent("smp-1' OR 1=1 --")}`, { token: manager }), 400, 'bad-sample-id');
    expectRefused(await call('/samples/smp-0000000000000000/verdicts', { token: manager, body: { terminalId: 'term-demo-01', seq: 3, verdict: 'appropriate' } }), 404, 'unknown-sample');
  });
});

describe('POST /admin/samples/:id/verdicts', () => {
  let sample: SampleResponse;
  const verdict = (body: Record<string, unknown>, token = manager) => call(`/samples/${sample.sample.id}/verdicts`, { token, body });

  beforeAll(async () => {
    sample = await draw({ ...FIRST_DAY, size: 200, seed: 'verdicts' });
    expect(sample.items).toHaveLength(151);
  });

  it('records 適正 without a comment, 要確認 / 不適正 only with one; a change is a new record; all logged', async () => {
    const item = sample.items.find((i) => i.operatorId === 'op-yamada')!;
    const ok = await verdict({ terminalId: item.terminalId, seq: item.seq, verdict: 'appropriate' });
    expect(ok.status, ok.text).toBe(200);
    expect(RecordVerdictResponseSchema.parse(ok.json).item).toMatchObject({ verdict: { verdict: 'appropriate', comment: null, by: 'op-suzuki', byName: '鈴木 一郎' }, verdictCount: 1 });
    expectRefused(await verdict({ terminalId: item.terminalId, seq: item.seq, verdict: 'inappropriate' }), 400, 'comment-required');
    expectRefused(await verdict({ terminalId: item.terminalId, seq: item.seq, verdict: 'needs-check', comment: '   ' }), 400, 'comment-required');
    const changed = await verdict({ terminalId: item.terminalId, seq: item.seq, verdict: 'inappropriate', comment: '受付番号がなく、私的な検索の疑い。=HYPERLINK("x")' }, sysadmin);
    expect(changed.status, changed.text).toBe(200);
    expect(RecordVerdictResponseSchema.parse(changed.json).item).toMatchObject({ verdict: { verdict: 'inappropriate', by: 'op-takahashi' }, verdictCount: 2 });
    const stored = demo.server.db.prepare('SELECT verdict, judged_by FROM spot_check_verdicts WHERE terminal_id = ? AND seq = ? ORDER BY id').all(item.terminalId, item.seq);
    expect(stored).toEqual([{ verdict: 'appropriate', judged_by: 'op-suzuki' }, { verdict: 'inappropriate', judged_by: 'op-takahashi' }]);
    const events = listEvents(demo.server.db, { kind: 'spot-check-verdict-recorded' });
    expect(events.at(-1)).toMatchObject({ operatorId: 'op-takahashi', detail: { sampleId: sample.sample.id, verdict: 'inappropriate', previous: 'appropriate', record: { terminalId: item.terminalId, seq: item.seq } } });
    const summary = SampleResponseSchema.parse((await call(`/samples/${sample.sample.id}`, { token: manager })).json).sample;
    expect(summary).toMatchObject({ judged: 1, verdicts: { appropriate: 0, 'needs-check': 0, inappropriate: 1 } });
  });

  it('verdicts cannot be changed or deleted in the database (append-only, kept with the log)', () => {
    const db = demo.server.db;
    expect(() => db.prepare("UPDATE spot_check_verdicts SET verdict = 'appropriate'").run()).toThrow(/append-only/);
    expect(() => db.prepare('DELETE FROM spot_check_verdicts').run()).toThrow(/kept with the log/);
    expect(() => db.prepare('DELETE FROM spot_check_items').run()).toThrow(/kept with the log/);
    expect(() => db.prepare("UPDATE spot_check_samples SET seed = 'other'").run()).toThrow(/append-only/);
    expect(() => db.prepare("INSERT INTO spot_check_verdicts (sample_id, terminal_id, seq, verdict, comment, judged_by, at) VALUES (?, 'term-demo-01', 3, 'inappropriate', NULL, 'op-suzuki', 0)").run(sample.sample.id)).toThrow(/CHECK/);
  });

  it('nobody judges a search they performed themselves (refused and recorded)', async () => {
    const own = sample.items.find((i) => i.terminalId === suzukiSearch.terminalId && i.seq === suzukiSearch.seq)!;
    expect(own.operatorId).toBe('op-suzuki');
    expectRefused(await verdict({ terminalId: own.terminalId, seq: own.seq, verdict: 'appropriate' }), 403, 'self-judging');
    expect(listEvents(demo.server.db, { kind: 'admin-action-refused' }).at(-1)).toMatchObject({ operatorId: 'op-suzuki', detail: { action: 'audit.verdicts.record', reason: 'self-judging' } });
    const byOther = await verdict({ terminalId: own.terminalId, seq: own.seq, verdict: 'needs-check', comment: '管理者自身の検索。目的を確認する。' }, sysadmin);
    expect(byOther.status, byOther.text).toBe(200);
  });

  it.each([
    [{ terminalId: 'term-demo-01', seq: 999_999, verdict: 'appropriate' }, 404, 'unknown-sample-item'],
    [{ terminalId: 'term-demo-01', seq: 3, verdict: 'fine' }, 400, 'invalid-request'],
    [{ terminalId: "term'; DROP TABLE spot_check_verdicts; --", seq: 3, verdict: 'appropriate' }, 400, 'invalid-request'],
    [{ terminalId: 'term-demo-01', seq: 0, verdict: 'appropriate' }, 400, 'invalid-request'],
    [{ terminalId: 'term-demo-01', seq: 3, verdict: 'needs-check', comment: 'x'.repeat(501) }, 400, 'invalid-request'],
    [{ terminalId: 'term-demo-01', seq: 3, verdict: 'needs-check', comment: 'bell\u0007' }, 400, 'bad-comment'],
    [{ terminalId: 'term-demo-01', seq: 3 }, 400, 'invalid-request'],
  ])('refuses %j', async (body, status, code) => {
    expectRefused(await verdict(body), status, code);
  });
});

describe('POST /admin/card-ledger/returns', () => {
  const confirm = (body: Record<string, unknown>, token = manager) => call('/card-ledger/returns', { token, body });

  it('records the physical return once (who, when, note); the ledger shows it', async () => {
    clock.t += 60_000;
    const reply = await confirm({ terminalId: 'term-demo-01', lentSeq: 2, note: '金庫に返却済みを確認' });
    expect(reply.status, reply.text).toBe(200);
    expect(ConfirmCardReturnResponseSchema.parse(reply.json)).toEqual({
      terminalId: 'term-demo-01', lentSeq: 2, operatorId: 'op-yamada', returnConfirmed: { by: 'op-suzuki', byName: '鈴木 一郎', at: new Date(clock.t).toISOString(), note: '金庫に返却済みを確認' },
    });
    const ledger = CardLedgerResponseSchema.parse((await call(`/card-ledger?from=${PERIOD.from}&to=${PERIOD.to}`, { token: manager })).json);
    expect(ledger.lendings.find((l) => l.lentSeq === 2 && l.terminalId === 'term-demo-01')!.returnConfirmed).toEqual({ by: 'op-suzuki', byName: '鈴木 一郎', at: new Date(clock.t).toISOString(), note: '金庫に返却済みを確認' });
    expect(ledger.lendings.find((l) => l.terminalId === 'term-demo-02')!.returnConfirmed).toBeNull();
    expect(listEvents(demo.server.db, { kind: 'card-return-confirmed' }).at(-1)).toMatchObject({ operatorId: 'op-suzuki', detail: { lending: { terminalId: 'term-demo-01', lentSeq: 2, operatorId: 'op-yamada' }, logEnded: true } });
    expectRefused(await confirm({ terminalId: 'term-demo-01', lentSeq: 2 }, sysadmin), 409, 'return-already-confirmed');
  });

  it('an open lending may be confirmed too (the card is back, the end not yet sent), marked so', async () => {
    const reply = await confirm({ terminalId: 'term-demo-02', lentSeq: 1 }, sysadmin);
    expect(reply.status, reply.text).toBe(200);
    expect(listEvents(demo.server.db, { kind: 'card-return-confirmed' }).at(-1)).toMatchObject({ detail: { logEnded: false, note: null } });
  });

  it('refuses one own lending, an unknown lending and bad input', async () => {
    const ownSeq = first.records.find((r) => r.type === 'session.signed-in' && r.operatorId === 'op-suzuki')!.seq;
    expectRefused(await confirm({ terminalId: 'term-demo-01', lentSeq: ownSeq }), 403, 'self-service');
    expectRefused(await confirm({ terminalId: 'term-demo-01', lentSeq: 3 }), 404, 'unknown-lending'); // a search, not a sign-in
    expectRefused(await confirm({ terminalId: 'term-nowhere', lentSeq: 1 }), 404, 'unknown-lending');
    expectRefused(await confirm({ terminalId: 'term-demo-01', lentSeq: -1 }), 400, 'invalid-request');
    expectRefused(await confirm({ terminalId: 'term-demo-01', lentSeq: 2, note: 'x'.repeat(201) }), 400, 'invalid-request');
    expectRefused(await confirm({ terminalId: 'term-demo-01', lentSeq: ownSeq, note: 'line\nbreak' }, sysadmin), 400, 'bad-note');
    expect(() => demo.server.db.prepare('DELETE FROM card_return_confirmations').run()).toThrow(/kept with the log/);
    expect(() => demo.server.db.prepare("UPDATE card_return_confirmations SET note = 'x'").run()).toThrow(/append-only/);
  });
});

describe('a counter operator', () => {
  it('never gets a session; without one every spot-check route is refused', async () => {
    expectRefused(await requestSession(call, demo.credential, 'op-yamada', demoCard(demo.dataDir, 'op-yamada')), 403, 'admin-role-not-permitted');
    const routes: [string, unknown][] = [
      ['/samples', { ...PERIOD, size: 5 }],
      ['/samples', undefined],
      ['/samples/smp-0000000000000000', undefined],
      ['/samples/smp-0000000000000000/verdicts', { terminalId: 'term-demo-01', seq: 3, verdict: 'appropriate' }],
      ['/card-ledger/returns', { terminalId: 'term-demo-01', lentSeq: 2 }],
      [`/reports/audit?from=${PERIOD.from}&to=${PERIOD.to}`, undefined],
      ['/reports/resident-accesses/R-1', undefined],
    ];
    for (const [path, body] of routes) {
      expectRefused(await call(path, body === undefined ? {} : { body }), 401, 'admin-session-required');
      expectRefused(await call(path, { token: manager, terminal: null, ...(body === undefined ? {} : { body }) }), 401, 'terminal-unauthorized');
    }
  });
});
