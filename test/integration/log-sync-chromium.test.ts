// The terminal's log sync end to end: the renderer's LogWriter on real IndexedDB in Chromium
// (bench/log-append-page, driven through `window.__log`), its syncPass (log-sync.ts) calling the
// contract's getLogCursor / pushLogBatch, which Node answers with main's real code (relayLogCall
// over createServerClient), against the real central server on 127.0.0.1 with its SQLite store —
// in-process (startServer) or as a child process that is killed (SIGKILL) in the middle of a sync.
import { createHash, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer as createTcpServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServerProcess } from '../support/server-process';
import type { Page } from 'playwright-core';
import { verifyChain, type LogRecord } from '../../src/domain/log/log-record';
import { relayLogCall } from '../../src/node/terminal/log-relay';
import { createServerClient, ServerUnavailableError, type ServerClient } from '../../src/node/terminal/server-client';
import type { Backlog, RecoverReport, VerifyReport } from '../../src/renderer/src/log/log-writer';
import type { LogHead, SyncCheckpoint } from '../../src/renderer/src/log/log-rules';
import type { SyncPassResult } from '../../src/renderer/src/log/log-sync';
import { registerTerminal } from '../../src/server/admin/register-terminal';
import { startServer, type RunningServer } from '../../src/server/app';
import { openServerDb, type ServerDb } from '../../src/server/db/open';
import { listIntegrityAlerts } from '../../src/server/store/integrity-alerts';
import { countLogRecords, logRecordsAfter } from '../../src/server/store/log-records';
import type { LogSyncResult, PendingLogEvent } from '../../src/shared/contract';
import type { TerminalCredential } from '../../src/shared/server-api';
import { callInPage, startLogHarness, type LogHarness } from '../../bench/log-append-page/harness';

const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');
const clock = { now: () => Date.now() };
const DAY = 86_400_000;

let harness: LogHarness;
let page: Page;
let dbCounter = 0;
const dirs: string[] = [];

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'kumiyama-log-sync-'));
  dirs.push(dir);
  return dir;
}

/**
 * Main's side of the two log calls, as terminal-service.ts does them: relayLogCall over the server
 * client of the current server start (`connect`). Hooks let a test watch pushes or lose an answer.
 */
const relay = {
  client: null as ServerClient | null,
  pushes: 0,
  onPush: null as ((records: LogRecord[]) => void) | null,
  /** The next n pushes reach the server, but their answers are lost on the way back. */
  loseAnswers: 0,
  /** Called when the server's answer to a push has arrived; true: it is lost (the test killed the server meanwhile). */
  onAnswer: null as (() => boolean) | null,
};

function connect(credential: TerminalCredential, serverUrl: string): void {
  relay.client = createServerClient({ ...credential, serverUrl }, { monoNow: () => performance.now() });
}

function client(): ServerClient {
  if (!relay.client) throw new Error('no server client: call connect() first');
  return relay.client;
}

async function exposeRelay(p: Page): Promise<void> {
  await p.exposeFunction('__relayCursor', (): Promise<LogSyncResult> => relayLogCall(() => client().logCursor()));
  await p.exposeFunction('__relayPush', (records: LogRecord[]): Promise<LogSyncResult> => {
    relay.pushes++;
    relay.onPush?.(records);
    const server = client();
    return relayLogCall(async () => {
      const answer = await server.logBatch(randomUUID(), records);
      if (relay.loseAnswers > 0) {
        relay.loseAnswers--;
        throw new ServerUnavailableError('サーバーに接続できません (the answer was lost)');
      }
      if (relay.onAnswer?.()) throw new ServerUnavailableError('サーバーに接続できません (the server died before its answer arrived)');
      return answer;
    });
  });
}

/** A fresh database in the page, opened for `terminalId`. */
async function fresh(terminalId: string): Promise<string> {
  const name = `log-sync-${process.pid}-${++dbCounter}`;
  await callInPage(page, 'deleteDb', name);
  await callInPage(page, 'setClockShift', 0);
  const report = await callInPage<RecoverReport>(page, 'open', name, terminalId);
  expect(report.problems).toEqual([]);
  return name;
}

/** A port nothing listens on (a server that is down). */
async function deadUrl(): Promise<string> {
  const probe = createTcpServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const address = probe.address();
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  if (!address || typeof address === 'string') throw new Error('no port');
  return `http://127.0.0.1:${address.port}`;
}

