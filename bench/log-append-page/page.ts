// Test and benchmark page for the renderer's operation log (src/renderer/src/log), built with Vite
// and driven from Node through playwright-core (test/unit/log-writer-chromium.test.ts,
// bench/log-append.ts, test/integration/log-sync-chromium.test.ts). Everything the Node side needs
// is a function on `window.__log`, called by name with JSON arguments (`callInPage` in harness.ts):
// no Node-side function is ever serialised into the page. The sync's two contract calls go to
// `window.__relayCursor` / `window.__relayPush`, which a test exposes from Node
// (`page.exposeFunction`) with main's real relay to a real server.
import Dexie, { liveQuery } from 'dexie';
import { TerminalDb } from '../../src/renderer/src/log/log-db';
import { sealRecord, type LogRecord } from '../../src/domain/log/log-record';
import type { LogEvent, SyncCheckpoint } from '../../src/renderer/src/log/log-rules';
import { sha256Hex } from '../../src/renderer/src/log/sha256';
import { LogWriter } from '../../src/renderer/src/log/log-writer';
import { syncPass, type LogSyncApi } from '../../src/renderer/src/log/log-sync';
import type { LogSyncResult, PendingLogEvent, TerminalClient } from '../../src/shared/contract';
import { wsClient } from '../../src/renderer/src/transport/ws-client';
import { wireRecordsJson } from '../../src/shared/log-api';

let db: TerminalDb | null = null;
let writer: LogWriter | null = null;
let clockShiftMs = 0;
let watched: { count: number | null; backlog: number | null; stop(): void } | null = null;

const clock = () => ({ at: new Date(Date.now() + clockShiftMs).toISOString(), clockOffsetMs: -clockShiftMs });

function need(): { db: TerminalDb; writer: LogWriter } {
  if (!db || !writer) throw new Error('call open() first');
  return { db, writer };
}

export function sampleEvent(i: number): LogEvent {
  return {
    type: 'record.viewed',
    outcome: 'success',
    operatorId: 'op-yamada',
    cardKeyId: 'a'.repeat(64),
    detail: { purpose: '住民票の写しの交付', residentRef: `r-${i}`, screen: 'resident-detail', n: i },
  };
}

/** The renderer's side of main's log calls (getLogCursor / pushLogBatch), answered by the Node side. */
/** The second host's contract client (WebSocket to this page's origin), once `useTerminalHost()` was called. */
let terminal: TerminalClient | null = null;

const relay: LogSyncApi = {
  getLogCursor() {
    if (terminal) return terminal.getLogCursor({});
    if (!window.__relayCursor) throw new Error('the Node side has not exposed __relayCursor');
    return window.__relayCursor();
  },
  pushLogBatch(records, encoded) {
    if (terminal) return terminal.pushLogBatch(encoded === undefined ? { records } : { recordsJson: encoded });
    if (!window.__relayPush) throw new Error('the Node side has not exposed __relayPush');
    return window.__relayPush(records);
  },
};

/** Through the terminal's contract transport, batches go as the renderer sends them: the wire form's JSON text. */
relay.pushLogBatchAfter = (_records, encoded, follows) => {
  if (!terminal) throw new Error('handed ahead only over the terminal transport');
  return terminal.pushLogBatch({ recordsJson: encoded, follows });
};
relay.encodeBatch = (records) => {
  if (!terminal) throw new Error('encoded only for the terminal transport');
  return wireRecordsJson(records);
};

const DAY_MS = 86_400_000;

/** Seals n records after the current head (record i at `timeOf(i)`) and stores them with bulkAdd, in chunks of 5000 each with the head. */
async function seedRecords(n: number, timeOf: (i: number) => { at: string; clockOffsetMs: number }): Promise<void> {
  const { db, writer } = need();
  let head = await writer.head();
  for (let done = 0; done < n; ) {
    const chunk: LogRecord[] = [];
    for (; chunk.length < 5000 && done < n; done++) {
      const r = sealRecord({ terminalId: writer.terminalId, seq: (head?.seq ?? 0) + 1, prevHash: head?.hash ?? '0'.repeat(64), ...timeOf(done), ...sampleEvent(done) }, sha256Hex);
      chunk.push(r);
      head = { seq: r.seq, hash: r.hash, terminalId: r.terminalId };
    }
    const last = head!;
    await db.transaction('rw', db.log, db.meta, async () => {
      await db.log.bulkAdd(chunk);
      await db.meta.put({ key: 'log-head', value: last });
    });
  }
  await writer.recover({ verify: false });
}

