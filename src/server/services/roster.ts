// The operator roster handed to terminals (第17条9項): every operator including retired ones,
// their cards (revoked ones too, so an offline terminal learns the revocation at next contact),
// password hash info and lockout state; the approved calendar exceptions (第23条); and the active
// search purpose categories the information-protection manager maintains (第22条6項).
import { createHash } from 'node:crypto';
import { addDays, jstYmd } from '../../domain/calendar';
import { passwordExpiresAt } from '../../domain/password';
import type { CalendarExceptionWire, PurposeCategoryWire, RosterOperator, RosterResponse } from '../../shared/server-api';
import { toIso } from '../clock';
import type { ServerDb } from '../db/open';
import type { ServerPolicy } from '../policy';
import { listCalendarExceptionRows } from '../store/calendar';
import { checkCalendarExceptionRows, toWire, type InvalidCalendarRow } from './calendar-check';
import { listCards, type Card } from '../store/cards';
import { recordEvent } from '../store/events';
import { listOperators, type Operator } from '../store/operators';
import { emergencyStopFor } from '../admin/emergency-stop';
import { activePurposeCategoryRows, type PurposeCategoryRow } from '../store/purpose-categories';
import { MAX_ACTIVE_PURPOSE_CATEGORIES, purposeCategoryRowProblems, toPurposeWire } from './purpose-category-check';
import { recordServed } from './served';

/** RosterOperatorSchema allows at most this many cards per operator. */
export const MAX_CARDS_PER_OPERATOR = 20;

/** RosterResponseSchema allows at most this many calendar exceptions. */
export const MAX_ROSTER_CALENDAR_EXCEPTIONS = 1000;

/** A calendar row the roster leaves out: invalid, or beyond MAX_ROSTER_CALENDAR_EXCEPTIONS. */
export type LeftOutCalendarRow = InvalidCalendarRow;

/**
 * The calendar exceptions a terminal needs: valid ones (see calendar-check.ts) from yesterday (JST)
 * on, nearest first, at most MAX_ROSTER_CALENDAR_EXCEPTIONS. Past days change nothing on a terminal.
 * Never throws because of a row's content: what cannot be sent is returned in `leftOut`.
 */
export function calendarExceptionsForRoster(db: ServerDb, now: number): { exceptions: CalendarExceptionWire[]; leftOut: LeftOutCalendarRow[] } {
  const { usable, invalid } = checkCalendarExceptionRows(listCalendarExceptionRows(db));
  const from = addDays(jstYmd(now), -1);
  const upcoming = usable.filter((row) => row.date >= from).sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
  const overflow = upcoming.slice(MAX_ROSTER_CALENDAR_EXCEPTIONS).map((row) => ({
    row,
    problems: [`例外「${row.id}」: 名簿に載せられる例外は${MAX_ROSTER_CALENDAR_EXCEPTIONS}件までのため送信していません。`],
  }));
  return { exceptions: upcoming.slice(0, MAX_ROSTER_CALENDAR_EXCEPTIONS).map(toWire), leftOut: [...invalid, ...overflow] };
}

/** An active purpose category the roster leaves out: invalid (written by hand), or beyond the contract's 100. */
export interface LeftOutPurposeCategory {
  row: PurposeCategoryRow;
  problems: string[];
}

/**
 * The active search purpose categories in the manager's order (sort_order, then id), at most
 * MAX_ACTIVE_PURPOSE_CATEGORIES. Never throws because of a row's content: a row that does not fit
 * the contract is returned in `leftOut` (the set command never writes one; a person might by hand).
 */
export function purposeCategoriesForRoster(db: ServerDb): { categories: PurposeCategoryWire[]; leftOut: LeftOutPurposeCategory[] } {
  const leftOut: LeftOutPurposeCategory[] = [];
  const usable: PurposeCategoryRow[] = [];
  for (const row of activePurposeCategoryRows(db)) {
    const problems = purposeCategoryRowProblems(row);
    if (problems.length > 0) leftOut.push({ row, problems });
    else usable.push(row);
  }
  for (const row of usable.slice(MAX_ACTIVE_PURPOSE_CATEGORIES)) {
    leftOut.push({ row, problems: [`区分「${row.id}」: 名簿に載せられる区分は${MAX_ACTIVE_PURPOSE_CATEGORIES}件までのため送信していません。`] });
  }
  return { categories: usable.slice(0, MAX_ACTIVE_PURPOSE_CATEGORIES).map(toPurposeWire), leftOut };
}

export interface RosterLeftOutHandlers {
  calendar?: (rows: LeftOutCalendarRow[]) => void;
  purposeCategories?: (rows: LeftOutPurposeCategory[]) => void;
}

/** The active card first, then the most recently issued; returned in issue order. */
export function cardsForRoster(cards: Card[]): Card[] {
  const chosen = [...cards]
    .sort((a, b) => Number(b.status === 'active') - Number(a.status === 'active') || b.issuedAt - a.issuedAt)
    .slice(0, MAX_CARDS_PER_OPERATOR);
  return chosen.sort((a, b) => a.issuedAt - b.issuedAt || a.keyId.localeCompare(b.keyId));
}

