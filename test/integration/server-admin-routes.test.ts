// Authorisation of EVERY admin route (issue 6), table-driven, against the real server (SQLite in a
// temp dir, HTTP on 127.0.0.1) with real P-256 card keys signing the admin-session challenges:
// refused without the terminal credential, without / with a bad, expired or ended admin session,
// with a retired terminal's credential, to a person who became a counter operator, and to the role
// the permission table does not name; each allowed call works and lands in server_events with who,
// what and why.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GENESIS_HASH, sealRecord } from '../../src/domain/log/log-record';
import { ingestLogBatch } from '../../src/server/services/log-ingest';
import { sha256Hex } from '../../src/server/services/log-hash';
import { logHead, storedHash } from '../../src/server/store/log-records';
import { hashPassword } from '../../src/node/password/scrypt';
import { addOperator } from '../../src/server/admin/operators';
import { issueCard } from '../../src/server/admin/cards';
import { ADMIN_PERMISSIONS, ADMIN_ACTIONS, type AdminAction } from '../../src/server/admin/permissions';
import { registerTerminal, retireTerminal } from '../../src/server/admin/register-terminal';
import { listEvents } from '../../src/server/store/events';
import { setFailedAttempts } from '../../src/server/store/operators';
import type { AdminSessionResponse } from '../../src/shared/admin-session';
import { ErrorResponseSchema, RosterResponseSchema, type TerminalCredential } from '../../src/shared/server-api';
import { adminCaller, demoCard, newCard, openSession, requestSession, type AdminCall, type Reply, type TestCard } from '../support/admin-client';
import { startDemoServer, type DemoServer } from '../support/demo-server';

const START = Date.parse('2026-11-25T10:00:00+09:00'); // a Wednesday
const clock = { t: START, now(): number { return this.t; } };
const MANAGER = 'op-suzuki';
const SYSADMIN = 'op-takahashi';
const MINUTE = 60_000;

let demo: DemoServer;
let call: AdminCall;
let cards: Record<string, TestCard>;
let tempHash: string;
const sessions: Partial<Record<'manager' | 'sysadmin', AdminSessionResponse>> = {};

/** Ids the allowed calls create, used by later rows. */
const made: { exceptionId?: string; stopId?: string; cardKeyId?: string; newCard?: TestCard; sampleId?: string; item?: { terminalId: string; seq: number }; lentSeq?: number } = {};

/** Appends a record to term-demo-01's stored log (after whatever is there) and indexes it; its seq. */
function appendLogRecord(type: string, fields: { operatorId?: string; cardKeyId?: string; outcome?: 'success' | 'failure' | 'info'; detail?: Record<string, string | number | null> } = {}): number {
  const head = logHead(demo.server.db, 'term-demo-01');
  const record = sealRecord(
    {
      terminalId: 'term-demo-01', seq: head.seq + 1, prevHash: head.hash, at: new Date(clock.now()).toISOString(), clockOffsetMs: 0, type,
      outcome: fields.outcome ?? 'success', operatorId: fields.operatorId ?? null, cardKeyId: fields.cardKeyId ?? null, detail: fields.detail ?? {},
    },
    sha256Hex,
  );
  expect(ingestLogBatch(demo.server.db, { terminalId: 'term-demo-01', now: clock.now() }, { batchId: randomUUID(), records: [record] }).status).toBe(200);
  demo.server.log.index();
  return record.seq;
}

interface RouteCase {
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  /** As documented (OpenAPI path). */
  route: string;
  action: AdminAction;
  path: () => string;
  body?: () => unknown;
  /** What the allowed call must have recorded: kind, and a text the detail must contain (the why). */
  expect: { kind: string; why?: string };
  prepare?: () => void | Promise<void>;
  check?: (reply: Reply) => void;
}

const reason = (what: string) => `${what}のため（テスト）`;
/** The flag the allowed POST /resident-flags made (withdrawn by the next row). */
const flagMade: { id?: string } = {};

