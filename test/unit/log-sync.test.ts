// The renderer's log sync engine (src/renderer/src/log/log-sync.ts) in plain Node: an in-memory
// log with real sealed chains stands in for the IndexedDB writer, a fake server (the chain rules
// of docs/log-protocol.md) for main's relay. Timers and randomness are injected: nothing waits.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { GENESIS_HASH, sealRecord, verifyChain, type LogRecord } from '../../src/domain/log/log-record';
import type { LogSyncResult } from '../../src/shared/contract';
import { MAX_BATCH_RECORDS, wireRecordsJson } from '../../src/shared/log-api';
import { LOG_BATCH_NOT_SENT, LogPushQueue } from '../../src/node/terminal/log-push-queue';
import { BATCH_RECORDS_MAX_BYTES, LogIntegrityError, type SyncCheckpoint } from '../../src/renderer/src/log/log-rules';
import { backoffDelay, LogSyncer, syncPass, type LogSyncApi, type LogSyncSource, type SyncPassResult, type SyncStatus } from '../../src/renderer/src/log/log-sync';

const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');
const TERMINAL = 'term-sync';

/** Everything the fakes saw, in order: 'cursor', 'push 1-100', 'ack 100', 'read >100'. */
type Trace = string[];

/** The terminal's log in memory, with LogWriter's rules for the checkpoint (log-writer.ts). */
class MemorySource implements LogSyncSource {
  records: LogRecord[] = [];
  checkpoint: SyncCheckpoint | null = null;
  constructor(readonly trace: Trace = []) {}

  append(count: number): this {
    for (let i = 0; i < count; i++) {
      const previous = this.records.at(-1);
      const seq = (previous?.seq ?? 0) + 1;
      this.records.push(
        sealRecord(
          {
            terminalId: TERMINAL,
            seq,
            prevHash: previous?.hash ?? GENESIS_HASH,
            at: new Date(Date.parse('2026-04-06T00:30:00.000Z') + seq * 1000).toISOString(),
            clockOffsetMs: 12,
            type: 'record.viewed',
            outcome: 'success',
            operatorId: 'op-yamada',
            cardKeyId: null,
            detail: { purpose: '住民票の写しの交付', n: seq },
          },
          sha256,
        ),
      );
    }
    return this;
  }

  async pendingBatch(afterSeq: number, max: number = MAX_BATCH_RECORDS): Promise<LogRecord[]> {
    this.trace.push(`read >${afterSeq}`);
    const batch = this.records.filter((r) => r.seq > afterSeq).slice(0, max);
    if (batch[0] && batch[0].seq !== afterSeq + 1) throw new LogIntegrityError(`records ${afterSeq + 1}–${batch[0].seq - 1} are not stored on this terminal`);
    return batch.map((r) => ({ ...r, detail: { ...r.detail } }));
  }

  async acknowledge(ack: SyncCheckpoint): Promise<SyncCheckpoint> {
    this.trace.push(`ack ${ack.ackSeq}`);
    const current = this.checkpoint;
    if (current && ack.ackSeq <= current.ackSeq) {
      if (ack.ackSeq === current.ackSeq && ack.ackHash !== current.ackHash) throw new LogIntegrityError('another hash than before');
      return current;
    }
    const head = this.records.at(-1)?.seq ?? 0;
    if (ack.ackSeq > head) throw new LogIntegrityError(`acknowledged ${ack.ackSeq}, only ${head} written`);
    if (ack.ackSeq > 0 && this.records.find((r) => r.seq === ack.ackSeq)?.hash !== ack.ackHash) throw new LogIntegrityError(`hash of ${ack.ackSeq} differs`);
    this.checkpoint = { ackSeq: ack.ackSeq, ackHash: ack.ackHash };
    return this.checkpoint;
  }

  async syncCheckpoint(): Promise<SyncCheckpoint | null> {
    return this.checkpoint;
  }
}

const failure = (code: string, retry: boolean): LogSyncResult => ({ ok: false, retry, code, message: `失敗 (${code})` });
/** What a hook answers instead of the fake server (anything: the transport crosses a process boundary). */
type Replaced = { answer: unknown };
const fail = (code: string, retry: boolean): Replaced => ({ answer: failure(code, retry) });
const answer = (value: unknown): Replaced => ({ answer: value });

/** The central server's chain rules for one terminal, as relayed by main (log-relay.ts's mapping). */
class FakeServer implements LogSyncApi {
  stored: LogRecord[] = [];
  pushes: LogRecord[][] = [];
  cursorCalls = 0;
  /** Runs before a push is judged; a Replaced answer is what the terminal gets (the server never saw the batch). */
  beforePush: ((records: LogRecord[], n: number) => Replaced | undefined) | null = null;
  /** Runs after a push was judged (and stored): a Replaced answer is what the terminal gets (the real one was lost). */
  afterPush: ((records: LogRecord[], n: number, answer: LogSyncResult) => Replaced | undefined) | null = null;
  beforeCursor: ((n: number) => Replaced | undefined) | null = null;
  /** Invariant checked on every push: the terminal sends from its checkpoint (one batch in flight). */
  onPush: ((records: LogRecord[]) => void) | null = null;
  encodeBatch?: (records: LogRecord[]) => string;
  pushLogBatchAfter?: (records: LogRecord[], encoded: string, follows: number) => Promise<LogSyncResult>;

  constructor(readonly trace: Trace = []) {}

  head(): { ackSeq: number; ackHash: string } {
    const last = this.stored.at(-1);
    return { ackSeq: last?.seq ?? 0, ackHash: last?.hash ?? GENESIS_HASH };
  }

  async getLogCursor(): Promise<LogSyncResult> {
    this.trace.push('cursor');
    const n = ++this.cursorCalls;
    const replaced = this.beforeCursor?.(n);
    if (replaced) return replaced.answer as LogSyncResult;
    return { ok: true, ...this.head() };
  }

