// カード貸出簿 (第17条17項): every lending of an operator card that started in the period, built from the
// sign-ins and their ends; open lendings and returns not yet confirmed by hand are highlighted, with a
// 返却確認 button. Exportable as CSV.
import { observer } from 'mobx-react-lite';
import { useState, type FormEvent } from 'react';
import { useStores } from '../../stores/root-store';
import { periodTag, type Lending } from '../../stores/spot-check-store';
import { cardLedgerCsv } from '../../../../shared/audit-csv';
import { shortDateTime } from '../admin/admin-format';
import { FieldMessage, IndexLine } from './SpotCheckSection';
import { csvBlob, fileName } from './spot-format';

const ENDED_BY: Record<string, string> = { 'signed-out': 'サインアウト', 'ended-by-roster': '名簿の変更で終了', 'app-stopped': 'アプリ終了', 'next-sign-in': '次のサインイン' };

export const LedgerSection = observer(function LedgerSection() {
  const { spot, ui } = useStores();
  const e = spot.ledgerErrors;
  const list = spot.lendings;
  const submit = (event: FormEvent) => {
    event.preventDefault();
    void spot.loadLedger();
  };
  const exportCsv = () => {
    if (!list) return;
    const name = fileName('カード貸出簿', periodTag(spot.shownLedgerPeriod), ui.trustedNow, 'csv');
    void spot.exportFile('card-ledger-csv', name, csvBlob(cardLedgerCsv(list)), { lendings: list.length });
  };
  const unconfirmed = list?.filter((l) => !l.returnConfirmed).length ?? 0;
  const open = list?.filter((l) => l.open).length ?? 0;
  return (
    <div data-testid="spot-ledger">
      <form className="spot-filters" onSubmit={submit} noValidate>
        <div className="spot-field spot-period">
          <span>貸与の期間</span>
          <div className="inline-field">
            <input value={spot.ledgerFrom} maxLength={60} onChange={(ev) => spot.setLedgerPeriod(ev.target.value, spot.ledgerTo)} data-testid="ledger-from" aria-label="期間の開始" />
            <span>〜</span>
            <input value={spot.ledgerTo} maxLength={60} onChange={(ev) => spot.setLedgerPeriod(spot.ledgerFrom, ev.target.value)} data-testid="ledger-to" aria-label="期間の終了" />
          </div>
          <FieldMessage text={e.period} testId="ledger-error-period" />
        </div>
        <div className="spot-actions">
          <button type="submit" disabled={spot.busy} data-testid="ledger-load">
            表示
          </button>
        </div>
        <FieldMessage text={e.form} testId="ledger-error-form" />
      </form>
      {list && (
        <>
          <div className="admin-toolbar">
            <span className="admin-count" data-testid="ledger-count">
              貸与 {list.length}件・使用中 {open}件・返却未確認 {unconfirmed}件{spot.ledgerTruncated ? '（件数が多いため一部のみ。期間を短くしてください）' : ''}
            </span>
            <IndexLine />
            <button className="small" onClick={exportCsv} disabled={list.length === 0} data-testid="ledger-export-csv">
              CSV出力
            </button>
          </div>
          {list.length === 0 ? (
            <p className="sub">この期間の貸与はありません。</p>
          ) : (
            <div className="table-scroll">
              <table className="admin-table spot-table" data-testid="ledger-table">
                <thead>
                  <tr>
                    <th>操作者</th>
                    <th>カード</th>
                    <th>端末</th>
                    <th>貸与（サインイン）</th>
                    <th>返却（終了）</th>
                    <th>返却の確認</th>
                  </tr>
                </thead>
                <tbody>
                  {list.map((l) => (
                    <LendingRow key={`${l.terminalId}#${l.lentSeq}`} lending={l} />
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </>
      )}
      {!list && <p className="sub">期間を入れて「表示」を押してください。使用中（未返却）と返却未確認の行は色付きで示します。</p>}
    </div>
  );
});

const LendingRow = observer(function LendingRow({ lending: l }: { lending: Lending }) {
  const { spot } = useStores();
  const [note, setNote] = useState('');
  const key = `${l.terminalId}#${l.lentSeq}`;
  const testKey = `${l.terminalId}-${l.lentSeq}`;
  const error = spot.returnErrors[key];
  return (
    <tr className={l.open ? 'lending-open' : !l.returnConfirmed ? 'lending-unconfirmed' : ''} data-testid={`lending-${testKey}`}>
      <td>
        {l.operatorName ?? '—'}
        <span className="sub">{l.operatorId}</span>
      </td>
      <td className="mono">{l.cardKeyId ? `${l.cardKeyId.slice(0, 8)}…` : '—'}</td>
      <td>{l.terminalId}</td>
      <td className="nowrap">
        <button className="linklike" onClick={() => void spot.openRecord(l.terminalId, l.lentSeq)}>
          {shortDateTime(l.lentAt)}
        </button>
      </td>
      <td className="nowrap">
        {l.open ? (
          <span className="pill pill-warn">使用中（未返却）</span>
        ) : (
          <>
            {shortDateTime(l.returnedAt)}
            <span className="sub">{l.endedBy ? (ENDED_BY[l.endedBy] ?? l.endedBy) : ''}</span>
          </>
        )}
      </td>
      <td>
        {l.returnConfirmed ? (
          <span data-testid={`return-confirmed-${testKey}`}>
            ✓ {l.returnConfirmed.byName ?? l.returnConfirmed.by}
            <span className="sub">
              {shortDateTime(l.returnConfirmed.at)}
              {l.returnConfirmed.note ? `・${l.returnConfirmed.note}` : ''}
            </span>
          </span>
        ) : (
          spot.may('audit.card-ledger.confirm-return') && (
            <div className="return-confirm">
              <input value={note} maxLength={250} placeholder="メモ（任意）" onChange={(ev) => setNote(ev.target.value)} data-testid={`return-note-${testKey}`} />
              <button className="small" disabled={spot.busy} onClick={() => void spot.confirmReturn(l, note)} data-testid={`confirm-return-${testKey}`}>
                返却確認
              </button>
              {error && (
                <em className="field-error block" role="alert" data-testid={`return-error-${testKey}`}>
                  {error}
                </em>
              )}
            </div>
          )
        )}
      </td>
    </tr>
  );
});