const CASES: RouteCase[] = [
  { method: 'GET', route: '/sessions/current', action: 'session.view', path: () => '/sessions/current', expect: { kind: 'admin-session-opened' } },
  { method: 'GET', route: '/operators', action: 'roster.view', path: () => '/operators', expect: { kind: 'admin-viewed' } },
  {
    method: 'POST',
    route: '/operators',
    action: 'roster.add',
    path: () => '/operators',
    body: () => ({
      id: 'op-kato',
      name: '加藤 二郎',
      kana: 'カトウ ジロウ',
      role: 'operator',
      since: new Date(clock.now()).toISOString(),
      until: null,
      temporaryPasswordHash: tempHash,
      reason: reason('4月の人事異動'),
    }),
    expect: { kind: 'operator-added', why: reason('4月の人事異動') },
    check: (reply) => expect(reply.json).toMatchObject({ operator: { id: 'op-kato', role: 'operator', approvedBy: '高橋 美咲', password: { temporary: true } } }),
  },
  {
    method: 'PATCH',
    route: '/operators/{operatorId}',
    action: 'roster.change',
    path: () => '/operators/op-kato',
    body: () => ({ name: '加藤 次郎', reason: reason('氏名の誤記訂正') }),
    expect: { kind: 'operator-changed', why: reason('氏名の誤記訂正') },
    check: (reply) => expect(reply.json).toMatchObject({ operator: { id: 'op-kato', name: '加藤 次郎' } }),
  },
  {
    method: 'GET',
    route: '/privilege-review',
    action: 'privilege-review.view',
    path: () => '/privilege-review?unusedDays=30',
    expect: { kind: 'admin-viewed' },
    check: (reply) => expect((reply.json as { unusedDays: number }).unusedDays).toBe(30),
  },
  { method: 'GET', route: '/cards', action: 'cards.view', path: () => '/cards', expect: { kind: 'admin-viewed' } },
  {
    method: 'POST',
    route: '/cards',
    action: 'cards.issue',
    path: () => '/cards',
    prepare: async () => {
      made.newCard = await newCard('op-kato', '加藤 次郎');
    },
    body: () => ({ operatorId: 'op-kato', certificate: made.newCard ? Buffer.from(made.newCard.certificateDer).toString('base64') : 'AAAA', reason: reason('新規貸与') }),
    expect: { kind: 'card-issued', why: reason('新規貸与') },
    check: (reply) => {
      expect(reply.json).toMatchObject({ card: { keyId: made.newCard!.keyId, operatorId: 'op-kato', status: 'active' } });
      made.cardKeyId = made.newCard!.keyId;
    },
  },
  {
    method: 'POST',
    route: '/cards/{keyId}/revoke',
    action: 'cards.revoke',
    path: () => `/cards/${made.cardKeyId ?? 'a'.repeat(64)}/revoke`,
    body: () => ({ reason: 'lost', note: reason('通勤途中で紛失') }),
    expect: { kind: 'card-revoked', why: reason('通勤途中で紛失') },
    check: (reply) => expect(reply.json).toMatchObject({ card: { status: 'revoked', revokedReason: `紛失: ${reason('通勤途中で紛失')}` } }),
  },
  {
    method: 'POST',
    route: '/operators/{operatorId}/lockout-release',
    action: 'password.release-lockout',
    path: () => '/operators/op-yamada/lockout-release',
    prepare: () => setFailedAttempts(demo.server.db, 'op-yamada', 3, clock.now()),
    body: () => ({ reason: reason('本人確認の上で解除') }),
    expect: { kind: 'lockout-released', why: reason('本人確認の上で解除') },
  },
  {
    method: 'POST',
    route: '/operators/{operatorId}/temporary-password',
    action: 'password.set-temporary',
    path: () => '/operators/op-yamada/temporary-password',
    body: () => ({ passwordHash: tempHash, reason: reason('パスワード失念') }),
    expect: { kind: 'temporary-password-set', why: reason('パスワード失念') },
  },
  {
    method: 'POST',
    route: '/operators/{operatorId}/password-change-required',
    action: 'password.require-change',
    path: () => '/operators/op-sato/password-change-required',
    body: () => ({ reason: reason('のぞき見の疑い') }),
    expect: { kind: 'password-change-required', why: reason('のぞき見の疑い') },
  },
  { method: 'GET', route: '/calendar-exceptions', action: 'calendar.view', path: () => '/calendar-exceptions', expect: { kind: 'admin-viewed' } },
  {
    method: 'POST',
    route: '/calendar-exceptions',
    action: 'calendar.approve',
    path: () => '/calendar-exceptions',
    body: () => ({ date: '2026-11-29', opensAt: '08:30', closesAt: '12:00', reason: reason('転入転出の休日窓口') }),
    expect: { kind: 'calendar-exception-approved', why: reason('転入転出の休日窓口') },
    check: (reply) => {
      made.exceptionId = (reply.json as { exception: { id: string } }).exception.id;
    },
  },
  {
    method: 'POST',
    route: '/calendar-exceptions/{exceptionId}/withdraw',
    action: 'calendar.withdraw',
    path: () => `/calendar-exceptions/${made.exceptionId ?? 'exc-none'}/withdraw`,
    body: () => ({ reason: reason('窓口開設の中止') }),
    expect: { kind: 'calendar-exception-withdrawn', why: reason('窓口開設の中止') },
  },
  { method: 'GET', route: '/purpose-categories', action: 'purpose-categories.view', path: () => '/purpose-categories', expect: { kind: 'admin-viewed' } },
  {
    method: 'POST',
    route: '/purpose-categories',
    action: 'purpose-categories.set',
    path: () => '/purpose-categories',
    body: () => ({ id: 'court-inquiry', label: '裁判所からの照会', needsCaseNumber: true, reason: reason('照会業務の追加') }),
    expect: { kind: 'purpose-category-set', why: reason('照会業務の追加') },
  },
  {
    method: 'POST',
    route: '/purpose-categories/{categoryId}/retire',
    action: 'purpose-categories.retire',
    path: () => '/purpose-categories/court-inquiry/retire',
    body: () => ({ reason: reason('業務の廃止') }),
    expect: { kind: 'purpose-category-retired', why: reason('業務の廃止') },
  },
  { method: 'GET', route: '/emergency-stops', action: 'emergency-stop.view', path: () => '/emergency-stops', expect: { kind: 'admin-viewed' } },
  {
    method: 'POST',
    route: '/emergency-stops',
    action: 'emergency-stop.set',
    path: () => '/emergency-stops',
    body: () => ({ scope: 'terminal', terminalId: 'term-demo-02', reason: reason('不正アクセスの疑い') }),
    expect: { kind: 'emergency-stop-set', why: reason('不正アクセスの疑い') },
    check: (reply) => {
      made.stopId = (reply.json as { stop: { id: string } }).stop.id;
      expect(reply.json).toMatchObject({ stop: { scope: 'terminal', terminalId: 'term-demo-02', clearedAt: null } });
    },
  },
  {
    method: 'POST',
    route: '/emergency-stops/{stopId}/clear',
    action: 'emergency-stop.clear',
    path: () => `/emergency-stops/${made.stopId ?? 'stop-none'}/clear`,
    body: () => ({ reason: reason('調査の結果問題なし') }),
    expect: { kind: 'emergency-stop-cleared', why: reason('調査の結果問題なし') },
  },
  { method: 'GET', route: '/terminals', action: 'terminals.view', path: () => '/terminals', expect: { kind: 'admin-viewed' } },
  {
    method: 'POST',
    route: '/terminals',
    action: 'terminals.register',
    path: () => '/terminals',
    body: () => ({ id: 'term-new-03', name: '住民課窓口3', reason: reason('窓口の増設') }),
    expect: { kind: 'terminal-registered', why: reason('窓口の増設') },
    check: (reply) => expect(reply.json).toMatchObject({ credential: { terminalId: 'term-new-03', format: 'kumiyama-terminal-credential/1', serverUrl: demo.server.url } }),
  },
  {
    method: 'POST',
    route: '/terminals/{terminalId}/retire',
    action: 'terminals.retire',
    path: () => '/terminals/term-new-03/retire',
    body: () => ({ reason: reason('窓口の縮小') }),
    expect: { kind: 'terminal-retired', why: reason('窓口の縮小') },
  },
  { method: 'GET', route: '/log', action: 'audit.log.view', path: () => '/log?from=2026-11-01&to=2026-11-30&type=resident.', expect: { kind: 'admin-viewed' } },
  {
    method: 'GET',
    route: '/log/{terminalId}/{seq}',
    action: 'audit.log.view',
    path: () => '/log/term-demo-01/1',
    prepare: () => {
      if (storedHash(demo.server.db, 'term-demo-01', 1) !== undefined) return;
      const record = sealRecord(
        { terminalId: 'term-demo-01', seq: 1, prevHash: GENESIS_HASH, at: new Date(clock.now()).toISOString(), clockOffsetMs: 0, type: 'app.start', outcome: 'info', operatorId: null, cardKeyId: null, detail: {} },
        sha256Hex,
      );
      expect(ingestLogBatch(demo.server.db, { terminalId: 'term-demo-01', now: clock.now() }, { batchId: randomUUID(), records: [record] }).status).toBe(200);
    },
    expect: { kind: 'admin-viewed' },
    check: (reply) => expect(reply.json).toMatchObject({ chain: { hashValid: true, linkValid: true } }),
  },
  { method: 'GET', route: '/residents/{residentId}/accesses', action: 'audit.who-looked.view', path: () => `/residents/${demo.server.db.prepare('SELECT id FROM residents LIMIT 1').pluck().get() as string}/accesses`, expect: { kind: 'admin-viewed' } },
  { method: 'GET', route: '/card-ledger', action: 'audit.card-ledger.view', path: () => '/card-ledger?from=2026-11-01&to=2026-11-30', expect: { kind: 'admin-viewed' } },
  { method: 'GET', route: '/findings', action: 'audit.findings.view', path: () => '/findings?from=2026-11-01&to=2026-11-30', expect: { kind: 'admin-viewed' } },
  { method: 'GET', route: '/resident-flags', action: 'audit.flags.view', path: () => '/resident-flags', expect: { kind: 'admin-viewed' } },
  {
    method: 'POST',
    route: '/resident-flags',
    action: 'audit.flags.set',
    path: () => '/resident-flags',
    body: () => ({ residentId: demo.server.db.prepare('SELECT id FROM residents ORDER BY id LIMIT 1').pluck().get() as string, label: 'public-figure', reason: reason('報道で注目') }),
    expect: { kind: 'resident-flag-set', why: reason('報道で注目') },
    check: (reply) => {
      flagMade.id = (reply.json as { flag: { id: string } }).flag.id;
    },
  },
  {
    method: 'POST',
    route: '/resident-flags/{flagId}/withdraw',
    action: 'audit.flags.withdraw',
    path: () => `/resident-flags/${flagMade.id ?? 'flag-none'}/withdraw`,
    body: () => ({ reason: reason('報道が収まった') }),
    expect: { kind: 'resident-flag-withdrawn', why: reason('報道が収まった') },
  },
  { method: 'GET', route: '/audit-config', action: 'audit.config.view', path: () => '/audit-config', expect: { kind: 'admin-viewed' } },
  {
    method: 'PUT',
    route: '/audit-config',
    action: 'audit.config.set',
    path: () => '/audit-config',
    body: () => ({ config: { manyOperatorsMin: 5 }, reason: reason('基準の見直し') }),
    expect: { kind: 'audit-config-changed', why: reason('基準の見直し') },
  },
  {
    method: 'POST',
    route: '/samples',
    action: 'audit.samples.draw',
    path: () => '/samples',
    prepare: () => {
      if (made.lentSeq !== undefined) return;
      made.lentSeq = appendLogRecord('session.signed-in', { operatorId: 'op-yamada', cardKeyId: 'a'.repeat(64) });
      appendLogRecord('resident.search', { operatorId: 'op-yamada', detail: { purposeCategory: 'moving-in', caseNumber: 'R8-1', criteria: 'kana', hits: 0, shownIds: '' } });
    },
    body: () => ({ from: '2026-11-01', to: '2026-11-30', size: 5, seed: 'route-table' }),
    expect: { kind: 'spot-check-sample-drawn' },
    check: (reply) => {
      const body = reply.json as { sample: { id: string }; items: { terminalId: string; seq: number; operatorId: string | null }[] };
      made.sampleId = body.sample.id;
      const item = body.items.find((i) => i.operatorId === 'op-yamada')!;
      made.item = { terminalId: item.terminalId, seq: item.seq };
    },
  },
  { method: 'GET', route: '/samples', action: 'audit.samples.view', path: () => '/samples', expect: { kind: 'admin-viewed' } },
  { method: 'GET', route: '/samples/{sampleId}', action: 'audit.samples.view', path: () => `/samples/${made.sampleId ?? 'smp-0000000000000000'}`, expect: { kind: 'admin-viewed' } },
  {
    method: 'POST',
    route: '/samples/{sampleId}/verdicts',
    action: 'audit.verdicts.record',
    path: () => `/samples/${made.sampleId ?? 'smp-0000000000000000'}/verdicts`,
    body: () => ({ ...(made.item ?? { terminalId: 'term-demo-01', seq: 1 }), verdict: 'needs-check', comment: reason('受付簿との照合') }),
    expect: { kind: 'spot-check-verdict-recorded', why: reason('受付簿との照合') },
  },
  {
    method: 'POST',
    route: '/card-ledger/returns',
    action: 'audit.card-returns.confirm',
    path: () => '/card-ledger/returns',
    body: () => ({ terminalId: 'term-demo-01', lentSeq: made.lentSeq ?? 1, note: reason('保管庫で確認') }),
    expect: { kind: 'card-return-confirmed', why: reason('保管庫で確認') },
  },
  { method: 'GET', route: '/reports/audit', action: 'audit.reports.produce', path: () => '/reports/audit?from=2026-11-01&to=2026-11-30', expect: { kind: 'audit-report-produced' } },
  {
    method: 'GET',
    route: '/reports/resident-accesses/{residentId}',
    action: 'audit.reports.produce',
    path: () => `/reports/resident-accesses/${demo.server.db.prepare('SELECT id FROM residents LIMIT 1').pluck().get() as string}`,
    expect: { kind: 'audit-report-produced' },
  },
  {
    method: 'POST',
    route: '/operators/{operatorId}/retire',
    action: 'roster.retire',
    path: () => '/operators/op-kato/retire',
    body: () => ({ reason: reason('退職') }),
    expect: { kind: 'operator-retired', why: reason('退職') },
    check: (reply) => expect(reply.json).toMatchObject({ operator: { id: 'op-kato', status: 'retired' } }),
  },
  {
    method: 'DELETE',
    route: '/sessions/current',
    action: 'session.view',
    path: () => '/sessions/current',
    expect: { kind: 'admin-session-ended' },
  },
];

