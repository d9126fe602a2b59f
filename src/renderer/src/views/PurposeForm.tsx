// 第22条6項: the purpose of a search is made clear before it — a category from the manager's list
// and the case/receipt number (or, where a category has none, a short description).
import { observer } from 'mobx-react-lite';
import { useState, type FormEvent } from 'react';
import { useStores } from '../stores/root-store';

export const PurposeForm = observer(function PurposeForm() {
  const { residents } = useStores();
  const [categoryId, setCategoryId] = useState('');
  const [caseNumber, setCaseNumber] = useState('');
  const [note, setNote] = useState('');
  const category = residents.categories.find((c) => c.id === categoryId);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    void residents.statePurpose({ categoryId, ...(caseNumber.trim() ? { caseNumber } : {}), ...(note.trim() ? { note } : {}) });
  };

  return (
    <form className="purpose-form" onSubmit={submit} data-testid="purpose-form" noValidate>
      <p className="purpose-intro">検索の前に、この案件の目的を入力してください。目的を入力するまで検索はできません。</p>
      <label>
        <span>事務の種類</span>
        <select value={categoryId} onChange={(e) => setCategoryId(e.target.value)} data-testid="purpose-category">
          <option value="">選択してください</option>
          {residents.categories.map((c) => (
            <option key={c.id} value={c.id}>
              {c.label}
            </option>
          ))}
        </select>
        {residents.purposeErrors.categoryId && <em className="field-error">{residents.purposeErrors.categoryId}</em>}
      </label>
      <label>
        <span>受付番号・案件番号{category?.needsCaseNumber ? '（必須）' : ''}</span>
        <input value={caseNumber} maxLength={30} onChange={(e) => setCaseNumber(e.target.value)} data-testid="purpose-case" autoComplete="off" />
        {residents.purposeErrors.caseNumber && (
          <em className="field-error" data-testid="purpose-error-case">
            {residents.purposeErrors.caseNumber}
          </em>
        )}
      </label>
      <label className="wide">
        <span>内容（受付番号がない場合は必須。個人名は書かないでください）</span>
        <input value={note} maxLength={100} onChange={(e) => setNote(e.target.value)} data-testid="purpose-note" autoComplete="off" />
        {residents.purposeErrors.note && (
          <em className="field-error" data-testid="purpose-error-note">
            {residents.purposeErrors.note}
          </em>
        )}
      </label>
      <div className="search-actions">
        <button type="submit" data-testid="purpose-submit">
          目的を確定して検索へ
        </button>
      </div>
      {residents.message && <p className="notice">{residents.message}</p>}
    </form>
  );
});
