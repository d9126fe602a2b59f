// The terminal's main-side brain: turns card events, passwords, timers and the server into
// session transitions (domain/session) and snapshots for the renderer (shared/contract).
// It runs unchanged in Electron's main process and in the plain-Node second host.
import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { CardService, CardInsertedEvent, CardRemovedEvent } from '../card/card-service';
import { CardError } from '../card/card-service';
import { verifyPassword, hashPassword } from '../password/scrypt';
import { MAX_TAKE_EVENTS, type TerminalApi, type TerminalSnapshot, type CommandResult, type Phase, type OperatorView, type PendingLogEvent, type LogSyncResult, type ResidentFeedResult, type ReplicaKeyResult } from '../../shared/contract';
import type { LogRecord } from '../../domain/log/log-record';
import type { RosterOperator, RosterResponse, TerminalCredential, CalendarExceptionWire } from '../../shared/server-api';
import { reduceSession, initialSessionState, type SessionState, type SessionEvent, type SessionEffect } from '../../domain/session/session-machine';
import { operatorForCard, effectiveFailures } from '../../domain/session/eligibility';
import { TrustedClock, type ClockSource } from '../../domain/time/trusted-clock';
import { hoursAt } from '../../domain/calendar/hours';
import { formatJst } from '../../domain/calendar/format';
import { checkNewPassword } from '../../domain/password/policy';
import { isPasswordExpired } from '../../domain/password/expiry';
import { emergencyStopMessage, stopBlocks, type EmergencyStop } from '../../domain/session/emergency-stop';
import type { ServerClient } from './server-client';
import { ServerRejectedError } from './server-client';
import type { TerminalStateStore, OutboxEntry } from './terminal-state';
import type { LogOutbox } from './log-outbox';
import type { LogEvent } from '../../shared/log-event';
import type { LogBacklogReport } from '../../shared/log-api';
import { relayLogCall } from './log-relay';
import { ResidentFeedReadAhead } from './resident-feed-read-ahead';
import { LogPushQueue } from './log-push-queue';
import type { ReplicaKeyStore } from './replica-key';
import { FreshRun } from './fresh-run';
import { readerChanges, rosterChanges } from './roster-changes';
import { AdminRelay, type AdminWho } from './admin-relay';
import { ADMIN_ROUTES, isAdminConsoleAction, type AdminCallResult, type AdminOpenResult } from '../../shared/admin-routes';
import { buildHoursView, roleLabel, rosterAgeLabel, lockCauseLabel, stopView } from './snapshot-views';

export interface TerminalServiceOptions {
  credential: TerminalCredential;
  cards: CardService;
  server: ServerClient;
  store: TerminalStateStore;
  /** Main-side operation-log events, journaled until the renderer has them in its log. */
  outbox: LogOutbox;
  clockSource: ClockSource;
  /** Idle time before the session locks (第22条7項); default 5 minutes. */
  idleLockSeconds?: number;
  /** Resident search results are cleared after this long without activity (第22条7項); default 60 s. */
  resultsClearSeconds?: number;
  /** How often roster, time and pending reports are exchanged with the server. */
  syncIntervalMs?: number;
  /** The heartbeat that checks hours, idleness and the clock. */
  tickMs?: number;
  /** The resident replica's encryption key (safeStorage in Electron, a 0600 file in the second host). */
  replicaKeys: ReplicaKeyStore;
  log?: (message: string) => void;
}

const MAX_FAILED_DEFAULT = 3;

/** A main-side event as raised here; record() fills in the absent fields for the log. */
interface MainEvent {
  type: string;
  outcome?: LogEvent['outcome'];
  operatorId?: string | null;
  cardKeyId?: string | null;
  /** Never a password or resident data in free text. */
  detail?: LogEvent['detail'];
}

export class TerminalService extends EventEmitter implements TerminalApi {
  private state: SessionState = initialSessionState;
  private readonly clock: TrustedClock;
  private seq = 0;
  private online = false;
  private lastContactAt: number | null = null;
  private readonly logPushes = new LogPushQueue();
  /** The resident feed read ahead while the replica loads (resident-feed-read-ahead.ts). */
  private readonly feedAhead = new ResidentFeedReadAhead((operatorId, after, limit) => this.o.server.residentChanges(operatorId, after, limit));
  private lastActivityMono: number;
  private attemptsLeft: number | null = null;
  private timers: NodeJS.Timeout[] = [];
  private readonly syncs = new FreshRun(() => this.doSync());
  private passwordBusy = false;
  private lastSnapshotKey = '';
  private readonly idleLockMs: number;
  private warnedFor: number | null = null;
  private lockedAtMono: number | null = null;
  private stopped = false;
  private syncRequest = 0;
  /** The start's exchange with the server (never rejects); cards wait for it. */
  private firstSync: Promise<void> = Promise.resolve();
  private hoursWereOpen: boolean | null = null;
  private readonly admin: AdminRelay;

