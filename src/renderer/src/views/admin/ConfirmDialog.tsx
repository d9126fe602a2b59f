// The second question before a destructive or far-reaching change: what will happen, then yes / back.
import { observer } from 'mobx-react-lite';
import { useStores } from '../../stores/root-store';

export const ConfirmDialog = observer(function ConfirmDialog() {
  const { admin } = useStores();
  const plan = admin.pending;
  if (!plan) return null;
  return (
    <div className="modal-backdrop modal-top">
      <div className={`modal ${plan.danger ? 'modal-danger' : 'modal-info'}`} role="alertdialog" aria-modal="true" aria-label={plan.title} data-testid="admin-confirm">
        <h3>{plan.title}</h3>
        {plan.summary.map((line) => (
          <p key={line}>{line}</p>
        ))}
        <p className="confirm-question">よろしいですか。</p>
        <div className="modal-actions">
          <button className={plan.danger ? 'danger' : ''} disabled={admin.busy} onClick={() => void admin.confirmPending()} data-testid="admin-confirm-yes">
            {admin.busy ? '送信中…' : `はい、${plan.confirmLabel ?? '実行する'}`}
          </button>
          <button className="secondary" disabled={admin.busy} onClick={() => admin.cancelPending()} data-testid="admin-confirm-back">
            戻る
          </button>
        </div>
      </div>
    </div>
  );
});
