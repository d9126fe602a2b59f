// 点検 (issue 5): the spot checks of the information-protection manager and the system administrator
// inside the admin console — the log explorer with each record's chain status, findings, sampling
// with verdicts, the card ledger with return confirmation, "who looked at my record", flagged records
// and the reports. Every query goes through the admin session (main checks the input against
// ADMIN_ROUTES, the server checks the role and the meaning and logs the look); this store keeps the
// filters as typed, shows the server's Japanese message next to the field it is about, and exports
// what is on screen (CSV with BOM, PDF from the server) — each export written to the terminal's log.
//
// Privacy: everything here is dropped when the admin session ends (lock, sign-out, 管理を終了).
// I/O is injected: the contract client, the log append and the download.
import { makeAutoObservable, reaction, runInAction } from 'mobx';
import type { z } from 'zod';
import type { TerminalClient } from '../../../shared/contract';
import type { LogEvent } from '../../../shared/log-event';
import { ADMIN_ROUTES, type AdminConsoleAction, type AdminSessionView } from '../../../shared/admin-routes';
import { addDays, jstYmd } from '../../../domain/calendar/jst';
import { DEFAULT_PURPOSE_CATEGORIES } from '../../../domain/resident/purpose';
import type { AuditConfig } from '../../../domain/audit/config';

export type SpotData<A extends AdminConsoleAction> = z.infer<(typeof ADMIN_ROUTES)[A]['response']>;
export type LogRow = SpotData<'audit.log.view'>['rows'][number];
export type LogRecordDetail = SpotData<'audit.log.record'>;
export type Lending = SpotData<'audit.card-ledger.view'>['lendings'][number];
export type Access = SpotData<'audit.who-looked.view'>['accesses'][number];
export type IndexFreshness = SpotData<'audit.log.view'>['index'];
export type FindingsAnswer = SpotData<'audit.findings.view'>;
export type Finding = FindingsAnswer['findings'][number];
export type ResidentFlag = SpotData<'audit.resident-flags.view'>['flags'][number];
export type AuditConfigAnswer = SpotData<'audit.config.view'>;
export type SampleAnswer = SpotData<'audit.samples.draw'>;
export type SampleSummary = SpotData<'audit.samples.view'>['samples'][number];
export type SampleItem = SampleAnswer['items'][number];
export type PdfReport = SpotData<'audit.reports.audit'>;
export type VerdictChoice = 'appropriate' | 'needs-check' | 'inappropriate';

export type SpotSection = 'log' | 'findings' | 'samples' | 'ledger' | 'who' | 'flags' | 'reports';

/** The sub-sections of 点検 in tab order, each with the console action that shows it. */
export const SPOT_SECTIONS: readonly { id: SpotSection; label: string; needs: string }[] = [
  { id: 'log', label: 'ログ', needs: 'audit.log.view' },
  { id: 'findings', label: '所見', needs: 'audit.findings.view' },
  { id: 'samples', label: '抽出点検', needs: 'audit.samples.view' },
  { id: 'ledger', label: 'カード貸出簿', needs: 'audit.card-ledger.view' },
  { id: 'who', label: '閲覧記録', needs: 'audit.who-looked.view' },
  { id: 'flags', label: '要注意記録', needs: 'audit.resident-flags.view' },
  { id: 'reports', label: '報告書', needs: 'audit.reports.audit' },
];

/** The server permission behind a console action whose name differs from it. */
const PERMISSION_OF: Readonly<Record<string, string>> = {
  'audit.log.record': 'audit.log.view',
  'audit.samples.open': 'audit.samples.view',
  'audit.samples.verdict': 'audit.verdicts.record',
  'audit.card-ledger.confirm-return': 'audit.card-returns.confirm',
  'audit.reports.audit': 'audit.reports.produce',
  'audit.reports.resident-accesses': 'audit.reports.produce',
  'audit.resident-flags.view': 'audit.flags.view',
  'audit.resident-flags.set': 'audit.flags.set',
  'audit.resident-flags.withdraw': 'audit.flags.withdraw',
};

/** The explorer's filters, as typed. */
export interface LogFilters {
  from: string;
  to: string;
  terminalId: string;
  operatorId: string;
  type: string;
  purposeCategory: string;
  outcome: string;
  residentId: string;
}
export type FilterField = keyof LogFilters | 'period' | 'form' | 'rule';
export type FieldErrors = Partial<Record<FilterField | string, string>>;

/** Which field a server refusal (its code) is about. */
export const FIELD_OF_CODE: Readonly<Record<string, FilterField>> = {
  'bad-period': 'period',
  'period-too-long': 'period',
  'bad-terminal-id': 'terminalId',
  'unknown-terminal': 'terminalId',
  'bad-operator-id': 'operatorId',
  'unknown-operator': 'operatorId',
  'bad-event-type': 'type',
  'bad-purpose-category': 'purposeCategory',
  'unknown-purpose-category': 'purposeCategory',
  'bad-outcome': 'outcome',
  'bad-resident-id': 'residentId',
  'unknown-resident': 'residentId',
  'bad-rule': 'rule',
  'unknown-rule': 'rule',
  'bad-cursor': 'form',
  'bad-limit': 'form',
};

