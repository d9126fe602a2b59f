// 操作者名簿 (第17条6項・9項): every operator with role, status, cards, last sign-in, lockout and the
// state of the password; a row opens the operator's panel with the actions this session may take.
import { observer } from 'mobx-react-lite';
import { useStores } from '../../stores/root-store';
import { passwordState, ROLE_SHORT, shortDateTime, STATUS_LABEL } from './admin-format';
import { OperatorPanel } from './OperatorPanel';

export const RosterSection = observer(function RosterSection() {
  const { admin, ui } = useStores();
  const roster = admin.roster;
  const now = ui.trustedNow;
  return (
    <div className="admin-split" data-testid="admin-roster">
      <div className="admin-main">
        <div className="admin-toolbar">
          <span className="admin-count">{roster ? `${roster.length}人（${roster.filter((op) => op.status === 'active').length}人在職）` : ''}</span>
          {admin.may('roster.add') && (
            <button onClick={() => admin.openDialog({ kind: 'add-operator' })} data-testid="add-operator">
              操作者を追加
            </button>
          )}
        </div>
        {roster && (
          <div className="table-scroll">
            <table className="admin-table">
              <thead>
                <tr>
                  <th>氏名</th>
                  <th>役割</th>
                  <th>状態</th>
                  <th>カード</th>
                  <th>最終サインイン</th>
                  <th>ロックアウト</th>
                  <th>パスワード</th>
                </tr>
              </thead>
              <tbody>
                {roster.map((op) => {
                  const active = op.cards.filter((c) => c.status === 'active').length;
                  const revoked = op.cards.length - active;
                  const pw = passwordState(op, now);
                  return (
                    <tr
                      key={op.id}
                      tabIndex={0}
                      className={`${op.id === admin.selectedOperatorId ? 'selected' : ''} ${op.status === 'retired' ? 'retired' : ''}`}
                      onClick={() => admin.selectOperator(op.id)}
                      onKeyDown={(e) => e.key === 'Enter' && admin.selectOperator(op.id)}
                      data-testid={`operator-row-${op.id}`}
                      aria-selected={op.id === admin.selectedOperatorId}
                    >
                      <td>
                        <strong>{op.name}</strong>
                        <span className="sub">{op.kana}</span>
                      </td>
                      <td className="nowrap">{ROLE_SHORT[op.role]}</td>
                      <td className="nowrap">{STATUS_LABEL[op.status]}</td>
                      <td>
                        {active > 0 ? <span className="pill pill-ok">有効 {active}</span> : <span className="pill pill-warn">なし</span>}
                        {revoked > 0 && <span className="pill">失効 {revoked}</span>}
                      </td>
                      <td className="nowrap">{shortDateTime(op.lastSignInAt)}</td>
                      <td className="nowrap">{op.lockedOut ? <span className="pill pill-error">ロックアウト中</span> : op.failedAttempts > 0 ? `失敗 ${op.failedAttempts}回` : '—'}</td>
                      <td>{pw.tone === 'none' ? '—' : <span className={`pill pill-${pw.tone}`}>{pw.label}</span>}</td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        )}
      </div>
      <OperatorPanel />
    </div>
  );
});