  async pushLogBatch(records: LogRecord[]): Promise<LogSyncResult> {
    this.trace.push(`push ${records[0]?.seq}-${records.at(-1)?.seq}`);
    this.pushes.push(records);
    this.onPush?.(records);
    const n = this.pushes.length;
    const replaced = this.beforePush?.(records, n);
    if (replaced) return replaced.answer as LogSyncResult;
    const answer = this.ingest(records);
    const lost = this.afterPush?.(records, n, answer);
    return lost ? (lost.answer as LogSyncResult) : answer;
  }

  /** docs/log-protocol.md: new records after the head, a resend or an overlap; refusals otherwise. */
  private ingest(records: LogRecord[]): LogSyncResult {
    const head = this.head();
    const first = records[0]!;
    if (first.seq > head.ackSeq + 1) return failure('log-gap', true);
    for (const r of records) {
      const known = this.stored[r.seq - 1];
      if (known && known.hash !== r.hash) return failure('log-conflict', false);
    }
    const before = first.seq === 1 ? GENESIS_HASH : this.stored[first.seq - 2]!.hash;
    const problem = verifyChain(records, first.seq === 1 ? null : { seq: first.seq - 1, hash: before }, TERMINAL, sha256);
    if (problem) return failure({ gap: 'log-gap', 'broken-link': 'log-broken-link', 'hash-mismatch': 'log-hash-mismatch', 'wrong-terminal': 'log-wrong-terminal' }[problem.kind], problem.kind === 'gap');
    const fresh = records.filter((r) => r.seq > head.ackSeq);
    this.stored.push(...fresh);
    return { ok: true, ...this.head() };
  }
}

function setup(records: number) {
  const trace: Trace = [];
  const source = new MemorySource(trace).append(records);
  const server = new FakeServer(trace);
  // One batch in flight, sent from the checkpoint: every push starts right after what the terminal holds as acknowledged.
  server.onPush = (batch) => expect(batch[0]!.seq).toBe((source.checkpoint?.ackSeq ?? 0) + 1);
  return { trace, source, server };
}

