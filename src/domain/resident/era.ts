// Dates of birth in the Japanese eras (元号). Counters type them the way the resident says them or
// the way a document prints them — S45.3.1, 昭和45年3月1日, 平成元年1月8日, H1.1.8 — or in the western
// form, and show them back in the era with the western year alongside. Each era ends the day before
// the next begins (改元 takes effect on the new era's first day), so 昭和64年1月7日 exists and
// 昭和64年1月8日 does not: that day is 平成元年1月8日. A date named in an era it is not in is refused
// with the era it belongs to, rather than quietly converted, because it is usually a typing slip.
// Dates are plain ISO calendar dates (YYYY-MM-DD) throughout: no Date objects, no time zones. Pure.

interface Era {
  name: string;
  /** The one-letter (M T S H R) and one-kanji (明 大 昭 平 令) abbreviations. */
  letter: string;
  kanji: string;
  /** First and last day (ISO). The current era has no last day. */
  first: string;
  last: string | null;
}

// 明治 counts from 1868-10-23 (the Gregorian day of the 改元, 慶応4年9月8日). Japan kept its old
// lunisolar calendar until 明治5年12月2日 (1872-12-31); nobody born then is living, so the western
// dates of those first years are not distinguished here.
const ERAS: readonly Era[] = [
  { name: '明治', letter: 'M', kanji: '明', first: '1868-10-23', last: '1912-07-29' },
  { name: '大正', letter: 'T', kanji: '大', first: '1912-07-30', last: '1926-12-24' },
  { name: '昭和', letter: 'S', kanji: '昭', first: '1926-12-25', last: '1989-01-07' },
  { name: '平成', letter: 'H', kanji: '平', first: '1989-01-08', last: '2019-04-30' },
  { name: '令和', letter: 'R', kanji: '令', first: '2019-05-01', last: null },
];

const MAX_INPUT_LENGTH = 40;
const FORMAT_MESSAGE = '生年月日の形式が正しくありません（例: S45.3.1、昭和45年3月1日、1970-03-01）。';

type BirthDateResult = { ok: true; iso: string } | { ok: false; message: string };

interface Ymd {
  year: number;
  month: number;
  day: number;
}

const pad = (n: number, width: number): string => String(n).padStart(width, '0');
const toIso = ({ year, month, day }: Ymd): string => `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}`;

function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeapYear(year) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

const isRealDate = ({ year, month, day }: Ymd): boolean =>
  month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month);

/** A well-formed ISO date of a real day, or null. */
function parseIso(iso: string): Ymd | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso);
  if (!m) return null;
  const ymd = { year: Number(m[1]), month: Number(m[2]), day: Number(m[3]) };
  return isRealDate(ymd) ? ymd : null;
}

function requireIso(iso: string, caller: string): Ymd {
  const ymd = parseIso(iso);
  if (!ymd) throw new RangeError(`${caller}: YYYY-MM-DD の実在する日付が必要です`);
  return ymd;
}

const eraYearLabel = (year: number): string => (year === 1 ? '元' : String(year));
const westernLabel = ({ year, month, day }: Ymd): string => `${year}年${month}月${day}日`;
const eraLabel = (era: Era, eraYear: number, { month, day }: Ymd): string =>
  `${era.name}${eraYearLabel(eraYear)}年${month}月${day}日`;

function findEra(iso: string): Era | undefined {
  return ERAS.find((e) => iso >= e.first && (e.last === null || iso <= e.last));
}

/**
 * The era of a date and the year within it (元年 = 1). Throws RangeError for a malformed date or a
 * date before 明治 (1868-10-23).
 */
export function eraOf(iso: string): { era: string; year: number } {
  const ymd = requireIso(iso, 'eraOf');
  const era = findEra(iso);
  if (!era) throw new RangeError('eraOf: 明治より前の日付です');
  return { era: era.name, year: ymd.year - Number(era.first.slice(0, 4)) + 1 };
}

/**
 * 昭和45年3月1日（1970年）, 平成元年1月8日（1989年）. A date before 明治 is shown in the western
 * form only (1867年1月1日). Throws RangeError for a malformed date (a programming error: values
 * come from parseBirthDate or the register).
 */
export function formatJapaneseDate(iso: string): string {
  const ymd = requireIso(iso, 'formatJapaneseDate');
  const era = findEra(iso);
  if (!era) return westernLabel(ymd);
  const { year } = eraOf(iso);
  return `${eraLabel(era, year, ymd)}（${ymd.year}年）`;
}

