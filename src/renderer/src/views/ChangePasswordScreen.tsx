import { observer } from 'mobx-react-lite';
import { useState, type FormEvent } from 'react';
import { useStores } from '../stores/root-store';

const RULES = [
  '8文字以上（128文字まで）',
  '英小文字・英大文字・数字・記号のうち3種類以上',
  '職員ID・連続した文字（1234, abcd）・同じ文字の繰り返し・よく使われるパスワードは使えません',
  '現在のパスワードと異なるもの',
];

export const ChangePasswordScreen = observer(function ChangePasswordScreen() {
  const { session } = useStores();
  const snap = session.snapshot;
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [confirm, setConfirm] = useState('');
  if (!snap) return null;

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (session.busy) return;
    const ok = await session.changePassword(current, next, confirm);
    if (!ok) {
      setNext('');
      setConfirm('');
    }
  };

  return (
    <main className="panel panel-wide" data-testid="screen-change-password">
      <h1>パスワードを変更してください</h1>
      {snap.operator && <p className="operator-line">{snap.operator.name} さん</p>}
      <p>
        {snap.passwordChangeReason === 'expired'
          ? 'パスワードの有効期限が切れています。新しいパスワードを設定してください。'
          : snap.passwordChangeReason === 'required'
            ? '管理者がパスワードの変更を求めています。新しいパスワードを設定してください。'
            : '初期パスワード（仮パスワード）のままでは業務を始められません。新しいパスワードを設定してください。'}
      </p>
      <div className="change-grid">
        <form onSubmit={submit} className="form form-compact">
          <label htmlFor="current">現在のパスワード</label>
          <input id="current" type="password" autoComplete="off" autoFocus value={current} maxLength={256} onChange={(e) => setCurrent(e.target.value)} data-testid="current-password" />
          <label htmlFor="next">新しいパスワード</label>
          <input id="next" type="password" autoComplete="off" value={next} maxLength={256} onChange={(e) => setNext(e.target.value)} data-testid="new-password" />
          <label htmlFor="confirm">新しいパスワード（確認）</label>
          <input id="confirm" type="password" autoComplete="off" value={confirm} maxLength={256} onChange={(e) => setConfirm(e.target.value)} data-testid="confirm-password" />
          <button type="submit" disabled={session.busy || !current || !next || !confirm} data-testid="change-submit">
            {session.busy ? '確認中…' : '変更して業務を開始（Enter）'}
          </button>
        </form>
        <div>
          {session.message && (
            <div className="error" role="alert" data-testid="form-error">
              {session.message.split('\n').map((line) => (
                <p key={line}>{line}</p>
              ))}
            </div>
          )}
          <h2 className="rules-title">新しいパスワードの条件</h2>
          <ul className="rules">
            {RULES.map((rule) => (
              <li key={rule}>{rule}</li>
            ))}
          </ul>
        </div>
      </div>
    </main>
  );
});
