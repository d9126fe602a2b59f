// What changed between two rosters from the server, as operation-log events (issue 3 item 1:
// "lockout and release", "configuration and calendar-exception changes"). The server decides these
// (an administrator released a lockout, a manager approved an opening day, the policy changed); the
// terminal's log records when THIS terminal learned of them and so began to act on them.
// Pure: no I/O, no clock. Only ids, dates and numbers go into the details (no names, no free text).
import type { RosterResponse } from '../../shared/server-api';

export interface RosterChangeEvent {
  type: 'roster.lockout-released' | 'calendar.exceptions-changed' | 'config.policy-changed' | 'emergency.stop-received' | 'emergency.stop-lifted';
  outcome: 'info';
  operatorId?: string;
  detail: Record<string, string | number | boolean | null>;
}

/** A detail string holds at most 500 characters: lists stop before that and say how many are left out. */
const MAX_LISTED_CHARS = 480;

function listed(items: readonly string[]): string {
  let out = '';
  for (let i = 0; i < items.length; i++) {
    const next = out ? `${out},${items[i]}` : items[i]!;
    if (next.length > MAX_LISTED_CHARS) return `${out},…(+${items.length - i})`;
    out = next;
  }
  return out;
}

type Exception = RosterResponse['calendarExceptions'][number];
const describe = (e: Exception) => `${e.date} ${e.opensAt}-${e.closesAt}`;

export function rosterChanges(previous: RosterResponse | null, next: RosterResponse): RosterChangeEvent[] {
  if (!previous) return [];
  const events: RosterChangeEvent[] = [];

  const before = new Map(previous.operators.map((o) => [o.id, o]));
  for (const op of next.operators) {
    const old = before.get(op.id);
    if (old?.lockedOut && !op.lockedOut) events.push({ type: 'roster.lockout-released', outcome: 'info', operatorId: op.id, detail: { failedAttempts: op.failedAttempts } });
  }

  // An exception is identified by its id; one whose hours changed is withdrawn and added again.
  const oldExceptions = new Map(previous.calendarExceptions.map((e) => [e.id, e]));
  const newExceptions = new Map(next.calendarExceptions.map((e) => [e.id, e]));
  const added = next.calendarExceptions.filter((e) => {
    const old = oldExceptions.get(e.id);
    return !old || describe(old) !== describe(e);
  });
  const withdrawn = previous.calendarExceptions.filter((e) => {
    const now = newExceptions.get(e.id);
    return !now || describe(now) !== describe(e);
  });
  if (added.length > 0 || withdrawn.length > 0) {
    events.push({
      type: 'calendar.exceptions-changed',
      outcome: 'info',
      detail: { added: listed(added.map(describe)), withdrawn: listed(withdrawn.map(describe)), addedIds: listed(added.map((e) => e.id)), withdrawnIds: listed(withdrawn.map((e) => e.id)), total: next.calendarExceptions.length },
    });
  }

  // The stop's reason is an administrator's free text: the server's own log has it; here only ids.
  const stopBefore = previous.emergencyStop ?? null;
  const stopNow = next.emergencyStop ?? null;
  if (stopBefore?.id !== stopNow?.id) {
    if (stopBefore) events.push({ type: 'emergency.stop-lifted', outcome: 'info', detail: { stopId: stopBefore.id, scope: stopBefore.scope } });
    if (stopNow) events.push({ type: 'emergency.stop-received', outcome: 'info', detail: { stopId: stopNow.id, scope: stopNow.scope, by: stopNow.by, at: stopNow.at } });
  }

  const p = previous.policy;
  const n = next.policy;
  if (p.passwordExpiryDays !== n.passwordExpiryDays || p.maxFailedAttempts !== n.maxFailedAttempts) {
    events.push({
      type: 'config.policy-changed',
      outcome: 'info',
      detail: { passwordExpiryDays: n.passwordExpiryDays, maxFailedAttempts: n.maxFailedAttempts, previousPasswordExpiryDays: p.passwordExpiryDays, previousMaxFailedAttempts: p.maxFailedAttempts },
    });
  }
  return events;
}

/** Readers that appeared and disappeared between two lists of PC/SC reader names. */
export function readerChanges(previous: readonly string[], next: readonly string[]): { connected: string[]; lost: string[] } {
  const had = new Set(previous);
  const has = new Set(next);
  return { connected: next.filter((r) => !had.has(r)), lost: previous.filter((r) => !has.has(r)) };
}
