// Delivers the local log to the central server (issue 3, item 3), following the resume procedure
// of docs/log-protocol.md: read the server's cursor, check it against the local chain, send the
// records after it in order, one batch in flight to the server (the next one may wait in main,
// handed ahead: pushLogBatchAfter), and advance the local checkpoint only after the
// server's acknowledgement (written while the next batch travels). Idempotent: whatever interrupts a pass, the next one starts again from
// the cursor, and resending a stored batch changes nothing on the server.
//
// LogSyncer schedules passes: on request (start, reconnect, sign-out, 17:15), on a timer, and after
// a failure with exponential backoff and jitter (so a town's terminals do not all return at once
// after an outage). A refusal (the server found the chain broken) is not retried on a timer: it is
// shown, and a person must look; explicit requests still try again.
// I/O is injected (the contract calls, the writer, timers, randomness), so all of it is testable.
import type { LogRecord } from '../../../domain/log/log-record';
import type { LogSyncResult } from '../../../shared/contract';
import { MAX_BATCH_RECORDS } from '../../../shared/log-api';
import { BATCH_RECORDS_MAX_BYTES, LogIntegrityError, type SyncCheckpoint } from './log-rules';

export interface LogSyncApi {
  getLogCursor(): Promise<LogSyncResult>;
  /** `encoded`: what encodeBatch made of these records, when the api has encodeBatch and it succeeded. */
  pushLogBatch(records: LogRecord[], encoded?: string): Promise<LogSyncResult>;
  /**
   * Optional: the batch as the transport sends it (the JSON text of the wire form, src/shared/log-api.ts),
   * made while the batch before travels. May throw (a record without a canonical encoding): then the
   * records are pushed as they are.
   */
  encodeBatch?(records: LogRecord[]): string;
  /**
   * Optional: hands main an encoded batch while the batch before it (ending at `follows`) still
   * travels. Main sends it only after that one was acknowledged up to exactly `follows`, else answers
   * a retry without sending it (src/node/terminal/log-push-queue.ts): the server still gets one batch
   * at a time, in order.
   */
  pushLogBatchAfter?(records: LogRecord[], encoded: string, follows: number): Promise<LogSyncResult>;
}

interface PreparedBatch {
  records: LogRecord[];
  encoded: string | undefined;
}

/** UTF-8 bytes of a text, counted without encoding it when the bound (3 bytes per UTF-16 unit) is enough. */
function withinBytes(text: string, maxBytes: number): boolean {
  return text.length * 3 <= maxBytes || new TextEncoder().encode(text).length <= maxBytes;
}

function encode(api: LogSyncApi, records: LogRecord[]): string | undefined {
  if (records.length === 0 || !api.encodeBatch) return undefined;
  try {
    return api.encodeBatch(records);
  } catch {
    return undefined;
  }
}

/**
 * Reads the batch after `afterSeq` and encodes it for the transport (both before it is needed).
 * With an encoder the size limit is checked on the encoded text, the bytes that are sent
 * (pendingBatch's own check writes every record as JSON just to measure it); only a batch whose text
 * is too large is read again with that check, which gives the records that fit.
 */
async function prepare(api: LogSyncApi, source: LogSyncSource, afterSeq: number, batchSize: number): Promise<PreparedBatch> {
  if (!api.encodeBatch) return { records: await source.pendingBatch(afterSeq, batchSize), encoded: undefined };
  const records = await source.pendingBatch(afterSeq, batchSize, Infinity);
  if (records.length === 0) return { records, encoded: undefined };
  const encoded = encode(api, records);
  if (encoded !== undefined && withinBytes(encoded, BATCH_RECORDS_MAX_BYTES)) return { records, encoded };
  // Too large, or a record the encoder refuses (then the records go as they are): read again with the size check.
  const fitting = await source.pendingBatch(afterSeq, batchSize);
  return { records: fitting, encoded: encoded === undefined ? undefined : encode(api, fitting) };
}

/** The part of LogWriter the sync uses. */
export interface LogSyncSource {
  /** `maxBytes` Infinity: no size check (the caller checks the encoded text). */
  pendingBatch(afterSeq: number, max?: number, maxBytes?: number): Promise<LogRecord[]>;
  acknowledge(ack: SyncCheckpoint): Promise<SyncCheckpoint>;
  syncCheckpoint(): Promise<SyncCheckpoint | null>;
  /** First contact of a new local store with a server holding this terminal's earlier records (LogWriter.adoptServerHead). */
  adoptServerHead?(server: SyncCheckpoint): Promise<{ checkpoint: SyncCheckpoint; moved: number | null }>;
}

