// 閲覧記録: "who looked at my record" for one resident (a resident's disclosure request): every search
// that showed them, view, code reveal and print over the whole retention, with date, terminal, operator
// and purpose. Exportable as CSV and as the PDF report.
import { observer } from 'mobx-react-lite';
import type { FormEvent } from 'react';
import { useStores } from '../../stores/root-store';
import { OUTCOME_LABEL } from '../../stores/spot-check-store';
import { residentAccessesCsv } from '../../../../shared/audit-csv';
import { shortDateTime } from '../admin/admin-format';
import { FieldMessage, IndexLine } from './SpotCheckSection';
import { csvBlob, fileName, pdfBlob } from './spot-format';

const KIND: Record<string, string> = { search: '検索結果に表示', view: '記録を表示', 'code-reveal': '住民票コードを表示', print: '印刷', other: 'その他' };

export const WhoLookedSection = observer(function WhoLookedSection() {
  const { spot, ui } = useStores();
  const e = spot.whoErrors;
  const list = spot.accesses;
  const submit = (event: FormEvent) => {
    event.preventDefault();
    void spot.loadWhoLooked();
  };
  // File names carry no resident id (personal data): the kind and the time of export only.
  const exportCsv = () => {
    if (!list) return;
    void spot.exportFile('who-looked-csv', fileName('閲覧記録', 'resident', ui.trustedNow, 'csv'), csvBlob(residentAccessesCsv(list)), { accesses: list.length });
  };
  const exportPdf = async () => {
    const report = await spot.makeWhoReport();
    if (report) await spot.exportFile('who-looked-pdf', fileName('閲覧記録報告書', 'resident', ui.trustedNow, 'pdf'), pdfBlob(report.pdfBase64), { pages: report.pages });
  };
  return (
    <div data-testid="spot-who">
      <form className="spot-filters" onSubmit={submit} noValidate>
        <label className="spot-field">
          <span>住民ID</span>
          <input value={spot.whoResidentId} maxLength={200} placeholder="例: R000123" autoComplete="off" onChange={(ev) => spot.setWhoResidentId(ev.target.value)} data-testid="who-resident" />
          <FieldMessage text={e.residentId} testId="who-error-residentId" />
        </label>
        <div className="spot-actions">
          <button type="submit" disabled={spot.busy} data-testid="who-search">
            閲覧の記録を表示
          </button>
        </div>
        <FieldMessage text={e.form} testId="who-error-form" />
      </form>
      {list && spot.whoShown && (
        <>
          <div className="admin-toolbar">
            <span className="admin-count" data-testid="who-count">
              住民 {spot.whoShown} へのアクセス {list.length}件{spot.whoNextCursor ? '（続きあり）' : ''}（保存期間7年のすべて・新しい順）
            </span>
            <IndexLine />
            {spot.whoNextCursor && (
              <button className="small secondary" onClick={() => void spot.loadWhoLooked(true)} disabled={spot.busy} data-testid="who-more">
                さらに表示
              </button>
            )}
            <button className="small" onClick={exportCsv} disabled={list.length === 0} data-testid="who-export-csv">
              CSV出力
            </button>
            {spot.may('audit.reports.resident-accesses') && (
              <button className="small" onClick={() => void exportPdf()} disabled={spot.busy} data-testid="who-export-pdf">
                報告書（PDF）
              </button>
            )}
          </div>
          {list.length === 0 ? (
            <p className="sub">この住民の記録を見た操作はありません。</p>
          ) : (
            <div className="table-scroll">
              <table className="admin-table spot-table" data-testid="who-table">
                <thead>
                  <tr>
                    <th>日時</th>
                    <th>アクセス</th>
                    <th>端末・連番</th>
                    <th>操作者</th>
                    <th>検索目的</th>
                    <th>受付番号</th>
                    <th>結果</th>
                  </tr>
                </thead>
                <tbody>
                  {list.map((a) => (
                    <tr key={`${a.terminalId}#${a.seq}`} tabIndex={0} onClick={() => void spot.openRecord(a.terminalId, a.seq)} data-testid={`who-row-${a.terminalId}-${a.seq}`}>
                      <td className="nowrap">{shortDateTime(a.at)}</td>
                      <td>{KIND[a.kind] ?? a.kind}</td>
                      <td className="nowrap">
                        {a.terminalId} <span className="sub">#{a.seq}</span>
                      </td>
                      <td>
                        {a.operatorName ?? '—'}
                        <span className="sub">{a.operatorId ?? ''}</span>
                      </td>
                      <td>{a.purposeLabel ?? a.purposeCategory ?? '—'}</td>
                      <td>{a.hasCaseNumber === null ? '—' : a.hasCaseNumber ? 'あり' : <span className="warn-text">なし</span>}</td>
                      <td>{OUTCOME_LABEL[a.outcome] ?? a.outcome}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </>
      )}
      {!list && <p className="sub">住民からの開示請求などで、ある住民の記録を誰がいつ何の目的で見たかを確認します。</p>}
    </div>
  );
});