/** Most characters a filter may hold (as the contract allows); longer input is refused here with a message. */
const FIELD_MAX: Readonly<Record<keyof LogFilters, number>> = { from: 40, to: 40, terminalId: 100, operatorId: 100, type: 100, purposeCategory: 100, outcome: 20, residentId: 100 };
const FIELD_LABEL: Readonly<Record<keyof LogFilters, string>> = {
  from: '期間の開始',
  to: '期間の終了',
  terminalId: '端末ID',
  operatorId: '操作者ID',
  type: '種別',
  purposeCategory: '検索目的の区分',
  outcome: '結果',
  residentId: '住民ID',
};

/** "2026/11/01" and full-width digits are accepted as typed by a person; the server checks the rest. */
export function normalizeDateInput(value: string): string {
  const half = value.trim().replace(/[０-９]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0)).replace(/[／]/g, '/').replace(/[－ー]/g, '-');
  return /^\d{4}\/\d{1,2}\/\d{1,2}$/.test(half) ? half.split('/').map((p, i) => (i === 0 ? p : p.padStart(2, '0'))).join('-') : half;
}

/** Client-side checks only of what the contract would refuse without a message (length, control characters). */
export function checkFilters(filters: Partial<LogFilters>): FieldErrors {
  const errors: FieldErrors = {};
  for (const [key, raw] of Object.entries(filters) as [keyof LogFilters, string | undefined][]) {
    if (raw === undefined) continue;
    if (raw.length > FIELD_MAX[key]) errors[key === 'from' || key === 'to' ? 'period' : key] = `${FIELD_LABEL[key]}が長すぎます（${FIELD_MAX[key]}文字以内、いま${raw.length}文字）。`;
    else if (/[\u0000-\u001f\u007f]/.test(raw)) errors[key === 'from' || key === 'to' ? 'period' : key] = `${FIELD_LABEL[key]}に改行や制御文字は使えません。`;
  }
  if ((filters.from ?? '').trim() === '' || (filters.to ?? '').trim() === '') errors.period ??= '期間の開始と終了を入力してください（例: 2026-11-01）。';
  return errors;
}

/** The query as sent: trimmed, empty fields left out, dates normalised. */
export function queryOf(filters: LogFilters): Record<string, string> {
  const query: Record<string, string> = {};
  for (const [key, raw] of Object.entries(filters) as [keyof LogFilters, string][]) {
    const value = key === 'from' || key === 'to' ? normalizeDateInput(raw) : raw.trim();
    if (value !== '') query[key] = value;
  }
  return query;
}

/** Japanese names of the event types a manager meets most. */
export const EVENT_TYPE_LABEL: Readonly<Record<string, string>> = {
  'resident.search': '住民検索',
  'resident.search-refused': '住民検索（拒否）',
  'resident.viewed': '住民記録の表示',
  'resident.code-revealed': '住民票コードの表示',
  'resident.printed': '印刷',
  'purpose.stated': '検索目的の入力',
  'purpose.ended': '検索目的の終了',
  'session.signed-in': 'サインイン',
  'session.signed-out': 'サインアウト',
  'session.locked': 'ロック',
  'session.unlocked': 'ロック解除',
  'session.unlock-password': 'ロック解除（パスワード）',
  'session.ended-by-roster': '名簿によるセッション終了',
  'signin.failure': 'パスワード誤り',
  'signin.lockout': 'ロックアウト',
  'signin.refused': 'サインイン拒否',
  'signin.password-ok': 'パスワード確認',
  'card.inserted': 'カード挿入',
  'card.removed': 'カード抜去',
  'password.changed': 'パスワード変更',
  'admin.session-opened': '管理セッション開始',
  'admin.session-refused': '管理セッション拒否',
  'admin.session-closed': '管理セッション終了',
  'admin.action': '管理操作',
  'admin.viewed': '管理画面の閲覧',
  'admin.exported': '点検結果の出力',
  'audit.offline-viewed': 'オフライン点検',
  'hours.forced-lock': '閉庁による強制ロック',
  'clock.anomaly': '時計の異常',
  'log.integrity-problem': 'ログの整合性の問題',
  'app.start': 'アプリ起動',
};

export const OUTCOME_LABEL: Readonly<Record<string, string>> = { success: '成功', failure: '失敗', info: '情報' };

/** A purpose category's name (the town's standard list), or its id. */
export function purposeLabel(id: string | null): string {
  if (id === null) return '—';
  return DEFAULT_PURPOSE_CATEGORIES.find((c) => c.id === id)?.label ?? id;
}
export const PURPOSE_CHOICES = DEFAULT_PURPOSE_CATEGORIES.map((c) => ({ id: c.id, label: c.label }));

