// Town holidays (久御山町の休日を定める条例 第1条, applied by 運用規程 第23条):
//   Saturdays and Sundays; national holidays (国民の祝日に関する法律に規定する休日 — including
//   substitute holidays 振替休日 and citizens' holidays 国民の休日); 29 December – 3 January.
//
// National holidays come from @holiday-jp/holiday_jp (pure data). Its data covers
// HOLIDAY_DATA_FIRST_YEAR–HOLIDAY_DATA_LAST_YEAR (1970–2050 in v2.5.1). Outside that range only the
// weekend and year-end rules are known: `closedReason` still answers for those, `closedDays` refuses
// the year (RangeError) and `holidayDataCovers` tells callers so they can warn.
import holidayJp from '@holiday-jp/holiday_jp';
import { addDays, formatYmd, parseYmd, weekdayJa, weekdayOf, type WeekdayJa } from './jst';

export const YEAR_END_REASON = '年末年始（12月29日〜1月3日）';
export const SUBSTITUTE_HOLIDAY_REASON = '振替休日';
export const CITIZENS_HOLIDAY_REASON = '国民の休日';

interface HolidayRecord {
  date: string;
  name: string;
  name_en: string;
}

const HOLIDAYS: Readonly<Record<string, HolidayRecord>> = holidayJp.holidays;

const years = Object.keys(HOLIDAYS).map((d) => Number(d.slice(0, 4)));
/** First year for which national-holiday data is bundled. */
export const HOLIDAY_DATA_FIRST_YEAR: number = Math.min(...years);
/** Last year for which national-holiday data is bundled (2050 in @holiday-jp/holiday_jp 2.5.1). */
export const HOLIDAY_DATA_LAST_YEAR: number = Math.max(...years);

/** Names the data gives special days of 2019 ('休日（祝日扱い）'), replaced by their legal names. */
const NAME_OVERRIDES: Readonly<Record<string, string>> = {
  '2019-05-01': '天皇の即位の日',
  '2019-10-22': '即位礼正殿の儀の行われる日',
};

function requireYmd(dateYmd: string): void {
  if (!parseYmd(dateYmd)) throw new RangeError(`日付の形式が不正です（YYYY-MM-DD）: ${dateYmd}`);
}

/** True when the bundled national-holiday data covers the year of this date (or this year number). */
export function holidayDataCovers(dateOrYear: string | number): boolean {
  const year = typeof dateOrYear === 'number' ? dateOrYear : Number(dateOrYear.slice(0, 4));
  return Number.isInteger(year) && year >= HOLIDAY_DATA_FIRST_YEAR && year <= HOLIDAY_DATA_LAST_YEAR;
}

/**
 * The Japanese name of the national holiday on this date, or null. Substitute holidays are named
 * '振替休日', citizens' holidays (sandwiched between two holidays) '国民の休日'.
 */
export function nationalHolidayName(dateYmd: string): string | null {
  requireYmd(dateYmd);
  const override = NAME_OVERRIDES[dateYmd];
  if (override) return override;
  const h = HOLIDAYS[dateYmd];
  if (!h) return null;
  if (h.name_en === 'Holiday in lieu' || h.name.endsWith('振替休日')) return SUBSTITUTE_HOLIDAY_REASON;
  if (h.name === '休日') return CITIZENS_HOLIDAY_REASON;
  return h.name;
}

/** 29 Dec – 3 Jan. */
export function isYearEndHoliday(dateYmd: string): boolean {
  const ymd = parseYmd(dateYmd);
  if (!ymd) throw new RangeError(`日付の形式が不正です（YYYY-MM-DD）: ${dateYmd}`);
  return (ymd.month === 12 && ymd.day >= 29) || (ymd.month === 1 && ymd.day <= 3);
}

/**
 * Why the town office is closed on this day, in Japanese, or null for a working day.
 * When several rules apply the most specific wins: national holiday name > 年末年始 > 土曜日/日曜日
 * (so 2027-01-01 is '元日', 2027-01-02 (土) is '年末年始（12月29日〜1月3日）').
 * Approved exceptions are not considered here (see hoursAt). Throws RangeError on a malformed date.
 */
export function closedReason(dateYmd: string): string | null {
  const holiday = nationalHolidayName(dateYmd);
  if (holiday) return holiday;
  if (isYearEndHoliday(dateYmd)) return YEAR_END_REASON;
  const wd = weekdayOf(dateYmd);
  if (wd === 6) return '土曜日';
  if (wd === 0) return '日曜日';
  return null;
}

export function isTownWorkingDay(dateYmd: string): boolean {
  return closedReason(dateYmd) === null;
}

export interface ClosedDay {
  date: string;
  weekday: WeekdayJa;
  reason: string;
}

/**
 * Every closed day of the year, in date order. Throws RangeError when the year is outside the
 * bundled national-holiday data (HOLIDAY_DATA_FIRST_YEAR–HOLIDAY_DATA_LAST_YEAR): a list without
 * the national holidays would look complete but be wrong.
 */
export function closedDays(year: number): ClosedDay[] {
  if (!holidayDataCovers(year)) {
    throw new RangeError(
      `祝日データの範囲外の年です: ${String(year)}（対応範囲 ${HOLIDAY_DATA_FIRST_YEAR}年〜${HOLIDAY_DATA_LAST_YEAR}年）`,
    );
  }
  const out: ClosedDay[] = [];
  const last = formatYmd(year, 12, 31);
  for (let d = formatYmd(year, 1, 1); ; d = addDays(d, 1)) {
    const reason = closedReason(d);
    if (reason) out.push({ date: d, weekday: weekdayJa(d), reason });
    if (d === last) break;
  }
  return out;
}
