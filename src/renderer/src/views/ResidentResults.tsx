// The hits of one search: enough to pick the right person, the code masked (第22条9項).
import { observer } from 'mobx-react-lite';
import { useStores } from '../stores/root-store';
import type { Resident } from '../../../shared/resident-api';
import { formatJapaneseDate } from '../../../domain/resident/era';
import { maskResidentCode } from '../../../domain/resident/resident-code';
import { SEX_LABEL as SEX, STATUS_TAG as STATUS } from './resident-labels';

const NO_HITS: readonly Resident[] = [];

// Every hit (at most 50) is rendered in the frame after Enter. Rendering the first screenful first and
// the rest a frame later was tried (docs/architecture.md): the first frame gained 2 ms, the whole list
// came 17 ms later.
export const ResidentResults = observer(function ResidentResults() {
  const { residents } = useStores();
  const hits = residents.hits ?? NO_HITS;
  if (hits.length === 0) return null;
  return (
    <div className="results" data-testid="results">
      <p className="results-count">
        {hits.length}件{residents.truncated ? '（該当が多いため先頭のみ表示しています。条件を追加してください）' : ''}
      </p>
      <table>
        <thead>
          <tr>
            <th>氏名</th>
            <th>カナ</th>
            <th>生年月日</th>
            <th>性別</th>
            <th>住所</th>
            <th>住民票コード</th>
          </tr>
        </thead>
        <tbody>
          {hits.map((r) => (
            <tr key={r.id} tabIndex={0} onClick={() => void residents.open(r)} onKeyDown={(e) => e.key === 'Enter' && void residents.open(r)} data-testid="result-row">
              <td>
                {r.name}
                {STATUS[r.status] && <span className="tag">{STATUS[r.status]}</span>}
              </td>
              <td>{r.kana}</td>
              <td>{formatJapaneseDate(r.birthDate)}</td>
              <td>{SEX[r.sex]}</td>
              <td>{r.address}</td>
              <td className="code">{maskResidentCode(r.code)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
});
