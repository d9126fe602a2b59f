// Rule kind 9: terminals that stopped syncing — more than staleSyncOpenHours of opening hours
// (working time only: nights, weekends and holidays do not count) since their last sync at the
// time of the check — and log sync passes the server refused.
import { openingWindow } from '../calendar/hours';
import { addDays, jstYmd } from '../calendar/jst';
import type { AuditRecord } from './audit-record';
import { rowOf, type AuditRule, type RuleEnv } from './rule-env';
import { when } from './wording';

/** Opening-hours milliseconds between two instants, stopping once `cap` is reached. */
export function openMsBetween(fromMs: number, toMs: number, exceptions: RuleEnv['context']['calendarExceptions'], cap = Infinity): number {
  if (!(toMs > fromMs)) return 0;
  let total = 0;
  const last = jstYmd(toMs);
  for (let d = jstYmd(fromMs), i = 0; i < 800 && total < cap; d = addDays(d, 1), i++) {
    const w = openingWindow(d, exceptions);
    if (w) total += Math.max(0, Math.min(w.closesAt, toMs) - Math.max(w.opensAt, fromMs));
    if (d === last) break;
  }
  return total;
}

export class SyncRule implements AuditRule {
  constructor(private readonly env: RuleEnv) {}

  onRecord(r: AuditRecord): void {
    const rec = r.record;
    const { sink } = this.env;
    if (rec.type !== 'log.sync-refused' || !sink.enabled('sync.refused')) return;
    const draft = sink.open('sync.refused', `${rec.terminalId}:${r.ymd}`, rec.at, (d) =>
      `端末 ${rec.terminalId} の操作ログの送信が ${when(d.firstAt)} にサーバーに拒否され、自動では再送されません（${d.rowCount}件）。`);
    sink.addRow(draft, rowOf(r), rec.at);
  }

  finish(endMs: number): void {
    const { sink, context, config } = this.env;
    if (!sink.enabled('sync.stale') || !Number.isFinite(endMs)) return;
    const asOf = new Date(endMs).toISOString();
    const limitMs = config.staleSyncOpenHours * 3_600_000;
    for (const t of context.terminals) {
      if (t.retired) continue;
      const last = t.lastSyncAt ? Date.parse(t.lastSyncAt) : NaN;
      const stale = !Number.isFinite(last) || openMsBetween(last, endMs, context.calendarExceptions, limitMs) >= limitMs;
      if (!stale) continue;
      const since = Number.isFinite(last) ? `最後の同期は ${when(t.lastSyncAt!)} です` : '一度も同期していません';
      const draft = sink.open('sync.stale', t.terminalId, Number.isFinite(last) ? t.lastSyncAt! : asOf, () =>
        `端末 ${t.terminalId} がサーバーと同期していません。${since}（確認時点 ${when(asOf)}、開庁時間で${config.staleSyncOpenHours}時間以上）。`);
      draft.terminalIds.add(t.terminalId);
      draft.lastAt = asOf;
    }
  }
}
