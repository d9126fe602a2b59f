// The hand-written request check of POST /api/v1/log-batches (src/server/services/log-batch-schema.ts)
// must accept exactly what the contract accepts (LogBatchRequestSchema, zod, plus the storage rule on
// operatorId), and the Latin-1 reading of request bodies (src/server/http/log-batch-body.ts) must give
// the same answers and the same records as fastify's default reading (UTF-8, then JSON.parse).
// test/integration/server-log-contract.test.ts checks the same through HTTP.
import { describe, expect, it } from 'vitest';
import { GENESIS_HASH, sealRecord, type LogRecord } from '../../src/domain/log/log-record';
import { latin1Readable, parseLatin1 } from '../../src/server/http/log-batch-body';
import { toJsonSchema } from '../../src/server/http/json-schema';
import {
  checkLogBatch,
  FAST_CHECK_MATCHES_CONTRACT,
  fastCheckLogBatch,
  IMPLEMENTED_CONTRACT,
  referenceCheckLogBatch,
} from '../../src/server/services/log-batch-schema';
import { LogBatchRequestSchema } from '../../src/shared/log-api';
import { pick, rng, sha256 } from './server-log-helpers';


function validRecord(seq: number, prevHash: string): LogRecord {
  return sealRecord(
    {
      terminalId: 'term-c',
      seq,
      prevHash,
      at: new Date(Date.parse('2026-04-06T00:30:00.000Z') + seq * 1000).toISOString(),
      clockOffsetMs: 12,
      type: 'resident.search',
      outcome: 'success',
      operatorId: 'op-yamada',
      cardKeyId: 'c'.repeat(64),
      detail: { purpose: '転入届の確認', criteria: 'kana', results: seq % 7, masked: true, none: null },
    },
    sha256,
  );
}

const fields = (n: number): Record<string, number> => Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, i]));

const VALUES: Record<string, unknown[]> = {
  terminalId: ['term-c', 'Term-c', '-term', 'a'.repeat(63), 'a'.repeat(64), '', 'térm', 1, null, ['term-c']],
  seq: [1, 0, -1, 1.5, -0, Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER + 2, 2 ** 60, '1', null, 1e300, true],
  prevHash: [GENESIS_HASH, 'F'.repeat(64), 'f'.repeat(63), 'f'.repeat(65), `${'f'.repeat(63)}g`, `${'f'.repeat(63)}\u00e9`, null, 0],
  at: [
    '2026-04-06T00:30:00Z',
    '2026-04-06T09:30:00.123456+09:00',
    '2026-04-06T09:30:00+0900',
    '2026-04-06T09:30:00',
    '2026-02-29T00:00:00Z',
    '2028-02-29T00:00:00Z',
    '2000-02-29T00:00:00.5Z',
    '1900-02-29T00:00:00Z',
    '0000-01-01T00:00:00Z',
    '2026-04-06T24:00:00Z',
    '2026-04-06T23:59:60Z',
    '2026-04-06 00:30:00Z',
    `2026-04-06T00:30:00.${'1'.repeat(15)}Z`,
    `2026-04-06T00:30:00.${'1'.repeat(16)}Z`,
    '2026-04-06T00:30:00.000z',
    '',
    1_800_000_000_000,
  ],
  clockOffsetMs: [0, -0, -5, 315_360_000_000, 315_360_000_001, -315_360_000_000, -315_360_000_001, 0.5, '0', null, Number.MAX_SAFE_INTEGER],
  type: ['resident.search', 'a', 'A.b', 'a..b', 'a.', 'a.b-c.d9', '-a', `a${'b'.repeat(63)}`, `a${'b'.repeat(64)}`, '1a', '', 'ä', null, 3],
  outcome: ['success', 'failure', 'info', 'ok', 'Success', '', null, 1],
  operatorId: ['op-yamada', null, '', 'o'.repeat(64), 'o'.repeat(65), '😀'.repeat(32), '😀'.repeat(33), `${'😀'.repeat(31)}\ud83d\ud83d`, '山田', 'op-\ud800', '\udfff', 5, false],
  cardKeyId: ['c'.repeat(64), null, 'C'.repeat(64), 'c'.repeat(63), 7, ''],
  detail: [
    {},
    { a: 'x'.repeat(500) },
    { a: 'x'.repeat(501) },
    { a: '😀'.repeat(250) },
    { a: `${'😀'.repeat(250)}x` },
    { a: '\ud800'.repeat(500) },
    { a: '\ud800'.repeat(501) },
    { a: 'e\u0301' },
    fields(32),
    fields(33),
    { A_1: 1.5, b: -0, c: false, d: null, e: 1e21, f: 5e-324 },
    { _a: 1 },
    { '1a': 1 },
    { '10': 1 },
    { 'a-b': 1 },
    { [`a${'b'.repeat(39)}`]: 1 },
    { [`a${'b'.repeat(40)}`]: 1 },
    { a: [1] },
    { a: { b: 1 } },
    { a: Number.POSITIVE_INFINITY },
    { a: Number.NaN },
    { a: undefined },
    { constructor: 'x' },
    JSON.parse('{"__proto__": 1, "a": 1}') as unknown,
    JSON.parse(`{"__proto__": 1, ${Array.from({ length: 32 }, (_, i) => `"k${i}": ${i}`).join(', ')}}`) as unknown,
    [],
    null,
    'x',
    1,
  ],
  hash: ['valid', 'F'.repeat(64), 'x', null],
};