describe('syncPass', () => {
  it('sends from the cursor in order and advances the checkpoint only after each acknowledgement', async () => {
    const { trace, source, server } = setup(250);
    // The checkpoint is never ahead of what the server has stored.
    const acknowledge = source.acknowledge.bind(source);
    source.acknowledge = async (ack) => {
      expect(ack.ackSeq).toBeLessThanOrEqual(server.head().ackSeq);
      return acknowledge(ack);
    };
    const result = await syncPass(server, source, { batchSize: 100 });
    expect(result).toEqual({ kind: 'done', delivered: 250, ackSeq: 250 });
    expect(server.stored).toEqual(source.records);
    expect(server.pushes.map((b) => [b[0]!.seq, b.at(-1)!.seq])).toEqual([
      [1, 100],
      [101, 200],
      [201, 250],
    ]);
    expect(source.checkpoint).toEqual({ ackSeq: 250, ackHash: source.records[249]!.hash });
    // Reads may run ahead (the next batch is read while one travels); pushes and acks alternate strictly.
    expect(trace.filter((t) => !t.startsWith('read'))).toEqual(['cursor', 'ack 0', 'push 1-100', 'ack 100', 'push 101-200', 'ack 200', 'push 201-250', 'ack 250']);
    // Nothing new: one cursor read, nothing sent.
    trace.length = 0;
    expect(await syncPass(server, source, { batchSize: 100 })).toEqual({ kind: 'done', delivered: 0, ackSeq: 250 });
    expect(trace.filter((t) => t.startsWith('push'))).toEqual([]);
  });

  it('writes each checkpoint while the next batch travels, and ends the pass only once the last one is written', async () => {
    const { trace, source, server } = setup(250);
    // An IndexedDB-like checkpoint write: it completes later, on its own.
    const acknowledge = source.acknowledge.bind(source);
    let writing = 0;
    let overlapped = 0;
    source.acknowledge = async (ack) => {
      expect(ack.ackSeq).toBeLessThanOrEqual(server.head().ackSeq);
      expect(writing, 'one checkpoint write at a time, in order').toBe(0);
      writing++;
      await new Promise((resolve) => setTimeout(resolve, 5));
      writing--;
      trace.push(`written ${ack.ackSeq}`);
      return acknowledge(ack);
    };
    server.onPush = (batch) => {
      if (writing > 0) overlapped++;
      // Still one batch in flight: each push starts after everything the server has acknowledged.
      expect(batch[0]!.seq).toBe(server.head().ackSeq + 1);
    };
    const result = await syncPass(server, source, { batchSize: 100 });
    expect(result).toEqual({ kind: 'done', delivered: 250, ackSeq: 250 });
    expect(source.checkpoint).toEqual({ ackSeq: 250, ackHash: source.records[249]!.hash });
    expect(overlapped).toBe(2);
    expect(trace.filter((t) => t.startsWith('written') || t.startsWith('push'))).toEqual(['written 0', 'push 1-100', 'push 101-200', 'written 100', 'push 201-250', 'written 200', 'written 250']);
  });

  it('a checkpoint write that finds another history is a refusal; one that fails otherwise leaves the checkpoint behind, and the next pass resends nothing twice', async () => {
    const { source, server } = setup(300);
    server.onPush = null;
    const acknowledge = source.acknowledge.bind(source);
    source.acknowledge = async (ack) => {
      await new Promise((resolve) => setTimeout(resolve, 2));
      if (ack.ackSeq === 100) throw new LogIntegrityError('the hash differs (another tab rewrote it)');
      return acknowledge(ack);
    };
    const refused = await syncPass(server, source, { batchSize: 100 });
    expect(refused).toMatchObject({ kind: 'refused', code: 'diverged' });
    // The batch after it may have travelled meanwhile, but nothing was acknowledged past the failed write.
    expect(source.checkpoint?.ackSeq).toBe(0);
    expect(server.pushes.length).toBeLessThanOrEqual(2);

    source.acknowledge = async (ack) => {
      await new Promise((resolve) => setTimeout(resolve, 2));
      if (ack.ackSeq === 300) throw new Error('QuotaExceededError');
      return acknowledge(ack);
    };
    // The cursor (200: the first pass's pushes were stored) is acknowledged, 201–300 sent, its write fails.
    await expect(syncPass(server, source, { batchSize: 100 })).rejects.toThrow('QuotaExceededError');
    expect(server.head().ackSeq).toBe(300);
    expect(source.checkpoint?.ackSeq).toBe(200);
    source.acknowledge = acknowledge;
    expect(await syncPass(server, source, { batchSize: 100 })).toMatchObject({ kind: 'done', ackSeq: 300 });
    expect(server.stored).toEqual(source.records);
    expect(source.checkpoint).toEqual({ ackSeq: 300, ackHash: source.records[299]!.hash });
  });

  it('resumes from the cursor after an interruption mid-pass, also when the lost answer was stored', async () => {
    const { source, server } = setup(500);
    // Third batch: the server is unreachable.
    server.beforePush = (_records, n) => (n === 3 ? fail('unreachable', true) : undefined);
    expect(await syncPass(server, source, { batchSize: 100 })).toMatchObject({ kind: 'retry', delivered: 200, code: 'unreachable' });
    expect(source.checkpoint?.ackSeq).toBe(200);
    expect(server.stored).toHaveLength(200);

    // Next pass: 201-300 goes through; 301-400 is stored but the answer is lost on the way back.
    server.beforePush = null;
    server.afterPush = (_records, n) => (n === 5 ? fail('unreachable', true) : undefined);
    expect(await syncPass(server, source, { batchSize: 100 })).toMatchObject({ kind: 'retry', delivered: 100, code: 'unreachable' });
    expect(source.checkpoint?.ackSeq).toBe(300);
    expect(server.stored).toHaveLength(400);

    // The cursor says 400: the terminal moves its checkpoint there and goes on from 401 (no resend;
    // `delivered` counts what this pass sent).
    server.afterPush = null;
    const pushesBefore = server.pushes.length;
    expect(await syncPass(server, source, { batchSize: 100 })).toEqual({ kind: 'done', delivered: 100, ackSeq: 500 });
    expect(server.pushes.slice(pushesBefore).map((b) => b[0]!.seq)).toEqual([401]);
    expect(server.stored).toEqual(source.records);
  });

  it('records written during a pass are sent in the same pass', async () => {
    const { source, server } = setup(150);
    server.beforePush = (_records, n) => {
      if (n === 1) source.append(30);
      return undefined;
    };
    expect(await syncPass(server, source, { batchSize: 100 })).toEqual({ kind: 'done', delivered: 180, ackSeq: 180 });
    expect(server.stored).toEqual(source.records);
  });

  it("refetches the cursor after 'log-gap' and resends from it", async () => {
    const { trace, source, server } = setup(300);
    // The server lost track once (e.g. answered a stale view): a gap for the second batch.
    server.beforePush = (_records, n) => (n === 2 ? fail('log-gap', true) : undefined);
    expect(await syncPass(server, source, { batchSize: 100 })).toEqual({ kind: 'done', delivered: 300, ackSeq: 300 });
    expect(trace.filter((t) => !t.startsWith('read'))).toEqual(['cursor', 'ack 0', 'push 1-100', 'ack 100', 'push 101-200', 'cursor', 'ack 100', 'push 101-200', 'ack 200', 'push 201-300', 'ack 300']);
    expect(server.stored).toEqual(source.records);
  });

  it("a gap that persists after re-reading the cursor (a record deleted locally) is a refusal, not a loop", async () => {
    const { source, server } = setup(300);
    await syncPass(server, source, { batchSize: 100 });
    source.append(100);
    source.records.splice(349, 1); // record 350 deleted from the terminal's store
    const result = await syncPass(server, source, { batchSize: 1000 });
    expect(result).toMatchObject({ kind: 'refused', delivered: 0, code: 'log-gap' });
    expect(server.cursorCalls).toBeLessThanOrEqual(1 + 4);
    expect(server.stored).toHaveLength(300);
    expect(source.checkpoint?.ackSeq).toBe(300);
  });

  it("halves the batch on 'body-too-large' until it fits", async () => {
    const { source, server } = setup(3000);
    server.beforePush = (records) => (records.length > 600 ? fail('body-too-large', true) : undefined);
    expect(await syncPass(server, source)).toEqual({ kind: 'done', delivered: 3000, ackSeq: 3000 });
    expect(server.pushes.map((b) => b.length)).toEqual([3000, 2500, 1250, 625, ...Array(9).fill(312), 192]);
    expect(server.stored).toEqual(source.records);
    expect(source.checkpoint?.ackSeq).toBe(3000);

    // Even one record is too large: nothing more can be done in this pass.
    const single = setup(3);
    single.server.beforePush = () => fail('body-too-large', true);
    expect(await syncPass(single.server, single.source, { batchSize: 2 })).toMatchObject({ kind: 'retry', code: 'body-too-large', delivered: 0 });
    expect(single.server.pushes.map((b) => b.length)).toEqual([2, 1]);
  });

  it('returns refused on the final refusals, with nothing acknowledged past the refused batch', async () => {
    for (const code of ['log-conflict', 'log-broken-link', 'log-hash-mismatch', 'log-wrong-terminal', 'invalid-request', 'unsupported-media-type']) {
      const { source, server } = setup(250);
      server.beforePush = (_records, n) => (n === 2 ? fail(code, false) : undefined);
      const result = await syncPass(server, source, { batchSize: 100 });
      expect(result).toEqual({ kind: 'refused', delivered: 100, code, message: `失敗 (${code})` });
      expect(server.pushes).toHaveLength(2); // not retried within the pass
      expect(source.checkpoint?.ackSeq).toBe(100);
    }
    // A record really altered after sealing: the fake server's chain check refuses it.
    const { source, server } = setup(120);
    source.records[109] = { ...source.records[109]!, detail: { ...source.records[109]!.detail, purpose: '住民票' } };
    expect(await syncPass(server, source, { batchSize: 100 })).toMatchObject({ kind: 'refused', delivered: 100, code: 'log-hash-mismatch' });
    expect(server.stored).toHaveLength(100);
    // The cursor call refused (e.g. a 4xx other than authentication): refused too.
    const c = setup(5);
    c.server.beforeCursor = () => fail('invalid-request', false);
    expect(await syncPass(c.server, c.source)).toMatchObject({ kind: 'refused', code: 'invalid-request', delivered: 0 });
    expect(c.server.pushes).toEqual([]);
  });

  it('keeps everything and retries on unreachable, 5xx and a refused credential', async () => {
    for (const code of ['unreachable', 'internal', 'terminal-unauthorized']) {
      const { source, server } = setup(10);
      server.beforeCursor = () => fail(code, true);
      expect(await syncPass(server, source)).toMatchObject({ kind: 'retry', code, delivered: 0 });
      expect(server.pushes).toEqual([]);
      expect(source.checkpoint).toBeNull();
    }
  });

  it('refuses when the server is behind the local checkpoint or holds another chain', async () => {
    // Behind: the server lost records it had acknowledged.
    const behind = setup(200);
    await syncPass(behind.server, behind.source, { batchSize: 100 });
    behind.server.stored.length = 150;
    behind.server.pushes.length = 0;
    expect(await syncPass(behind.server, behind.source)).toMatchObject({ kind: 'refused', code: 'server-behind', delivered: 0 });
    expect(behind.server.pushes).toEqual([]);
    expect(behind.source.checkpoint?.ackSeq).toBe(200);

    // Same seq as the checkpoint, another hash.
    const other = setup(200);
    await syncPass(other.server, other.source, { batchSize: 100 });
    other.source.append(10);
    other.server.beforeCursor = () => answer({ ok: true, ackSeq: 200, ackHash: 'f'.repeat(64) });
    expect(await syncPass(other.server, other.source)).toMatchObject({ kind: 'refused', code: 'diverged' });
    expect(other.source.checkpoint).toEqual({ ackSeq: 200, ackHash: other.source.records[199]!.hash });

    // Ahead of the checkpoint with a hash that is not the local record's.
    other.server.beforeCursor = () => answer({ ok: true, ackSeq: 205, ackHash: 'e'.repeat(64) });
    expect(await syncPass(other.server, other.source)).toMatchObject({ kind: 'refused', code: 'diverged' });
    // More records than this terminal ever wrote.
    other.server.beforeCursor = () => answer({ ok: true, ackSeq: 999, ackHash: 'e'.repeat(64) });
    expect(await syncPass(other.server, other.source)).toMatchObject({ kind: 'refused', code: 'diverged' });
    expect(other.server.pushes).toHaveLength(2);
    expect(other.source.checkpoint?.ackSeq).toBe(200);

    // An acknowledgement of a batch with another hash than the local record's.
    const ack = setup(50);
    ack.server.afterPush = (_r, _n, real) => (real.ok ? answer({ ...real, ackHash: 'd'.repeat(64) }) : undefined);
    expect(await syncPass(ack.server, ack.source)).toMatchObject({ kind: 'refused', code: 'diverged', delivered: 0 });
    expect(ack.source.checkpoint).toEqual({ ackSeq: 0, ackHash: GENESIS_HASH });
  });

  it('records missing locally right after the cursor: refused, nothing sent', async () => {
    const { source, server } = setup(100);
    await syncPass(server, source, { batchSize: 50 });
    source.append(20);
    source.records.splice(100, 1); // 101 lost
    server.pushes.length = 0;
    expect(await syncPass(server, source)).toMatchObject({ kind: 'refused', code: 'local-records-missing' });
    expect(server.pushes).toEqual([]);
  });

  it('treats malformed transport answers as retry and acknowledges nothing from them', async () => {
    const malformed: unknown[] = [undefined, null, 'ok', 42, [], {}, { ok: 'yes' }, { ok: true }, { ok: true, ackSeq: '3', ackHash: 'a'.repeat(64) }, { ok: true, ackSeq: 1.5, ackHash: 'a'.repeat(64) }, { ok: true, ackSeq: 3 }];
    for (const bad of malformed) {
      const cursor = setup(10);
      cursor.server.beforeCursor = () => answer(bad);
      expect(await syncPass(cursor.server, cursor.source), JSON.stringify(bad)).toMatchObject({ kind: 'retry', code: 'bad-answer', delivered: 0 });
      expect(cursor.server.pushes).toEqual([]);

      const push = setup(10);
      push.server.afterPush = () => answer(bad); // stored, but the answer cannot be read
      expect(await syncPass(push.server, push.source), JSON.stringify(bad)).toMatchObject({ kind: 'retry', code: 'bad-answer', delivered: 0 });
      expect(push.source.checkpoint).toEqual({ ackSeq: 0, ackHash: GENESIS_HASH });
      // The next pass picks up from the server's cursor (nothing to send again).
      push.server.afterPush = null;
      expect(await syncPass(push.server, push.source)).toEqual({ kind: 'done', delivered: 0, ackSeq: 10 });
      expect(push.server.pushes).toHaveLength(1);
      expect(push.server.stored).toEqual(push.source.records);
    }
    // A failure whose fields are garbled keeps a code and a message (and is not retried in the pass).
    const garbled = setup(3);
    garbled.server.beforePush = () => answer({ ok: false, retry: true, code: 7, message: null });
    expect(await syncPass(garbled.server, garbled.source)).toMatchObject({ kind: 'retry', code: 'unknown', message: expect.any(String) });
  });
});

