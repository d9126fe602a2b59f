// Approved exceptions to the operating hours (第23条 "原則として").
//
// An exception on a closed day opens it for the given hours (special opening day, e.g. a Sunday
// counter in the moving season); an exception on a working day replaces that day's hours (e.g.
// extended to 19:00, or shortened). `closesAt` is exclusive: '17:15' means open until 17:14:59.999.
//
// Validation policy:
//  - input paths (approval screen, server import, CLI file) call `validateCalendarException(s)`, which
//    RETURN Japanese messages (empty = valid), or `assertValidCalendarExceptions`, which THROWS
//    `CalendarExceptionError` carrying the same messages;
//  - the hours computation (hours.ts) never throws on bad exceptions: it runs on a timer with data
//    received from the server, so it IGNORES an invalid exception, and every exception of a date that
//    has more than one (ambiguous), falling back to the regular calendar for that day — the rule of
//    第23条 itself — and reports what it ignored (`usableCalendarExceptions`, HoursStatus.ignoredExceptions).
import { parseHhmm, parseYmd } from './jst';

export interface CalendarException {
  id: string;
  /** 'YYYY-MM-DD', JST calendar day. */
  date: string;
  /** 'HH:MM' 00:00–23:59, inclusive. */
  opensAt: string;
  /** 'HH:MM' 00:01–23:59, exclusive; must be later than opensAt (no opening across midnight). */
  closesAt: string;
  reason: string;
  approvedBy: string;
}

export class CalendarExceptionError extends Error {
  readonly problems: readonly string[];
  constructor(problems: readonly string[]) {
    super(`開庁時間の例外設定が不正です: ${problems.join(' ')}`);
    this.name = 'CalendarExceptionError';
    this.problems = problems;
  }
}

const isBlank = (v: unknown): boolean => typeof v !== 'string' || v.trim() === '';

/** Problems of one exception, as Japanese sentences; empty when valid. */
export function validateCalendarException(e: CalendarException): string[] {
  const label = typeof e?.id === 'string' && e.id.trim() !== '' ? `例外「${e.id}」: ` : '例外: ';
  const problems: string[] = [];
  if (isBlank(e?.id)) problems.push(`${label}IDを指定してください。`);
  if (typeof e?.date !== 'string' || !parseYmd(e.date)) {
    problems.push(`${label}日付はYYYY-MM-DD形式の実在する日付にしてください（${String(e?.date)}）。`);
  }
  const opens = typeof e?.opensAt === 'string' ? parseHhmm(e.opensAt) : null;
  const closes = typeof e?.closesAt === 'string' ? parseHhmm(e.closesAt) : null;
  if (opens === null) problems.push(`${label}開庁時刻はHH:MM形式（00:00〜23:59）にしてください（${String(e?.opensAt)}）。`);
  if (closes === null) problems.push(`${label}閉庁時刻はHH:MM形式（00:00〜23:59）にしてください（${String(e?.closesAt)}）。`);
  if (opens !== null && closes !== null && opens >= closes) {
    problems.push(`${label}閉庁時刻（${e.closesAt}）は開庁時刻（${e.opensAt}）より後にしてください。`);
  }
  if (isBlank(e?.reason)) problems.push(`${label}理由を記入してください。`);
  if (isBlank(e?.approvedBy)) problems.push(`${label}承認者を記入してください。`);
  return problems;
}

/** Problems of a whole list: each exception, plus duplicate ids and two exceptions on one date. */
export function validateCalendarExceptions(list: readonly CalendarException[]): string[] {
  const problems: string[] = [];
  const ids = new Set<string>();
  const dates = new Map<string, string>();
  for (const e of list) {
    problems.push(...validateCalendarException(e));
    if (typeof e?.id === 'string') {
      if (ids.has(e.id)) problems.push(`例外「${e.id}」: IDが重複しています。`);
      ids.add(e.id);
    }
    if (typeof e?.date === 'string') {
      const other = dates.get(e.date);
      if (other !== undefined) problems.push(`例外「${e.id}」: ${e.date} には既に例外「${other}」があります（1日1件まで）。`);
      else dates.set(e.date, e.id);
    }
  }
  return problems;
}

/** Throws CalendarExceptionError when the list is invalid. */
export function assertValidCalendarExceptions(list: readonly CalendarException[]): void {
  const problems = validateCalendarExceptions(list);
  if (problems.length > 0) throw new CalendarExceptionError(problems);
}

export interface IgnoredCalendarException {
  exception: CalendarException;
  /** Japanese reasons why it was not applied. */
  problems: string[];
}

/**
 * Splits a list into the exceptions that can be applied (valid, one per date), indexed by date, and
 * the ones that cannot, with the reasons. Never throws.
 */
export function usableCalendarExceptions(list: readonly CalendarException[]): {
  byDate: Map<string, CalendarException>;
  ignored: IgnoredCalendarException[];
} {
  const ignored: IgnoredCalendarException[] = [];
  const valid = new Map<string, CalendarException[]>();
  for (const e of list) {
    const problems = validateCalendarException(e);
    if (problems.length > 0) ignored.push({ exception: e, problems });
    else valid.set(e.date, [...(valid.get(e.date) ?? []), e]);
  }
  const byDate = new Map<string, CalendarException>();
  for (const [date, items] of valid) {
    const [first] = items;
    if (items.length === 1 && first) byDate.set(date, first);
    else {
      const ids = items.map((e) => `「${e.id}」`).join('');
      for (const e of items) ignored.push({ exception: e, problems: [`${date} に例外が複数あります（${ids}）。どれも適用せず通常の開庁時間とします。`] });
    }
  }
  return { byDate, ignored };
}
