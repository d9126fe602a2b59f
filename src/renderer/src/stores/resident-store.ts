// The counter's resident search (issue 4, 第22条): purpose first, then a search on the local
// replica, results and one record at a time, the resident code masked until deliberately revealed.
//
// Privacy rules enforced here (the views only show what this store holds):
// - no search without a stated purpose (a category and a case/receipt number or a clear note);
//   the purpose, the search and its criteria are logged together, BEFORE any result is shown — if
//   the log cannot be written, nothing is shown;
// - the list of hits shown and every record opened are logged; so is every reveal of the code;
// - results and the open record are cleared after `idleClearMs` without activity, on every lock or
//   sign-out (any snapshot that is not 'working' for the same operator), and when a case ends;
// - the replica key (from main) is held only while the operator works, and dropped with the rest.
// I/O is injected: the contract client, the log, the replica database, time and timers.
import { packIdList } from '../../../domain/log/id-list';
import { makeAutoObservable, runInAction } from 'mobx';
import type { TerminalClient, TerminalSnapshot } from '../../../shared/contract';
import type { LogEvent } from '../../../shared/log-event';
import type { Resident } from '../../../shared/resident-api';
import { checkPurpose, DEFAULT_PURPOSE_CATEGORIES, type Purpose, type PurposeCategory, type PurposeInput } from '../../../domain/resident/purpose';
import { parseSearchInput, type SearchInput } from '../../../domain/resident/search-query';
import { jstYmd } from '../../../domain/calendar/jst';
import { ReplicaCrypto } from '../replica/replica-crypto';
import type { FeedState, ReplicaDb } from '../replica/replica-db';
import { ReplicaIndex } from '../replica/replica-index';
import { readAheadReplica, OpenedChunkCache, searchReplica } from '../replica/replica-search';
import { syncReplica } from '../replica/replica-sync';

export interface ResidentStoreDeps {
  api: Pick<TerminalClient, 'fetchResidentChanges' | 'getReplicaKey'>;
  log: { append(event: LogEvent): Promise<void> };
  openReplica: (terminalId: string) => ReplicaDb;
  /** Trusted now, epoch ms. */
  now: () => number;
  /** Clears results after this long without activity (第22条7項): the terminal's setting, read when the timer starts. */
  idleClearMs: () => number;
  /** How long a revealed resident code stays visible. Default 10 s. */
  revealMs?: number;
  /** How often the replica asks for changes while an operator works. Default 60 s. */
  replicaRefreshMs?: number;
  /** The list when the roster carries none (a server before the list was maintained there). */
  categories?: readonly PurposeCategory[];
  /** Opens the print dialog of the window (production: window.print). */
  print?: () => void;
  setTimer?: (fn: () => void, ms: number) => unknown;
  clearTimer?: (handle: unknown) => void;
}

export type FieldErrors = Partial<Record<string, string>>;

export interface ReplicaStatus {
  state: 'closed' | 'loading' | 'current' | 'failed';
  /** Residents in the replica. */
  count: number;
  feed: FeedState | null;
  /** Why the last update failed (Japanese), or null. */
  problem: string | null;
}

const MAX_SHOWN = 50;
/** A search that takes longer than this shows that it is busy. */
const BUSY_SHOWN_AFTER_MS = 200;

/** Why a record is printed (logged with it). */
export const PRINT_REASONS = [
  { id: 'applicant-copy', label: '申請・届出の処理票として（窓口で使用後に廃棄）' },
  { id: 'approval', label: '決裁・照合用' },
  { id: 'other', label: 'その他（理由を入力）' },
] as const;
/** What a printout holds: the resident code only masked (第22条9項). */
const PRINTED_FIELDS = 'name,kana,birthDate,sex,address,status,history,codeMasked';
/** User Timing entry (performance.measure) of each search on the replica: index reads, decryption, matching. */
export const QUERY_MEASURE = 'resident-query';

export class ResidentStore {
  purpose: Purpose | null = null;
  purposeErrors: FieldErrors = {};
  searchErrors: FieldErrors = {};
  /** Results of the last search (null: no search yet in this case). */
  hits: Resident[] | null = null;
  truncated = false;
  selected: Resident | null = null;
  /** The print confirmation is open for the selected record. */
  printAsked = false;
  printErrors: FieldErrors = {};
  /** The record being printed (the print-only area shows it while the print dialog is up). */
  printing: Resident | null = null;
  codeRevealed = false;
  /** "Hide screen": everything covered until shown again. */
  hidden = false;
  busy = false;
  /** A message for the operator about the last action (Japanese). */
  message: string | null = null;
  replica: ReplicaStatus = { state: 'closed', count: 0, feed: null, problem: null };