describe('backoffDelay', () => {
  it('is exponential, capped, and jittered within [ceiling/2, ceiling]', () => {
    expect([1, 2, 3, 4, 5].map((a) => backoffDelay(a, 1000, 60_000, () => 1))).toEqual([1000, 2000, 4000, 8000, 16000]);
    expect([1, 2, 3, 4, 5].map((a) => backoffDelay(a, 1000, 60_000, () => 0))).toEqual([500, 1000, 2000, 4000, 8000]);
    expect(backoffDelay(7, 1000, 60_000, () => 1)).toBe(60_000);
    expect(backoffDelay(200, 1000, 60_000, () => 1)).toBe(60_000);
    expect(backoffDelay(200, 1000, 60_000, () => 0)).toBe(30_000);
    for (let attempt = 1; attempt <= 30; attempt++) {
      const ceiling = Math.min(300_000, 2000 * 2 ** (attempt - 1));
      const seen = new Set<number>();
      for (let i = 0; i < 50; i++) {
        const r = (i * 37 % 50) / 49;
        const d = backoffDelay(attempt, 2000, 300_000, () => r);
        expect(d).toBeGreaterThanOrEqual(Math.ceil(ceiling / 2));
        expect(d).toBeLessThanOrEqual(ceiling);
        seen.add(d);
      }
      expect(seen.size).toBeGreaterThan(10); // jitter spreads the terminals
    }
  });
});

