// Appends to the terminal's local operation log and looks after it (issue 3, item 2).
//
// - append(): the next gap-free seq and the hash chain are taken from meta 'log-head' and written
//   with the record in ONE read-write transaction over log+meta (strict durability). IndexedDB runs
//   read-write transactions over the same stores one after another, also across tabs and after a
//   reload, so two writers can never take the same seq or fork the chain; `log.add` refuses an
//   existing seq as a second guard. Inside this page, appends are also queued, so seq order follows
//   call order and the clock is read (inside the transaction) in that order. Hot path: when this
//   writer made the previous append, the head read, the record and the new head go out as three
//   requests at once and the transaction is aborted if the head read is not the expected one
//   (then retried reading first): one IndexedDB round trip instead of two, same guarantee. The
//   append transaction is plain IndexedDB on Dexie's connection (see appendTransaction); all the
//   rest goes through Dexie.
// - Records are never modified. pruneSynced() deletes only a prefix that the server acknowledged
//   (meta 'sync-checkpoint') AND that is older than keepDays; it never deletes an unsynced record,
//   and keeps the newest record as the anchor of the head.
// All I/O is injected (database, clock, SHA-256, storage manager).
import Dexie, { RangeSet } from 'dexie';
import { GENESIS_HASH, sealRecord, verifyChain, type ChainProblem, type LogRecord, type Sha256Hex } from '../../../domain/log/log-record';
import { MAX_BATCH_RECORDS } from '../../../shared/log-api';
import type { PendingLogEvent } from '../../../shared/contract';
import { TerminalIdSchema } from '../../../shared/server-api';
import { getMeta, putMeta, type MetaRow, type TerminalDb } from './log-db';
import {
  BATCH_RECORDS_MAX_BYTES,
  checkHead,
  describeProblem,
  LogEventError,
  LogIntegrityError,
  LogStorageFullError,
  prunablePrefix,
  recordProblems,
  storageStatus,
  validateEvent,
  type ChainPoint,
  type HeadCheck,
  type LogEvent,
  type LogHead,
  type StorageStatus,
  type SyncCheckpoint,
} from './log-rules';

/** Trusted time of "now" and the local clock's offset from it (ms). */
export type LogClock = () => { at: string; clockOffsetMs: number };

/** The part of `navigator.storage` the writer uses. */
export interface StorageLike {
  persist?(): Promise<boolean>;
  persisted?(): Promise<boolean>;
  estimate?(): Promise<{ usage?: number; quota?: number }>;
}

export interface LogWriterDeps {
  db: TerminalDb;
  clock: LogClock;
  terminalId: string;
  sha256: Sha256Hex;
  /** Defaults to `navigator.storage` when there is one. */
  storage?: StorageLike | null;
}

export interface VerifyReport {
  ok: boolean;
  /** Records checked. */
  checked: number;
  /** Where verification started from: the last pruned record, or null (from seq 1). */
  base: ChainPoint | null;
  /** The last record that verified. */
  last: ChainPoint | null;
  problem: ChainProblem | null;
  /** The head compared with the last stored record at the end of the log (null when a problem stopped verification earlier). */
  head: HeadCheck | null;
}

export interface RecoverReport {
  /** The head after recovery. */
  head: LogHead | null;
  /** What the head looked like before (repaired when it was missing, behind or mismatched). */
  headCheck: HeadCheck;
  verification: VerifyReport | null;
  /** The log's own record of a problem found here ('log.integrity-problem'), or null. */
  reported: LogRecord | null;
  /** Human-readable lines for each problem found; empty when all is well. */
  problems: string[];
}

export interface Backlog {
  /** Records not yet acknowledged by the server. */
  count: number;
  /** Trusted time of the oldest of them, or null when there are none. */
  oldestAt: string | null;
  ackSeq: number;
}

const VERIFY_PAGE = 1000;
const PRUNE_PAGE = 500;
const DAY_MS = 86_400_000;

class StaleHeadError extends Error {}

function headOf(record: LogRecord): LogHead {
  return { seq: record.seq, hash: record.hash, terminalId: record.terminalId };
}

