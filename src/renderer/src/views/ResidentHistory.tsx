// A record's change history (異動履歴), on screen and on paper alike.
import type { ResidentHistoryEntry } from '../../../shared/resident-api';
import { formatJapaneseDate } from '../../../domain/resident/era';
import { HISTORY_KIND } from './resident-labels';

export function ResidentHistory({ history }: { history: readonly ResidentHistoryEntry[] }) {
  return (
    <table className="history">
      <tbody>
        {history.map((h, i) => (
          <tr key={i}>
            <td>{formatJapaneseDate(h.date)}</td>
            <td>{HISTORY_KIND[h.kind]}</td>
            <td>{h.note}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
