// 所見: the findings of a period (all terminals), each with its severity, the rule in Japanese, the
// plain-Japanese explanation and the rows behind it (each row opens the record). Exportable as CSV.
import { observer } from 'mobx-react-lite';
import { useState, type FormEvent } from 'react';
import { useStores } from '../../stores/root-store';
import { eventLabel, periodTag, type Finding } from '../../stores/spot-check-store';
import { RULE_LABELS, RULE_IDS_FOR_FILTER } from './rule-labels';
import { findingsCsv } from '../../../../shared/audit-csv';
import { dateTime, shortDateTime } from '../admin/admin-format';
import { FieldMessage, IndexLine } from './SpotCheckSection';
import { ConfigEditor } from './ConfigEditor';
import { SEVERITY_TEXT, csvBlob, fileName, severityClass } from './spot-format';

export const FindingsSection = observer(function FindingsSection() {
  const { spot, ui } = useStores();
  const e = spot.findingsErrors;
  const answer = spot.findings;
  const [editing, setEditing] = useState(false);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    void spot.loadFindings();
  };
  const exportCsv = () => {
    if (!answer) return;
    const name = fileName('所見', periodTag({ from: answer.basis.from, to: answer.basis.to }), ui.trustedNow, 'csv');
    void spot.exportFile('findings-csv', name, csvBlob(findingsCsv(answer.findings)), { findings: answer.findings.length });
  };
  return (
    <div data-testid="spot-findings">
      <form className="spot-filters" onSubmit={submit} noValidate data-testid="findings-form">
        <div className="spot-field spot-period">
          <span>期間（最長93日）</span>
          <div className="inline-field">
            <input value={spot.findingsFrom} maxLength={60} onChange={(ev) => spot.setFindingsQuery({ from: ev.target.value })} data-testid="findings-from" aria-label="期間の開始" />
            <span>〜</span>
            <input value={spot.findingsTo} maxLength={60} onChange={(ev) => spot.setFindingsQuery({ to: ev.target.value })} data-testid="findings-to" aria-label="期間の終了" />
          </div>
          <FieldMessage text={e.period} testId="findings-error-period" />
        </div>
        <label className="spot-field">
          <span>規則</span>
          <select value={spot.findingsRule} onChange={(ev) => spot.setFindingsQuery({ rule: ev.target.value })} data-testid="findings-rule">
            <option value="">すべての規則</option>
            {RULE_IDS_FOR_FILTER.map((id) => (
              <option key={id} value={id}>
                {RULE_LABELS[id]}
              </option>
            ))}
          </select>
          <FieldMessage text={e.rule} testId="findings-error-rule" />
        </label>
        <label className="spot-field">
          <span>操作者ID</span>
          <input value={spot.findingsOperatorId} maxLength={200} placeholder="例: op-yamada" onChange={(ev) => spot.setFindingsQuery({ operatorId: ev.target.value })} data-testid="findings-operatorId" />
          <FieldMessage text={e.operatorId} testId="findings-error-operatorId" />
        </label>
        <div className="spot-actions">
          <button type="submit" disabled={spot.busy} data-testid="findings-run">
            {spot.busy ? '点検中…' : '所見を表示'}
          </button>
        </div>
        <FieldMessage text={e.form} testId="findings-error-form" />
      </form>
      {answer && (
        <>
          <div className="admin-toolbar">
            <span className="admin-count" data-testid="findings-count">
              {answer.counts.total === 0 ? '所見はありません。' : `所見 ${answer.counts.total}件（重要度 高 ${answer.counts.high}・中 ${answer.counts.medium}・低 ${answer.counts.low}）`}
            </span>
            <span className="sub">
              {dateTime(answer.basis.from)}〜{dateTime(answer.basis.to)}・記録 {answer.basis.records.toLocaleString('ja-JP')}件を点検
            </span>
            <IndexLine />
            <button className="small" onClick={exportCsv} disabled={answer.findings.length === 0} data-testid="findings-export-csv">
              CSV出力
            </button>
          </div>
          <ol className="findings" data-testid="findings-list">
            {answer.findings.map((f) => (
              <FindingCard key={f.id} finding={f} />
            ))}
          </ol>
        </>
      )}
      {!answer && <p className="sub">期間を入れて「所見を表示」を押すと、規則に当てはまる操作を重要度の高い順に示します。</p>}
      {spot.config && (
        <p className="sub" data-testid="findings-config">
          規則の設定:{' '}
          {spot.config.changedAt
            ? `${dateTime(spot.config.changedAt)} に ${spot.config.changedBy ?? ''} が変更（変更した項目 ${Object.keys(spot.config.overrides).length}件）`
            : '既定値のまま'}
          {spot.config.config.disabledRules.length > 0 && `・停止中の規則: ${spot.config.config.disabledRules.map((r) => RULE_LABELS[r]).join('、')}`}
          {spot.may('audit.config.set') && !editing && (
            <button type="button" className="small secondary spot-config-open" onClick={() => setEditing(true)} data-testid="config-open">
              規則の設定を変更…
            </button>
          )}
        </p>
      )}
      {spot.configOutcome && !editing && (
        <p className="admin-outcome ok" role="status" data-testid="config-outcome">
          {spot.configOutcome}
        </p>
      )}
      {editing && <ConfigEditor onClose={() => setEditing(false)} />}
    </div>
  );
});

const FindingCard = observer(function FindingCard({ finding: f }: { finding: Finding }) {
  const { spot } = useStores();
  const open = spot.openFindingId === f.id;
  return (
    <li className={`finding severity-${f.severity}`} data-testid="finding" data-rule={f.rule} data-rows={f.rows.map((r) => `${r.terminalId}#${r.seq}`).join(' ')}>
      <div className="finding-head">
        <span className={`pill ${severityClass(f.severity)}`}>重要度 {SEVERITY_TEXT[f.severity]}</span>
        <strong>{f.ruleLabel}</strong>
        <span className="sub">
          {shortDateTime(f.firstAt)}
          {f.lastAt !== f.firstAt ? ` 〜 ${shortDateTime(f.lastAt)}` : ''}
        </span>
      </div>
      <p className="finding-text">{f.explanation}</p>
      {f.rows.length > 0 && (
        <button className="small secondary" onClick={() => spot.toggleFinding(f.id)} aria-expanded={open} data-testid="finding-toggle">
          {open ? '該当記録を閉じる' : `該当記録を表示（${f.rowCount}件${f.rowCount > f.rows.length ? `、うち${f.rows.length}件を表示` : ''}）`}
        </button>
      )}
      {open && (
        <table className="admin-table spot-table finding-rows">
          <tbody>
            {f.rows.map((r) => (
              <tr
                key={`${r.terminalId}#${r.seq}`}
                tabIndex={0}
                onClick={() => void spot.openRecord(r.terminalId, r.seq)}
                onKeyDown={(ev) => ev.key === 'Enter' && void spot.openRecord(r.terminalId, r.seq)}
                data-testid={`finding-row-${r.terminalId}-${r.seq}`}
              >
                <td className="nowrap">{r.at ? shortDateTime(r.at) : '—'}</td>
                <td className="nowrap">
                  {r.terminalId} <span className="sub">#{r.seq}</span>
                </td>
                <td>{r.type ? eventLabel(r.type) : '—'}</td>
                <td>{r.operatorName ?? r.operatorId ?? '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </li>
  );
});
