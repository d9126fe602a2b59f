// The background indexer of the operation log (issue 5): reads the chunks stored after each
// terminal's high-water mark and writes the compact query index (store/log-index.ts) in its own
// short transactions — never inside ingest, so ingest is not slowed down. A pass is bounded
// (maxRecords) so the event loop keeps serving requests between passes; the index says how far it
// is (indexedUpTo), so a reader knows how fresh it is. Pruned records are taken out again.
import { unpackIdList } from '../../domain/log/id-list';
import type { LogRecordBody } from '../../domain/log/log-record';
import type { ServerDb } from '../db/open';
import {
  allIndexProgress,
  clearLogIndex,
  deletePrunedIndexRows,
  forgetTerms,
  indexProgress,
  insertIndexEntries,
  setIndexProgress,
  type IndexEntry,
  type IndexProgress,
} from '../store/log-index';
import { eventTimeMs, lastPruning, logChunksAfter, terminalsWithLog, type LogChunkRow } from '../store/log-records';

/** Records per indexing transaction (10 chunks): short enough not to hold up an ingest. */
export const DEFAULT_INDEX_SLICE_RECORDS = 5000;
/** How often the server looks for new records to index. */
export const DEFAULT_INDEX_INTERVAL_MS = 2000;

const RESIDENT_ID = /^[A-Za-z0-9-]{1,40}$/;
/** The residents a record touched: detail.residentId and the shownIds list (src/domain/log/id-list.ts). */
export function residentIdsOf(detail: LogRecordBody['detail']): string[] {
  const ids = new Set<string>();
  const one = detail.residentId;
  if (typeof one === 'string' && RESIDENT_ID.test(one)) ids.add(one);
  // A list written before it was split in parts may end in part of an id: unpackIdList drops that one.
  for (const part of unpackIdList('shownIds', detail)) if (RESIDENT_ID.test(part)) ids.add(part);
  return [...ids];
}

const textOf = (v: unknown): string | null => (typeof v === 'string' && v.trim() !== '' ? v.trim().slice(0, 200) : null);

/**
 * The one detail value the findings rules (src/server/audit/findings.ts) read besides the coded
 * terms: purpose.stated → its case number, else its note; a resident access → its case number;
 * signin.refused → its reason. null otherwise.
 */
export function detailTextOf(body: LogRecordBody): string | null {
  const { detail } = body;
  if (body.type === 'purpose.stated') return textOf(detail.caseNumber) ?? textOf(detail.note);
  if (body.type === 'signin.refused') return textOf(detail.reason);
  if (body.type.startsWith('resident.')) return textOf(detail.caseNumber);
  return null;
}

export function indexEntryOf(body: LogRecordBody): IndexEntry {
  const { detail } = body;
  const names = 'purposeCategory' in detail;
  const category = detail.purposeCategory;
  const caseNumber = detail.caseNumber;
  return {
    terminalId: body.terminalId,
    seq: body.seq,
    atMs: eventTimeMs(body.at),
    type: body.type,
    outcome: body.outcome,
    operatorId: body.operatorId,
    cardKeyId: body.cardKeyId,
    purposeCategory: typeof category === 'string' && category !== '' ? category : null,
    hasCaseNumber: names ? typeof caseNumber === 'string' && caseNumber.trim() !== '' : null,
    residentIds: residentIdsOf(detail),
    detailText: detailTextOf(body),
  };
}

export interface IndexPassResult {
  /** Records indexed by this pass. */
  indexed: number;
  /** Index rows taken out because their records were pruned. */
  removed: number;
  /** true when records are still waiting (run again). */
  more: boolean;
}

/** Indexes up to maxRecords new records (whole chunks) across the terminals; one transaction per terminal slice. */
export function indexLogPass(db: ServerDb, now: number, maxRecords = DEFAULT_INDEX_SLICE_RECORDS): IndexPassResult {
  let indexed = 0;
  let removed = 0;
  let more = false;
  try {
    for (const terminalId of terminalsWithLog(db)) {
      if (indexed >= maxRecords) {
        more = true;
        break;
      }
      db.transaction(() => {
        const progress: IndexProgress = indexProgress(db, terminalId) ?? { terminalId, indexedSeq: 0, prunedSeq: 0, indexedAt: now };
        const anchor = lastPruning(db, terminalId);
        if (anchor && anchor.toSeq > progress.prunedSeq) {
          removed += deletePrunedIndexRows(db, terminalId, anchor.toSeq);
          progress.prunedSeq = anchor.toSeq;
          if (progress.indexedSeq < anchor.toSeq) progress.indexedSeq = anchor.toSeq;
        }
        const chunks: LogChunkRow[] = logChunksAfter(db, terminalId, progress.indexedSeq, Math.max(1, Math.ceil((maxRecords - indexed) / 500)));
        const entries: IndexEntry[] = [];
        for (const chunk of chunks) {
          for (const body of JSON.parse(chunk.records) as LogRecordBody[]) if (body.seq > progress.indexedSeq) entries.push(indexEntryOf(body));
          if (indexed + entries.length >= maxRecords) break;
        }
        insertIndexEntries(db, entries);
        const last = entries.at(-1);
        if (last) progress.indexedSeq = last.seq;
        progress.indexedAt = now;
        setIndexProgress(db, progress);
        indexed += entries.length;
        if (logChunksAfter(db, terminalId, progress.indexedSeq, 1).length > 0) more = true;
      }).immediate();
    }
  } catch (error) {
    forgetTerms(db); // term ids cached inside a rolled-back transaction are gone
    throw error;
  }
  return { indexed, removed, more };
}

/** Indexes everything stored now (pass after pass). */
export function indexLogFully(db: ServerDb, now: number, maxRecords = DEFAULT_INDEX_SLICE_RECORDS): { indexed: number; removed: number } {
  let indexed = 0;
  let removed = 0;
  for (;;) {
    const pass = indexLogPass(db, now, maxRecords);
    indexed += pass.indexed;
    removed += pass.removed;
    if (!pass.more) return { indexed, removed };
  }
}

/** Empties the index and builds it again from the stored chunks (CLI index-log --rebuild). */
export function rebuildLogIndex(db: ServerDb, now: number): { indexed: number } {
  db.transaction(() => clearLogIndex(db)).immediate();
  const { indexed } = indexLogFully(db, now, 50_000);
  db.exec('ANALYZE log_index_records; ANALYZE log_index_residents;');
  return { indexed };
}

/** How fresh the index is: per terminal, the last indexed seq and the newest stored seq. */
export interface IndexFreshness {
  /** Every terminal indexed up to its stored head. */
  complete: boolean;
  terminals: { terminalId: string; indexedSeq: number; storedSeq: number; indexedAt: number | null }[];
}

export function indexFreshness(db: ServerDb): IndexFreshness {
  const progress = new Map(allIndexProgress(db).map((p) => [p.terminalId, p]));
  const heads = db.prepare('SELECT terminal_id AS terminalId, max(last_seq) AS seq FROM log_chunks GROUP BY terminal_id').all() as { terminalId: string; seq: number }[];
  const stored = new Map(heads.map((h) => [h.terminalId, h.seq]));
  const ids = [...new Set([...progress.keys(), ...stored.keys()])].sort();
  const terminals = ids.map((terminalId) => {
    const p = progress.get(terminalId);
    return { terminalId, indexedSeq: p?.indexedSeq ?? 0, storedSeq: Math.max(stored.get(terminalId) ?? 0, p?.prunedSeq ?? 0), indexedAt: p?.indexedAt ?? null };
  });
  return { complete: terminals.every((t) => t.indexedSeq >= t.storedSeq), terminals };
}
