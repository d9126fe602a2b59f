// The fast reading of POST /api/v1/log-batches (src/server/services/log-batch-scan.ts) must never
// accept what the contract refuses, and what it accepts must be exactly what the general path reads
// from the same body: JSON.parse + zod (LogBatchRequestSchema, via referenceCheckLogBatch) + the
// ingest's own reading (ingestBatchFromRecords): the same records, the same canonical encodings (what
// is hashed and stored), a chain that verifies. When it declines, the body must be left exactly as
// it came (the general path reads it next). The terminals' encoder (wireRecordsJson) must produce
// bodies it accepts.
import { describe, expect, it } from 'vitest';
import { canonicalEncoding, GENESIS_HASH, sealRecord, verifyChain, type LogRecord, type LogRecordBody } from '../../src/domain/log/log-record';
import { referenceCheckLogBatch } from '../../src/server/services/log-batch-schema';
import { scanLogBatch } from '../../src/server/services/log-batch-scan';
import { ingestBatchFromRecords } from '../../src/server/services/log-ingest';
import { logBatchBodyJson, wireRecordJson, wireRecordsJson, type LogBatchRequest } from '../../src/shared/log-api';
import { pick, rng, sha256 } from './server-log-helpers';

const TERMINAL = 'term-c';
const BATCH_ID = '6f1c2b1e-3c4d-4e5f-8a9b-0c1d2e3f4a5b';

/** Plain text values (no character JSON.stringify escapes), ASCII and not. */
const TEXTS = ['', 'kana', '転入届の受付に伴う世帯の確認', 'x'.repeat(500), '😀'.repeat(250), 'é', 'Å', 'a/b', '\u007f', '\u2028', '山田 太郎', 'x'.repeat(120)];
const NUMBERS = [0, 1, -1, 1.5, 1e21, 5e-324, -123456789, 0.1, 2 ** 53];

function randomBody(next: () => number, seq: number, prevHash: string): LogRecordBody {
  const detail: Record<string, string | number | boolean | null> = {};
  const fields = next() < 0.1 ? 0 : next() < 0.05 ? 32 : 1 + Math.floor(next() * 5);
  for (let i = 0; i < fields; i++) {
    const key = `${pick(next, ['purpose', 'criteria', 'n', 'A_1', 'z9', 'recordId', 'residentRef', 'screen'])}${i}`;
    const kind = next();
    detail[key] = kind < 0.5 ? pick(next, TEXTS) : kind < 0.8 ? pick(next, NUMBERS) : kind < 0.9 ? next() < 0.5 : null;
  }
  return {
    terminalId: TERMINAL,
    seq,
    prevHash,
    at: pick(next, ['2026-04-06T00:30:00.000Z', '2026-04-06T23:59:59.999Z', '2028-02-29T12:00:00.5Z', '2026-04-06T09:30:00.123456+09:00', '2026-04-06T09:30:00Z']),
    clockOffsetMs: pick(next, [0, 37, -5, 315_360_000_000, -315_360_000_000]),
    type: pick(next, ['resident.search', 'record.viewed', 'a', 'sync.failed-x.y9']),
    outcome: pick(next, ['success', 'failure', 'info'] as const),
    operatorId: pick(next, ['op-yamada', null, '', 'o'.repeat(64), '😀'.repeat(32), '山田']),
    cardKeyId: next() < 0.3 ? null : 'c'.repeat(63) + pick(next, ['0', 'f']),
    detail,
  };
}

function randomChain(next: () => number, count: number, startSeq = 1 + Math.floor(next() * 3)): LogRecord[] {
  const records: LogRecord[] = [];
  let prev = startSeq === 1 ? GENESIS_HASH : sha256(new TextEncoder().encode(`prev ${startSeq}`));
  for (let i = 0; i < count; i++) {
    const record = sealRecord(randomBody(next, startSeq + i, prev), sha256);
    records.push(record);
    prev = record.hash;
  }
  return records;
}

/**
 * Compares the fast reading of `body` with the general one; returns whether it was accepted. A
 * declined body must come back unchanged.
 */