/** Timers that run only when the test says so. */
class FakeTimers {
  private next = 1;
  pending = new Map<number, { fn: () => void; ms: number }>();
  scheduled: number[] = [];
  cleared: number[] = [];
  setTimer = (fn: () => void, ms: number): unknown => {
    const id = this.next++;
    this.pending.set(id, { fn, ms });
    this.scheduled.push(ms);
    return id;
  };
  clearTimer = (handle: unknown): void => {
    this.cleared.push(handle as number);
    this.pending.delete(handle as number);
  };
  /** Fires the only pending timer. */
  fire(): void {
    expect(this.pending.size).toBe(1);
    const [id, timer] = [...this.pending][0]!;
    this.pending.delete(id);
    timer.fn();
  }
}

/** Lets every pending promise settle (the fakes never wait on a timer, so one macrotask turn is enough). */
const flush = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

function syncer(api: LogSyncApi, source: LogSyncSource, overrides: { random?: () => number; soonMs?: number } = {}) {
  const timers = new FakeTimers();
  const statuses: SyncStatus[] = [];
  const passes: SyncPassResult[] = [];
  let now = 1_000_000;
  const s = new LogSyncer({
    api,
    source,
    now: () => (now += 1000),
    onStatus: (status) => statuses.push(status),
    onPass: (result) => {
      passes.push(result);
    },
    intervalMs: 30_000,
    backoffBaseMs: 2_000,
    backoffMaxMs: 60_000,
    random: overrides.random ?? (() => 1),
    soonMs: overrides.soonMs ?? 1_000,
    setTimer: timers.setTimer,
    clearTimer: timers.clearTimer,
  });
  return { s, timers, statuses, passes };
}

describe('LogSyncer', () => {
  it('after a failure, retries on backoff timers with growing delays; success returns to the interval', async () => {
    const { source, server } = setup(20);
    server.beforeCursor = () => fail('unreachable', true);
    const { s, timers, passes, statuses } = syncer(server, source);
    await s.request();
    expect(s.current).toMatchObject({ state: 'retry-wait', problem: { code: 'unreachable' } });
    for (let i = 0; i < 7; i++) {
      timers.fire();
      await flush();
    }
    expect(timers.scheduled).toEqual([2000, 4000, 8000, 16000, 32000, 60000, 60000, 60000]);
    expect(passes.map((p) => p.kind)).toEqual(Array(8).fill('retry'));
    expect(server.pushes).toEqual([]);
    // The server is back: the timer pass delivers everything, and the next timer is the normal interval.
    server.beforeCursor = null;
    timers.fire();
    await flush();
    expect(passes.at(-1)).toEqual({ kind: 'done', delivered: 20, ackSeq: 20 });
    expect(s.current).toMatchObject({ state: 'idle', problem: null, delivered: 20, lastSuccessAt: expect.any(Number) });
    expect(timers.scheduled.at(-1)).toBe(30_000);
    expect(statuses.some((x) => x.state === 'syncing')).toBe(true);
    // After a success, a new failure starts the backoff from the base again.
    server.beforeCursor = () => fail('unreachable', true);
    timers.fire();
    await flush();
    expect(timers.scheduled.at(-1)).toBe(2000);
  });

  it('uses the jitter: delays within [ceiling/2, ceiling] from the injected random', async () => {
    const { source, server } = setup(1);
    server.beforeCursor = () => fail('unreachable', true);
    const { s, timers } = syncer(server, source, { random: () => 0 });
    await s.request();
    timers.fire();
    await flush();
    timers.fire();
    await flush();
    expect(timers.scheduled).toEqual([1000, 2000, 4000]);
  });

  it('an explicit request resets the backoff', async () => {
    const { source, server } = setup(5);
    server.beforeCursor = () => fail('unreachable', true);
    const { s, timers } = syncer(server, source);
    await s.request();
    for (let i = 0; i < 4; i++) {
      timers.fire();
      await flush();
    }
    expect(timers.scheduled).toEqual([2000, 4000, 8000, 16000, 32000]);
    // Reconnect / sign-out / 17:15: sync now, and the pending backoff timer is replaced.
    const pendingId = [...timers.pending.keys()][0]!;
    await s.request();
    expect(timers.cleared).toContain(pendingId);
    expect(timers.scheduled.at(-1)).toBe(2000);
    expect(timers.pending.size).toBe(1);
  });

  it("'refused' schedules no timer; an explicit request still tries again", async () => {
    const { source, server } = setup(5);
    server.beforePush = () => fail('log-hash-mismatch', false);
    const { s, timers, passes } = syncer(server, source);
    await s.request();
    expect(passes).toEqual([expect.objectContaining({ kind: 'refused', code: 'log-hash-mismatch' })]);
    expect(s.current.state).toBe('refused');
    expect(timers.pending.size).toBe(0);
    expect(timers.scheduled).toEqual([]);
    server.beforePush = null;
    await s.request();
    expect(passes.at(-1)).toEqual({ kind: 'done', delivered: 5, ackSeq: 5 });
    expect(s.current).toMatchObject({ state: 'idle', problem: null });
    expect(timers.scheduled).toEqual([30_000]);
  });

  it('a batch refused for a gap again and again (a record deleted locally) is not retried on a timer', async () => {
    const { source, server } = setup(50);
    source.records.splice(20, 1);
    const { s, timers, passes } = syncer(server, source);
    await s.request();
    expect(passes).toEqual([expect.objectContaining({ kind: 'refused', code: 'log-gap' })]);
    expect(s.current.state).toBe('refused');
    expect(timers.scheduled).toEqual([]);
    expect(server.stored).toEqual([]);
  });

  it('requests during a pass cause exactly one more pass', async () => {
    const { source, server } = setup(10);
    let release!: () => void;
    let calls = 0;
    const cursor = server.getLogCursor.bind(server);
    server.getLogCursor = async () => {
      calls++;
      if (calls === 1) await new Promise<void>((resolve) => (release = resolve));
      return cursor();
    };
    const { s, passes, timers } = syncer(server, source);
    const first = s.request();
    await flush();
    expect(s.current.state).toBe('syncing');
    source.append(5); // written during the pass
    const more = [s.request(), s.request(), s.request()];
    await flush();
    expect(calls).toBe(1);
    release();
    await Promise.all([first, ...more]);
    expect(calls).toBe(2);
    expect(passes).toEqual([
      { kind: 'done', delivered: 15, ackSeq: 15 },
      { kind: 'done', delivered: 0, ackSeq: 15 },
    ]);
    expect(timers.pending.size).toBe(1);
    // Without a request during the pass: one pass only.
    await s.request();
    expect(calls).toBe(3);
    expect(timers.pending.size).toBe(1);
  });

  it('a pass that throws (a local error) is a retry with backoff, not a crash', async () => {
    const { source, server } = setup(5);
    source.pendingBatch = async () => {
      throw new Error('IndexedDB went away');
    };
    const { s, timers, passes } = syncer(server, source);
    await s.request();
    expect(passes).toEqual([expect.objectContaining({ kind: 'retry', code: 'local-error', message: expect.stringContaining('IndexedDB went away') })]);
    expect(timers.scheduled).toEqual([2000]);
  });

  it('stop() clears the timer and nothing runs after it', async () => {
    const { source, server } = setup(5);
    const { s, timers, passes } = syncer(server, source);
    await s.request();
    expect(timers.pending.size).toBe(1);
    const id = [...timers.pending.keys()][0]!;
    s.stop();
    expect(timers.cleared).toContain(id);
    expect(timers.pending.size).toBe(0);
    await s.request();
    expect(passes).toHaveLength(1);
    expect(timers.pending.size).toBe(0);

    // Stopped in the middle of a pass: the pass ends, no timer is set.
    const second = setup(5);
    second.server.beforeCursor = () => fail('unreachable', true);
    let release!: () => void;
    const cursor = second.server.getLogCursor.bind(second.server);
    second.server.getLogCursor = async () => {
      await new Promise<void>((resolve) => (release = resolve));
      return cursor();
    };
    const b = syncer(second.server, second.source);
    const running = b.s.request();
    await flush();
    b.s.stop();
    release();
    await running;
    expect(b.passes).toHaveLength(1);
    expect(b.timers.scheduled).toEqual([]);
  });
});

