// The audit routes of issue 5 against the real server (SQLite in a temp dir, HTTP on 127.0.0.1):
// chained records of two terminals sent through POST /api/v1/log-batches, the background indexer's
// pass run on demand, then the explorer (every filter, paging while records arrive), one record with
// its chain status (also a tampered one), "who looked at my record", the card ledger, and refusals.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listEvents } from '../../src/server/store/events';
import { residentIdsOf } from '../../src/server/services/log-indexer';
import { AuditLogRecordResponseSchema, AuditLogResponseSchema, CardLedgerResponseSchema, ResidentAccessesResponseSchema, type AuditLogRow } from '../../src/shared/audit-api';
import { ErrorResponseSchema, type TerminalCredential } from '../../src/shared/server-api';
import { adminCaller, demoCard, openSession, requestSession, type AdminCall, type Reply } from '../support/admin-client';
import { startDemoServer, type DemoServer } from '../support/demo-server';
import { TerminalLog } from '../support/terminal-log';

const START = Date.parse('2026-11-25T10:00:00+09:00');
const clock = { t: START, now(): number { return this.t; } };
const DAY = 86_400_000;
const CARD_YAMADA = 'a'.repeat(64);
const CARD_SATO = 'b'.repeat(64);

let demo: DemoServer;
let call: AdminCall;
let token: string;
let second: TerminalCredential;
let residents: string[];

let first: TerminalLog;
let other: TerminalLog;

const purpose = (category: string, caseNumber: string | null) => ({ purposeCategory: category, caseNumber });
const yamada = { operatorId: 'op-yamada', cardKeyId: CARD_YAMADA } as const;

function expectRefused(reply: Reply, status: number, code: string): void {
  expect(reply.status, reply.text).toBe(status);
  const parsed = ErrorResponseSchema.parse(reply.json);
  expect(parsed.error.code).toBe(code);
  expect(parsed.error.message).toMatch(/[ぁ-んァ-ン一-龥]/);
  expect(reply.text).not.toMatch(/stack|SQLITE|SELECT |node_modules/i);
}

const log = async (query: string) => {
  const reply = await call(`/log?${query}`, { token });
  expect(reply.status, reply.text).toBe(200);
  return AuditLogResponseSchema.parse(reply.json);
};
const PERIOD = 'from=2026-11-01&to=2026-11-30';

beforeAll(async () => {
  demo = await startDemoServer(clock, 'kumiyama-server-audit-', { logIndexIntervalMs: 0 }); // indexed on demand here
  call = adminCaller(demo.server.url, demo.credential);
  token = (await openSession(call, demo.credential, 'op-suzuki', demoCard(demo.dataDir, 'op-suzuki'))).token;
  second = JSON.parse(readFileSync(`${demo.dataDir}/demo-terminal-02.json`, 'utf8')) as TerminalCredential;
  residents = demo.server.db.prepare('SELECT id FROM residents ORDER BY id LIMIT 3').pluck().all() as string[];
  const [a, b] = residents as [string, string];

  first = new TerminalLog(() => demo.server.url, demo.credential, START - 10 * DAY);
  first.add('app.start');
  first.add('session.signed-in', { ...yamada, outcome: 'success' });
  first.add('purpose.stated', { ...yamada, detail: { ...purpose('moving-in', 'R8-0001'), note: null } });
  first.add('resident.search', { ...yamada, outcome: 'success', detail: { ...purpose('moving-in', 'R8-0001'), criteria: 'kana', hits: 2, shownIds: `${a},${b}` } });
  first.add('resident.viewed', { ...yamada, outcome: 'success', detail: { ...purpose('moving-in', 'R8-0001'), residentId: a } });
  first.add('resident.code-revealed', { ...yamada, detail: { ...purpose('moving-in', 'R8-0001'), residentId: a } });
  first.add('resident.printed', { ...yamada, detail: { ...purpose('moving-in', 'R8-0001'), residentId: a, reason: 'self', note: null } });
  first.add('session.signed-out', { operatorId: 'op-yamada', detail: { reason: 'operator' } });
  first.add('card.removed', { detail: { reader: 'R1' } });
  first.add('session.signed-in', { operatorId: 'op-sato', cardKeyId: CARD_SATO, outcome: 'success' });
  first.add('resident.search', { operatorId: 'op-sato', outcome: 'success', detail: { ...purpose('identity-check', null), criteria: 'kana', hits: 1, shownIds: b } });
  first.add('signin.failure', { operatorId: 'op-sato', cardKeyId: CARD_SATO, outcome: 'failure', detail: { reason: 'wrong-password', count: 1 } });
  await first.send();

  other = new TerminalLog(() => demo.server.url, second, START - 9 * DAY);
  for (let i = 0; i < 620; i++) {
    other.add('resident.search', { ...yamada, outcome: 'success', detail: { ...purpose('moving-out', i % 3 === 0 ? null : `R8-${i}`), criteria: 'kana', hits: 1, shownIds: i % 100 === 0 ? b : 'X-1' } });
  }
  await other.send();
});

