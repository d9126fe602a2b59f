// The operation log as the renderer looks after it (issue 3): opens the terminal's log once the
// terminal's id is known, takes main's events into it (acknowledging each batch only after it is
// durably written), appends the renderer's own events, runs the sync to the central server, prunes
// what the server has had for long enough, and exposes what the status bar shows: records waiting,
// last successful sync, sync problems, storage warnings. I/O is injected (contract client, writer
// factory, trusted clock), so the store runs in a test page without a window.
import { makeAutoObservable, runInAction } from 'mobx';
import type { TerminalClient, TerminalSnapshot } from '../../../shared/contract';
import type { LogEvent } from '../../../shared/log-event';
import type { LogWriter } from '../log/log-writer';
import { LogSyncer, type SyncPassResult, type SyncStatus } from '../log/log-sync';
import { LogIntegrityError, LogStorageFullError, type StorageStatus } from '../log/log-rules';
import { wireRecordsJson } from '../../../shared/log-api';

/** Synced records are kept on the terminal this long after the server acknowledged them. */
export const LOG_KEEP_DAYS = 30;
/** Records waiting longer than this make the status bar warn. */
export const OLD_BACKLOG_HOURS = 24;

export interface LogStoreDeps {
  api: TerminalClient;
  openWriter: (terminalId: string) => LogWriter;
  /** Trusted now, epoch ms. */
  now: () => number;
  syncIntervalMs?: number;
  backoffBaseMs?: number;
}

export class LogStore {
  /** Records not yet acknowledged by the server. */
  backlog = 0;
  /** Trusted time of the oldest of them (ISO), or null. */
  oldestPendingAt: string | null = null;
  /** Trusted time of the last sync that reached the server (epoch ms), or null. */
  lastSyncAt: number | null = null;
  syncState: SyncStatus['state'] | 'starting' = 'starting';
  syncProblem: { code: string; message: string } | null = null;
  storage: StorageStatus | null = null;
  /** The log could not be written (storage full, damaged database): shown loudly, never hidden. */
  writeError: string | null = null;
  /** Problems found when the log was opened (already recorded in the log itself). */
  integrityProblems: string[] = [];

  private writer: LogWriter | null = null;
  private syncer: LogSyncer | null = null;
  private opening: Promise<void> | null = null;
  private epoch = '';
  private applied = 0;
  private delivering: Promise<void> | null = null;
  private deliverAgain = false;
  private lastSyncRequest: number | null = null;
  private latest: TerminalSnapshot | null = null;

  constructor(private readonly d: LogStoreDeps) {
    makeAutoObservable<LogStore, 'd' | 'writer' | 'syncer' | 'opening' | 'epoch' | 'applied' | 'delivering' | 'deliverAgain' | 'lastSyncRequest' | 'latest'>(this, {
      d: false,
      writer: false,
      syncer: false,
      opening: false,
      epoch: false,
      applied: false,
      delivering: false,
      deliverAgain: false,
      lastSyncRequest: false,
      latest: false,
    });
  }

  get ready(): boolean {
    return this.syncState !== 'starting';
  }

  /** Called with every snapshot from main. */
  receive(snapshot: TerminalSnapshot): void {
    this.latest = snapshot;
    if (!this.writer) {
      this.opening ??= this.open(snapshot.terminal.id);
      return;
    }
    if (snapshot.log.epoch !== this.epoch || snapshot.log.lastEid > this.applied) void this.deliver();
    if (snapshot.log.syncRequest !== this.lastSyncRequest) {
      this.lastSyncRequest = snapshot.log.syncRequest;
      void this.syncer?.request();
    }
  }

  /** The transport reconnected (e.g. the host restarted): main may hold events for us. */
  reconnected(): void {
    if (this.writer) void this.deliver();
    void this.syncer?.request();
  }

  /** Appends one renderer-side event; resolves once it is durably in the log. */
  async append(event: LogEvent): Promise<void> {
    if (this.opening) await this.opening;
    const writer = this.writer;
    if (!writer) throw new Error('the operation log is not open');
    try {
      await writer.append(event);
    } catch (error) {
      this.failed(error);
      throw error;
    }
    this.syncer?.soon();
    void this.refreshBacklog();
  }

  /** Sync now (also what the status bar's button does). */
  syncNow(): Promise<void> {
    return this.syncer?.request() ?? Promise.resolve();
  }

  /** A Japanese warning when the backlog is old, for the status bar. */
  backlogWarning(now: number): string | null {
    if (!this.oldestPendingAt || this.backlog === 0) return null;
    const ageMs = now - Date.parse(this.oldestPendingAt);
    if (!(ageMs >= OLD_BACKLOG_HOURS * 3_600_000)) return null;
    const hours = Math.floor(ageMs / 3_600_000);
    const age = hours >= 48 ? `${Math.floor(hours / 24)}日` : `${hours}時間`;
    return `${age}以上前の操作記録 ${this.backlog.toLocaleString('ja-JP')}件がサーバーに届いていません。ネットワークを確認し、システム管理者に連絡してください。`;
  }

  stop(): void {
    this.syncer?.stop();
  }