function errorName(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const e = error as { name?: unknown; inner?: { name?: unknown } };
  if (e.inner && typeof e.inner.name === 'string' && e.inner.name === 'QuotaExceededError') return e.inner.name;
  return typeof e.name === 'string' ? e.name : undefined;
}

export class LogWriter {
  private readonly db: TerminalDb;
  private readonly clock: LogClock;
  private readonly sha256: Sha256Hex;
  private readonly storage: StorageLike | null;
  readonly terminalId: string;
  private queue: Promise<unknown> = Promise.resolve();
  /** The head as of this writer's last committed append (null: not known, read it). */
  private knownHead: LogHead | null = null;
  private persistRequest: Promise<boolean> | null = null;

  constructor(deps: LogWriterDeps) {
    if (!TerminalIdSchema.safeParse(deps.terminalId).success) throw new LogIntegrityError(`invalid terminal id: ${JSON.stringify(deps.terminalId)}`);
    this.db = deps.db;
    this.clock = deps.clock;
    this.sha256 = deps.sha256;
    this.terminalId = deps.terminalId;
    this.storage = deps.storage !== undefined ? deps.storage : typeof navigator !== 'undefined' && navigator.storage ? navigator.storage : null;
  }

  /** Runs `task` after everything queued before it in this page (appends, head repairs). */
  private serial<T>(task: () => Promise<T>): Promise<T> {
    const run = this.queue.then(task, task);
    this.queue = run.catch(() => undefined);
    return run;
  }

  /**
   * Writes one event as the next record and resolves once it is durably stored. Rejects with
   * LogEventError (invalid event), LogIntegrityError (the head is lost or belongs to another
   * terminal: run recover()) or LogStorageFullError; in every such case nothing was written.
   */
  async append(event: LogEvent): Promise<LogRecord> {
    const clean = validateEvent(event);
    return this.serial(() => this.write(clean));
  }

  private async write(event: LogEvent): Promise<LogRecord> {
    const idb = await this.connection();
    for (let attempt = 0; ; attempt++) {
      const known = this.knownHead;
      this.knownHead = null; // until this transaction has committed
      try {
        const record = await this.appendTransaction(idb, event, attempt === 0 ? known : null);
        this.knownHead = headOf(record);
        this.announce(record);
        return record;
      } catch (error) {
        // Another connection (tab, or this page before a reload) wrote since our last append:
        // the transaction was aborted, nothing was written. Once more, reading the head first.
        if (known && attempt === 0 && (error instanceof StaleHeadError || errorName(error) === 'ConstraintError')) continue;
        if (error instanceof LogEventError || error instanceof LogIntegrityError) throw error;
        const name = errorName(error);
        if (name === 'QuotaExceededError') throw new LogStorageFullError(error);
        if (name === 'ConstraintError') throw new LogIntegrityError('the next seq is already stored (the head is behind the records): run recover()');
        throw error;
      }
    }
  }

  /** Dexie's own IndexedDB connection (opened, or reopened after a version change closed it). */
  private async connection(): Promise<IDBDatabase> {
    if (!this.db.isOpen()) await this.db.open();
    return this.db.backendDB();
  }