function expectRefused(reply: Reply, status: number, codes: string | string[]): void {
  expect(reply.status, reply.text).toBe(status);
  const parsed = ErrorResponseSchema.parse(reply.json);
  expect([codes].flat()).toContain(parsed.error.code);
  expect(parsed.error.message).toMatch(/[ぁ-んァ-ン一-龥]/);
  expect(reply.text).not.toMatch(/stack|SQLITE|SELECT |node_modules/i);
}

const send = (c: RouteCase, options: { token?: string | null; terminal?: TerminalCredential | null } = {}) =>
  call(c.path(), { method: c.method, ...(c.body ? { body: c.body() } : {}), ...options });

/** A session of a person of `role`: manager/sysadmin from the demo town. */
async function sessionOf(role: 'manager' | 'sysadmin'): Promise<AdminSessionResponse> {
  const id = role === 'manager' ? MANAGER : SYSADMIN;
  sessions[role] = await openSession(call, demo.credential, id, cards[id]!);
  return sessions[role]!;
}

beforeAll(async () => {
  demo = await startDemoServer(clock, 'kumiyama-server-admin-routes-');
  call = adminCaller(demo.server.url, demo.credential);
  cards = Object.fromEntries(['op-yamada', MANAGER, SYSADMIN].map((id) => [id, demoCard(demo.dataDir, id)]));
  tempHash = await hashPassword('Kari#Kato2026x');
});

