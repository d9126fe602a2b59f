// Operation-log ingest (issue 3, docs/log-protocol.md): a terminal's batch must continue that
// terminal's stored hash chain. All new and valid → stored in one transaction; already stored and
// equal → acknowledged again, nothing stored twice; anything that breaks the chain (a gap, a seq
// stored with another hash, a broken link, a hash mismatch, another terminal's record) → refused,
// NOTHING of the batch stored, and an integrity alert recorded. Never silently accepted or dropped.
import { GENESIS_HASH, type LogRecord } from '../../domain/log/log-record';
import type { LogBatchRequest, LogBatchResponse, LogRefusalCode } from '../../shared/log-api';
import type { ServerDb } from '../db/open';
import { recordEvent } from '../store/events';
import { recordIntegrityAlert } from '../store/integrity-alerts';
import { canonicalString, eventTimeMs, insertIngestedRecords, lastPruning, logHead, storedHashes, type LogHead } from '../store/log-records';
import { ok, refusal, type Answer } from './answers';
import { CanonicalBatch } from './log-record-hash';

export interface LogIngestContext {
  terminalId: string;
  now: number;
}

// The request check (the contract, in one pass) is ./log-batch-schema's checkLogBatch, run as the
// route's validator; these two are re-exported from here, where they were before.
export { logRecordContractProblem, MAX_DETAIL_FIELDS } from './log-batch-schema';

const NOT_STORED = 'この要求の記録は保存していません。';

export const LOG_REFUSALS: Record<LogRefusalCode, { status: number; message: (seq: number, expected?: number) => string }> = {
  'log-gap': {
    status: 409,
    message: (seq, expected) =>
      `操作ログに欠番または順序の乱れがあります（連番 ${seq}、期待した連番 ${expected ?? '?'}）。${NOT_STORED}` +
      'GET /api/v1/log-cursor で受信済みの位置を確かめ、その次の連番から順に送信してください。',
  },
  'log-conflict': {
    status: 409,
    message: (seq) => `連番 ${seq} の記録は既に異なる内容で受信済みです。記録が改ざんされた可能性があります。${NOT_STORED}`,
  },
  'log-broken-link': {
    status: 409,
    message: (seq) => `連番 ${seq} の記録が直前の記録とつながっていません（ハッシュ連鎖の断絶）。記録が削除・改ざんされた可能性があります。${NOT_STORED}`,
  },
  'log-hash-mismatch': {
    status: 409,
    message: (seq) => `連番 ${seq} の記録の内容がハッシュ値と一致しません。記録が書き換えられた可能性があります。${NOT_STORED}`,
  },
  'log-wrong-terminal': {
    status: 403,
    message: (seq) => `他の端末の記録が含まれています（連番 ${seq}）。自端末の記録のみ送信してください。${NOT_STORED}`,
  },
};

export interface Refusal {
  code: LogRefusalCode;
  seq: number;
  expected?: number;
  detail?: Record<string, unknown>;
}

/**
 * A batch as the ingest decides it, whichever way it was read: from the JSON objects of a checked
 * request (ingestBatchFromRecords), or straight from the body's bytes (./log-batch-scan). Per record,
 * in batch order: seq, hash, and what the stored chunk's index needs (event time in ms, type, operator
 * as the canonical encoding has it); the canonical encodings in `canonical` (all of them when
 * `internal` is null: they are what is stored).
 */
export interface IngestBatch {
  batchId: string;
  seqs: readonly number[];
  hashes: readonly string[];
  /** prevHash of the first record. */
  firstPrevHash: string;
  /** The first record of another terminal than the authenticated one (then nothing else was checked). */
  foreign: { seq: number; terminalId: string } | null;
  /** The batch's own chain problem (verifyChain's rules, in its order), or null. */
  internal: Refusal | null;
  canonical: CanonicalBatch;
  atMs: readonly number[];
  types: readonly string[];
  operatorIds: readonly (string | null)[];
}