  /**
   * ONE read-write transaction over log+meta, strict durability, on Dexie's connection but without
   * Dexie's promise layer (which doubles the time of this hot path: measured 1.9 ms against 1.0 ms
   * per append). Requests in a transaction run in order, so the head read is the state before
   * this append's writes.
   *
   * - `known` null: read the head; the record chained to it and the new head are written from the
   *   read's callback (two round trips).
   * - `known` set (this writer made the previous append): the head read, the record chained to
   *   `known` and the new head are sent at once (one round trip); if the head read is not `known`,
   *   the transaction is aborted before it commits, and with it both writes (StaleHeadError).
   *
   * Resolves when the transaction has committed (durably); rejects when it aborted (nothing written).
   */
  private appendTransaction(idb: IDBDatabase, event: LogEvent, known: LogHead | null): Promise<LogRecord> {
    return new Promise<LogRecord>((resolve, reject) => {
      const tx = idb.transaction(['log', 'meta'], 'readwrite', { durability: 'strict' });
      const log = tx.objectStore('log');
      const meta = tx.objectStore('meta');
      let record: LogRecord | null = null;
      let failure: unknown = null;
      const fail = (error: unknown) => {
        failure ??= error;
        try {
          tx.abort();
        } catch {
          // already aborting
        }
      };
      const write = (head: LogHead | null): void => {
        try {
          record = this.seal(event, head);
        } catch (error) {
          fail(error);
          return;
        }
        log.add(record);
        meta.put({ key: 'log-head', value: headOf(record) } satisfies MetaRow);
      };
      tx.oncomplete = () => (record ? resolve(record) : reject(new Error('append: the transaction committed without a record')));
      tx.onabort = () => reject(failure ?? tx.error ?? new Error('append: the transaction was aborted'));
      const headRequest = meta.get('log-head');
      const storedHead = (): LogHead | null => ((headRequest.result as MetaRow | undefined)?.value as LogHead | undefined) ?? null;
      if (known) {
        write(known);
        headRequest.onsuccess = () => {
          const stored = storedHead();
          if (!stored || stored.seq !== known.seq || stored.hash !== known.hash || stored.terminalId !== known.terminalId) fail(new StaleHeadError());
        };
        return;
      }
      headRequest.onsuccess = () => {
        const head = storedHead();
        if (head && head.terminalId !== this.terminalId) return fail(new LogIntegrityError(`the stored log belongs to terminal ${head.terminalId}, not ${this.terminalId}`));
        if (head) return write(head);
        const anyRecord = log.openKeyCursor();
        anyRecord.onsuccess = () => {
          if (anyRecord.result) fail(new LogIntegrityError('the log head is missing although records are stored: run recover() before appending'));
          else write(null);
        };
      };
    });
  }

  /** Tells Dexie's live queries (in this tab and, through Dexie, in the others) what changed. */
  private announce(record: LogRecord): void {
    const db = `idb://${this.db.name}`;
    const parts: Record<string, RangeSet> = {
      [`${db}/log/`]: new RangeSet(record.seq),
      [`${db}/log/at`]: new RangeSet(record.at),
      [`${db}/log/type`]: new RangeSet(record.type),
      [`${db}/meta/`]: new RangeSet('log-head'),
    };
    if (record.operatorId !== null) parts[`${db}/log/operatorId`] = new RangeSet(record.operatorId);
    Dexie.on.storagemutated.fire(parts);
  }

  private seal(event: LogEvent, head: LogHead | null, time?: { at: string; clockOffsetMs: number }): LogRecord {
    const now = time ?? this.clock();
    const record = sealRecord(
      {
        terminalId: this.terminalId,
        seq: head ? head.seq + 1 : 1,
        prevHash: head ? head.hash : GENESIS_HASH,
        at: now.at,
        clockOffsetMs: Math.round(now.clockOffsetMs),
        ...event,
      },
      this.sha256,
    );
    const problems = recordProblems(record);
    if (problems.length > 0) throw new LogEventError(problems);
    return record;
  }