function mutatedBatch(next: () => number): unknown {
  const count = next() < 0.7 ? 1 : 1 + Math.floor(next() * 4);
  const records: unknown[] = [];
  let prev = GENESIS_HASH;
  for (let i = 0; i < count; i++) {
    const record: Record<string, unknown> = { ...validRecord(i + 1, prev) };
    prev = record.hash as string;
    if (next() < 0.6) {
      for (let c = 0, changes = 1 + Math.floor(next() * 2); c < changes; c++) {
        const field = pick(next, Object.keys(VALUES));
        const value = pick(next, VALUES[field]!);
        if (value !== 'valid') record[field] = value;
      }
    }
    const shape = next();
    if (shape < 0.04) delete record[pick(next, Object.keys(VALUES))];
    else if (shape < 0.08) record[pick(next, ['extra', 'Hash', '__proto__', 'constructor'])] = 1;
    records.push(next() < 0.02 ? pick(next, [null, [], 'x', 1]) : record);
  }
  const batch: Record<string, unknown> = {
    batchId: pick(next, ['6f1c2b1e-3c4d-4e5f-8a9b-0c1d2e3f4a5b', '6F1C2B1E-3C4D-4E5F-8A9B-0C1D2E3F4A5B', '00000000-0000-0000-0000-000000000000', 'ffffffff-ffff-ffff-ffff-ffffffffffff', '6f1c2b1e-3c4d-0e5f-8a9b-0c1d2e3f4a5b', 'x', 1]),
    records,
  };
  const shape = next();
  if (shape < 0.03) batch.records = [];
  else if (shape < 0.05) batch.more = true;
  else if (shape < 0.07) delete batch.batchId;
  else if (shape < 0.08) batch.records = { 0: records[0] };
  return next() < 0.01 ? pick(next, [null, [batch], 'x', 1]) : batch;
}

describe('the hand-written batch check', () => {
  it('implements the contract as it is: its JSON Schema is the one the check was written for, and it is in use', () => {
    expect(toJsonSchema(LogBatchRequestSchema, 'input')).toEqual(IMPLEMENTED_CONTRACT);
    expect(FAST_CHECK_MATCHES_CONTRACT).toBe(true);
  });

  it('accepts exactly what zod (plus the storage rule) accepts: 20,000 mutated batches', () => {
    const next = rng(20260406);
    let accepted = 0;
    for (let i = 0; i < 20_000; i++) {
      const batch = mutatedBatch(next);
      // (A body read as UTF-8: neither check changes it.)
      const reference = referenceCheckLogBatch(batch);
      const fast = fastCheckLogBatch(batch);
      expect(fast.ok, JSON.stringify(batch)?.slice(0, 400)).toBe(reference.ok);
      if (fast.ok) accepted++;
    }
    expect(accepted).toBeGreaterThan(2000);
    expect(accepted).toBeLessThan(18_000);
  });

  it('edge cases: the refine on 32 detail fields, an own __proto__ key, non-finite numbers, 5000 records', () => {
    const record = validRecord(1, GENESIS_HASH);
    const batch = (records: unknown[]) => ({ batchId: '6f1c2b1e-3c4d-4e5f-8a9b-0c1d2e3f4a5b', records });
    const cases: unknown[] = [
      batch([{ ...record, detail: fields(32) }]),
      batch([{ ...record, detail: fields(33) }]),
      batch([{ ...record, detail: JSON.parse(`{"__proto__": 1, ${Array.from({ length: 32 }, (_, i) => `"k${i}": ${i}`).join(', ')}}`) }]),
      batch([{ ...record, detail: { a: JSON.parse('1e400') as number } }]),
      batch(Array.from({ length: 5000 }, () => record)),
      batch(Array.from({ length: 5001 }, () => record)),
      batch([{ ...record, operatorId: 'op-\ud83d\ude00' }]),
      batch([{ ...record, operatorId: 'op-\ude00\ud83d' }]),
    ];
    for (const body of cases) expect(fastCheckLogBatch(body).ok).toBe(referenceCheckLogBatch(body).ok);
    expect(checkLogBatch(cases[1]).ok).toBe(false);
    const refused = checkLogBatch(cases[1]);
    expect(refused.ok ? '' : refused.problem).toContain('項目が多すぎます');
  });
});

