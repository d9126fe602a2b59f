// Output of `npm run server -- verify`: what was checked, with counts, and every problem found
// (Japanese first, the English word in parentheses, like the other commands).
import { formatJst } from '../../domain/calendar';
import type { VerifyReport } from '../services/log-verify';

export function formatVerifyReport(report: VerifyReport, context: { database: string; keySources: string[] }): string[] {
  const lines: string[] = [];
  lines.push(`操作ログの検証 (verify): ${context.database}`);
  if (report.trustedKeyIds.length === 0) lines.push('信頼する署名鍵 (trusted checkpoint key): なし — データディレクトリに鍵がなく --public-key も指定されていません');
  report.trustedKeyIds.forEach((keyId, i) => lines.push(`信頼する署名鍵 (trusted checkpoint key): ${keyId} (${context.keySources[i] ?? ''})`));
  lines.push(`端末 (terminals): ${report.terminals.length}台  記録 (records): ${report.records}件`);
  for (const t of report.terminals) {
    const range = t.records > 0 ? `連番 ${t.firstSeq}〜${t.lastSeq}` : '記録なし';
    const anchor = t.anchor ? `  保存期間により〜${t.anchor.seq}を削除済み (pruned, anchor ${t.anchor.hash.slice(0, 12)}…, ${t.prunings}回)` : '';
    const uncovered = t.uncovered > 0 ? `  最新チェックポイント後の記録 ${t.uncovered}件 (not yet checkpointed)` : '';
    lines.push(
      `  ${t.terminalId}${t.registered ? '' : ' (未登録 unregistered)'}: ${t.records}件 ${range}  チェックポイント照合 ${t.headsChecked}件${t.headsPruned > 0 ? ` (削除済み範囲 ${t.headsPruned}件)` : ''}${anchor}${uncovered}`,
    );
  }
  const c = report.checkpoints;
  lines.push(
    c.count === 0
      ? 'チェックポイント (checkpoints): 0件'
      : `チェックポイント (checkpoints): ${c.count}件 #${c.firstId}〜#${c.lastId}  最新 ${formatJst(c.lastAt!, 'long-seconds')}  署名鍵 ${c.keyIds.map((k) => `${k.slice(0, 16)}…`).join(', ')}`,
  );
  lines.push(`サーバーイベント (server events): ${report.serverEvents}件 (チェックポイントのダイジェストと照合)`);
  lines.push(`整合性アラート (integrity alerts on record): ${report.integrityAlerts}件${report.integrityAlerts > 0 ? ' — 拒否した送信の記録です。内容は integrity_alerts 表を参照' : ''}`);
  if (report.problems.length === 0) {
    lines.push('結果: 問題なし (clean) — 記録の連鎖・チェックポイントの署名と連鎖・チェックポイントと記録の一致を確認しました');
  } else {
    lines.push(`問題 (problems): ${report.problems.length}件`);
    for (const problem of report.problems) lines.push(`  ✗ ${problem.message} [${problem.kind}]`);
    lines.push('結果: 問題あり (problems found) — 改ざん・削除の可能性があります');
  }
  return lines;
}