  private operatorId: string | null = null;
  private terminalId: string | null = null;
  private db: ReplicaDb | null = null;
  /**
   * The replica's in-memory search index, built from the key blocks of `db` (replica-index.ts). It
   * holds only what those blocks hold in clear on disk, so it stays while the terminal is locked (a
   * million residents take seconds to index); it goes with the database.
   */
  private index: Promise<ReplicaIndex> | null = null;
  /**
   * Chunks read and opened ahead while the criteria are typed (replica-search.ts): plain text, so
   * dropped with the results (idle time, every lock, a new or ended case) and with the database.
   */
  private readonly chunkCache = new OpenedChunkCache();
  private sealer: ReplicaCrypto | null = null;
  private idleTimer: unknown = null;
  private revealTimer: unknown = null;
  private refreshTimer: unknown = null;
  private busyTimer: unknown = null;
  private syncing: Promise<void> | null = null;
  /** Bumped on every clear: an async step that finds it changed drops what it was about to show. */
  private generation = 0;
  /** The purpose categories the information-protection manager maintains (from the roster, via the snapshot). */
  categories: readonly PurposeCategory[];
  private readonly fallbackCategories: readonly PurposeCategory[];
  private readonly setTimer: (fn: () => void, ms: number) => unknown;
  private readonly clearTimer: (handle: unknown) => void;

  constructor(private readonly d: ResidentStoreDeps) {
    this.fallbackCategories = d.categories ?? DEFAULT_PURPOSE_CATEGORIES;
    this.categories = this.fallbackCategories;
    this.setTimer = d.setTimer ?? ((fn, ms) => setTimeout(fn, ms));
    this.clearTimer = d.clearTimer ?? ((h) => clearTimeout(h as ReturnType<typeof setTimeout>));
    makeAutoObservable<ResidentStore, 'd' | 'fallbackCategories' | 'db' | 'index' | 'chunkCache' | 'sealer' | 'idleTimer' | 'revealTimer' | 'refreshTimer' | 'busyTimer' | 'syncing' | 'generation' | 'setTimer' | 'clearTimer'>(this, {
      d: false,
      fallbackCategories: false,
      db: false,
      index: false,
      chunkCache: false,
      sealer: false,
      idleTimer: false,
      revealTimer: false,
      refreshTimer: false,
      busyTimer: false,
      syncing: false,
      generation: false,
      setTimer: false,
      clearTimer: false,
    });
  }

  /** Follows main's snapshot: anything but 'working' for the same operator clears everything. */
  receive(snapshot: TerminalSnapshot): void {
    const listed = snapshot.purposeCategories ?? [];
    const next = listed.length > 0 ? listed : this.fallbackCategories;
    if (JSON.stringify(next) !== JSON.stringify(this.categories)) this.categories = next;
    const working = snapshot.phase === 'working' && snapshot.operator ? snapshot.operator.id : null;
    if (working !== this.operatorId) {
      this.closeSession();
      if (working) this.openSession(working, snapshot.terminal.id);
    }
  }

  private openSession(operatorId: string, terminalId: string): void {
    this.operatorId = operatorId;
    if (this.terminalId !== terminalId) {
      this.db?.close();
      this.setDb(this.d.openReplica(terminalId));
      this.terminalId = terminalId;
    }
    void this.refreshCount();
    void this.updateReplica();
  }

  /** Lock, sign-out, another operator: nothing of this session stays in memory. */
  private closeSession(): void {
    this.operatorId = null;
    this.sealer = null;
    this.chunkCache.clear();
    this.purpose = null;
    this.purposeErrors = {};
    this.clearResults();
    this.hidden = false;
    this.message = null;
    if (this.refreshTimer) this.clearTimer(this.refreshTimer);
    this.refreshTimer = null;
    if (this.replica.state !== 'closed') this.replica = { ...this.replica, state: 'closed', problem: null };
  }

  private clearResults(): void {
    this.generation++;
    this.chunkCache.clear();
    this.printAsked = false;
    this.printErrors = {};
    this.printing = null;
    this.hits = null;
    this.truncated = false;
    this.selected = null;
    this.searchErrors = {};
    this.hideCode();
    if (this.idleTimer) this.clearTimer(this.idleTimer);
    this.idleTimer = null;
  }

  private hideCode(): void {
    this.codeRevealed = false;
    if (this.revealTimer) this.clearTimer(this.revealTimer);
    this.revealTimer = null;
  }