// ---- Reading the body as Latin-1 ----

/** What fastify's default JSON parser does with the body (UTF-8, a leading BOM skipped), minus the prototype checks. */
function defaultReading(body: Buffer): { value: unknown } | undefined {
  let text = body.toString('utf8');
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  try {
    return { value: JSON.parse(text) as unknown };
  } catch {
    return undefined;
  }
}

const PIECES = ['a', 'Z', ' ', '\\"', '\\\\', '\\n', '\\t', '\\/', 'é', 'e\u0301', '住民票', '😀', 'ｱ', 'Å', 'A\u030a', '€', '\u2028'];
const RAW_BYTES = [[0xff], [0xc3], [0xe4, 0xbd], [0xed, 0xa0, 0x80], [0xf0, 0x9f, 0x98], [0xc0, 0xaf], [0x80], [0xef, 0xbb, 0xbf]];

function randomStringBytes(next: () => number): Buffer {
  const parts: Buffer[] = [];
  for (let i = 0, n = Math.floor(next() * 8); i < n; i++) {
    parts.push(next() < 0.15 ? Buffer.from(pick(next, RAW_BYTES)) : Buffer.from(pick(next, PIECES)));
  }
  return Buffer.concat(parts);
}

/** A JSON body (as bytes) of a batch whose operatorId and detail values are random UTF-8 (sometimes invalid). */
function randomBody(next: () => number): Buffer {
  const record = validRecord(1, GENESIS_HASH);
  const json = JSON.stringify({ batchId: '6f1c2b1e-3c4d-4e5f-8a9b-0c1d2e3f4a5b', records: [{ ...record, operatorId: '@@OP@@', detail: { a: '@@A@@', b: 1, c: '@@C@@' } }] });
  const [before, rest] = json.split('"@@OP@@"') as [string, string];
  const [middle, rest2] = rest.split('"@@A@@"') as [string, string];
  const [middle2, after] = rest2.split('"@@C@@"') as [string, string];
  const quoted = (): Buffer => Buffer.concat([Buffer.from('"'), randomStringBytes(next), Buffer.from('"')]);
  const parts = [Buffer.from(before), next() < 0.1 ? Buffer.from('null') : quoted(), Buffer.from(middle), quoted(), Buffer.from(middle2), quoted(), Buffer.from(after)];
  let body = Buffer.concat(parts);
  const shape = next();
  if (shape < 0.05) body = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), body]); // a BOM
  else if (shape < 0.08) body = Buffer.concat([body.subarray(0, 40), Buffer.from([0xc3, 0xa9]), body.subarray(40)]); // non-ASCII outside a string
  else if (shape < 0.1) body = body.subarray(0, Math.floor(next() * body.length)); // cut off
  else if (shape < 0.12) body = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf, 0xef, 0xbb, 0xbf]), body]); // two BOMs
  return body;
}

describe('reading a batch body as Latin-1', () => {
  it('parses exactly when the UTF-8 reading parses, and the check then gives the same answer and the same records (5,000 bodies)', () => {
    const next = rng(77);
    let fastReadable = 0;
    let accepted = 0;
    for (let i = 0; i < 5000; i++) {
      const body = randomBody(next);
      if (!latin1Readable(body)) continue;
      fastReadable++;
      const fast = parseLatin1(body);
      const reference = defaultReading(body);
      expect(fast === undefined, body.toString('hex')).toBe(reference === undefined);
      if (!fast || !reference) continue;
      const fastCheck = checkLogBatch(fast.value, 'latin1');
      const referenceCheck = checkLogBatch(reference.value, 'utf8');
      expect(fastCheck.ok, body.toString('hex')).toBe(referenceCheck.ok);
      if (fastCheck.ok && referenceCheck.ok) {
        accepted++;
        expect(fastCheck.batch).toEqual(referenceCheck.batch);
      }
    }
    expect(fastReadable).toBeGreaterThan(4000);
    expect(accepted).toBeGreaterThan(1000);
  });

  it('leaves to the default reading what it cannot read the same way: \\u escapes, __proto__, constructor', () => {
    expect(latin1Readable(Buffer.from('{"a":"\\u00e9"}'))).toBe(false);
    expect(latin1Readable(Buffer.from('{"__proto__":{}}'))).toBe(false);
    expect(latin1Readable(Buffer.from('{"constructor":{"prototype":{}}}'))).toBe(false);
    expect(latin1Readable(Buffer.from('{"a":"é\\n"}'))).toBe(true);
  });
});
