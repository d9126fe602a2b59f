// A change that needs nothing but its reason (release a lockout, issue a temporary password, retire…).
import { observer } from 'mobx-react-lite';
import { useState, type FormEvent } from 'react';
import { useStores } from '../../stores/root-store';
import type { Built } from '../../stores/admin-store';
import { Modal } from './Modal';
import { ReasonField } from './ReasonField';
import { FormProblems } from './FormProblems';

export const ReasonDialog = observer(function ReasonDialog(props: { title: string; testId: string; lines: string[]; submitLabel: string; danger?: boolean; build: (reason: string) => Built }) {
  const { admin } = useStores();
  const [reason, setReason] = useState('');
  const submit = (event: FormEvent) => {
    event.preventDefault();
    void admin.propose(props.build(reason));
  };
  return (
    <Modal title={props.title} testId={props.testId} tone={props.danger ? 'danger' : 'info'}>
      <form onSubmit={submit} noValidate className="admin-form">
        {props.lines.map((line) => (
          <p key={line} className="wide">
            {line}
          </p>
        ))}
        <ReasonField value={reason} onChange={setReason} error={admin.formErrors.reason} autoFocus />
        <FormProblems />
        <div className="modal-actions wide">
          <button type="submit" className={props.danger ? 'danger' : ''} disabled={admin.busy} data-testid="admin-submit">
            {admin.busy ? '送信中…' : props.submitLabel}
          </button>
          <button type="button" className="secondary" onClick={() => admin.closeDialog()} data-testid="admin-cancel">
            やめる
          </button>
        </div>
      </form>
    </Modal>
  );
});
