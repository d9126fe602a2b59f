// The resident directory's change feed (GET /api/v1/residents/changes) against the real server:
// SQLite in a temp dir, HTTP on 127.0.0.1, the demo town (with its 2,000 synthetic residents).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemoServer, type DemoServer } from '../support/demo-server';
import { moveWithinTown, syntheticResidents } from '../../src/domain/resident/synthetic-town';
import { registerTerminal, retireTerminal } from '../../src/server/admin/register-terminal';
import { moveResidents, seedResidents, toResidentRecord } from '../../src/server/admin/residents';
import type { RunningServer } from '../../src/server/app';
import { DEMO_RESIDENTS } from '../../src/server/demo/demo-town';
import type { DemoSeedResult } from '../../src/server/demo/seed';
import { serveResidentChanges } from '../../src/server/services/resident-feed';
import { revokeCard } from '../../src/server/store/cards';
import { listEvents } from '../../src/server/store/events';
import { insertOperator, setFailedAttempts } from '../../src/server/store/operators';
import { countResidents, getResident, residentDirectory, updateResident } from '../../src/server/store/residents';
import {
  MAX_RESIDENT_PAGE,
  OPERATOR_HEADER,
  RESIDENT_CHANGES_PATH,
  ResidentChangesResponseSchema,
  type Resident,
  type ResidentChangesResponse,
} from '../../src/shared/resident-api';
import { API_PREFIX, ErrorResponseSchema, type TerminalCredential } from '../../src/shared/server-api';

const START = Date.parse('2026-04-01T00:30:00.000Z'); // 09:30 JST
const clock = { t: START, now(): number { return this.t; } };
const PATH = `${API_PREFIX}${RESIDENT_CHANGES_PATH}`;

let server: RunningServer;
let demo: DemoSeedResult;
let credential: TerminalCredential;

function authHeader(c: { terminalId: string; secret: string } = credential): string {
  return `Terminal ${c.terminalId}:${c.secret}`;
}

interface FeedOptions {
  query?: string;
  operator?: string | null;
  auth?: string | null;
}

async function feed(options: FeedOptions = {}): Promise<{ status: number; headers: Headers; text: string; json: unknown }> {
  const headers: Record<string, string> = {};
  const auth = options.auth === undefined ? authHeader() : options.auth;
  if (auth !== null) headers.authorization = auth;
  const operator = options.operator === undefined ? 'op-yamada' : options.operator;
  if (operator !== null) headers[OPERATOR_HEADER] = operator;
  const response = await fetch(`${server.url}${PATH}${options.query === undefined ? '' : `?${options.query}`}`, { headers });
  const text = await response.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, headers: response.headers, text, json };
}

async function page(after: number, limit: number, operator = 'op-yamada'): Promise<ResidentChangesResponse> {
  const result = await feed({ query: `after=${after}&limit=${limit}`, operator });
  expect(result.status, result.text.slice(0, 300)).toBe(200);
  return ResidentChangesResponseSchema.parse(result.json);
}

/** Pages from `after` until next reaches latest; checks the paging rules on the way. */
async function pageThrough(after: number, limit: number, operator = 'op-yamada'): Promise<{ residents: Resident[]; pages: ResidentChangesResponse[] }> {
  const residents: Resident[] = [];
  const pages: ResidentChangesResponse[] = [];
  let next = after;
  for (let i = 0; i < 1000; i++) {
    const p = await page(next, limit, operator);
    pages.push(p);
    expect(p.residents.length).toBeLessThanOrEqual(limit);
    expect(p.next).toBe(p.residents.length > 0 ? p.residents.at(-1)!.version : next);
    for (const r of p.residents) expect(r.version).toBeGreaterThan(next);
    for (let j = 1; j < p.residents.length; j++) expect(p.residents[j]!.version).toBeGreaterThan(p.residents[j - 1]!.version);
    residents.push(...p.residents);
    next = p.next;
    if (next >= p.latest) return { residents, pages };
  }
  throw new Error('the feed never reached latest');
}

