// The counter's resident search (issue 4): purpose first, then criteria, results, one record.
// Shows only what ResidentStore holds; every rule (purpose, logging, clearing) lives in the store.
import { observer } from 'mobx-react-lite';
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { useStores } from '../stores/root-store';
import { PurposeForm } from './PurposeForm';
import { ResidentRecord } from './ResidentRecord';
import { ResidentResults } from './ResidentResults';
import { ReplicaStatusLine } from './ReplicaStatusLine';
import { PrintArea } from './PrintDialog';
import type { SearchInput } from '../../../domain/resident/search-query';

const EMPTY: Required<SearchInput> = { kana: '', name: '', birth: '', address: '', code: '' };

const FIELDS: { key: keyof SearchInput; label: string; placeholder: string; wide?: boolean }[] = [
  { key: 'kana', label: 'カナ氏名（前方一致）', placeholder: 'ヤマダ ハナコ / やまだ' },
  { key: 'name', label: '漢字氏名（前方一致）', placeholder: '山田 花子（髙・﨑なども可）' },
  { key: 'birth', label: '生年月日', placeholder: 'S45.3.1 / 昭和45年3月1日 / 1970-03-01' },
  { key: 'code', label: '住民票コード（11桁）', placeholder: '数字11桁' },
  { key: 'address', label: '住所（他の条件と併せて）', placeholder: '組山町本郷 1-2', wide: true },
];

/** The fields filled in, as the search takes them. */
function typedInput(form: Required<SearchInput>): SearchInput {
  const input: SearchInput = {};
  for (const { key } of FIELDS) if (form[key].trim() !== '') input[key] = form[key];
  return input;
}

export const ResidentSearch = observer(function ResidentSearch() {
  const { residents } = useStores();
  const [form, setForm] = useState<Required<SearchInput>>(EMPTY);
  const first = useRef<HTMLInputElement>(null);

  // A new case (or none): the criteria typed for the old one go too.
  const caseKey = residents.purpose ? `${residents.purpose.categoryId}/${residents.purpose.caseNumber ?? ''}/${residents.purpose.note ?? ''}` : '';
  useEffect(() => {
    setForm(EMPTY);
    if (caseKey) first.current?.focus();
  }, [caseKey]);

  useEffect(() => {
    // F9 covers the screen at once (a resident leans over the counter); F9 again shows it.
    const onKey = (event: KeyboardEvent) => {
      if (event.key === 'F9') {
        event.preventDefault();
        residents.toggleHidden();
      } else if (event.key === 'Escape' && residents.selected) {
        residents.closeRecord();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [residents]);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    void residents.search(typedInput(form));
  };

  return (
    <section className="card resident" data-testid="resident-search">
      <PrintArea />
      {residents.hidden && (
        <div className="privacy-cover" data-testid="privacy-cover" role="dialog" aria-label="画面を隠しています">
          <p>画面を隠しています</p>
          <p className="hint">F9 キーで元に戻します</p>
        </div>
      )}
      <div className="resident-head">
        <h2>住民検索</h2>
        <ReplicaStatusLine />
        <button className="secondary" onClick={() => residents.toggleHidden()} data-testid="hide-screen">
          画面を隠す（F9）
        </button>
      </div>
      {!residents.purpose ? (
        <PurposeForm />
      ) : (
        <>
          <div className="purpose-current" data-testid="purpose-current">
            <span className="purpose-label">検索の目的</span>
            <strong>{residents.categories.find((c) => c.id === residents.purpose!.categoryId)?.label ?? residents.purpose.categoryLabel}</strong>
            {residents.purpose.caseNumber && <span>受付番号 {residents.purpose.caseNumber}</span>}
            {residents.purpose.note && <span className="purpose-note">{residents.purpose.note}</span>}
            <button className="secondary" onClick={() => void residents.endCase()} data-testid="end-case">
              この案件を終了
            </button>
          </div>
          <form className="search-form" onSubmit={submit} data-testid="search-form" noValidate>
            {FIELDS.map((f, i) => (
              <label key={f.key} className={f.wide ? 'wide' : ''}>
                <span>{f.label}</span>
                <input
                  ref={i === 0 ? first : undefined}
                  value={form[f.key]}
                  maxLength={f.key === 'address' ? 200 : 100}
                  placeholder={f.placeholder}
                  autoComplete="off"
                  spellCheck={false}
                  data-testid={`search-${f.key}`}
                  aria-invalid={residents.searchErrors[f.key] ? true : undefined}
                  onChange={(e) => {
                    const next = { ...form, [f.key]: e.target.value };
                    setForm(next);
                    // The chunks this search would open are read and opened while the operator types (ResidentStore.readAhead).
                    void residents.readAhead(typedInput(next));
                  }}
                />
                {residents.searchErrors[f.key] && (
                  <em className="field-error" data-testid={`search-error-${f.key}`}>
                    {residents.searchErrors[f.key]}
                  </em>
                )}
              </label>
            ))}
            <div className="search-actions">
              <button type="submit" disabled={residents.busy} data-testid="search-submit">
                検索
              </button>
              <button type="button" className="secondary" onClick={() => setForm(EMPTY)}>
                条件をクリア
              </button>
            </div>
          </form>
          {residents.message && (
            <p className="notice" data-testid="resident-message">
              {residents.message}
            </p>
          )}
          {residents.selected ? <ResidentRecord /> : residents.hits && <ResidentResults />}
        </>
      )}
    </section>
  );
});