/** Japanese names of the detail keys a record shows most. */
export const DETAIL_LABEL: Readonly<Record<string, string>> = {
  caseNumber: '受付番号',
  purposeCategory: '検索目的の区分',
  purposeNote: '目的の内容',
  note: 'メモ',
  residentId: '住民ID',
  shownIds: '表示した住民',
  shownCount: '表示した件数',
  resultCount: '該当件数',
  reason: '理由',
  cause: '原因',
  action: '管理操作',
  target: '対象',
  sessionId: '管理セッション',
  role: '役割',
  code: 'コード',
  attempt: '試行回数',
  failedAttempts: '続けて誤った回数',
  unlock: 'ロック解除のとき',
  outcome: '結果',
  reader: 'カードリーダー',
  kind: '種類',
  fileName: 'ファイル名',
  mainEid: '端末内の番号',
};

export function detailLabel(key: string): string {
  return DETAIL_LABEL[key] ?? key;
}

export function eventLabel(type: string): string {
  return EVENT_TYPE_LABEL[type] ?? type;
}

export interface SpotCheckDeps {
  api: Pick<TerminalClient, 'adminCall'>;
  /** The admin session as the console holds it (null: none). */
  session: () => AdminSessionView | null;
  /** Writes an event to the terminal's operation log (exports). */
  log: (event: LogEvent) => Promise<void>;
  /** Who works here (the log's operatorId). */
  operatorId: () => string | null;
  /** Trusted now (ms). */
  now: () => number;
  /** Hands a file to the person (Blob + <a download> in the page). */
  download: (fileName: string, blob: Blob) => void;
}

export type CallAnswer<A extends AdminConsoleAction> = { ok: true; data: SpotData<A> } | { ok: false; code: string; message: string };

export class SpotCheckStore {
  section: SpotSection = 'log';
  /** A failure not about one field (the server unreachable, the session ended). */
  problem: string | null = null;
  /** The last export's line. */
  notice: string | null = null;
  busy = false;

  // ログ
  filters: LogFilters;
  logErrors: FieldErrors = {};
  rows: LogRow[] | null = null;
  /** Cursors of the pages shown: [undefined (newest page), cursor of page 2, …]. */
  private cursors: (string | undefined)[] = [undefined];
  page = 0;
  nextCursor: string | null = null;
  index: IndexFreshness | null = null;
  /** The query the rows answer (export and paging use it, not what is being typed). */
  private shownQuery: Record<string, string> | null = null;

  // one record
  record: LogRecordDetail | null = null;
  recordError: string | null = null;
  recordLoading = false;

  // カード貸出簿
  ledgerFrom: string;
  ledgerTo: string;
  ledgerErrors: FieldErrors = {};
  lendings: Lending[] | null = null;
  ledgerTruncated = false;
  private ledgerQuery: Record<string, string> | null = null;

  // 閲覧記録
  whoResidentId = '';
  whoErrors: FieldErrors = {};
  accesses: Access[] | null = null;
  whoShown: string | null = null;
  whoNextCursor: string | null = null;

  // 所見
  findingsFrom: string;
  findingsTo: string;
  findingsRule = '';
  findingsOperatorId = '';
  findingsErrors: FieldErrors = {};
  findings: FindingsAnswer | null = null;
  /** The finding whose rows are shown. */
  openFindingId: string | null = null;
  config: AuditConfigAnswer | null = null;
  configErrors: FieldErrors = {};
  configOutcome: string | null = null;

  // 要注意記録
  flags: ResidentFlag[] | null = null;
  flagErrors: FieldErrors = {};
  flagOutcome: string | null = null;

  // 抽出点検
  sampleFrom: string;
  sampleTo: string;
  sampleSize = '20';
  sampleSeed = '';
  sampleErrors: FieldErrors = {};
  samples: SampleSummary[] | null = null;
  sample: SampleAnswer | null = null;
  /** Verdict being entered per item (`terminalId#seq`). */
  drafts: Record<string, { verdict: VerdictChoice | ''; comment: string }> = {};
  itemErrors: Record<string, string> = {};

  // カード貸出簿: the return being confirmed
  returnErrors: Record<string, string> = {};

  // 報告書
  reportFrom: string;
  reportTo: string;
  reportErrors: FieldErrors = {};
  report: PdfReport | null = null;
  whoReport: PdfReport | null = null;

  private generation = 0;

  constructor(private readonly d: SpotCheckDeps) {
    const [from, today] = defaultPeriod(d.now());
    this.filters = { from, to: today, terminalId: '', operatorId: '', type: '', purposeCategory: '', outcome: '', residentId: '' };
    this.ledgerFrom = from;
    this.ledgerTo = today;
    this.findingsFrom = from;
    this.findingsTo = today;
    this.sampleFrom = from;
    this.sampleTo = today;
    this.reportFrom = from;
    this.reportTo = today;
    makeAutoObservable<SpotCheckStore, 'd' | 'generation' | 'cursors' | 'shownQuery' | 'ledgerQuery'>(this, { d: false, generation: false, cursors: false, shownQuery: false, ledgerQuery: false });
    reaction(
      () => this.d.session(),
      (session, previous) => {
        if (session !== previous && (session === null || previous === null || session.operatorName !== previous.operatorName)) this.reset();
      },
    );
  }