  /** Keyboard or pointer activity on the work screen: results stay while the operator works. */
  activity(): void {
    if (this.hits === null && this.selected === null) return;
    if (this.idleTimer) this.clearTimer(this.idleTimer);
    this.idleTimer = this.setTimer(() => runInAction(() => this.clearResults()), this.d.idleClearMs());
  }

  private async key(): Promise<ReplicaCrypto | null> {
    if (this.sealer) return this.sealer;
    const answer = await this.d.api.getReplicaKey({});
    if (!answer.ok) {
      runInAction(() => (this.message = answer.message));
      return null;
    }
    const sealer = await ReplicaCrypto.fromBase64(answer.key);
    if (!this.operatorId) return null;
    this.sealer = sealer;
    return sealer;
  }

  private setDb(db: ReplicaDb | null): void {
    this.chunkCache.clear();
    this.db = db;
    this.index = db ? this.loadIndex(db) : null;
  }

  /** Reads the key blocks and builds the index (a failed read is tried again at the next use). */
  private loadIndex(db: ReplicaDb): Promise<ReplicaIndex> {
    const loading = db.keys.toArray().then((rows) => ReplicaIndex.fromBlocks(rows));
    loading.catch(() => {
      if (this.index === loading) this.index = null;
    });
    return loading;
  }

  private replicaIndex(): Promise<ReplicaIndex> | null {
    if (!this.db) return null;
    this.index ??= this.loadIndex(this.db);
    return this.index;
  }

  private async refreshCount(): Promise<void> {
    const db = this.db;
    const index = this.replicaIndex();
    if (!db || !index) return;
    const [{ size: count }, feed] = await Promise.all([index, db.state.get('feed')]);
    runInAction(() => (this.replica = { ...this.replica, count, feed: feed ?? null }));
  }

  /** Brings the replica up to date (at sign-in, then every replicaRefreshMs while working). */
  updateReplica(): Promise<void> {
    this.syncing ??= this.runUpdate().finally(() => {
      this.syncing = null;
      if (this.operatorId) {
        if (this.refreshTimer) this.clearTimer(this.refreshTimer);
        this.refreshTimer = this.setTimer(() => void this.updateReplica(), this.d.replicaRefreshMs ?? 60_000);
      }
    });
    return this.syncing;
  }

  private async runUpdate(): Promise<void> {
    const db = this.db;
    const sealer = await this.key();
    const indexing = this.replicaIndex();
    if (!db || !sealer || !indexing || !this.operatorId) return;
    runInAction(() => (this.replica = { ...this.replica, state: 'loading' }));
    const index = await indexing;
    const result = await syncReplica(db, index, sealer, (after, limit) => this.d.api.fetchResidentChanges({ after, limit }), this.d.now, {
      onProgress: (feed) => runInAction(() => (this.replica = { ...this.replica, feed })),
    });
    // A page that could not be written left the index ahead of the database: read it again.
    if (result.kind === 'failed' && result.indexStale && this.db === db && this.index === indexing) this.index = this.loadIndex(db);
    if (result.kind === 'failed' && result.code === 'terminal-unauthorized') {
      // The server no longer accepts this terminal (retired, registration revoked): the resident
      // data it holds must not stay on its disk (issue 4 item 6).
      await this.wipeReplica('terminal-unauthorized');
      runInAction(() => (this.replica = { state: 'failed', count: 0, feed: null, problem: result.message }));
      return;
    }
    const count = (await (this.replicaIndex() ?? indexing)).size;
    runInAction(() => {
      if (!this.operatorId) return;
      this.replica =
        result.kind === 'current'
          ? { state: 'current', count, feed: result.state, problem: null }
          : { state: 'failed', count, feed: this.replica.feed, problem: result.message };
    });
  }

  /** Deletes the replica database (and logs it); the next working session starts an empty one. */
  private async wipeReplica(reason: string): Promise<void> {
    const db = this.db;
    if (!db) return;
    const residents = this.index ? await this.index.then((index) => index.size).catch(() => -1) : -1;
    db.close();
    this.setDb(null);
    await db.delete();
    this.setDb(this.terminalId ? this.d.openReplica(this.terminalId) : null);
    await this.d.log.append(this.event('replica.wiped', 'info', { reason, residents })).catch(() => undefined);
  }

  private event(type: string, outcome: LogEvent['outcome'], detail: LogEvent['detail']): LogEvent {
    return { type, outcome, operatorId: this.operatorId, cardKeyId: null, detail };
  }

  /**
   * Writes the event before the action it records is shown or done. False (with `refusal` shown to
   * the operator) when the log cannot be written: the action then does not happen.
   */
  private async loggedFirst(event: LogEvent, refusal: string): Promise<boolean> {
    try {
      await this.d.log.append(event);
      return true;
    } catch {
      runInAction(() => (this.message = refusal));
      return false;
    }
  }

