// 点検 (issue 5): the spot-check sub-sections the admin session permits, the last export's line and
// any problem not about one field; the record dialog opened from any row.
import { observer } from 'mobx-react-lite';
import { useStores } from '../../stores/root-store';
import type { SpotSection } from '../../stores/spot-check-store';
import { LogSection } from './LogSection';
import { FindingsSection } from './FindingsSection';
import { SamplesSection } from './SamplesSection';
import { LedgerSection } from './LedgerSection';
import { WhoLookedSection } from './WhoLookedSection';
import { FlagsSection } from './FlagsSection';
import { ReportsSection } from './ReportsSection';
import { RecordDialog } from './RecordDialog';

const VIEWS: Record<SpotSection, () => React.JSX.Element> = {
  log: () => <LogSection />,
  findings: () => <FindingsSection />,
  samples: () => <SamplesSection />,
  ledger: () => <LedgerSection />,
  who: () => <WhoLookedSection />,
  flags: () => <FlagsSection />,
  reports: () => <ReportsSection />,
};

export const SpotCheckSection = observer(function SpotCheckSection() {
  const { spot } = useStores();
  const sections = spot.sections;
  const current = sections.some((s) => s.id === spot.section) ? spot.section : (sections[0]?.id ?? 'log');
  return (
    <div className="spot" data-testid="spot-check">
      <nav className="spot-tabs" role="tablist" aria-label="点検の項目">
        {sections.map((s) => (
          <button key={s.id} role="tab" aria-selected={current === s.id} className={current === s.id ? 'active' : ''} onClick={() => void spot.selectSection(s.id)} data-testid={`spot-tab-${s.id}`}>
            {s.label}
          </button>
        ))}
        <span className="spot-note">見た内容・出力はすべて操作ログに記録されます</span>
      </nav>
      {spot.notice && (
        <div className="admin-outcome ok" role="status" data-testid="spot-notice">
          <span>{spot.notice}</span>
          <button className="small secondary" onClick={() => spot.dismissNotice()}>
            閉じる
          </button>
        </div>
      )}
      {spot.problem && (
        <p className="error admin-message" role="alert" data-testid="spot-problem">
          {spot.problem}
        </p>
      )}
      {VIEWS[current]()}
      <RecordDialog />
    </div>
  );
});

/** A field's message from the server or the form, right under it. */
export function FieldMessage(props: { text: string | undefined; testId: string }) {
  if (!props.text) return null;
  return (
    <em className="field-error block" role="alert" data-testid={props.testId}>
      {props.text}
    </em>
  );
}

/** The index freshness line: the query covers what the server has indexed. */
export const IndexLine = observer(function IndexLine() {
  const { spot } = useStores();
  const index = spot.index;
  if (!index) return null;
  if (index.complete) return <span className="sub">全端末の受信済みログを対象にしています。</span>;
  const behind = index.terminals.filter((t) => t.indexedSeq < t.storedSeq);
  return (
    <span className="sub" data-testid="index-behind">
      受信直後でまだ検索に反映されていない記録があります（{behind.map((t) => `${t.terminalId} ${t.storedSeq - t.indexedSeq}件`).join('、')}。まもなく反映されます）。
    </span>
  );
});
