// 端末: every registered terminal with its last contact, app version, operation-log state on the
// server, clock offset and any stop in force; register (credential shown once) and retire.
import { observer } from 'mobx-react-lite';
import { useStores } from '../../stores/root-store';
import { dateTime, offsetLabel, shortDateTime } from './admin-format';

export const TerminalsSection = observer(function TerminalsSection() {
  const { admin, session } = useStores();
  const list = admin.terminals;
  const here = session.snapshot?.terminal.id;
  return (
    <div data-testid="admin-terminals">
      <div className="admin-toolbar">
        <span className="admin-count">{admin.terminalsAt && `${dateTime(admin.terminalsAt)} 現在`}</span>
        {admin.may('terminals.register') && (
          <button onClick={() => admin.openDialog({ kind: 'register-terminal' })} data-testid="register-terminal">
            端末を登録
          </button>
        )}
      </div>
      {list && (
        <div className="table-scroll">
          <table className="admin-table">
            <thead>
              <tr>
                <th>端末</th>
                <th>状態</th>
                <th>最終通信</th>
                <th>アプリ版</th>
                <th>操作記録（サーバー受信済み）</th>
                <th>未送信（端末の報告）</th>
                <th>時計のずれ</th>
                <th>緊急停止</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {list.map((t) => (
                <tr key={t.id} className={t.retiredAt ? 'retired' : ''} data-testid={`terminal-row-${t.id}`}>
                  <td>
                    <strong>{t.name}</strong>
                    <span className="sub">
                      {t.id}
                      {t.id === here ? '（この端末）' : ''}
                    </span>
                  </td>
                  <td className="nowrap">{t.retiredAt ? `廃止 ${shortDateTime(t.retiredAt)}` : '稼働'}</td>
                  <td className="nowrap">{shortDateTime(t.lastContactAt)}</td>
                  <td>{t.appVersion ?? '—'}</td>
                  <td>
                    {t.log.lastSeq > 0 ? `第${t.log.lastSeq}件まで` : 'なし'}
                    <span className="sub">最終受信 {shortDateTime(t.log.lastReceivedAt)}</span>
                  </td>
                  <td data-testid={`terminal-waiting-${t.id}`}>
                    {t.log.waiting === null ? (
                      '—'
                    ) : (
                      <>
                        <span className={t.log.waiting.count > 0 ? 'warn-text' : ''}>{t.log.waiting.count.toLocaleString('ja-JP')}件</span>
                        <span className="sub">
                          {t.log.waiting.oldestAt ? `最古 ${shortDateTime(t.log.waiting.oldestAt)}・` : ''}報告 {shortDateTime(t.log.waiting.reportedAt)}
                        </span>
                      </>
                    )}
                  </td>
                  <td className={t.log.clockOffsetMs !== null && Math.abs(t.log.clockOffsetMs) > 60_000 ? 'warn-text' : ''}>{offsetLabel(t.log.clockOffsetMs)}</td>
                  <td>{t.emergencyStopId ? <span className="pill pill-error">停止中</span> : '—'}</td>
                  <td>
                    {admin.may('terminals.retire') && !t.retiredAt && t.id !== here && (
                      <button className="small danger" onClick={() => admin.openDialog({ kind: 'retire-terminal', terminal: t })} data-testid={`retire-terminal-${t.id}`}>
                        廃止
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
});
