// The operation log's state, on every screen: records waiting for the server and the last
// successful sync (issue 3, item 3), and loud banners when the log is in trouble: it cannot be
// written, the server refused it, the backlog is old, or storage is running out.
import { observer } from 'mobx-react-lite';
import { useStores } from '../stores/root-store';
import { formatTime } from './format';

/** "未送信 N件 ・ 最終送信 HH:MM", for the status bar and the work bar. */
export const LogStatusItem = observer(function LogStatusItem({ variant }: { variant: 'statusbar' | 'workbar' }) {
  const { log, ui } = useStores();
  const waiting = log.backlog;
  const syncing = log.syncState === 'syncing';
  const text = !log.ready ? '確認中…' : waiting === 0 ? '送信済み' : `未送信 ${waiting.toLocaleString('ja-JP')}件${syncing ? '（送信中）' : ''}`;
  const last = log.lastSyncAt === null ? '未送信' : formatTime(log.lastSyncAt, ui.trustedNow);
  const tone = log.writeError || log.syncState === 'refused' ? 'error' : waiting > 0 && !syncing ? 'pending' : 'ok';
  if (variant === 'workbar') {
    return (
      <div className={`workbar-item log-${tone}`}>
        <span className="workbar-label">操作記録</span>
        <span data-testid="log-backlog" data-count={waiting} data-sync-state={log.syncState}>
          {text}
        </span>
        <span className="log-last" data-testid="log-last-sync">
          最終送信 {last}
        </span>
      </div>
    );
  }
  return (
    <span className={`statusbar-log log-${tone}`}>
      操作記録: <span data-testid="log-backlog" data-count={waiting} data-sync-state={log.syncState}>{text}</span>
      <span className="log-last" data-testid="log-last-sync">
        （最終送信 {last}）
      </span>
    </span>
  );
});

/** Banners for log problems; nothing when all is well. */
export const LogAlerts = observer(function LogAlerts() {
  const { log, ui } = useStores();
  const alerts: { key: string; tone: 'error' | 'warning'; text: string }[] = [];
  if (log.writeError) alerts.push({ key: 'write', tone: 'error', text: log.writeError });
  if (log.syncState === 'refused' && log.syncProblem) alerts.push({ key: 'refused', tone: 'error', text: `操作記録の送信が中央サーバーに拒否されました: ${log.syncProblem.message}` });
  const old = log.backlogWarning(ui.trustedNow);
  if (old) alerts.push({ key: 'old', tone: 'warning', text: old });
  if (log.storage && (log.storage.level === 'warn' || log.storage.level === 'critical') && log.storage.message) {
    alerts.push({ key: 'storage', tone: log.storage.level === 'critical' ? 'error' : 'warning', text: log.storage.message });
  }
  if (log.integrityProblems.length > 0) alerts.push({ key: 'integrity', tone: 'error', text: '端末の操作記録に不整合が見つかりました（記録済み）。情報保護管理者に連絡してください。' });
  if (alerts.length === 0) return null;
  return (
    <>
      {alerts.map((a) => (
        <div key={a.key} className={`banner banner-${a.tone}`} role="alert" data-testid={`log-alert-${a.key}`}>
          {a.text}
        </div>
      ))}
    </>
  );
});