const api = {
  /**
   * Sync through the terminal's real contract transport: when this page is served by the second
   * host (`npm run host`'s startHost, the token in the URL's hash), its WebSocket client carries
   * getLogCursor / pushLogBatch to the real TerminalService. Resolves once connected.
   */
  useTerminalHost() {
    return new Promise<void>((resolve) => {
      terminal = wsClient((connected) => {
        if (connected) resolve();
      });
    });
  },
  /** Opens (or reopens) the database and runs recover(). */
  async open(name: string, terminalId: string, verify = true) {
    db?.close();
    db = new TerminalDb(name);
    writer = new LogWriter({ db, clock, terminalId, sha256: sha256Hex });
    return writer.recover({ verify });
  },
  close() {
    db?.close();
    db = null;
    writer = null;
  },
  async deleteDb(name: string) {
    if (db?.name === name) api.close();
    await Dexie.delete(name);
  },
  setClockShift(ms: number) {
    clockShiftMs = ms;
  },
  append(event: LogEvent) {
    return need().writer.append(event);
  },
  /** n appends started at once (Promise.all); returns the seqs in call order. */
  async appendConcurrently(n: number, from = 0) {
    const { writer } = need();
    const records = await Promise.all(Array.from({ length: n }, (_, i) => writer.append(sampleEvent(from + i))));
    return records.map((r) => r.seq);
  },
  /** Like appendConcurrently, through a second writer on a second connection (another "tab" in this page). */
  async appendConcurrentlyTwoConnections(name: string, terminalId: string, n: number) {
    const { writer } = need();
    const db2 = new TerminalDb(name);
    const writer2 = new LogWriter({ db: db2, clock, terminalId, sha256: sha256Hex });
    try {
      const all = await Promise.all(Array.from({ length: n }, (_, i) => (i % 2 ? writer2 : writer).append(sampleEvent(i))));
      return all.map((r) => r.seq);
    } finally {
      db2.close();
    }
  },
  /** Starts live queries (Dexie liveQuery) of the record count and the backlog, as a UI would. */
  watch() {
    const { db, writer } = need();
    watched?.stop();
    const w = { count: null as number | null, backlog: null as number | null, stop: () => undefined as void };
    const a = liveQuery(() => db.log.count()).subscribe((n) => (w.count = n));
    const b = liveQuery(() => writer.backlog()).subscribe((x) => (w.backlog = x.count));
    w.stop = () => {
      a.unsubscribe();
      b.unsubscribe();
    };
    watched = w;
  },
  watched() {
    return watched ? { count: watched.count, backlog: watched.backlog } : null;
  },
  /**
   * Test shortcut for volume: seals n records after the current head and stores them with bulkAdd
   * (chunks of 5000, each with the head), as if appended one by one over days offline.
   */
  seed(n: number) {
    return seedRecords(n, () => clock());
  },
  /** Times a few calls in the page (ms). */
  async timeCalls(afterSeq: number) {
    const { writer } = need();
    const t = (s: number) => performance.now() - s;
    let s = performance.now();
    const backlog = await writer.backlog();
    const backlogMs = t(s);
    s = performance.now();
    const batch = await writer.pendingBatch(afterSeq);
    const batchMs = t(s);
    s = performance.now();
    const verify = await writer.verifyLocal();
    const verifyMs = t(s);
    s = performance.now();
    await writer.append(sampleEvent(-1));
    const appendMs = t(s);
    return { backlog, backlogMs, batchLength: batch.length, batchMs, verifyOk: verify.ok, verifyChecked: verify.checked, verifyMs, appendMs };
  },
  all() {
    return need().db.log.orderBy(':id').toArray();
  },
  count() {
    return need().db.log.count();
  },
  head() {
    return need().writer.head();
  },
  meta() {
    return need().db.meta.toArray();
  },
  recover(verify = true) {
    return need().writer.recover({ verify });
  },
  verify() {
    return need().writer.verifyLocal();
  },
  backlog() {
    return need().writer.backlog();
  },
  acknowledge(ack: SyncCheckpoint) {
    return need().writer.acknowledge(ack);
  },
  prune(ackSeq: number, keepDays: number) {
    return need().writer.pruneSynced(ackSeq, keepDays);
  },
  pendingBatch(afterSeq: number, max: number, maxBytes?: number) {
    return need().writer.pendingBatch(afterSeq, max, maxBytes);
  },
  async storage() {
    const { writer } = need();
    return { persisted: await writer.requestPersistentStorage(), status: await writer.storageEstimate() };
  },
  /**
   * Damage done from outside the writer, as a tamperer or a broken disk would: 'reorder-records'
   * swaps record seq and seq + 1 (each stored under the other's seq), 'truncate-detail' cuts the
   * record's longest detail text to half, 'reseal-record' alters the record and seals it again (its
   * own hash right, the next record's link broken).
   */
  async tamper(what: 'delete-head' | 'delete-record' | 'alter-record' | 'rewind-head' | 'reorder-records' | 'truncate-detail' | 'reseal-record', seq = 0) {
    const { db } = need();
    const get = async (n: number): Promise<LogRecord> => {
      const r = await db.log.get(n);
      if (!r) throw new Error(`no record ${n}`);
      return r;
    };
    if (what === 'delete-head') await db.meta.delete('log-head');
    if (what === 'delete-record') await db.log.delete(seq);
    if (what === 'alter-record') await db.log.update(seq, { detail: { altered: true } });
    if (what === 'rewind-head') {
      const r = await get(seq);
      await db.meta.put({ key: 'log-head', value: { seq: r.seq, hash: r.hash, terminalId: r.terminalId } });
    }
    if (what === 'reorder-records') {
      await db.transaction('rw', db.log, async () => {
        const [a, b] = [await get(seq), await get(seq + 1)];
        await db.log.bulkPut([
          { ...b, seq: a.seq },
          { ...a, seq: b.seq },
        ]);
      });
    }
    if (what === 'truncate-detail') {
      const r = await get(seq);
      const [key, text] = Object.entries(r.detail)
        .filter((e): e is [string, string] => typeof e[1] === 'string')
        .sort((x, y) => y[1].length - x[1].length)[0] ?? [];
      if (key === undefined || text === undefined || text.length < 2) throw new Error(`record ${seq} has no text to truncate`);
      await db.log.put({ ...r, detail: { ...r.detail, [key]: text.slice(0, Math.floor(text.length / 2)) } });
    }
    if (what === 'reseal-record') {
      const { hash: _old, ...body } = await get(seq);
      await db.log.put(sealRecord({ ...body, outcome: body.outcome === 'failure' ? 'success' : 'failure' }, sha256Hex));
    }
  },

  /**
   * Like seed, for days × perDay records spread over each working day (7.5 hours from `startIso`,
   * one day later each day): the clock is shifted back for each record, as a terminal offline for
   * that long would have written them (clockOffsetMs says how far the shift went). Returns the head.
   */
  async seedOverDays(days: number, perDay: number, startIso: string) {
    const start = Date.parse(startIso);
    if (!Number.isFinite(start)) throw new RangeError(`seedOverDays: bad start ${startIso}`);
    const step = Math.floor((7.5 * 3_600_000) / perDay);
    const saved = clockShiftMs;
    try {
      await seedRecords(days * perDay, (i) => {
        clockShiftMs = start + Math.floor(i / perDay) * DAY_MS + (i % perDay) * step - Date.now();
        return clock();
      });
    } finally {
      clockShiftMs = saved;
    }
    return need().writer.head();
  },

  /** LogWriter.appendDelivered: main-side events into the log, each once (per main's numbering `epoch`). */
  appendDelivered(epoch: string, events: PendingLogEvent[]) {
    return need().writer.appendDelivered(epoch, events);
  },
  /** The same delivery made at once through this writer and a second one on its own connection (two tabs). */
  async appendDeliveredTwoConnections(name: string, terminalId: string, epoch: string, events: PendingLogEvent[]) {
    const { writer } = need();
    const db2 = new TerminalDb(name);
    const writer2 = new LogWriter({ db: db2, clock, terminalId, sha256: sha256Hex });
    try {
      return await Promise.all([writer.appendDelivered(epoch, events), writer2.appendDelivered(epoch, events)]);
    } finally {
      db2.close();
    }
  },
  mainApplied(epoch: string) {
    return need().writer.mainApplied(epoch);
  },
  syncCheckpoint() {
    return need().writer.syncCheckpoint();
  },
  /** One sync pass (log-sync.ts) from this page's log through the Node side's relay. */
  syncPass(batchSize?: number) {
    return syncPass(relay, need().writer, batchSize === undefined ? {} : { batchSize });
  },
  /** Sends the records after `afterSeq` (at most `max`) once through the relay, whatever the checkpoint says (a resend). */
  async pushPending(afterSeq: number, max: number) {
    return relay.pushLogBatch(await need().writer.pendingBatch(afterSeq, max));
  },
  /** [seq, hash] of every stored record, in order (cheaper than all() for large logs). */
  async chain() {
    const out: [number, string][] = [];
    await need().db.log.orderBy(':id').each((r) => {
      out.push([r.seq, r.hash]);
    });
    return out;
  },

  /** The benchmark: n single-event appends, each awaited before the next, timed in the page. */
  async bench(n: number) {
    const { writer } = need();
    const durations: number[] = [];
    const t0 = performance.now();
    for (let i = 0; i < n; i++) {
      const s = performance.now();
      await writer.append(sampleEvent(i));
      durations.push(performance.now() - s);
    }
    return { durations, totalMs: performance.now() - t0 };
  },
  /** Baseline: a bare Dexie add per event with strict durability (no chain, no meta, no validation). */
  async benchBare(name: string, n: number) {
    await Dexie.delete(name);
    const bare = new Dexie(name, { chromeTransactionDurability: 'strict' });
    bare.version(1).stores({ log: '++id' });
    await bare.open();
    const durations: number[] = [];
    const t0 = performance.now();
    for (let i = 0; i < n; i++) {
      const s = performance.now();
      await bare.table('log').add({ at: new Date().toISOString(), ...sampleEvent(i) });
      durations.push(performance.now() - s);
    }
    const totalMs = performance.now() - t0;
    bare.close();
    await Dexie.delete(name);
    return { durations, totalMs };
  },
};

declare global {
  interface Window {
    __log: typeof api;
    __relayCursor?: () => Promise<LogSyncResult>;
    __relayPush?: (records: LogRecord[]) => Promise<LogSyncResult>;
  }
}

window.__log = api;
document.getElementById('status')!.textContent = 'ready';
