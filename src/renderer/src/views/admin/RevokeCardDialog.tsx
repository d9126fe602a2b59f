// カード失効 (第17条10–11項): lost, stolen, broken or other — revoked at once on the server; every
// terminal refuses the card at its next contact, and a session signed in with it ends then.
import { observer } from 'mobx-react-lite';
import { useState, type FormEvent } from 'react';
import { useStores } from '../../stores/root-store';
import type { AdminCardRow, AdminOperatorRow } from '../../stores/admin-store';
import { REVOCATION_REASONS, revokeCardPlan, type RevocationReason } from '../../stores/admin-plans';
import { Modal } from './Modal';
import { FormProblems } from './FormProblems';
import { dateOnly, shortKey } from './admin-format';
import { REASON_MAX } from '../../stores/admin-store';

export const RevokeCardDialog = observer(function RevokeCardDialog({ operator, card }: { operator: AdminOperatorRow; card: AdminCardRow }) {
  const { admin } = useStores();
  const [reason, setReason] = useState<RevocationReason | ''>('');
  const [note, setNote] = useState('');
  const submit = (event: FormEvent) => {
    event.preventDefault();
    void admin.propose(revokeCardPlan(operator, card, reason, note));
  };
  return (
    <Modal title="カードの失効" testId="dialog-revoke-card" tone="danger">
      <form onSubmit={submit} noValidate className="admin-form">
        <p className="wide">
          {operator.name}（{operator.id}）のカード {shortKey(card.keyId)}（{dateOnly(card.issuedAt)} 発行）を失効させます。
        </p>
        <fieldset className="admin-field wide" aria-invalid={admin.formErrors.revocation ? true : undefined}>
          <legend>失効の理由（必須）</legend>
          <div className="radio-row">
            {REVOCATION_REASONS.map((r) => (
              <label key={r.id} className="radio">
                <input type="radio" name="revocation" value={r.id} checked={reason === r.id} onChange={() => setReason(r.id)} data-testid={`revoke-reason-${r.id}`} />
                {r.label}
              </label>
            ))}
          </div>
          {admin.formErrors.revocation && <em className="field-error">{admin.formErrors.revocation}</em>}
        </fieldset>
        <label className="admin-field wide">
          <span>
            {reason === 'other' ? '内容（必須）' : '補足（任意）'}
            <small className="counter">
              {note.length}/{REASON_MAX}
            </small>
          </span>
          <input value={note} maxLength={REASON_MAX} onChange={(e) => setNote(e.target.value)} autoComplete="off" placeholder="例: 11月24日 通勤途中で紛失の届出" data-testid="revoke-note" />
          {admin.formErrors.note && <em className="field-error">{admin.formErrors.note}</em>}
        </label>
        <FormProblems />
        <div className="modal-actions wide">
          <button type="submit" className="danger" disabled={admin.busy} data-testid="admin-submit">
            失効させる…
          </button>
          <button type="button" className="secondary" onClick={() => admin.closeDialog()} data-testid="admin-cancel">
            やめる
          </button>
        </div>
      </form>
    </Modal>
  );
});