/** Everything the server stored for a terminal, in order, after checking the stored chain. */
function stored(db: ServerDb, terminalId: string): LogRecord[] {
  const rows = logRecordsAfter(db, terminalId, 0, 1_000_000);
  expect(verifyChain(rows, null, terminalId, sha256)).toBeNull();
  return rows.map(({ atMs: _atMs, receivedAt: _receivedAt, ...record }) => record);
}

/** The page's records as the wire carries them (JSON: a -0 clock offset in IndexedDB is 0 on the server, same hash). */
const local = async (): Promise<LogRecord[]> => JSON.parse(JSON.stringify(await callInPage<LogRecord[]>(page, 'all'))) as LogRecord[];
const localChain = () => callInPage<[number, string][]>(page, 'chain');
const sync = (batchSize?: number) => callInPage<SyncPassResult>(page, 'syncPass', ...(batchSize === undefined ? [] : [batchSize]));

beforeAll(async () => {
  harness = await startLogHarness();
  page = await harness.newPage();
  await exposeRelay(page);
});

afterAll(async () => {
  await harness?.close();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe('a week offline, then the server returns', () => {
  let server: RunningServer | null = null;
  let credential: TerminalCredential;
  const terminalId = 'term-week';

  afterAll(async () => {
    await server?.close();
  });

  it('(a) 7 × 500 records written offline: every pass is a retry and nothing is lost; then all 3,500 arrive in order', async () => {
    const dataDir = tempDir();
    {
      const { db } = openServerDb(dataDir);
      credential = registerTerminal(db, { name: '住民課窓口3', id: terminalId, serverUrl: 'http://127.0.0.1:8470', clock });
      db.close();
    }
    await fresh(terminalId);
    connect(credential, await deadUrl());
    // 09:30 JST eight days ago: the seventh day is yesterday.
    const start = new Date(Math.floor((Date.now() - 8 * DAY) / DAY) * DAY + 30 * 60_000);
    for (let day = 0; day < 7; day++) {
      const head = await callInPage<LogHead>(page, 'seedOverDays', 1, 500, new Date(start.getTime() + day * DAY).toISOString());
      expect(head.seq).toBe((day + 1) * 500);
      // The terminal tries at the end of each day: the server is not reachable.
      const pushes = relay.pushes;
      expect(await sync()).toMatchObject({ kind: 'retry', delivered: 0, code: 'unreachable', message: expect.stringContaining('中央サーバーに接続できません') });
      expect(relay.pushes).toBe(pushes); // the cursor failed first: nothing was sent
      expect(await callInPage<Backlog>(page, 'backlog')).toMatchObject({ count: (day + 1) * 500, ackSeq: 0 });
      expect(await callInPage<SyncCheckpoint | null>(page, 'syncCheckpoint')).toBeNull();
    }
    const records = await local();
    expect(records).toHaveLength(3500);
    // Each day's records start at that day's 09:30 JST (the clock was shifted while writing).
    for (let day = 0; day < 7; day++) expect(Math.abs(Date.parse(records[day * 500]!.at) - (start.getTime() + day * DAY))).toBeLessThan(5000);
    expect(await callInPage<VerifyReport>(page, 'verify')).toMatchObject({ ok: true, checked: 3500 });

    // The server comes back (another port: the client is made for this start).
    server = await startServer({ dataDir, port: 0, clock });
    connect(credential, server.url);
    const t0 = performance.now();
    const result = await sync();
    console.log(`3,500 records delivered in ${(performance.now() - t0).toFixed(0)} ms`);
    expect(result).toEqual({ kind: 'done', delivered: 3500, ackSeq: 3500 });
    expect(stored(server.db, terminalId)).toEqual(records);
    const times = stored(server.db, terminalId).map((r) => Date.parse(r.at));
    expect(times).toEqual([...times].sort((x, y) => x - y));
    const head = await callInPage<LogHead>(page, 'head');
    expect(await callInPage<SyncCheckpoint>(page, 'syncCheckpoint')).toEqual({ ackSeq: head.seq, ackHash: head.hash });
    expect(head).toMatchObject({ seq: 3500, hash: records[3499]!.hash });
    expect(await callInPage<Backlog>(page, 'backlog')).toEqual({ count: 0, oldestAt: null, ackSeq: 3500 });
    expect(listIntegrityAlerts(server.db)).toEqual([]);
  }, 60_000);

  it('(b) resending acknowledged records changes nothing on the server (no duplicate rows)', async () => {
    if (!server) throw new Error('needs (a)');
    const db = server.db;
    const count = () => countLogRecords(db, terminalId);
    const head = await callInPage<LogHead>(page, 'head');
    const ack = { ok: true, ackSeq: 3500, ackHash: head.hash };
    // The first batch, a middle part and everything, each sent again: acknowledged with the current head.
    expect(await callInPage<LogSyncResult>(page, 'pushPending', 0, 500)).toEqual(ack);
    expect(await callInPage<LogSyncResult>(page, 'pushPending', 1000, 2500)).toEqual(ack);
    expect(await callInPage<LogSyncResult>(page, 'pushPending', 0, 5000)).toEqual(ack);
    expect(count()).toBe(3500);

    // A batch stored whose answer never came back (server or network died after the commit).
    await callInPage(page, 'appendConcurrently', 200, 5000);
    relay.loseAnswers = 1;
    expect(await sync()).toMatchObject({ kind: 'retry', delivered: 0, code: 'unreachable' });
    expect(count()).toBe(3700);
    expect(await callInPage<SyncCheckpoint>(page, 'syncCheckpoint')).toMatchObject({ ackSeq: 3500 });
    // The next pass learns from the cursor that the server has it: nothing is sent again.
    const pushes = relay.pushes;
    expect(await sync()).toEqual({ kind: 'done', delivered: 0, ackSeq: 3700 });
    expect(relay.pushes).toBe(pushes);
    // And a terminal that resends it anyway (an older checkpoint): still 3,700 rows.
    expect(await callInPage<LogSyncResult>(page, 'pushPending', 3400, 300)).toMatchObject({ ok: true, ackSeq: 3700 });
    expect(count()).toBe(3700);
    expect(db.prepare('SELECT count(DISTINCT seq) FROM log_records WHERE terminal_id = ?').pluck().get(terminalId)).toBe(3700);
    expect(stored(db, terminalId)).toEqual(await local());
    expect(listIntegrityAlerts(db)).toEqual([]);
  });
});

describe('(c) a record tampered with in IndexedDB before sync', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer({ dataDir: tempDir(), port: 0, clock });
  });
  afterAll(async () => {
    await server?.close();
  });

  const cases = [
    { tamper: 'alter-record', code: 'log-hash-mismatch', alertSeq: 250, problem: { kind: 'hash-mismatch', seq: 250 } },
    { tamper: 'truncate-detail', code: 'log-hash-mismatch', alertSeq: 250, problem: { kind: 'hash-mismatch', seq: 250 } },
    { tamper: 'delete-record', code: 'log-gap', alertSeq: 251, problem: { kind: 'gap', seq: 251, expected: 250 } },
    { tamper: 'reorder-records', code: 'log-broken-link', alertSeq: 250, problem: { kind: 'broken-link', seq: 250 } },
    { tamper: 'reseal-record', code: 'log-broken-link', alertSeq: 251, problem: { kind: 'broken-link', seq: 251 } },
  ] as const;

  for (const c of cases) {
    it(`${c.tamper} → refused (${c.code}), nothing of the batch stored, an integrity alert, and verifyLocal sees it`, async () => {
      const terminalId = `term-${c.tamper}`;
      const credential = registerTerminal(server.db, { name: `窓口 ${c.tamper}`, id: terminalId, serverUrl: server.url, clock });
      connect(credential, server.url);
      await fresh(terminalId);
      await callInPage(page, 'appendConcurrently', 200);
      expect(await sync()).toEqual({ kind: 'done', delivered: 200, ackSeq: 200 });
      await callInPage(page, 'appendConcurrently', 100, 200);
      const before = await local();
      await callInPage(page, 'tamper', c.tamper, 250);
      expect(await local()).not.toEqual(before);

      const result = await sync();
      expect(result).toMatchObject({ kind: 'refused', code: c.code, delivered: 0 });
      if (result.kind !== 'done') expect(result.message).toMatch(/[ぁ-んァ-ン一-龯]/);
      expect(countLogRecords(server.db, terminalId)).toBe(200);
      expect(stored(server.db, terminalId)).toEqual(before.slice(0, 200));
      expect(await callInPage<SyncCheckpoint>(page, 'syncCheckpoint')).toEqual({ ackSeq: 200, ackHash: before[199]!.hash });
      const alerts = listIntegrityAlerts(server.db, { terminalId });
      expect(alerts.length).toBeGreaterThanOrEqual(1);
      for (const alert of alerts) expect(alert).toMatchObject({ kind: c.code, seq: c.alertSeq, detail: { firstSeq: 201, storedSeq: 200 } });
      const verify = await callInPage<VerifyReport>(page, 'verify');
      expect(verify).toMatchObject({ ok: false, problem: c.problem });

      // Asked again (an explicit request): refused again, still nothing stored.
      expect(await sync()).toMatchObject({ kind: 'refused', code: c.code });
      expect(countLogRecords(server.db, terminalId)).toBe(200);
      expect(listIntegrityAlerts(server.db, { terminalId }).length).toBeGreaterThan(alerts.length);
    });
  }
});

