// How fresh the terminal's copy of the resident directory is (issue 4 item 1).
import { observer } from 'mobx-react-lite';
import { useStores } from '../stores/root-store';
import { formatTime } from './format';

export const ReplicaStatusLine = observer(function ReplicaStatusLine() {
  const { residents } = useStores();
  const { replica } = residents;
  const when = replica.feed ? formatTime(replica.feed.updatedAt) : null;
  const text =
    replica.state === 'loading'
      ? `住民データを更新しています（${replica.feed ? `${replica.feed.next.toLocaleString('ja-JP')} / ${replica.feed.latest.toLocaleString('ja-JP')}` : '開始'}）`
      : replica.state === 'failed'
        ? `住民データ ${replica.count.toLocaleString('ja-JP')}件（${when ?? '未取得'} 時点）— ${replica.problem ?? '更新できません'}`
        : `住民データ ${replica.count.toLocaleString('ja-JP')}件（${when ? `${when} 更新` : '未取得'}）`;
  return (
    <span className={`replica-status replica-${replica.state}`} data-testid="replica-status" data-count={replica.count}>
      {text}
    </span>
  );
});