  /** Forgets everything shown (the admin session ended or changed hands). */
  reset(): void {
    this.generation++;
    const [from, today] = defaultPeriod(this.d.now());
    this.filters = { from, to: today, terminalId: '', operatorId: '', type: '', purposeCategory: '', outcome: '', residentId: '' };
    this.ledgerFrom = this.findingsFrom = this.sampleFrom = this.reportFrom = from;
    this.ledgerTo = this.findingsTo = this.sampleTo = this.reportTo = today;
    this.section = 'log';
    this.problem = null;
    this.notice = null;
    this.busy = false;
    this.logErrors = {};
    this.rows = null;
    this.cursors = [undefined];
    this.page = 0;
    this.nextCursor = null;
    this.index = null;
    this.shownQuery = null;
    this.closeRecord();
    this.ledgerErrors = {};
    this.lendings = null;
    this.ledgerTruncated = false;
    this.ledgerQuery = null;
    this.whoResidentId = '';
    this.whoErrors = {};
    this.accesses = null;
    this.whoShown = null;
    this.whoNextCursor = null;
    this.findingsErrors = {};
    this.findings = null;
    this.openFindingId = null;
    this.config = null;
    this.configErrors = {};
    this.configOutcome = null;
    this.flags = null;
    this.flagErrors = {};
    this.flagOutcome = null;
    this.sampleErrors = {};
    this.samples = null;
    this.sample = null;
    this.drafts = {};
    this.itemErrors = {};
    this.returnErrors = {};
    this.reportErrors = {};
    this.report = null;
    this.whoReport = null;
  }

  may(action: string): boolean {
    const session = this.d.session();
    return !!session && session.permissions.includes(PERMISSION_OF[action] ?? action) && Object.prototype.hasOwnProperty.call(ADMIN_ROUTES, action);
  }

  get sections() {
    return SPOT_SECTIONS.filter((s) => this.may(s.needs));
  }

  /** Opens a sub-section; lists that need no input are read at once. */
  async selectSection(section: SpotSection): Promise<void> {
    this.section = section;
    this.problem = null;
    this.notice = null;
    if (section === 'flags' && this.flags === null) await this.loadFlags();
    if (section === 'samples' && this.samples === null) await this.loadSamples();
    if (section === 'findings' && this.config === null) await this.loadConfig();
  }

  /** 最新にする: the current sub-section's query again. */
  async reload(): Promise<void> {
    switch (this.section) {
      case 'log':
        if (this.shownQuery) await this.loadPage(this.shownQuery, this.page, this.cursors);
        else await this.search();
        break;
      case 'findings':
        await this.loadFindings();
        break;
      case 'samples':
        await this.loadSamples();
        if (this.sample) await this.openSample(this.sample.sample.id);
        break;
      case 'ledger':
        await this.loadLedger();
        break;
      case 'who':
        if (this.whoShown) await this.loadWhoLooked();
        break;
      case 'flags':
        await this.loadFlags();
        break;
      case 'reports':
        break;
    }
  }

  /** One admin call, the answer parsed with the route's schema. */
  async call<A extends AdminConsoleAction>(action: A, input: Record<string, unknown>, target?: string): Promise<CallAnswer<A>> {
    const answer = await this.d.api.adminCall(target === undefined ? { action, input } : { action, target, input });
    if (!answer.ok) return answer;
    const parsed = ADMIN_ROUTES[action].response.safeParse(answer.data);
    if (!parsed.success) return { ok: false, code: 'bad-answer', message: '中央サーバーの応答を読み取れませんでした。' };
    return { ok: true, data: parsed.data as SpotData<A> };
  }

  /** Puts a refusal next to its field (by the server's code), or on the section. */
  private place(errors: FieldErrors, code: string, message: string, fallback: FilterField = 'form'): FieldErrors {
    const field = FIELD_OF_CODE[code] ?? (code === 'invalid-request' ? fallback : null);
    if (field) return { ...errors, [field]: message };
    this.problem = message;
    return errors;
  }

  // ───── ログ ─────

  setFilter(field: keyof LogFilters, value: string): void {
    this.filters = { ...this.filters, [field]: value };
  }

  clearFilters(): void {
    this.filters = { ...this.filters, terminalId: '', operatorId: '', type: '', purposeCategory: '', outcome: '', residentId: '' };
    this.logErrors = {};
  }

  /** 検索: the first (newest) page of what the filters say. */
  async search(): Promise<void> {
    this.problem = null;
    this.notice = null;
    const errors = checkFilters(this.filters);
    if (Object.keys(errors).length > 0) {
      this.logErrors = errors;
      this.rows = null;
      this.shownQuery = null;
      return;
    }
    this.logErrors = {};
    const query = queryOf(this.filters);
    await this.loadPage(query, 0, [undefined]);
  }