describe('(d) the server is killed (SIGKILL) in the middle of the sync, again and again', () => {
  it('30,000 records: after each restart the terminal completes, every record stored exactly once and in order', async () => {
    const dataDir = tempDir();
    const terminalId = 'term-kill';
    let credential: TerminalCredential;
    {
      const { db } = openServerDb(dataDir);
      credential = registerTerminal(db, { name: '窓口', id: terminalId, serverUrl: 'http://127.0.0.1:8470', clock });
      db.close();
    }
    await fresh(terminalId);
    let t0 = performance.now();
    await callInPage(page, 'seed', 30_000);
    console.log(`seeded 30,000 records in ${(performance.now() - t0).toFixed(0)} ms`);

    const startChild = () => startServerProcess(dataDir);

    const KILLS = 6;
    const BATCH = 1000;
    let interrupted = 0;
    const outcomes: string[] = [];
    t0 = performance.now();
    for (let round = 0; ; round++) {
      expect(round, outcomes.join('\n')).toBeLessThan(40);
      const { child, url, exited } = await startChild();
      let alive = true;
      void exited.then(() => (alive = false));
      connect(credential, url); // the port changes with every start
      // Did the last kill come after a commit whose answer never reached the terminal?
      const serverHead = (await client().logCursor()).ackSeq;
      const checkpoint = (await callInPage<SyncCheckpoint | null>(page, 'syncCheckpoint'))?.ackSeq ?? 0;
      let line = `start ${round + 1}: server ${serverHead}, terminal checkpoint ${checkpoint}${serverHead > checkpoint ? ' (stored, not acknowledged)' : ''}`;
      const killing = interrupted < KILLS;
      let passRunning = true;
      let killed = false;
      let timer: ReturnType<typeof setTimeout> | null = null;
      const kill = () => {
        if (!passRunning || !alive) return false;
        killed = true;
        child.kill('SIGKILL');
        return true;
      };
      if (killing) {
        const atPush = 1 + Math.floor(Math.random() * 3);
        let n = 0;
        if (round % 3 === 1) {
          // Right after the server committed a batch and answered, before the answer reached the
          // terminal (as if the connection died with the server): stored, not acknowledged.
          line += `; kill when the answer to push ${atPush} arrives`;
          relay.onAnswer = () => ++n === atPush && kill();
        } else {
          // At a random moment after the 1st–3rd push of this pass has started: before the server
          // read it, while it verifies or commits, after the commit, or while the terminal reads
          // its next batch.
          const delayMs = Math.floor(Math.random() * 250);
          line += `; kill ${delayMs} ms after push ${atPush}`;
          relay.onPush = () => {
            if (++n === atPush) timer = setTimeout(kill, delayMs);
          };
        }
      }
      // Small batches while killing (more moments to hit), the production size for the last pass.
      const result = await sync(killing ? BATCH : undefined);
      passRunning = false;
      relay.onPush = null;
      relay.onAnswer = null;
      if (timer) clearTimeout(timer);
      outcomes.push(`${line} → ${killed ? 'killed, ' : ''}${result.kind}${result.kind === 'done' ? '' : ` (${result.code})`}`);
      expect(result.kind, outcomes.join('\n')).not.toBe('refused');
      if (!killed) expect(result.kind, outcomes.join('\n')).toBe('done');
      if (result.kind === 'retry') interrupted++;
      if (alive) child.kill('SIGTERM');
      await exited;
      if (result.kind === 'done' && !killed) break;
    }
    console.log(`kill rounds (${(performance.now() - t0).toFixed(0)} ms):\n${outcomes.join('\n')}`);
    expect(interrupted).toBeGreaterThanOrEqual(KILLS);
    expect(outcomes.some((o) => o.includes('(stored, not acknowledged)')), outcomes.join('\n')).toBe(true);

    const chain = await localChain();
    expect(chain).toHaveLength(30_000);
    const head = await callInPage<LogHead>(page, 'head');
    expect(await callInPage<SyncCheckpoint>(page, 'syncCheckpoint')).toEqual({ ackSeq: 30_000, ackHash: head.hash });
    const { db } = openServerDb(dataDir);
    try {
      expect(countLogRecords(db, terminalId)).toBe(30_000);
      expect(stored(db, terminalId).map((r) => [r.seq, r.hash])).toEqual(chain);
      expect(listIntegrityAlerts(db)).toEqual([]);
    } finally {
      db.close();
    }
  }, 120_000);
});

