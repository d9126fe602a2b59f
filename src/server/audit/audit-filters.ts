// The audit queries' input, checked for meaning with clear Japanese messages (400): periods (real
// dates, from ≤ to, not longer than the configured span), ids in their formats and known to the
// server, event types, outcomes, page sizes and cursors. Nothing of the input reaches SQL other than
// as a bound parameter.
import { AUDIT_MAX_SPAN_DAYS_DEFAULT, AUDIT_PAGE_SIZE_DEFAULT, AUDIT_PAGE_SIZE_MAX, LogOutcomeSchema } from '../../shared/audit-api';
import { ResidentIdSchema } from '../../shared/resident-api';
import { OperatorIdSchema, PurposeCategoryIdSchema, TerminalIdSchema } from '../../shared/server-api';
import { DAY_MS } from '../clock';
import type { ServerDb } from '../db/open';
import { ApiError } from '../http/errors';
import { findTermId, type IndexedOutcome } from '../store/log-index';

const JST_OFFSET_MS = 9 * 3600_000;
const DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?(Z|[+-]\d{2}:\d{2})$/;
const EVENT_TYPE = /^[a-z][a-z0-9-]*(\.[a-z0-9-]+)*\.?$/;

const bad = (code: string, message: string): ApiError => new ApiError(400, code, message);

/** Shown back in a message: cut and stripped of control characters. */
function shown(value: string): string {
  const clean = value.replace(/[\u0000-\u001f\u007f-\u009f]/g, '?');
  return clean.length > 40 ? `${clean.slice(0, 40)}…` : clean;
}

function realDate(y: number, m: number, d: number): boolean {
  const t = new Date(Date.UTC(y, m - 1, d));
  return y >= 2000 && y <= 2200 && t.getUTCFullYear() === y && t.getUTCMonth() === m - 1 && t.getUTCDate() === d;
}

/** A period bound: YYYY-MM-DD (the JST day: its start for `from`, its end for `to`) or ISO 8601 with an offset. */
export function parseBound(value: string | undefined, which: 'from' | 'to'): number {
  const label = which === 'from' ? '期間の開始（from）' : '期間の終了（to）';
  if (value === undefined || value.trim() === '') throw bad('bad-period', `${label}を指定してください（例: 2026-04-01 または 2026-04-01T09:00:00+09:00）。`);
  const date = DATE_ONLY.exec(value);
  const time = date ? null : DATE_TIME.exec(value);
  const parts = date ?? time;
  if (!parts) throw bad('bad-period', `${label}の形式が正しくありません: 「${shown(value)}」。YYYY-MM-DD か、時差付きの日時（例: 2026-04-01T09:00:00+09:00）で指定してください。`);
  const [y, m, d] = [Number(parts[1]), Number(parts[2]), Number(parts[3])];
  if (!realDate(y, m, d)) throw bad('bad-period', `${label}の日付がありえない日付です: 「${shown(value)}」（2000年〜2200年の実在する日付を指定してください）。`);
  if (date) {
    const dayStart = Date.UTC(y, m - 1, d) - JST_OFFSET_MS;
    return which === 'from' ? dayStart : dayStart + DAY_MS - 1;
  }
  const [hh, mm, ss] = [Number(time![4]), Number(time![5]), Number(time![6] ?? 0)];
  if (hh > 23 || mm > 59 || ss > 59) throw bad('bad-period', `${label}の時刻がありえない時刻です: 「${shown(value)}」。`);
  const ms = Date.parse(value);
  if (!Number.isFinite(ms)) throw bad('bad-period', `${label}の日時を解釈できません: 「${shown(value)}」。`);
  return ms;
}

export interface AuditPeriod {
  /** Inclusive, ms. */
  fromMs: number;
  /** Inclusive, ms. */
  toMs: number;
}

export function parsePeriod(from: string | undefined, to: string | undefined, maxSpanDays = AUDIT_MAX_SPAN_DAYS_DEFAULT): AuditPeriod {
  const fromMs = parseBound(from, 'from');
  const toMs = parseBound(to, 'to');
  if (fromMs > toMs) throw bad('bad-period', '期間の開始が終了より後になっています。開始と終了を確かめてください。');
  if (toMs - fromMs >= maxSpanDays * DAY_MS) {
    throw bad('period-too-long', `期間が長すぎます（最長 ${maxSpanDays} 日）。期間を短くして検索してください。`);
  }
  return { fromMs, toMs };
}