  /**
   * Appends events raised on the main side (each with its own eid and time), in eid order, in ONE
   * transaction that also stores the highest eid applied (meta 'main-applied'). An event whose eid
   * is not above the stored one is already in the log (delivered before a reload or crash, or by
   * another tab) and is skipped, so a redelivery never appends twice. Resolves, once durably
   * committed, to the highest eid now in the log: main may forget every event up to it.
   * An event the log refuses (it cannot be, main checks with the same rules) is replaced by a
   * 'log.main-event-refused' record naming its type, so the queue behind it is never stuck.
   */
  async appendDelivered(epoch: string, events: readonly PendingLogEvent[]): Promise<number> {
    const sorted = [...events].sort((a, b) => a.eid - b.eid);
    for (const e of sorted) if (!Number.isSafeInteger(e.eid) || e.eid < 1) throw new LogEventError([`eid: invalid (${String(e.eid)})`]);
    const cleaned = sorted.map((e): { eid: number; event: LogEvent; time: { at: string; clockOffsetMs: number } } => {
      const time = { at: e.at, clockOffsetMs: e.clockOffsetMs };
      try {
        const event = validateEvent({ type: e.type, outcome: e.outcome, operatorId: e.operatorId, cardKeyId: e.cardKeyId, detail: e.detail });
        // The main-side event id travels with the record, so the server's copy shows each main event exactly once.
        if (Object.keys(event.detail).length < 32 && !('mainEid' in event.detail)) event.detail = { ...event.detail, mainEid: e.eid };
        return { eid: e.eid, event, time };
      } catch (error) {
        if (!(error instanceof LogEventError)) throw error;
        const type = typeof e.type === 'string' ? e.type.slice(0, 200) : typeof e.type;
        return { eid: e.eid, event: { type: 'log.main-event-refused', outcome: 'failure', operatorId: null, cardKeyId: null, detail: { eid: e.eid, refusedType: type, problems: error.problems.join('; ').slice(0, 500) } }, time };
      }
    });
    return this.serial(async () => {
      const idb = await this.connection();
      this.knownHead = null;
      try {
        const result = await new Promise<{ applied: number; last: LogRecord | null }>((resolve, reject) => {
          const tx = idb.transaction(['log', 'meta'], 'readwrite', { durability: 'strict' });
          const log = tx.objectStore('log');
          const meta = tx.objectStore('meta');
          let failure: unknown = null;
          let outcome: { applied: number; last: LogRecord | null } | null = null;
          const fail = (error: unknown) => {
            failure ??= error;
            try {
              tx.abort();
            } catch {
              // already aborting
            }
          };
          tx.oncomplete = () => (outcome ? resolve(outcome) : reject(new Error('appendDelivered: committed without an outcome')));
          tx.onabort = () => reject(failure ?? tx.error ?? new Error('appendDelivered: the transaction was aborted'));
          const appliedRequest = meta.get('main-applied');
          const headRequest = meta.get('log-head');
          let stored: { epoch: string; eid: number } | undefined;
          const write = (start: LogHead | null, applied: number) => {
            let head = start;
            let last: LogRecord | null = null;
            let highest = applied;
            try {
              for (const item of cleaned) {
                if (item.eid <= highest) continue;
                const record = this.seal(item.event, head, item.time);
                log.add(record);
                head = headOf(record);
                last = record;
                highest = item.eid;
              }
            } catch (error) {
              fail(error);
              return;
            }
            if (last) meta.put({ key: 'log-head', value: headOf(last) } satisfies MetaRow);
            if (highest !== applied || !stored || stored.epoch !== epoch) meta.put({ key: 'main-applied', value: { epoch, eid: highest } } satisfies MetaRow);
            outcome = { applied: highest, last };
          };
          headRequest.onsuccess = () => {
            stored = (appliedRequest.result as MetaRow | undefined)?.value as { epoch: string; eid: number } | undefined;
            // Another numbering than the stored one: main's journal was replaced, none of its events is in yet.
            const applied = stored && stored.epoch === epoch ? stored.eid : 0;
            const head = ((headRequest.result as MetaRow | undefined)?.value as LogHead | undefined) ?? null;
            if (head && head.terminalId !== this.terminalId) return fail(new LogIntegrityError(`the stored log belongs to terminal ${head.terminalId}, not ${this.terminalId}`));
            if (head) return write(head, applied);
            const anyRecord = log.openKeyCursor();
            anyRecord.onsuccess = () => {
              if (anyRecord.result) fail(new LogIntegrityError('the log head is missing although records are stored: run recover() before appending'));
              else write(null, applied);
            };
          };
        });
        if (result.last) {
          this.knownHead = headOf(result.last);
          this.announce(result.last);
        }
        return result.applied;
      } catch (error) {
        if (error instanceof LogEventError || error instanceof LogIntegrityError) throw error;
        const name = errorName(error);
        if (name === 'QuotaExceededError') throw new LogStorageFullError(error);
        if (name === 'ConstraintError') throw new LogIntegrityError('the next seq is already stored (the head is behind the records): run recover()');
        throw error;
      }
    });
  }

