// The request check of POST /api/v1/log-batches on the hot path: one hand-written pass over the
// parsed body that accepts exactly what the contract accepts — LogBatchRequestSchema (zod, in
// src/shared/log-api.ts, the specification) plus one storage rule (no unpaired UTF-16 surrogate in
// operatorId) — without zod's or ajv's per-field machinery (a batch has up to 5000 records).
//
// The contract this check implements is pinned below (IMPLEMENTED_CONTRACT, the JSON Schema of
// LogBatchRequestSchema with its patterns and limits): if the contract changes, this is detected at
// load (FAST_CHECK_MATCHES_CONTRACT = false) and the check falls back to zod itself.
// test/integration/server-log-contract.test.ts proves the equivalence on thousands of mutated
// batches; test/unit/server-log-batch-check.test.ts pins the shape.
import type { LogRecord } from '../../domain/log/log-record';
import { LogBatchRequestSchema, MAX_BATCH_RECORDS, type LogBatchRequest } from '../../shared/log-api';
import { isDeepStrictEqual } from 'node:util';
import { toJsonSchema, type JsonSchema } from '../http/json-schema';

export const MAX_DETAIL_FIELDS = 32;

export type LogBatchCheck = { ok: true; batch: LogBatchRequest } | { ok: false; problem: string };

/**
 * How the body was decoded. 'latin1': every non-ASCII string holds the body's raw UTF-8 bytes, one
 * character per byte (see src/server/http/log-batch-body.ts); the check decodes the strings that can
 * legally hold non-ASCII text (operatorId and detail values) and rejects non-ASCII everywhere else,
 * as it would after UTF-8 decoding (no pattern of the contract admits a non-ASCII character).
 */
export type BodyStrings = 'utf8' | 'latin1';

/** Unpaired UTF-16 surrogates cannot be stored as text and read back unchanged (the hash would break). */
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;
/** A character that is not ASCII: in a 'latin1' body, a string with one holds raw UTF-8 bytes. */
const NON_ASCII = /[^\u0000-\u007f]/;
const HIGH_SURROGATE = /[\uD800-\uDBFF]/;

/** Code points, counted as zod counts them (a lone surrogate is one). */
function codePoints(text: string): number {
  const units = text.length;
  if (!HIGH_SURROGATE.test(text)) return units;
  let count = units;
  for (let i = 0; i < units - 1; i++) {
    if ((text.charCodeAt(i) & 0xfc00) === 0xd800 && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      count--;
      i++;
    }
  }
  return count;
}

function fromLatin1Bytes(text: string): string {
  return Buffer.from(text, 'latin1').toString('utf8');
}

// ---- What this check implements: the contract's JSON Schema, pinned (patterns and limits included) ----