function expectCleanError(result: { status: number; text: string; json: unknown; headers: Headers }, status: number, code?: string): string {
  expect(result.status, result.text).toBe(status);
  expect(result.headers.get('content-type')).toMatch(/^application\/json/);
  const parsed = ErrorResponseSchema.parse(result.json);
  if (code) expect(parsed.error.code).toBe(code);
  expect(parsed.error.message).toMatch(/[\u3040-\u30ff\u4e00-\u9fff]/u); // Japanese
  expect(Object.keys(result.json as object)).toEqual(['error']);
  expect(result.text).not.toMatch(/stack|\bat .*\.ts:\d+|SQLITE|SELECT |INSERT |node_modules/i);
  return parsed.error.message;
}

let running: DemoServer;
beforeAll(async () => {
  running = await startDemoServer(clock, 'kumiyama-residents-test-');
  ({ server, demo, credential } = running);
});

afterAll(async () => {
  await running?.close();
});

describe('the demo directory', () => {
  it('holds the synthetic town of the demo seed', () => {
    expect(demo.residents).toBe(DEMO_RESIDENTS.count);
    expect(countResidents(server.db)).toBe(DEMO_RESIDENTS.count);
    expect(residentDirectory(server.db).latestVersion).toBe(DEMO_RESIDENTS.count);
    const first = [...syntheticResidents({ seed: DEMO_RESIDENTS.seed, count: 3 })];
    first.forEach((synthetic, i) => expect(getResident(server.db, synthetic.id)).toEqual({ ...toResidentRecord(synthetic), version: i + 1 }));
    expect(listEvents(server.db, { kind: 'residents-seeded' }).at(-1)?.detail).toMatchObject({ count: DEMO_RESIDENTS.count, seed: DEMO_RESIDENTS.seed, synthetic: true });
    expect(listEvents(server.db, { kind: 'demo-seeded' }).at(-1)?.detail).toMatchObject({ residents: DEMO_RESIDENTS.count });
  });
});

