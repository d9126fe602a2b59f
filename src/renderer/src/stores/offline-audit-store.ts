// オフライン点検 (issue 5 item 1): when the central server cannot be reached the admin console cannot
// open (its session needs the server's challenge), but the manager or system administrator signed in
// here can still look at THIS terminal's own operation log: the explorer over the local log (Dexie)
// and the findings engine (src/domain/audit, pure) run here, saying plainly that they cover only this
// terminal and only since the oldest record it still keeps (synced records are pruned after 30 days).
// Rules that need the roster, the residents or the flags (kept on the server) cannot run here and say so.
// Opening it is written to the local log (`audit.offline-viewed`). Counter operators never get it.
// I/O is injected: the local log source, the log append, the SHA-256.
import { makeAutoObservable, runInAction } from 'mobx';
import type { TerminalSnapshot } from '../../../shared/contract';
import type { LogEvent } from '../../../shared/log-event';
import type { LogRecord, Sha256Hex } from '../../../domain/log/log-record';
import { sealRecord, GENESIS_HASH } from '../../../domain/log/log-record';
import { accessOf } from '../../../domain/audit/audit-record';
import { findFindings } from '../../../domain/audit/engine';
import type { Finding } from '../../../domain/audit/types';
import { isValidYmd, jstStartOfDay, jstYmd, addDays, MS_PER_DAY } from '../../../domain/calendar/jst';

/** The terminal's own log, read-only. */
export interface LocalLogSource {
  /** Records whose `at` lies in [fromIso, toIso], in seq order. */
  between(fromIso: string, toIso: string): Promise<LogRecord[]>;
  /** One record by seq, or undefined (pruned, never written). */
  get(seq: number): Promise<LogRecord | undefined>;
  /** The oldest record kept here. */
  oldest(): Promise<LogRecord | undefined>;
}

export interface OfflineFilters {
  from: string;
  to: string;
  operatorId: string;
  type: string;
  outcome: string;
  residentId: string;
}

export interface OfflineRow {
  seq: number;
  at: string;
  type: string;
  outcome: LogRecord['outcome'];
  operatorId: string | null;
  purposeCategory: string | null;
  residentIds: string[];
}

export interface OfflineRecordView {
  record: LogRecord;
  hashValid: boolean;
  /** true / false, or null when the record before is no longer kept here. */
  linkValid: boolean | null;
}

/** The longest period offline (the local log keeps about 30 days anyway). */
export const OFFLINE_MAX_DAYS = 93;
export const OFFLINE_PAGE = 50;
/** Rules the terminal cannot run without the server's roster, directory and flags. */
export const OFFLINE_MISSING_RULES = '名簿・住民情報・要注意記録は中央サーバーにあるため、本人・同世帯・同僚・同姓・同住所の記録の参照と要注意記録へのアクセスの所見はオフラインでは出ません。';

export interface OfflineAuditDeps {
  source: (terminalId: string) => LocalLogSource;
  log: (event: LogEvent) => Promise<void>;
  sha256: Sha256Hex;
  now: () => number;
  /** The last sync of this terminal's log with the server (ms), or null. */
  lastSyncAt: () => number | null;
}

/** From/to as typed → the period in ms, or a Japanese message for the period field. */
export function offlinePeriod(fromText: string, toText: string): { ok: true; fromMs: number; toMs: number } | { ok: false; message: string } {
  const from = fromText.trim().replaceAll('/', '-');
  const to = toText.trim().replaceAll('/', '-');
  if (from === '' || to === '') return { ok: false, message: '期間の開始と終了を入力してください（例: 2026-11-01）。' };
  for (const [value, label] of [
    [from, '期間の開始'],
    [to, '期間の終了'],
  ] as const) {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return { ok: false, message: `${label}の形式が正しくありません: 「${value.slice(0, 40)}」。YYYY-MM-DD で入力してください。` };
    if (!isValidYmd(value)) return { ok: false, message: `${label}がありえない日付です: 「${value}」。` };
  }
  const fromMs = jstStartOfDay(from);
  const toMs = jstStartOfDay(to) + MS_PER_DAY - 1;
  if (fromMs > toMs) return { ok: false, message: '期間の開始が終了より後になっています。開始と終了を確かめてください。' };
  if (toMs - fromMs >= OFFLINE_MAX_DAYS * MS_PER_DAY) return { ok: false, message: `期間が長すぎます（オフラインでは最長 ${OFFLINE_MAX_DAYS} 日）。期間を短くしてください。` };
  return { ok: true, fromMs, toMs };
}

