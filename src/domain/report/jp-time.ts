// Instants shown to people in Japan: the JST calendar date with the era and the western year, and the
// JST time of day (reports and CSV exports; the log itself keeps UTC ISO times).
import { formatJapaneseDate } from '../resident/era';

const JST_OFFSET_MS = 9 * 3_600_000;

/** The JST date of an instant: YYYY-MM-DD. */
export function jstDate(iso: string | number): string {
  const ms = typeof iso === 'number' ? iso : Date.parse(iso);
  if (!Number.isFinite(ms)) throw new RangeError(`jstDate: not a time: ${String(iso)}`);
  return new Date(ms + JST_OFFSET_MS).toISOString().slice(0, 10);
}

/** The JST time of day: HH:MM:SS. */
export function jstTime(iso: string | number): string {
  const ms = typeof iso === 'number' ? iso : Date.parse(iso);
  if (!Number.isFinite(ms)) throw new RangeError(`jstTime: not a time: ${String(iso)}`);
  return new Date(ms + JST_OFFSET_MS).toISOString().slice(11, 19);
}

/** 令和8年11月25日（2026年） */
export function jstEraDate(iso: string | number): string {
  return formatJapaneseDate(jstDate(iso));
}

/** 令和8年11月25日（2026年） 09:30:00 */
export function jstEraDateTime(iso: string | number): string {
  return `${jstEraDate(iso)} ${jstTime(iso)}`;
}

/** 2026-11-25 09:30 (JST) — compact, for tables. */
export function jstShort(iso: string | number): string {
  return `${jstDate(iso)} ${jstTime(iso).slice(0, 5)}`;
}