describe('paging through the feed', () => {
  it('gives every resident exactly once, at its latest version, in version order', async () => {
    // Some residents change first, so the versions have gaps and some records are newer than others.
    clock.t += 60_000;
    const moved = moveResidents(server.db, { count: 40, seed: 11, clock });
    expect(moved).toHaveLength(40);
    const latest = residentDirectory(server.db).latestVersion;
    expect(latest).toBe(DEMO_RESIDENTS.count + 40);

    const { residents, pages } = await pageThrough(0, 173);
    expect(new Set(pages.map((p) => p.epoch)).size).toBe(1);
    expect(pages.at(-1)!.next).toBe(latest);
    expect(pages.every((p) => p.latest === latest)).toBe(true);
    const ids = residents.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.length).toBe(countResidents(server.db));
    for (const r of residents) expect(r).toEqual(getResident(server.db, r.id));
    // The moved ones come last, as their new version, with the move in their history.
    const tail = residents.slice(-40);
    expect(new Set(tail.map((r) => r.id))).toEqual(new Set(moved.map((r) => r.id)));
    for (const r of tail) expect(r.history.at(-1)).toMatchObject({ kind: 'moved-within', date: '2026-04-01' });
    // The others are exactly the generated town.
    const byId = new Map(residents.map((r) => [r.id, r]));
    let checked = 0;
    for (const synthetic of syntheticResidents({ seed: DEMO_RESIDENTS.seed, count: DEMO_RESIDENTS.count })) {
      const served = byId.get(synthetic.id)!;
      if (served.version > DEMO_RESIDENTS.count) continue;
      expect(served).toEqual({ ...toResidentRecord(synthetic), version: served.version });
      checked++;
    }
    expect(checked).toBe(DEMO_RESIDENTS.count - 40);
  });

  it('serves the whole default page (after 0, limit 5000) without a query', async () => {
    const result = await feed();
    expect(result.status).toBe(200);
    const body = ResidentChangesResponseSchema.parse(result.json);
    expect(body.residents).toHaveLength(DEMO_RESIDENTS.count);
    expect(body.next).toBe(body.latest);
    expect(result.headers.get('cache-control')).toBe('no-store');
    const recorded = listEvents(server.db, { kind: 'resident-changes-fetched' }).at(-1)!;
    expect(recorded.detail).toMatchObject({ after: 0, limit: MAX_RESIDENT_PAGE, count: DEMO_RESIDENTS.count });
  });

  it('after changes, brings only the changed residents, each once as its latest', async () => {
    const before = residentDirectory(server.db).latestVersion;
    const [a, b] = [...syntheticResidents({ seed: DEMO_RESIDENTS.seed, count: 30 })].filter((r) => r.status === 'resident').map((r) => r.id);
    clock.t += 60_000;
    updateResident(server.db, a!, (r) => moveWithinTown(r, { seed: 1, date: '2026-04-02' }), clock.now());
    updateResident(server.db, b!, (r) => ({ ...r, history: [...r.history, { date: '2026-04-02', kind: 'corrected', note: '職権による記載の修正（氏名の振り仮名）' }] }), clock.now());
    updateResident(server.db, a!, (r) => moveWithinTown(r, { seed: 2, date: '2026-04-03' }), clock.now()); // a again: served once
    const moved = moveResidents(server.db, { count: 5, seed: 99, clock });
    expect(updateResident(server.db, 'R99999999', (r) => r, clock.now())).toBeUndefined();

    const { residents } = await pageThrough(before, 4);
    const expected = new Set([a!, b!, ...moved.map((r) => r.id)]);
    expect(new Set(residents.map((r) => r.id))).toEqual(expected);
    expect(residents).toHaveLength(expected.size);
    for (const r of residents) expect(r).toEqual(getResident(server.db, r.id));
    expect(residents.find((r) => r.id === a)!.history.filter((e) => e.kind === 'moved-within').at(-1)!.date).toBe('2026-04-03');

    // Nothing new: an empty page, next = after.
    const latest = residentDirectory(server.db).latestVersion;
    const empty = await page(latest, 100);
    expect(empty).toMatchObject({ residents: [], next: latest, latest });
  });

  it('stops a page early when it grows too large, and carries on from there', () => {
    const serve = (maxBytes: number) => {
      const answer = serveResidentChanges(server.db, { terminalId: credential.terminalId, operatorId: 'op-yamada', now: clock.now(), after: 0, limit: 100 }, maxBytes);
      expect(answer.status).toBe(200);
      expect(answer.json).toBeDefined();
      expect(Buffer.byteLength(answer.json!)).toBeLessThanOrEqual(Math.max(maxBytes, 3000) + 200);
      return ResidentChangesResponseSchema.parse(JSON.parse(answer.json!));
    };
    const body = serve(20_000);
    expect(body.residents.length).toBeGreaterThan(0);
    expect(body.residents.length).toBeLessThan(100);
    expect(body.next).toBe(body.residents.at(-1)!.version);
    for (const r of body.residents) expect(r).toEqual(getResident(server.db, r.id));
    expect(serve(1).residents).toHaveLength(1);
    expect(serve(Number.POSITIVE_INFINITY).residents).toHaveLength(100);
  });

  it('records every page served: terminal, operator, after, limit, count, next, latest — never the data', async () => {
    const before = listEvents(server.db, { kind: 'resident-changes-fetched' }).length;
    const { pages } = await pageThrough(0, 700);
    const events = listEvents(server.db, { kind: 'resident-changes-fetched' }).slice(before);
    expect(events).toHaveLength(pages.length);
    let after = 0;
    events.forEach((event, i) => {
      const p = pages[i]!;
      expect(event.terminalId).toBe(credential.terminalId);
      expect(event.operatorId).toBe('op-yamada');
      expect(event.detail).toEqual({
        after,
        limit: 700,
        count: p.residents.length,
        firstVersion: p.residents[0]?.version ?? null,
        next: p.next,
        latest: p.latest,
        epoch: p.epoch,
      });
      after = p.next;
    });
    const everything = JSON.stringify(listEvents(server.db));
    for (const r of pages[0]!.residents.slice(0, 50)) {
      expect(everything).not.toContain(r.code);
      expect(everything).not.toContain(r.name);
    }
  });

  it('serves the manager too', async () => {
    expect((await page(0, 1, 'op-suzuki')).residents).toHaveLength(1);
  });
});

