// 抽出点検: draw a reproducible, risk-weighted sample of the searches of a period (size and seed), then
// judge each item — 適正 / 要確認 / 不適正 with a comment (required for the last two). Earlier draws
// can be reopened; the sample with its verdicts exports as CSV.
import { observer } from 'mobx-react-lite';
import type { FormEvent } from 'react';
import { useStores } from '../../stores/root-store';
import { itemKey, periodTag, type SampleItem, type VerdictChoice } from '../../stores/spot-check-store';
import { sampleCsv } from '../../../../shared/audit-csv';
import { VERDICT_LABELS } from '../../../../shared/spot-check-api';
import { dateTime, shortDateTime } from '../admin/admin-format';
import { FieldMessage } from './SpotCheckSection';
import { RULE_LABELS } from './rule-labels';
import { csvBlob, fileName, severityClass, SEVERITY_TEXT } from './spot-format';

const VERDICTS: VerdictChoice[] = ['appropriate', 'needs-check', 'inappropriate'];

export const SamplesSection = observer(function SamplesSection() {
  const { spot, ui } = useStores();
  const e = spot.sampleErrors;
  const current = spot.sample;
  const submit = (event: FormEvent) => {
    event.preventDefault();
    void spot.drawSample();
  };
  const exportCsv = () => {
    if (!current) return;
    const name = fileName('抽出点検', periodTag({ from: current.sample.from, to: current.sample.to }), ui.trustedNow, 'csv');
    void spot.exportFile('sample-csv', name, csvBlob(sampleCsv(current)), { sampleId: current.sample.id, items: current.items.length });
  };
  return (
    <div className="admin-split" data-testid="spot-samples">
      <div className="admin-main">
        {current ? (
          <>
            <div className="admin-toolbar">
              <span className="admin-count" data-testid="sample-summary">
                {dateTime(current.sample.from).split(' ')[0]}〜{dateTime(current.sample.to).split(' ')[0]} の検索 {current.sample.populationSize}件（うち所見あり {current.sample.riskyPopulation}件）から {current.items.length}件・シード「{current.sample.seed}」・判定済み {current.sample.judged}/{current.items.length}
              </span>
              <button className="small" onClick={exportCsv} data-testid="sample-export-csv">
                CSV出力
              </button>
            </div>
            <p className="sub">所見のある検索ほど選ばれやすくしています（重み: 所見なし {current.method.weights.clean}、高 {current.method.weights.high}・中 {current.method.weights.medium}・低 {current.method.weights.low}）。同じ期間・件数・シードなら同じ抽出になります。</p>
            {current.items.length === 0 && <p className="sub">この期間には検索がありません。</p>}
            <ol className="sample-items">
              {current.items.map((item) => (
                <SampleItemRow key={itemKey(item)} item={item} />
              ))}
            </ol>
          </>
        ) : (
          <p className="sub">右の欄で期間・件数を決めて抽出するか、過去の抽出を開いてください。</p>
        )}
        {spot.samples && spot.samples.length > 0 && (
          <>
            <h4>これまでの抽出</h4>
            <table className="admin-table spot-table" data-testid="sample-list">
              <thead>
                <tr>
                  <th>抽出日時</th>
                  <th>期間</th>
                  <th>件数</th>
                  <th>判定</th>
                  <th>抽出者</th>
                </tr>
              </thead>
              <tbody>
                {spot.samples.map((s) => (
                  <tr key={s.id} tabIndex={0} className={current?.sample.id === s.id ? 'selected' : ''} onClick={() => void spot.openSample(s.id)} data-testid={`sample-${s.id}`}>
                    <td className="nowrap">{shortDateTime(s.drawnAt)}</td>
                    <td className="nowrap">
                      {shortDateTime(s.from).slice(0, 10)}〜{shortDateTime(s.to).slice(0, 10)}
                    </td>
                    <td>{s.items}</td>
                    <td>
                      {s.judged}/{s.items}
                      {s.verdicts.inappropriate > 0 && <span className="pill pill-error">不適正 {s.verdicts.inappropriate}</span>}
                      {s.verdicts['needs-check'] > 0 && <span className="pill pill-warn">要確認 {s.verdicts['needs-check']}</span>}
                    </td>
                    <td>{s.drawnByName ?? s.drawnBy}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </>
        )}
      </div>
      {spot.may('audit.samples.draw') && (
        <aside className="admin-side">
          <form className="admin-form" onSubmit={submit} noValidate data-testid="sample-form">
            <h4 className="wide">抽出する</h4>
            <label className="admin-field">
              <span>期間の開始</span>
              <input value={spot.sampleFrom} maxLength={60} onChange={(ev) => spot.setSampleForm({ from: ev.target.value })} data-testid="sample-from" />
            </label>
            <label className="admin-field">
              <span>期間の終了</span>
              <input value={spot.sampleTo} maxLength={60} onChange={(ev) => spot.setSampleForm({ to: ev.target.value })} data-testid="sample-to" />
            </label>
            <div className="wide">
              <FieldMessage text={e.period} testId="sample-error-period" />
            </div>
            <label className="admin-field">
              <span>件数（1〜200）</span>
              <input value={spot.sampleSize} maxLength={6} inputMode="numeric" onChange={(ev) => spot.setSampleForm({ size: ev.target.value })} data-testid="sample-size" />
              <FieldMessage text={e.size} testId="sample-error-size" />
            </label>
            <label className="admin-field">
              <span>シード（任意）</span>
              <input value={spot.sampleSeed} maxLength={80} placeholder="空欄なら自動" onChange={(ev) => spot.setSampleForm({ seed: ev.target.value })} data-testid="sample-seed" />
              <FieldMessage text={e.seed} testId="sample-error-seed" />
            </label>
            <div className="wide">
              <FieldMessage text={e.form} testId="sample-error-form" />
            </div>
            <div className="search-actions wide">
              <button type="submit" disabled={spot.busy} data-testid="sample-draw">
                抽出する
              </button>
            </div>
          </form>
        </aside>
      )}
    </div>
  );
});

const SampleItemRow = observer(function SampleItemRow({ item }: { item: SampleItem }) {
  const { spot } = useStores();
  const key = itemKey(item);
  const draft = spot.drafts[key] ?? { verdict: '', comment: '' };
  const error = spot.itemErrors[key];
  const testKey = `${item.terminalId}-${item.seq}`;
  return (
    <li className={`sample-item ${item.verdict ? `judged-${item.verdict.verdict}` : ''}`} data-testid={`sample-item-${testKey}`}>
      <div className="sample-item-head">
        <strong>{item.position}.</strong>
        <button className="linklike" onClick={() => void spot.openRecord(item.terminalId, item.seq)} data-testid={`sample-open-${testKey}`}>
          {shortDateTime(item.at)} {item.terminalId} #{item.seq}
        </button>
        <span>{item.operatorName ?? item.operatorId ?? '—'}</span>
        <span className="sub">
          目的: {item.purposeLabel ?? item.purposeCategory ?? '—'}・受付番号 {item.hasCaseNumber === null ? '—' : item.hasCaseNumber ? 'あり' : 'なし'}
        </span>
        {item.verdict && (
          <span className={`pill ${item.verdict.verdict === 'appropriate' ? 'pill-ok' : item.verdict.verdict === 'needs-check' ? 'pill-warn' : 'pill-error'}`} data-testid={`sample-verdict-${testKey}`}>
            {VERDICT_LABELS[item.verdict.verdict]}（{item.verdict.byName ?? item.verdict.by}）
          </span>
        )}
      </div>
      {item.findings.length > 0 && (
        <ul className="sample-findings">
          {item.findings.map((f) => (
            <li key={f.findingId}>
              <span className={`pill ${severityClass(f.severity)}`}>{SEVERITY_TEXT[f.severity]}</span> {RULE_LABELS[f.rule as keyof typeof RULE_LABELS] ?? f.rule}: {f.explanation}
            </li>
          ))}
        </ul>
      )}
      {spot.may('audit.samples.verdict') && (
        <div className="verdict-row">
          {VERDICTS.map((v) => (
            <label key={v} className="radio">
              <input type="radio" name={`verdict-${key}`} checked={draft.verdict === v} onChange={() => spot.setDraft(item, { verdict: v })} data-testid={`verdict-${v}-${testKey}`} />
              {VERDICT_LABELS[v]}
            </label>
          ))}
          <input className="verdict-comment" value={draft.comment} maxLength={600} placeholder="コメント（要確認・不適正は必須）" onChange={(ev) => spot.setDraft(item, { comment: ev.target.value })} data-testid={`verdict-comment-${testKey}`} />
          <button className="small" disabled={spot.busy} onClick={() => void spot.recordVerdict(item)} data-testid={`verdict-save-${testKey}`}>
            {item.verdict ? '判定を変更' : '判定を記録'}
          </button>
          {error && (
            <em className="field-error block" role="alert" data-testid={`verdict-error-${testKey}`}>
              {error}
            </em>
          )}
        </div>
      )}
    </li>
  );
});
