// The hits of one search: enough to pick the right person, the code masked (第22条9項).
import { observer } from 'mobx-react-lite';
import { useEffect, useState } from 'react';
import { useStores } from '../stores/root-store';
import type { Resident } from '../../../shared/resident-api';
import { formatJapaneseDate } from '../../../domain/resident/era';
import { maskResidentCode } from '../../../domain/resident/resident-code';
import { SEX_LABEL as SEX, STATUS_TAG as STATUS } from './resident-labels';

const NO_HITS: readonly Resident[] = [];
/**
 * Rows in the first frame after a search: more than a counter screen shows without scrolling (about 12
 * at 1080p). The rest (a list holds up to 50) follow in the next frame — laying out 50 rows of Japanese
 * text costs the first frame ~20 ms, most of it for rows nobody can see yet.
 */
export const FIRST_FRAME_ROWS = 15;

/** The hits to render now: the first screenful at once, all of them from the frame after it was painted. */
function useRowsInFrames(hits: readonly Resident[]): readonly Resident[] {
  const [complete, setComplete] = useState<readonly Resident[] | null>(null);
  useEffect(() => {
    if (hits.length <= FIRST_FRAME_ROWS) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    // requestAnimationFrame runs before the first frame is painted; a task queued from it runs after.
    const frame = requestAnimationFrame(() => {
      timer = setTimeout(() => setComplete(hits), 0);
    });
    return () => {
      cancelAnimationFrame(frame);
      if (timer !== undefined) clearTimeout(timer);
    };
  }, [hits]);
  return complete === hits || hits.length <= FIRST_FRAME_ROWS ? hits : hits.slice(0, FIRST_FRAME_ROWS);
}

export const ResidentResults = observer(function ResidentResults() {
  const { residents } = useStores();
  const hits = residents.hits ?? NO_HITS;
  const rows = useRowsInFrames(hits);
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
          {rows.map((r) => (
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
