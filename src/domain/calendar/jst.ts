// Japan Standard Time arithmetic on epoch milliseconds.
//
// Japan has no daylight-saving time, so JST is always UTC+09:00. Every function here works on
// `epochMs + 9h` read back with the UTC getters of Date; no local-time getter (getHours, getDate, …)
// is ever used, so the results do not depend on the time zone of the machine.

export const JST_OFFSET_MS = 9 * 60 * 60 * 1000;
export const MS_PER_MINUTE = 60 * 1000;
export const MS_PER_DAY = 24 * 60 * 60 * 1000;

/** Japanese one-character weekday names, index 0 = Sunday (as Date#getUTCDay). */
export const WEEKDAYS_JA = ['日', '月', '火', '水', '木', '金', '土'] as const;
export type WeekdayJa = (typeof WEEKDAYS_JA)[number];

/** The JST wall-clock reading of an instant. month is 1–12, weekday 0 = Sunday. */
export interface JstParts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  millisecond: number;
  weekday: number;
}

const pad2 = (n: number): string => String(n).padStart(2, '0');

function assertFiniteEpoch(epochMs: number): void {
  if (!Number.isFinite(epochMs)) throw new RangeError(`日時が不正です: ${String(epochMs)}`);
}

export function jstParts(epochMs: number): JstParts {
  assertFiniteEpoch(epochMs);
  const d = new Date(epochMs + JST_OFFSET_MS);
  return {
    year: d.getUTCFullYear(),
    month: d.getUTCMonth() + 1,
    day: d.getUTCDate(),
    hour: d.getUTCHours(),
    minute: d.getUTCMinutes(),
    second: d.getUTCSeconds(),
    millisecond: d.getUTCMilliseconds(),
    weekday: d.getUTCDay(),
  };
}

/** 'YYYY-MM-DD' of the JST calendar day containing the instant. */
export function jstYmd(epochMs: number): string {
  const p = jstParts(epochMs);
  return formatYmd(p.year, p.month, p.day);
}

export function formatYmd(year: number, month: number, day: number): string {
  return `${String(year).padStart(4, '0')}-${pad2(month)}-${pad2(day)}`;
}

export interface Ymd {
  year: number;
  month: number;
  day: number;
}

const YMD_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Parses a real calendar date 'YYYY-MM-DD' (years 1000–9999); null when malformed or impossible (2027-02-30). */
export function parseYmd(s: string): Ymd | null {
  const m = YMD_RE.exec(s);
  if (!m) return null;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  if (year < 1000 || month < 1 || month > 12 || day < 1) return null;
  const d = new Date(Date.UTC(year, month - 1, day));
  if (d.getUTCMonth() !== month - 1 || d.getUTCDate() !== day) return null;
  return { year, month, day };
}

export function isValidYmd(s: string): boolean {
  return parseYmd(s) !== null;
}

function requireYmd(s: string): Ymd {
  const ymd = parseYmd(s);
  if (!ymd) throw new RangeError(`日付の形式が不正です（YYYY-MM-DD）: ${s}`);
  return ymd;
}

/** Epoch ms of 00:00 JST on the given 'YYYY-MM-DD'. Throws RangeError on a malformed date. */
export function jstStartOfDay(dateYmd: string): number {
  const { year, month, day } = requireYmd(dateYmd);
  return Date.UTC(year, month - 1, day) - JST_OFFSET_MS;
}

/** Epoch ms of `minutes` after 00:00 JST on the given day. */
export function jstAt(dateYmd: string, minutesOfDay: number): number {
  return jstStartOfDay(dateYmd) + minutesOfDay * MS_PER_MINUTE;
}

/** The date `n` days after (or before, n < 0) the given 'YYYY-MM-DD'. */
export function addDays(dateYmd: string, n: number): string {
  const { year, month, day } = requireYmd(dateYmd);
  const d = new Date(Date.UTC(year, month - 1, day + n));
  return formatYmd(d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate());
}

/** Weekday of a 'YYYY-MM-DD' date, 0 = Sunday. */
export function weekdayOf(dateYmd: string): number {
  const { year, month, day } = requireYmd(dateYmd);
  return new Date(Date.UTC(year, month - 1, day)).getUTCDay();
}

export function weekdayJa(dateYmd: string): WeekdayJa {
  return WEEKDAYS_JA[weekdayOf(dateYmd)] as WeekdayJa;
}

const HHMM_RE = /^([01]\d|2[0-3]):([0-5]\d)$/;

/** Minutes after midnight for a strict 'HH:MM' (00:00–23:59); null when malformed. */
export function parseHhmm(s: string): number | null {
  const m = HHMM_RE.exec(s);
  if (!m) return null;
  return Number(m[1]) * 60 + Number(m[2]);
}

/** 510 → '8:30' (no leading zero on the hour, as in Japanese notices). */
export function formatMinutesOfDay(minutes: number): string {
  return `${Math.floor(minutes / 60)}:${pad2(minutes % 60)}`;
}

const INSTANT_RE = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?(Z|[+-]\d{2}:?\d{2})?$/i;

/**
 * Parses an ISO-8601-like instant: 'YYYY-MM-DDTHH:MM[:SS[.sss]]' followed by 'Z', '+09:00', '-0500', …
 * Without an offset the wall-clock time is read as JST (never as the machine's local time).
 * A bare date 'YYYY-MM-DD' means 00:00 JST of that day. Returns null when malformed or impossible.
 */
export function parseJstInstant(s: string): number | null {
  const text = s.trim();
  if (parseYmd(text)) return jstStartOfDay(text);
  const m = INSTANT_RE.exec(text);
  if (!m) return null;
  const [, y, mo, d, h, mi, sec, frac, off] = m;
  const ymd = `${y}-${mo}-${d}`;
  if (!parseYmd(ymd)) return null;
  const hour = Number(h);
  const minute = Number(mi);
  const second = sec === undefined ? 0 : Number(sec);
  if (hour > 23 || minute > 59 || second > 59) return null;
  const ms = frac === undefined ? 0 : Number(frac.padEnd(3, '0'));
  let offsetMinutes = 9 * 60;
  if (off !== undefined) {
    if (off.toUpperCase() === 'Z') offsetMinutes = 0;
    else {
      const digits = off.slice(1).replace(':', '');
      const oh = Number(digits.slice(0, 2));
      const om = Number(digits.slice(2, 4));
      if (oh > 23 || om > 59) return null;
      offsetMinutes = (off.startsWith('-') ? -1 : 1) * (oh * 60 + om);
    }
  }
  const { year, month, day } = parseYmd(ymd) as Ymd;
  return Date.UTC(year, month - 1, day, hour, minute, second, ms) - offsetMinutes * MS_PER_MINUTE;
}
