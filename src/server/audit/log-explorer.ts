// The log explorer's query over the index (issue 5): a period plus any of terminal, operator, event
// type (or prefix), purpose category, outcome and resident; newest first; keyset paging over a
// snapshot of the index (rows indexed after the first page are not mixed in, so pages never repeat
// or skip a row). Every page is a short backwards range scan of one index ending in at_ms; a type
// prefix runs one such scan per type and merges them.
import type { ServerDb } from '../db/open';
import { findTermId, OUTCOME_CODES, type IndexedOutcome } from '../store/log-index';
import type { AuditCursor, AuditPeriod } from './audit-filters';
import { decodeRows, INDEX_ROW_COLUMNS, indexSnapshot, typeIdsWithPrefix, type DecodedRow, type IndexRow } from './index-rows';

export interface ExplorerFilter {
  period: AuditPeriod;
  terminalId?: string;
  operatorId?: string;
  type?: { exact: string } | { prefix: string };
  purposeCategory?: string;
  outcome?: IndexedOutcome;
  residentId?: string;
}

export interface ExplorerPage {
  rows: DecodedRow[];
  next: AuditCursor | null;
  snapshot: number;
}

/** A filter naming a term never indexed matches nothing. */
const NOTHING = Symbol('nothing');

export function explorerPage(db: ServerDb, filter: ExplorerFilter, limit: number, cursor: AuditCursor | null): ExplorerPage {
  const snapshot = cursor?.snapshot ?? indexSnapshot(db);
  const term = (kind: 'terminal' | 'operator' | 'purpose', value: string | undefined): number | undefined | typeof NOTHING =>
    value === undefined ? undefined : (findTermId(db, kind, value) ?? NOTHING);
  const terminal = term('terminal', filter.terminalId);
  const operator = term('operator', filter.operatorId);
  const purpose = term('purpose', filter.purposeCategory);
  let types: (number | undefined)[] = [undefined];
  if (filter.type && 'exact' in filter.type) types = [findTermId(db, 'type', filter.type.exact) ?? -1];
  else if (filter.type) types = typeIdsWithPrefix(db, filter.type.prefix);
  if (terminal === NOTHING || operator === NOTHING || purpose === NOTHING || types.length === 0 || types.includes(-1)) {
    return { rows: [], next: null, snapshot };
  }

  const toMs = cursor ? Math.min(filter.period.toMs, cursor.atMs) : filter.period.toMs;
  const params: Record<string, number | string> = { from: filter.period.fromMs, to: toMs, snapshot, take: limit + 1 };
  const where: string[] = ['r.id <= @snapshot'];
  if (cursor) {
    params.cAt = cursor.atMs;
    params.cId = cursor.id;
  }
  const condition = (column: string, value: number | undefined): void => {
    if (value === undefined) return;
    where.push(`r.${column} = @${column}`);
    params[column] = value;
  };
  condition('terminal', terminal);
  condition('operator', operator);
  condition('purpose', purpose);
  condition('outcome', filter.outcome === undefined ? undefined : OUTCOME_CODES[filter.outcome]);

  const run = (type: number | undefined): IndexRow[] => {
    const conditions = [...where, ...(type === undefined ? [] : ['r.type = @type'])];
    const p = type === undefined ? params : { ...params, type };
    if (filter.residentId !== undefined) {
      const after = cursor ? 'AND (x.at_ms < @cAt OR x.record < @cId)' : '';
      return db
        .prepare(
          `SELECT ${INDEX_ROW_COLUMNS} FROM log_index_residents x JOIN log_index_records r ON r.id = x.record
           WHERE x.resident_id = @resident AND x.at_ms BETWEEN @from AND @to ${after} AND ${conditions.join(' AND ')}
           ORDER BY x.at_ms DESC, x.record DESC LIMIT @take`,
        )
        .all({ ...p, resident: filter.residentId }) as IndexRow[];
    }
    const after = cursor ? 'AND (r.at_ms < @cAt OR r.id < @cId)' : '';
    return db
      .prepare(`SELECT ${INDEX_ROW_COLUMNS} FROM log_index_records r WHERE r.at_ms BETWEEN @from AND @to ${after} AND ${conditions.join(' AND ')} ORDER BY r.at_ms DESC, r.id DESC LIMIT @take`)
      .all(p) as IndexRow[];
  };

  let rows = types.length === 1 ? run(types[0]) : types.flatMap(run);
  if (types.length > 1) rows = rows.sort((a, b) => b.at_ms - a.at_ms || b.id - a.id).slice(0, limit + 1);
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return { rows: decodeRows(db, page), next: rows.length > limit && last ? { atMs: last.at_ms, id: last.id, snapshot } : null, snapshot };
}
