// ログ: the operation-log explorer over all terminals (period required; terminal, operator, event type,
// purpose category, outcome, resident), newest first, page by page; every row opens the full record
// with its chain status. The page shown can be exported as CSV.
import { observer } from 'mobx-react-lite';
import type { FormEvent } from 'react';
import { useStores } from '../../stores/root-store';
import { EVENT_TYPE_LABEL, OUTCOME_LABEL, PURPOSE_CHOICES, eventLabel, periodTag, purposeLabel, type LogFilters } from '../../stores/spot-check-store';
import { auditLogCsv } from '../../../../shared/audit-csv';
import { shortDateTime } from '../admin/admin-format';
import { FieldMessage, IndexLine } from './SpotCheckSection';
import { csvBlob, fileName } from './spot-format';

const TEXT_FIELDS: { key: keyof LogFilters; label: string; placeholder: string; list?: string }[] = [
  { key: 'terminalId', label: '端末ID', placeholder: '例: term-demo-01' },
  { key: 'operatorId', label: '操作者ID', placeholder: '例: op-yamada' },
  { key: 'type', label: '種別（末尾が . なら前方一致）', placeholder: '例: resident.viewed', list: 'spot-event-types' },
  { key: 'purposeCategory', label: '検索目的の区分', placeholder: '例: juminhyo-copy', list: 'spot-purposes' },
  { key: 'residentId', label: '住民ID', placeholder: '例: R000123' },
];

export const LogSection = observer(function LogSection() {
  const { spot, ui } = useStores();
  const f = spot.filters;
  const e = spot.logErrors;
  const submit = (event: FormEvent) => {
    event.preventDefault();
    void spot.search();
  };
  const exportCsv = () => {
    if (!spot.rows) return;
    const name = fileName('操作ログ', `${periodTag(spot.shownPeriod)}-p${spot.page + 1}`, ui.trustedNow, 'csv');
    void spot.exportFile('audit-log-csv', name, csvBlob(auditLogCsv(spot.rows)), { rows: spot.rows.length, page: spot.page + 1 });
  };
  return (
    <div data-testid="spot-log">
      <form className="spot-filters" onSubmit={submit} noValidate data-testid="log-filters">
        <div className="spot-field spot-period">
          <span>期間（必須）</span>
          <div className="inline-field">
            <input value={f.from} maxLength={60} placeholder="2026-11-01" onChange={(ev) => spot.setFilter('from', ev.target.value)} data-testid="log-from" aria-label="期間の開始" />
            <span>〜</span>
            <input value={f.to} maxLength={60} placeholder="2026-11-24" onChange={(ev) => spot.setFilter('to', ev.target.value)} data-testid="log-to" aria-label="期間の終了" />
          </div>
          <FieldMessage text={e.period} testId="log-error-period" />
        </div>
        {TEXT_FIELDS.map((field) => (
          <label key={field.key} className="spot-field">
            <span>{field.label}</span>
            <input value={f[field.key]} maxLength={200} placeholder={field.placeholder} list={field.list} autoComplete="off" onChange={(ev) => spot.setFilter(field.key, ev.target.value)} data-testid={`log-${field.key}`} />
            <FieldMessage text={e[field.key]} testId={`log-error-${field.key}`} />
          </label>
        ))}
        <label className="spot-field">
          <span>結果</span>
          <select value={f.outcome} onChange={(ev) => spot.setFilter('outcome', ev.target.value)} data-testid="log-outcome">
            <option value="">すべて</option>
            <option value="success">成功</option>
            <option value="failure">失敗</option>
            <option value="info">情報</option>
          </select>
          <FieldMessage text={e.outcome} testId="log-error-outcome" />
        </label>
        <datalist id="spot-event-types">
          {Object.entries(EVENT_TYPE_LABEL).map(([type, label]) => (
            <option key={type} value={type}>
              {label}
            </option>
          ))}
          <option value="resident.">住民記録へのアクセスすべて</option>
          <option value="signin.">サインインの失敗・拒否すべて</option>
        </datalist>
        <datalist id="spot-purposes">
          {PURPOSE_CHOICES.map((c) => (
            <option key={c.id} value={c.id}>
              {c.label}
            </option>
          ))}
        </datalist>
        <div className="spot-actions">
          <button type="submit" disabled={spot.busy} data-testid="log-search">
            {spot.busy ? '検索中…' : '検索'}
          </button>
          <button type="button" className="secondary" onClick={() => spot.clearFilters()} data-testid="log-clear">
            条件をクリア
          </button>
        </div>
        <FieldMessage text={e.form} testId="log-error-form" />
      </form>
      {spot.rows && (
        <>
          <div className="admin-toolbar">
            <span className="admin-count" data-testid="log-count">
              {spot.rows.length === 0 ? '該当する記録はありません。' : `${spot.page + 1}ページ目・${spot.rows.length}件（新しい順）`}
            </span>
            <IndexLine />
            <button className="small secondary" onClick={() => void spot.newerPage()} disabled={spot.page === 0 || spot.busy} data-testid="log-newer">
              ← 新しい記録
            </button>
            <button className="small secondary" onClick={() => void spot.olderPage()} disabled={!spot.nextCursor || spot.busy} data-testid="log-older">
              古い記録 →
            </button>
            <button className="small" onClick={exportCsv} disabled={spot.rows.length === 0} data-testid="log-export-csv">
              このページをCSV出力
            </button>
          </div>
          {spot.rows.length > 0 && (
            <div className="table-scroll">
              <table className="admin-table spot-table" data-testid="log-table">
                <thead>
                  <tr>
                    <th>日時</th>
                    <th>端末・連番</th>
                    <th>種別</th>
                    <th>結果</th>
                    <th>操作者</th>
                    <th>検索目的</th>
                    <th>受付番号</th>
                  </tr>
                </thead>
                <tbody>
                  {spot.rows.map((r) => (
                    <tr
                      key={`${r.terminalId}#${r.seq}`}
                      tabIndex={0}
                      className={r.outcome === 'failure' ? 'failure' : ''}
                      onClick={() => void spot.openRecord(r.terminalId, r.seq)}
                      onKeyDown={(ev) => ev.key === 'Enter' && void spot.openRecord(r.terminalId, r.seq)}
                      data-testid={`log-row-${r.terminalId}-${r.seq}`}
                    >
                      <td className="nowrap">{shortDateTime(r.at)}</td>
                      <td className="nowrap">
                        {r.terminalId} <span className="sub">#{r.seq}</span>
                      </td>
                      <td>
                        {eventLabel(r.type)}
                        <span className="sub">{r.type}</span>
                      </td>
                      <td>{OUTCOME_LABEL[r.outcome] ?? r.outcome}</td>
                      <td>
                        {r.operatorName ?? '—'}
                        <span className="sub">{r.operatorId ?? ''}</span>
                      </td>
                      <td>{purposeLabel(r.purposeCategory)}</td>
                      <td>{r.hasCaseNumber === null ? '—' : r.hasCaseNumber ? 'あり' : <span className="warn-text">なし</span>}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </>
      )}
      {!spot.rows && <p className="sub">期間と条件を入れて「検索」を押してください。行を押すと記録の全項目と改ざん検査の結果を表示します。</p>}
    </div>
  );
});
