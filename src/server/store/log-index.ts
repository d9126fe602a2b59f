// The operation log's query index (migration 8): compact rows derived from the stored chunks by the
// background indexer (services/log-indexer.ts), never by ingest. Terms (terminal, type, operator,
// card, purpose category) are dictionary-coded; the reading side is src/server/audit/.
import type { ServerDb } from '../db/open';
import { JST_OFFSET_MS } from '../../domain/calendar/jst';
import { DAY_MS } from '../clock';

export type IndexTermKind = 'terminal' | 'type' | 'operator' | 'card' | 'purpose';

export const OUTCOME_CODES = { success: 0, failure: 1, info: 2 } as const;
export const OUTCOME_NAMES = ['success', 'failure', 'info'] as const;
export type IndexedOutcome = (typeof OUTCOME_NAMES)[number];

/** One record as the index holds it (terms still as text). */
export interface IndexEntry {
  terminalId: string;
  seq: number;
  atMs: number;
  type: string;
  outcome: IndexedOutcome;
  operatorId: string | null;
  cardKeyId: string | null;
  purposeCategory: string | null;
  /** true/false when the record names a purpose (with / without a case number), null when it names none. */
  hasCaseNumber: boolean | null;
  residentIds: readonly string[];
  /** What the findings rules read besides the terms (migration 9, see detailTextOf in services/log-indexer.ts). */
  detailText?: string | null;
}

export interface IndexProgress {
  terminalId: string;
  indexedSeq: number;
  prunedSeq: number;
  indexedAt: number;
}

/** A search that succeeded or a view (what the findings' volume rule counts; with an operator). */
const LOOKUP_SQL =
  "(type IN (SELECT id FROM log_index_terms WHERE kind = 'type' AND value = 'resident.viewed') OR (type IN (SELECT id FROM log_index_terms WHERE kind = 'type' AND value = 'resident.search') AND outcome = 0))";

/** The JST day number of an instant, as log_index_lookup_days keys it. */
export const lookupDayOf = (atMs: number): number => Math.floor((atMs + JST_OFFSET_MS) / DAY_MS);

function prepare(db: ServerDb) {
  return {
    termId: db.prepare('SELECT id FROM log_index_terms WHERE kind = ? AND value = ?').pluck(),
    insertTerm: db.prepare('INSERT INTO log_index_terms (kind, value) VALUES (?, ?)'),
    insertRecord: db.prepare(
      'INSERT INTO log_index_records (terminal, seq, at_ms, type, outcome, operator, card, purpose, case_number, detail_text, resident_ids) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
    ),
    insertResident: db.prepare('INSERT OR IGNORE INTO log_index_residents (resident_id, at_ms, record) VALUES (?, ?, ?)'),
    progress: db.prepare('SELECT terminal_id AS terminalId, indexed_seq AS indexedSeq, pruned_seq AS prunedSeq, indexed_at AS indexedAt FROM log_index_progress WHERE terminal_id = ?'),
    allProgress: db.prepare('SELECT terminal_id AS terminalId, indexed_seq AS indexedSeq, pruned_seq AS prunedSeq, indexed_at AS indexedAt FROM log_index_progress ORDER BY terminal_id'),
    setProgress: db.prepare(
      `INSERT INTO log_index_progress (terminal_id, indexed_seq, pruned_seq, indexed_at) VALUES (@terminalId, @indexedSeq, @prunedSeq, @indexedAt)
       ON CONFLICT (terminal_id) DO UPDATE SET indexed_seq = excluded.indexed_seq, pruned_seq = excluded.pruned_seq, indexed_at = excluded.indexed_at`,
    ),
    deletePruned: db.prepare('DELETE FROM log_index_records WHERE terminal = ? AND seq <= ?'),
    addLookups: db.prepare(
      'INSERT INTO log_index_lookup_days (day, operator, lookups) VALUES (?, ?, ?) ON CONFLICT (day, operator) DO UPDATE SET lookups = lookups + excluded.lookups',
    ),
    // The searches+views of the rows a pruning takes out, per day and operator (subtracted before the rows go).
    prunedLookups: db.prepare(
      `SELECT (at_ms + ${JST_OFFSET_MS}) / ${DAY_MS}, operator, count(*) FROM log_index_records
       WHERE terminal = ? AND seq <= ? AND operator IS NOT NULL AND ${LOOKUP_SQL} GROUP BY 1, 2`,
    ).raw(),
    subtractLookups: db.prepare('UPDATE log_index_lookup_days SET lookups = lookups - ? WHERE day = ? AND operator = ?'),
    deleteEmptyLookupDay: db.prepare('DELETE FROM log_index_lookup_days WHERE day = ? AND operator = ? AND lookups = 0'),
  };
}