  /** The highest main-side event id of main's numbering `epoch` already in the log (0: none). */
  async mainApplied(epoch: string): Promise<number> {
    const stored = await getMeta(this.db, 'main-applied');
    return stored && stored.epoch === epoch ? stored.eid : 0;
  }

  /** Trusted time of the last sync pass that reached the server (kept across reloads). */
  async lastSync(): Promise<string | null> {
    return (await getMeta(this.db, 'last-sync'))?.at ?? null;
  }

  async setLastSync(at: string): Promise<void> {
    await putMeta(this.db, 'last-sync', { at });
  }

  async head(): Promise<LogHead | null> {
    return getMeta(this.db, 'log-head');
  }

  async syncCheckpoint(): Promise<SyncCheckpoint | null> {
    return getMeta(this.db, 'sync-checkpoint');
  }

  /**
   * At start: checks meta 'log-head' against the last stored record and repairs it from the records
   * when it was lost, is behind or names another hash (cannot happen through append, as both are
   * written in one transaction: it means the database was tampered with or damaged). A head ahead
   * of the records (the newest records are gone) is kept, so the chain never forks. Then verifies
   * the stored chain (unless `verify: false`). Any problem is reported in the return value AND
   * appended to the log itself as 'log.integrity-problem'.
   */
  async recover(options: { verify?: boolean } = {}): Promise<RecoverReport> {
    const { db } = this;
    const headCheck = await this.serial(() =>
      db.transaction('rw', db.log, db.meta, async () => {
        const head = await getMeta(db, 'log-head');
        const last = (await db.log.orderBy(':id').last()) ?? null;
        const base = await getMeta(db, 'log-base');
        const check = checkHead(head, last, base);
        if (check.kind === 'head-missing' || check.kind === 'head-behind' || check.kind === 'head-mismatch') {
          await putMeta(db, 'log-head', check.repairTo);
        }
        this.knownHead = null;
        return check;
      }),
    );
    const verification = options.verify === false ? null : await this.verifyLocal();
    const problems: string[] = [];
    if (headCheck.kind === 'head-missing') problems.push(`the log head was missing; rebuilt from record ${headCheck.repairTo.seq}`);
    if (headCheck.kind === 'head-behind') problems.push(`the log head was behind the records; moved to record ${headCheck.repairTo.seq}`);
    if (headCheck.kind === 'head-mismatch') problems.push(`the log head named another hash than record ${headCheck.repairTo.seq}; rebuilt from the record`);
    if (headCheck.kind === 'tail-missing') problems.push(`records ${(headCheck.lastStored ?? 0) + 1}–${headCheck.head.seq} are missing at the end of the log`);
    if (verification?.problem) problems.push(describeProblem(verification.problem));
    let reported: LogRecord | null = null;
    if (problems.length > 0) {
      const detail: Record<string, string | number> = { head: headCheck.kind };
      if (verification?.problem) {
        detail.problem = verification.problem.kind;
        detail.seq = verification.problem.seq;
      }
      detail.summary = problems.join(' / ').slice(0, 500);
      try {
        reported = await this.append({ type: 'log.integrity-problem', outcome: 'failure', operatorId: null, cardKeyId: null, detail });
      } catch (error) {
        problems.push(`the problem could not be logged: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    return { head: await this.head(), headCheck, verification, reported, problems };
  }

  /** Re-verifies every stored record's hash and link, from the last pruned record (or seq 1) to the head. */
  async verifyLocal(): Promise<VerifyReport> {
    const { db } = this;
    const base = await getMeta(db, 'log-base');
    let previous: ChainPoint | null = base;
    let checked = 0;
    for (;;) {
      const from = previous;
      // Only reads inside the transaction: hashing a page takes tens of ms, and appends wait for
      // an open read transaction over the same stores.
      const step = await db.transaction('r', db.log, db.meta, async () => {
        const page = await db.log.where(':id').above(from?.seq ?? 0).limit(VERIFY_PAGE).toArray();
        if (page.length === VERIFY_PAGE) return { page, head: null };
        // The end of the log: the head and the last record, read in the same transaction.
        const last = page.at(-1) ?? (from ? await db.log.get(from.seq) : undefined) ?? null;
        return { page, head: checkHead(await getMeta(db, 'log-head'), last, base) };
      });
      const problem = verifyChain(step.page, from, this.terminalId, this.sha256);
      if (problem) {
        const good = step.page.filter((r) => r.seq < problem.seq && r.seq > (from?.seq ?? 0));
        checked += good.length;
        const lastGood = good.at(-1);
        return { ok: false, checked, base, last: lastGood ? { seq: lastGood.seq, hash: lastGood.hash } : from, problem, head: null };
      }
      checked += step.page.length;
      const lastOfPage = step.page.at(-1);
      if (lastOfPage) previous = { seq: lastOfPage.seq, hash: lastOfPage.hash };
      if (step.head) {
        return { ok: step.head.kind === 'ok' || step.head.kind === 'empty', checked, base, last: previous, problem: null, head: step.head };
      }
    }
  }

  /**
   * Records the server's acknowledgement (all records up to ackSeq, the last hashing to ackHash).
   * Never moves backwards. Throws LogIntegrityError when the server acknowledges more than was
   * written, or another hash than the local record's (the server holds a different chain).
   */
  async acknowledge(ack: SyncCheckpoint): Promise<SyncCheckpoint> {
    if (!Number.isSafeInteger(ack.ackSeq) || ack.ackSeq < 0 || !/^[0-9a-f]{64}$/.test(ack.ackHash)) throw new LogIntegrityError(`invalid acknowledgement: ${JSON.stringify(ack)}`);
    const { db } = this;
    return db.transaction('rw', db.log, db.meta, async () => {
      const current = await getMeta(db, 'sync-checkpoint');
      if (current && ack.ackSeq <= current.ackSeq) {
        if (ack.ackSeq === current.ackSeq && ack.ackHash !== current.ackHash) throw new LogIntegrityError(`the server acknowledged record ${ack.ackSeq} with another hash than before`);
        return current;
      }
      const head = await getMeta(db, 'log-head');
      if (ack.ackSeq > (head?.seq ?? 0)) throw new LogIntegrityError(`the server acknowledged record ${ack.ackSeq}, but only ${head?.seq ?? 0} were written`);
      if (ack.ackSeq > 0) {
        const local = await db.log.get(ack.ackSeq);
        const base = await getMeta(db, 'log-base');
        const localHash = local?.hash ?? (base?.seq === ack.ackSeq ? base.hash : undefined);
        if (localHash === undefined) throw new LogIntegrityError(`record ${ack.ackSeq} acknowledged by the server is not stored here`);
        if (localHash !== ack.ackHash) throw new LogIntegrityError(`the server's hash of record ${ack.ackSeq} differs from this terminal's`);
      }
      const next = { ackSeq: ack.ackSeq, ackHash: ack.ackHash };
      await putMeta(db, 'sync-checkpoint', next);
      return next;
    });
  }

  /**
   * The first contact of THIS local log with a server that already holds records of this terminal
   * (the local store is new: the browser profile or the app's data was wiped, the terminal was
   * reinstalled). `syncPass` acknowledges the server's cursor before it ever sends, so a store
   * without a checkpoint has never sent anything: the server's records came from an earlier store,
   * and this one's chain from seq 1 can never join them.
   *
   * Rather than refusing forever (and keeping every new record off the server), the local records —
   * none of them ever left this terminal — are chained again after the server's head, behind a
   * 'log.store-replaced' record that says so (outcome failure: the manager sees it). Each keeps its
   * type, outcome, operator, card, time and detail, plus `localSeq` (its number before). The local
   * chain is verified first: a broken one is not laundered into a fresh chain (LogIntegrityError).
   * When a checkpoint exists by now (another tab did it) or the local record at the server's head
   * has the server's hash (nothing to move), this is a plain acknowledge.
   */
  async adoptServerHead(server: SyncCheckpoint): Promise<{ checkpoint: SyncCheckpoint; moved: number | null }> {
    if (!Number.isSafeInteger(server.ackSeq) || server.ackSeq < 1 || !/^[0-9a-f]{64}$/.test(server.ackHash)) throw new LogIntegrityError(`invalid server head: ${JSON.stringify(server)}`);
    const { db } = this;
    const checkpoint: SyncCheckpoint = { ackSeq: server.ackSeq, ackHash: server.ackHash };
    const outcome = await this.serial(() =>
      db.transaction('rw', db.log, db.meta, async () => {
        this.knownHead = null;
        const current = await getMeta(db, 'sync-checkpoint');
        if (current) return { current };
        if ((await db.log.get(server.ackSeq))?.hash === server.ackHash) return { current: null };
        const records = await db.log.orderBy(':id').toArray();
        const base = await getMeta(db, 'log-base');
        const problem = verifyChain(records, base, this.terminalId, this.sha256);
        if (problem) throw new LogIntegrityError(`the local log does not verify (${describeProblem(problem)}); it is not chained onto the server's records`);
        let head: LogHead = { seq: server.ackSeq, hash: server.ackHash, terminalId: this.terminalId };
        const moved: LogRecord[] = [];
        const marker = this.seal(
          {
            type: 'log.store-replaced',
            outcome: 'failure',
            operatorId: null,
            cardKeyId: null,
            detail: { serverSeq: server.ackSeq, localRecords: records.length, firstLocalAt: records[0]?.at ?? '', lastLocalAt: records.at(-1)?.at ?? '' },
          },
          head,
        );
        moved.push(marker);
        head = headOf(marker);
        for (const r of records) {
          const detail = Object.keys(r.detail).length < 32 && !('localSeq' in r.detail) ? { ...r.detail, localSeq: r.seq } : r.detail;
          const record = this.seal({ type: r.type, outcome: r.outcome, operatorId: r.operatorId, cardKeyId: r.cardKeyId, detail }, head, { at: r.at, clockOffsetMs: r.clockOffsetMs });
          moved.push(record);
          head = headOf(record);
        }
        await db.log.bulkDelete(records.map((r) => r.seq));
        await db.log.bulkAdd(moved);
        await putMeta(db, 'log-head', head);
        // The records before the server's head are not here, as if pruned: the chain starts from it.
        await putMeta(db, 'log-base', { seq: server.ackSeq, hash: server.ackHash });
        await putMeta(db, 'sync-checkpoint', checkpoint);
        return { current: null, moved: records.length };
      }),
    );
    if (outcome.current) return { checkpoint: outcome.current, moved: null };
    if (outcome.moved === undefined) return { checkpoint: await this.acknowledge(checkpoint), moved: null };
    return { checkpoint, moved: outcome.moved };
  }