afterAll(async () => {
  await demo?.close();
});

describe('the route table', () => {
  it('covers every admin route of the app, each gated by an action of the permission table', async () => {
    const doc = (await (await fetch(`${demo.server.url}/openapi.json`)).json()) as { paths: Record<string, Record<string, { security?: unknown }>> };
    const documented = Object.entries(doc.paths)
      .filter(([path]) => path.startsWith('/api/v1/admin/'))
      .flatMap(([path, methods]) => Object.entries(methods).map(([method, op]) => ({ op: `${method.toUpperCase()} ${path.slice('/api/v1/admin'.length)}`, security: op.security })));
    const gated = documented.filter((d) => !['POST /challenges', 'POST /sessions'].includes(d.op));
    expect(gated.map((d) => d.op).sort()).toEqual(CASES.map((c) => `${c.method} ${c.route}`).sort());
    for (const d of gated) expect(d.security).toEqual([{ terminal: [], adminSession: [] }]);
    // Every action of the table is used by a route.
    expect(new Set(CASES.map((c) => c.action))).toEqual(new Set(ADMIN_ACTIONS));
  });
});

describe('refused before anything runs', () => {
  it.each(CASES)('$method $route: 401 without or with a wrong terminal credential', async (c) => {
    const session = sessions.manager ?? (await sessionOf('manager'));
    expectRefused(await send(c, { terminal: null, token: session.token }), 401, 'terminal-unauthorized');
    expectRefused(await send(c, { terminal: { ...demo.credential, secret: 'A'.repeat(43) }, token: session.token }), 401, 'terminal-unauthorized');
  });

  it.each(CASES)('$method $route: 401 without an admin session, with a malformed or unknown token', async (c) => {
    expectRefused(await send(c), 401, 'admin-session-required');
    expectRefused(await send(c, { token: 'not a token' }), 401, 'admin-session-required');
    expectRefused(await send(c, { token: 'A'.repeat(43) }), 401, 'admin-session-invalid');
  });

  it.each(CASES)('$method $route: 401 with a session of another terminal', async (c) => {
    const other = JSON.parse(JSON.stringify(demo.credential)) as TerminalCredential;
    const second = (await import('node:fs')).readFileSync(`${demo.dataDir}/demo-terminal-02.json`, 'utf8');
    Object.assign(other, JSON.parse(second));
    const elsewhere = await openSession(call, other, MANAGER, cards[MANAGER]!);
    expectRefused(await send(c, { token: elsewhere.token }), 401, 'admin-session-invalid');
  });

  it('401 with an expired session (idle 15 min) and then an ended one, on every route', async () => {
    const stale = await openSession(call, demo.credential, SYSADMIN, cards[SYSADMIN]!);
    clock.t += 16 * MINUTE;
    const codes: string[] = [];
    for (const c of CASES) {
      const reply = await send(c, { token: stale.token });
      expectRefused(reply, 401, ['admin-session-expired', 'admin-session-ended']);
      codes.push((reply.json as { error: { code: string } }).error.code);
    }
    expect(codes[0]).toBe('admin-session-expired');
    expect(new Set(codes.slice(1))).toEqual(new Set(['admin-session-ended']));
    expect(listEvents(demo.server.db, { kind: 'admin-session-ended' }).at(-1)?.detail).toMatchObject({ sessionId: stale.sessionId, reason: 'idle-timeout' });
    delete sessions.manager;
  });

  it('401 with a session ended by sign-out, on every route', async () => {
    const session = await openSession(call, demo.credential, MANAGER, cards[MANAGER]!);
    expect((await call('/sessions/current', { method: 'DELETE', token: session.token })).status).toBe(200);
    for (const c of CASES) expectRefused(await send(c, { token: session.token }), 401, 'admin-session-ended');
  });

  it('401 to a retired terminal, even with a session opened on it before', async () => {
    const extra = registerTerminal(demo.server.db, { name: '臨時窓口', id: 'term-temp', serverUrl: demo.server.url, clock });
    const session = await openSession(call, extra, MANAGER, cards[MANAGER]!);
    expect((await call('/sessions/current', { terminal: extra, token: session.token })).status).toBe(200);
    retireTerminal(demo.server.db, { terminalId: 'term-temp', clock });
    for (const c of CASES) expectRefused(await send(c, { terminal: extra, token: session.token }), 401, 'terminal-unauthorized');
    expectRefused(await call('/challenges', { method: 'POST', terminal: extra }), 401, 'terminal-unauthorized');
  });

  it('a counter operator never gets an admin session; a holder who becomes one is refused on every route', async () => {
    const refused = await requestSession(call, demo.credential, 'op-yamada', cards['op-yamada']!);
    expectRefused(refused, 403, 'admin-role-not-permitted');
    expect(listEvents(demo.server.db, { kind: 'admin-session-refused', operatorId: 'op-yamada' }).at(-1)?.detail).toMatchObject({ reason: 'admin-role-not-permitted' });

    // A second manager, demoted to counter operator while a session is open.
    const card = await newCard('op-ito', '伊藤 三郎');
    addOperator(demo.server.db, {
      id: 'op-ito', name: '伊藤 三郎', kana: 'イトウ サブロウ', role: 'manager', since: clock.now() - MINUTE, until: null,
      temporaryPasswordHash: tempHash, reason: reason('課長代理の任命'), by: SYSADMIN, clock,
    });
    issueCard(demo.server.db, { operatorId: 'op-ito', certificateDer: card.certificateDer, reason: reason('貸与'), by: SYSADMIN, clock });
    const setRole = demo.server.db.prepare('UPDATE operators SET role = ? WHERE id = ?');
    for (const c of CASES) {
      setRole.run('manager', 'op-ito');
      const session = await openSession(call, demo.credential, 'op-ito', card);
      setRole.run('operator', 'op-ito');
      expectRefused(await send(c, { token: session.token }), 401, 'admin-session-ended');
    }
    expect(listEvents(demo.server.db, { kind: 'admin-session-ended', operatorId: 'op-ito' }).every((e) => e.detail.reason === 'role-changed')).toBe(true);
  });
});

