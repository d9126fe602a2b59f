import { observer } from 'mobx-react-lite';
import { useStores } from '../stores/root-store';
import { usePasswordEntry } from './use-password-entry';

export const PasswordScreen = observer(function PasswordScreen() {
  const { session } = useStores();
  const snap = session.snapshot;
  const { password, setPassword, submit } = usePasswordEntry(session);
  if (!snap) return null;

  return (
    <main className="panel" data-testid="screen-password">
      <h1>パスワードを入力してください</h1>
      {snap.operator && (
        <p className="operator-line" data-testid="operator-name">
          {snap.operator.name} さん（{snap.operator.roleLabel}）
        </p>
      )}
      <form onSubmit={submit} className="form">
        <label htmlFor="password">パスワード</label>
        <input id="password" type="password" autoComplete="off" autoFocus value={password} maxLength={256} onChange={(e) => setPassword(e.target.value)} disabled={session.busy} data-testid="password-input" />
        <button type="submit" disabled={session.busy || !password} data-testid="password-submit">
          {session.busy ? '確認中…' : 'サインイン（Enter）'}
        </button>
      </form>
      {snap.attemptsLeft !== null && <p className={snap.attemptsLeft < 3 ? 'attempts attempts-low' : 'attempts'} data-testid="attempts-left">残り入力回数: {snap.attemptsLeft}回</p>}
      {session.message && (
        <p className="error" role="alert" data-testid="form-error">
          {session.message}
        </p>
      )}
      <p className="hint">カードを抜くと中止します。</p>
    </main>
  );
});