function compareReadings(body: Buffer): boolean {
  const original = Buffer.from(body);
  const scanned = scanLogBatch(body, TERMINAL);
  let parsed: unknown;
  try {
    parsed = JSON.parse(original.toString('utf8'));
  } catch {
    parsed = undefined;
  }
  const contract = parsed !== undefined && referenceCheckLogBatch(parsed).ok;
  if (!scanned) {
    expect(body.equals(original), 'a declined body is left as it came').toBe(true);
    return false;
  }
  expect(contract, `accepted what the contract refuses: ${original.toString('utf8').slice(0, 400)}`).toBe(true);
  const batch = parsed as LogBatchRequest;
  const records = batch.records as LogRecord[];
  const first = records[0]!;
  expect(verifyChain(records, first.seq === 1 ? null : { seq: first.seq - 1, hash: first.prevHash }, TERMINAL, sha256)).toBeNull();
  const general = ingestBatchFromRecords(batch, TERMINAL);
  expect(general.foreign).toBeNull();
  expect(general.internal).toBeNull();
  expect(scanned.batchId).toBe(batch.batchId);
  expect(scanned.seqs).toEqual(general.seqs);
  expect(scanned.hashes).toEqual(general.hashes);
  expect(scanned.firstPrevHash).toBe(general.firstPrevHash);
  expect(scanned.atMs).toEqual(general.atMs);
  expect(scanned.types).toEqual(general.types);
  expect(scanned.operatorIds).toEqual(general.operatorIds);
  expect(scanned.canonical.count).toBe(records.length);
  for (let i = 0; i < records.length; i++) expect(Buffer.from(canonicalEncoding(records[i]!)).equals(scanned.canonical.encoding(i))).toBe(true);
  expect(scanned.canonical.jsonArray(0, records.length - 1).equals(general.canonical.jsonArray(0, records.length - 1))).toBe(true);
  return true;
}

const wireBody = (records: readonly LogRecord[]): Buffer => Buffer.from(logBatchBodyJson(BATCH_ID, wireRecordsJson(records)));

/** A wire record written field by field as given (no NFC, detail keys in the given order): also non-canonical text. */
function rawWireRecord(record: Record<string, unknown>, keys = ['hash', 'at', 'cardKeyId', 'clockOffsetMs', 'detail', 'operatorId', 'outcome', 'prevHash', 'seq', 'terminalId', 'type']): string {
  return `{${keys.filter((key) => key in record).map((key) => `${JSON.stringify(key)}:${JSON.stringify(record[key])}`).join(',')}}`;
}

const BYTES = [...'"\\,{}[]:09afgA-.e +nultrE'].map((c) => c.charCodeAt(0)).concat([0x00, 0x0a, 0x1f, 0x7f, 0x80, 0xc3, 0xa9, 0xe2, 0xff, 0xcc, 0x81]);

function mutateBytes(next: () => number, body: Buffer): Buffer {
  let bytes = [...body];
  for (let edits = 1 + Math.floor(next() * 3); edits > 0; edits--) {
    const at = Math.floor(next() * bytes.length);
    const kind = next();
    if (kind < 0.6) bytes[at] = pick(next, BYTES);
    else if (kind < 0.8) bytes.splice(at, 1);
    else if (kind < 0.9) bytes.splice(at, 0, pick(next, BYTES));
    else {
      const length = 1 + Math.floor(next() * 80);
      bytes = bytes.slice(0, at).concat(bytes.slice(at, at + length), bytes.slice(at));
    }
  }
  return Buffer.from(bytes);
}