describe('LogSyncer options and soon()', () => {
  it('an option passed as undefined keeps its default (not a 0 ms timer: a busy loop)', async () => {
    const { source, server } = setup(3);
    const timers = new FakeTimers();
    const s = new LogSyncer({
      api: server,
      source,
      now: () => 1,
      onStatus: () => undefined,
      intervalMs: undefined,
      backoffBaseMs: undefined,
      soonMs: undefined,
      setTimer: timers.setTimer,
      clearTimer: timers.clearTimer,
    });
    await s.request();
    expect(timers.scheduled).toEqual([30_000]);
    s.soon();
    expect(timers.scheduled).toEqual([30_000, 1_000]);
    server.beforeCursor = () => fail('unreachable', true);
    timers.fire();
    await flush();
    // 2 s base, equal jitter: within [1 s, 2 s], never NaN or 0.
    const backoff = timers.scheduled.at(-1)!;
    expect(backoff).toBeGreaterThanOrEqual(1_000);
    expect(backoff).toBeLessThanOrEqual(2_000);
  });

  it('soon() replaces the interval timer by a short one, once for a burst', async () => {
    const { source, server } = setup(3);
    const { s, timers, passes } = syncer(server, source);
    await s.request();
    expect(timers.scheduled).toEqual([30_000]);
    source.append(4);
    s.soon();
    s.soon();
    s.soon();
    expect(timers.scheduled).toEqual([30_000, 1_000]);
    expect(timers.pending.size).toBe(1);
    timers.fire();
    await flush();
    expect(passes.at(-1)).toEqual({ kind: 'done', delivered: 4, ackSeq: 7 });
    expect(timers.scheduled.at(-1)).toBe(30_000);
  });

  it('records written during a pass: the next pass comes soon, not after the interval', async () => {
    const { source, server } = setup(2);
    let release!: () => void;
    const cursor = server.getLogCursor.bind(server);
    let calls = 0;
    server.getLogCursor = async () => {
      if (++calls === 1) await new Promise<void>((resolve) => (release = resolve));
      return cursor();
    };
    const { s, timers } = syncer(server, source);
    const pass = s.request();
    await flush();
    source.append(1);
    s.soon();
    expect(timers.pending.size).toBe(0);
    release();
    await pass;
    expect(timers.scheduled).toEqual([1_000]);
  });

  it('soon() leaves a backoff or a refusal alone: new records are no reason to hammer a server that is down', async () => {
    const { source, server } = setup(3);
    server.beforeCursor = () => fail('unreachable', true);
    const { s, timers } = syncer(server, source);
    await s.request();
    expect(timers.scheduled).toEqual([2_000]);
    s.soon();
    expect(timers.scheduled).toEqual([2_000]);
    expect(timers.pending.size).toBe(1);

    const refused = setup(3);
    refused.server.beforePush = () => fail('log-hash-mismatch', false);
    const r = syncer(refused.server, refused.source);
    await r.s.request();
    r.s.soon();
    expect(r.timers.scheduled).toEqual([]);
  });
});