// Any of the names, letters or one-kanji forms; longer alternatives first so 明治 is not read as 明.
const ERA_TOKEN = '明治|大正|昭和|平成|令和|[明大昭平令MTSHR]';
const ERA_DATE = new RegExp(
  `^(${ERA_TOKEN})\\s*(元|\\d{1,3})\\s*(?:年|[./-]|\\s)\\s*(\\d{1,2})\\s*(?:月|[./-]|\\s)\\s*(\\d{1,2})\\s*日?$`,
  'u',
);
const WESTERN_DATE = /^(\d{4})\s*(?:年|[./-])\s*(\d{1,2})\s*(?:月|[./-])\s*(\d{1,2})\s*日?$/u;
const WESTERN_COMPACT = /^(\d{4})(\d{2})(\d{2})$/u;

function eraByToken(token: string): Era {
  return ERAS.find((e) => e.name === token || e.letter === token || e.kanji === token)!;
}

function nextEra(era: Era): Era | undefined {
  return ERAS[ERAS.indexOf(era) + 1];
}

/** Typed text → the canonical form the patterns above read. */
function canonicalise(input: string): string {
  return (
    input
      // Full-width digits, letters and punctuation → ASCII, U+3000 → space, ㍼ ㍻ ㋿ → 昭和 平成 令和.
      .normalize('NFKC')
      // The dashes and the long vowel mark an IME produces when a hyphen was meant.
      .replace(/[‐‑‒–—―−ーｰ]/gu, '-')
      .trim()
      .toUpperCase()
  );
}

function checkEraDate(era: Era, eraYear: number, month: number, day: number): BirthDateResult {
  if (eraYear < 1) return { ok: false, message: `${era.name}の年は元年（1年）から入力してください。` };
  const ymd = { year: Number(era.first.slice(0, 4)) + eraYear - 1, month, day };
  const label = eraLabel(era, eraYear, ymd);
  if (!isRealDate(ymd)) return { ok: false, message: `${label}は存在しない日付です。` };
  const iso = toIso(ymd);
  if (iso < era.first) {
    const first = parseIso(era.first)!;
    return { ok: false, message: `${label}は存在しません（${era.name}は${westernLabel(first)}からです）。` };
  }
  const next = nextEra(era);
  if (era.last !== null && iso > era.last && next) {
    const first = parseIso(next.first)!;
    return { ok: false, message: `${label}は存在しません（${westernLabel(first)}からは${next.name}です）。` };
  }
  return { ok: true, iso };
}

function checkWesternDate(year: number, month: number, day: number): BirthDateResult {
  const ymd = { year, month, day };
  if (!isRealDate(ymd)) return { ok: false, message: `${westernLabel(ymd)}は存在しない日付です。` };
  const iso = toIso(ymd);
  if (iso < ERAS[0]!.first) return { ok: false, message: '明治（1868年10月23日）より前の日付は扱えません。' };
  return { ok: true, iso };
}

/**
 * Reads a typed date of birth. Accepted: an era (明治 大正 昭和 平成 令和, 明 大 昭 平 令, M T S H R
 * in either case) with a year (digits or 元) and month and day separated by 年月日 . / - or spaces
 * (S45.3.1, s45/3/1, S45-03-01, 昭45.3.1, 昭和45年3月1日, 平成元年1月8日), or a western date
 * (1970-03-01, 1970/3/1, 1970年3月1日, 19700301); full-width digits and punctuation are fine.
 * Refused with a Japanese message: a day that does not exist, a date outside the era named
 * (平成31年5月1日, 昭和64年1月8日, 令和元年4月30日), year 0, a date before 明治, input over 40
 * characters or with control characters, and — only when `today` (YYYY-MM-DD, Japan's date) is
 * given — a date after today. Messages may repeat the date as read (to show how 元年 or S was
 * understood): show them to the operator, but do not copy them into a log.
 * Throws RangeError only when `today` itself is malformed (a programming error).
 */
export function parseBirthDate(input: string, today?: string): BirthDateResult {
  if (today !== undefined) requireIso(today, 'parseBirthDate(today)');
  if ([...input].length > MAX_INPUT_LENGTH) {
    return { ok: false, message: `生年月日は${MAX_INPUT_LENGTH}文字以内で入力してください。` };
  }
  if (/[\p{Cc}\p{Cf}]/u.test(input)) return { ok: false, message: '生年月日に使えない文字（制御文字）が含まれています。' };
  const text = canonicalise(input);
  if (text === '') return { ok: false, message: '生年月日を入力してください。' };

  let result: BirthDateResult;
  const era = ERA_DATE.exec(text);
  const western = WESTERN_DATE.exec(text) ?? WESTERN_COMPACT.exec(text);
  if (era) {
    const eraYear = era[2] === '元' ? 1 : Number(era[2]);
    result = checkEraDate(eraByToken(era[1]!), eraYear, Number(era[3]), Number(era[4]));
  } else if (western) {
    result = checkWesternDate(Number(western[1]), Number(western[2]), Number(western[3]));
  } else {
    return { ok: false, message: FORMAT_MESSAGE };
  }
  if (result.ok && today !== undefined && result.iso > today) {
    return { ok: false, message: '生年月日が今日より後の日付になっています。' };
  }
  return result;
}