function batchSummary(batch: IngestBatch): Record<string, unknown> {
  const { seqs } = batch;
  return { batchId: batch.batchId, firstSeq: seqs[0] ?? null, lastSeq: seqs.at(-1) ?? null, count: seqs.length };
}

/** Records the alert (integrity_alerts + server_events) and builds the refusal. Runs in the caller's transaction. */
function refuse(db: ServerDb, context: LogIngestContext, batch: IngestBatch, head: LogHead | null, problem: Refusal): Answer<never> {
  const { status, message } = LOG_REFUSALS[problem.code];
  recordIntegrityAlert(db, {
    at: context.now,
    terminalId: context.terminalId,
    kind: problem.code,
    seq: problem.seq,
    detail: {
      ...batchSummary(batch),
      ...(head ? { storedSeq: head.seq } : {}),
      ...(problem.expected === undefined ? {} : { expected: problem.expected }),
      ...problem.detail,
    },
  });
  return refusal(status, problem.code, message(problem.seq, problem.expected));
}

/**
 * Checks the batch on its own (consecutive seqs, each linked to the one before, each hash right) —
 * verifyChain's rules in verifyChain's order, with the server's canonical encoder for checked
 * records. Needs no database: runs before the write lock is taken. The canonical encodings stay in
 * one buffer: they are what is stored.
 */
function checkInternally(records: readonly LogRecord[]): { problem: Refusal | null; canonical: CanonicalBatch } {
  const canonical = new CanonicalBatch(records.length * 512);
  let previous = records[0]!;
  if (canonical.append(previous) !== previous.hash) return { problem: { code: 'log-hash-mismatch', seq: previous.seq }, canonical };
  for (let i = 1; i < records.length; i++) {
    const record = records[i]!;
    if (record.seq !== previous.seq + 1) return { problem: { code: 'log-gap', seq: record.seq, expected: previous.seq + 1 }, canonical };
    if (record.prevHash !== previous.hash) return { problem: { code: 'log-broken-link', seq: record.seq }, canonical };
    if (canonical.append(record) !== record.hash) return { problem: { code: 'log-hash-mismatch', seq: record.seq }, canonical };
    previous = record;
  }
  return { problem: null, canonical };
}

/**
 * The IngestBatch of a request that passed checkLogBatch (its records as JSON objects), read for the
 * authenticated terminal: the foreign record, else the batch's own chain check with its canonical
 * encodings.
 */
export function ingestBatchFromRecords(batch: LogBatchRequest, terminalId: string): IngestBatch {
  const records = batch.records as readonly LogRecord[];
  const foreign = records.find((record) => record.terminalId !== terminalId);
  const { problem, canonical } = foreign ? { problem: null, canonical: new CanonicalBatch(0) } : checkInternally(records);
  return {
    batchId: batch.batchId,
    seqs: records.map((record) => record.seq),
    hashes: records.map((record) => record.hash),
    firstPrevHash: records[0]!.prevHash,
    foreign: foreign ? { seq: foreign.seq, terminalId: foreign.terminalId } : null,
    internal: problem,
    canonical,
    atMs: records.map((record) => eventTimeMs(record.at)),
    types: records.map((record) => record.type),
    operatorIds: records.map((record) => (record.operatorId === null ? null : canonicalString(record.operatorId))),
  };
}

/** Decides and (when valid) stores one batch. The caller has authenticated the terminal and checked the schema. */
export function ingestLogBatch(db: ServerDb, context: LogIngestContext, batch: LogBatchRequest): Answer<LogBatchResponse> {
  return ingestBatch(db, context, ingestBatchFromRecords(batch, context.terminalId));
}

