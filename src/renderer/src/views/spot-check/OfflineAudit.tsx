// オフライン点検（この端末のログのみ）: offered where the admin console cannot open for want of the
// server, to the manager or system administrator signed in here. The explorer and the findings over
// this terminal's own log, saying plainly what they cover.
import { observer } from 'mobx-react-lite';
import type { FormEvent } from 'react';
import { useStores } from '../../stores/root-store';
import { OfflineAuditStore, OFFLINE_MISSING_RULES, type OfflineFilters } from '../../stores/offline-audit-store';
import { OUTCOME_LABEL, eventLabel, purposeLabel } from '../../stores/spot-check-store';
import { Modal } from '../admin/Modal';
import { dateTime, shortDateTime } from '../admin/admin-format';
import { RULE_LABELS } from './rule-labels';
import { RecordDetailFacts, RecordHeadFacts } from './RecordFacts';
import { SEVERITY_TEXT, severityClass } from './spot-format';

export const OfflineAuditOffer = observer(function OfflineAuditOffer() {
  const { session, offlineAudit } = useStores();
  if (!OfflineAuditStore.offeredTo(session.snapshot)) return null;
  if (offlineAudit.visible) return <OfflineAuditView />;
  return (
    <div className="offline-offer" data-testid="offline-offer">
      <p>中央サーバーに接続できない間も、この端末に残っている操作ログだけは点検できます（他の端末の記録は含まれません）。</p>
      <button onClick={() => void offlineAudit.open()} data-testid="offline-open">
        オフライン点検（この端末のログのみ）
      </button>
      {offlineAudit.error && (
        <p className="error" role="alert">
          {offlineAudit.error}
        </p>
      )}
    </div>
  );
});

const FIELDS: { key: keyof OfflineFilters; label: string; placeholder: string }[] = [
  { key: 'operatorId', label: '操作者ID', placeholder: '例: op-yamada' },
  { key: 'type', label: '種別', placeholder: '例: resident.（前方一致）' },
  { key: 'residentId', label: '住民ID', placeholder: '例: R000123' },
];