  private purposeDetail(): Record<string, string | null> {
    const p = this.purpose;
    return { purposeCategory: p?.categoryId ?? null, caseNumber: p?.caseNumber ?? null };
  }

  /** States the purpose of the case (第22条6項). A new case replaces the old one and clears its results. */
  async statePurpose(input: PurposeInput): Promise<boolean> {
    const checked = checkPurpose(input, this.categories);
    if (!checked.ok) {
      this.purposeErrors = Object.fromEntries(checked.errors.map((e) => [e.field, e.message]));
      return false;
    }
    this.purposeErrors = {};
    const stated = this.event('purpose.stated', 'info', { purposeCategory: checked.purpose.categoryId, caseNumber: checked.purpose.caseNumber, note: checked.purpose.note });
    if (!(await this.loggedFirst(stated, '操作記録を書き込めないため、検索を始められません。'))) return false;
    runInAction(() => {
      this.clearResults();
      this.purpose = checked.purpose;
      this.message = null;
    });
    // Each case starts from the freshest directory the server can give (and learns at once if the
    // server no longer serves this terminal or operator).
    void this.updateReplica();
    return true;
  }

  /** Ends the case: its purpose, results and record are gone; the next search needs a new purpose. */
  async endCase(): Promise<void> {
    if (!this.purpose) return;
    const detail = this.purposeDetail();
    this.purpose = null;
    this.clearResults();
    await this.d.log.append(this.event('purpose.ended', 'info', detail)).catch(() => undefined);
  }

  /** The form's input as criteria, dates judged against today in Japan (an era date cannot lie ahead). */
  private parseCriteria(input: SearchInput): ReturnType<typeof parseSearchInput> {
    return parseSearchInput(input, jstYmd(this.d.now()));
  }

  /**
   * The criteria as typed so far (each change of the search form, with the purpose stated): the
   * chunks their search would open first are read and opened ahead, so that the search itself (Enter)
   * finds them in memory. Nothing is logged or shown — the search is, first; incomplete or invalid
   * criteria read nothing. Never fails.
   */
  async readAhead(input: SearchInput): Promise<void> {
    if (!this.purpose || !this.operatorId || !this.sealer || !this.db || !this.index) return;
    const parsed = this.parseCriteria(input);
    if (!parsed.ok) return;
    const db = this.db;
    const sealer = this.sealer;
    try {
      const index = await this.index;
      if (this.db !== db || this.sealer !== sealer) return;
      const generation = this.generation;
      await readAheadReplica(db, index, sealer, parsed.criteria, this.chunkCache, MAX_SHOWN);
      // Cleared (idle, lock, case) while it ran: nothing it opened stays.
      if (generation !== this.generation || this.sealer !== sealer) this.chunkCache.clear();
    } catch {
      // A read ahead that fails costs nothing: the search reads what it needs itself.
    }
  }

  /** Searches the replica with the stated purpose. */
  async search(input: SearchInput): Promise<void> {
    // User Timing for the benchmark (bench/resident-replica.ts): from the search call to the results
    // ready (checks, code HMAC, index, IndexedDB, decryption, matching). Durations only.
    const queryStart = performance.now();
    if (!this.purpose || !this.operatorId) {
      this.message = '検索の目的を先に入力してください。';
      return;
    }
    const parsed = this.parseCriteria(input);
    if (!parsed.ok) {
      this.searchErrors = Object.fromEntries(parsed.errors.map((e) => [e.field, e.message]));
      await this.d.log.append(this.event('resident.search-refused', 'failure', { ...this.purposeDetail(), fields: parsed.errors.map((e) => e.field).join(',') })).catch(() => undefined);
      return;
    }
    // Nothing on screen changes until the answer is there: a render (and the frame it asks for)
    // between Enter and the replica's reads would delay them. `busy` shows only for a slow search.
    if (Object.keys(this.searchErrors).length > 0) this.searchErrors = {};
    const generation = ++this.generation;
    if (this.busyTimer) this.clearTimer(this.busyTimer);
    const busyTimer = this.setTimer(() => runInAction(() => (this.busy = true)), BUSY_SHOWN_AFTER_MS);
    this.busyTimer = busyTimer;
    try {
      const sealer = await this.key();
      const db = this.db;
      const indexing = this.replicaIndex();
      if (!sealer || !db || !indexing) return;
      const index = await indexing;
      const found = await searchReplica(db, index, sealer, parsed.criteria, MAX_SHOWN, this.chunkCache);
      performance.measure(QUERY_MEASURE, { start: queryStart, end: performance.now() });
      if (generation !== this.generation) {
        // Cleared (idle, lock, case) while it ran: nothing it opened stays.
        this.chunkCache.clear();
        return;
      }
      // Logged before anything is shown: a search the log does not have never reaches the screen.
      await this.d.log.append(
        this.event('resident.search', 'success', {
          ...this.purposeDetail(),
          criteria: parsed.summary,
          hits: found.residents.length,
          truncated: found.truncated,
          source: 'replica',
          replicaVersion: this.replica.feed?.next ?? 0,
          // Every id shown, split at id boundaries (never one cut in half: "who looked at my record").
          ...packIdList('shownIds', found.residents.map((r) => r.id)),
        }),
      );
      runInAction(() => {
        if (generation !== this.generation) return;
        this.hits = found.residents;
        this.truncated = found.truncated;
        this.selected = null;
        this.hideCode();
        this.message = found.residents.length === 0 ? '該当する住民は見つかりませんでした。' : null;
      });
      this.activity();
    } catch (error) {
      runInAction(() => (this.message = `検索できませんでした（${error instanceof Error ? error.message : String(error)}）。`));
    } finally {
      this.clearTimer(busyTimer);
      if (this.busyTimer === busyTimer) {
        this.busyTimer = null;
        if (this.busy) runInAction(() => (this.busy = false));
      }
    }
  }

