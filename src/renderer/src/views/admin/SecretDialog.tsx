// Shown ONCE: a temporary password (to hand over in person) or a new terminal's credential (to save).
// Closing it drops the value from the store; nothing else ever held it.
import { observer } from 'mobx-react-lite';
import { useStores } from '../../stores/root-store';
import { Modal } from './Modal';

export const SecretDialog = observer(function SecretDialog() {
  const { admin } = useStores();
  const secret = admin.secret;
  if (!secret) return null;
  const password = secret.kind === 'temporary-password';
  return (
    <Modal title={secret.title} testId="admin-secret" tone="secret" layer="confirm">
      <p>
        <strong>{secret.subject}</strong>
      </p>
      {password ? (
        <p className="secret-value" data-testid="secret-value">
          {secret.value}
        </p>
      ) : (
        <pre className="secret-json" data-testid="secret-value">
          {secret.value}
        </pre>
      )}
      <div className="secret-note">
        {password ? (
          <>
            <p>この仮パスワードは今回だけ表示されます。閉じると二度と表示できません。</p>
            <p>本人に直接手渡してください（メール・付箋・共有フォルダーに残さないでください）。</p>
            <p>本人は最初のサインインで、新しいパスワードへの変更を求められます。</p>
          </>
        ) : (
          <>
            <p>この認証情報は今回だけ表示されます。閉じると二度と表示できません（サーバーは秘密の値を保存していません）。</p>
            <p>新しい端末の terminal-credential.json として保存し、そのほかの場所には残さないでください。</p>
          </>
        )}
      </div>
      <div className="modal-actions">
        <button onClick={() => admin.dismissSecret()} data-testid="secret-close">
          {password ? '本人に伝えました（閉じる）' : '保存しました（閉じる）'}
        </button>
      </div>
    </Modal>
  );
});