  /** Older records (the next page). */
  async olderPage(): Promise<void> {
    if (!this.nextCursor || !this.shownQuery) return;
    await this.loadPage(this.shownQuery, this.page + 1, [...this.cursors.slice(0, this.page + 1), this.nextCursor]);
  }

  /** Newer records (the page before). */
  async newerPage(): Promise<void> {
    if (this.page === 0 || !this.shownQuery) return;
    await this.loadPage(this.shownQuery, this.page - 1, this.cursors.slice(0, this.page));
  }

  private async loadPage(query: Record<string, string>, page: number, cursors: (string | undefined)[]): Promise<void> {
    const generation = this.generation;
    const cursor = cursors[page];
    this.busy = true;
    const answer = await this.call('audit.log.view', cursor === undefined ? query : { ...query, cursor });
    if (generation !== this.generation) return;
    runInAction(() => {
      this.busy = false;
      if (!answer.ok) {
        this.logErrors = this.place({}, answer.code, answer.message);
        // What was shown answered other filters: not left under the message as if it were the answer.
        this.rows = null;
        this.shownQuery = null;
        this.nextCursor = null;
        return;
      }
      this.rows = answer.data.rows;
      this.nextCursor = answer.data.nextCursor;
      this.index = answer.data.index;
      this.cursors = cursors;
      this.page = page;
      this.shownQuery = query;
    });
  }

  /** The period the shown rows answer (for file names and headings). */
  get shownPeriod(): { from: string; to: string } | null {
    return this.shownQuery ? { from: this.shownQuery.from ?? '', to: this.shownQuery.to ?? '' } : null;
  }

  // ───── one record ─────

  async openRecord(terminalId: string, seq: number): Promise<void> {
    const generation = this.generation;
    this.record = null;
    this.recordError = null;
    this.recordLoading = true;
    const answer = await this.call('audit.log.record', { terminalId, seq: String(seq) });
    if (generation !== this.generation) return;
    runInAction(() => {
      this.recordLoading = false;
      if (answer.ok) this.record = answer.data;
      else this.recordError = answer.message;
    });
  }

  closeRecord(): void {
    this.record = null;
    this.recordError = null;
    this.recordLoading = false;
  }

  get recordOpen(): boolean {
    return this.record !== null || this.recordError !== null || this.recordLoading;
  }

  // ───── カード貸出簿 ─────

  setLedgerPeriod(from: string, to: string): void {
    this.ledgerFrom = from;
    this.ledgerTo = to;
  }

  async loadLedger(): Promise<void> {
    this.problem = null;
    this.notice = null;
    const errors = checkFilters({ from: this.ledgerFrom, to: this.ledgerTo });
    if (Object.keys(errors).length > 0) {
      this.ledgerErrors = errors;
      return;
    }
    this.ledgerErrors = {};
    const query = { from: normalizeDateInput(this.ledgerFrom), to: normalizeDateInput(this.ledgerTo) };
    const generation = this.generation;
    this.busy = true;
    const answer = await this.call('audit.card-ledger.view', query);
    if (generation !== this.generation) return;
    runInAction(() => {
      this.busy = false;
      if (!answer.ok) {
        this.ledgerErrors = this.place({}, answer.code, answer.message, 'period');
        return;
      }
      this.lendings = answer.data.lendings;
      this.ledgerTruncated = answer.data.truncated;
      this.index = answer.data.index;
      this.ledgerQuery = query;
    });
  }

  get shownLedgerPeriod(): { from: string; to: string } | null {
    return this.ledgerQuery ? { from: this.ledgerQuery.from!, to: this.ledgerQuery.to! } : null;
  }

  // ───── 閲覧記録 ─────

  setWhoResidentId(value: string): void {
    this.whoResidentId = value;
  }

  async loadWhoLooked(more = false): Promise<void> {
    this.problem = null;
    this.notice = null;
    const residentId = more ? (this.whoShown ?? '') : this.whoResidentId.trim();
    if (residentId === '') {
      this.whoErrors = { residentId: '住民IDを入力してください（例: R000123）。' };
      return;
    }
    const local = checkFilters({ residentId, from: 'x', to: 'x' });
    if (local.residentId) {
      this.whoErrors = { residentId: local.residentId };
      return;
    }
    this.whoErrors = {};
    const generation = this.generation;
    this.busy = true;
    const input: Record<string, string> = { residentId };
    if (more && this.whoNextCursor) input.cursor = this.whoNextCursor;
    const answer = await this.call('audit.who-looked.view', input);
    if (generation !== this.generation) return;
    runInAction(() => {
      this.busy = false;
      if (!answer.ok) {
        this.whoErrors = this.place({}, answer.code, answer.message, 'residentId');
        if (!more) {
          this.accesses = null;
          this.whoShown = null;
        }
        return;
      }
      this.accesses = more && this.accesses ? [...this.accesses, ...answer.data.accesses] : answer.data.accesses;
      this.whoShown = answer.data.residentId;
      this.whoNextCursor = answer.data.nextCursor;
      this.index = answer.data.index;
    });
  }

