// Operating hours of the counter terminal (第23条): 08:30:00–17:14:59.999 JST on town working days,
// changed by approved exceptions (see exceptions.ts). All arithmetic is on epoch ms in JST (jst.ts).
import { usableCalendarExceptions, type CalendarException, type IgnoredCalendarException } from './exceptions';
import { closedReason, holidayDataCovers } from './holidays';
import { addDays, formatMinutesOfDay, jstAt, jstStartOfDay, jstYmd, parseHhmm } from './jst';

/** Regular opening time (inclusive), JST. */
export const DEFAULT_OPENS_AT = '08:30';
/** Regular closing time (exclusive: open until 17:14:59.999), JST. */
export const DEFAULT_CLOSES_AT = '17:15';
/** How far ahead hoursAt looks for the next opening. */
export const NEXT_CHANGE_SEARCH_DAYS = 400;

export interface HoursStatus {
  open: boolean;
  /**
   * Japanese: '開庁時間内'; '特別開庁: <reason>（承認: <approvedBy>）' when open under an exception;
   * '開庁時間前（8:30から）' / '閉庁時間（17:15以降）' on a day that opens; otherwise the closed-day
   * reason ('日曜日', '元日', '振替休日', '年末年始（12月29日〜1月3日）', …).
   */
  reason: string;
  /** The approved exception for this JST day, if any (also when outside its hours). */
  exception: CalendarException | null;
  /** When open: epoch ms at which it closes (exclusive end). Null when closed. */
  closesAt: number | null;
  /** Epoch ms of the next open↔closed change. */
  nextChange: number;
  /** When closed: epoch ms of the next opening. Null when open. */
  nextOpen: number | null;
  /**
   * False when this day or the day of nextChange lies outside the bundled national-holiday data
   * (see HOLIDAY_DATA_LAST_YEAR): national holidays there are unknown and treated as working days.
   */
  holidayDataCovered: boolean;
  /**
   * Exceptions of the given list that were NOT applied because they are invalid or share a date with
   * another one (the days concerned follow the regular calendar). Normally empty; show it to an admin.
   */
  ignoredExceptions: IgnoredCalendarException[];
}

export interface OpeningWindow {
  /** Epoch ms, inclusive. */
  opensAt: number;
  /** Epoch ms, exclusive. */
  closesAt: number;
  exception: CalendarException | null;
}

const DEFAULT_OPEN_MIN = parseHhmm(DEFAULT_OPENS_AT) as number;
const DEFAULT_CLOSE_MIN = parseHhmm(DEFAULT_CLOSES_AT) as number;

function windowOn(dateYmd: string, byDate: Map<string, CalendarException>): OpeningWindow | null {
  const exception = byDate.get(dateYmd) ?? null;
  if (exception) {
    return {
      opensAt: jstAt(dateYmd, parseHhmm(exception.opensAt) as number),
      closesAt: jstAt(dateYmd, parseHhmm(exception.closesAt) as number),
      exception,
    };
  }
  if (closedReason(dateYmd) !== null) return null;
  return { opensAt: jstAt(dateYmd, DEFAULT_OPEN_MIN), closesAt: jstAt(dateYmd, DEFAULT_CLOSE_MIN), exception: null };
}

/**
 * The opening hours of one JST day ('YYYY-MM-DD'), or null when it stays closed.
 * Invalid or conflicting exceptions are ignored (see exceptions.ts). Throws RangeError for a malformed date.
 */
export function openingWindow(dateYmd: string, exceptions: readonly CalendarException[] = []): OpeningWindow | null {
  jstStartOfDay(dateYmd); // validates the date
  return windowOn(dateYmd, usableCalendarExceptions(exceptions).byDate);
}

function minutesLabel(epochMs: number, dateYmd: string): string {
  return formatMinutesOfDay(Math.round((epochMs - jstStartOfDay(dateYmd)) / 60_000));
}

export function exceptionLabel(e: CalendarException): string {
  return `特別開庁: ${e.reason}（承認: ${e.approvedBy}）`;
}

/**
 * Whether the terminal may be used at the instant, why, and when that changes.
 * Invalid exceptions, and all exceptions of a date that has several, are not applied: they are
 * listed in `ignoredExceptions` and their days follow the regular calendar (no throw, so a bad record
 * from the server cannot stop the terminal's clock). Throws RangeError for a non-finite instant, and
 * Error if no opening is found within NEXT_CHANGE_SEARCH_DAYS days (impossible with real calendars).
 */
export function hoursAt(epochMs: number, exceptions: readonly CalendarException[] = []): HoursStatus {
  if (!Number.isFinite(epochMs)) throw new RangeError(`日時が不正です: ${String(epochMs)}`);
  const { byDate, ignored } = usableCalendarExceptions(exceptions);
  const today = jstYmd(epochMs);
  const w = windowOn(today, byDate);
  const exception = byDate.get(today) ?? null;

  if (w && epochMs >= w.opensAt && epochMs < w.closesAt) {
    return {
      open: true,
      reason: w.exception ? exceptionLabel(w.exception) : '開庁時間内',
      exception,
      closesAt: w.closesAt,
      nextChange: w.closesAt,
      nextOpen: null,
      holidayDataCovered: holidayDataCovers(today),
      ignoredExceptions: ignored,
    };
  }

  let reason: string;
  let nextOpen: number | null = null;
  if (w && epochMs < w.opensAt) {
    reason = `開庁時間前（${minutesLabel(w.opensAt, today)}から）`;
    nextOpen = w.opensAt;
  } else if (w) {
    reason = `閉庁時間（${minutesLabel(w.closesAt, today)}以降）`;
  } else {
    reason = closedReason(today) ?? '閉庁日';
  }
  for (let i = 1, d = addDays(today, 1); nextOpen === null && i <= NEXT_CHANGE_SEARCH_DAYS; i++, d = addDays(d, 1)) {
    const next = windowOn(d, byDate);
    if (next) nextOpen = next.opensAt;
  }
  if (nextOpen === null) throw new Error(`${NEXT_CHANGE_SEARCH_DAYS}日先までに開庁日が見つかりません。`);
  return {
    open: false,
    reason,
    exception,
    closesAt: null,
    nextChange: nextOpen,
    nextOpen,
    holidayDataCovered: holidayDataCovers(today) && holidayDataCovers(jstYmd(nextOpen)),
    ignoredExceptions: ignored,
  };
}

/** Same as hoursAt(epochMs, exceptions).open, without searching for the next change. */
export function isOpenAt(epochMs: number, exceptions: readonly CalendarException[] = []): boolean {
  if (!Number.isFinite(epochMs)) throw new RangeError(`日時が不正です: ${String(epochMs)}`);
  const w = windowOn(jstYmd(epochMs), usableCalendarExceptions(exceptions).byDate);
  return w !== null && epochMs >= w.opensAt && epochMs < w.closesAt;
}