describe('the role table', () => {
  const single = CASES.filter((c) => ADMIN_PERMISSIONS[c.action].length === 1);

  it('has sysadmin-only and manager-only actions', () => {
    expect(single.some((c) => (ADMIN_PERMISSIONS[c.action] as readonly string[]).includes('manager'))).toBe(true);
    expect(single.some((c) => (ADMIN_PERMISSIONS[c.action] as readonly string[]).includes('sysadmin'))).toBe(true);
  });

  it.each(single)('$method $route ($action) is refused (403) to the other role and the refusal is recorded', async (c) => {
    const other = (ADMIN_PERMISSIONS[c.action] as readonly string[]).includes('manager') ? 'sysadmin' : 'manager';
    const session = await sessionOf(other);
    expectRefused(await send(c, { token: session.token }), 403, 'admin-not-permitted');
    expect(listEvents(demo.server.db, { kind: 'admin-action-refused' }).at(-1)).toMatchObject({
      operatorId: other === 'manager' ? MANAGER : SYSADMIN,
      terminalId: demo.credential.terminalId,
      detail: { action: c.action, role: other, sessionId: session.sessionId, reason: 'role' },
    });
  });
});

describe('each allowed call works and is recorded with who, what and why', () => {
  it.each(CASES)('$method $route ($action)', async (c) => {
    await c.prepare?.();
    const role = (ADMIN_PERMISSIONS[c.action] as readonly string[]).includes('manager') ? 'manager' : 'sysadmin';
    const session = await sessionOf(role);
    const before = listEvents(demo.server.db).length;
    clock.t += 1000;
    const reply = await send(c, { token: session.token });
    expect(reply.status, reply.text).toBe(200);
    c.check?.(reply);
    const events = [...listEvents(demo.server.db).slice(before), ...(c.expect.kind === 'admin-session-opened' ? listEvents(demo.server.db, { kind: 'admin-session-opened' }) : [])];
    const event = events.find((e) => e.kind === c.expect.kind && JSON.stringify(e.detail).includes(session.sessionId));
    expect(event, `${c.expect.kind} in ${JSON.stringify(events.map((e) => e.kind))}`).toBeDefined();
    const who = role === 'manager' ? MANAGER : SYSADMIN;
    expect(event!.detail.by ?? event!.operatorId).toBe(who);
    if (c.expect.why) expect(JSON.stringify(event!.detail)).toContain(c.expect.why);
    if (c.method !== 'GET' && c.expect.kind !== 'admin-session-ended') expect([event!.terminalId, event!.detail.viaTerminalId]).toContain(demo.credential.terminalId);
  });

  it('never records a password hash in server_events', () => {
    for (const event of listEvents(demo.server.db)) expect(JSON.stringify(event.detail)).not.toContain('scrypt$');
  });
});

