// Checks stored calendar exceptions before they are used or sent. The approve command writes only
// valid rows, but a row may come from an old version or be inserted by hand: such a row must not
// break the roster (the terminal parses the whole response with the contract and would refuse it).
// The rules are the domain's (validateCalendarException, one exception per date:
// usableCalendarExceptions) plus the contract's length limits (CalendarExceptionSchema).
import { usableCalendarExceptions, validateCalendarException } from '../../domain/calendar';
import { CalendarExceptionSchema, type CalendarExceptionWire } from '../../shared/server-api';
import type { CalendarExceptionRow } from '../store/calendar';

/** CalendarExceptionSchema's limits (zod counts UTF-16 code units, i.e. String#length). */
export const MAX_EXCEPTION_ID_LENGTH = 64;
export const MAX_EXCEPTION_REASON_LENGTH = 200;
export const MAX_EXCEPTION_APPROVER_LENGTH = 100;

/** Line breaks and control characters: a reason is one line of text. */
export const CONTROL_CHARS = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

export interface InvalidCalendarRow {
  row: CalendarExceptionRow;
  /** Japanese, one sentence each. */
  problems: string[];
}

export function toWire(row: CalendarExceptionWire): CalendarExceptionWire {
  return { id: row.id, date: row.date, opensAt: row.opensAt, closesAt: row.closesAt, reason: row.reason, approvedBy: row.approvedBy };
}

/** Problems of one exception on its own (domain rules + contract limits); empty when it can be sent. */
export function calendarExceptionProblems(exception: CalendarExceptionWire): string[] {
  const label = typeof exception.id === 'string' && exception.id.trim() !== '' ? `例外「${exception.id}」: ` : '例外: ';
  const problems = validateCalendarException(exception);
  if (exception.id.length > MAX_EXCEPTION_ID_LENGTH) problems.push(`${label}IDは${MAX_EXCEPTION_ID_LENGTH}文字以内にしてください。`);
  if (exception.reason.length > MAX_EXCEPTION_REASON_LENGTH) {
    problems.push(`${label}理由は${MAX_EXCEPTION_REASON_LENGTH}文字以内にしてください（${exception.reason.length}文字）。`);
  }
  if (exception.approvedBy.length > MAX_EXCEPTION_APPROVER_LENGTH) {
    problems.push(`${label}承認者は${MAX_EXCEPTION_APPROVER_LENGTH}文字以内にしてください（${exception.approvedBy.length}文字）。`);
  }
  if (CONTROL_CHARS.test(exception.reason) || CONTROL_CHARS.test(exception.approvedBy)) {
    problems.push(`${label}理由・承認者に改行や制御文字は使えません。`);
  }
  if (problems.length === 0 && !CalendarExceptionSchema.safeParse(toWire(exception)).success) {
    problems.push(`${label}通信仕様（CalendarExceptionSchema）に合いません。`);
  }
  return problems;
}

/**
 * Splits stored rows into those that can be applied (each valid, one per date) and those that
 * cannot, with the reasons. Never throws.
 */
export function checkCalendarExceptionRows(rows: readonly CalendarExceptionRow[]): { usable: CalendarExceptionRow[]; invalid: InvalidCalendarRow[] } {
  const invalid: InvalidCalendarRow[] = [];
  const valid: CalendarExceptionRow[] = [];
  for (const row of rows) {
    let problems: string[];
    try {
      problems = calendarExceptionProblems(row);
    } catch {
      problems = [`例外「${String(row.id)}」: 内容を検査できませんでした。`];
    }
    if (problems.length > 0) invalid.push({ row, problems });
    else valid.push(row);
  }
  // Two exceptions on one date: the domain applies neither (the regular calendar holds that day).
  const { byDate, ignored } = usableCalendarExceptions(valid);
  for (const { exception, problems } of ignored) invalid.push({ row: exception as CalendarExceptionRow, problems });
  const usable = valid.filter((row) => byDate.get(row.date) === row);
  return { usable, invalid: invalid.sort((a, b) => a.row.rowid - b.row.rowid) };
}
