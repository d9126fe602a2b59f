// isJsonArrayOfObjects (src/shared/json-array-check.ts) answers what JSON.parse and a look at the
// parsed value answer — "one JSON array of 1..max objects" — without building the value. Compared on
// hand-picked edge cases, on thousands of random mutations of a real batch in the wire form, and on
// random texts made of JSON's significant characters.
import { describe, expect, it } from 'vitest';
import { GENESIS_HASH, sealRecord, type LogRecord } from '../../src/domain/log/log-record';
import { mulberry32 } from '../../src/domain/resident/synthetic-town';
import { isJsonArrayOfObjects } from '../../src/shared/json-array-check';
import { wireRecordsJson } from '../../src/shared/log-api';
import { createHash } from 'node:crypto';

/** The reference: what main checked before (JSON.parse, then the value's shape). */
function reference(text: string, max: number): boolean {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return false;
  }
  if (!Array.isArray(value) || value.length < 1 || value.length > max) return false;
  return value.every((item) => typeof item === 'object' && item !== null && !Array.isArray(item));
}

function batch(): string {
  const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');
  const records: LogRecord[] = [];
  let prevHash = GENESIS_HASH;
  for (let seq = 1; seq <= 4; seq++) {
    const record = sealRecord(
      {
        terminalId: 'term-01',
        seq,
        prevHash,
        at: '2026-11-26T01:02:03.456Z',
        clockOffsetMs: -12,
        type: 'resident.search',
        outcome: 'success',
        operatorId: 'op-yamada',
        cardKeyId: null,
        detail: { purpose: '転入届の受付', note: 'a "quoted" \\ back\tslash\u0001', n: 1.5e-7, ok: true, none: null, results: seq },
      },
      sha256,
    );
    records.push(record);
    prevHash = record.hash;
  }
  return wireRecordsJson(records);
}

const PALETTE = ['{', '}', '[', ']', '"', ':', ',', '\\', ' ', '\n', '\t', '\r', '\u0000', '\u001f', '\ufeff', '0', '1', '9', '-', '+', '.', 'e', 'E', 'u', 'a', 'F', 't', 'r', 'f', 'n', 'l', 's', 'true', 'false', 'null', '\\u00e9', '\\u12', '\\x', '\\/', '日', '\ud800'];

describe('isJsonArrayOfObjects', () => {
  it('answers as JSON.parse on edge cases', () => {
    const cases = [
      '[{}]', ' [ {} , {"a":[1,2,{"b":null}]} ] ', '[]', '[{}', '{}', '[{}]]', '[{},]', '[,{}]', '[{}{}]', '[{"a":1,}]', '[{"a"}]', '[{"a":}]', '[{a:1}]',
      '[{"a":01}]', '[{"a":-0}]', '[{"a":-}]', '[{"a":1.}]', '[{"a":.5}]', '[{"a":1e}]', '[{"a":1e+}]', '[{"a":1E-5}]', '[{"a":-0.0e0}]',
      '[{"a":"\\u00zz"}]', '[{"a":"\\u00e9"}]', '[{"a":"\\q"}]', '[{"a":"tab\there"}]', '[{"a":"raw\u0009tab"}]', '[{"a":"\u007f"}]',
      '[{"a":tru}]', '[{"a":true}]', '[{"a":nul}]', '[{"a":falsey}]', '[{"a":[}]', '[{"a":{]}]', '[{"a":[]}, {}]', '[{"a":{}}]',
      '\ufeff[{}]', '[{}]\u0000', '[{}] x', '[{"":""}]', '[{"a":"\\"}]', '[{"a":"\\\\"}]', '[{"a":"\ud800"}]', '[{"a":1 2}]', '[{"a" : 1 , "b" : [ ] }]',
      '[],"batchId":"chosen","records":[]', '[{"seq":1}],"batchId":"x","records":[{"seq":1}]', '[1]', '[null]', '[[]]', '["x"]', '', ' ', '[', ']',
      `[{"a":${'['.repeat(20_000)}${']'.repeat(20_000)}}]`, `[{"a":${'['.repeat(20_000)}}]`, `[${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}]`,
    ];
    for (const text of cases) expect(isJsonArrayOfObjects(text, 5000), JSON.stringify(text.slice(0, 80))).toBe(reference(text, 5000));
  });

  it('counts the objects against the limit', () => {
    const objects = (n: number) => `[${Array.from({ length: n }, () => '{"x":[1]}').join(',')}]`;
    expect(isJsonArrayOfObjects(objects(3), 3)).toBe(true);
    expect(isJsonArrayOfObjects(objects(4), 3)).toBe(false);
    expect(isJsonArrayOfObjects(objects(1), 1)).toBe(true);
  });

  it('answers as JSON.parse on random mutations of a batch in the wire form', () => {
    const base = batch();
    expect(isJsonArrayOfObjects(base, 5000)).toBe(true);
    const next = mulberry32(20261126);
    let accepted = 0;
    for (let round = 0; round < 6000; round++) {
      let text = base;
      const edits = 1 + Math.floor(next() * 3);
      for (let e = 0; e < edits; e++) {
        const at = Math.floor(next() * (text.length + 1));
        const piece = PALETTE[Math.floor(next() * PALETTE.length)]!;
        const kind = next();
        if (kind < 0.35) text = text.slice(0, at) + piece + text.slice(at);
        else if (kind < 0.7) text = text.slice(0, at) + text.slice(at + 1);
        else text = text.slice(0, at) + piece + text.slice(at + piece.length);
      }
      const want = reference(text, 5000);
      if (want) accepted++;
      expect(isJsonArrayOfObjects(text, 5000), `round ${round}: ${JSON.stringify(text)}`).toBe(want);
    }
    // The mutations reach both answers (a check that only ever says no would fail above otherwise too).
    expect(accepted).toBeGreaterThan(300);
  });

  it('answers as JSON.parse on random texts of JSON characters', () => {
    const next = mulberry32(7);
    let accepted = 0;
    for (let round = 0; round < 20_000; round++) {
      let text = '[';
      const length = Math.floor(next() * 14);
      for (let i = 0; i < length; i++) text += PALETTE[Math.floor(next() * PALETTE.length)]!;
      if (next() < 0.5) text += ']';
      const want = reference(text, 3);
      if (want) accepted++;
      expect(isJsonArrayOfObjects(text, 3), JSON.stringify(text)).toBe(want);
    }
    expect(accepted).toBeGreaterThan(0);
  });
});
