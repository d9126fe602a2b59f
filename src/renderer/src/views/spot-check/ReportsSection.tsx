// 報告書: the audit report of a period as a PDF to read and file (who checked what, sample and verdicts,
// findings, sign-in failures, the card ledger, a chart of searches per operator per day). The
// "who looked at my record" PDF is made from 閲覧記録.
import { observer } from 'mobx-react-lite';
import type { FormEvent } from 'react';
import { useStores } from '../../stores/root-store';
import { periodTag } from '../../stores/spot-check-store';
import { FieldMessage } from './SpotCheckSection';
import { fileName, pdfBlob } from './spot-format';

/** What the report holds, in the person's words (keys of the server's summary; others are not shown). */
const SUMMARY_LINES: readonly [string, string, string][] = [
  ['searches', '住民の検索', '件'],
  ['findings', '所見', '件'],
  ['findingsHigh', 'うち重要度「高」', '件'],
  ['samples', '抽出点検', '回'],
  ['verdictsInappropriate', '不適正の判定', '件'],
  ['verdictsNeedsCheck', '要確認の判定', '件'],
  ['signInFailures', 'サインインの失敗', '回'],
  ['lockouts', 'ロックアウト', '回'],
  ['lendings', 'カードの貸与', '件'],
  ['lendingsOpen', 'うち未返却', '件'],
  ['returnsConfirmed', '返却確認済み', '件'],
  ['adminActivities', '管理者の操作・点検', '件'],
];

export const ReportsSection = observer(function ReportsSection() {
  const { spot, ui } = useStores();
  const e = spot.reportErrors;
  const report = spot.report;
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const made = await spot.makeAuditReport();
    if (made) {
      const name = fileName('監査報告書', periodTag({ from: spot.reportFrom, to: spot.reportTo }), ui.trustedNow, 'pdf');
      await spot.exportFile('audit-report-pdf', name, pdfBlob(made.pdfBase64), { pages: made.pages });
    }
  };
  return (
    <div data-testid="spot-reports">
      <form className="spot-filters" onSubmit={(ev) => void submit(ev)} noValidate>
        <div className="spot-field spot-period">
          <span>報告の期間（最長93日）</span>
          <div className="inline-field">
            <input value={spot.reportFrom} maxLength={60} onChange={(ev) => spot.setReportPeriod(ev.target.value, spot.reportTo)} data-testid="report-from" aria-label="期間の開始" />
            <span>〜</span>
            <input value={spot.reportTo} maxLength={60} onChange={(ev) => spot.setReportPeriod(spot.reportFrom, ev.target.value)} data-testid="report-to" aria-label="期間の終了" />
          </div>
          <FieldMessage text={e.period} testId="report-error-period" />
        </div>
        <div className="spot-actions">
          <button type="submit" disabled={spot.busy} data-testid="report-make">
            {spot.busy ? '作成中…' : '監査報告書（PDF）を作成'}
          </button>
        </div>
        <FieldMessage text={e.form} testId="report-error-form" />
      </form>
      <p className="sub">報告書には、点検した人と内容、抽出点検と判定、所見、サインイン失敗の集計、カード貸出簿の集計、操作者ごと・日ごとの検索件数のグラフが入ります。住民ごとの閲覧記録の報告書は「閲覧記録」から作成します。</p>
      {report && (
        <div className="report-done" data-testid="report-summary">
          <strong>{report.pages}ページの報告書を作成しました。</strong>
          <dl className="admin-facts report-facts">
            {SUMMARY_LINES.filter(([key]) => typeof report.summary[key] === 'number').map(([key, label, unit]) => (
              <Line key={key} label={label} value={`${(report.summary[key] as number).toLocaleString('ja-JP')}${unit}`} />
            ))}
          </dl>
          {report.summary.indexComplete === false && <p className="warn-text">作成時点で検索に反映されていない記録がありました（報告書にもその旨を記載しています）。</p>}
        </div>
      )}
    </div>
  );
});

function Line(props: { label: string; value: string }) {
  return (
    <>
      <dt>{props.label}</dt>
      <dd>{props.value}</dd>
    </>
  );
}