  constructor(private readonly o: TerminalServiceOptions) {
    super();
    this.clock = new TrustedClock(o.clockSource, { lastKnownTrusted: o.store.get().lastKnownTrusted });
    this.lastActivityMono = o.clockSource.monoNow();
    this.idleLockMs = (o.idleLockSeconds ?? 300) * 1000;
    this.admin = new AdminRelay({
      server: o.server,
      cards: o.cards,
      terminalId: o.credential.terminalId,
      record: (event) => this.record(event),
      roleLabel: (role) => roleLabel(role),
    });
    const anomaly = this.clock.startupAnomaly();
    if (anomaly) this.record({ type: 'clock.anomaly', outcome: 'failure', detail: { kind: anomaly.kind, deltaMs: Math.round(anomaly.deltaMs) } });
    if (o.store.recoveredFrom) this.record({ type: 'terminal.state-recovered', outcome: 'failure', detail: { setAside: o.store.recoveredFrom } });
  }

  start(): void {
    const outbox = this.o.outbox.openReport;
    // The settings this run works with (they come from files and arguments, not from the log's
    // other events): a changed setting shows as a different app.start.
    this.record({
      type: 'app.start',
      outcome: 'info',
      detail: { pendingLogEvents: outbox.pending, serverUrl: this.o.credential.serverUrl.slice(0, 500), idleLockSeconds: this.idleLockMs / 1000, resultsClearSeconds: this.o.resultsClearSeconds ?? 60, syncIntervalSeconds: (this.o.syncIntervalMs ?? 15_000) / 1000 },
    });
    if (this.o.store.get().running) this.record({ type: 'app.crash-recovered', outcome: 'failure', detail: { tornLogLine: outbox.tornTail } });
    if (outbox.damaged) this.record({ type: 'log.outbox-damaged', outcome: 'failure', detail: { setAside: outbox.damaged.copy, unreadableLines: outbox.damaged.lines } });
    this.o.store.update((s) => {
      s.running = true;
    });
    this.o.cards.on('readers', this.onReaders);
    this.o.cards.on('inserted', this.onInserted);
    this.o.cards.on('removed', this.onRemoved);
    this.o.cards.on('error', this.onCardError);
    this.o.cards.start();
    this.timers.push(setInterval(() => this.tick(), this.o.tickMs ?? 250));
    this.timers.push(setInterval(() => void this.sync(), this.o.syncIntervalMs ?? 15_000));
    this.firstSync = this.sync();
    // A card already in the reader at start is handled as if just inserted.
    for (const reader of this.o.cards.cardsPresent()) this.onInserted({ reader, at: performance.timeOrigin + performance.now() });
    this.publish(true);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    this.o.cards.off('readers', this.onReaders);
    this.o.cards.off('inserted', this.onInserted);
    this.o.cards.off('removed', this.onRemoved);
    this.o.cards.off('error', this.onCardError);
    await this.syncs.idle();
    this.record({ type: 'app.stop', outcome: 'info' });
    this.o.store.update((s) => {
      s.running = false;
    });
    this.o.outbox.close();
    await this.o.cards.stop();
  }

  // ---------- contract ----------

  async getSnapshot(): Promise<TerminalSnapshot> {
    return this.snapshot();
  }

  async reportActivity(): Promise<CommandResult> {
    this.lastActivityMono = this.o.clockSource.monoNow();
    return { ok: true };
  }

  async lock(): Promise<CommandResult> {
    this.apply({ type: 'manual-lock', at: this.clock.now() });
    return { ok: true };
  }

  async signOut(): Promise<CommandResult> {
    if (!this.state.session) return { ok: false, message: 'サインインしていません。' };
    this.apply({ type: 'sign-out' });
    void this.sync();
    return { ok: true };
  }

  async takeLogEvents({ afterEid }: { afterEid: number }): Promise<{ epoch: string; events: PendingLogEvent[] }> {
    return { epoch: this.o.outbox.epoch, events: this.o.outbox.take(afterEid, MAX_TAKE_EVENTS) };
  }

  async ackLogEvents({ epoch, eid }: { epoch: string; eid: number }): Promise<CommandResult> {
    // An acknowledgement for another numbering (main's journal was replaced meanwhile) means nothing here.
    if (epoch !== this.o.outbox.epoch) return { ok: false, message: '確認番号が正しくありません。' };
    const ok = this.o.outbox.acknowledge(eid);
    this.schedulePublish();
    return ok ? { ok: true } : { ok: false, message: '確認番号が正しくありません。' };
  }

  getLogCursor(input: Partial<LogBacklogReport> = {}): Promise<LogSyncResult> {
    const report = input.backlog === undefined ? undefined : { backlog: input.backlog, oldestPendingAt: input.oldestPendingAt ?? null };
    return relayLogCall(() => this.o.server.logCursor(report));
  }

  pushLogBatch(input: { records: LogRecord[] } | { recordsJson: string; follows?: number }): Promise<LogSyncResult> {
    // One batch at a time to the server, in the order handed (log-push-queue.ts).
    return this.logPushes.push('recordsJson' in input ? input.follows : undefined, () =>
      relayLogCall(() => ('recordsJson' in input ? this.o.server.logBatchJson(randomUUID(), input.recordsJson) : this.o.server.logBatch(randomUUID(), input.records))),
    );
  }