  /**
   * Deletes the oldest records that the server has acknowledged (seq ≤ min(ackSeq, the stored
   * checkpoint)) AND whose time is more than keepDays before now. An unsynced record is never
   * deleted, nor the newest record. Returns how many were deleted and the new base.
   */
  async pruneSynced(ackSeq: number, keepDays: number): Promise<{ deleted: number; base: ChainPoint | null }> {
    if (!Number.isFinite(ackSeq) || !Number.isFinite(keepDays) || keepDays < 0) throw new RangeError(`pruneSynced: invalid arguments (${ackSeq}, ${keepDays})`);
    const cutoffMs = Date.parse(this.clock().at) - keepDays * DAY_MS;
    if (!Number.isFinite(cutoffMs)) throw new RangeError('pruneSynced: the clock gave an unreadable time');
    const { db } = this;
    // Chunk by chunk, each in its own transaction (appends wait for at most one chunk, not for the
    // whole prune); each chunk deletes a prefix and moves the base with it, so the log verifies
    // from the base after every chunk, whatever interrupts the prune.
    let deleted = 0;
    for (;;) {
      const chunk = await db.transaction('rw', db.log, db.meta, async () => {
        const checkpoint = await getMeta(db, 'sync-checkpoint');
        const base = await getMeta(db, 'log-base');
        const limit = Math.min(Math.floor(ackSeq), checkpoint?.ackSeq ?? 0);
        const newest = (await db.log.orderBy(':id').lastKey()) as number | undefined;
        if (limit <= (base?.seq ?? 0) || newest === undefined) return { n: 0, more: false, base };
        const page = await db.log
          .where(':id')
          .between(base?.seq ?? 0, limit, false, true)
          .limit(PRUNE_PAGE)
          .toArray();
        const n = prunablePrefix(page, limit, cutoffMs, newest);
        if (n === 0) return { n, more: false, base };
        const gone = page.slice(0, n);
        await db.log.bulkDelete(gone.map((r) => r.seq));
        const lastGone = gone.at(-1)!;
        const next = { seq: lastGone.seq, hash: lastGone.hash };
        await putMeta(db, 'log-base', next);
        return { n, more: n === PRUNE_PAGE, base: next };
      });
      deleted += chunk.n;
      if (!chunk.more) return { deleted, base: chunk.base };
    }
  }