describe('what the terminals see', () => {
  it('the roster carries the emergency stop of the fetching terminal only, and a forced change as expiry', async () => {
    const session = await sessionOf('manager');
    const stop = await call('/emergency-stops', { token: session.token, body: { scope: 'terminal', terminalId: 'term-demo-02', reason: '端末の盗難' } });
    expect(stop.status).toBe(200);
    const roster = async (credential: TerminalCredential) => {
      const reply = await fetch(`${demo.server.url}/api/v1/roster`, { headers: { authorization: `Terminal ${credential.terminalId}:${credential.secret}` } });
      return RosterResponseSchema.parse(await reply.json());
    };
    const second = JSON.parse((await import('node:fs')).readFileSync(`${demo.dataDir}/demo-terminal-02.json`, 'utf8')) as TerminalCredential;
    expect((await roster(demo.credential)).emergencyStop).toBeNull();
    expect((await roster(second)).emergencyStop).toMatchObject({ scope: 'terminal', terminalId: 'term-demo-02', reason: '端末の盗難', by: MANAGER, byName: '鈴木 一郎' });
    const all = await call('/emergency-stops', { token: session.token, body: { scope: 'all', reason: '全庁で不正の疑い' } });
    expect((await roster(demo.credential)).emergencyStop).toMatchObject({ scope: 'all', terminalId: null, reason: '全庁で不正の疑い' });
    const allId = (all.json as { stop: { id: string } }).stop.id;
    expect((await call(`/emergency-stops/${allId}/clear`, { token: session.token, body: { reason: '確認済み' } })).status).toBe(200);
    expectRefused(await call(`/emergency-stops/${allId}/clear`, { token: session.token, body: { reason: '確認済み' } }), 409, 'emergency-stop-cleared');
    expect((await roster(demo.credential)).emergencyStop).toBeNull();

    // op-sato's change was forced above: expired from then on, for terminals that know the field or not.
    const sato = (await roster(demo.credential)).operators.find((o) => o.id === 'op-sato')!;
    expect(sato.password.changeRequiredAt).toEqual(expect.any(String));
    expect((await roster(demo.credential)).operators.find((o) => o.id === 'op-yamada')!.password).not.toHaveProperty('changeRequiredAt');
    expect(Date.parse(sato.password.expiresAt)).toBe(Date.parse(sato.password.changeRequiredAt!));
  });

  it("the terminal list shows each terminal's unsent backlog as it reported it with its log-cursor request; malformed reports are ignored", async () => {
    const session = await sessionOf('sysadmin');
    const cursor = (headers: Record<string, string>) =>
      fetch(`${demo.server.url}/api/v1/log-cursor`, { headers: { authorization: `Terminal ${demo.credential.terminalId}:${demo.credential.secret}`, ...headers } });
    const waiting = async () => {
      const list = await call('/terminals', { token: session.token });
      return (list.json as { terminals: { id: string; log: { waiting: unknown } }[] }).terminals.find((t) => t.id === demo.credential.terminalId)!.log.waiting;
    };
    expect((await cursor({ 'x-log-backlog': '1234', 'x-log-backlog-oldest': '2026-11-24T00:30:00.000Z' })).status).toBe(200);
    expect(await waiting()).toEqual({ count: 1234, oldestAt: '2026-11-24T00:30:00.000Z', reportedAt: new Date(clock.now()).toISOString() });
    // Nonsense never refuses the cursor and never overwrites the last good report.
    const bads: Record<string, string>[] = [{ 'x-log-backlog': '-1' }, { 'x-log-backlog': 'many' }, { 'x-log-backlog': '5', 'x-log-backlog-oldest': 'yesterday' }, { 'x-log-backlog': '99999999999' }];
    for (const bad of bads) {
      expect((await cursor(bad)).status).toBe(200);
    }
    expect(await waiting()).toMatchObject({ count: 1234 });
    expect((await cursor({ 'x-log-backlog': '0' })).status).toBe(200);
    expect(await waiting()).toMatchObject({ count: 0, oldestAt: null });
  });

  it('refusals carry stable codes: self-service, one card per person, bad input', async () => {
    const manager = await sessionOf('manager');
    expectRefused(await call(`/operators/${MANAGER}/lockout-release`, { token: manager.token, body: { reason: '自分で解除' } }), 403, 'self-service');
    expectRefused(await call('/operators/op-yamada/lockout-release', { token: manager.token, body: { reason: '解除' } }), 409, 'not-locked-out');
    expectRefused(await call('/operators/op-nobody/lockout-release', { token: manager.token, body: { reason: '解除' } }), 404, 'unknown-operator');
    expectRefused(await call('/operators/op-yamada/lockout-release', { token: manager.token, body: { reason: '' } }), 400, 'invalid-request');
    expectRefused(await call('/operators/op-yamada/lockout-release', { token: manager.token, body: { reason: '改行\nあり' } }), 400, 'invalid-request');
    expectRefused(await call('/operators/op-yamada/temporary-password', { token: manager.token, body: { passwordHash: 'scrypt$1024$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=', reason: '弱い' } }), 400, 'weak-password-hash');
    const yamadaCard = cards['op-yamada']!;
    const again = await call('/cards', { token: manager.token, body: { operatorId: 'op-sato', certificate: Buffer.from(yamadaCard.certificateDer).toString('base64'), reason: '重複' } });
    expectRefused(again, 409, 'card-registered');
    const fresh = await newCard('op-yamada');
    expectRefused(
      await call('/cards', { token: manager.token, body: { operatorId: 'op-yamada', certificate: Buffer.from(fresh.certificateDer).toString('base64'), reason: '2枚目' } }),
      409,
      'card-already-issued',
    );
    expectRefused(await call('/cards', { token: manager.token, body: { operatorId: 'op-yamada', certificate: 'AAAA', reason: '壊れた証明書' } }), 400, 'bad-certificate');
    expectRefused(await call(`/cards/${cards[SYSADMIN]!.keyId}/revoke`, { token: manager.token, body: { reason: 'other' } }), 400, 'bad-reason');
    const sysadmin = await sessionOf('sysadmin');
    expectRefused(await call(`/operators/${SYSADMIN}/retire`, { token: sysadmin.token, body: { reason: '自分を削除' } }), 403, 'self-service');
    expectRefused(await call('/operators/op-yamada', { method: 'PATCH', token: sysadmin.token, body: { reason: '変更なし' } }), 409, 'nothing-changed');
  });
});