/** Decides and (when valid) stores one batch read by ingestBatchFromRecords or scanLogBatch. */
export function ingestBatch(db: ServerDb, context: LogIngestContext, batch: IngestBatch): Answer<LogBatchResponse> {
  const { terminalId } = context;
  const { seqs, hashes, foreign } = batch;
  if (foreign) {
    return db
      .transaction(() => refuse(db, context, batch, null, { code: 'log-wrong-terminal', seq: foreign.seq, detail: { claimedTerminalId: foreign.terminalId } }))
      .immediate();
  }
  const internal = batch.internal;
  const count = seqs.length;
  const firstSeq = seqs[0]!;

  const decide = (): Answer<LogBatchResponse> => {
    const head = logHead(db, terminalId);
    if (firstSeq > head.seq + 1) return refuse(db, context, batch, head, { code: 'log-gap', seq: firstSeq, expected: head.seq + 1 });

    if (firstSeq <= head.seq) {
      // The part the server already has must be exactly what it stored.
      const anchor = lastPruning(db, terminalId);
      const prunedUpTo = anchor?.toSeq ?? 0;
      // The stored hashes this comparison needs, read at once: the record before the batch and every
      // record of the batch at or below the head (above the anchor).
      let low = firstSeq - 1;
      for (const seq of seqs) if (seq > prunedUpTo && seq <= head.seq && seq < low) low = seq;
      const stored = storedHashes(db, terminalId, Math.max(low, prunedUpTo + 1), head.seq);
      const storedAt = (seq: number): string | undefined => {
        if (seq === 0) return GENESIS_HASH;
        if (anchor && seq === anchor.toSeq) return anchor.anchorHash;
        return seq < prunedUpTo ? undefined : stored.get(seq);
      };
      const damaged = (seq: number): Answer<never> => {
        recordIntegrityAlert(db, {
          at: context.now,
          terminalId,
          kind: 'log-stored-chain-damaged',
          seq,
          detail: { ...batchSummary(batch), storedSeq: head.seq, problem: 'a record below the stored head is missing' },
        });
        return refusal(500, 'internal', 'サーバーに保存済みの操作ログに欠落があります。管理者に連絡してください（npm run server -- verify）。');
      };
      for (let i = 0; i < count; i++) {
        const seq = seqs[i]!;
        if (seq > head.seq || seq < prunedUpTo) continue; // new, or pruned long ago (not comparable)
        const known = storedAt(seq);
        if (known === undefined) return damaged(seq);
        if (known !== hashes[i]) {
          return refuse(db, context, batch, head, { code: 'log-conflict', seq, detail: { receivedHash: hashes[i], storedHash: known } });
        }
      }
      const before = firstSeq - 1;
      if (before >= prunedUpTo) {
        const expectedPrev = storedAt(before);
        if (expectedPrev === undefined) return damaged(before);
        if (batch.firstPrevHash !== expectedPrev) return refuse(db, context, batch, head, { code: 'log-broken-link', seq: firstSeq });
      }
    } else if (batch.firstPrevHash !== head.hash) {
      return refuse(db, context, batch, head, { code: 'log-broken-link', seq: firstSeq });
    }
    if (internal) return refuse(db, context, batch, head, internal);

    const skip = firstSeq > head.seq ? 0 : head.seq - firstSeq + 1;
    const fresh = Math.max(0, count - skip);
    if (fresh > 0) insertIngestedRecords(db, terminalId, batch, skip, context.now);
    const ack = fresh > 0 ? { ackSeq: seqs[count - 1]!, ackHash: hashes[count - 1]! } : { ackSeq: head.seq, ackHash: head.hash };
    recordEvent(db, {
      at: context.now,
      terminalId,
      kind: 'log-batch-received',
      detail: { ...batchSummary(batch), stored: fresh, alreadyStored: count - fresh, ackSeq: ack.ackSeq },
    });
    return ok(ack);
  };
  return db.transaction(decide).immediate();
}

/** Where the server stands for this terminal: a terminal resumes sending after ackSeq. */
export function logCursor(db: ServerDb, terminalId: string): LogBatchResponse {
  const head = logHead(db, terminalId);
  return { ackSeq: head.seq, ackHash: head.hash };
}
