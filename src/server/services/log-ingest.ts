// Operation-log ingest (issue 3, docs/log-protocol.md): a terminal's batch must continue that
// terminal's stored hash chain. All new and valid → stored in one transaction; already stored and
// equal → acknowledged again, nothing stored twice; anything that breaks the chain (a gap, a seq
// stored with another hash, a broken link, a hash mismatch, another terminal's record) → refused,
// NOTHING of the batch stored, and an integrity alert recorded. Never silently accepted or dropped.
import { canonicalEncoding, GENESIS_HASH, verifyChain, type ChainProblem, type LogRecord } from '../../domain/log/log-record';
import type { LogBatchRequest, LogBatchResponse, LogRefusalCode } from '../../shared/log-api';
import type { ServerDb } from '../db/open';
import { recordEvent } from '../store/events';
import { recordIntegrityAlert } from '../store/integrity-alerts';
import { insertLogRecords, lastPruning, logHead, storedHash, type LogHead } from '../store/log-records';
import { ok, refusal, type Answer } from './answers';
import { sha256Hex } from './log-hash';

export interface LogIngestContext {
  terminalId: string;
  now: number;
}

/** What the contract says and JSON Schema cannot express: checked after the schema, before anything else. */
export const MAX_DETAIL_FIELDS = 32;
/** Unpaired UTF-16 surrogates cannot be stored as text and read back unchanged (the hash would break). */
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;

/**
 * The part of LogRecordSchema that JSON Schema does not express (the refine on the number of detail
 * fields; lengths are code points in both zod and ajv), plus one storage rule beyond the contract:
 * no unpaired surrogate in operatorId (the only free-text column; detail is stored as JSON, which
 * escapes them). Returns a Japanese problem or null.
 */
export function logRecordContractProblem(records: readonly LogRecord[]): string | null {
  for (const record of records) {
    if (record.operatorId !== null && LONE_SURROGATE.test(record.operatorId)) return `連番 ${record.seq} の記録の操作者IDに不正な文字があります。`;
    let fields = 0;
    for (const _key in record.detail) fields++;
    if (fields > MAX_DETAIL_FIELDS) return `連番 ${record.seq} の記録の詳細の項目が多すぎます（${MAX_DETAIL_FIELDS}項目まで）。`;
  }
  return null;
}

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

const PROBLEM_CODES: Record<ChainProblem['kind'], LogRefusalCode> = {
  gap: 'log-gap',
  'broken-link': 'log-broken-link',
  'hash-mismatch': 'log-hash-mismatch',
  'wrong-terminal': 'log-wrong-terminal',
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
 * Checks the batch on its own (consecutive seqs, each linked to the one before, each hash right).
 * Needs no database: runs before the write lock is taken.
 */
function internalProblem(records: readonly LogRecord[], terminalId: string): Refusal | null {
  const first = records[0]!;
  if (sha256Hex(canonicalEncoding(first)) !== first.hash) return { code: 'log-hash-mismatch', seq: first.seq };
  const problem = verifyChain(records.slice(1), { seq: first.seq, hash: first.hash }, terminalId, sha256Hex);
  if (!problem) return null;
  return { code: PROBLEM_CODES[problem.kind], seq: problem.seq, ...(problem.kind === 'gap' ? { expected: problem.expected } : {}) };
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
  const internal = internalProblem(records, terminalId);
  const first = records[0]!;

  const decide = (): Answer<LogBatchResponse> => {
    const head = logHead(db, terminalId);
    if (first.seq > head.seq + 1) return refuse(db, context, batch, head, { code: 'log-gap', seq: first.seq, expected: head.seq + 1 });

    if (first.seq <= head.seq) {
      // The part the server already has must be exactly what it stored.
      const anchor = lastPruning(db, terminalId);
      const prunedUpTo = anchor?.toSeq ?? 0;
      const storedAt = (seq: number): string | undefined => {
        if (seq === 0) return GENESIS_HASH;
        if (anchor && seq === anchor.toSeq) return anchor.anchorHash;
        return seq < prunedUpTo ? undefined : storedHash(db, terminalId, seq);
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
        const stored = storedAt(record.seq);
        if (stored === undefined) return damaged(record.seq);
        if (stored !== record.hash) {
          return refuse(db, context, batch, head, { code: 'log-conflict', seq: record.seq, detail: { receivedHash: record.hash, storedHash: stored } });
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

    const fresh = first.seq > head.seq ? records : records.slice(head.seq - first.seq + 1);
    if (fresh.length > 0) insertLogRecords(db, fresh, context.now);
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
