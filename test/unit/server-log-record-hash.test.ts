// The server's canonical encoder (src/server/services/log-record-hash.ts) must give, for every record
// the request check accepts, exactly the bytes of the domain's canonicalEncoding — the definition
// the terminal hashes with — and so the same hash. And the stored chunk's JSON array must read back
// as those records; the event time used for queries must be Date.parse's.
import { describe, expect, it } from 'vitest';
import { canonicalEncoding, GENESIS_HASH, sealRecord, type LogRecord, type LogRecordBody } from '../../src/domain/log/log-record';
import { checkLogBatch } from '../../src/server/services/log-batch-schema';
import { CanonicalBatch, canonicalText } from '../../src/server/services/log-record-hash';
import { eventTimeMs } from '../../src/server/store/log-records';
import { pick, rng, sha256 } from './server-log-helpers';


const PIECES = ['a', 'Z', '0', ' ', '"', '\\', '\n', '\u0000', '\u001f', '\u007f', 'é', 'e\u0301', 'が', 'か\u3099', '住民票', '😀', '\ud800', '\udfff', '\u2028', 'ｱ', 'Å', 'A\u030a', '€', '\ufeff', '\u1100\u1161', '한'];

function randomString(next: () => number, max: number): string {
  let out = '';
  for (let i = 0, n = Math.floor(next() * max); i < n; i++) out += pick(next, PIECES);
  return out;
}

const KEYS = ['a', 'b', 'B', 'Z', 'purpose', 'criteria', 'a_1', 'a1', 'A_', 'z9', 'recordId', 'n', `a${'b'.repeat(39)}`];
const NUMBERS = [0, -0, 1, -1, 0.1, 1e21, 1e-7, 5e-324, Number.MAX_SAFE_INTEGER, -123.456, 2 ** 53 + 2, 1.7976931348623157e308];
const TIMES = ['2026-04-06T00:30:00.000Z', '2026-04-06T09:30:00+09:00', '2026-04-06T09:30:00.123456-03:30', '2028-02-29T23:59:59.9Z', '0001-01-01T00:00:00Z'];

/** A record that the request check accepts, with strings of every kind the contract allows. */
function randomRecord(next: () => number): LogRecord {
  const detail: Record<string, string | number | boolean | null> = {};
  for (let i = 0, n = Math.floor(next() * 8); i < n; i++) {
    const kind = next();
    detail[pick(next, KEYS)] = kind < 0.5 ? randomString(next, 12) : kind < 0.75 ? pick(next, NUMBERS) : kind < 0.9 ? next() < 0.5 : null;
  }
  const body: LogRecordBody = {
    terminalId: pick(next, ['term-demo-01', 'a', `t${'9'.repeat(62)}`]),
    seq: pick(next, [1, 2, 1000, Number.MAX_SAFE_INTEGER]),
    prevHash: next() < 0.2 ? GENESIS_HASH : sha256(new Uint8Array([Math.floor(next() * 255)])),
    at: next() < 0.7 ? new Date(1.8e12 + Math.floor(next() * 1e10)).toISOString() : pick(next, TIMES),
    clockOffsetMs: pick(next, [0, -0, 40, -315_360_000_000, 315_360_000_000]),
    type: pick(next, ['resident.search', 'a', 'card.removed', 'x-1.y-2.z']),
    outcome: pick(next, ['success', 'failure', 'info'] as const),
    // The storage rule refuses unpaired surrogates in operatorId only.
    operatorId: next() < 0.3 ? null : next() < 0.5 ? 'op-yamada' : randomString(next, 8).replace(/[\ud800-\udfff]/g, 'x'),
    cardKeyId: next() < 0.3 ? null : 'c'.repeat(64),
    detail,
  };
  return sealRecord(body, sha256);
}

describe('the server\'s canonical encoder', () => {
  it('gives canonicalEncoding\'s bytes and hash for 20,000 random records the check accepts', () => {
    const next = rng(31337);
    const encoder = new TextEncoder();
    let checked = 0;
    for (let i = 0; i < 20_000; i++) {
      const record = randomRecord(next);
      const accepted = checkLogBatch({ batchId: '6f1c2b1e-3c4d-4e5f-8a9b-0c1d2e3f4a5b', records: [record] });
      if (!accepted.ok) continue; // e.g. a string over 64 code points as operatorId
      checked++;
      const reference = canonicalEncoding(record);
      const text = canonicalText(record);
      expect(Buffer.from(encoder.encode(text)).equals(Buffer.from(reference)), JSON.stringify(record)).toBe(true);
      expect(Buffer.from(text, 'utf8').equals(Buffer.from(reference))).toBe(true); // what node:crypto and Buffer write
      expect(new CanonicalBatch(0).append(record)).toBe(record.hash);
    }
    expect(checked).toBeGreaterThan(15_000);
  });

  it('CanonicalBatch: each hash where it lies, and a run of records in brackets is the JSON array of their bodies', () => {
    const next = rng(7);
    const records = Array.from({ length: 300 }, () => randomRecord(next)).filter((record) => checkLogBatch({ batchId: '6f1c2b1e-3c4d-4e5f-8a9b-0c1d2e3f4a5b', records: [record] }).ok);
    const batch = new CanonicalBatch(16); // grows as needed
    records.forEach((record, i) => {
      expect(batch.append(record)).toBe(record.hash);
      expect(batch.encoding(i).equals(Buffer.from(canonicalEncoding(record)))).toBe(true);
    });
    expect(batch.count).toBe(records.length);
    const array = JSON.parse(batch.jsonArray(10, 99).toString('utf8')) as LogRecordBody[];
    expect(array).toHaveLength(90);
    array.forEach((body, i) => expect(Buffer.from(canonicalEncoding(body)).equals(Buffer.from(canonicalEncoding(records[10 + i]!)))).toBe(true));
  });
});

describe('eventTimeMs (the event time stored for queries)', () => {
  it('is Date.parse for every time the contract admits', () => {
    const next = rng(99);
    const two = (n: number) => String(n).padStart(2, '0');
    for (let i = 0; i < 20_000; i++) {
      const year = pick(next, [0, 1, 99, 100, 999, 1000, 1969, 1970, 2026, 2400, 9999]);
      const month = 1 + Math.floor(next() * 12);
      const day = 1 + Math.floor(next() * 28);
      const time = `${String(year).padStart(4, '0')}-${two(month)}-${two(day)}T${two(Math.floor(next() * 24))}:${two(Math.floor(next() * 60))}:${two(Math.floor(next() * 60))}`;
      const fraction = pick(next, ['', '.0', '.5', '.123', '.999', '.1234', '.000001']);
      const zone = pick(next, ['Z', 'Z', 'Z', '+09:00', '-00:00', '-12:30']);
      const at = `${time}${fraction}${zone}`;
      expect(eventTimeMs(at), at).toBe(Date.parse(at));
    }
  });
});