  /** Opens one record of the results (logged first). */
  async open(resident: Resident): Promise<void> {
    if (!this.hits?.some((r) => r.id === resident.id)) return;
    if (!(await this.loggedFirst(this.event('resident.viewed', 'success', { ...this.purposeDetail(), residentId: resident.id }), '操作記録を書き込めないため、記録を表示できません。'))) return;
    runInAction(() => {
      this.selected = resident;
      this.hideCode();
    });
    this.activity();
  }

  closeRecord(): void {
    this.selected = null;
    this.printAsked = false;
    this.hideCode();
  }

  /** 第22条4項・5項: a printout leaves the counter's control — asked, with a reason, and logged with what it holds. */
  askPrint(): void {
    if (!this.selected) return;
    this.printAsked = true;
    this.printErrors = {};
  }

  cancelPrint(): void {
    this.printAsked = false;
    this.printErrors = {};
  }

  async confirmPrint(reason: string, note: string): Promise<void> {
    const resident = this.selected;
    if (!resident || !this.printAsked) return;
    const cleanNote = note.normalize('NFKC').trim();
    const errors: FieldErrors = {};
    if (!PRINT_REASONS.some((r) => r.id === reason)) errors.reason = '印刷する理由を選んでください。';
    if (reason === 'other' && cleanNote.length < 4) errors.note = '「その他」の場合は理由を具体的に入力してください（4文字以上）。';
    if (cleanNote.length > 100 || /[\p{Cc}\p{Cf}]/u.test(cleanNote)) errors.note = '理由は100文字以内で、制御文字を含めずに入力してください。';
    if (Object.keys(errors).length > 0) {
      this.printErrors = errors;
      return;
    }
    const printed = this.event('resident.printed', 'info', { ...this.purposeDetail(), residentId: resident.id, reason, note: cleanNote || null, contents: PRINTED_FIELDS, codeMasked: true });
    if (!(await this.loggedFirst(printed, '操作記録を書き込めないため、印刷できません。'))) return;
    runInAction(() => {
      this.printAsked = false;
      this.printing = resident;
    });
    try {
      (this.d.print ?? (() => window.print()))();
    } finally {
      // window.print() returns when the dialog is closed: the print-only copy goes at once.
      runInAction(() => (this.printing = null));
    }
  }

  /** Shows the open record's resident code for revealMs (第22条9項: deliberate, logged, short). */
  async revealCode(): Promise<void> {
    const resident = this.selected;
    if (!resident) return;
    if (!(await this.loggedFirst(this.event('resident.code-revealed', 'info', { ...this.purposeDetail(), residentId: resident.id }), '操作記録を書き込めないため、住民票コードを表示できません。'))) return;
    runInAction(() => {
      if (this.selected !== resident) return;
      this.codeRevealed = true;
      if (this.revealTimer) this.clearTimer(this.revealTimer);
      this.revealTimer = this.setTimer(() => runInAction(() => this.hideCode()), this.d.revealMs ?? 10_000);
    });
  }

  /** One key covers everything on screen while a resident leans over the counter (第22条8項). */
  toggleHidden(): void {
    this.hidden = !this.hidden;
  }

  dispose(): void {
    this.closeSession();
    this.db?.close();
    this.setDb(null);
  }
}