export type SyncPassResult =
  /** Everything written before the pass ended is on the server. */
  | { kind: 'done'; delivered: number; ackSeq: number }
  /** Interrupted (network, server down, credential): keep everything, try again later. */
  | { kind: 'retry'; delivered: number; code: string; message: string }
  /** The server refused the chain, or holds another history than this terminal: a person must look. */
  | { kind: 'refused'; delivered: number; code: string; message: string };

const MAX_GAP_RESTARTS = 3;

function isResult(value: unknown): value is LogSyncResult {
  return typeof value === 'object' && value !== null && typeof (value as { ok?: unknown }).ok === 'boolean';
}

/** A malformed answer from the transport (it crosses a process boundary): treat as "try later". */
function normalise(value: unknown): LogSyncResult {
  if (!isResult(value)) return { ok: false, retry: true, code: 'bad-answer', message: '端末サービスの応答を読み取れません。' };
  if (value.ok) {
    const v = value as { ackSeq?: unknown; ackHash?: unknown };
    if (typeof v.ackSeq !== 'number' || !Number.isSafeInteger(v.ackSeq) || typeof v.ackHash !== 'string') {
      return { ok: false, retry: true, code: 'bad-answer', message: '端末サービスの応答を読み取れません。' };
    }
    return value;
  }
  const f = value as { retry?: unknown; code?: unknown; message?: unknown };
  return {
    ok: false,
    retry: f.retry === true,
    code: typeof f.code === 'string' ? f.code : 'unknown',
    message: typeof f.message === 'string' ? f.message : '操作記録を送信できませんでした。',
  };
}

const DIVERGED = '中央サーバーにある操作記録が、この端末の記録と一致しません。送信を止めました。記録は端末に保存されています。情報保護管理者に連絡してください。';