afterAll(async () => {
  await demo?.close();
});

describe('the index', () => {
  it('is built outside ingest and says how fresh it is', async () => {
    const before = await log(PERIOD);
    expect(before.index.complete).toBe(false);
    expect(demo.server.log.index().indexed).toBe(first.records.length + other.records.length);
    const after = await log(PERIOD);
    expect(after.index.complete).toBe(true);
    expect(after.index.terminals.find((t) => t.terminalId === 'term-demo-01')).toMatchObject({ indexedSeq: 12, storedSeq: 12 });
    expect(demo.server.log.index().indexed).toBe(0);
  });

  it('takes resident ids from residentId and shownIds, dropping a possibly cut last id', () => {
    expect(residentIdsOf({ residentId: 'R-1', shownIds: 'R-2,R-3' }).sort()).toEqual(['R-1', 'R-2', 'R-3']);
    const cut = `${'R-12345,'.repeat(62)}R-12`; // 500 characters: the last id may be cut
    expect(cut).toHaveLength(500);
    expect(residentIdsOf({ shownIds: cut })).toEqual(['R-12345']);
    expect(residentIdsOf({ shownIds: "R-1,' OR 1=1 --" })).toEqual(['R-1']);
  });
});

describe('GET /admin/log', () => {
  it('filters by period, terminal, operator, type, type prefix, purpose, outcome and resident', async () => {
    const all = await log(`${PERIOD}&limit=200`);
    expect(all.rows).toHaveLength(200);
    expect(all.rows[0]!.at >= all.rows[1]!.at).toBe(true); // newest first
    const t1 = await log(`${PERIOD}&terminalId=term-demo-01`);
    expect(t1.rows.map((r) => r.seq)).toEqual([12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1]);
    expect(t1.rows[0]).toMatchObject({ type: 'signin.failure', outcome: 'failure', operatorId: 'op-sato', operatorName: '佐藤 健', cardKeyId: CARD_SATO });
    const sato = await log(`${PERIOD}&operatorId=op-sato`);
    expect(sato.rows.map((r) => r.seq)).toEqual([12, 11, 10]);
    const viewed = await log(`${PERIOD}&type=resident.viewed`);
    expect(viewed.rows).toHaveLength(1);
    expect(viewed.rows[0]).toMatchObject({ terminalId: 'term-demo-01', seq: 5, purposeCategory: 'moving-in', hasCaseNumber: true });
    const sessions = await log(`${PERIOD}&type=session.`);
    expect(sessions.rows.map((r) => `${r.type}#${r.seq}`)).toEqual(['session.signed-in#10', 'session.signed-out#8', 'session.signed-in#2']);
    const identity = await log(`${PERIOD}&purposeCategory=identity-check`);
    expect(identity.rows).toEqual([expect.objectContaining({ seq: 11, hasCaseNumber: false })]);
    const failures = await log(`${PERIOD}&outcome=failure`);
    expect(failures.rows.map((r) => r.type)).toEqual(['signin.failure']);
    const a = await log(`${PERIOD}&residentId=${residents[0]}`);
    expect(a.rows.map((r) => r.type)).toEqual(['resident.printed', 'resident.code-revealed', 'resident.viewed', 'resident.search']);
    const b = await log(`${PERIOD}&residentId=${residents[1]}&terminalId=term-demo-02`);
    expect(b.rows.map((r) => r.seq)).toEqual([601, 501, 401, 301, 201, 101, 1]);
    const combined = await log(`${PERIOD}&operatorId=op-yamada&type=resident.&terminalId=term-demo-01&outcome=success`);
    expect(combined.rows.map((r) => r.seq)).toEqual([5, 4]);
    const narrow = await log(`from=${encodeURIComponent(first.records[3]!.at)}&to=${encodeURIComponent(first.records[4]!.at)}`);
    expect(narrow.rows.map((r) => r.seq)).toEqual([5, 4]);
    expect((await log('from=2026-10-01&to=2026-10-31')).rows).toEqual([]);
  });

  it('pages without duplicates or gaps while new records arrive, over the snapshot of the first page', async () => {
    const seen: AuditLogRow[] = [];
    let reply = await log(`${PERIOD}&terminalId=term-demo-02&limit=97`);
    const total = other.records.length;
    for (let page = 0; reply.nextCursor !== null; page++) {
      seen.push(...reply.rows);
      // Records keep arriving and being indexed meanwhile, some older than the current page.
      other.time = START - 9 * DAY + page * 3_600_000;
      for (let i = 0; i < 7; i++) other.add('resident.search', { ...yamada, outcome: 'success', detail: { ...purpose('moving-out', 'R8-X'), shownIds: 'X-2' } });
      await other.send();
      demo.server.log.index();
      reply = await log(`${PERIOD}&terminalId=term-demo-02&limit=97&cursor=${reply.nextCursor}`);
    }
    seen.push(...reply.rows);
    expect(seen).toHaveLength(total);
    expect(new Set(seen.map((r) => r.seq)).size).toBe(total);
    expect(Math.max(...seen.map((r) => r.seq))).toBe(total);
    const fresh = await log(`${PERIOD}&terminalId=term-demo-02&limit=200`);
    expect(fresh.snapshot.indexedRows).toBeGreaterThan(reply.snapshot.indexedRows);
  });

  it('records the look with the filters used', async () => {
    await log(`${PERIOD}&operatorId=op-sato&outcome=failure`);
    const event = listEvents(demo.server.db, { kind: 'admin-viewed' }).at(-1)!;
    expect(event).toMatchObject({ operatorId: 'op-suzuki', detail: { action: 'audit.log.view', filters: { operatorId: 'op-sato', outcome: 'failure', from: '2026-11-01' }, rows: 1 } });
  });

  it.each([
    ['', 'bad-period'],
    ['from=2026-11-01', 'bad-period'],
    ['from=2026-02-30&to=2026-03-01', 'bad-period'],
    ['from=2026-11-30&to=2026-11-01', 'bad-period'],
    ['from=2026-11-01T25:00:00Z&to=2026-11-30', 'bad-period'],
    ['from=yesterday&to=today', 'bad-period'],
    ['from=2000-01-01&to=2026-11-30', 'period-too-long'],
    [`${PERIOD}&terminalId=term-nowhere`, 'unknown-terminal'],
    [`${PERIOD}&terminalId=${encodeURIComponent("x' OR '1'='1")}`, 'bad-terminal-id'],
    [`${PERIOD}&operatorId=op-nobody`, 'unknown-operator'],
    [`${PERIOD}&operatorId=${encodeURIComponent('op-yamada; DROP TABLE operators')}`, 'bad-operator-id'],
    [`${PERIOD}&type=${encodeURIComponent('resident.% OR 1=1')}`, 'bad-event-type'],
    [`${PERIOD}&purposeCategory=no-such-purpose`, 'unknown-purpose-category'],
    [`${PERIOD}&outcome=maybe`, 'bad-outcome'],
    [`${PERIOD}&residentId=${encodeURIComponent('<script>')}`, 'bad-resident-id'],
    [`${PERIOD}&limit=201`, 'bad-limit'],
    [`${PERIOD}&limit=0`, 'bad-limit'],
    [`${PERIOD}&cursor=not-a-cursor`, 'bad-cursor'],
    [`${PERIOD}&unknown=1`, 'invalid-request'],
  ])('400 for %s', async (query, code) => {
    expectRefused(await call(`/log?${query}`, { token }), 400, code);
  });

  it('401 without a session or terminal credential; a counter operator gets no session at all', async () => {
    expectRefused(await call(`/log?${PERIOD}`), 401, 'admin-session-required');
    expectRefused(await call(`/log?${PERIOD}`, { token, terminal: null }), 401, 'terminal-unauthorized');
    expectRefused(await requestSession(call, demo.credential, 'op-yamada', demoCard(demo.dataDir, 'op-yamada')), 403, 'admin-role-not-permitted');
  });
});

