// Rule kind 8: integrity problems of the log itself — the terminal's own records of a broken or
// replaced local log, and the alerts the server's verification raised (passed in the context).
import type { AuditRecord } from './audit-record';
import { rowOf, type AuditRule, type RuleEnv } from './rule-env';
import { when } from './wording';

const TYPE_TEXT: Readonly<Record<string, string>> = {
  'log.integrity-problem': '操作ログの検証で不整合（改ざん・欠落のおそれ）が見つかりました',
  'log.store-replaced': '操作ログの保存領域が作り直され、記録がサーバーの記録の後ろに付け替えられました（端末の初期化・データ消去のおそれ）',
  'log.outbox-damaged': '送信待ちのログに読めない行があり、その記録はログに入りませんでした',
  'log.main-event-refused': '記録できない操作ログのイベントがありました',
};

const ALERT_TEXT: Readonly<Record<string, string>> = {
  'hash-mismatch': '記録が書き換えられています（ハッシュ不一致）',
  'broken-link': '記録の連鎖が切れています',
  gap: '記録に欠番があります',
  'wrong-terminal': '別の端末の記録が混ざっています',
};

export class IntegrityRule implements AuditRule {
  constructor(private readonly env: RuleEnv) {}

  onRecord(r: AuditRecord): void {
    const rec = r.record;
    const { sink, config } = this.env;
    if (!config.integrityEventTypes.includes(rec.type) || !sink.enabled('log.integrity')) return;
    const what = TYPE_TEXT[rec.type] ?? `操作ログの異常（${rec.type}）が記録されました`;
    const draft = sink.open('log.integrity', `${rec.terminalId}#${rec.seq}`, rec.at, (d) => `端末 ${rec.terminalId} で ${when(d.firstAt)} に${what}。`);
    sink.addRow(draft, rowOf(r), rec.at);
  }

  finish(): void {
    const { sink, context } = this.env;
    if (!sink.enabled('log.integrity')) return;
    for (const alert of context.integrityAlerts) {
      const what = ALERT_TEXT[alert.kind] ?? `検証で異常（${alert.kind}）が見つかりました`;
      const where = alert.seq != null ? `（記録番号 ${alert.seq}）` : '';
      const draft = sink.open('log.integrity', `alert:${alert.terminalId}:${alert.at}:${alert.kind}:${alert.seq ?? ''}`, alert.at, () =>
        `サーバーの検証で、端末 ${alert.terminalId} の操作ログに異常が見つかりました（${when(alert.at)}）: ${what}${where}。`);
      draft.terminalIds.add(alert.terminalId);
      if (alert.seq != null) {
        draft.rows.push({ terminalId: alert.terminalId, seq: alert.seq });
        draft.rowCount = 1;
      }
    }
  }
}