describe('syncPass with an encoder (the size limit on the text that is sent)', () => {
  /** LogWriter's size rule: the records' JSON, UTF-8, one byte between them (log-writer.ts pendingBatch). */
  class SizedSource extends MemorySource {
    reads: number[] = [];
    override async pendingBatch(afterSeq: number, max: number = MAX_BATCH_RECORDS, maxBytes: number = BATCH_RECORDS_MAX_BYTES): Promise<LogRecord[]> {
      this.reads.push(maxBytes);
      const batch = await super.pendingBatch(afterSeq, max);
      if (maxBytes === Infinity) return batch;
      let bytes = 0;
      for (let i = 0; i < batch.length; i++) {
        bytes += new TextEncoder().encode(JSON.stringify(batch[i])).length + 1;
        if (bytes > maxBytes && i > 0) return batch.slice(0, i);
      }
      return batch;
    }
  }

  /** The fake server, taking the encoded text as main does (it sends that text, not the records). */
  function encodingServer(): FakeServer & { texts: string[] } {
    const server = Object.assign(new FakeServer(), { texts: [] as string[] });
    server.encodeBatch = wireRecordsJson;
    const push = server.pushLogBatch.bind(server);
    server.pushLogBatch = async (records: LogRecord[], encoded?: string) => {
      expect(encoded).toBe(wireRecordsJson(records));
      server.texts.push(encoded!);
      return push(records);
    };
    return server;
  }

  it('reads without the per-record size check and sends the encoded text when it fits', async () => {
    const source = new SizedSource().append(120);
    const server = encodingServer();
    expect(await syncPass(server, source, { batchSize: 50 })).toEqual({ kind: 'done', delivered: 120, ackSeq: 120 });
    expect(server.pushes.map((b) => b.length)).toEqual([50, 50, 20]);
    expect(source.reads.every((maxBytes) => maxBytes === Infinity)).toBe(true);
    expect(server.stored.map((r) => r.seq)).toEqual(source.records.map((r) => r.seq));
  });

  it('a batch whose text is over the limit is read again with the size check: only records that fit are sent', async () => {
    const source = new SizedSource();
    // Records of ~6 KB of UTF-8 each (4 × 500 kana): 5000 of them would be ~30 MB, far over 8 MiB.
    for (let i = 0; i < 2000; i++) {
      source.append(1);
      const last = source.records.pop()!;
      const { hash: _old, ...body } = last;
      const detail = { a: 'あ'.repeat(500), b: 'い'.repeat(500), c: 'う'.repeat(500), d: `${'え'.repeat(496)}${String(i).padStart(4, '0')}` };
      source.records.push(sealRecord({ ...body, prevHash: source.records.at(-1)?.hash ?? GENESIS_HASH, detail }, sha256));
    }
    const server = encodingServer();
    expect(await syncPass(server, source)).toEqual({ kind: 'done', delivered: 2000, ackSeq: 2000 });
    // Every text sent is within the limit, and the records went in order without a gap.
    for (const text of server.texts) expect(new TextEncoder().encode(text).length).toBeLessThanOrEqual(BATCH_RECORDS_MAX_BYTES);
    expect(server.pushes.length).toBeGreaterThan(1);
    expect(server.pushes.flat().map((r) => r.seq)).toEqual(source.records.map((r) => r.seq));
    expect(source.reads).toContain(BATCH_RECORDS_MAX_BYTES);
  });
});