  /** The operator signed in and working now, or null (locked, signing in, nobody). */
  private workingOperator(): string | null {
    return this.state.step.kind === 'working' && this.state.session ? this.state.session.operatorId : null;
  }

  async fetchResidentChanges({ after, limit }: { after: number; limit: number }): Promise<ResidentFeedResult> {
    const operatorId = this.workingOperator();
    if (!operatorId) return { ok: false, retry: false, code: 'not-signed-in', message: 'サインインしている操作者がいないため、住民データを更新できません。' };
    try {
      return { ok: true, page: await this.feedAhead.fetch(operatorId, after, limit) };
    } catch (error) {
      if (error instanceof ServerRejectedError) {
        if (error.status === 401) return { ok: false, retry: false, code: 'terminal-unauthorized', message: '中央サーバーがこの端末を認証しませんでした。住民データは更新されません。システム管理者に連絡してください。' };
        return { ok: false, retry: error.status >= 500, code: error.code, message: error.message };
      }
      return { ok: false, retry: true, code: 'unreachable', message: '中央サーバーに接続できません。端末に保存した住民データで検索できます。' };
    }
  }

  /** The manager / administrator working here now (card in its reader), or null. */
  private adminWho(): AdminWho | null {
    const step = this.state.step;
    const session = this.state.session;
    if (step.kind !== 'working' || !session) return null;
    const operator = this.operator(session.operatorId);
    if (!operator) return null;
    return { operatorId: session.operatorId, cardKeyId: session.cardKeyId, reader: step.reader, role: operator.role };
  }

  adminOpen(): Promise<AdminOpenResult> {
    return this.admin.open(this.adminWho());
  }

  async adminCall(input: { action: string; target?: string; input?: unknown }): Promise<AdminCallResult> {
    const result = await this.admin.call(this.adminWho(), input);
    // What an admin changed may change what this terminal must enforce (a stop, a revoked card, an
    // opened Sunday): fetch the roster now rather than at the next periodic sync. A view changes nothing.
    if (result.ok && isAdminConsoleAction(input.action) && ADMIN_ROUTES[input.action].method !== 'GET') void this.sync();
    return result;
  }

  async adminClose(): Promise<CommandResult> {
    this.admin.close();
    return { ok: true };
  }

  async getReplicaKey(): Promise<ReplicaKeyResult> {
    if (!this.workingOperator()) return { ok: false, message: 'サインインしている操作者がいないため、住民データを開けません。' };
    try {
      return { ok: true, key: this.o.replicaKeys.key().toString('base64') };
    } catch (error) {
      this.o.log?.(`replica key: ${(error as Error).message}`);
      return { ok: false, message: '住民データの暗号鍵を読み出せません。システム管理者に連絡してください。' };
    }
  }