const statements = new WeakMap<ServerDb, ReturnType<typeof prepare>>();
const termCaches = new WeakMap<ServerDb, Map<string, number>>();

function stmts(db: ServerDb): ReturnType<typeof prepare> {
  let prepared = statements.get(db);
  if (!prepared) statements.set(db, (prepared = prepare(db)));
  return prepared;
}

/** The id of a term, created when new (call inside the writing transaction). */
export function termId(db: ServerDb, kind: IndexTermKind, value: string): number {
  let cache = termCaches.get(db);
  if (!cache) termCaches.set(db, (cache = new Map()));
  const key = `${kind}\u0000${value}`;
  const known = cache.get(key);
  if (known !== undefined) return known;
  const s = stmts(db);
  let id = s.termId.get(kind, value) as number | undefined;
  if (id === undefined) id = Number(s.insertTerm.run(kind, value).lastInsertRowid);
  cache.set(key, id);
  return id;
}

/** The id of an existing term, or undefined (reading: never creates one). */
export function findTermId(db: ServerDb, kind: IndexTermKind, value: string): number | undefined {
  return stmts(db).termId.get(kind, value) as number | undefined;
}

/** Forgets cached term ids (after the index was emptied). */
export function forgetTerms(db: ServerDb): void {
  termCaches.delete(db);
}

/** Writes the index rows of records (in the caller's transaction). */
export function insertIndexEntries(db: ServerDb, entries: readonly IndexEntry[]): void {
  const s = stmts(db);
  // Searches (succeeded) and views per operator and JST day (log_index_lookup_days, migration 12).
  const lookups = new Map<string, number>();
  for (const e of entries) {
    if (e.operatorId !== null && (e.type === 'resident.viewed' || (e.type === 'resident.search' && e.outcome === 'success'))) {
      const key = `${lookupDayOf(e.atMs)}:${termId(db, 'operator', e.operatorId)}`;
      lookups.set(key, (lookups.get(key) ?? 0) + 1);
    }
    const id = s.insertRecord.run(
      termId(db, 'terminal', e.terminalId),
      e.seq,
      e.atMs,
      termId(db, 'type', e.type),
      OUTCOME_CODES[e.outcome],
      e.operatorId === null ? null : termId(db, 'operator', e.operatorId),
      e.cardKeyId === null ? null : termId(db, 'card', e.cardKeyId),
      e.purposeCategory === null ? null : termId(db, 'purpose', e.purposeCategory),
      e.hasCaseNumber === null ? null : e.hasCaseNumber ? 1 : 0,
      e.detailText ?? null,
      e.residentIds.length === 0 ? null : e.residentIds.join(','),
    ).lastInsertRowid;
    for (const residentId of e.residentIds) s.insertResident.run(residentId, e.atMs, id);
  }
  for (const [key, n] of lookups) {
    const [day, operator] = key.split(':').map(Number) as [number, number];
    s.addLookups.run(day, operator, n);
  }
}

export function indexProgress(db: ServerDb, terminalId: string): IndexProgress | undefined {
  return stmts(db).progress.get(terminalId) as IndexProgress | undefined;
}

export function allIndexProgress(db: ServerDb): IndexProgress[] {
  return stmts(db).allProgress.all() as IndexProgress[];
}

export function setIndexProgress(db: ServerDb, progress: IndexProgress): void {
  stmts(db).setProgress.run(progress);
}

/**
 * Takes the index rows of pruned records (seq <= toSeq) out. Their resident rows stay behind as
 * orphans: every reader joins them to log_index_records, so an orphan is never shown.
 */
export function deletePrunedIndexRows(db: ServerDb, terminalId: string, toSeq: number): number {
  const terminal = findTermId(db, 'terminal', terminalId);
  if (terminal === undefined) return 0;
  const s = stmts(db);
  for (const [day, operator, n] of s.prunedLookups.all(terminal, toSeq) as [number, number, number][]) {
    s.subtractLookups.run(n, day, operator);
    s.deleteEmptyLookupDay.run(day, operator);
  }
  return s.deletePruned.run(terminal, toSeq).changes;
}

/** Empties the whole index (a rebuild follows). */
export function clearLogIndex(db: ServerDb): void {
  db.exec('DELETE FROM log_index_residents; DELETE FROM log_index_records; DELETE FROM log_index_lookup_days; DELETE FROM log_index_progress; DELETE FROM log_index_terms;');
  forgetTerms(db);
}
