// Exceptions to the operating hours (第23条: 08:30–17:15 on town working days "原則として"): an
// authorised person — the information-protection manager or the system administrator — approves a
// special opening day (e.g. a Sunday counter in the moving season) or changed hours for one date,
// with the reason; or withdraws one. One exception per date. Every approval and withdrawal is
// recorded in server_events (who, what, why). Terminals apply the change at their next roster fetch.
import { randomBytes } from 'node:crypto';
import { closedReason, DEFAULT_CLOSES_AT, DEFAULT_OPENS_AT, isValidYmd, jstYmd, weekdayJa } from '../../domain/calendar';
import type { CalendarExceptionWire } from '../../shared/server-api';
import { toIso, type Clock } from '../clock';
import type { ServerDb } from '../db/open';
import { calendarExceptionProblems, checkCalendarExceptionRows, MAX_EXCEPTION_APPROVER_LENGTH, toWire } from '../services/calendar-check';
import {
  calendarExceptionRowsOn,
  calendarExceptionRowWithId,
  deleteCalendarExceptionRow,
  insertCalendarException,
  listCalendarExceptionRows,
  type CalendarExceptionRow,
} from '../store/calendar';
import { recordEvent } from '../store/events';
import type { Operator } from '../store/operators';
import { actorDetail, type AdminVia } from './actor';
import { AdminError } from './admin-error';
import { checkedReason } from './reason';
import { requireAuthorisedPerson, ROLE_LABELS } from './authorize';

/** The approver as terminals show it: role and name, e.g. '情報保護管理者 鈴木 一郎'. */
export function approverLabel(admin: Pick<Operator, 'name' | 'role'>): string {
  const role = ROLE_LABELS[admin.role];
  return `${role} ${admin.name}`.slice(0, MAX_EXCEPTION_APPROVER_LENGTH);
}

/** '2027-03-28（日）', or the text as it is when it is not a real date. */
export function dayLabel(date: string): string {
  return isValidYmd(date) ? `${date}（${weekdayJa(date)}）` : date;
}

/** What the date is without an exception: '日曜日のため閉庁' or '開庁日（08:30〜17:15）'. */
export function regularDayLabel(date: string): string {
  if (!isValidYmd(date)) return '';
  const closed = closedReason(date);
  return closed === null ? `開庁日（${DEFAULT_OPENS_AT}〜${DEFAULT_CLOSES_AT}）` : `${closed}のため閉庁`;
}

/** One line: '2027-03-28（日） 08:30〜12:00 理由: … 承認: …'. */
export function describeException(e: CalendarExceptionWire): string {
  return `${dayLabel(e.date)} ${e.opensAt}〜${e.closesAt} 理由: ${e.reason} 承認: ${e.approvedBy}`;
}

function newExceptionId(db: ServerDb, date: string): string {
  for (;;) {
    const id = `exc-${date}-${randomBytes(3).toString('hex')}`;
    if (!calendarExceptionRowWithId(db, id)) return id;
  }
}

export interface ApproveExceptionArgs {
  date: string;
  opensAt: string;
  closesAt: string;
  reason: string;
  /** Operator id of the approving manager or system administrator. */
  by: string;
  /** Replace the exception(s) already on that date instead of refusing. */
  replace?: boolean;
  clock: Clock;
  /** The terminal and admin session of an HTTP admin action (issue 6); the CLI has none. */
  via?: AdminVia;
}

export interface ApprovedException {
  exception: CalendarExceptionWire;
  approver: Operator;
  /** The rows that were on that date before (only with `replace`). */
  replaced: CalendarExceptionRow[];
  /** The date lies before today (JST): the exception changes nothing on a terminal. */
  past: boolean;
}

