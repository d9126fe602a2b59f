// 端末の登録 (the system administrator's): the server issues the credential; it is shown once.
import { observer } from 'mobx-react-lite';
import { useState, type FormEvent } from 'react';
import { useStores } from '../../stores/root-store';
import { registerTerminalPlan } from '../../stores/admin-plans';
import { Modal } from './Modal';
import { ReasonField } from './ReasonField';
import { FormProblems } from './FormProblems';

export const RegisterTerminalDialog = observer(function RegisterTerminalDialog() {
  const { admin } = useStores();
  const [form, setForm] = useState({ id: '', name: '', reason: '' });
  const e = admin.formErrors;
  const submit = (event: FormEvent) => {
    event.preventDefault();
    void admin.propose(registerTerminalPlan(form));
  };
  return (
    <Modal title="端末を登録" testId="dialog-register-terminal">
      <form onSubmit={submit} noValidate className="admin-form">
        <label className="admin-field">
          <span>端末名</span>
          <input value={form.name} maxLength={100} onChange={(ev) => setForm({ ...form, name: ev.target.value })} autoComplete="off" placeholder="住民課窓口3" data-testid="terminal-name" />
          {e.name && <em className="field-error">{e.name}</em>}
        </label>
        <label className="admin-field">
          <span>端末ID（空欄なら自動）</span>
          <input value={form.id} maxLength={63} onChange={(ev) => setForm({ ...form, id: ev.target.value })} autoComplete="off" placeholder="term-jumin-03" data-testid="terminal-id" />
          {e.id && <em className="field-error">{e.id}</em>}
        </label>
        <ReasonField value={form.reason} onChange={(reason) => setForm({ ...form, reason })} error={e.reason} placeholder="例: 窓口増設（起案第45号）" />
        <FormProblems />
        <div className="modal-actions wide">
          <button type="submit" disabled={admin.busy} data-testid="admin-submit">
            登録する…
          </button>
          <button type="button" className="secondary" onClick={() => admin.closeDialog()} data-testid="admin-cancel">
            やめる
          </button>
        </div>
      </form>
    </Modal>
  );
});
