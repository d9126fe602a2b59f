// Printing a record (第22条4項・5項): asked first, with a reason, logged with what the printout
// holds; the code is printed masked. The print-only copy exists only while the print dialog is up.
import { observer } from 'mobx-react-lite';
import { useState, type FormEvent } from 'react';
import { useStores } from '../stores/root-store';
import { ResidentHistory } from './ResidentHistory';
import { PRINT_REASONS } from '../stores/resident-store';
import { formatJapaneseDate } from '../../../domain/resident/era';
import { maskResidentCode } from '../../../domain/resident/resident-code';
import { SEX_LABEL, STATUS_LABEL } from './resident-labels';

export const PrintDialog = observer(function PrintDialog() {
  const { residents } = useStores();
  const [reason, setReason] = useState('');
  const [note, setNote] = useState('');
  if (!residents.printAsked || !residents.selected) return null;
  const submit = (event: FormEvent) => {
    event.preventDefault();
    void residents.confirmPrint(reason, note);
  };
  return (
    <form className="print-dialog" role="dialog" aria-label="印刷の確認" onSubmit={submit} data-testid="print-dialog" noValidate>
      <h4>この記録を印刷しますか</h4>
      <p>印刷物は窓口の外に持ち出さず、用が済んだら必ずシュレッダーで廃棄してください。住民票コードは伏せて印刷されます。印刷したことは記録されます。</p>
      <label>
        <span>印刷する理由</span>
        <select value={reason} onChange={(e) => setReason(e.target.value)} data-testid="print-reason">
          <option value="">選択してください</option>
          {PRINT_REASONS.map((r) => (
            <option key={r.id} value={r.id}>
              {r.label}
            </option>
          ))}
        </select>
        {residents.printErrors.reason && <em className="field-error">{residents.printErrors.reason}</em>}
      </label>
      <label>
        <span>補足（「その他」の場合は必須。個人名は書かないでください）</span>
        <input value={note} maxLength={100} onChange={(e) => setNote(e.target.value)} data-testid="print-note" autoComplete="off" />
        {residents.printErrors.note && <em className="field-error">{residents.printErrors.note}</em>}
      </label>
      <div className="search-actions">
        <button type="submit" data-testid="print-confirm">
          印刷する
        </button>
        <button type="button" className="secondary" onClick={() => residents.cancelPrint()}>
          やめる
        </button>
      </div>
    </form>
  );
});

/** The only thing on paper: the record being printed, with the code masked. Hidden on screen. */
export const PrintArea = observer(function PrintArea() {
  const { residents } = useStores();
  const r = residents.printing;
  if (!r) return null;
  return (
    <div className="print-area" data-testid="print-area">
      <h1>本人確認情報</h1>
      <dl>
        <dt>氏名</dt>
        <dd>
          {r.name}（{r.kana}）
        </dd>
        <dt>生年月日</dt>
        <dd>{formatJapaneseDate(r.birthDate)}</dd>
        <dt>性別</dt>
        <dd>{SEX_LABEL[r.sex]}</dd>
        <dt>住所</dt>
        <dd>{r.address}</dd>
        <dt>状態</dt>
        <dd>{STATUS_LABEL[r.status]}</dd>
        <dt>住民票コード</dt>
        <dd>{maskResidentCode(r.code)}</dd>
      </dl>
      <ResidentHistory history={r.history} />
      <p>取扱注意：用済み後は直ちに廃棄すること</p>
    </div>
  );
});