export function offlineRow(record: LogRecord): OfflineRow {
  const access = accessOf(record);
  const purpose = record.detail.purposeCategory;
  return {
    seq: record.seq,
    at: record.at,
    type: record.type,
    outcome: record.outcome,
    operatorId: record.operatorId,
    purposeCategory: typeof purpose === 'string' ? purpose : null,
    residentIds: access?.residentIds ?? [],
  };
}

/** The explorer's filter over local records (newest first). */
export function filterOffline(records: readonly LogRecord[], f: OfflineFilters): OfflineRow[] {
  const type = f.type.trim();
  const operator = f.operatorId.trim();
  const resident = f.residentId.trim();
  const rows: OfflineRow[] = [];
  for (const record of records) {
    if (operator !== '' && record.operatorId !== operator) continue;
    if (type !== '' && !(type.endsWith('.') ? record.type.startsWith(type) : record.type === type)) continue;
    if (f.outcome !== '' && record.outcome !== f.outcome) continue;
    const row = offlineRow(record);
    if (resident !== '' && !row.residentIds.includes(resident)) continue;
    rows.push(row);
  }
  return rows.sort((a, b) => (a.at === b.at ? b.seq - a.seq : a.at < b.at ? 1 : -1));
}

export class OfflineAuditStore {
  visible = false;
  loading = false;
  filters: OfflineFilters;
  error: string | null = null;
  /** The oldest record kept here (ISO), or null when the log is empty. */
  since: string | null = null;
  rows: OfflineRow[] | null = null;
  page = 0;
  findings: Finding[] | null = null;
  openFindingId: string | null = null;
  record: OfflineRecordView | null = null;
  recordError: string | null = null;
  /** The period the rows answer. */
  shown: { from: string; to: string; records: number } | null = null;

  private terminalId: string | null = null;
  private operatorId: string | null = null;
  private generation = 0;

  constructor(private readonly d: OfflineAuditDeps) {
    const today = jstYmd(d.now());
    this.filters = { from: addDays(today, -29), to: today, operatorId: '', type: '', outcome: '', residentId: '' };
    makeAutoObservable<OfflineAuditStore, 'd' | 'terminalId' | 'operatorId' | 'generation'>(this, { d: false, terminalId: false, operatorId: false, generation: false });
  }

  /** A manager or system administrator is working here (the role from the session snapshot). */
  static offeredTo(snapshot: TerminalSnapshot | null): boolean {
    return !!snapshot && snapshot.phase === 'working' && !!snapshot.operator && (snapshot.operator.role === 'manager' || snapshot.operator.role === 'sysadmin');
  }

  receive(snapshot: TerminalSnapshot): void {
    const working = OfflineAuditStore.offeredTo(snapshot) ? snapshot.operator!.id : null;
    if (working !== this.operatorId) {
      this.reset();
      this.operatorId = working;
      this.terminalId = working ? snapshot.terminal.id : null;
    }
  }

  private reset(): void {
    this.generation++;
    const today = jstYmd(this.d.now());
    this.filters = { from: addDays(today, -29), to: today, operatorId: '', type: '', outcome: '', residentId: '' };
    this.visible = false;
    this.loading = false;
    this.error = null;
    this.since = null;
    this.rows = null;
    this.page = 0;
    this.findings = null;
    this.openFindingId = null;
    this.record = null;
    this.recordError = null;
    this.shown = null;
  }

  setFilter(field: keyof OfflineFilters, value: string): void {
    this.filters = { ...this.filters, [field]: value };
  }