  async submitPassword({ password }: { password: string }): Promise<CommandResult> {
    const step = this.state.step;
    if (step.kind !== 'password' && step.kind !== 'unlock') return { ok: false, message: 'いまはパスワードを受け付けていません。' };
    if (this.passwordBusy) return { ok: false, message: '確認中です。しばらくお待ちください。' };
    const closed = this.closedMessage();
    if (closed) return { ok: false, message: closed };
    const operatorId = step.kind === 'password' ? step.operatorId : this.state.session?.operatorId;
    const cardKeyId = step.kind === 'password' ? step.cardKeyId : this.state.session?.cardKeyId;
    const operator = operatorId ? this.operator(operatorId) : undefined;
    if (!operator || !cardKeyId) return { ok: false, message: '操作者名簿に見つかりません。' };
    const stop = this.emergencyStop();
    if (stop && stopBlocks(stop, operator.role)) {
      // Not checked, so not counted: the operator is kept out whatever the password.
      this.record({ type: 'signin.refused', outcome: 'failure', operatorId: operator.id, cardKeyId, detail: { reason: 'emergency-stop', stopId: stop.id, unlock: step.kind === 'unlock' } });
      return { ok: false, message: emergencyStopMessage(stop) };
    }
    const before = this.failures(operator);
    if (before.lockedOut) {
      this.apply({ type: 'password-rejected', lockedOut: true });
      return { ok: false, message: LOCKED_OUT_MESSAGE };
    }
    this.passwordBusy = true;
    let good: boolean;
    try {
      good = await verifyPassword(password, this.currentHash(operator));
    } finally {
      this.passwordBusy = false;
    }
    // A sync may have delivered earlier attempts (or a password change) while the hash was being
    // checked: count against the roster as it is now, not the copy read before.
    const current = this.operator(operator.id) ?? operator;
    const at = this.clock.now();
    if (this.state.step !== step) {
      // The card was pulled (or the session locked) while the hash was checked. A wrong password
      // still counts and is logged — pulling the card must not be a way to try passwords unseen.
      if (good) {
        this.record({ type: 'signin.interrupted', outcome: 'info', operatorId: operator.id, cardKeyId, detail: { passwordCorrect: true, unlock: step.kind === 'unlock' } });
      } else {
        this.queue({ kind: 'signin-attempt', request: { requestId: randomUUID(), operatorId: operator.id, cardKeyId, outcome: 'failure', at: new Date(at).toISOString() } });
        const after = this.failures(current);
        this.record({ type: 'signin.failure', outcome: 'failure', operatorId: operator.id, cardKeyId, detail: { reason: 'wrong-password', failedAttempts: after.failedAttempts, unlock: step.kind === 'unlock', interrupted: true } });
        if (after.lockedOut) this.record({ type: 'signin.lockout', outcome: 'failure', operatorId: operator.id, cardKeyId, detail: { failedAttempts: after.failedAttempts } });
        void this.sync();
      }
      return { ok: false, message: 'カードが抜かれたため中断しました。' };
    }
    this.queue({ kind: 'signin-attempt', request: { requestId: randomUUID(), operatorId: operator.id, cardKeyId, outcome: good ? 'success' : 'failure', at: new Date(at).toISOString() } });
    if (!good) {
      const after = this.failures(current);
      this.attemptsLeft = after.attemptsLeft;
      this.record({ type: 'signin.failure', outcome: 'failure', operatorId: operator.id, cardKeyId, detail: { reason: 'wrong-password', failedAttempts: after.failedAttempts, unlock: step.kind === 'unlock' } });
      if (after.lockedOut) {
        this.record({ type: 'signin.lockout', outcome: 'failure', operatorId: operator.id, cardKeyId, detail: { failedAttempts: after.failedAttempts } });
        this.apply({ type: 'password-rejected', lockedOut: true });
        void this.sync();
        return { ok: false, message: LOCKED_OUT_MESSAGE };
      }
      this.apply({ type: 'password-rejected', lockedOut: false });
      void this.sync();
      return { ok: false, message: `パスワードが違います。あと${after.attemptsLeft}回間違えるとロックアウトされます。` };
    }
    this.attemptsLeft = null;
    const changedHere = this.pendingPasswordChange(current) !== undefined;
    const mustChange = changedHere ? null : current.password.temporary ? 'temporary' : this.changeRequired(current) ? 'required' : this.isExpired(current) ? 'expired' : null;
    this.record({ type: step.kind === 'unlock' ? 'session.unlock-password' : 'signin.password-ok', outcome: 'success', operatorId: operator.id, cardKeyId, detail: { mustChange } });
    this.apply({ type: 'password-accepted', at, mustChange: step.kind === 'unlock' ? null : mustChange });
    void this.sync();
    return { ok: true };
  }

  async changePassword({ current, next, confirm }: { current: string; next: string; confirm: string }): Promise<CommandResult> {
    const step = this.state.step;
    if (step.kind !== 'change-password') return { ok: false, message: 'いまはパスワードを変更できません。' };
    if (this.passwordBusy) return { ok: false, message: '確認中です。しばらくお待ちください。' };
    const operator = this.operator(step.operatorId);
    if (!operator) return { ok: false, message: '操作者名簿に見つかりません。' };
    if (next !== confirm) return { ok: false, message: '新しいパスワードと確認用の入力が一致しません。' };
    const verdict = checkNewPassword(next, { operatorId: operator.id, operatorName: operator.name, currentPassword: current });
    if (!verdict.ok) {
      this.record({ type: 'password.change-rejected', outcome: 'failure', operatorId: operator.id, detail: { problems: verdict.problems.map((p) => p.code).join(',') } });
      return { ok: false, message: verdict.problems.map((p) => p.message).join('\n') };
    }
    this.passwordBusy = true;
    let newHash: string;
    try {
      if (!(await verifyPassword(current, this.currentHash(operator)))) {
        this.record({ type: 'password.change-rejected', outcome: 'failure', operatorId: operator.id, detail: { problems: 'wrong-current' } });
        return { ok: false, message: '現在のパスワードが違います。' };
      }
      newHash = await hashPassword(next);
    } finally {
      this.passwordBusy = false;
    }
    if (this.state.step !== step) return { ok: false, message: 'カードが抜かれたため中断しました。' };
    const at = this.clock.now();
    this.queue({ kind: 'password-change', request: { requestId: randomUUID(), operatorId: operator.id, cardKeyId: step.cardKeyId, newHash, at: new Date(at).toISOString() } });
    this.record({ type: 'password.changed', outcome: 'success', operatorId: operator.id, detail: { reason: step.reason } });
    this.apply({ type: 'password-changed', at });
    void this.sync();
    return { ok: true };
  }

  // ---------- card events ----------

  /** Reader names as last reported, to log each reader connected and lost. */
  private knownReaders: string[] = [];

  private onReaders = (readers: string[]): void => {
    const { connected, lost } = readerChanges(this.knownReaders, readers);
    this.knownReaders = [...readers];
    for (const reader of connected) this.record({ type: 'reader.connected', outcome: 'info', detail: { reader } });
    for (const reader of lost) this.record({ type: 'reader.lost', outcome: 'failure', detail: { reader } });
    this.publish();
  };