describe('the fast reading of log batches', () => {
  it('accepts what the terminals encode, and reads it exactly as JSON.parse + zod + the ingest do', () => {
    const next = rng(7);
    for (let i = 0; i < 300; i++) {
      const records = randomChain(next, 1 + Math.floor(next() * 6));
      expect(compareReadings(wireBody(records))).toBe(true);
    }
  });

  it('declines every other spelling of a valid batch; the general path then decides', () => {
    const records = randomChain(rng(11), 3, 1);
    const plain = Buffer.from(JSON.stringify({ batchId: BATCH_ID, records }));
    expect(compareReadings(plain)).toBe(false);
    const spaced = Buffer.from(JSON.stringify({ batchId: BATCH_ID, records: JSON.parse(wireRecordsJson(records)) as unknown }, null, 1));
    expect(compareReadings(spaced)).toBe(false);
    const bom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), wireBody(records)]);
    expect(compareReadings(bom)).toBe(false);
    expect(compareReadings(Buffer.concat([wireBody(records), Buffer.from('\n')]))).toBe(false);
    // A record of another terminal, a gap, a broken link, a wrong hash: the general path answers (409/403 with an alert).
    const other = sealRecord({ ...records[0]!, terminalId: 'term-d' }, sha256);
    expect(compareReadings(wireBody([other]))).toBe(false);
    expect(compareReadings(wireBody([records[0]!, records[2]!]))).toBe(false);
    const relinked = sealRecord({ ...records[1]!, prevHash: 'f'.repeat(64) }, sha256);
    expect(compareReadings(wireBody([records[0]!, relinked]))).toBe(false);
    expect(compareReadings(wireBody([{ ...records[0]!, clockOffsetMs: 13 }]))).toBe(false);
    // Detail keys not sorted, text not NFC, an escape, a number not as JSON.stringify writes it: not canonical.
    const unsorted = sealRecord({ ...records[0]!, detail: { b: 1, a: 2 } }, sha256);
    expect(compareReadings(Buffer.from(logBatchBodyJson(BATCH_ID, `[${rawWireRecord(unsorted as never)}]`)))).toBe(false);
    const decomposed = sealRecord({ ...records[0]!, operatorId: 'e\u0301' }, sha256);
    expect(compareReadings(Buffer.from(logBatchBodyJson(BATCH_ID, `[${rawWireRecord(decomposed as never)}]`)))).toBe(false);
    // The terminals' encoder writes it NFC, as it was hashed (sealRecord hashes the NFC text): accepted.
    expect(compareReadings(Buffer.from(logBatchBodyJson(BATCH_ID, `[${wireRecordJson(decomposed)}]`)))).toBe(true);
    const quoted = sealRecord({ ...records[0]!, detail: { a: 'say "x"' } }, sha256);
    expect(compareReadings(wireBody([quoted]))).toBe(false);
    const exponent = sealRecord({ ...records[0]!, detail: { a: 1e21 } }, sha256);
    expect(compareReadings(Buffer.from(wireBody([exponent]).toString('latin1').replace('1e+21', '1E+21'), 'latin1'))).toBe(false);
    expect(compareReadings(Buffer.from(wireBody([exponent]).toString('latin1').replace('1e+21', '1000000000000000000000.0'), 'latin1'))).toBe(false);
  });

  it('never accepts what the contract refuses, and reads what it accepts as the general path does (4,000 byte-mutated bodies)', () => {
    const next = rng(2024);
    let accepted = 0;
    let declined = 0;
    for (let i = 0; i < 4000; i++) {
      const records = randomChain(next, 1 + Math.floor(next() * 3));
      if (compareReadings(mutateBytes(next, wireBody(records)))) accepted++;
      else declined++;
    }
    // A few edits keep a valid batch (the batch id); nearly all change what was hashed.
    expect(accepted).toBeGreaterThan(3);
    expect(declined).toBeGreaterThan(3000);
  });

  it('never accepts what the contract refuses (2,000 field-mutated records, re-sealed so that only the fields decide)', () => {
    const next = rng(99);
    const VALUES: Record<string, unknown[]> = {
      terminalId: [TERMINAL, 'Term-c', 'term-d', '', 1, null],
      seq: [1, 0, -1, 1.5, -0, Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER + 2, '1', null, 1e300],
      prevHash: [GENESIS_HASH, 'F'.repeat(64), 'f'.repeat(63), 'f'.repeat(65), `${'f'.repeat(63)}g`, null],
      at: ['2026-04-06T00:30:00Z', '2026-02-29T00:00:00.000Z', '2026-04-06T24:00:00.000Z', '2026-04-06T23:59:60.000Z', '2026-04-06 00:30:00.000Z', '2026-04-06T00:30:00.000z', `2026-04-06T00:30:00.${'1'.repeat(16)}Z`, '0000-01-01T00:00:00.000Z', '0099-12-31T23:59:59.999Z', ''],
      clockOffsetMs: [0, -0, 315_360_000_001, -315_360_000_001, 0.5, '0', null],
      type: ['a', 'A.b', 'a..b', 'a.', '-a', `a${'b'.repeat(64)}`, '', 'ä', null],
      outcome: ['success', 'ok', 'Success', null],
      operatorId: ['op-yamada', null, 'o'.repeat(65), '😀'.repeat(33), 'op-\ud800', '\udfff', 'e\u0301', 5],
      cardKeyId: ['c'.repeat(64), null, 'C'.repeat(64), 'c'.repeat(63), 7],
      detail: [{}, { a: 'x'.repeat(501) }, { a: `${'😀'.repeat(250)}x` }, { a: '\ud800' }, { _a: 1 }, { [`a${'b'.repeat(40)}`]: 1 }, { a: [1] }, { a: { b: 1 } }, null, 'x', Object.fromEntries(Array.from({ length: 33 }, (_, i) => [`k${i}`, i]))],
    };
    let accepted = 0;
    for (let i = 0; i < 2000; i++) {
      const record: Record<string, unknown> = { ...randomChain(next, 1, 1)[0]! };
      for (let c = 0, changes = 1 + Math.floor(next() * 2); c < changes; c++) {
        const field = pick(next, Object.keys(VALUES));
        record[field] = pick(next, VALUES[field]!);
      }
      if (next() < 0.05) delete record[pick(next, Object.keys(VALUES))];
      try {
        record.hash = sha256(canonicalEncoding(record as unknown as LogRecordBody));
      } catch {
        // No canonical encoding (a value of another type): keep the old hash.
      }
      let json: string;
      try {
        json = next() < 0.5 ? wireRecordJson(record as unknown as LogRecord) : rawWireRecord(record);
      } catch {
        json = rawWireRecord(record);
      }
      if (compareReadings(Buffer.from(logBatchBodyJson(BATCH_ID, `[${json}]`)))) accepted++;
    }
    expect(accepted).toBeGreaterThan(100);
  });

  it('checks a non-ASCII detail text again unless it is byte for byte one already accepted in the batch', () => {
    // Record 2's text is made the same length as record 1's, then re-hashed over its bytes as they lie
    // (so that only the text check decides): 'éa' (c3 a9 61) accepted, then the same bytes (accepted by
    // memory), then 'e' + U+0301 (not NFC) and invalid UTF-8 of that length (declined).
    const build = (second: Buffer): Buffer => {
      const one = sealRecord({ terminalId: TERMINAL, seq: 1, prevHash: GENESIS_HASH, at: '2026-04-06T00:30:00.000Z', clockOffsetMs: 0, type: 'a', outcome: 'info', operatorId: null, cardKeyId: null, detail: { p: 'éa' } }, sha256);
      const two = sealRecord({ ...one, seq: 2, prevHash: one.hash, detail: { p: 'xyz' } }, sha256);
      const body = wireBody([one, two]);
      const at = body.lastIndexOf(Buffer.from('"p":"xyz"')) + 5;
      second.copy(body, at);
      // Record 2's canonical encoding is '{' + what follows its hash, up to the closing ']}'.
      const hashAt = body.lastIndexOf(Buffer.from('{"hash":"')) + 9;
      const encoding = Buffer.concat([Buffer.from('{'), body.subarray(hashAt + 66, body.length - 2)]);
      body.write(sha256(encoding), hashAt, 'latin1');
      return body;
    };
    expect(scanLogBatch(build(Buffer.from('éa')), TERMINAL)).not.toBeNull();
    expect(scanLogBatch(build(Buffer.from('e\u0301')), TERMINAL)).toBeNull();
    expect(scanLogBatch(build(Buffer.from([0xc3, 0x28, 0x61])), TERMINAL)).toBeNull();
    expect(scanLogBatch(build(Buffer.from([0xc3, 0xa9, 0x62])), TERMINAL)).not.toBeNull();
    for (const second of [Buffer.from('éa'), Buffer.from('e\u0301'), Buffer.from([0xc3, 0x28, 0x61])]) compareReadings(build(second));
  });
});