/** One pass: cursor, then batches until nothing written before is left. */
export async function syncPass(api: LogSyncApi, source: LogSyncSource, options: { batchSize?: number } = {}): Promise<SyncPassResult> {
  let batchSize = Math.max(1, Math.min(MAX_BATCH_RECORDS, options.batchSize ?? MAX_BATCH_RECORDS));
  let delivered = 0;
  for (let restart = 0; ; restart++) {
    const cursor = normalise(await api.getLogCursor());
    if (!cursor.ok) return { kind: cursor.retry ? 'retry' : 'refused', delivered, code: cursor.code, message: cursor.message };
    let ackSeq: number;
    try {
      const local = await source.syncCheckpoint();
      // The server has fewer records than it once acknowledged: records were removed there.
      if (local && cursor.ackSeq < local.ackSeq) return { kind: 'refused', delivered, code: 'server-behind', message: DIVERGED };
      const head = { ackSeq: cursor.ackSeq, ackHash: cursor.ackHash };
      // No checkpoint: this local store never sent anything (every pass acknowledges the cursor
      // before it sends), so records on the server came from an earlier store of this terminal.
      ackSeq = !local && head.ackSeq > 0 && source.adoptServerHead ? (await source.adoptServerHead(head)).checkpoint.ackSeq : (await source.acknowledge(head)).ackSeq;
    } catch (error) {
      if (error instanceof LogIntegrityError) return { kind: 'refused', delivered, code: 'diverged', message: DIVERGED };
      throw error;
    }
    let next: Promise<PreparedBatch> = prepare(api, source, ackSeq, batchSize);
    let gap = false;
    // The local checkpoint of the batch before, being written while this one travels (see below).
    let checkpointing: Promise<void> | null = null;
    /** Waits for that write; a refusal when it found the server's history differs, else null. */
    const settle = async (): Promise<SyncPassResult | null> => {
      const writing = checkpointing;
      checkpointing = null;
      if (!writing) return null;
      try {
        await writing;
        return null;
      } catch (error) {
        if (error instanceof LogIntegrityError) return { kind: 'refused', delivered, code: 'diverged', message: DIVERGED };
        throw error;
      }
    };
    // The batch after the one travelling, already handed to main (pushLogBatchAfter), or null.
    let ahead: { records: LogRecord[]; answer: Promise<LogSyncResult> } | null = null;
    /** Waits for the batch handed ahead and forgets it (the one before it was not acknowledged as sent, so main did not send it). True if there was one. */
    const dropAhead = async (): Promise<boolean> => {
      const dropped = ahead;
      ahead = null;
      if (dropped) await dropped.answer.catch(() => undefined);
      return dropped !== null;
    };
    for (;;) {
      let batch: LogRecord[];
      let sending: Promise<LogSyncResult>;
      if (ahead) {
        ({ records: batch, answer: sending } = ahead);
        ahead = null;
      } else {
        let encoded: string | undefined;
        try {
          ({ records: batch, encoded } = await next);
        } catch (error) {
          const settled = await settle();
          if (settled) return settled;
          if (error instanceof LogIntegrityError) return { kind: 'refused', delivered, code: 'local-records-missing', message: `${DIVERGED} (${error.message})` };
          throw error;
        }
        if (batch.length === 0) return (await settle()) ?? { kind: 'done', delivered, ackSeq };
        // Read (and encode) the following batch while this one travels (reads never change what is sent).
        next = prepare(api, source, batch[batch.length - 1]!.seq, batchSize);
        next.catch(() => undefined);
        sending = encoded === undefined ? api.pushLogBatch(batch) : api.pushLogBatch(batch, encoded);
      }
      const last = batch[batch.length - 1]!;
      if (api.pushLogBatchAfter) {
        // Hand main the following batch now; it sends it only once this one is acknowledged up to
        // last.seq. A read that failed is left in `next`, to be met as above.
        const following = await next.catch(() => null);
        if (following && following.records.length > 0 && following.encoded !== undefined) {
          ahead = { records: following.records, answer: api.pushLogBatchAfter(following.records, following.encoded, last.seq) };
          ahead.answer.catch(() => undefined);
          next = prepare(api, source, following.records[following.records.length - 1]!.seq, batchSize);
          next.catch(() => undefined);
        }
      }
      const answer = normalise(await sending);
      const settled = await settle();
      if (settled) {
        await dropAhead();
        return settled;
      }
      if (answer.ok && answer.ackSeq === last.seq && answer.ackHash === last.hash) {
        // Acknowledged exactly as sent (this terminal's own record, its hash compared here): the next
        // batch goes at once and the checkpoint is written while it travels. It is still advanced only
        // after this acknowledgement; acknowledge() checks it against the store as always, and its
        // outcome is awaited before the next acknowledgement and before the pass ends. Should the
        // write fail, the checkpoint stays behind and the next pass resends from the server's cursor.
        const before = ackSeq;
        ackSeq = answer.ackSeq;
        checkpointing = source.acknowledge({ ackSeq: answer.ackSeq, ackHash: answer.ackHash }).then((stored) => {
          delivered += Math.max(0, stored.ackSeq - before);
        });
        checkpointing.catch(() => undefined);
        continue;
      }
      // Not acknowledged exactly as sent: the batch handed ahead was not sent (main's rule); read again from where the server is.
      const dropped = await dropAhead();
      if (answer.ok) {
        try {
          const stored = await source.acknowledge({ ackSeq: answer.ackSeq, ackHash: answer.ackHash });
          delivered += Math.max(0, stored.ackSeq - ackSeq);
          ackSeq = stored.ackSeq;
        } catch (error) {
          if (error instanceof LogIntegrityError) return { kind: 'refused', delivered, code: 'diverged', message: DIVERGED };
          throw error;
        }
        // The server's head is not where this batch ended (another writer, or a partial answer):
        // continue from where the server is.
        if (ackSeq !== last.seq || dropped) {
          next = prepare(api, source, ackSeq, batchSize);
        }
        continue;
      }
      if (answer.code === 'log-gap') {
        if (restart < MAX_GAP_RESTARTS) {
          gap = true;
          break;
        }
        // Still a gap when sending right after the server's cursor: the local records themselves are
        // not consecutive (one deleted or reordered here). Resending would be refused (and alerted)
        // every time: surface it, a person must look.
        return { kind: 'refused', delivered, code: answer.code, message: answer.message };
      }
      if ((answer.code === 'body-too-large' || answer.code === 'payload-too-large') && batchSize > 1) {
        batchSize = Math.max(1, Math.floor(batchSize / 2));
        next = prepare(api, source, ackSeq, batchSize);
        continue;
      }
      return { kind: answer.retry ? 'retry' : 'refused', delivered, code: answer.code, message: answer.message };
    }
    if (!gap) return { kind: 'done', delivered, ackSeq };
  }
}

export interface SyncStatus {
  state: 'idle' | 'syncing' | 'retry-wait' | 'refused';
  /** Trusted time (epoch ms) of the last pass that reached the server, or null. */
  lastSuccessAt: number | null;
  /** Why the last pass did not complete (Japanese), or null. */
  problem: { code: string; message: string } | null;
  /** Records delivered in the last pass. */
  delivered: number;
}

export interface LogSyncerDeps {
  api: LogSyncApi;
  source: LogSyncSource;
  /** Trusted now, epoch ms. */
  now: () => number;
  onStatus: (status: SyncStatus) => void;
  /** Called with the outcome of every pass (the store logs failures and recoveries). */
  onPass?: (result: SyncPassResult, previous: SyncStatus) => Promise<void> | void;
  intervalMs?: number;
  /** Delay of the pass that sends newly written records (debounce, so a burst goes in one pass). */
  soonMs?: number;
  backoffBaseMs?: number;
  backoffMaxMs?: number;
  random?: () => number;
  setTimer?: (fn: () => void, ms: number) => unknown;
  clearTimer?: (handle: unknown) => void;
  batchSize?: number;
}

