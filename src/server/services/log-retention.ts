// Retention of the operation log: records are kept `retentionDays` (default 7 years) after both
// their event time and their arrival, then pruned from the start of each terminal's chain, a whole
// stored chunk at a time (a chunk goes when all its records are old: the pruning stops at the first
// chunk holding a record too young to go). The pruning is recorded first (log_prunings: range,
// cutoff, and the anchor = hash of the last pruned record); the delete trigger lets only such
// recorded, old chunks go. The stored chain stays verifiable from the anchor. A segment whose chain
// does not verify is not pruned (integrity alert).
import { verifyChain } from '../../domain/log/log-record';
import { DAY_MS } from '../clock';
import type { ServerDb } from '../db/open';
import { recordEvent } from '../store/events';
import { recordIntegrityAlert } from '../store/integrity-alerts';
import { countChunkRecords, lastPruning, logRecordsAfter, storedHash, terminalsWithLog } from '../store/log-records';
import { sha256Hex } from './log-hash';

/** 7 years, leap days included (第15条2項 etc.: analysable 7 years back). */
export const DEFAULT_LOG_RETENTION_DAYS = 7 * 365 + 2;
export const MAX_LOG_RETENTION_DAYS = 36_500;

export interface PrunedRange {
  terminalId: string;
  fromSeq: number;
  toSeq: number;
  records: number;
  anchorHash: string;
}

export interface PruneResult {
  cutoff: number;
  pruned: PrunedRange[];
  /** Terminals whose old segment did not verify: nothing pruned there, an alert recorded. */
  refused: { terminalId: string; seq: number; problem: string }[];
}

const PAGE = 10_000;

export function checkRetentionDays(days: number): number {
  if (!Number.isInteger(days) || days < 1 || days > MAX_LOG_RETENTION_DAYS) throw new RangeError(`logRetentionDays must be an integer 1..${MAX_LOG_RETENTION_DAYS}`);
  return days;
}

export function pruneLog(db: ServerDb, options: { now: number; retentionDays: number }): PruneResult {
  const retentionDays = checkRetentionDays(options.retentionDays);
  const { now } = options;
  const cutoff = now - retentionDays * DAY_MS;
  const result: PruneResult = { cutoff, pruned: [], refused: [] };
  // In seq order, stopping at the first chunk holding a record too young to go.
  const firstYoung = db.prepare('SELECT first_seq FROM log_chunks WHERE terminal_id = ? AND (max_at_ms >= ? OR received_at >= ?) ORDER BY first_seq LIMIT 1').pluck();
  const lastSeq = db.prepare('SELECT max(last_seq) FROM log_chunks WHERE terminal_id = ?').pluck();

  for (const terminalId of terminalsWithLog(db)) {
    const anchor = lastPruning(db, terminalId);
    const fromSeq = (anchor?.toSeq ?? 0) + 1;
    const young = (firstYoung.get(terminalId, cutoff, cutoff) as number | undefined) ?? null;
    const toSeq = young === null ? ((lastSeq.get(terminalId) as number | null) ?? 0) : young - 1;
    if (toSeq < fromSeq) continue;

    // Verify what is about to go: the anchor must be a hash the chain really had.
    let previous = anchor ? { seq: anchor.toSeq, hash: anchor.anchorHash } : null;
    let problem: { seq: number; kind: string } | null = null;
    for (let after = fromSeq - 1; after < toSeq && !problem; ) {
      const page = logRecordsAfter(db, terminalId, after, Math.min(PAGE, toSeq - after)).filter((r) => r.seq <= toSeq);
      if (page.length === 0) {
        problem = { seq: after + 1, kind: 'gap' };
        break;
      }
      const found = verifyChain(page, previous, terminalId, sha256Hex);
      if (found) problem = { seq: found.seq, kind: found.kind };
      const last = page.at(-1)!;
      previous = { seq: last.seq, hash: last.hash };
      after = last.seq;
    }
    if (problem) {
      db.transaction(() =>
        recordIntegrityAlert(db, {
          at: now,
          terminalId,
          kind: 'log-pruning-refused',
          seq: problem.seq,
          detail: { problem: problem.kind, fromSeq, toSeq, cutoff, retentionDays },
        }),
      ).immediate();
      result.refused.push({ terminalId, seq: problem.seq, problem: problem.kind });
      continue;
    }

    const anchorHash = storedHash(db, terminalId, toSeq)!;
    const records = toSeq - fromSeq + 1;
    db.transaction(() => {
      db.prepare(
        'INSERT INTO log_prunings (at, terminal_id, from_seq, to_seq, anchor_hash, records, cutoff, retention_days) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
      ).run(now, terminalId, fromSeq, toSeq, anchorHash, records, cutoff, retentionDays);
      const deleted = countChunkRecords(db, terminalId, fromSeq, toSeq);
      db.prepare('DELETE FROM log_chunks WHERE terminal_id = ? AND first_seq BETWEEN ? AND ?').run(terminalId, fromSeq, toSeq);
      db.prepare('DELETE FROM log_chunk_index WHERE terminal_id = ? AND first_seq BETWEEN ? AND ?').run(terminalId, fromSeq, toSeq);
      if (deleted !== records) throw new Error(`pruning ${terminalId} ${fromSeq}..${toSeq}: deleted ${deleted} of ${records}`);
      recordEvent(db, { at: now, terminalId, kind: 'log-pruned', detail: { fromSeq, toSeq, records, anchorHash, cutoff, retentionDays } });
    }).immediate();
    result.pruned.push({ terminalId, fromSeq, toSeq, records, anchorHash });
  }
  return result;
}