const OfflineAuditView = observer(function OfflineAuditView() {
  const { offlineAudit: o, session } = useStores();
  const terminal = session.snapshot?.terminal;
  const submit = (event: FormEvent) => {
    event.preventDefault();
    void o.run();
  };
  return (
    <div className="offline-audit" data-testid="offline-audit">
      <div className="banner banner-warning" data-testid="offline-scope">
        オフライン点検: この端末（{terminal?.name}・{terminal?.id}）のログのみが対象です。
        {o.since ? `この端末には ${dateTime(o.since)} 以降の記録が残っています。` : 'この端末には記録が残っていません。'}
        他の端末の記録と、送信済みで削除された古い記録は含まれません。
      </div>
      <form className="spot-filters" onSubmit={submit} noValidate>
        <div className="spot-field spot-period">
          <span>期間</span>
          <div className="inline-field">
            <input value={o.filters.from} maxLength={60} onChange={(ev) => o.setFilter('from', ev.target.value)} data-testid="offline-from" aria-label="期間の開始" />
            <span>〜</span>
            <input value={o.filters.to} maxLength={60} onChange={(ev) => o.setFilter('to', ev.target.value)} data-testid="offline-to" aria-label="期間の終了" />
          </div>
        </div>
        {FIELDS.map((f) => (
          <label key={f.key} className="spot-field">
            <span>{f.label}</span>
            <input value={o.filters[f.key]} maxLength={100} placeholder={f.placeholder} onChange={(ev) => o.setFilter(f.key, ev.target.value)} data-testid={`offline-${f.key}`} />
          </label>
        ))}
        <label className="spot-field">
          <span>結果</span>
          <select value={o.filters.outcome} onChange={(ev) => o.setFilter('outcome', ev.target.value)} data-testid="offline-outcome">
            <option value="">すべて</option>
            <option value="success">成功</option>
            <option value="failure">失敗</option>
            <option value="info">情報</option>
          </select>
        </label>
        <div className="spot-actions">
          <button type="submit" disabled={o.loading} data-testid="offline-search">
            検索
          </button>
          <button type="button" className="secondary" onClick={() => o.close()} data-testid="offline-close">
            オフライン点検を閉じる
          </button>
        </div>
        {o.error && (
          <em className="field-error block" role="alert" data-testid="offline-error">
            {o.error}
          </em>
        )}
      </form>
      {o.findings && (
        <section className="offline-findings" data-testid="offline-findings">
          <h4>所見（この端末のみ）: {o.findings.length}件</h4>
          <p className="sub">{OFFLINE_MISSING_RULES}</p>
          <ol className="findings">
            {o.findings.map((f) => (
              <li key={f.id} className={`finding severity-${f.severity}`} data-testid="offline-finding" data-rule={f.rule}>
                <div className="finding-head">
                  <span className={`pill ${severityClass(f.severity)}`}>重要度 {SEVERITY_TEXT[f.severity]}</span>
                  <strong>{RULE_LABELS[f.rule]}</strong>
                  <span className="sub">{shortDateTime(f.firstAt)}</span>
                </div>
                <p className="finding-text">{f.explanation}</p>
                <button className="small secondary" onClick={() => o.toggleFinding(f.id)}>
                  {o.openFindingId === f.id ? '該当記録を閉じる' : `該当記録（${f.rowCount}件）`}
                </button>
                {o.openFindingId === f.id && (
                  <ul className="finding-rowlist">
                    {f.rows.map((r) => (
                      <li key={r.seq}>
                        <button className="linklike" onClick={() => void o.openRecord(r.seq)}>
                          #{r.seq}
                        </button>
                      </li>
                    ))}
                  </ul>
                )}
              </li>
            ))}
          </ol>
        </section>
      )}
      {o.rows && (
        <>
          <div className="admin-toolbar">
            <span className="admin-count" data-testid="offline-count">
              {o.rows.length === 0 ? '該当する記録はありません。' : `${o.rows.length}件（新しい順）・${o.page + 1}/${o.pages}ページ`}
            </span>
            <button className="small secondary" disabled={o.page === 0} onClick={() => o.setPage(o.page - 1)}>
              ← 新しい記録
            </button>
            <button className="small secondary" disabled={o.page + 1 >= o.pages} onClick={() => o.setPage(o.page + 1)}>
              古い記録 →
            </button>
          </div>
          {o.rows.length > 0 && (
            <div className="table-scroll">
              <table className="admin-table spot-table" data-testid="offline-table">
                <thead>
                  <tr>
                    <th>日時</th>
                    <th>連番</th>
                    <th>種別</th>
                    <th>結果</th>
                    <th>操作者</th>
                    <th>検索目的</th>
                    <th>住民</th>
                  </tr>
                </thead>
                <tbody>
                  {o.pageRows.map((r) => (
                    <tr key={r.seq} tabIndex={0} onClick={() => void o.openRecord(r.seq)} data-testid={`offline-row-${r.seq}`}>
                      <td className="nowrap">{shortDateTime(r.at)}</td>
                      <td>#{r.seq}</td>
                      <td>
                        {eventLabel(r.type)}
                        <span className="sub">{r.type}</span>
                      </td>
                      <td>{OUTCOME_LABEL[r.outcome] ?? r.outcome}</td>
                      <td>{r.operatorId ?? '—'}</td>
                      <td>{purposeLabel(r.purposeCategory)}</td>
                      <td>{r.residentIds.length === 0 ? '—' : r.residentIds.length > 3 ? `${r.residentIds.slice(0, 3).join('、')} ほか${r.residentIds.length - 3}名` : r.residentIds.join('、')}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </>
      )}
      <OfflineRecordDialog />
    </div>
  );
});

const OfflineRecordDialog = observer(function OfflineRecordDialog() {
  const { offlineAudit: o } = useStores();
  if (!o.record && !o.recordError) return null;
  if (!o.record) {
    return (
      <Modal title="記録を表示できません" testId="offline-record" tone="danger">
        <p className="error">{o.recordError}</p>
        <div className="modal-actions">
          <button onClick={() => o.closeRecord()}>閉じる</button>
        </div>
      </Modal>
    );
  }
  const { record, hashValid, linkValid } = o.record;
  const intact = hashValid && linkValid !== false;
  return (
    <Modal title={`この端末の記録 #${record.seq}`} testId="offline-record" tone={intact ? 'info' : 'danger'}>
      <div className={`chain-status ${intact ? 'ok' : 'ng'}`} data-testid="offline-record-chain">
        <strong>{intact ? '✓ 改ざんなし（この端末で検査）' : '✗ 改ざんの疑い'}</strong>
        <span>
          ハッシュ {hashValid ? '✓ 一致' : '✗ 不一致'}・前の記録との連結 {linkValid === null ? '—（前の記録は削除済み）' : linkValid ? '✓ 一致' : '✗ 不一致'}
        </span>
        <span>署名付きチェックポイントはサーバーで確認します（オフラインでは確認できません）。</span>
      </div>
      <dl className="admin-facts record-facts">
        <RecordHeadFacts at={record.at} type={record.type} outcome={record.outcome} />
        <dt>操作者</dt>
        <dd>{record.operatorId ?? '—'}</dd>
        <RecordDetailFacts detail={record.detail} />
      </dl>
      <div className="modal-actions">
        <button onClick={() => o.closeRecord()} data-testid="offline-record-close">
          閉じる
        </button>
      </div>
    </Modal>
  );
});