describe('(e) appendDelivered: main-side events enter the log once', () => {
  const EPOCH_A = '6f1c1b0e-0000-4000-8000-00000000000a';
  const EPOCH_B = '6f1c1b0e-0000-4000-8000-00000000000b';
  const base = Date.parse('2026-11-24T01:00:00.000Z');
  const events = (from: number, to: number, tag = 'a'): PendingLogEvent[] =>
    Array.from({ length: to - from + 1 }, (_, i) => {
      const eid = from + i;
      return { eid, at: new Date(base + eid * 1000).toISOString(), clockOffsetMs: 40 + eid, type: 'card.inserted', outcome: 'info', operatorId: null, cardKeyId: null, detail: { tag, n: eid } };
    });
  const delivered = async () => (await local()).map((r) => `${String(r.detail.tag)}${String(r.detail.n)}`);

  it('redelivered events (a renderer reload before main heard the acknowledgement) are appended once; a new epoch starts again', async () => {
    const terminalId = 'term-main';
    const server = await startServer({ dataDir: tempDir(), port: 0, clock });
    try {
      const credential = registerTerminal(server.db, { name: '窓口', id: terminalId, serverUrl: server.url, clock });
      connect(credential, server.url);
      const name = await fresh(terminalId);
      await callInPage(page, 'append', { type: 'session.started', outcome: 'info', operatorId: null, cardKeyId: null, detail: { tag: 's', n: 0 } });

      expect(await callInPage<number>(page, 'appendDelivered', EPOCH_A, events(1, 5))).toBe(5);
      const first = await local();
      expect(first.slice(1).map((r) => [r.seq, r.at, r.clockOffsetMs, r.detail.n])).toEqual(events(1, 5).map((e, i) => [i + 2, e.at, e.clockOffsetMs, e.eid]));
      expect(await callInPage<number>(page, 'mainApplied', EPOCH_A)).toBe(5);

      // Delivered again in the same page, and after a reload (main never got the acknowledgement).
      expect(await callInPage<number>(page, 'appendDelivered', EPOCH_A, events(1, 5))).toBe(5);
      await page.reload();
      await page.waitForFunction('document.getElementById("status")?.textContent === "ready"');
      expect((await callInPage<RecoverReport>(page, 'open', name, terminalId)).problems).toEqual([]);
      expect(await callInPage<number>(page, 'mainApplied', EPOCH_A)).toBe(5);
      expect(await callInPage<number>(page, 'appendDelivered', EPOCH_A, events(1, 5))).toBe(5);
      expect(await local()).toEqual(first);

      // Old and new together, out of order, and the same delivery from two connections (two tabs) at once.
      expect(await callInPage<number[]>(page, 'appendDeliveredTwoConnections', name, terminalId, EPOCH_A, [...events(6, 8), ...events(3, 5)].reverse())).toEqual([8, 8]);
      expect(await delivered()).toEqual(['s0', 'a1', 'a2', 'a3', 'a4', 'a5', 'a6', 'a7', 'a8']);
      expect(await callInPage<number>(page, 'appendDelivered', EPOCH_A, events(7, 9))).toBe(9);
      expect(await delivered()).toHaveLength(10);

      // Main's journal was replaced: a new epoch numbers from 1 again, and its events go in.
      expect(await callInPage<number>(page, 'mainApplied', EPOCH_B)).toBe(0);
      expect(await callInPage<number>(page, 'appendDelivered', EPOCH_B, events(1, 3, 'b'))).toBe(3);
      expect(await callInPage<number>(page, 'appendDelivered', EPOCH_B, events(1, 3, 'b'))).toBe(3);
      expect(await callInPage<number>(page, 'mainApplied', EPOCH_B)).toBe(3);
      expect(await callInPage<number>(page, 'mainApplied', EPOCH_A)).toBe(0);
      expect(await delivered()).toEqual(['s0', 'a1', 'a2', 'a3', 'a4', 'a5', 'a6', 'a7', 'a8', 'a9', 'b1', 'b2', 'b3']);
      const records = await local();
      expect(records.map((r) => r.seq)).toEqual(Array.from({ length: 13 }, (_, i) => i + 1));
      expect(await callInPage<VerifyReport>(page, 'verify')).toMatchObject({ ok: true, checked: 13 });

      // And on the server each main event is there once.
      expect(await sync()).toEqual({ kind: 'done', delivered: 13, ackSeq: 13 });
      expect(stored(server.db, terminalId)).toEqual(records);
    } finally {
      await server.close();
    }
  });
});