  private async open(terminalId: string): Promise<void> {
    const writer = this.d.openWriter(terminalId);
    try {
      const report = await writer.recover();
      runInAction(() => {
        this.integrityProblems = report.problems;
      });
      void writer.requestPersistentStorage();
      const lastSync = await writer.lastSync();
      runInAction(() => {
        this.lastSyncAt = lastSync ? Date.parse(lastSync) : null;
      });
    } catch (error) {
      this.failed(error);
      this.opening = null;
      return;
    }
    this.writer = writer;
    this.syncer = new LogSyncer({
      api: {
        getLogCursor: () => this.d.api.getLogCursor({ backlog: this.backlog, oldestPendingAt: this.oldestPendingAt }),
        // The records as the JSON text of the wire form (made while the batch before travels): main
        // forwards it to the central server as it is.
        pushLogBatch: (records, encoded) => this.d.api.pushLogBatch(encoded === undefined ? { records } : { recordsJson: encoded }),
        // The next batch, handed while the one before travels: main sends it once that one is acknowledged.
        pushLogBatchAfter: (_records, encoded, follows) => this.d.api.pushLogBatch({ recordsJson: encoded, follows }),
        encodeBatch: wireRecordsJson,
      },
      source: writer,
      now: this.d.now,
      intervalMs: this.d.syncIntervalMs,
      backoffBaseMs: this.d.backoffBaseMs,
      onStatus: (status) =>
        runInAction(() => {
          this.syncState = status.state;
          this.syncProblem = status.problem;
          if (status.lastSuccessAt !== null) this.lastSyncAt = status.lastSuccessAt;
        }),
      onPass: (result, previous) => this.afterPass(result, previous),
    });
    this.syncer.setLastSuccess(this.lastSyncAt);
    this.opening = null;
    await this.refreshBacklog();
    await this.refreshStorage();
    await this.deliver();
    this.lastSyncRequest = this.latest?.log.syncRequest ?? null;
    void this.syncer.request();
  }

  /** Takes main's events into the log until main has none left for us. One delivery at a time. */
  private deliver(): Promise<void> {
    if (this.delivering) {
      this.deliverAgain = true;
      return this.delivering;
    }
    this.delivering = (async () => {
      do {
        this.deliverAgain = false;
        await this.deliverAll();
      } while (this.deliverAgain);
    })().finally(() => {
      this.delivering = null;
    });
    return this.delivering;
  }

  private async deliverAll(): Promise<void> {
    const writer = this.writer;
    if (!writer) return;
    for (let round = 0; round < 10_000; round++) {
      const taken = await this.d.api.takeLogEvents({ afterEid: this.applied });
      if (!taken || !Array.isArray((taken as { events?: unknown }).events) || typeof taken.epoch !== 'string') return; // disconnected: next snapshot retries
      if (taken.epoch !== this.epoch) {
        // First contact, or main's journal was replaced: where are we in this numbering?
        // The events just taken were chosen by the old numbering's position: take again from ours
        // (after a replaced journal, the new numbering's first events would otherwise be skipped).
        this.epoch = taken.epoch;
        this.applied = await writer.mainApplied(taken.epoch);
        if (this.applied > 0) await this.d.api.ackLogEvents({ epoch: this.epoch, eid: this.applied });
        continue;
      }
      if (taken.events.length === 0) {
        // Tell main what is already in (it may still hold events delivered before a reload).
        if (this.latest && this.latest.log.pending > 0 && this.applied > 0) await this.d.api.ackLogEvents({ epoch: this.epoch, eid: this.applied });
        return;
      }
      try {
        this.applied = await writer.appendDelivered(taken.epoch, taken.events);
      } catch (error) {
        if (error instanceof LogIntegrityError) await writer.recover().catch(() => undefined);
        this.failed(error);
        return;
      }
      runInAction(() => {
        if (this.writeError) this.writeError = null;
      });
      await this.d.api.ackLogEvents({ epoch: this.epoch, eid: this.applied });
      this.syncer?.soon();
      await this.refreshBacklog();
    }
  }

  private async afterPass(result: SyncPassResult, previous: SyncStatus): Promise<void> {
    const writer = this.writer;
    if (!writer) return;
    const wasFailing = previous.state === 'retry-wait' || previous.state === 'refused';
    if (result.kind === 'done') {
      await writer.setLastSync(new Date(this.d.now()).toISOString());
      if (wasFailing) {
        // Recorded, and sent in the same run: the syncer passes again because of this request.
        await this.append({ type: 'log.sync-resumed', outcome: 'success', operatorId: null, cardKeyId: null, detail: { delivered: result.delivered, after: previous.problem?.code ?? 'unknown' } });
        void this.syncer?.request();
      }
      await writer.pruneSynced(result.ackSeq, LOG_KEEP_DAYS).catch(() => undefined);
    } else if (result.kind === 'retry' && !wasFailing) {
      await this.append({ type: 'log.sync-failed', outcome: 'failure', operatorId: null, cardKeyId: null, detail: { code: result.code, delivered: result.delivered } });
    } else if (result.kind === 'refused' && previous.state !== 'refused') {
      await this.append({ type: 'log.sync-refused', outcome: 'failure', operatorId: null, cardKeyId: null, detail: { code: result.code, message: result.message.slice(0, 500) } });
    }
    await this.refreshBacklog();
    await this.refreshStorage();
  }

  private async refreshBacklog(): Promise<void> {
    const writer = this.writer;
    if (!writer) return;
    try {
      const backlog = await writer.backlog();
      runInAction(() => {
        this.backlog = backlog.count;
        this.oldestPendingAt = backlog.oldestAt;
      });
    } catch (error) {
      this.failed(error);
    }
  }

  private async refreshStorage(): Promise<void> {
    const writer = this.writer;
    if (!writer) return;
    const status = await writer.storageEstimate().catch(() => null);
    runInAction(() => {
      this.storage = status;
    });
  }

  private failed(error: unknown): void {
    const message =
      error instanceof LogStorageFullError
        ? error.message
        : `操作記録を保存できませんでした。システム管理者に連絡してください。(${error instanceof Error ? error.message : String(error)})`;
    runInAction(() => {
      this.writeError = message;
    });
  }
}
