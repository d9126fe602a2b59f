// 規則の設定 (the information-protection manager's): which findings rules run and their thresholds.
// Saving sends only what differs from the defaults, with a reason; the server checks every key and
// range again and records who changed it and why (docs/server-api.md, PUT /admin/audit-config).
import { observer } from 'mobx-react-lite';
import { useState, type FormEvent } from 'react';
import { useStores } from '../../stores/root-store';
import { RULE_IDS, type RuleId } from '../../../../domain/audit/types';
import type { AuditConfig } from '../../../../domain/audit/config';
import { RULE_LABELS } from './rule-labels';
import { FieldMessage } from './SpotCheckSection';

type NumberKey = {
  [K in keyof AuditConfig]: AuditConfig[K] extends number ? K : never;
}[keyof AuditConfig];

/** The thresholds shown, in the order of the rule kinds, with what each means in plain Japanese. */
const NUMBER_FIELDS: readonly { key: NumberKey; label: string }[] = [
  { key: 'minNoteChars', label: '受付番号のない目的の記述の最小文字数' },
  { key: 'minSpecificNoteChars', label: '一般的な語を除いた記述の最小文字数' },
  { key: 'repeatedNoteMin', label: '同じ記述の繰り返し（回以上）' },
  { key: 'repeatedNoteWindowDays', label: '同じ記述の繰り返しを見る日数' },
  { key: 'manyOperatorsMin', label: '一人の住民を参照した操作者（人以上）' },
  { key: 'manyOperatorsWindowDays', label: '同上を見る日数' },
  { key: 'sameSurnameMaxShare', label: '同姓とする姓の町内での割合の上限（0〜1）' },
  { key: 'volumeFactor', label: '普段の件数の何倍で「多い」とするか' },
  { key: 'volumeFloor', label: '「多い」とする1日の最低件数' },
  { key: 'volumeMinHistoryDays', label: '普段の件数とするのに要る過去の勤務日数' },
  { key: 'volumeBaselineDays', label: '普段の件数を見る過去の日数' },
  { key: 'nearClosingMinutes', label: '閉庁前とする時間（分）' },
  { key: 'nearClosingMinAccesses', label: '閉庁前の受付番号なしの参照（件以上）' },
  { key: 'failuresPerOperator', label: '操作者のパスワード誤り（回以上）' },
  { key: 'failureWindowMinutes', label: '同上を数える時間（分）' },
  { key: 'failuresPerTerminal', label: '一台の端末でのサインイン失敗（回以上）' },
  { key: 'terminalFailureWindowMinutes', label: '同上を数える時間（分）' },
  { key: 'staleSyncOpenHours', label: '送信が途絶えたとする開庁時間（時間）' },
  { key: 'maxRowsPerFinding', label: '所見ごとに示す記録の最大数' },
];

export const ConfigEditor = observer(function ConfigEditor({ onClose }: { onClose: () => void }) {
  const { spot } = useStores();
  const current = spot.config?.config;
  const [numbers, setNumbers] = useState<Record<string, string>>(() =>
    Object.fromEntries(NUMBER_FIELDS.map((f) => [f.key, current ? String(current[f.key]) : ''])),
  );
  const [enabled, setEnabled] = useState<Set<RuleId>>(() => new Set(RULE_IDS.filter((r) => !current?.disabledRules.includes(r))));
  const [sameSurnameOnlyWithoutCase, setSurnameOnly] = useState(current?.sameSurnameOnlyWithoutCase ?? true);
  const [reportExceptionDays, setExceptionDays] = useState(current?.reportExceptionDays ?? true);
  const [reason, setReason] = useState('');
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});
  if (!current || !spot.config) return null;
  const defaults = spot.config.defaults;

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const errors: Record<string, string> = {};
    const values: Partial<Record<NumberKey, number>> = {};
    for (const f of NUMBER_FIELDS) {
      const text = (numbers[f.key] ?? '').trim();
      const value = Number(text);
      if (text === '' || !Number.isFinite(value)) errors[f.key] = '数値を入力してください。';
      else values[f.key] = value;
    }
    setFieldErrors(errors);
    if (Object.keys(errors).length > 0) return;
    const ok = await spot.saveConfig(
      { ...values, disabledRules: RULE_IDS.filter((r) => !enabled.has(r)), sameSurnameOnlyWithoutCase, reportExceptionDays },
      reason,
    );
    if (ok) onClose();
  };
  const toggle = (rule: RuleId) => {
    const next = new Set(enabled);
    if (next.has(rule)) next.delete(rule);
    else next.add(rule);
    setEnabled(next);
  };
  return (
    <form className="spot-config" onSubmit={(e) => void submit(e)} noValidate data-testid="config-editor">
      <h3>規則の設定</h3>
      <p className="sub">使う規則と、所見とする基準を決めます。保存すると次に所見を表示したときから使われます。変更は理由とともに記録されます。</p>
      <fieldset>
        <legend>使う規則</legend>
        <div className="spot-config-rules">
          {RULE_IDS.map((rule) => (
            <label key={rule}>
              <input type="checkbox" checked={enabled.has(rule)} onChange={() => toggle(rule)} data-testid={`config-rule-${rule}`} />
              {RULE_LABELS[rule]}
            </label>
          ))}
        </div>
      </fieldset>
      <fieldset>
        <legend>基準</legend>
        <div className="spot-config-numbers">
          {NUMBER_FIELDS.map((f) => (
            <label key={f.key} className="spot-field">
              <span>
                {f.label}（既定 {defaults[f.key]}）
              </span>
              <input value={numbers[f.key] ?? ''} inputMode="decimal" maxLength={12} onChange={(e) => {
                  setNumbers({ ...numbers, [f.key]: e.target.value });
                  if (fieldErrors[f.key]) setFieldErrors({ ...fieldErrors, [f.key]: '' });
                }} data-testid={`config-${f.key}`} />
              <FieldMessage text={fieldErrors[f.key]} testId={`config-error-${f.key}`} />
            </label>
          ))}
        </div>
        <label>
          <input type="checkbox" checked={sameSurnameOnlyWithoutCase} onChange={(e) => setSurnameOnly(e.target.checked)} data-testid="config-sameSurnameOnlyWithoutCase" />
          同姓の参照は受付番号のないものだけを所見にする
        </label>
        <label>
          <input type="checkbox" checked={reportExceptionDays} onChange={(e) => setExceptionDays(e.target.checked)} data-testid="config-reportExceptionDays" />
          例外の開庁日の作業を所見にする
        </label>
      </fieldset>
      <label className="spot-field spot-config-reason">
        <span>変更の理由（必須）</span>
        <input value={reason} maxLength={200} onChange={(e) => setReason(e.target.value)} data-testid="config-reason" />
        <FieldMessage text={spot.configErrors.reason} testId="config-error-reason" />
      </label>
      <FieldMessage text={spot.configErrors.form} testId="config-error-form" />
      <div className="spot-actions">
        <button type="submit" disabled={spot.busy} data-testid="config-save">
          保存
        </button>
        <button type="button" className="secondary" onClick={onClose} data-testid="config-cancel">
          閉じる
        </button>
      </div>
    </form>
  );
});
