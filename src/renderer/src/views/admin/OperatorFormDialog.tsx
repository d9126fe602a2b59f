// 操作者を追加 / 変更 (the system administrator's, 第17条6項・9項): who, role, approval period, why.
// A new operator's temporary password is made on main and shown once afterwards.
import { observer } from 'mobx-react-lite';
import { useState, type FormEvent } from 'react';
import { useStores } from '../../stores/root-store';
import type { AdminOperatorRow } from '../../stores/admin-store';
import { addOperatorPlan, changeOperatorPlan, ROLE_OPTIONS, type OperatorForm } from '../../stores/admin-plans';
import { Modal } from './Modal';
import { ReasonField } from './ReasonField';
import { FormProblems } from './FormProblems';
import { dateOnly, untilYmd } from './admin-format';
import { formatJst } from '../../../../domain/calendar/format';

export const OperatorFormDialog = observer(function OperatorFormDialog({ operator }: { operator: AdminOperatorRow | null }) {
  const { admin, ui } = useStores();
  const currentUntil = operator ? untilYmd(operator.until) : '';
  const [form, setForm] = useState<OperatorForm>(
    operator
      ? { id: operator.id, name: operator.name, kana: operator.kana, role: operator.role, since: '', until: currentUntil, reason: '' }
      : { id: '', name: '', kana: '', role: 'operator', since: formatJst(ui.trustedNow, 'ymd'), until: '', reason: '' },
  );
  const set = (patch: Partial<OperatorForm>) => setForm({ ...form, ...patch });
  const e = admin.formErrors;
  const submit = (event: FormEvent) => {
    event.preventDefault();
    void admin.propose(operator ? changeOperatorPlan(operator, form, currentUntil) : addOperatorPlan(form));
  };
  return (
    <Modal title={operator ? `操作者の変更: ${operator.name}` : '操作者を追加'} testId={operator ? 'dialog-change-operator' : 'dialog-add-operator'}>
      <form onSubmit={submit} noValidate className="admin-form">
        <label className="admin-field">
          <span>操作者ID（英小文字・数字・ハイフン）</span>
          <input value={form.id} disabled={!!operator} maxLength={63} onChange={(ev) => set({ id: ev.target.value })} autoComplete="off" placeholder="op-tanaka" data-testid="operator-id" />
          {e.id && <em className="field-error">{e.id}</em>}
        </label>
        <label className="admin-field">
          <span>役割</span>
          <select value={form.role} onChange={(ev) => set({ role: ev.target.value as OperatorForm['role'] })} data-testid="operator-role">
            {ROLE_OPTIONS.map((r) => (
              <option key={r.id} value={r.id}>
                {r.label}
              </option>
            ))}
          </select>
          {e.role && <em className="field-error">{e.role}</em>}
        </label>
        <label className="admin-field">
          <span>氏名</span>
          <input value={form.name} maxLength={100} onChange={(ev) => set({ name: ev.target.value })} autoComplete="off" data-testid="operator-name" />
          {e.name && <em className="field-error">{e.name}</em>}
        </label>
        <label className="admin-field">
          <span>カナ</span>
          <input value={form.kana} maxLength={100} onChange={(ev) => set({ kana: ev.target.value })} autoComplete="off" data-testid="operator-kana" />
          {e.kana && <em className="field-error">{e.kana}</em>}
        </label>
        <label className="admin-field">
          <span>承認期間の開始日</span>
          {operator ? <input value={dateOnly(operator.since)} disabled /> : <input value={form.since} maxLength={12} inputMode="numeric" placeholder="2026-12-01" autoComplete="off" onChange={(ev) => set({ since: ev.target.value })} data-testid="operator-since" />}
          {e.since && <em className="field-error">{e.since}</em>}
        </label>
        <label className="admin-field">
          <span>承認期間の終了日（この日まで・空欄は定めなし）</span>
          <input value={form.until} maxLength={12} inputMode="numeric" placeholder="2027-03-31" autoComplete="off" onChange={(ev) => set({ until: ev.target.value })} data-testid="operator-until" />
          {e.until && <em className="field-error">{e.until}</em>}
        </label>
        <ReasonField value={form.reason} onChange={(reason) => set({ reason })} error={e.reason} placeholder="例: 4月1日付け人事異動（住民課配属）" />
        <FormProblems />
        <div className="modal-actions wide">
          <button type="submit" disabled={admin.busy} data-testid="admin-submit">
            {operator ? '変更する…' : '追加する…'}
          </button>
          <button type="button" className="secondary" onClick={() => admin.closeDialog()} data-testid="admin-cancel">
            やめる
          </button>
        </div>
      </form>
    </Modal>
  );
});