describe('refusals', () => {
  it('refuses, with 403 and a Japanese message, operators who may not receive resident data, and records why', async () => {
    const fetchedBefore = listEvents(server.db, { kind: 'resident-changes-fetched' }).length;
    insertOperator(server.db, {
      id: 'op-future',
      name: '未来 太郎',
      kana: 'ミライ タロウ',
      role: 'operator',
      approvedBy: '高橋 美咲',
      since: clock.now() + 86_400_000,
      until: null,
      status: 'active',
      passwordHash: 'x',
      passwordSetAt: clock.now(),
      passwordTemporary: false,
    });
    const cases: [string, string][] = [
      ['op-nobody', 'operator-unknown'],
      ['op-retired', 'operator-inactive'],
      ['op-future', 'operator-inactive'],
      ['op-takahashi', 'operator-not-permitted'],
      ['op-revoked', 'operator-without-card'],
    ];
    for (const [operator, code] of cases) expectCleanError(await feed({ query: 'after=0&limit=10', operator }), 403, code);
    expect(expectCleanError(await feed({ operator: 'op-takahashi' }), 403)).toContain('システム管理者');

    setFailedAttempts(server.db, 'op-sato', 3, clock.now());
    expectCleanError(await feed({ operator: 'op-sato' }), 403, 'operator-locked-out');
    setFailedAttempts(server.db, 'op-sato', 0, null);
    expect((await page(0, 1, 'op-sato')).residents).toHaveLength(1);

    const refused = listEvents(server.db, { kind: 'resident-changes-refused' });
    expect(refused.map((e) => [e.operatorId, e.detail.reason])).toEqual(
      expect.arrayContaining([...cases, ['op-sato', 'operator-locked-out']]),
    );
    expect(refused.at(-1)).toMatchObject({ terminalId: credential.terminalId });
    // Nothing was served to them.
    const fetched = listEvents(server.db, { kind: 'resident-changes-fetched' }).slice(fetchedBefore);
    expect(fetched.map((e) => e.operatorId)).toEqual(['op-sato']);
  });

  it('stops serving an operator whose card is revoked', async () => {
    expect((await page(0, 1, 'op-yamada')).residents).toHaveLength(1);
    const keyId = demo.operators.find((op) => op.id === 'op-yamada')!.keyId!;
    revokeCard(server.db, keyId, clock.now(), '紛失届 (テスト)');
    expectCleanError(await feed({ operator: 'op-yamada' }), 403, 'operator-without-card');
  });

  it('needs the operator header: missing or malformed → 400 operator-required', async () => {
    expectCleanError(await feed({ operator: null }), 400, 'operator-required');
    for (const operator of ['', 'OP-SUZUKI', 'op suzuki', 'x'.repeat(64), '../op-suzuki']) {
      expectCleanError(await feed({ operator }), 400, 'operator-required');
    }
    // Two values arrive joined: malformed.
    const response = await fetch(`${server.url}${PATH}`, {
      headers: [
        ['authorization', authHeader()],
        [OPERATOR_HEADER, 'op-suzuki'],
        [OPERATOR_HEADER, 'op-sato'],
      ],
    });
    expect(response.status).toBe(400);
  });

  it('refuses a bad query with 400 invalid-request', async () => {
    const bad = [
      'limit=0',
      `limit=${MAX_RESIDENT_PAGE + 1}`,
      'after=-1',
      'after=abc',
      'limit=abc',
      'limit=1.5',
      'after=1e3',
      'after=0x10',
      'after=',
      'after=%201',
      'after=99999999999999999',
      'after=1&after=2',
      'after=0&extra=1',
      'after[]=1',
    ];
    for (const query of bad) expectCleanError(await feed({ query, operator: 'op-suzuki' }), 400, 'invalid-request');
    expect((await page(0, MAX_RESIDENT_PAGE, 'op-suzuki')).residents.length).toBeGreaterThan(0);
  });

  it('answers 401 to a missing, wrong or retired terminal credential before anything else', async () => {
    expectCleanError(await feed({ auth: null }), 401, 'terminal-unauthorized');
    expectCleanError(await feed({ auth: `Terminal ${credential.terminalId}:${'A'.repeat(43)}` }), 401, 'terminal-unauthorized');
    const extra = registerTerminal(server.db, { name: '臨時窓口', id: 'term-residents-temp', serverUrl: server.url, clock });
    expect((await feed({ auth: authHeader(extra), operator: 'op-suzuki', query: 'limit=1' })).status).toBe(200);
    retireTerminal(server.db, { terminalId: extra.terminalId, clock });
    const retired = await feed({ auth: authHeader(extra), operator: 'op-suzuki', query: 'limit=1' });
    expectCleanError(retired, 401, 'terminal-unauthorized');
    expect(retired.headers.get('www-authenticate')).toBe('Terminal');
    // Even with a bad query and no operator: the terminal is checked first.
    expectCleanError(await feed({ auth: authHeader(extra), operator: null, query: 'limit=0' }), 401, 'terminal-unauthorized');
    expect(listEvents(server.db, { kind: 'terminal-auth-failed' }).at(-1)?.detail).toMatchObject({ reason: 'retired', route: PATH });
  });
});

