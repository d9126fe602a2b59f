// The lock screen shows nothing about the operator or any resident (第22条7項). With the card
// still in the reader, the password resumes the session; otherwise the card must go back in.
import { observer } from 'mobx-react-lite';
import { useStores } from '../stores/root-store';
import { usePasswordEntry } from './use-password-entry';
import { Icon } from './Icon';

export const LockedScreen = observer(function LockedScreen() {
  const { session } = useStores();
  const snap = session.snapshot;
  const { password, setPassword, submit } = usePasswordEntry(session);
  if (!snap) return null;
  const canType = snap.awaitingPassword;

  return (
    <main className="panel panel-locked" data-testid="screen-locked">
      <div className="panel-icon" aria-hidden="true">
        <Icon name="lock" />
      </div>
      <h1>ロック中</h1>
      {snap.notice && <p data-testid="lock-cause">{snap.notice.text}</p>}
      {canType ? (
        <form onSubmit={submit} className="form">
          <label htmlFor="unlock-password">再開するには、同じカードのパスワードを入力してください</label>
          <input id="unlock-password" type="password" autoComplete="off" autoFocus value={password} maxLength={256} onChange={(e) => setPassword(e.target.value)} disabled={session.busy} data-testid="unlock-password-input" />
          <button type="submit" disabled={session.busy || !password}>
            再開（Enter）
          </button>
        </form>
      ) : (
        <p>再開するには、同じ職員用ICカードを挿入してください。別のカードを挿入すると、前の操作者はサインアウトします。</p>
      )}
      {session.message && (
        <p className="error" role="alert" data-testid="form-error">
          {session.message}
        </p>
      )}
    </main>
  );
});