describe('(f) the local store is replaced (profile wiped, reinstall) while the server holds the terminal’s earlier records', () => {
  it('the new store’s records are chained after the server’s head behind a log.store-replaced record; nothing lost, chain verifies', async () => {
    const terminalId = 'term-replaced';
    const server = await startServer({ dataDir: tempDir(), port: 0, clock });
    try {
      const credential = registerTerminal(server.db, { name: '窓口', id: terminalId, serverUrl: server.url, clock });
      connect(credential, server.url);
      await fresh(terminalId);
      await callInPage(page, 'appendConcurrently', 30);
      expect(await sync()).toEqual({ kind: 'done', delivered: 30, ackSeq: 30 });
      const earlier = stored(server.db, terminalId);

      // A new, empty store for the same terminal writes 20 records (seq 1–20) before it reaches the server.
      await fresh(terminalId);
      await callInPage(page, 'appendConcurrently', 20, 100);
      const written = await local();
      expect(written.map((r) => r.seq)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));

      expect(await sync()).toEqual({ kind: 'done', delivered: 21, ackSeq: 51 });
      const all = stored(server.db, terminalId); // verifies the whole chain 1–51
      expect(all.slice(0, 30)).toEqual(earlier);
      expect(all[30]).toMatchObject({ seq: 31, type: 'log.store-replaced', outcome: 'failure', prevHash: earlier[29]!.hash, detail: { serverSeq: 30, localRecords: 20, firstLocalAt: written[0]!.at, lastLocalAt: written[19]!.at } });
      // Every record of the new store, with its content, time and old number.
      expect(all.slice(31).map(({ seq: _s, hash: _h, prevHash: _p, detail, ...rest }) => ({ ...rest, detail }))).toEqual(
        written.map(({ seq, hash: _h, prevHash: _p, detail, ...rest }) => ({ ...rest, detail: { ...detail, localSeq: seq } })),
      );
      expect(await local()).toEqual(all.slice(30));
      expect(await callInPage<VerifyReport>(page, 'verify')).toMatchObject({ ok: true, checked: 21, base: { seq: 30, hash: earlier[29]!.hash } });
      expect(await callInPage<Backlog>(page, 'backlog')).toMatchObject({ count: 0, ackSeq: 51 });
      expect(listIntegrityAlerts(server.db)).toEqual([]);

      // The store goes on from there; a second pass moves nothing again.
      await callInPage(page, 'appendConcurrently', 5, 200);
      expect(await sync()).toEqual({ kind: 'done', delivered: 5, ackSeq: 56 });
      expect(stored(server.db, terminalId).filter((r) => r.type === 'log.store-replaced')).toHaveLength(1);

      // A replaced store whose own chain is broken is not chained on: refused, nothing sent.
      await fresh(terminalId);
      await callInPage(page, 'appendConcurrently', 10, 300);
      await callInPage(page, 'tamper', 'alter-record', 4);
      const pushes = relay.pushes;
      expect(await sync()).toMatchObject({ kind: 'refused', code: 'diverged' });
      expect(relay.pushes).toBe(pushes);
      expect(countLogRecords(server.db, terminalId)).toBe(56);
      expect(await callInPage<SyncCheckpoint | null>(page, 'syncCheckpoint')).toBeNull();
    } finally {
      await server.close();
    }
  });
});