export function approveCalendarException(db: ServerDb, args: ApproveExceptionArgs): ApprovedException {
  return db
    .transaction((): ApprovedException => {
      const admin = requireAuthorisedPerson(db, args.by);
      const date = args.date.trim();
      const draft: CalendarExceptionWire = {
        // The id is made once the date is known to be good; the date labels the messages meanwhile.
        id: date === '' ? '（日付なし）' : date.slice(0, 40),
        date,
        opensAt: args.opensAt.trim(),
        closesAt: args.closesAt.trim(),
        reason: args.reason.trim(),
        approvedBy: approverLabel(admin),
      };
      const problems = calendarExceptionProblems(draft);
      if (problems.length > 0) {
        throw new AdminError(
          'invalid-exception',
          ['開庁時間の例外を承認できません:', ...problems.map((p) => `  ${p}`)].join('\n'),
          `invalid calendar exception (${problems.length} problem${problems.length === 1 ? '' : 's'}, listed in Japanese above)`,
        );
      }
      const existing = calendarExceptionRowsOn(db, date);
      if (existing.length > 0 && !args.replace) {
        const [first] = existing as [CalendarExceptionRow];
        throw new AdminError(
          'exception-exists',
          `${dayLabel(date)} には既に例外があります（${first.id}: ${first.opensAt}〜${first.closesAt} 理由: ${first.reason} 承認: ${first.approvedBy}）。` +
            '1日1件までです。置き換える場合は --replace を付けてください',
          `${date} already has a calendar exception (${first.id}); one per date: add --replace to replace it`,
        );
      }
      const now = args.clock.now();
      for (const row of existing) deleteCalendarExceptionRow(db, row.rowid);
      const exception: CalendarExceptionWire = { ...draft, id: newExceptionId(db, date) };
      insertCalendarException(db, exception, now);
      recordEvent(db, {
        at: now,
        terminalId: args.via?.terminalId ?? null,
        operatorId: admin.id,
        kind: 'calendar-exception-approved',
        detail: {
          exceptionId: exception.id,
          date,
          opensAt: exception.opensAt,
          closesAt: exception.closesAt,
          reason: exception.reason,
          approvedBy: exception.approvedBy,
          ...actorDetail(admin, args.via),
          regularDay: regularDayLabel(date),
          replaced: existing.map((row) => ({ ...toWire(row), approvedAt: toIso(row.createdAt) })),
        },
      });
      return { exception, approver: admin, replaced: existing, past: date < jstYmd(now) };
    })
    .immediate();
}

export interface WithdrawExceptionArgs {
  /** Exactly one of date and id. `id` also reaches a row whose date is malformed. */
  date?: string;
  id?: string;
  reason: string;
  by: string;
  clock: Clock;
  /** The terminal and admin session of an HTTP admin action (issue 6); the CLI has none. */
  via?: AdminVia;
}

export function withdrawCalendarException(db: ServerDb, args: WithdrawExceptionArgs): { withdrawn: CalendarExceptionRow[]; approver: Operator } {
  if ((args.date === undefined) === (args.id === undefined)) {
    throw new AdminError('bad-target', '--date と --id のどちらか一方を指定してください', 'give exactly one of --date and --id');
  }
  return db
    .transaction(() => {
      const admin = requireAuthorisedPerson(db, args.by);
      const why = checkedReason(args.reason, { ja: '取り下げの理由', en: 'the reason for the withdrawal' });
      let rows: CalendarExceptionRow[];
      if (args.date !== undefined) {
        const date = args.date.trim();
        if (!isValidYmd(date)) {
          throw new AdminError('bad-date', `日付はYYYY-MM-DD形式の実在する日付にしてください（${date}）`, `--date must be a real date YYYY-MM-DD: ${date}`);
        }
        rows = calendarExceptionRowsOn(db, date);
        if (rows.length === 0) throw new AdminError('no-exception', `${dayLabel(date)} には例外がありません`, `there is no calendar exception on ${date}`);
      } else {
        const row = calendarExceptionRowWithId(db, args.id!);
        if (!row) throw new AdminError('no-exception', `例外 ${args.id} はありません`, `there is no calendar exception ${args.id}`);
        rows = [row];
      }
      const now = args.clock.now();
      for (const row of rows) {
        deleteCalendarExceptionRow(db, row.rowid);
        recordEvent(db, {
          at: now,
          terminalId: args.via?.terminalId ?? null,
          operatorId: admin.id,
          kind: 'calendar-exception-withdrawn',
          detail: { exceptionId: row.id, ...toWire(row), approvedAt: toIso(row.createdAt), withdrawReason: why, ...actorDetail(admin, args.via) },
        });
      }
      return { withdrawn: rows, approver: admin };
    })
    .immediate();
}

export interface ListedException {
  row: CalendarExceptionRow;
  /** Empty when the exception is applied; otherwise why the roster leaves it out (Japanese). */
  problems: string[];
}

/** Every stored exception by date, with the problems of the ones that are not sent to terminals. */
export function listCalendarExceptionsForAdmin(db: ServerDb): ListedException[] {
  const rows = listCalendarExceptionRows(db);
  const { invalid } = checkCalendarExceptionRows(rows);
  const problems = new Map(invalid.map((entry) => [entry.row.rowid, entry.problems]));
  return rows.map((row) => ({ row, problems: problems.get(row.rowid) ?? [] }));
}
