// The work screen's frame: who is signed in, on which terminal, how long until 17:15, and the
// server connection; the counter work itself (the resident search) in the body.
import { observer } from 'mobx-react-lite';
import { useEffect } from 'react';
import { useStores } from '../stores/root-store';
import { formatClock } from './format';
import { LogAlerts, LogStatusItem } from './LogStatus';
import { ResidentSearch } from './ResidentSearch';
import { AdminConsole } from './admin/AdminConsole';
import { AdminStore } from '../stores/admin-store';

export const WorkScreen = observer(function WorkScreen() {
  const { session, ui, admin } = useStores();
  const snap = session.snapshot;

  useEffect(() => {
    // Ctrl+L locks at once (the card stays in); the card pulled out locks too.
    const onKey = (event: KeyboardEvent) => {
      if (event.ctrlKey && event.key.toLowerCase() === 'l') {
        event.preventDefault();
        void session.lock();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [session]);

  if (!snap || !snap.operator) return null;
  const { hours, connection } = snap;
  return (
    <div className="work" data-testid="screen-working">
      <header className="workbar">
        <div className="workbar-who">
          <span className="workbar-label">操作者</span>
          <strong data-testid="work-operator">{snap.operator.name}</strong>
          <span className="workbar-role">{snap.operator.roleLabel}</span>
        </div>
        <div className="workbar-item">
          <span className="workbar-label">端末</span>
          {snap.terminal.name}
        </div>
        <div className="workbar-item">
          <span className="workbar-label">現在</span>
          {formatClock(ui.trustedNow)}
        </div>
        <div className={`workbar-item ${hours.minutesLeft !== null && hours.minutesLeft <= 15 ? 'warn' : ''}`} data-testid="time-left">
          <span className="workbar-label">閉庁まで</span>
          {hours.minutesLeft === null ? '—' : hours.minutesLeft >= 60 ? `${Math.floor(hours.minutesLeft / 60)}時間${hours.minutesLeft % 60}分` : `${hours.minutesLeft}分`}
        </div>
        <div className={`workbar-item ${connection.online ? 'online' : 'offline'}`} data-testid="connection-state">
          <span className="workbar-label">サーバー</span>
          {connection.online ? '接続中' : 'オフライン（縮退運転）'}
        </div>
        <LogStatusItem variant="workbar" />
        <div className="workbar-actions">
          <button onClick={() => void session.lock()} data-testid="lock-button">
            ロック（Ctrl+L）
          </button>
          <button onClick={() => void session.signOut()} data-testid="signout-button">
            サインアウト
          </button>
        </div>
      </header>
      {hours.closingWarning && (
        <div className="banner banner-warning" role="alert" data-testid="closing-warning">
          {hours.closingWarning}
        </div>
      )}
      {hours.exceptionLabel && <div className="banner banner-info">{hours.exceptionLabel}</div>}
      {snap.emergencyStop && (
        <div className="banner banner-error" role="alert" data-testid="stop-banner">
          緊急停止中（{snap.emergencyStop.scope === 'all' ? '全端末' : 'この端末'}、理由: {snap.emergencyStop.reason}、{snap.emergencyStop.atLabel} {snap.emergencyStop.byName}）。業務端末操作者はサインインできません。
        </div>
      )}
      <LogAlerts />
      {!connection.online && (
        <div className="banner banner-warning">サーバーに接続できません。端末に保存した操作者名簿で業務を続けています（{connection.rosterAgeLabel}）。</div>
      )}
      {AdminStore.offeredTo(snap) && (
        <nav className="work-tabs" role="tablist" aria-label="業務の切り替え">
          <button role="tab" aria-selected={!admin.visible} className={!admin.visible ? 'active' : ''} onClick={() => admin.hide()} data-testid="work-tab">
            窓口業務（住民検索）
          </button>
          <button role="tab" aria-selected={admin.visible} className={admin.visible ? 'active' : ''} onClick={() => void admin.show()} data-testid="admin-tab">
            管理
          </button>
        </nav>
      )}
      {admin.visible && AdminStore.offeredTo(snap) ? (
        <main className="work-body work-body-admin">
          <AdminConsole />
        </main>
      ) : (
        <main className="work-body">
          <ResidentSearch />
          <section className="card card-muted">
            <h2>離席するとき</h2>
            <p>必ずカードを抜いてください。カードを抜くと直ちにロックされます。{Math.round(snap.idleLockSeconds / 60)}分間操作がない場合も自動でロックします。</p>
          </section>
        </main>
      )}
    </div>
  );
});
