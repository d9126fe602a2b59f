// Rule kind 5: resident access or a sign-in outside the opening window (the terminal should have
// refused it: a sign of a wrong clock or a tampered terminal); several accesses without a case
// number in the last minutes before closing; and any work on a day opened only by an exception.
import { closedReason } from '../calendar/holidays';
import { openingWindow, type OpeningWindow } from '../calendar/hours';
import type { CalendarException } from '../calendar/exceptions';
import { addDays, jstStartOfDay, jstYmd } from '../calendar/jst';
import type { AuditRecord } from './audit-record';
import type { AuditConfig } from './config';
import type { FindingDraft } from './finding-sink';
import { MINUTE_MS, rowOf, type AuditRule, type RuleEnv } from './rule-env';
import { clock, day, listJa, operatorLabel, when } from './wording';

const SIGN_IN_TYPES = new Set(['session.signed-in', 'signin.password-ok', 'session.unlock-password']);

const note = (d: FindingDraft): string => (d.rowCount > 1 ? `（${d.rowCount}件、${clock(d.firstAt)}〜${clock(d.lastAt)}）` : '');

interface DayHours {
  window: OpeningWindow | null;
  /** Closed by the regular calendar, opened by an exception. */
  exceptionOnly: boolean;
}

function dayHours(ymd: string, exceptions: readonly CalendarException[]): DayHours {
  const window = openingWindow(ymd, exceptions);
  return { window, exceptionOnly: window !== null && window.exception !== null && closedReason(ymd) !== null };
}

/**
 * The stretches of [fromMs, toMs] in which a resident access can matter to this rule, as half-open
 * [start, end) ranges in time order: a whole day that is closed or opened only by an exception, and
 * on an ordinary day the time before opening and the last nearClosingMinutes before closing up to
 * midnight. An access outside them is inside the hours, not near closing, on an ordinary day: the
 * rule does nothing with it, so a reader may leave it out (sign-ins are not covered here: feed them all).
 */
export function hoursAccessRanges(fromMs: number, toMs: number, exceptions: readonly CalendarException[], config: Pick<AuditConfig, 'nearClosingMinutes'>): [number, number][] {
  const out: [number, number][] = [];
  if (!(toMs >= fromMs)) return out;
  const push = (start: number, end: number): void => {
    const s = Math.max(start, fromMs);
    const e = Math.min(end, toMs + 1);
    if (e <= s) return;
    const last = out[out.length - 1];
    if (last && last[1] >= s) last[1] = Math.max(last[1], e);
    else out.push([s, e]);
  };
  const lastYmd = jstYmd(toMs);
  for (let ymd = jstYmd(fromMs); ; ymd = addDays(ymd, 1)) {
    const start = jstStartOfDay(ymd);
    const end = jstStartOfDay(addDays(ymd, 1));
    const h = dayHours(ymd, exceptions);
    if (h.window === null || h.exceptionOnly) push(start, end);
    else {
      push(start, h.window.opensAt);
      push(Math.min(h.window.closesAt - config.nearClosingMinutes * MINUTE_MS, h.window.closesAt), end);
    }
    if (ymd >= lastYmd) break;
  }
  return out;
}

export class HoursRule implements AuditRule {
  private readonly cache = new Map<string, DayHours>();
  private readonly nearClosing = new Map<string, { ymd: string; list: AuditRecord[] }>();

  constructor(private readonly env: RuleEnv) {}

  /** The opening window of a JST day, with the calendar exceptions (cached per day). */
  hours(ymd: string): DayHours {
    let h = this.cache.get(ymd);
    if (!h) {
      h = dayHours(ymd, this.env.context.calendarExceptions);
      this.cache.set(ymd, h);
    }
    return h;
  }

  onRecord(r: AuditRecord): void {
    const rec = r.record;
    const a = r.access;
    if (!a && !SIGN_IN_TYPES.has(rec.type)) return;
    const { sink, config } = this.env;
    const h = this.hours(r.ymd);
    const inWindow = h.window !== null && r.atMs >= h.window.opensAt && r.atMs < h.window.closesAt;
    const nearClosing = inWindow && a !== null && a.caseNumber === null && rec.operatorId !== null && r.atMs >= h.window!.closesAt - config.nearClosingMinutes * MINUTE_MS;
    // Most records are inside the hours on an ordinary day: nothing to word.
    if (inWindow && !h.exceptionOnly && !nearClosing) return;
    const who = operatorLabel(this.env.operators, rec.operatorId);

    if (!inWindow && sink.enabled('hours.outside')) {
      const hoursText = h.window ? `開庁時間は ${clock(new Date(h.window.opensAt).toISOString())}〜${clock(new Date(h.window.closesAt).toISOString())}` : 'この日は閉庁日';
      const draft = sink.open('hours.outside', `${rec.operatorId}:${rec.terminalId}:${r.ymd}`, rec.at, (d) =>
        `${who} が開庁時間外の ${when(d.firstAt)} に端末 ${listJa([...d.terminalIds])} で${a ? '住民記録の検索・参照' : 'サインイン'}などを行いました${note(d)}。${hoursText}です。`);
      sink.addRow(draft, rowOf(r), rec.at);
      if (rec.operatorId) draft.operatorIds.add(rec.operatorId);
      if (a) for (const id of a.residentIds) draft.residentIds.add(id);
    }

    if (inWindow && h.exceptionOnly && config.reportExceptionDays && sink.enabled('hours.exception-day')) {
      const reason = h.window!.exception!.reason;
      const closed = closedReason(r.ymd) ?? '閉庁日';
      const draft = sink.open('hours.exception-day', r.ymd, rec.at, (d) =>
        `${day(d.firstAt)}（本来は${closed}）は特別開庁（${reason}）の日で、${listJa([...d.operatorIds].sort().map((id) => operatorLabel(this.env.operators, id)))} が端末で業務を行いました（${d.rowCount}件）。`);
      sink.addRow(draft, rowOf(r), rec.at);
      if (rec.operatorId) draft.operatorIds.add(rec.operatorId);
    }

    if (nearClosing && a && rec.operatorId !== null) {
      let state = this.nearClosing.get(rec.operatorId);
      if (!state || state.ymd !== r.ymd) this.nearClosing.set(rec.operatorId, (state = { ymd: r.ymd, list: [] }));
      state.list.push(r);
      if (state.list.length >= config.nearClosingMinAccesses && sink.enabled('hours.near-closing')) {
        const minutes = config.nearClosingMinutes;
        const existing = sink.get('hours.near-closing', `${rec.operatorId}:${r.ymd}`);
        const draft = existing ?? sink.open('hours.near-closing', `${rec.operatorId}:${r.ymd}`, state.list[0]!.record.at, (d) =>
          `${who} が ${day(d.firstAt)} の閉庁前${minutes}分以内（${clock(d.firstAt)}〜${clock(d.lastAt)}）に、受付番号のない住民記録の検索・参照を${d.rowCount}件行いました。`);
        for (const x of existing ? [r] : state.list) {
          sink.addRow(draft, rowOf(x), x.record.at);
          for (const id of x.access?.residentIds ?? []) draft.residentIds.add(id);
        }
        draft.operatorIds.add(rec.operatorId);
      }
    }
  }

  finish(): void {}
}
