// Rule kind 4: an operator's searches and views on one day far above their own usual days:
// count > max(volumeFactor × median of their previous working days, volumeFloor). Until an
// operator has volumeMinHistoryDays earlier days, only the floor applies.
import { isLookup, type AuditRecord } from './audit-record';
import { rowOf, type AuditRule, type RuleEnv } from './rule-env';
import type { RowRef } from './types';
import { day, operatorLabel } from './wording';

interface OperatorDay {
  ymd: string;
  count: number;
  firstAt: string;
  lastAt: string;
  rows: RowRef[];
  terminals: Set<string>;
  history: number[];
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export class VolumeRule implements AuditRule {
  private readonly days = new Map<string, OperatorDay>();

  constructor(private readonly env: RuleEnv) {
    const from = env.context.countFrom ? Date.parse(env.context.countFrom) : NaN;
    this.countFromMs = Number.isFinite(from) ? from : -Infinity;
  }

  private readonly countFromMs: number;

  onRecord(r: AuditRecord): void {
    const opId = r.record.operatorId;
    if (!isLookup(r.access) || opId === null || r.atMs < this.countFromMs) return;
    let state = this.days.get(opId);
    if (state && state.ymd !== r.ymd) {
      this.closeDay(opId, state);
      state = { ...state, ymd: r.ymd, count: 0, rows: [], terminals: new Set(), firstAt: r.record.at };
      this.days.set(opId, state);
    }
    if (!state) {
      const earlier = this.env.context.lookupHistory?.get(opId) ?? [];
      const history = earlier.slice(Math.max(0, earlier.length - this.env.config.volumeBaselineDays));
      state = { ymd: r.ymd, count: 0, firstAt: r.record.at, lastAt: r.record.at, rows: [], terminals: new Set(), history };
      this.days.set(opId, state);
    }
    state.count += 1;
    state.lastAt = r.record.at;
    state.terminals.add(r.record.terminalId);
    if (state.rows.length < this.env.config.maxRowsPerFinding) state.rows.push(rowOf(r));
  }

  private closeDay(opId: string, s: OperatorDay): void {
    const { config, sink } = this.env;
    const usual = median(s.history);
    const threshold = s.history.length >= config.volumeMinHistoryDays ? Math.max(config.volumeFactor * usual, config.volumeFloor) : config.volumeFloor;
    if (s.count > threshold && sink.enabled('volume.unusual')) {
      const who = operatorLabel(this.env.operators, opId);
      const basis = s.history.length >= config.volumeMinHistoryDays ? `普段（直近${s.history.length}日の中央値）は1日${usual}件` : `比較できる過去の日が${s.history.length}日しかありません`;
      const count = s.count;
      const draft = sink.open('volume.unusual', `${opId}:${s.ymd}`, s.firstAt, (d) =>
        `${who} が ${day(d.firstAt)} に住民記録の検索・参照を${count}件行いました。${basis}で、基準（${Math.ceil(threshold)}件）を超えています。`);
      for (const row of s.rows) sink.addRow(draft, row, s.firstAt);
      draft.rowCount = s.count;
      draft.lastAt = s.lastAt;
      for (const t of s.terminals) draft.terminalIds.add(t);
      draft.operatorIds.add(opId);
    }
    s.history.push(s.count);
    if (s.history.length > config.volumeBaselineDays) s.history.shift();
  }

  finish(): void {
    for (const [opId, s] of [...this.days].sort(([a], [b]) => (a < b ? -1 : 1))) this.closeDay(opId, s);
    this.days.clear();
  }
}
