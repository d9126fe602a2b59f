// Rule kind 4: an operator's searches and views on one day far above their own usual days:
// count > max(volumeFactor × median of their previous working days, volumeFloor). Until an
// operator has volumeMinHistoryDays earlier days, only the floor applies.
//
// Two ways in, the same findings: records streamed through onRecord (the day is closed when the
// operator's next day begins, or at finish), or — the server's fast path — each operator's days as
// totals counted elsewhere (pushDay, oldest first per operator; the rows behind a day are asked for
// only when the day is unusual). An engine uses one way or the other (FindingsEngine's volumeByDay).
import { isLookup, type AuditRecord } from './audit-record';
import { rowOf, type AuditRule, type RuleEnv } from './rule-env';
import type { RowRef } from './types';
import { day, operatorLabel } from './wording';

/** One operator's searches+views of one JST day. */
export interface VolumeDay {
  ymd: string;
  count: number;
  /** What the finding shows; asked for only when the day is unusual. */
  details: VolumeDayDetails | (() => VolumeDayDetails);
}

export interface VolumeDayDetails {
  /** ISO UTC of the day's first and last search/view. */
  firstAt: string;
  lastAt: string;
  /** Every terminal the operator searched or viewed on that day. */
  terminals: Iterable<string>;
  /** The day's first searches/views in log order (at least maxRowsPerFinding of them when there are as many). */
  rows: readonly RowRef[];
}

interface OperatorDay {
  ymd: string;
  count: number;
  firstAt: string;
  lastAt: string;
  rows: RowRef[];
  terminals: Set<string>;
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export class VolumeRule implements AuditRule {
  private readonly days = new Map<string, OperatorDay>();
  /** operator → the counts of their earlier days (at most volumeBaselineDays, oldest first). */
  private readonly histories = new Map<string, number[]>();
  private readonly countFromMs: number;

  /** byDay: records are not counted (the days come through pushDay). */
  constructor(private readonly env: RuleEnv, private readonly byDay = false) {
    const from = env.context.countFrom ? Date.parse(env.context.countFrom) : NaN;
    this.countFromMs = Number.isFinite(from) ? from : -Infinity;
  }

  private history(opId: string): number[] {
    let history = this.histories.get(opId);
    if (!history) {
      const earlier = this.env.context.lookupHistory?.get(opId) ?? [];
      history = earlier.slice(Math.max(0, earlier.length - this.env.config.volumeBaselineDays));
      this.histories.set(opId, history);
    }
    return history;
  }

  onRecord(r: AuditRecord): void {
    if (this.byDay) return;
    const opId = r.record.operatorId;
    if (!isLookup(r.access) || opId === null || r.atMs < this.countFromMs) return;
    let state = this.days.get(opId);
    if (state && state.ymd !== r.ymd) {
      this.closeDay(opId, { ymd: state.ymd, count: state.count, details: state });
      state = undefined;
    }
    if (!state) {
      this.history(opId);
      state = { ymd: r.ymd, count: 0, firstAt: r.record.at, lastAt: r.record.at, rows: [], terminals: new Set() };
      this.days.set(opId, state);
    }
    state.count += 1;
    state.lastAt = r.record.at;
    state.terminals.add(r.record.terminalId);
    if (state.rows.length < this.env.config.maxRowsPerFinding) state.rows.push(rowOf(r));
  }

  /** One operator's day as totals (byDay engines): days of one operator oldest first. */
  pushDay(opId: string, d: VolumeDay): void {
    this.closeDay(opId, d);
  }

  private closeDay(opId: string, s: VolumeDay): void {
    const { config, sink } = this.env;
    const history = this.history(opId);
    const usual = median(history);
    const threshold = history.length >= config.volumeMinHistoryDays ? Math.max(config.volumeFactor * usual, config.volumeFloor) : config.volumeFloor;
    if (s.count > threshold && sink.enabled('volume.unusual')) {
      const who = operatorLabel(this.env.operators, opId);
      const basis = history.length >= config.volumeMinHistoryDays ? `普段（直近${history.length}日の中央値）は1日${usual}件` : `比較できる過去の日が${history.length}日しかありません`;
      const count = s.count;
      const d = typeof s.details === 'function' ? s.details() : s.details;
      const draft = sink.open('volume.unusual', `${opId}:${s.ymd}`, d.firstAt, (f) =>
        `${who} が ${day(f.firstAt)} に住民記録の検索・参照を${count}件行いました。${basis}で、基準（${Math.ceil(threshold)}件）を超えています。`);
      for (const row of d.rows.slice(0, config.maxRowsPerFinding)) sink.addRow(draft, row, d.firstAt);
      draft.rowCount = s.count;
      draft.lastAt = d.lastAt;
      for (const t of d.terminals) draft.terminalIds.add(t);
      draft.operatorIds.add(opId);
    }
    history.push(s.count);
    if (history.length > config.volumeBaselineDays) history.shift();
  }

  finish(): void {
    for (const [opId, s] of [...this.days].sort(([a], [b]) => (a < b ? -1 : 1))) this.closeDay(opId, { ymd: s.ymd, count: s.count, details: s });
    this.days.clear();
  }
}