export function buildRoster(
  db: ServerDb,
  terminal: { id: string; name: string },
  now: number,
  policy: ServerPolicy,
  onLeftOut: RosterLeftOutHandlers = {},
): RosterResponse {
  const cardsByOperator = new Map<string, Card[]>();
  for (const card of listCards(db)) {
    const list = cardsByOperator.get(card.operatorId) ?? [];
    list.push(card);
    cardsByOperator.set(card.operatorId, list);
  }
  const operators: RosterOperator[] = listOperators(db).map((op) => ({
    id: op.id,
    name: op.name,
    kana: op.kana,
    role: op.role,
    approvedBy: op.approvedBy,
    since: toIso(op.since),
    until: op.until === null ? null : toIso(op.until),
    status: op.status,
    cards: cardsForRoster(cardsByOperator.get(op.id) ?? []).map((card) => ({
      keyId: card.keyId,
      status: card.status,
      issuedAt: toIso(card.issuedAt),
      revokedAt: card.revokedAt === null ? null : toIso(card.revokedAt),
    })),
    password: {
      hash: op.passwordHash,
      setAt: toIso(op.passwordSetAt),
      temporary: op.passwordTemporary,
      expiresAt: toIso(effectivePasswordExpiry(op, policy.passwordExpiryDays)),
      // Only when a change is forced (issue 6): absent otherwise, as from an older server.
      ...(op.passwordChangeRequiredAt === null ? {} : { changeRequiredAt: toIso(op.passwordChangeRequiredAt) }),
    },
    failedAttempts: op.failedAttempts,
    lockedOut: op.lockedOut,
  }));
  const calendar = calendarExceptionsForRoster(db, now);
  if (calendar.leftOut.length > 0) onLeftOut.calendar?.(calendar.leftOut);
  const purposes = purposeCategoriesForRoster(db);
  if (purposes.leftOut.length > 0) onLeftOut.purposeCategories?.(purposes.leftOut);
  return {
    generatedAt: toIso(now),
    terminal: { id: terminal.id, name: terminal.name },
    operators,
    calendarExceptions: calendar.exceptions,
    policy: { passwordExpiryDays: policy.passwordExpiryDays, maxFailedAttempts: policy.maxFailedAttempts },
    purposeCategories: purposes.categories,
    emergencyStop: emergencyStopFor(db, terminal.id),
  };
}

/**
 * When the password stops being accepted without a change: the policy's expiry, or the time an
 * authorised person forced a change (issue 6), whichever is first. A terminal that does not know
 * changeRequiredAt thus still asks for the change.
 */
export function effectivePasswordExpiry(op: Pick<Operator, 'passwordSetAt' | 'passwordChangeRequiredAt'>, passwordExpiryDays: number): number {
  const regular = passwordExpiresAt(op.passwordSetAt, passwordExpiryDays);
  return op.passwordChangeRequiredAt === null ? regular : Math.min(regular, op.passwordChangeRequiredAt);
}

/** Per database (i.e. per server process): the calendar and purpose rows already reported as integrity problems. */
const reportedRows = new WeakMap<ServerDb, Set<string>>();

function reportedSet(db: ServerDb): Set<string> {
  let reported = reportedRows.get(db);
  if (!reported) reportedRows.set(db, (reported = new Set()));
  return reported;
}

function rowFingerprint(row: LeftOutCalendarRow['row']): string {
  const content = [row.id, row.date, row.opensAt, row.closesAt, row.reason, row.approvedBy].join('\u0000');
  return `${row.rowid}:${createHash('sha256').update(content).digest('hex')}`;
}

/**
 * Records each left-out calendar row once per server process (again only if the row changes), as an
 * `integrity-problem` event: the roster is served without it and the terminals follow the regular
 * calendar that day. `list-exceptions` shows such rows; `withdraw-exception --id` removes one.
 */
function reportLeftOutCalendarRows(db: ServerDb, terminalId: string, now: number, rows: LeftOutCalendarRow[]): void {
  const reported = reportedSet(db);
  for (const { row, problems } of rows) {
    const key = rowFingerprint(row);
    if (reported.has(key)) continue;
    recordEvent(db, {
      at: now,
      terminalId,
      kind: 'integrity-problem',
      detail: {
        table: 'calendar_exceptions',
        rowid: row.rowid,
        exceptionId: row.id,
        date: row.date,
        problems,
        action: 'left out of the roster (terminals follow the regular calendar that day)',
      },
    });
    reported.add(key);
  }
}

/**
 * Records each left-out purpose category row once per server process (again only if it changes), as
 * an `integrity-problem` event: the roster is served without it. `list-purpose-categories` shows it;
 * `set-purpose-category` with its id rewrites it, `retire-purpose-category` retires it.
 */
function reportLeftOutPurposeRows(db: ServerDb, terminalId: string, now: number, rows: LeftOutPurposeCategory[]): void {
  const reported = reportedSet(db);
  for (const { row, problems } of rows) {
    const content = [row.id, row.label, String(row.needsCaseNumber)].join('\u0000');
    const key = `purpose:${createHash('sha256').update(content).digest('hex')}`;
    if (reported.has(key)) continue;
    recordEvent(db, {
      at: now,
      terminalId,
      kind: 'integrity-problem',
      detail: { table: 'purpose_categories', categoryId: row.id, problems, action: 'left out of the roster' },
    });
    reported.add(key);
  }
}

export function serveRoster(db: ServerDb, terminal: { id: string; name: string }, now: number, policy: ServerPolicy): RosterResponse {
  const roster = buildRoster(db, terminal, now, policy, {
    calendar: (rows) => reportLeftOutCalendarRows(db, terminal.id, now, rows),
    purposeCategories: (rows) => reportLeftOutPurposeRows(db, terminal.id, now, rows),
  });
  // Recorded before the answer leaves (issue 3 item 5): see services/served.ts.
  recordServed(db, {
    at: now,
    terminalId: terminal.id,
    data: 'roster',
    detail: {
      operators: roster.operators.length,
      calendarExceptions: roster.calendarExceptions.length,
      purposeCategories: roster.purposeCategories.length,
      emergencyStop: roster.emergencyStop?.id ?? null,
    },
  });
  return roster;
}
