// How the admin console writes times, periods and states (Japan time, whatever the PC's zone).
import { formatJst } from '../../../../domain/calendar/format';
import type { AdminOperatorRow } from '../../stores/admin-store';

const WEEKDAYS = ['日', '月', '火', '水', '木', '金', '土'];

export function dateTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  const ms = Date.parse(iso);
  return Number.isFinite(ms) ? formatJst(ms, 'datetime') : iso;
}

/** "2026/11/24 10:00" — for table cells. */
export function shortDateTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  const ms = Date.parse(iso);
  if (!Number.isFinite(ms)) return iso;
  const [date = '', time = ''] = formatJst(ms, 'iso').split('T');
  return `${date.replaceAll('-', '/')} ${time.slice(0, 5)}`;
}

/** Role names short enough for a table column. */
export const ROLE_SHORT: Record<string, string> = { operator: '操作者', manager: '情報保護管理者', sysadmin: 'システム管理者' };

export function dateOnly(iso: string | null | undefined): string {
  if (!iso) return '—';
  const ms = Date.parse(iso);
  return Number.isFinite(ms) ? formatJst(ms, 'date') : iso;
}

/** "2026-11-29" → "2026年11月29日(日)". */
export function ymdLabel(ymd: string): string {
  const [y, m, d] = ymd.split('-').map(Number) as [number, number, number];
  const day = new Date(Date.UTC(y, m - 1, d));
  if (Number.isNaN(day.getTime())) return ymd;
  return `${y}年${m}月${d}日(${WEEKDAYS[day.getUTCDay()]})`;
}

/** The last day of an (exclusive) approval end, as a date input takes it ("" when none). */
export function untilYmd(until: string | null): string {
  if (!until) return '';
  const ms = Date.parse(until);
  return Number.isFinite(ms) ? formatJst(ms - 1, 'ymd') : '';
}

export function periodLabel(op: Pick<AdminOperatorRow, 'since' | 'until'>): string {
  const end = untilYmd(op.until);
  return `${shortDateTime(op.since).slice(0, 10)} 〜 ${end ? end.replaceAll('-', '/') : '（定めなし）'}`;
}

export const STATUS_LABEL: Record<AdminOperatorRow['status'], string> = { active: '在職', retired: '退職' };

/** What state the password is in: temporary / change required / expired / valid until. */
export function passwordState(op: AdminOperatorRow, nowMs: number): { label: string; tone: 'ok' | 'warn' | 'error' | 'none' } {
  if (op.status === 'retired') return { label: '—', tone: 'none' };
  if (op.password.temporary) return { label: '仮パスワード（初回に変更）', tone: 'warn' };
  if (op.password.changeRequiredAt) return { label: '変更を要求中', tone: 'warn' };
  const expires = Date.parse(op.password.expiresAt);
  if (expires <= nowMs) return { label: `期限切れ（${dateOnly(op.password.expiresAt)}）`, tone: 'error' };
  return { label: `有効（${shortDateTime(op.password.expiresAt).slice(0, 10)}まで）`, tone: 'ok' };
}

export function shortKey(keyId: string): string {
  return `${keyId.slice(0, 8)}…`;
}

/** The terminal's clock minus the trusted time. */
export function offsetLabel(ms: number | null): string {
  if (ms === null) return '—';
  const s = ms / 1000;
  if (Math.abs(s) < 1) return '1秒未満';
  return `${s > 0 ? '+' : '−'}${Math.abs(s) >= 100 ? Math.round(Math.abs(s)) : Math.abs(s).toFixed(1)}秒`;
}
