// Reading the log query index: rows as stored, their terms decoded, operator names from the roster.
import { toIso } from '../clock';
import type { ServerDb } from '../db/open';
import { OUTCOME_NAMES, type IndexedOutcome } from '../store/log-index';

/** A row of log_index_records as read. */
export interface IndexRow {
  id: number;
  terminal: number;
  seq: number;
  at_ms: number;
  type: number;
  outcome: number;
  operator: number | null;
  card: number | null;
  purpose: number | null;
  case_number: number | null;
}

export const INDEX_ROW_COLUMNS = 'r.id, r.terminal, r.seq, r.at_ms, r.type, r.outcome, r.operator, r.card, r.purpose, r.case_number';

export interface DecodedRow {
  id: number;
  atMs: number;
  terminalId: string;
  seq: number;
  at: string;
  type: string;
  outcome: IndexedOutcome;
  operatorId: string | null;
  operatorName: string | null;
  cardKeyId: string | null;
  purposeCategory: string | null;
  hasCaseNumber: boolean | null;
}

/** The term values of ids, in one bound query. */
function termValues(db: ServerDb, ids: Iterable<number>): Map<number, string> {
  const list = [...new Set(ids)];
  if (list.length === 0) return new Map();
  const rows = db.prepare('SELECT id, value FROM log_index_terms WHERE id IN (SELECT value FROM json_each(?))').all(JSON.stringify(list)) as { id: number; value: string }[];
  return new Map(rows.map((r) => [r.id, r.value]));
}

/** Roster names of operator ids (absent when not on the roster). */
export function operatorNames(db: ServerDb, ids: Iterable<string>): Map<string, string> {
  const list = [...new Set(ids)];
  if (list.length === 0) return new Map();
  const rows = db.prepare('SELECT id, name FROM operators WHERE id IN (SELECT value FROM json_each(?))').all(JSON.stringify(list)) as { id: string; name: string }[];
  return new Map(rows.map((r) => [r.id, r.name]));
}

export function decodeRows(db: ServerDb, rows: readonly IndexRow[]): DecodedRow[] {
  const terms = termValues(
    db,
    rows.flatMap((r) => [r.terminal, r.type, ...(r.operator === null ? [] : [r.operator]), ...(r.card === null ? [] : [r.card]), ...(r.purpose === null ? [] : [r.purpose])]),
  );
  const term = (id: number | null): string | null => (id === null ? null : (terms.get(id) ?? null));
  const operatorIds = rows.map((r) => term(r.operator)).filter((v): v is string => v !== null);
  const names = operatorNames(db, operatorIds);
  return rows.map((r) => {
    const operatorId = term(r.operator);
    return {
      id: r.id,
      atMs: r.at_ms,
      terminalId: term(r.terminal) ?? '',
      seq: r.seq,
      at: toIso(r.at_ms),
      type: term(r.type) ?? '',
      outcome: OUTCOME_NAMES[r.outcome] ?? 'info',
      operatorId,
      operatorName: operatorId === null ? null : (names.get(operatorId) ?? null),
      cardKeyId: term(r.card),
      purposeCategory: term(r.purpose),
      hasCaseNumber: r.case_number === null ? null : r.case_number === 1,
    };
  });
}

/** The highest index row id now: a paging snapshot. */
export function indexSnapshot(db: ServerDb): number {
  return (db.prepare('SELECT coalesce(max(id), 0) FROM log_index_records').pluck().get() as number) ?? 0;
}

/** Ids of the event types with this prefix (e.g. `resident.`). */
export function typeIdsWithPrefix(db: ServerDb, prefix: string): number[] {
  return db
    .prepare("SELECT id FROM log_index_terms WHERE kind = 'type' AND substr(value, 1, length(?)) = ? ORDER BY id")
    .pluck()
    .all(prefix, prefix) as number[];
}
