// The server's ingest relies on the domain's canonicalEncoding, whose top level is written out for
// speed: it must give exactly the bytes of the generic definition (sorted keys, NFC strings) for
// every input, and throw where that throws. And the contract checks JSON Schema cannot express.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { canonicalEncoding, GENESIS_HASH, sealRecord, type LogRecord, type LogRecordBody } from '../../src/domain/log/log-record';
import { sha256Hex } from '../../src/server/services/log-hash';
import { logRecordContractProblem } from '../../src/server/services/log-ingest';

/** The generic definition, verbatim: what canonicalEncoding must equal. */
function referenceValue(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'string') return JSON.stringify(value.normalize('NFC'));
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new TypeError('non-finite number in a log record');
    return JSON.stringify(value);
  }
  if (typeof value === 'object' && !Array.isArray(value)) {
    const entries = Object.keys(value as object)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${referenceValue((value as Record<string, unknown>)[k])}`);
    return `{${entries.join(',')}}`;
  }
  throw new TypeError(`unsupported value in a log record: ${typeof value}`);
}

function reference(body: LogRecordBody): Uint8Array {
  const { terminalId, seq, prevHash, at, clockOffsetMs, type, outcome, operatorId, cardKeyId, detail } = body;
  return new TextEncoder().encode(referenceValue({ terminalId, seq, prevHash, at, clockOffsetMs, type, outcome, operatorId, cardKeyId, detail }));
}

/** Deterministic pseudo-random numbers (a failing case can be replayed). */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const PIECES = ['a', 'Z', '0', ' ', '"', '\\', '\n', '\u0000', '\u007f', 'é', 'e\u0301', 'が', 'か\u3099', '住民票', '😀', '\ud800', '\udfff', '\u2028', 'ｱ', 'Å', 'A\u030a', '€'];

function randomString(next: () => number, max = 12): string {
  let out = '';
  const length = Math.floor(next() * max);
  for (let i = 0; i < length; i++) out += PIECES[Math.floor(next() * PIECES.length)];
  return out;
}

function randomValue(next: () => number, depth = 0): unknown {
  const pick = Math.floor(next() * (depth < 2 ? 9 : 7));
  switch (pick) {
    case 0:
      return null;
    case 1:
      return next() < 0.5;
    case 2:
      return [0, -0, 1, -1, 0.1, 1e21, 1e-7, 5e-324, Number.MAX_SAFE_INTEGER, -123.456][Math.floor(next() * 10)];
    case 3:
    case 4:
    case 5:
    case 6:
      return randomString(next);
    default: {
      const nested: Record<string, unknown> = {};
      const keys = Math.floor(next() * 4);
      for (let i = 0; i < keys; i++) nested[randomKey(next)] = randomValue(next, depth + 1);
      return nested;
    }
  }
}

function randomKey(next: () => number): string {
  return ['a', 'b', 'B', 'purpose', '10', '9', '1', 'é', 'e\u0301', 'z_1', '', 'criteria', 'ÅA'][Math.floor(next() * 13)]!;
}

function randomBody(next: () => number): LogRecordBody {
  const detail: Record<string, unknown> = {};
  const keys = Math.floor(next() * 6);
  for (let i = 0; i < keys; i++) detail[randomKey(next)] = randomValue(next);
  return {
    terminalId: next() < 0.8 ? 'term-demo-01' : randomString(next),
    seq: Math.floor(next() * 1e9) + 1,
    prevHash: next() < 0.8 ? sha256Hex(new Uint8Array([Math.floor(next() * 255)])) : randomString(next),
    at: next() < 0.8 ? new Date(1.8e12 + Math.floor(next() * 1e10)).toISOString() : randomString(next),
    clockOffsetMs: Math.floor((next() - 0.5) * 1e7),
    type: next() < 0.8 ? 'resident.search' : randomString(next),
    outcome: (['success', 'failure', 'info'] as const)[Math.floor(next() * 3)]!,
    operatorId: next() < 0.3 ? null : next() < 0.8 ? 'op-yamada' : randomString(next),
    cardKeyId: next() < 0.3 ? null : 'c'.repeat(64),
    detail: detail as LogRecordBody['detail'],
  };
}

function outcome(encode: (body: LogRecordBody) => Uint8Array, body: LogRecordBody): string {
  try {
    return Buffer.from(encode(body)).toString('hex');
  } catch (error) {
    return `throws ${(error as Error).name}`;
  }
}

describe('canonicalEncoding (the unrolled top level used on the server hot path)', () => {
  it('gives the generic definition\'s bytes for 20,000 random records (unicode, NFD, surrogates, numbers, nesting)', () => {
    const next = rng(20260406);
    for (let i = 0; i < 20_000; i++) {
      const body = randomBody(next);
      expect(outcome(canonicalEncoding, body), JSON.stringify(body)).toBe(outcome(reference, body));
    }
  });

  it('throws where the generic definition throws', () => {
    const base = randomBody(rng(1));
    const bad: unknown[] = [
      { ...base, detail: { x: Number.NaN } },
      { ...base, detail: { x: [1] } },
      { ...base, seq: Number.POSITIVE_INFINITY },
      { ...base, operatorId: undefined },
      { ...base, detail: { x: undefined } },
      { ...base, type: 1n },
    ];
    for (const body of bad) {
      expect(() => reference(body as LogRecordBody)).toThrow(TypeError);
      expect(() => canonicalEncoding(body as LogRecordBody)).toThrow(TypeError);
    }
  });

  it('the server\'s SHA-256 is the standard one', () => {
    const record = sealRecord({ ...randomBody(rng(2)), prevHash: GENESIS_HASH }, (bytes) => createHash('sha256').update(bytes).digest('hex'));
    expect(sha256Hex(canonicalEncoding(record))).toBe(record.hash);
  });
});

describe('logRecordContractProblem (what JSON Schema does not express)', () => {
  const record = (overrides: Partial<LogRecord>): LogRecord => ({ ...sealRecord({ ...randomBody(rng(3)), detail: {} }, sha256Hex), ...overrides });

  it('refuses more than 32 detail fields (the refine)', () => {
    const fields = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`f${i}`, i]));
    expect(logRecordContractProblem([record({ detail: fields(32) })])).toBeNull();
    expect(logRecordContractProblem([record({ detail: fields(33) })])).toContain('32項目まで');
  });

  it('refuses unpaired surrogates in the operator id (they cannot be stored and read back unchanged)', () => {
    expect(logRecordContractProblem([record({ operatorId: 'op-😀' })])).toBeNull();
    expect(logRecordContractProblem([record({ operatorId: 'op-\ud83d' })])).not.toBeNull();
    expect(logRecordContractProblem([record({ operatorId: 'op-\ude00x' })])).not.toBeNull();
  });
});