  private onCardError = (error: Error): void => {
    this.o.log?.(`card service: ${error.message}`);
    this.publish();
  };

  private onInserted = (event: CardInsertedEvent): void => {
    this.record({ type: 'card.inserted', outcome: 'info', detail: { reader: event.reader } });
    const before = this.state.step;
    this.apply({ type: 'card-inserted', reader: event.reader });
    if (this.state.step === before || this.state.step.kind !== 'reading') return;
    void this.readCard(event.reader);
  };

  private onRemoved = (event: CardRemovedEvent): void => {
    // The lock must be on screen at once (第17条12項): apply and publish before anything else.
    this.apply({ type: 'card-removed', reader: event.reader, at: this.clock.now() });
    this.record({ type: 'card.removed', outcome: 'info', detail: { reader: event.reader } });
  };

  private async readCard(reader: string): Promise<void> {
    // A card in the reader at start (or inserted right after) waits for the first exchange with the
    // server (bounded by its timeout): trusted time, fresh roster. Judging it on the PC's own clock
    // and yesterday's roster could refuse a card that is fine, or accept one revoked this morning.
    await this.firstSync;
    if (this.stopped) return;
    // The clock first: hours computed from an untrusted clock would give a misleading reason.
    if (this.clock.isUntrusted()) {
      this.record({ type: 'signin.refused', outcome: 'failure', detail: { reason: 'clock-untrusted' } });
      this.apply({ type: 'card-failed', reader, message: CLOCK_MESSAGE });
      return;
    }
    const closed = this.closedMessage();
    if (closed) {
      this.record({ type: 'signin.refused', outcome: 'failure', detail: { reason: 'closed-hours' } });
      this.apply({ type: 'card-failed', reader, message: closed });
      return;
    }
    let keyId: string;
    try {
      keyId = (await this.o.cards.authenticate(reader)).keyId;
    } catch (error) {
      const message = error instanceof CardError ? error.userMessage : 'カードを読み取れませんでした。カードを差し直してください。';
      this.record({ type: 'card.auth-failed', outcome: 'failure', detail: { reader, code: error instanceof CardError ? error.code : 'unexpected' } });
      this.apply({ type: 'card-failed', reader, message });
      return;
    }
    // Fresh roster when the server is reachable (revocations apply at once); the cached one otherwise.
    await this.sync();
    const roster = this.o.store.get().roster;
    if (!roster) {
      this.apply({ type: 'card-failed', reader, message: '操作者名簿をまだ受信していません。サーバーに接続できる状態で起動してください。' });
      return;
    }
    const found = operatorForCard(roster.operators, keyId, this.clock.now());
    if (!found.ok) {
      this.record({ type: 'signin.refused', outcome: 'failure', cardKeyId: keyId, detail: { reason: found.reason } });
      this.apply({ type: 'card-verified', reader, cardKeyId: keyId, lookup: { ok: false, message: found.message } });
      return;
    }
    const stop = this.emergencyStop();
    if (stop && stopBlocks(stop, found.operator.role)) {
      this.record({ type: 'signin.refused', outcome: 'failure', operatorId: found.operator.id, cardKeyId: keyId, detail: { reason: 'emergency-stop', stopId: stop.id } });
      this.apply({ type: 'card-verified', reader, cardKeyId: keyId, lookup: { ok: false, message: emergencyStopMessage(stop) } });
      return;
    }
    const failures = this.failures(found.operator);
    this.attemptsLeft = failures.attemptsLeft;
    this.record({ type: 'card.authenticated', outcome: 'success', operatorId: found.operator.id, cardKeyId: keyId, detail: { reader } });
    if (failures.lockedOut) this.record({ type: 'signin.refused', outcome: 'failure', operatorId: found.operator.id, cardKeyId: keyId, detail: { reason: 'locked-out' } });
    this.apply({ type: 'card-verified', reader, cardKeyId: keyId, lookup: { ok: true, operatorId: found.operator.id, lockedOut: failures.lockedOut } });
  }

  // ---------- timers ----------