describe('GET /admin/log/:terminalId/:seq', () => {
  it('answers the full record with its chain status and the signed checkpoint covering it', async () => {
    demo.server.log.checkpoint();
    const reply = await call('/log/term-demo-01/5', { token });
    expect(reply.status, reply.text).toBe(200);
    const body = AuditLogRecordResponseSchema.parse(reply.json);
    expect(body.record).toMatchObject({ seq: 5, type: 'resident.viewed', operatorName: '山田 花子', detail: { residentId: residents[0] }, hash: first.records[4]!.hash });
    expect(body.chain).toMatchObject({ hashValid: true, linkValid: true, previous: 'record', checkpoint: { id: expect.any(Number) } });
    const genesis = AuditLogRecordResponseSchema.parse((await call('/log/term-demo-02/1', { token })).json);
    expect(genesis.chain).toMatchObject({ hashValid: true, linkValid: true, previous: 'genesis' });
    const chunkStart = AuditLogRecordResponseSchema.parse((await call('/log/term-demo-02/501', { token })).json);
    expect(chunkStart.chain).toMatchObject({ linkValid: true, previous: 'record' }); // the previous record is in another chunk
  });

  it('shows a record changed in the database as broken', async () => {
    const db = demo.server.db;
    db.exec('DROP TRIGGER log_chunks_no_update');
    db.prepare("UPDATE log_chunks SET records = replace(records, '\"reason\":\"wrong-password\"', '\"reason\":\"ok\"') WHERE terminal_id = 'term-demo-01'").run();
    const body = AuditLogRecordResponseSchema.parse((await call('/log/term-demo-01/12', { token })).json);
    expect(body.record.detail.reason).toBe('ok');
    expect(body.chain).toMatchObject({ hashValid: false, linkValid: true });
  });

  it('404 for a record not stored, 400 for malformed ids', async () => {
    expectRefused(await call('/log/term-demo-01/999', { token }), 404, 'unknown-log-record');
    expectRefused(await call('/log/term-demo-01/0', { token }), 400, 'invalid-request');
    expectRefused(await call(`/log/${encodeURIComponent('TERM 1')}/1`, { token }), 400, 'invalid-request');
  });
});