/** Backoff before retry number `attempt` (1, 2, …): exponential, capped, with "equal jitter". */
export function backoffDelay(attempt: number, baseMs: number, maxMs: number, random: () => number): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(ceiling / 2 + (ceiling / 2) * random());
}

export class LogSyncer {
  private status: SyncStatus = { state: 'idle', lastSuccessAt: null, problem: null, delivered: 0 };
  private running: Promise<void> | null = null;
  private again = false;
  private timer: unknown = null;
  private failures = 0;
  private stopped = false;
  /** Records were written since the current pass started (it may have missed them). */
  private wrote = false;
  /** The pending timer is the short one of soon(). */
  private timerIsSoon = false;
  private readonly d: Required<Omit<LogSyncerDeps, 'onPass' | 'batchSize'>> & Pick<LogSyncerDeps, 'onPass' | 'batchSize'>;

  constructor(deps: LogSyncerDeps) {
    // An option passed as undefined means "the default" (callers forward optional settings):
    // spread as is, it would replace the default with undefined — a timer of 0 ms, a busy loop.
    const given = Object.fromEntries(Object.entries(deps).filter(([, value]) => value !== undefined)) as LogSyncerDeps;
    this.d = {
      intervalMs: 30_000,
      soonMs: 1_000,
      backoffBaseMs: 2_000,
      backoffMaxMs: 5 * 60_000,
      random: Math.random,
      setTimer: (fn, ms) => setTimeout(fn, ms),
      clearTimer: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
      ...given,
    };
  }

  get current(): SyncStatus {
    return this.status;
  }

  setLastSuccess(at: number | null): void {
    this.status = { ...this.status, lastSuccessAt: at };
    this.d.onStatus(this.status);
  }

  /** Sync now (or right after the pass in progress); resets the backoff. */
  request(): Promise<void> {
    return this.start(true);
  }

  /**
   * New records were written: send them soon (one pass for a burst), without waiting for the
   * 30 s timer. While the sync waits out a failure (backoff) or a refusal, nothing changes: new
   * records are no reason to hammer a server that is down.
   */
  soon(): void {
    if (this.stopped) return;
    if (this.running) {
      this.wrote = true;
      return;
    }
    if (this.status.state !== 'idle' || this.timerIsSoon) return;
    this.schedule(this.d.soonMs, true);
  }

  private start(resetBackoff: boolean): Promise<void> {
    if (this.stopped) return Promise.resolve();
    if (resetBackoff) this.failures = 0;
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.clear();
    this.running = this.loop().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  stop(): void {
    this.stopped = true;
    this.clear();
  }

  private clear(): void {
    if (this.timer !== null) this.d.clearTimer(this.timer);
    this.timer = null;
    this.timerIsSoon = false;
  }

  private set(status: Partial<SyncStatus>): void {
    this.status = { ...this.status, ...status };
    this.d.onStatus(this.status);
  }

  private async loop(): Promise<void> {
    let result: SyncPassResult;
    do {
      this.again = false;
      this.wrote = false;
      const previous = this.status;
      this.set({ state: 'syncing' });
      try {
        result = await syncPass(this.d.api, this.d.source, { batchSize: this.d.batchSize });
      } catch (error) {
        result = { kind: 'retry', delivered: 0, code: 'local-error', message: `操作記録の送信中にエラーが発生しました (${error instanceof Error ? error.message : String(error)})` };
      }
      if (result.kind === 'done') {
        this.failures = 0;
        this.set({ state: 'idle', lastSuccessAt: this.d.now(), problem: null, delivered: result.delivered });
      } else {
        this.failures++;
        this.set({ state: result.kind === 'refused' ? 'refused' : 'retry-wait', problem: { code: result.code, message: result.message }, delivered: result.delivered });
      }
      try {
        await this.d.onPass?.(result, previous);
      } catch {
        // Logging the outcome must not stop the sync; the writer surfaces its own errors.
      }
    } while (this.again && !this.stopped);
    if (this.stopped) return;
    if (result.kind === 'done') this.schedule(this.wrote ? this.d.soonMs : this.d.intervalMs, this.wrote);
    else if (result.kind === 'retry') this.schedule(backoffDelay(this.failures, this.d.backoffBaseMs, this.d.backoffMaxMs, this.d.random));
    // refused: no timer; shown until a person acts or an explicit request tries again.
  }

  private schedule(ms: number, soon = false): void {
    this.clear();
    this.timerIsSoon = soon;
    this.timer = this.d.setTimer(() => {
      this.timer = null;
      this.timerIsSoon = false;
      // A timer pass keeps the backoff count (an explicit request resets it).
      void this.start(false);
    }, ms);
  }
}
