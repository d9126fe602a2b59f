// 管理 (issue 6): the console of the information-protection manager and the system administrator.
// Opening it has main make the signed-in person's card sign the server's challenge; the sections
// shown are those the session's permissions allow (the server checks every action again).
import { observer } from 'mobx-react-lite';
import { useStores } from '../../stores/root-store';
import type { AdminSection } from '../../stores/admin-store';
import { AdminDialogs } from './AdminDialogs';
import { RosterSection } from './RosterSection';
import { ReviewSection } from './ReviewSection';
import { CardIssueSection } from './CardIssueSection';
import { CalendarSection } from './CalendarSection';
import { StopsSection } from './StopsSection';
import { TerminalsSection } from './TerminalsSection';
import { dateTime } from './admin-format';
import { SpotCheckSection } from '../spot-check/SpotCheckSection';
import { OfflineAuditOffer } from '../spot-check/OfflineAudit';

const SECTION_VIEWS: Record<AdminSection, () => React.JSX.Element> = {
  roster: () => <RosterSection />,
  review: () => <ReviewSection />,
  cards: () => <CardIssueSection />,
  calendar: () => <CalendarSection />,
  stops: () => <StopsSection />,
  terminals: () => <TerminalsSection />,
  spot: () => <SpotCheckSection />,
};

export const AdminConsole = observer(function AdminConsole() {
  const { admin, spot } = useStores();
  if (admin.opening || (!admin.session && !admin.openError)) {
    return (
      <section className="card admin" data-testid="admin-console">
        <p className="admin-opening" role="status" data-testid="admin-opening">
          カードで本人確認中…（カードを抜かずにお待ちください）
        </p>
      </section>
    );
  }
  if (!admin.session) {
    return (
      <section className="card admin" data-testid="admin-console">
        <p className="error admin-message" role="alert" data-testid="admin-open-error">
          {admin.openError}
        </p>
        <button className="small secondary admin-retry" onClick={() => void admin.openSession()} data-testid="admin-open-retry">
          もう一度試す
        </button>
        <OfflineAuditOffer />
      </section>
    );
  }
  const session = admin.session;
  return (
    <section className="card admin" data-testid="admin-console">
      <div className="admin-head">
        <nav className="admin-tabs" role="tablist" aria-label="管理の項目">
          {admin.sections.map((s) => (
            <button key={s.id} role="tab" aria-selected={admin.section === s.id} className={admin.section === s.id ? 'active' : ''} onClick={() => void admin.selectSection(s.id)} data-testid={`admin-tab-${s.id}`}>
              {s.label}
            </button>
          ))}
        </nav>
        <div className="admin-session" data-testid="admin-session">
          {session.roleLabel} {session.operatorName}
          <span className="sub">カードで確認済み・{dateTime(session.expiresAt)}まで</span>
        </div>
        <button className="small secondary" onClick={() => void (admin.section === 'spot' ? spot.reload() : admin.load())} disabled={admin.loading || spot.busy} data-testid="admin-reload">
          {admin.loading ? '読込中…' : '最新にする'}
        </button>
        <button className="small secondary" onClick={() => void admin.end()} data-testid="admin-end">
          管理を終了
        </button>
      </div>
      {admin.outcome && (
        <div className={`admin-outcome ${admin.outcome.ok ? 'ok' : 'ng'}`} role={admin.outcome.ok ? 'status' : 'alert'} data-testid="admin-outcome">
          <span>{admin.outcome.text}</span>
          <button className="small secondary" onClick={() => admin.dismissOutcome()} aria-label="閉じる">
            閉じる
          </button>
        </div>
      )}
      {admin.loadError && (
        <p className="error admin-message" role="alert" data-testid="admin-load-error">
          {admin.loadError}
        </p>
      )}
      <div className="admin-body">{SECTION_VIEWS[admin.section]()}</div>
      <AdminDialogs />
    </section>
  );
});
