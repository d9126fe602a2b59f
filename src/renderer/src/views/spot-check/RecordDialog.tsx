// One stored record, opened from any row of 点検: every field, its detail, and the chain status the
// server computed (hash recomputed, link to the record before, covered by a signed checkpoint).
import { observer } from 'mobx-react-lite';
import { useStores } from '../../stores/root-store';
import { Modal } from '../admin/Modal';
import { dateTime } from '../admin/admin-format';
import { RecordDetailFacts, RecordHeadFacts } from './RecordFacts';

const PREVIOUS: Record<string, string> = { genesis: '最初の記録', record: '直前の記録', 'pruning-anchor': '保存期間で削除した記録の引継ぎ値', missing: '直前の記録がありません' };

export const RecordDialog = observer(function RecordDialog() {
  const { spot } = useStores();
  if (!spot.recordOpen) return null;
  const close = () => spot.closeRecord();
  if (spot.recordLoading || (!spot.record && !spot.recordError)) {
    return (
      <Modal title="記録を読み込み中" testId="record-dialog">
        <p role="status">読み込み中…</p>
      </Modal>
    );
  }
  if (!spot.record) {
    return (
      <Modal title="記録を表示できません" testId="record-dialog" tone="danger">
        <p className="error" role="alert" data-testid="record-error">
          {spot.recordError}
        </p>
        <div className="modal-actions">
          <button onClick={close} data-testid="record-close">
            閉じる
          </button>
        </div>
      </Modal>
    );
  }
  const { record, chain } = spot.record;
  const intact = chain.hashValid && chain.linkValid;
  return (
    <Modal title={`記録 ${record.terminalId} #${record.seq}`} testId="record-dialog" tone={intact ? 'info' : 'danger'}>
      <div className={`chain-status ${intact ? 'ok' : 'ng'}`} data-testid="record-chain">
        <strong>{intact ? '✓ 改ざんなし' : '✗ 改ざんまたは欠落の疑い'}</strong>
        <span>
          ハッシュ {chain.hashValid ? '✓ 一致' : '✗ 不一致'}・前の記録との連結 {chain.linkValid ? '✓ 一致' : '✗ 不一致'}（{PREVIOUS[chain.previous] ?? chain.previous}）
        </span>
        <span data-testid="record-checkpoint">{chain.checkpoint ? `署名付きチェックポイント #${chain.checkpoint.id}（${dateTime(chain.checkpoint.at)}）で保護済み` : 'まだ署名付きチェックポイントに含まれていません'}</span>
      </div>
      <dl className="admin-facts record-facts">
        <RecordHeadFacts at={record.at} type={record.type} outcome={record.outcome} />
        <dt>操作者</dt>
        <dd>{record.operatorId ? `${record.operatorName ?? ''}（${record.operatorId}）` : '—'}</dd>
        <dt>カード</dt>
        <dd className="mono">{record.cardKeyId ? `${record.cardKeyId.slice(0, 16)}…` : '—'}</dd>
        <dt>端末の時計</dt>
        <dd>{Math.abs(record.clockOffsetMs) < 1000 ? 'ずれなし' : `${(record.clockOffsetMs / 1000).toFixed(1)}秒のずれ`}</dd>
        <dt>サーバー受信</dt>
        <dd>{dateTime(record.receivedAt)}</dd>
        <RecordDetailFacts detail={record.detail} />
        <dt>ハッシュ</dt>
        <dd className="mono">{record.hash.slice(0, 24)}…</dd>
      </dl>
      <div className="modal-actions">
        <button onClick={close} data-testid="record-close">
          閉じる
        </button>
      </div>
    </Modal>
  );
});
