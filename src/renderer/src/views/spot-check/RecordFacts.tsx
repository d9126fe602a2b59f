// The fields every opened log record shows, online (RecordDialog, from the server) and offline
// (OfflineAudit, this terminal's own log): when, what, outcome, and each detail with its Japanese name.
import { OUTCOME_LABEL, detailLabel, eventLabel, purposeLabel } from '../../stores/spot-check-store';
import { dateTime } from '../admin/admin-format';

export function RecordHeadFacts(props: { at: string; type: string; outcome: string }) {
  return (
    <>
      <dt>日時</dt>
      <dd>{dateTime(props.at)}</dd>
      <dt>種別</dt>
      <dd>
        {eventLabel(props.type)}（{props.type}）
      </dd>
      <dt>結果</dt>
      <dd>{OUTCOME_LABEL[props.outcome] ?? props.outcome}</dd>
    </>
  );
}

export function RecordDetailFacts(props: { detail: Record<string, string | number | boolean | null> }) {
  return (
    <>
      {Object.entries(props.detail).map(([name, value]) => (
        <DetailPair key={name} name={name} value={value} />
      ))}
    </>
  );
}

function DetailPair(props: { name: string; value: string | number | boolean | null }) {
  const { name, value } = props;
  return (
    <>
      <dt title={name}>{detailLabel(name)}</dt>
      <dd>{value === null ? '—' : name === 'purposeCategory' && typeof value === 'string' ? `${purposeLabel(value)}（${value}）` : String(value)}</dd>
    </>
  );
}