describe('the API document', () => {
  it('lists the route with its query, header, answers and terminal security', async () => {
    const result = await fetch(`${server.url}/openapi.json`);
    const doc = (await result.json()) as {
      paths: Record<string, Record<string, { security?: unknown; parameters?: { in: string; name: string; required?: boolean }[]; responses: Record<string, unknown> }>>;
    };
    const op = doc.paths[PATH]?.get;
    expect(op).toBeDefined();
    expect(op!.security).toEqual([{ terminal: [] }]);
    const params = op!.parameters!.map((p) => `${p.in}:${p.name}`).sort();
    expect(params).toEqual([`header:${OPERATOR_HEADER}`, 'query:after', 'query:limit'].sort());
    expect(op!.parameters!.find((p) => p.name === OPERATOR_HEADER)!.required).toBe(true);
    expect(Object.keys(op!.responses).sort()).toEqual(['200', '400', '401', '403', '500']);
  });
});

describe('a rebuilt directory', () => {
  it('has a new epoch; seeding again without --replace is refused', async () => {
    const before = await page(0, 1, 'op-suzuki');
    expect(() => seedResidents(server.db, { count: 10, seed: 1, clock })).toThrow(/already holds/);
    clock.t += 60_000;
    const result = seedResidents(server.db, { count: 300, seed: 5, clock, replace: true });
    expect(result.replaced).toBeGreaterThan(0);
    expect(result.epoch).not.toBe(before.epoch);
    const { residents, pages } = await pageThrough(0, 128, 'op-suzuki');
    expect(residents).toHaveLength(300);
    expect(pages.every((p) => p.epoch === result.epoch)).toBe(true);
    // Versions keep counting up across epochs.
    expect(residents[0]!.version).toBeGreaterThan(before.latest);
  });
});
