// POST /api/v1/log-batches checks the body with the JSON Schema derived from LogBatchRequestSchema
// plus logRecordContractProblem (no zod pass on the hot path). This proves the two together accept
// exactly what the zod contract accepts, on a few thousand mutated batches.
import { createHash, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canonicalEncoding, GENESIS_HASH, sealRecord, type LogRecord } from '../../src/domain/log/log-record';
import { registerTerminal } from '../../src/server/admin/register-terminal';
import { createServerApp, type ServerApp } from '../../src/server/app';
import { countLogRecords, logRecordsAfter } from '../../src/server/store/log-records';
import { logBatchBodyJson, LogBatchRequestSchema, wireRecordsJson } from '../../src/shared/log-api';
import type { TerminalCredential } from '../../src/shared/server-api';

const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');
let dataDir: string;
let server: ServerApp;
let credential: TerminalCredential;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'kumiyama-server-log-contract-'));
  server = await createServerApp({ dataDir, checkpointIntervalMs: 0 });
  credential = registerTerminal(server.db, { name: '窓口', id: 'term-c', serverUrl: 'http://127.0.0.1:8470', clock: { now: () => Date.now() } });
});

afterAll(async () => {
  await server?.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const valid: LogRecord = sealRecord(
  {
    terminalId: 'term-c',
    seq: 1,
    prevHash: GENESIS_HASH,
    at: '2026-04-06T00:30:00.000Z',
    clockOffsetMs: 12,
    type: 'resident.search',
    outcome: 'success',
    operatorId: 'op-yamada',
    cardKeyId: 'c'.repeat(64),
    detail: { purpose: '転入届の確認', criteria: 'kana', results: 3, masked: true, none: null },
  },
  sha256,
);

const FIELD_VALUES: Record<string, unknown[]> = {
  terminalId: ['term-c', 'Term-c', '-term', 'a'.repeat(63), 'a'.repeat(64), '', 1, null],
  seq: [1, 0, -1, 1.5, Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER + 2, '1', null, 1e300],
  prevHash: [GENESIS_HASH, 'F'.repeat(64), 'f'.repeat(63), 'f'.repeat(65), null, 0],
  at: [
    '2026-04-06T00:30:00Z',
    '2026-04-06T09:30:00.123456+09:00',
    '2026-04-06T09:30:00+0900',
    '2026-04-06T09:30:00',
    '2026-02-29T00:00:00Z',
    '2028-02-29T00:00:00Z',
    '2026-04-06T24:00:00Z',
    '2026-04-06T23:59:60Z',
    '2026-04-06 00:30:00Z',
    `2026-04-06T00:30:00.${'1'.repeat(20)}Z`,
    '',
    1_800_000_000_000,
  ],
  clockOffsetMs: [0, -5, 315_360_000_000, 315_360_000_001, -315_360_000_001, 0.5, '0', null],
  type: ['resident.search', 'a', 'A.b', 'a..b', 'a.b-c.d9', `a${'b'.repeat(63)}`, `a${'b'.repeat(64)}`, '1a', '', null],
  outcome: ['success', 'failure', 'info', 'ok', '', null],
  operatorId: ['op-yamada', null, '', 'o'.repeat(64), 'o'.repeat(65), '😀'.repeat(32), '😀'.repeat(33), 'op-\ud800', 5],
  cardKeyId: ['c'.repeat(64), null, 'C'.repeat(64), 'c'.repeat(63), 7],
  detail: [
    {},
    { a: 'x'.repeat(500) },
    { a: 'x'.repeat(501) },
    { a: '😀'.repeat(250) },
    { a: `${'😀'.repeat(250)}x` },
    Object.fromEntries(Array.from({ length: 32 }, (_, i) => [`k${i}`, i])),
    Object.fromEntries(Array.from({ length: 33 }, (_, i) => [`k${i}`, i])),
    { A_1: 1.5, b: -0, c: false, d: null },
    { _a: 1 },
    { '1a': 1 },
    { [`a${'b'.repeat(39)}`]: 1 },
    { [`a${'b'.repeat(40)}`]: 1 },
    { a: [1] },
    { a: { b: 1 } },
    [],
    null,
    'x',
  ],
  hash: [valid.hash, valid.hash.toUpperCase(), 'x', null],
};

function mutate(next: () => number): unknown {
  const record: Record<string, unknown> = { ...valid };
  const fields = Object.keys(FIELD_VALUES);
  const changes = 1 + Math.floor(next() * 2);
  for (let i = 0; i < changes; i++) {
    const field = fields[Math.floor(next() * fields.length)]!;
    const values = FIELD_VALUES[field]!;
    record[field] = values[Math.floor(next() * values.length)];
  }
  const shape = next();
  if (shape < 0.05) delete record[fields[Math.floor(next() * fields.length)]!];
  else if (shape < 0.1) record.extra = 1;
  const batch: Record<string, unknown> = { batchId: next() < 0.95 ? randomUUID() : next() < 0.5 ? 'x' : '00000000-0000-0000-0000-000000000000', records: [record] };
  if (next() < 0.03) batch.records = [];
  if (next() < 0.03) batch.more = true;
  return batch;
}

/** The batch in the terminals' wire form when its records have a canonical encoding (re-sealed when `reseal`), else as JSON.stringify writes it. */
function wireText(batch: unknown, reseal: boolean): string {
  const { batchId, records, ...rest } = batch as { batchId: unknown; records: unknown; [key: string]: unknown };
  if (Object.keys(rest).length > 0 || typeof batchId !== 'string' || !Array.isArray(records)) return JSON.stringify(batch);
  try {
    const sealed = (records as Record<string, unknown>[]).map((record) => (reseal ? { ...record, hash: sha256(canonicalEncoding(record as never)) } : record));
    return logBatchBodyJson(batchId, wireRecordsJson(sealed as never));
  } catch {
    return JSON.stringify(batch);
  }
}

describe('log-batches request validation equals the zod contract', () => {
  it('accepts exactly what LogBatchRequestSchema accepts (2,000 mutated batches)', async () => {
    const next = rng(4242);
    let accepted = 0;
    let refused = 0;
    for (let i = 0; i < 2000; i++) {
      const batch = mutate(next);
      // One storage rule beyond the contract: no unpaired surrogate in operatorId (docs/log-protocol.md).
      const operatorId = (batch as { records?: { operatorId?: unknown }[] }).records?.[0]?.operatorId;
      const loneSurrogate = typeof operatorId === 'string' && /[\uD800-\uDFFF]/u.test(operatorId);
      const zodAccepts = LogBatchRequestSchema.safeParse(batch).success && !loneSurrogate;
      const response = await server.app.inject({
        method: 'POST',
        url: '/api/v1/log-batches',
        headers: { authorization: `Terminal ${credential.terminalId}:${credential.secret}`, 'content-type': 'application/json' },
        payload: JSON.stringify(batch),
      });
      const invalid = response.statusCode === 400 && (response.json() as { error: { code: string } }).error.code === 'invalid-request';
      expect(invalid, `${JSON.stringify(batch)} → ${response.statusCode} ${response.body}`).toBe(!zodAccepts);
      if (zodAccepts) accepted++;
      else refused++;
    }
    expect(accepted).toBeGreaterThan(100);
    expect(refused).toBeGreaterThan(100);
  });

  it('the same in the wire form the terminals send (1,000 mutated batches, half of them re-sealed)', async () => {
    const next = rng(777);
    let accepted = 0;
    let refused = 0;
    for (let i = 0; i < 1000; i++) {
      const text = wireText(mutate(next), next() < 0.5);
      const batch = JSON.parse(text) as unknown;
      const operatorId = (batch as { records?: { operatorId?: unknown }[] }).records?.[0]?.operatorId;
      const loneSurrogate = typeof operatorId === 'string' && /[\uD800-\uDFFF]/u.test(operatorId);
      const zodAccepts = LogBatchRequestSchema.safeParse(batch).success && !loneSurrogate;
      const response = await server.app.inject({
        method: 'POST',
        url: '/api/v1/log-batches',
        headers: { authorization: `Terminal ${credential.terminalId}:${credential.secret}`, 'content-type': 'application/json' },
        payload: text,
      });
      const invalid = response.statusCode === 400 && (response.json() as { error: { code: string } }).error.code === 'invalid-request';
      expect(invalid, `${text} → ${response.statusCode} ${response.body}`).toBe(!zodAccepts);
      if (zodAccepts) accepted++;
      else refused++;
    }
    expect(accepted).toBeGreaterThan(50);
    expect(refused).toBeGreaterThan(50);
  }, 120_000);

  it('a batch stored from the wire form is the batch stored from plain JSON: resent either way, it is acknowledged and nothing is stored twice', async () => {
    const id = 'term-w';
    const who = registerTerminal(server.db, { name: '窓口2', id, serverUrl: 'http://127.0.0.1:8470', clock: { now: () => Date.now() } });
    const records: LogRecord[] = [];
    let prev = GENESIS_HASH;
    for (let seq = 1; seq <= 40; seq++) {
      const record = sealRecord({ ...valid, terminalId: id, seq, prevHash: prev, operatorId: seq % 3 ? 'op-山田' : null, detail: { purpose: '住民票の写しの交付', n: seq, ok: seq % 2 === 0 } }, sha256);
      records.push(record);
      prev = record.hash;
    }
    const post = (payload: string) =>
      server.app.inject({ method: 'POST', url: '/api/v1/log-batches', headers: { authorization: `Terminal ${who.terminalId}:${who.secret}`, 'content-type': 'application/json' }, payload });
    const first = await post(logBatchBodyJson(randomUUID(), wireRecordsJson(records.slice(0, 25))));
    expect(first.json()).toEqual({ ackSeq: 25, ackHash: records[24]!.hash });
    const second = await post(JSON.stringify({ batchId: randomUUID(), records: records.slice(20) }));
    expect(second.json()).toEqual({ ackSeq: 40, ackHash: records[39]!.hash });
    const resentWire = await post(logBatchBodyJson(randomUUID(), wireRecordsJson(records.slice(10, 40))));
    expect(resentWire.json()).toEqual({ ackSeq: 40, ackHash: records[39]!.hash });
    const resentPlain = await post(JSON.stringify({ batchId: randomUUID(), records: records.slice(0, 25) }));
    expect(resentPlain.json()).toEqual({ ackSeq: 40, ackHash: records[39]!.hash });
    expect(countLogRecords(server.db, id)).toBe(40);
    expect(logRecordsAfter(server.db, id, 0, 100).map(({ atMs: _atMs, receivedAt: _receivedAt, ...record }) => record)).toEqual(
      records.map((record) => ({ ...record, operatorId: record.operatorId?.normalize('NFC') ?? null })),
    );
    // An altered record in the wire form is refused as in plain JSON: 409 log-hash-mismatch, nothing stored.
    const altered = { ...records[39]!, seq: 41, prevHash: records[39]!.hash, detail: { n: 1 } };
    const refusedWire = await post(logBatchBodyJson(randomUUID(), wireRecordsJson([altered])));
    expect(refusedWire.statusCode).toBe(409);
    expect((refusedWire.json() as { error: { code: string } }).error.code).toBe('log-hash-mismatch');
    expect(countLogRecords(server.db, id)).toBe(40);
  });
});