export const PATTERN = {
  batchId: /^([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[1-8][0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}|00000000-0000-0000-0000-000000000000|ffffffff-ffff-ffff-ffff-ffffffffffff)$/,
  terminalId: /^[a-z0-9][a-z0-9-]{0,62}$/,
  hash: /^[0-9a-f]{64}$/,
  at: /^(?:(?:\d\d[2468][048]|\d\d[13579][26]|\d\d0[48]|[02468][048]00|[13579][26]00)-02-29|\d{4}-(?:(?:0[13578]|1[02])-(?:0[1-9]|[12]\d|3[01])|(?:0[469]|11)-(?:0[1-9]|[12]\d|30)|(?:02)-(?:0[1-9]|1\d|2[0-8])))T(?:(?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d(?:\.\d+)?(?:Z|([+-](?:[01]\d|2[0-3]):[0-5]\d)))$/,
  type: /^[a-z][a-z0-9-]*(\.[a-z0-9-]+)*$/,
  detailKey: /^[A-Za-z][A-Za-z0-9_]{0,39}$/,
};
export const LIMIT = {
  seqMin: 1,
  seqMax: Number.MAX_SAFE_INTEGER,
  atMax: 40,
  clockMin: -10 * 365 * 86_400_000,
  clockMax: 10 * 365 * 86_400_000,
  typeMax: 64,
  operatorMax: 64,
  detailStringMax: 500,
  recordsMin: 1,
  recordsMax: 5000,
};
const OUTCOMES = ['success', 'failure', 'info'] as const;
const OUTCOME_SET: ReadonlySet<unknown> = new Set(OUTCOMES);
const RECORD_KEYS = ['terminalId', 'seq', 'prevHash', 'at', 'clockOffsetMs', 'type', 'outcome', 'operatorId', 'cardKeyId', 'detail', 'hash'] as const;
const RECORD_KEY_SET: ReadonlySet<string> = new Set(RECORD_KEYS);

/**
 * The JSON Schema of LogBatchRequestSchema this check was written and proven for. The strings of
 * terminalId, prevHash, at, type, outcome, cardKeyId, hash and the detail keys that these patterns
 * admit are printable ASCII without '"' or '\\': JSON.stringify and NFC leave them unchanged, which
 * the server's canonical encoder relies on (src/server/services/log-record-hash.ts).
 */
export const IMPLEMENTED_CONTRACT: JsonSchema = {
  type: 'object',
  properties: {
    batchId: { type: 'string', format: 'uuid', pattern: PATTERN.batchId.source },
    records: {
      minItems: LIMIT.recordsMin,
      maxItems: LIMIT.recordsMax,
      type: 'array',
      items: {
        type: 'object',
        properties: {
          terminalId: { type: 'string', pattern: PATTERN.terminalId.source },
          seq: { type: 'integer', minimum: LIMIT.seqMin, maximum: LIMIT.seqMax },
          prevHash: { type: 'string', pattern: PATTERN.hash.source },
          at: { type: 'string', maxLength: LIMIT.atMax, format: 'date-time', pattern: PATTERN.at.source },
          clockOffsetMs: { type: 'integer', minimum: LIMIT.clockMin, maximum: LIMIT.clockMax },
          type: { type: 'string', maxLength: LIMIT.typeMax, pattern: PATTERN.type.source },
          outcome: { type: 'string', enum: [...OUTCOMES] },
          operatorId: { anyOf: [{ type: 'string', maxLength: LIMIT.operatorMax }, { type: 'null' }] },
          cardKeyId: { anyOf: [{ type: 'string', pattern: PATTERN.hash.source }, { type: 'null' }] },
          detail: {
            type: 'object',
            propertyNames: { type: 'string', pattern: PATTERN.detailKey.source },
            additionalProperties: { anyOf: [{ type: 'string', maxLength: LIMIT.detailStringMax }, { type: 'number' }, { type: 'boolean' }, { type: 'null' }] },
          },
          hash: { type: 'string', pattern: PATTERN.hash.source },
        },
        required: [...RECORD_KEYS],
        additionalProperties: false,
      },
    },
  },
  required: ['batchId', 'records'],
  additionalProperties: false,
};

function refineProbe(fields: number): unknown {
  return {
    batchId: '00000000-0000-4000-8000-000000000000',
    records: [
      {
        terminalId: 'probe',
        seq: 1,
        prevHash: '0'.repeat(64),
        at: '2026-04-06T00:30:00.000Z',
        clockOffsetMs: 0,
        type: 'probe',
        outcome: 'info',
        operatorId: null,
        cardKeyId: null,
        detail: Object.fromEntries(Array.from({ length: fields }, (_, i) => [`f${i}`, i])),
        hash: '0'.repeat(64),
      },
    ],
  };
}

/**
 * Whether the contract is still the one this check implements: its JSON Schema equal to
 * IMPLEMENTED_CONTRACT, and the zod-only refine (≤ 32 detail fields) where it was. When not, the
 * check is zod itself and the hash the domain's canonicalEncoding (correct, slower), and
 * test/unit/server-log-batch-check.test.ts fails until this file is brought up to date.
 */
export const FAST_CHECK_MATCHES_CONTRACT: boolean =
  isDeepStrictEqual(toJsonSchema(LogBatchRequestSchema, 'input'), IMPLEMENTED_CONTRACT) &&
  LIMIT.recordsMax === MAX_BATCH_RECORDS &&
  LogBatchRequestSchema.safeParse(refineProbe(MAX_DETAIL_FIELDS)).success &&
  !LogBatchRequestSchema.safeParse(refineProbe(MAX_DETAIL_FIELDS + 1)).success;

// ---- The check ----

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

const isInteger = (value: unknown, min: number, max: number): boolean =>
  typeof value === 'number' && Number.isSafeInteger(value) && value >= min && value <= max;

const isPatterned = (value: unknown, regex: RegExp): boolean => typeof value === 'string' && regex.test(value);

function recordProblem(record: Record<string, unknown>, strings: BodyStrings): string | null {
  let keys = 0;
  for (const key in record) {
    if (!RECORD_KEY_SET.has(key)) return `には未定義の項目 ${JSON.stringify(key.slice(0, 40))} があります`;
    keys++;
  }
  if (keys !== RECORD_KEYS.length) {
    for (const key of RECORD_KEYS) if (!(key in record)) return `/${key} がありません`;
  }
  if (!isPatterned(record.terminalId, PATTERN.terminalId)) return '/terminalId の形式が正しくありません';
  if (!isInteger(record.seq, LIMIT.seqMin, LIMIT.seqMax)) return `/seq は ${LIMIT.seqMin} 以上の整数です`;
  if (!isPatterned(record.prevHash, PATTERN.hash)) return '/prevHash の形式が正しくありません';
  const time = record.at;
  // A string the pattern admits is ASCII: its length is its number of code points.
  if (typeof time !== 'string' || !PATTERN.at.test(time) || time.length > LIMIT.atMax) return '/at の形式が正しくありません (ISO 8601)';
  if (!isInteger(record.clockOffsetMs, LIMIT.clockMin, LIMIT.clockMax)) return '/clockOffsetMs は範囲内の整数です';
  const type = record.type;
  if (typeof type !== 'string' || !PATTERN.type.test(type) || type.length > LIMIT.typeMax) return '/type の形式が正しくありません';
  if (!OUTCOME_SET.has(record.outcome)) return '/outcome は success, failure, info のいずれかです';
  let operatorId: string | null = null;
  if (record.operatorId !== null) {
    if (typeof record.operatorId !== 'string') return '/operatorId は文字列か null です';
    operatorId = record.operatorId;
    if (strings === 'latin1' && NON_ASCII.test(operatorId)) record.operatorId = operatorId = fromLatin1Bytes(operatorId);
    if (codePoints(operatorId) > LIMIT.operatorMax) return `/operatorId は ${LIMIT.operatorMax} 文字までです`;
  }
  if (record.cardKeyId !== null && !isPatterned(record.cardKeyId, PATTERN.hash)) return '/cardKeyId の形式が正しくありません';
  const detail = record.detail;
  if (!isObject(detail)) return '/detail はオブジェクトです';
  let fields = 0;
  for (const key in detail) {
    // zod skips an own "__proto__" key (it never reaches the body here: the JSON parser refuses it).
    if (key === '__proto__') continue;
    if (!PATTERN.detailKey.test(key)) return `/detail の項目名 ${JSON.stringify(key.slice(0, 40))} が正しくありません`;
    fields++;
    const value = detail[key];
    if (typeof value === 'string') {
      let text = value;
      if (strings === 'latin1' && NON_ASCII.test(text)) detail[key] = text = fromLatin1Bytes(text);
      if (text.length > LIMIT.detailStringMax && codePoints(text) > LIMIT.detailStringMax) return `/detail/${key} は ${LIMIT.detailStringMax} 文字までです`;
    } else if (typeof value === 'number') {
      if (!Number.isFinite(value)) return `/detail/${key} は有限の数です`;
    } else if (value !== null && typeof value !== 'boolean') {
      return `/detail/${key} は文字列・数・真偽値・null のいずれかです`;
    }
  }
  if (!isPatterned(record.hash, PATTERN.hash)) return '/hash の形式が正しくありません';
  if (fields > MAX_DETAIL_FIELDS) return `の詳細の項目が多すぎます（${MAX_DETAIL_FIELDS}項目まで）`;
  // The storage rule beyond the contract (checked last: everything else is the contract's).
  if (operatorId !== null && LONE_SURROGATE.test(operatorId)) return 'の操作者IDに不正な文字があります';
  return null;
}

/** The hand-written check (exported for the equivalence tests; use checkLogBatch). */
export function fastCheckLogBatch(body: unknown, strings: BodyStrings = 'utf8'): LogBatchCheck {
  if (!isObject(body)) return { ok: false, problem: 'body はオブジェクトです' };
  for (const key in body) if (key !== 'batchId' && key !== 'records') return { ok: false, problem: `body に未定義の項目 ${JSON.stringify(key.slice(0, 40))} があります` };
  if (!isPatterned(body.batchId, PATTERN.batchId)) return { ok: false, problem: 'batchId は UUID です' };
  const records = body.records;
  if (!Array.isArray(records)) return { ok: false, problem: 'records は配列です' };
  if (records.length < LIMIT.recordsMin || records.length > LIMIT.recordsMax) return { ok: false, problem: `records は ${LIMIT.recordsMin}〜${LIMIT.recordsMax} 件です` };
  for (let i = 0; i < records.length; i++) {
    const record: unknown = records[i];
    const problem = isObject(record) ? recordProblem(record, strings) : 'はオブジェクトです';
    if (problem !== null) {
      const seq = isObject(record) && typeof record.seq === 'number' ? `（連番 ${record.seq}）` : '';
      return { ok: false, problem: `records/${i}${seq}${problem}` };
    }
  }
  return { ok: true, batch: body as LogBatchRequest };
}

/**
 * The parts of the rules a JSON Schema cannot express — the refine on the number of detail fields
 * (the contract's; own keys counted, as a JSON body has them) and no unpaired surrogate in operatorId
 * (the storage rule) — for records a JSON Schema has checked otherwise. Returns a Japanese problem or
 * null. (The request check itself is checkLogBatch.)
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

/** The reference: zod itself, plus the storage rule. Used when the contract is no longer the one implemented here. */
export function referenceCheckLogBatch(body: unknown, strings: BodyStrings = 'utf8'): LogBatchCheck {
  if (strings === 'latin1') throw new Error('a latin1-decoded body needs the fast check');
  const parsed = LogBatchRequestSchema.safeParse(body);
  if (!parsed.success) return { ok: false, problem: parsed.error.issues.map((issue) => `${issue.path.join('/')}: ${issue.message}`).join('; ').slice(0, 300) };
  // The raw body (not zod's copy) is what is hashed and stored: zod only checked it.
  const batch = body as LogBatchRequest;
  for (const record of batch.records) {
    if (record.operatorId !== null && LONE_SURROGATE.test(record.operatorId)) return { ok: false, problem: `連番 ${record.seq} の記録の操作者IDに不正な文字があります。` };
  }
  return { ok: true, batch };
}

/**
 * Checks a parsed request body. On success the batch is the body itself (strings of a 'latin1' body
 * decoded in place). The problem is Japanese/field path text for the 400 answer.
 */
export function checkLogBatch(body: unknown, strings: BodyStrings = 'utf8'): LogBatchCheck {
  return FAST_CHECK_MATCHES_CONTRACT ? fastCheckLogBatch(body, strings) : referenceCheckLogBatch(body, strings);
}