export function parseLimit(value: string | undefined): number {
  if (value === undefined) return AUDIT_PAGE_SIZE_DEFAULT;
  if (!/^\d{1,4}$/.test(value) || Number(value) < 1 || Number(value) > AUDIT_PAGE_SIZE_MAX) {
    throw bad('bad-limit', `1ページの件数（limit）は 1〜${AUDIT_PAGE_SIZE_MAX} の整数で指定してください: 「${shown(value)}」。`);
  }
  return Number(value);
}

/** The keyset position after the last row of a page, and the index snapshot the paging runs over. */
export interface AuditCursor {
  atMs: number;
  id: number;
  snapshot: number;
}

export function encodeCursor(cursor: AuditCursor): string {
  return Buffer.from(JSON.stringify([cursor.atMs, cursor.id, cursor.snapshot])).toString('base64url');
}

export function parseCursor(value: string | undefined): AuditCursor | null {
  if (value === undefined) return null;
  const fail = () => bad('bad-cursor', '続きの位置（cursor）が正しくありません。最初のページから検索し直してください。');
  if (!/^[A-Za-z0-9_-]{1,200}$/.test(value)) throw fail();
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(value, 'base64url').toString('utf8'));
  } catch {
    throw fail();
  }
  if (!Array.isArray(parsed) || parsed.length !== 3 || !parsed.every((n) => Number.isSafeInteger(n) && (n as number) >= 0)) throw fail();
  const [atMs, id, snapshot] = parsed as [number, number, number];
  if (id > snapshot) throw fail();
  return { atMs, id, snapshot };
}

function known(db: ServerDb, sql: string, value: string): boolean {
  return db.prepare(sql).get(value) !== undefined;
}

export function parseTerminalId(db: ServerDb, value: string): string {
  if (!TerminalIdSchema.safeParse(value).success) throw bad('bad-terminal-id', `端末ID（terminalId）の形式が正しくありません: 「${shown(value)}」（英小文字・数字・ハイフン）。`);
  if (!known(db, 'SELECT 1 FROM terminals WHERE id = ?', value) && findTermId(db, 'terminal', value) === undefined) {
    throw bad('unknown-terminal', `端末「${value}」は登録されておらず、操作ログにもありません。`);
  }
  return value;
}

export function parseOperatorId(db: ServerDb, value: string): string {
  if (!OperatorIdSchema.safeParse(value).success) throw bad('bad-operator-id', `操作者ID（operatorId）の形式が正しくありません: 「${shown(value)}」（英小文字・数字・ハイフン）。`);
  if (!known(db, 'SELECT 1 FROM operators WHERE id = ?', value) && findTermId(db, 'operator', value) === undefined) {
    throw bad('unknown-operator', `操作者「${value}」は名簿になく、操作ログにもありません。`);
  }
  return value;
}

export function parsePurposeCategory(db: ServerDb, value: string): string {
  if (!PurposeCategoryIdSchema.safeParse(value).success) {
    throw bad('bad-purpose-category', `検索目的の区分（purposeCategory）の形式が正しくありません: 「${shown(value)}」。`);
  }
  if (!known(db, 'SELECT 1 FROM purpose_categories WHERE id = ?', value) && findTermId(db, 'purpose', value) === undefined) {
    throw bad('unknown-purpose-category', `検索目的の区分「${value}」はありません。`);
  }
  return value;
}

export function parseResidentId(value: string): string {
  if (!ResidentIdSchema.safeParse(value).success) throw bad('bad-resident-id', `住民ID（residentId）の形式が正しくありません: 「${shown(value)}」（英数字・ハイフン、40文字以内）。`);
  return value;
}

export function parseOutcome(value: string): IndexedOutcome {
  const parsed = LogOutcomeSchema.safeParse(value);
  if (!parsed.success) throw bad('bad-outcome', `結果（outcome）は success・failure・info のいずれかで指定してください: 「${shown(value)}」。`);
  return parsed.data;
}

/** An event type (`resident.viewed`) or a prefix ending in a dot (`resident.`). */
export function parseEventType(value: string): { exact: string } | { prefix: string } {
  if (value.length > 60 || !EVENT_TYPE.test(value)) {
    throw bad('bad-event-type', `種別（type）の形式が正しくありません: 「${shown(value)}」（例: resident.viewed、前方一致なら resident.）。`);
  }
  return value.endsWith('.') ? { prefix: value } : { exact: value };
}