  private tick(): void {
    if (this.stopped) return;
    const now = this.clock.now();
    // Keep the last trusted time on disk also while offline, so a clock set back during a
    // long offline stretch is still noticed at the next start.
    if (!this.clock.isUntrusted() && now - (this.o.store.get().lastKnownTrusted ?? 0) >= 60_000) {
      this.o.store.update((s) => {
        s.lastKnownTrusted = now;
      });
    }
    const jump = this.clock.checkForJump();
    if (jump) this.record({ type: 'clock.anomaly', outcome: 'failure', detail: { kind: jump.kind, deltaMs: Math.round(jump.deltaMs) } });
    const hours = hoursAt(now, this.exceptions());
    // At closing time (17:15) the day's log goes to the server.
    if (this.hoursWereOpen && !hours.open) this.requestLogSync();
    this.hoursWereOpen = hours.open;
    if (!hours.open) {
      if (this.state.step.kind === 'working') this.record({ type: 'hours.forced-lock', outcome: 'info', operatorId: this.state.session?.operatorId });
      this.apply({ type: 'hours-closed', at: now });
    } else if (this.state.step.kind === 'working' && hours.closesAt !== null) {
      const minutes = Math.ceil((hours.closesAt - now) / 60_000);
      for (const mark of [15, 5]) {
        if (minutes <= mark && minutes > mark - 1 && this.warnedFor !== mark) {
          this.warnedFor = mark;
          this.record({ type: 'hours.warning', outcome: 'info', operatorId: this.state.session?.operatorId, detail: { minutesLeft: mark } });
        }
      }
    }
    const mono = this.o.clockSource.monoNow();
    if (this.state.step.kind === 'working' && mono - this.lastActivityMono >= this.idleLockMs) {
      this.apply({ type: 'idle-timeout', at: now });
    } else if (this.state.lock?.cause === 'idle' && this.state.step.kind === 'unlock' && this.lockedAtMono !== null && mono - this.lockedAtMono >= this.idleLockMs) {
      this.apply({ type: 'card-unattended', at: now });
    }
    this.publish();
  }

  /**
   * Exchange time, roster and pending reports with the server. Never throws. Settles after a sync
   * that started after this call (see FreshRun), so a caller sees what changed just before.
   */
  sync(): Promise<void> {
    return this.syncs.run();
  }

  private async doSync(): Promise<void> {
    try {
      const { response, sentMono, receivedMono } = await this.o.server.time();
      this.clock.anchorToServer(response.epochMs, sentMono, receivedMono);
      await this.flushOutbox();
      const roster = await this.o.server.roster();
      for (const change of rosterChanges(this.o.store.get().roster, roster)) this.record(change);
      this.o.store.update((s) => {
        s.roster = roster;
        s.rosterReceivedAt = this.clock.now();
        s.lastKnownTrusted = this.clock.now();
      });
      this.setOnline(true);
      this.applyRosterToSession(roster);
      this.applyEmergencyStop();
    } catch (error) {
      this.o.log?.(`sync: ${(error as Error).message}`);
      this.setOnline(false);
    }
    this.publish();
  }

  private async flushOutbox(): Promise<void> {
    for (;;) {
      const entry = this.o.store.get().outbox[0];
      if (!entry) return;
      // The server's answer is applied to the cached roster in the same durable write that
      // removes the entry, so the count or the new password is never lost in between.
      let applyAnswer: (roster: RosterResponse) => void = () => undefined;
      try {
        if (entry.kind === 'signin-attempt') {
          const answer = await this.o.server.signInAttempt(entry.request);
          applyAnswer = (roster) => {
            const op = roster.operators.find((o) => o.id === entry.request.operatorId);
            if (op) Object.assign(op, { failedAttempts: answer.failedAttempts, lockedOut: answer.lockedOut });
          };
        } else {
          const answer = await this.o.server.passwordChange(entry.request);
          applyAnswer = (roster) => {
            const op = roster.operators.find((o) => o.id === entry.request.operatorId);
            if (op) op.password = { hash: entry.request.newHash, setAt: answer.setAt, expiresAt: answer.expiresAt, temporary: false };
          };
        }
      } catch (error) {
        // Only a refusal of this very report is final (e.g. the card was revoked meanwhile); a
        // refused credential, a full server or a rate limit is retried later like a network cut.
        if (!(error instanceof ServerRejectedError) || !FINAL_REFUSALS.has(error.status)) throw error;
        this.record({ type: 'sync.report-refused', outcome: 'failure', operatorId: entry.request.operatorId, detail: { kind: entry.kind, code: error.code } });
      }
      this.o.store.update((s) => {
        s.outbox = s.outbox.filter((e) => e.request.requestId !== entry.request.requestId);
        if (s.roster) applyAnswer(s.roster);
      });
    }
  }

  /** A revoked card or a retired operator loses a running session at the next contact. */
  private applyRosterToSession(roster: RosterResponse): void {
    const session = this.state.session;
    if (!session) return;
    const found = operatorForCard(roster.operators, session.cardKeyId, this.clock.now());
    // An operator locked out meanwhile (e.g. signed in here offline while locked out elsewhere) loses the session too.
    const ended = !found.ok ? { reason: found.reason, message: found.message } : this.failures(found.operator).lockedOut ? { reason: 'locked-out', message: LOCKED_OUT_MESSAGE } : null;
    if (!ended) return;
    this.record({ type: 'session.ended-by-roster', outcome: 'info', operatorId: session.operatorId, detail: { reason: ended.reason } });
    // The session ends in one step (no intermediate snapshot). Only the session's own card (working,
    // or at the lock screen) is asked out with the reason; another operator's card being read
    // meanwhile is left alone: it is not the revoked one.
    const step = this.state.step;
    const own = step.kind === 'working' || step.kind === 'unlock';
    this.state = { step: own ? { kind: 'remove-card', reader: step.reader, message: ended.message } : step, session: null, lock: null };
    if (own) this.attemptsLeft = null;
    this.onEffect({ type: 'signed-out', operatorId: session.operatorId, reason: 'roster' });
    this.publish(true);
  }