  /** Opens offline mode: written to the local log first, then the first query. */
  async open(): Promise<void> {
    if (!this.operatorId || !this.terminalId) return;
    try {
      await this.d.log({ type: 'audit.offline-viewed', outcome: 'info', operatorId: this.operatorId, cardKeyId: null, detail: { scope: 'this-terminal', terminalId: this.terminalId } });
    } catch {
      runInAction(() => (this.error = '操作記録を書き込めないため、オフライン点検は使えません。'));
      return;
    }
    runInAction(() => (this.visible = true));
    await this.run();
  }

  close(): void {
    this.reset();
  }

  /** 検索: the explorer and the findings over this terminal's log for the period. */
  async run(): Promise<void> {
    if (!this.terminalId) return;
    const period = offlinePeriod(this.filters.from, this.filters.to);
    if (!period.ok) {
      this.error = period.message;
      return;
    }
    const outcome = this.filters.outcome;
    if (outcome !== '' && !['success', 'failure', 'info'].includes(outcome)) {
      this.error = '結果は 成功・失敗・情報 のいずれかを選んでください。';
      return;
    }
    this.error = null;
    this.loading = true;
    const generation = this.generation;
    const source = this.d.source(this.terminalId);
    try {
      const [records, oldest] = await Promise.all([source.between(new Date(period.fromMs).toISOString(), new Date(period.toMs).toISOString()), source.oldest()]);
      const lastSync = this.d.lastSyncAt();
      const ordered = [...records].sort((a, b) => Date.parse(a.at) - Date.parse(b.at) || a.seq - b.seq);
      const findings = findFindings(
        ordered,
        {
          operators: [],
          residents: new Map(),
          flagged: new Map(),
          calendarExceptions: [],
          terminals: [{ terminalId: this.terminalId, lastSyncAt: lastSync === null ? null : new Date(lastSync).toISOString() }],
          integrityAlerts: [],
          asOf: new Date(Math.min(this.d.now(), period.toMs)).toISOString(),
        },
        { disabledRules: ['sync.stale'] },
      );
      if (generation !== this.generation) return;
      runInAction(() => {
        this.rows = filterOffline(records, this.filters);
        this.page = 0;
        this.findings = findings;
        this.openFindingId = null;
        this.since = oldest?.at ?? null;
        this.shown = { from: new Date(period.fromMs).toISOString(), to: new Date(period.toMs).toISOString(), records: records.length };
        this.loading = false;
      });
    } catch (error) {
      if (generation !== this.generation) return;
      runInAction(() => {
        this.loading = false;
        this.error = `この端末の操作ログを読めませんでした（${error instanceof Error ? error.message : String(error)}）。`;
      });
    }
  }

  get pageRows(): OfflineRow[] {
    return (this.rows ?? []).slice(this.page * OFFLINE_PAGE, (this.page + 1) * OFFLINE_PAGE);
  }

  get pages(): number {
    return Math.max(1, Math.ceil((this.rows?.length ?? 0) / OFFLINE_PAGE));
  }

  setPage(page: number): void {
    this.page = Math.min(Math.max(0, page), this.pages - 1);
  }

  toggleFinding(id: string): void {
    this.openFindingId = this.openFindingId === id ? null : id;
  }

  /** One record with its chain status checked here (its hash, and the link to the record before when still kept). */
  async openRecord(seq: number): Promise<void> {
    if (!this.terminalId) return;
    const source = this.d.source(this.terminalId);
    const record = await source.get(seq);
    if (!record) {
      runInAction(() => (this.recordError = `連番 ${seq} の記録はこの端末にありません（送信済みで削除されました）。`));
      return;
    }
    const { hash, ...body } = record;
    const hashValid = sealRecord(body, this.d.sha256).hash === hash;
    let linkValid: boolean | null;
    if (seq === 1) linkValid = record.prevHash === GENESIS_HASH;
    else {
      const before = await source.get(seq - 1);
      linkValid = before ? before.hash === record.prevHash : null;
    }
    runInAction(() => {
      this.recordError = null;
      this.record = { record, hashValid, linkValid };
    });
  }

  closeRecord(): void {
    this.record = null;
    this.recordError = null;
  }
}
