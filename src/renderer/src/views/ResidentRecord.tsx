// One resident's 本人確認情報 and change history. The code stays masked unless revealed on purpose
// (logged, for a few seconds).
import { observer } from 'mobx-react-lite';
import { useStores } from '../stores/root-store';
import { ResidentHistory } from './ResidentHistory';
import { formatJapaneseDate } from '../../../domain/resident/era';
import { maskResidentCode } from '../../../domain/resident/resident-code';
import { PrintDialog } from './PrintDialog';
import { SEX_LABEL as SEX, STATUS_LABEL as STATUS } from './resident-labels';


export const ResidentRecord = observer(function ResidentRecord() {
  const { residents } = useStores();
  const r = residents.selected;
  if (!r) return null;
  return (
    <div className="record" data-testid="record">
      <div className="record-head">
        <h3>
          {r.name}
          <span className="record-kana">{r.kana}</span>
        </h3>
        <button className="secondary" onClick={() => residents.askPrint()} data-testid="print-record">
          印刷…
        </button>
        <button className="secondary" onClick={() => residents.closeRecord()} data-testid="record-close">
          一覧に戻る（Esc）
        </button>
      </div>
      <PrintDialog />
      <dl className="record-fields">
        <dt>生年月日</dt>
        <dd>{formatJapaneseDate(r.birthDate)}</dd>
        <dt>性別</dt>
        <dd>{SEX[r.sex]}</dd>
        <dt>住所</dt>
        <dd>{r.address}</dd>
        <dt>状態</dt>
        <dd>{STATUS[r.status]}</dd>
        <dt>住民票コード</dt>
        <dd className="code" data-testid="record-code">
          {residents.codeRevealed ? r.code : maskResidentCode(r.code)}
          {!residents.codeRevealed && (
            <button className="secondary small" onClick={() => void residents.revealCode()} data-testid="reveal-code">
              表示する（記録されます）
            </button>
          )}
          {residents.codeRevealed && <span className="hint"> 読み上げないでください。数秒で隠れます。</span>}
        </dd>
      </dl>
      <h4>異動履歴</h4>
      <ResidentHistory history={r.history} />
    </div>
  );
});