  /**
   * An emergency stop from the roster keeps counter operators out at once: a working session locks
   * (and cannot be resumed), a sign-in in progress is refused. Offline terminals apply it at their
   * next contact, as the roster is their only way to learn of it.
   */
  private applyEmergencyStop(): void {
    const stop = this.emergencyStop();
    if (!stop) return;
    const step = this.state.step;
    const operatorId = this.state.session?.operatorId ?? (step.kind === 'password' || step.kind === 'change-password' ? step.operatorId : null);
    const operator = operatorId ? this.operator(operatorId) : undefined;
    if (!operator || !stopBlocks(stop, operator.role)) return;
    this.apply({ type: 'emergency-stop', at: this.clock.now(), message: emergencyStopMessage(stop) });
  }

  private emergencyStop(): EmergencyStop | null {
    return this.o.store.get().roster?.emergencyStop ?? null;
  }

  // ---------- helpers ----------

  private queue(entry: OutboxEntry): void {
    this.o.store.update((s) => {
      s.outbox.push(entry);
    });
  }

  private operator(id: string): RosterOperator | undefined {
    return this.o.store.get().roster?.operators.find((op) => op.id === id);
  }

  private failures(operator: RosterOperator) {
    const pending = this.o.store
      .get()
      .outbox.filter((e): e is Extract<OutboxEntry, { kind: 'signin-attempt' }> => e.kind === 'signin-attempt' && e.request.operatorId === operator.id)
      .map((e) => e.request.outcome);
    const max = this.o.store.get().roster?.policy.maxFailedAttempts ?? MAX_FAILED_DEFAULT;
    return effectiveFailures(operator, pending, max);
  }

  private pendingPasswordChange(operator: RosterOperator) {
    return this.o.store
      .get()
      .outbox.filter((e): e is Extract<OutboxEntry, { kind: 'password-change' }> => e.kind === 'password-change' && e.request.operatorId === operator.id)
      .at(-1);
  }

  /** A password changed on this terminal but not yet acknowledged by the server wins. */
  private currentHash(operator: RosterOperator): string {
    return this.pendingPasswordChange(operator)?.request.newHash ?? operator.password.hash;
  }

  /** An authorised person required a new password (issue 6): from that time on, work starts with the change. */
  private changeRequired(operator: RosterOperator): boolean {
    const at = operator.password.changeRequiredAt;
    return !!at && Date.parse(at) <= this.clock.now();
  }

  private isExpired(operator: RosterOperator): boolean {
    return isPasswordExpired(Date.parse(operator.password.expiresAt), this.clock.now());
  }

  private exceptions(): CalendarExceptionWire[] {
    return this.o.store.get().roster?.calendarExceptions ?? [];
  }

  private closedMessage(): string | null {
    const hours = hoursAt(this.clock.now(), this.exceptions());
    if (hours.open) return null;
    const next = hours.nextOpen === null ? '' : `次の開庁は ${formatJst(hours.nextOpen, 'datetime')} です。`;
    return `開庁時間外のためサインインできません（${hours.reason}）。${next}`;
  }

  private setOnline(online: boolean): void {
    if (online) this.lastContactAt = this.clock.now();
    if (online !== this.online) {
      this.online = online;
      this.record({ type: online ? 'server.reachable' : 'server.unreachable', outcome: online ? 'success' : 'failure' });
      if (online) this.requestLogSync();
    }
  }

  private apply(event: SessionEvent): void {
    const { state, effects } = reduceSession(this.state, event);
    const changed = state !== this.state;
    this.state = state;
    for (const effect of effects) this.onEffect(effect);
    if (changed) {
      if (state.step.kind !== 'password' && state.step.kind !== 'unlock' && state.step.kind !== 'locked-out') this.attemptsLeft = null;
      if (state.step.kind === 'working') this.lastActivityMono = this.o.clockSource.monoNow();
      this.publish(true);
    }
  }

  private onEffect(effect: SessionEffect): void {
    const base: MainEvent = { type: `session.${effect.type}`, outcome: 'info', operatorId: effect.operatorId };
    // An admin session lives only while its holder works here with the card in.
    if (effect.type === 'locked' || effect.type === 'signed-out') this.admin.close();
    if (effect.type === 'locked') {
      this.lockedAtMono = this.o.clockSource.monoNow();
      this.record({ ...base, detail: { cause: effect.cause } });
    }
    else if (effect.type === 'signed-in') this.record({ ...base, outcome: 'success', cardKeyId: effect.cardKeyId });
    else if (effect.type === 'signed-out') {
      this.record({ ...base, detail: { reason: effect.reason } });
      void this.sync();
      this.requestLogSync();
    } else this.record(base);
    if (effect.type === 'signed-in' || effect.type === 'signed-out') this.warnedFor = null;
  }

