// One operator: the entry (who approved, from when, until when), cards, password state and the
// actions this session may take on them. Nobody acts on their own entry, card or password.
import { observer } from 'mobx-react-lite';
import { useStores } from '../../stores/root-store';
import { roleLabel } from '../../stores/admin-plans';
import { dateOnly, dateTime, passwordState, periodLabel, shortKey, STATUS_LABEL } from './admin-format';

export const OperatorPanel = observer(function OperatorPanel() {
  const { admin, session, ui } = useStores();
  const op = admin.selectedOperator;
  if (!op) {
    return (
      <aside className="admin-side admin-side-empty">
        <p>一覧から操作者を選ぶと、詳細と操作が表示されます。</p>
      </aside>
    );
  }
  const own = op.id === session.snapshot?.operator?.id;
  const active = op.status === 'active';
  const pw = passwordState(op, ui.trustedNow);
  const may = (action: Parameters<typeof admin.may>[0]) => admin.may(action) && !own;
  return (
    <aside className="admin-side" data-testid="operator-panel">
      <h3>
        {op.name} <span className="sub">{op.kana}</span>
      </h3>
      <dl className="admin-facts">
        <dt>操作者ID</dt>
        <dd>{op.id}</dd>
        <dt>役割</dt>
        <dd>{roleLabel(op.role)}</dd>
        <dt>状態</dt>
        <dd>{STATUS_LABEL[op.status]}</dd>
        <dt>承認期間</dt>
        <dd>{periodLabel(op)}</dd>
        <dt>承認者</dt>
        <dd>{op.approvedBy}</dd>
        <dt>最終サインイン</dt>
        <dd>
          {dateTime(op.lastSignInAt)}
          {op.lastSignInTerminalId && <span className="sub">（{op.lastSignInTerminalId}）</span>}
        </dd>
        <dt>パスワード</dt>
        <dd>
          {pw.tone !== 'none' && <span className={`pill pill-${pw.tone}`}>{pw.label}</span>}
          <span className="sub">{dateOnly(op.password.setAt)} 設定</span>
        </dd>
        <dt>ロックアウト</dt>
        <dd data-testid="operator-lockout">{op.lockedOut ? <span className="pill pill-error">ロックアウト中</span> : `なし（失敗 ${op.failedAttempts}回）`}</dd>
      </dl>
      <h4>カード</h4>
      {op.cards.length === 0 && <p className="sub">カードは発行されていません。</p>}
      <ul className="admin-cards">
        {op.cards.map((card) => (
          <li key={card.keyId} className={card.status}>
            <span className="code">{shortKey(card.keyId)}</span>
            {card.status === 'active' ? <span className="pill pill-ok">有効</span> : <span className="pill">失効 {dateOnly(card.revokedAt)}</span>}
            <span className="sub">{dateOnly(card.issuedAt)} 発行</span>
            {card.status === 'active' && may('cards.revoke') && (
              <button className="small danger" onClick={() => admin.openDialog({ kind: 'revoke-card', operator: op, card })} data-testid={`revoke-card-${op.id}`}>
                カード失効
              </button>
            )}
          </li>
        ))}
      </ul>
      {own ? (
        <p className="sub">ご自身の登録・カード・パスワードは、ここでは操作できません（別の管理者に依頼してください）。</p>
      ) : (
        active && (
          <div className="admin-actions">
            {may('password.release-lockout') && (op.lockedOut || op.failedAttempts > 0) && (
              <button onClick={() => admin.openDialog({ kind: 'release-lockout', operator: op })} data-testid="release-lockout">
                ロックアウト解除
              </button>
            )}
            {may('password.set-temporary') && (
              <button onClick={() => admin.openDialog({ kind: 'set-temporary', operator: op })} data-testid="set-temporary">
                仮パスワード発行
              </button>
            )}
            {may('password.require-change') && !op.password.temporary && (
              <button className="secondary" onClick={() => admin.openDialog({ kind: 'require-change', operator: op })} data-testid="require-change">
                パスワード変更を要求
              </button>
            )}
            {may('roster.change') && (
              <button className="secondary" onClick={() => admin.openDialog({ kind: 'change-operator', operator: op })} data-testid="change-operator">
                変更
              </button>
            )}
            {may('roster.retire') && (
              <button className="danger" onClick={() => admin.openDialog({ kind: 'retire-operator', operator: op })} data-testid="retire-operator">
                退職
              </button>
            )}
          </div>
        )
      )}
    </aside>
  );
});
