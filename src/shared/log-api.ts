// Wire contract of the operation-log ingest (terminal → central server), see docs/log-protocol.md.
import { z } from 'zod';
import { canonicalJson, type LogRecord } from '../domain/log/log-record';
import { isJsonArrayOfObjects } from './json-array-check';
import { TerminalIdSchema, IsoTime, RequestIdSchema } from './server-api';

const Hash = z.string().regex(/^[0-9a-f]{64}$/);
const DetailValue = z.union([z.string().max(500), z.number().finite(), z.boolean(), z.null()]);

export const LogRecordSchema = z
  .object({
    terminalId: TerminalIdSchema,
    seq: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER),
    prevHash: Hash,
    at: IsoTime,
    clockOffsetMs: z.number().int().min(-10 * 365 * 86_400_000).max(10 * 365 * 86_400_000),
    type: z.string().regex(/^[a-z][a-z0-9-]*(\.[a-z0-9-]+)*$/).max(64),
    outcome: z.enum(['success', 'failure', 'info']),
    operatorId: z.string().max(64).nullable(),
    cardKeyId: Hash.nullable(),
    detail: z.record(z.string().regex(/^[A-Za-z][A-Za-z0-9_]{0,39}$/), DetailValue).refine((d) => Object.keys(d).length <= 32, 'too many detail fields'),
    hash: Hash,
  })
  .strict();
export type LogRecordWire = z.infer<typeof LogRecordSchema>;

export const MAX_BATCH_RECORDS = 5000;

/** The server refuses larger request bodies (413): a client also caps its batches by size. */
export const MAX_BATCH_BYTES = 8 * 1024 * 1024;

export const LogBatchRequestSchema = z
  .object({
    batchId: RequestIdSchema,
    records: z.array(LogRecordSchema).min(1).max(MAX_BATCH_RECORDS),
  })
  .strict();
export type LogBatchRequest = z.infer<typeof LogBatchRequestSchema>;

/**
 * A record as terminals write it on the wire: `{"hash":"…",` followed by its canonical encoding after
 * the opening brace — the fields in the canonical order (keys sorted, the detail's too), strings NFC.
 * The same JSON object as JSON.stringify(record) (up to NFC); the server reads this form without
 * parsing it into objects (src/server/services/log-batch-scan.ts). Throws (TypeError) for a record
 * that has no canonical encoding (a value of another type in it): send such a record as it is.
 */
export function wireRecordJson(record: LogRecord): string {
  if (typeof record.hash !== 'string') throw new TypeError('a log record without its hash');
  return `{"hash":${JSON.stringify(record.hash)},${canonicalJson(record).slice(1)}`;
}

/** The `records` array of a batch in the wire form (wireRecordJson), as JSON text. */
export function wireRecordsJson(records: readonly LogRecord[]): string {
  let out = '[';
  for (let i = 0; i < records.length; i++) out += (i > 0 ? ',' : '') + wireRecordJson(records[i]!);
  return `${out}]`;
}

/**
 * Whether `text` is exactly one JSON array of 1..MAX_BATCH_RECORDS objects (checked without building
 * the records: json-array-check.ts). This is what makes splicing it into the request body safe: text
 * such as `[],"batchId":"x","records":[]` starts with [ and ends with ] but is not one array, and
 * would otherwise let the renderer choose the batch id main puts in the body.
 */
function isRecordObjectArray(text: string): boolean {
  return isJsonArrayOfObjects(text, MAX_BATCH_RECORDS);
}

/**
 * A batch's `records` as JSON text (wireRecordsJson), as the renderer hands it to main: one JSON
 * array of 1..MAX_BATCH_RECORDS objects within the request size limit (see isRecordObjectArray).
 * Each record's fields and chain are checked by the central server, which
 * refuses the whole batch with a clear answer when one is wrong; main forwards the text unchanged.
 */
export const LogRecordsJsonSchema = z
  .string()
  .min(2)
  .max(MAX_BATCH_BYTES)
  .refine(isRecordObjectArray, `not one JSON array of 1–${MAX_BATCH_RECORDS} record objects`);

/** The request body of POST /log-batches around a `records` array given as JSON text (wireRecordsJson). */
export function logBatchBodyJson(batchId: string, recordsJson: string): string {
  return `{"batchId":${JSON.stringify(batchId)},"records":${recordsJson}}`;
}

/** The server has every record of this terminal up to ackSeq, chained to ackHash. */
export const LogBatchResponseSchema = z.object({ ackSeq: z.number().int().min(0), ackHash: Hash });
export type LogBatchResponse = z.infer<typeof LogBatchResponseSchema>;

/** Where the server stands for this terminal (to resume after any interruption). */
export const LogCursorResponseSchema = LogBatchResponseSchema;

/**
 * What the terminal still holds unsent, reported with GET /log-cursor (optional headers, issue 6 item 7:
 * the administrators' terminal list shows each terminal's backlog): the record count, and the trusted
 * time (ISO) of the oldest of them. A malformed value is ignored, never a reason to refuse the cursor.
 */
export const LOG_BACKLOG_HEADER = 'x-log-backlog';
export const LOG_BACKLOG_OLDEST_HEADER = 'x-log-backlog-oldest';
export const LogBacklogReportSchema = z.object({ backlog: z.number().int().min(0).max(1_000_000_000), oldestPendingAt: z.iso.datetime().nullable() }).strict();
export type LogBacklogReport = z.infer<typeof LogBacklogReportSchema>;

/**
 * Refusals of a batch that break the chain rule (HTTP 409; 403 for another terminal's records).
 * Nothing of such a batch is stored and the server records an integrity alert. See docs/log-protocol.md.
 */
export const LOG_REFUSAL_CODES = ['log-gap', 'log-conflict', 'log-broken-link', 'log-hash-mismatch', 'log-wrong-terminal'] as const;
export type LogRefusalCode = (typeof LOG_REFUSAL_CODES)[number];
