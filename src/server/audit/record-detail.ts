// One stored record with its chain status (issue 5: every explorer row opens the full record): its
// hash recomputed from its canonical encoding (the domain's encoding and the server's SHA-256), its
// link to the stored hash of the record before (or genesis, or the retention pruning's anchor), and
// the first signed checkpoint whose head for the terminal is at or after it (heads never go back,
// so a binary search over the checkpoint ids).
import { canonicalEncoding, GENESIS_HASH, type LogRecordBody } from '../../domain/log/log-record';
import type { ServerDb } from '../db/open';
import { sha256Hex } from '../services/log-hash';
import { chunkRecords, lastPruning, storedHash, type LogChunkRow, type StoredLogRecord } from '../store/log-records';

export interface ChainStatus {
  hashValid: boolean;
  linkValid: boolean;
  previous: 'genesis' | 'record' | 'pruning-anchor' | 'missing';
  checkpoint: { id: number; at: number } | null;
}

function readRecord(db: ServerDb, terminalId: string, seq: number): { record: StoredLogRecord; chunk: LogChunkRow; index: number } | undefined {
  const chunk = db
    .prepare('SELECT terminal_id, first_seq, last_seq, last_hash, min_at_ms, max_at_ms, received_at, hashes, records FROM log_chunks WHERE terminal_id = ? AND last_seq >= ? ORDER BY last_seq LIMIT 1')
    .get(terminalId, seq) as LogChunkRow | undefined;
  if (!chunk || chunk.first_seq > seq) return undefined;
  const records = chunkRecords(chunk);
  const index = records.findIndex((r) => r.seq === seq);
  return index < 0 ? undefined : { record: records[index]!, chunk, index };
}

function coveringCheckpoint(db: ServerDb, terminalId: string, seq: number): { id: number; at: number } | null {
  const last = db.prepare('SELECT max(id) FROM log_checkpoints').pluck().get() as number | null;
  if (!last) return null;
  const headAt = db.prepare("SELECT (SELECT h.value ->> '$.seq' FROM json_each(c.heads) h WHERE h.value ->> '$.terminalId' = ?) AS seq, c.at AS at FROM log_checkpoints c WHERE c.id = ?");
  const covers = (id: number): { at: number } | null => {
    const row = headAt.get(terminalId, id) as { seq: number | null; at: number } | undefined;
    return row && row.seq !== null && row.seq >= seq ? { at: row.at } : null;
  };
  if (!covers(last)) return null;
  let lo = 1;
  let hi = last;
  while (lo < hi) {
    const mid = Math.floor((lo + hi) / 2);
    if (covers(mid)) hi = mid;
    else lo = mid + 1;
  }
  return { id: lo, at: covers(lo)!.at };
}

export function recordWithChain(db: ServerDb, terminalId: string, seq: number): { record: StoredLogRecord; chain: ChainStatus } | undefined {
  const found = readRecord(db, terminalId, seq);
  if (!found) return undefined;
  const { record, chunk, index } = found;
  const { hash, atMs: _atMs, receivedAt: _receivedAt, ...body } = record;
  const hashValid = sha256Hex(canonicalEncoding(body as LogRecordBody)) === hash;
  let previous: ChainStatus['previous'] = 'missing';
  let expected: string | undefined;
  if (seq === 1) [previous, expected] = ['genesis', GENESIS_HASH];
  else if (index > 0) [previous, expected] = ['record', chunk.hashes.slice((index - 1) * 64, index * 64)];
  else {
    expected = storedHash(db, terminalId, seq - 1);
    if (expected !== undefined) previous = 'record';
    else {
      const anchor = lastPruning(db, terminalId);
      if (anchor && anchor.toSeq === seq - 1) [previous, expected] = ['pruning-anchor', anchor.anchorHash];
    }
  }
  return { record, chain: { hashValid, linkValid: expected !== undefined && record.prevHash === expected, previous, checkpoint: coveringCheckpoint(db, terminalId, seq) } };
}