describe('syncPass handing the next batch ahead (pushLogBatchAfter, main\'s LogPushQueue)', () => {
  /**
   * The fake server behind main's real queue: the renderer may hand a batch while the one before
   * travels; the server still sees one batch at a time, each starting right after its head.
   */
  function pipelined(records: number, firstAnswerAfter: Promise<void> = Promise.resolve()) {
    const trace: Trace = [];
    const source = new MemorySource(trace).append(records);
    const server = new FakeServer(trace);
    const queue = new LogPushQueue();
    const handed: { follows: number; first: number; whilePending: number }[] = [];
    let pending = 0;
    // One batch at a time reaches the server, each right after what it holds.
    server.onPush = (batch) => expect(batch[0]!.seq).toBe(server.head().ackSeq + 1);
    server.encodeBatch = wireRecordsJson;
    const push = server.pushLogBatch.bind(server);
    const counted = (send: () => Promise<LogSyncResult>) => async () => {
      pending++;
      try {
        return await send();
      } finally {
        pending--;
      }
    };
    // The first batch is answered only once `firstAnswerAfter` resolves (it stays with the server until then).
    server.pushLogBatch = (batch: LogRecord[]) => queue.push(undefined, counted(async () => (batch[0]!.seq === 1 ? firstAnswerAfter.then(() => push(batch)) : push(batch))));
    server.pushLogBatchAfter = (batch: LogRecord[], encoded: string, follows: number) => {
      expect(encoded).toBe(wireRecordsJson(batch));
      handed.push({ follows, first: batch[0]!.seq, whilePending: pending });
      return queue.push(follows, counted(() => push(batch)));
    };
    return { trace, source, server, handed };
  }

  it('hands each next batch while the one before travels; the server gets them one at a time, in order, nothing twice', async () => {
    let release!: () => void;
    const { source, server, handed } = pipelined(260, new Promise<void>((resolve) => (release = resolve)));
    const pass = syncPass(server, source, { batchSize: 50 });
    // The second batch is handed while the first is still with the server, and waits in main.
    await expect.poll(() => handed.length).toBe(1);
    expect(handed[0]).toEqual({ follows: 50, first: 51, whilePending: 1 });
    expect(server.stored).toEqual([]);
    release();
    expect(await pass).toEqual({ kind: 'done', delivered: 260, ackSeq: 260 });
    expect(server.pushes.map((b) => `${b[0]!.seq}-${b.at(-1)!.seq}`)).toEqual(['1-50', '51-100', '101-150', '151-200', '201-250', '251-260']);
    expect(handed.map((h) => [h.first, h.follows])).toEqual([[51, 50], [101, 100], [151, 150], [201, 200], [251, 250]]);
    expect(server.stored.map((r) => r.seq)).toEqual(source.records.map((r) => r.seq));
    expect(source.checkpoint).toEqual({ ackSeq: 260, ackHash: source.records[259]!.hash });
  });

  it('the batch before fails (server down, 5xx): the batch handed ahead is not sent, and the next pass resends from the cursor', async () => {
    for (const failing of [fail('unreachable', true), fail('internal', true)]) {
      const { source, server, handed } = pipelined(150);
      server.beforePush = (_records, n) => (n === 2 ? failing : undefined);
      const result = await syncPass(server, source, { batchSize: 50 });
      expect(result).toMatchObject({ kind: 'retry', delivered: 50, code: failing.answer && (failing.answer as LogSyncResult & { code: string }).code });
      // Batch 101–150 was handed ahead while 51–100 travelled, and never reached the server.
      expect(handed.map((h) => h.first)).toEqual([51, 101]);
      expect(server.pushes.map((b) => b[0]!.seq)).toEqual([1, 51]);
      expect(server.stored.map((r) => r.seq)).toEqual(source.records.slice(0, 50).map((r) => r.seq));
      expect(source.checkpoint?.ackSeq).toBe(50);
      server.beforePush = null;
      expect(await syncPass(server, source, { batchSize: 50 })).toEqual({ kind: 'done', delivered: 100, ackSeq: 150 });
      expect(server.stored.map((r) => r.seq)).toEqual(source.records.map((r) => r.seq));
    }
  });

  it('the answer of the batch before is lost after it was stored: the batch ahead is not sent; the resend stores nothing twice', async () => {
    const { source, server } = pipelined(150);
    server.afterPush = (_records, n) => (n === 1 ? fail('unreachable', true) : undefined);
    expect(await syncPass(server, source, { batchSize: 50 })).toMatchObject({ kind: 'retry', delivered: 0 });
    expect(server.pushes.length).toBe(1);
    server.afterPush = null;
    // 1–50 were stored with the lost answer: the cursor acknowledges them, 51–150 are delivered now.
    expect(await syncPass(server, source, { batchSize: 50 })).toEqual({ kind: 'done', delivered: 100, ackSeq: 150 });
    expect(server.stored.map((r) => r.seq)).toEqual(source.records.map((r) => r.seq));
  });

  it('a refused batch: the batch handed ahead is not sent, the pass is refused, nothing after it reaches the server', async () => {
    const { source, server } = pipelined(200);
    server.beforePush = (_records, n) => (n === 2 ? fail('log-hash-mismatch', false) : undefined);
    expect(await syncPass(server, source, { batchSize: 50 })).toMatchObject({ kind: 'refused', code: 'log-hash-mismatch', delivered: 50 });
    expect(server.pushes.map((b) => b[0]!.seq)).toEqual([1, 51]);
    expect(source.checkpoint?.ackSeq).toBe(50);
  });

  it('an acknowledgement other than the batch\'s end (the server is ahead): the batch ahead is not sent, the pass goes on from the server\'s head', async () => {
    const { source, server } = pipelined(200);
    // Another copy of this terminal's records reached the server meanwhile: it holds 1–120 after the second batch.
    server.afterPush = (_records, n) => {
      if (n !== 2) return undefined;
      server.stored = source.records.slice(0, 120).map((r) => ({ ...r }));
      return answer({ ok: true, ...server.head() });
    };
    expect(await syncPass(server, source, { batchSize: 50 })).toEqual({ kind: 'done', delivered: 200, ackSeq: 200 });
    expect(server.pushes.map((b) => `${b[0]!.seq}-${b.at(-1)!.seq}`)).toEqual(['1-50', '51-100', '121-170', '171-200']);
    expect(server.stored.map((r) => r.seq)).toEqual(source.records.map((r) => r.seq));
  });
});

describe('LogPushQueue (main)', () => {
  const ok = (ackSeq: number): LogSyncResult => ({ ok: true, ackSeq, ackHash: 'a'.repeat(64) });

  it('sends one batch at a time in the order handed, and a following batch only after an acknowledgement of exactly its `follows`', async () => {
    const queue = new LogPushQueue();
    const events: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const first = queue.push(undefined, async () => {
      events.push('send 1-50');
      await gate;
      events.push('answer 50');
      return ok(50);
    });
    const second = queue.push(50, async () => {
      events.push('send 51-100');
      return ok(100);
    });
    const wrongFollows = queue.push(99, async () => {
      events.push('send 100-');
      return ok(150);
    });
    await Promise.resolve();
    expect(events).toEqual(['send 1-50']);
    release();
    expect(await first).toEqual(ok(50));
    expect(await second).toEqual(ok(100));
    expect(await wrongFollows).toEqual(LOG_BATCH_NOT_SENT);
    expect(events).toEqual(['send 1-50', 'answer 50', 'send 51-100']);
  });

  it('after a failure or a send that throws, a following batch is not sent; a batch without `follows` is', async () => {
    const queue = new LogPushQueue();
    const sent: string[] = [];
    await queue.push(undefined, async () => failure('internal', true));
    expect(await queue.push(50, async () => (sent.push('a'), ok(100)))).toEqual(LOG_BATCH_NOT_SENT);
    await expect(queue.push(undefined, async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await queue.push(50, async () => (sent.push('b'), ok(100)))).toEqual(LOG_BATCH_NOT_SENT);
    expect(await queue.push(undefined, async () => (sent.push('c'), ok(50)))).toEqual(ok(50));
    expect(await queue.push(50, async () => (sent.push('d'), ok(100)))).toEqual(ok(100));
    expect(sent).toEqual(['c', 'd']);
  });
});