  /** Records waiting for the server: how many, and the time of the oldest. */
  async backlog(): Promise<Backlog> {
    const { db } = this;
    return db.transaction('r', db.log, db.meta, async () => {
      const ackSeq = (await getMeta(db, 'sync-checkpoint'))?.ackSeq ?? 0;
      const pending = db.log.where(':id').above(ackSeq);
      const count = await pending.count();
      const oldest = count > 0 ? await db.log.where(':id').above(ackSeq).first() : undefined;
      return { count, oldestAt: oldest?.at ?? null, ackSeq };
    });
  }

  /**
   * Records following `afterSeq`, in order, for the sync: at most `max`, and no more than `maxBytes`
   * of JSON together (the server refuses larger bodies; at least one record is always returned).
   * Throws LogIntegrityError when the record right after `afterSeq` is no longer stored here (a
   * batch must never skip a record). `maxBytes` Infinity: no size check here (the sync checks the
   * text it sends instead, see log-sync.ts prepare: writing each record as JSON only to measure it
   * costs ~15 ms a batch).
   */
  async pendingBatch(afterSeq: number, max: number = MAX_BATCH_RECORDS, maxBytes: number = BATCH_RECORDS_MAX_BYTES): Promise<LogRecord[]> {
    if (!Number.isSafeInteger(afterSeq) || afterSeq < 0) throw new RangeError(`pendingBatch: invalid afterSeq ${afterSeq}`);
    const limit = Math.max(1, Math.min(MAX_BATCH_RECORDS, Math.floor(max)));
    const records = await this.db.log.where(':id').above(afterSeq).limit(limit).toArray();
    const first = records[0];
    if (first && first.seq !== afterSeq + 1) throw new LogIntegrityError(`records ${afterSeq + 1}–${first.seq - 1} are not stored on this terminal (pruned or lost)`);
    if (maxBytes === Infinity) return records;
    // JSON text of n UTF-16 units is at most 3n bytes of UTF-8: exact byte counts are needed only
    // when that bound passes the limit (a batch of mostly non-ASCII text); usually it does not.
    const texts = records.map((r) => JSON.stringify(r));
    let bound = 0;
    for (const text of texts) bound += text.length * 3 + 1;
    if (bound <= maxBytes) return records;
    const encoder = new TextEncoder();
    let bytes = 0;
    for (let i = 0; i < records.length; i++) {
      bytes += encoder.encode(texts[i]).length + 1;
      if (bytes > maxBytes && i > 0) return records.slice(0, i);
    }
    return records;
  }

  /** Asks the browser, once, to keep this origin's storage under pressure. Resolves to the answer. */
  requestPersistentStorage(): Promise<boolean> {
    this.persistRequest ??= (async () => {
      const storage = this.storage;
      if (!storage?.persist) return false;
      if (storage.persisted && (await storage.persisted())) return true;
      return storage.persist();
    })().catch(() => false);
    return this.persistRequest;
  }

  /** Storage use against the quota, with a Japanese warning when it runs high. */
  async storageEstimate(): Promise<StorageStatus> {
    const storage = this.storage;
    const estimate = storage?.estimate ? await storage.estimate().catch(() => null) : null;
    const persisted = storage?.persisted ? await storage.persisted().catch(() => null) : null;
    return storageStatus(estimate, persisted);
  }
}
