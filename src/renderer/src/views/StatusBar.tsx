// Terminal, time and connection: shown on every screen (no personal data here).
import { observer } from 'mobx-react-lite';
import { useStores } from '../stores/root-store';
import { formatClock } from './format';
import { LogAlerts, LogStatusItem } from './LogStatus';

export const StatusBar = observer(function StatusBar() {
  const { session, ui } = useStores();
  const snap = session.snapshot;
  if (!snap) return null;
  return (
    <>
    <header className="statusbar">
      <span className="statusbar-terminal">住民課 窓口端末 — {snap.terminal.name}</span>
      <span className="statusbar-clock">{formatClock(ui.trustedNow)}</span>
      <span className={`statusbar-conn ${snap.connection.online ? 'online' : 'offline'}`} data-testid="connection-state">
        {snap.connection.online ? '● サーバー接続中' : '● オフライン（縮退運転）'}
      </span>
      <LogStatusItem variant="statusbar" />
    </header>
    <LogAlerts />
    </>
  );
});
