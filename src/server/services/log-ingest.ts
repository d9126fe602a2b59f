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
import { insertLogRecords, lastPruning, logHead, storedHashes, type LogHead } from '../store/log-records';
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

interface Refusal {
  code: LogRefusalCode;
  seq: number;
  expected?: number;
  detail?: Record<string, unknown>;
}

function batchSummary(batch: LogBatchRequest): Record<string, unknown> {
  const { records } = batch;
  return { batchId: batch.batchId, firstSeq: records[0]?.seq ?? null, lastSeq: records.at(-1)?.seq ?? null, count: records.length };
}

/** Records the alert (integrity_alerts + server_events) and builds the refusal. Runs in the caller's transaction. */
function refuse(db: ServerDb, context: LogIngestContext, batch: LogBatchRequest, head: LogHead | null, problem: Refusal): Answer<never> {
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

/** Decides and (when valid) stores one batch. The caller has authenticated the terminal and checked the schema. */
export function ingestLogBatch(db: ServerDb, context: LogIngestContext, batch: LogBatchRequest): Answer<LogBatchResponse> {
  const { terminalId } = context;
  const records = batch.records as readonly LogRecord[];
  const foreign = records.find((record) => record.terminalId !== terminalId);
  if (foreign) {
    return db
      .transaction(() => refuse(db, context, batch, null, { code: 'log-wrong-terminal', seq: foreign.seq, detail: { claimedTerminalId: foreign.terminalId } }))
      .immediate();
  }
  const { problem: internal, canonical } = checkInternally(records);
  const first = records[0]!;

  const decide = (): Answer<LogBatchResponse> => {
    const head = logHead(db, terminalId);
    if (first.seq > head.seq + 1) return refuse(db, context, batch, head, { code: 'log-gap', seq: first.seq, expected: head.seq + 1 });

    if (first.seq <= head.seq) {
      // The part the server already has must be exactly what it stored.
      const anchor = lastPruning(db, terminalId);
      const prunedUpTo = anchor?.toSeq ?? 0;
      // The stored hashes this comparison needs, read at once: the record before the batch and every
      // record of the batch at or below the head (above the anchor).
      let low = first.seq - 1;
      for (const record of records) if (record.seq > prunedUpTo && record.seq <= head.seq && record.seq < low) low = record.seq;
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
      for (const record of records) {
        if (record.seq > head.seq || record.seq < prunedUpTo) continue; // new, or pruned long ago (not comparable)
        const known = storedAt(record.seq);
        if (known === undefined) return damaged(record.seq);
        if (known !== record.hash) {
          return refuse(db, context, batch, head, { code: 'log-conflict', seq: record.seq, detail: { receivedHash: record.hash, storedHash: known } });
        }
      }
      const before = first.seq - 1;
      if (before >= prunedUpTo) {
        const expectedPrev = storedAt(before);
        if (expectedPrev === undefined) return damaged(before);
        if (first.prevHash !== expectedPrev) return refuse(db, context, batch, head, { code: 'log-broken-link', seq: first.seq });
      }
    } else if (first.prevHash !== head.hash) {
      return refuse(db, context, batch, head, { code: 'log-broken-link', seq: first.seq });
    }
    if (internal) return refuse(db, context, batch, head, internal);

    const skip = first.seq > head.seq ? 0 : head.seq - first.seq + 1;
    const fresh = skip === 0 ? records : records.slice(skip);
    if (fresh.length > 0) insertLogRecords(db, records, canonical, skip, context.now);
    const last = fresh.at(-1);
    const ack = last ? { ackSeq: last.seq, ackHash: last.hash } : { ackSeq: head.seq, ackHash: head.hash };
    recordEvent(db, {
      at: context.now,
      terminalId,
      kind: 'log-batch-received',
      detail: { ...batchSummary(batch), stored: fresh.length, alreadyStored: records.length - fresh.length, ackSeq: ack.ackSeq },
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