  private record(event: MainEvent): void {
    const full: LogEvent = {
      type: event.type,
      outcome: event.outcome ?? 'info',
      operatorId: event.operatorId ?? null,
      cardKeyId: event.cardKeyId ?? null,
      detail: event.detail ?? {},
    };
    try {
      this.o.outbox.record(full, { at: this.clock.now(), clockOffsetMs: this.clock.localOffsetMs() });
    } catch (error) {
      // Only a programming error (an event the log refuses) or a failing disk gets here.
      this.o.log?.(`log: ${full.type}: ${(error as Error).message}`);
    }
    this.schedulePublish();
  }

  private publishScheduled = false;

  /** The renderer learns of new log events through the snapshot; one publish per burst of events. */
  private schedulePublish(): void {
    if (this.publishScheduled || this.stopped) return;
    this.publishScheduled = true;
    queueMicrotask(() => {
      this.publishScheduled = false;
      if (!this.stopped) this.publish();
    });
  }

  private requestLogSync(): void {
    this.syncRequest++;
    this.schedulePublish();
  }

  private phase(hoursOpen: boolean): Phase {
    if (this.clock.isUntrusted() && this.state.step.kind !== 'working') return 'clock-error';
    const step = this.state.step;
    if (this.emergencyStop() && (step.kind === 'waiting' || (step.kind === 'unlock' && this.state.lock?.cause === 'emergency-stop'))) return 'stopped';
    switch (step.kind) {
      case 'working':
        return 'working';
      case 'reading':
        return 'reading-card';
      case 'remove-card':
        return 'remove-card';
      case 'password':
        return 'password';
      case 'change-password':
        return 'change-password';
      case 'locked-out':
        return 'locked-out';
      case 'unlock':
        return hoursOpen ? 'locked' : 'closed';
      case 'waiting':
        if (!hoursOpen) return 'closed';
        if (this.state.lock) return 'locked';
        return this.o.cards.readers().length === 0 ? 'no-reader' : 'insert-card';
    }
  }

  snapshot(): TerminalSnapshot {
    const now = this.clock.now();
    const hours = hoursAt(now, this.exceptions());
    const phase = this.phase(hours.open);
    const step = this.state.step;
    let operator: OperatorView | null = null;
    const operatorId = step.kind === 'password' || step.kind === 'change-password' ? step.operatorId : step.kind === 'working' ? this.state.session?.operatorId : undefined;
    if (operatorId) {
      const op = this.operator(operatorId);
      if (op) operator = { id: op.id, name: op.name, role: op.role, roleLabel: roleLabel(op.role) };
    }
    const notice =
      step.kind === 'remove-card'
        ? { kind: 'error' as const, text: step.message }
        : this.state.lock && (phase === 'locked' || phase === 'closed')
          ? { kind: 'info' as const, text: lockCauseLabel(this.state.lock.cause) }
          : null;
    const state = this.o.store.get();
    return {
      seq: ++this.seq,
      phase,
      notice,
      terminal: { id: this.o.credential.terminalId, name: state.roster?.terminal.name ?? this.o.credential.terminalName },
      operator,
      attemptsLeft: phase === 'password' || phase === 'locked' ? this.attemptsLeft : null,
      awaitingPassword: step.kind === 'password' || step.kind === 'unlock',
      passwordChangeReason: step.kind === 'change-password' ? step.reason : null,
      lockCause: this.state.lock?.cause ?? null,
      now,
      hours: buildHoursView(hours, now, step.kind === 'working'),
      connection: { online: this.online, lastContactAt: this.lastContactAt, rosterAgeLabel: rosterAgeLabel(state.rosterReceivedAt, now) },
      readers: this.o.cards.readers(),
      sessionReader: step.kind === 'working' ? step.reader : null,
      idleLockSeconds: this.idleLockMs / 1000,
      resultsClearSeconds: this.o.resultsClearSeconds ?? 60,
      purposeCategories: state.roster?.purposeCategories ?? [],
      log: { epoch: this.o.outbox.epoch, lastEid: this.o.outbox.lastEventId, pending: this.o.outbox.pendingCount, syncRequest: this.syncRequest },
      emergencyStop: stopView(state.roster?.emergencyStop ?? null),
    };
  }

  /** Sends a snapshot when something the screen shows changed (or always when forced). */
  private publish(force = false): void {
    // Resident pages read ahead for the replica belong to the session that is working now.
    if (this.state.step.kind !== 'working') this.feedAhead.clear();
    const snap = this.snapshot();
    const key = JSON.stringify({ ...snap, seq: 0, now: Math.floor(snap.now / 1000) });
    if (!force && key === this.lastSnapshotKey) return;
    this.lastSnapshotKey = key;
    this.emit('snapshot', snap);
  }
}

/** HTTP statuses that refuse the report itself; anything else is retried. */
const FINAL_REFUSALS = new Set([400, 403, 404, 409, 422]);

const LOCKED_OUT_MESSAGE = 'パスワードを3回間違えたため、この操作者はロックアウトされています。情報保護管理者に解除を依頼してください。';
const CLOCK_MESSAGE = '端末の時計が以前より戻されています。サーバーに接続して時刻を確認するまでサインインできません。';