describe('GET /admin/residents/:residentId/accesses', () => {
  it('lists every access with date, terminal, operator name and purpose', async () => {
    const reply = await call(`/residents/${residents[0]}/accesses`, { token });
    expect(reply.status, reply.text).toBe(200);
    const body = ResidentAccessesResponseSchema.parse(reply.json);
    expect(body.accesses.map((a) => a.kind)).toEqual(['print', 'code-reveal', 'view', 'search']);
    expect(body.accesses[0]).toMatchObject({ terminalId: 'term-demo-01', seq: 7, operatorId: 'op-yamada', operatorName: '山田 花子', purposeCategory: 'moving-in', purposeLabel: '転入届', hasCaseNumber: true });
    const b = ResidentAccessesResponseSchema.parse((await call(`/residents/${residents[1]}/accesses?limit=3`, { token })).json);
    expect(b.accesses).toHaveLength(3);
    const rest = ResidentAccessesResponseSchema.parse((await call(`/residents/${residents[1]}/accesses?cursor=${b.nextCursor}`, { token })).json);
    expect([...b.accesses, ...rest.accesses].map((a) => `${a.terminalId}#${a.seq}`)).toHaveLength(9); // 7 on term-demo-02, 2 on term-demo-01
    expect(listEvents(demo.server.db, { kind: 'admin-viewed' }).at(-1)).toMatchObject({ detail: { action: 'audit.who-looked.view', residentId: residents[1] } });
  });

  it('404 for an unknown resident, 400 for a malformed id', async () => {
    expectRefused(await call('/residents/NOBODY-0/accesses', { token }), 404, 'unknown-resident');
    expectRefused(await call(`/residents/${encodeURIComponent("1' OR '1'='1")}/accesses`, { token }), 400, 'bad-resident-id');
  });
});

describe('GET /admin/card-ledger', () => {
  it('lists each lending with its return, open ones marked', async () => {
    const reply = await call(`/card-ledger?${PERIOD}`, { token });
    expect(reply.status, reply.text).toBe(200);
    const body = CardLedgerResponseSchema.parse(reply.json);
    expect(body.lendings).toEqual([
      expect.objectContaining({ terminalId: 'term-demo-01', operatorId: 'op-yamada', operatorName: '山田 花子', cardKeyId: CARD_YAMADA, lentSeq: 2, returnedSeq: 8, endedBy: 'signed-out', open: false }),
      expect.objectContaining({ operatorId: 'op-sato', cardKeyId: CARD_SATO, lentSeq: 10, returnedAt: null, endedBy: null, open: true }),
    ]);
    expect(body.lendings[0]!.returnedAt).toBe(first.records[7]!.at);
    expectRefused(await call('/card-ledger?from=2026-11-30&to=2026-11-01', { token }), 400, 'bad-period');
  });
});