  // ───── 所見 ─────

  setFindingsQuery(patch: Partial<{ from: string; to: string; rule: string; operatorId: string }>): void {
    if (patch.from !== undefined) this.findingsFrom = patch.from;
    if (patch.to !== undefined) this.findingsTo = patch.to;
    if (patch.rule !== undefined) this.findingsRule = patch.rule;
    if (patch.operatorId !== undefined) this.findingsOperatorId = patch.operatorId;
  }

  async loadFindings(): Promise<void> {
    this.problem = null;
    this.notice = null;
    const errors = checkFilters({ from: this.findingsFrom, to: this.findingsTo, operatorId: this.findingsOperatorId });
    if (Object.keys(errors).length > 0) {
      this.findingsErrors = errors;
      return;
    }
    this.findingsErrors = {};
    const query: Record<string, string> = { from: normalizeDateInput(this.findingsFrom), to: normalizeDateInput(this.findingsTo) };
    if (this.findingsRule !== '') query.rule = this.findingsRule;
    if (this.findingsOperatorId.trim() !== '') query.operatorId = this.findingsOperatorId.trim();
    const generation = this.generation;
    this.busy = true;
    const answer = await this.call('audit.findings.view', query);
    if (generation !== this.generation) return;
    runInAction(() => {
      this.busy = false;
      if (!answer.ok) {
        this.findingsErrors = this.place({}, answer.code, answer.message, 'period');
        return;
      }
      this.findings = answer.data;
      this.openFindingId = null;
    });
  }

  toggleFinding(id: string): void {
    this.openFindingId = this.openFindingId === id ? null : id;
  }

  async loadConfig(): Promise<void> {
    if (!this.may('audit.config.view')) return;
    const answer = await this.call('audit.config.view', {});
    if (answer.ok) runInAction(() => (this.config = answer.data));
  }

  /**
   * Saves the rules' configuration (the manager's): `values` is the whole configuration as edited; only
   * what differs from the defaults is sent (PUT replaces the stored changes; keys left out go back to
   * their defaults). The server checks every key and range again and records who changed it and why.
   */
  async saveConfig(values: Partial<AuditConfig>, reason: string): Promise<boolean> {
    const current = this.config;
    this.configOutcome = null;
    if (!current || !this.may('audit.config.set')) {
      this.configErrors = { form: '規則の設定を変更する権限がありません。' };
      return false;
    }
    if (reason.trim() === '') {
      this.configErrors = { reason: '変更の理由を入力してください。' };
      return false;
    }
    if (reason.length > 200) {
      this.configErrors = { reason: `理由は200文字以内にしてください（${reason.length}文字）。` };
      return false;
    }
    const merged: Record<string, unknown> = { ...current.config, ...values };
    const changes: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(merged)) {
      if (JSON.stringify(value) !== JSON.stringify((current.defaults as Record<string, unknown>)[key])) changes[key] = value;
    }
    this.configErrors = {};
    this.busy = true;
    const answer = await this.call('audit.config.set', { config: changes, reason: reason.trim() });
    runInAction(() => {
      this.busy = false;
      if (!answer.ok) {
        this.configErrors = { form: answer.message };
        return;
      }
      this.config = answer.data;
      this.findings = null;
      this.configOutcome = `規則の設定を保存しました（既定値と違う項目 ${Object.keys(answer.data.overrides).length}件）。所見を表示し直してください。`;
    });
    return answer.ok;
  }

  // ───── 要注意記録 ─────

  async loadFlags(): Promise<void> {
    this.problem = null;
    const generation = this.generation;
    const answer = await this.call('audit.resident-flags.view', {});
    if (generation !== this.generation) return;
    runInAction(() => {
      if (answer.ok) this.flags = answer.data.flags;
      else this.problem = answer.message;
    });
  }

  /** 登録: the resident id, the label and the reason (checked here for presence, by main and the server for the rest). */
  async setFlag(form: { residentId: string; label: string; reason: string }): Promise<boolean> {
    const errors: FieldErrors = {};
    const residentId = form.residentId.trim();
    if (residentId === '') errors.residentId = '住民IDを入力してください。';
    else if (!/^[A-Za-z0-9-]{1,40}$/.test(residentId)) errors.residentId = `住民IDの形式が正しくありません（英数字・ハイフン、40文字以内）。`;
    if (form.label === '') errors.label = '区分を選んでください。';
    if (form.reason.trim() === '') errors.reason = '理由を入力してください。';
    else if (form.reason.length > 200) errors.reason = `理由は200文字以内にしてください（${form.reason.length}文字）。`;
    this.flagErrors = errors;
    this.flagOutcome = null;
    if (Object.keys(errors).length > 0) return false;
    this.busy = true;
    const answer = await this.call('audit.resident-flags.set', { residentId, label: form.label, reason: form.reason.trim() });
    runInAction(() => {
      this.busy = false;
      if (!answer.ok) {
        this.flagErrors = { form: answer.message };
        return;
      }
      this.flagOutcome = `住民 ${answer.data.flag.residentId} を要注意記録に登録しました。以後のアクセスはすべて所見になります。`;
    });
    if (!answer.ok) return false;
    await this.loadFlags();
    return true;
  }

  async withdrawFlag(id: string, reason: string): Promise<boolean> {
    if (reason.trim() === '') {
      this.flagErrors = { [`withdraw-${id}`]: '取り下げの理由を入力してください。' };
      return false;
    }
    this.busy = true;
    const answer = await this.call('audit.resident-flags.withdraw', { reason: reason.trim() }, id);
    runInAction(() => {
      this.busy = false;
      this.flagErrors = answer.ok ? {} : { [`withdraw-${id}`]: answer.message };
      if (answer.ok) this.flagOutcome = '要注意記録を取り下げました。';
    });
    if (answer.ok) await this.loadFlags();
    return answer.ok;
  }

  // ───── 抽出点検 ─────

  setSampleForm(patch: Partial<{ from: string; to: string; size: string; seed: string }>): void {
    if (patch.from !== undefined) this.sampleFrom = patch.from;
    if (patch.to !== undefined) this.sampleTo = patch.to;
    if (patch.size !== undefined) this.sampleSize = patch.size;
    if (patch.seed !== undefined) this.sampleSeed = patch.seed;
  }

  async loadSamples(): Promise<void> {
    const generation = this.generation;
    const answer = await this.call('audit.samples.view', {});
    if (generation !== this.generation) return;
    runInAction(() => {
      if (answer.ok) this.samples = answer.data.samples;
      else this.problem = answer.message;
    });
  }

  /** 抽出: the period, how many and the seed (empty: the server picks one and keeps it). */
  async drawSample(): Promise<void> {
    this.problem = null;
    this.notice = null;
    const errors = checkFilters({ from: this.sampleFrom, to: this.sampleTo });
    const size = normalizeDateInput(this.sampleSize);
    if (!/^\d{1,4}$/.test(size) || Number(size) < 1 || Number(size) > 200) errors.size = '件数は1〜200の整数で入力してください。';
    const seed = this.sampleSeed.trim();
    if (seed !== '' && !/^[A-Za-z0-9._-]{1,64}$/.test(seed)) errors.seed = 'シードは半角英数字と . _ - の64文字以内で入力してください（空欄なら自動で決めます）。';
    if (Object.keys(errors).length > 0) {
      this.sampleErrors = errors;
      return;
    }
    this.sampleErrors = {};
    const input: Record<string, unknown> = { from: normalizeDateInput(this.sampleFrom), to: normalizeDateInput(this.sampleTo), size: Number(size) };
    if (seed !== '') input.seed = seed;
    const generation = this.generation;
    this.busy = true;
    const answer = await this.call('audit.samples.draw', input);
    if (generation !== this.generation) return;
    runInAction(() => {
      this.busy = false;
      if (!answer.ok) {
        this.sampleErrors = this.place({}, answer.code, answer.message, 'period');
        return;
      }
      this.showSample(answer.data);
    });
    if (answer.ok) await this.loadSamples();
  }

  async openSample(id: string): Promise<void> {
    const generation = this.generation;
    this.busy = true;
    const answer = await this.call('audit.samples.open', {}, id);
    if (generation !== this.generation) return;
    runInAction(() => {
      this.busy = false;
      if (answer.ok) this.showSample(answer.data);
      else this.problem = answer.message;
    });
  }

  private showSample(sample: SampleAnswer): void {
    this.sample = sample;
    this.itemErrors = {};
    this.drafts = Object.fromEntries(sample.items.map((i) => [itemKey(i), { verdict: i.verdict?.verdict ?? '', comment: i.verdict?.comment ?? '' }]));
  }

  setDraft(item: SampleItem, patch: Partial<{ verdict: VerdictChoice | ''; comment: string }>): void {
    const key = itemKey(item);
    this.drafts = { ...this.drafts, [key]: { verdict: '', comment: '', ...this.drafts[key], ...patch } };
  }

  /** 記録: the verdict of one item; 要確認 and 不適正 need a comment. */
  async recordVerdict(item: SampleItem): Promise<boolean> {
    const sample = this.sample;
    if (!sample) return false;
    const key = itemKey(item);
    const draft = this.drafts[key] ?? { verdict: '', comment: '' };
    const comment = draft.comment.trim();
    let problem: string | null = null;
    if (draft.verdict === '') problem = '判定（適正・要確認・不適正）を選んでください。';
    else if (draft.verdict !== 'appropriate' && comment === '') problem = '要確認・不適正の判定には、理由をコメントに書いてください。';
    else if (comment.length > 500) problem = `コメントは500文字以内にしてください（${comment.length}文字）。`;
    if (problem) {
      this.itemErrors = { ...this.itemErrors, [key]: problem };
      return false;
    }
    const { [key]: _gone, ...rest } = this.itemErrors;
    this.itemErrors = rest;
    const input: Record<string, unknown> = { terminalId: item.terminalId, seq: item.seq, verdict: draft.verdict };
    if (comment !== '') input.comment = comment;
    const generation = this.generation;
    this.busy = true;
    const answer = await this.call('audit.samples.verdict', input, sample.sample.id);
    if (generation !== this.generation) return false;
    runInAction(() => {
      this.busy = false;
      if (!answer.ok) {
        this.itemErrors = { ...this.itemErrors, [key]: answer.message };
        return;
      }
      const items = this.sample!.items.map((i) => (itemKey(i) === key ? answer.data.item : i));
      const judged = items.filter((i) => i.verdict !== null);
      const count = (v: VerdictChoice) => judged.filter((i) => i.verdict!.verdict === v).length;
      this.sample = {
        ...this.sample!,
        items,
        sample: { ...this.sample!.sample, judged: judged.length, verdicts: { appropriate: count('appropriate'), 'needs-check': count('needs-check'), inappropriate: count('inappropriate') } },
      };
    });
    return answer.ok;
  }

  // ───── 返却確認 ─────

  async confirmReturn(lending: Lending, note: string): Promise<boolean> {
    const key = `${lending.terminalId}#${lending.lentSeq}`;
    if (note.length > 200) {
      this.returnErrors = { [key]: `メモは200文字以内にしてください（${note.length}文字）。` };
      return false;
    }
    const input: Record<string, unknown> = { terminalId: lending.terminalId, lentSeq: lending.lentSeq };
    if (note.trim() !== '') input.note = note.trim();
    this.busy = true;
    const answer = await this.call('audit.card-ledger.confirm-return', input);
    runInAction(() => {
      this.busy = false;
      this.returnErrors = answer.ok ? {} : { [key]: answer.message };
      if (answer.ok) this.notice = `${lending.operatorName ?? lending.operatorId} さんのカードの返却を確認しました。`;
    });
    if (answer.ok && this.ledgerQuery) {
      const notice = this.notice;
      await this.loadLedger();
      runInAction(() => (this.notice = notice));
    }
    return answer.ok;
  }

  // ───── 報告書 ─────

  setReportPeriod(from: string, to: string): void {
    this.reportFrom = from;
    this.reportTo = to;
  }

  async makeAuditReport(): Promise<PdfReport | null> {
    this.problem = null;
    this.notice = null;
    const errors = checkFilters({ from: this.reportFrom, to: this.reportTo });
    if (Object.keys(errors).length > 0) {
      this.reportErrors = errors;
      return null;
    }
    this.reportErrors = {};
    const generation = this.generation;
    this.busy = true;
    const answer = await this.call('audit.reports.audit', { from: normalizeDateInput(this.reportFrom), to: normalizeDateInput(this.reportTo) });
    if (generation !== this.generation) return null;
    runInAction(() => {
      this.busy = false;
      if (!answer.ok) this.reportErrors = this.place({}, answer.code, answer.message, 'period');
      else this.report = answer.data;
    });
    return answer.ok ? answer.data : null;
  }

  /** The "who looked at my record" PDF of the resident shown in 閲覧記録. */
  async makeWhoReport(): Promise<PdfReport | null> {
    const residentId = this.whoShown;
    if (!residentId) return null;
    this.problem = null;
    this.busy = true;
    const answer = await this.call('audit.reports.resident-accesses', { residentId });
    runInAction(() => {
      this.busy = false;
      if (!answer.ok) this.whoErrors = this.place({}, answer.code, answer.message, 'residentId');
      else this.whoReport = answer.data;
    });
    return answer.ok ? answer.data : null;
  }

  // ───── exports ─────

  /** Hands a file to the person and writes the export to the terminal's log first (no log, no file). */
  async exportFile(kind: string, fileName: string, blob: Blob, detail: Record<string, string | number | boolean | null>): Promise<boolean> {
    try {
      await this.d.log({ type: 'admin.exported', outcome: 'info', operatorId: this.d.operatorId(), cardKeyId: null, detail: { kind, fileName, bytes: blob.size, ...detail } });
    } catch {
      runInAction(() => (this.problem = '操作記録を書き込めないため、出力できません。'));
      return false;
    }
    this.d.download(fileName, blob);
    runInAction(() => (this.notice = `${fileName} を出力しました。`));
    return true;
  }

  setProblem(message: string | null): void {
    this.problem = message;
  }

  dismissNotice(): void {
    this.notice = null;
  }
}

/** The last 30 days up to today (JST), as the period fields start. */
export function defaultPeriod(nowMs: number): [string, string] {
  const today = jstYmd(nowMs);
  return [addDays(today, -29), today];
}

export function itemKey(item: { terminalId: string; seq: number }): string {
  return `${item.terminalId}#${item.seq}`;
}

/** A file name part from a period: "20261101-20261124" (no personal data). */
export function periodTag(period: { from: string; to: string } | null): string {
  if (!period) return 'period';
  const tag = (s: string) => s.slice(0, 10).replace(/[^0-9]/g, '');
  return `${tag(period.from)}-${tag(period.to)}`;
}
