// canonicalJson writes plain ASCII strings and keys directly and caches the JSON of non-ASCII texts
// (src/domain/log/log-record.ts): the result must stay exactly the definition of docs/log-protocol.md —
// JSON.stringify of the NFC text, keys sorted by UTF-16 units — for every kind of character.
import { describe, expect, it } from 'vitest';
import { canonicalJson, GENESIS_HASH, type DetailValue, type LogRecordBody } from '../../src/domain/log/log-record';

/** The definition, written the plain way (what canonicalJson was before it was made faster). */
function reference(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'string') return JSON.stringify(value.normalize('NFC'));
  if (typeof value === 'number' || typeof value === 'boolean') return JSON.stringify(value);
  const object = value as Record<string, unknown>;
  return `{${Object.keys(object)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${reference(object[k])}`)
    .join(',')}}`;
}

// Every ASCII unit (controls, quote, backslash, DEL), combining marks (NFC changes them), kana,
// a supplementary-plane character, lone surrogates, and the line separators JSON.stringify keeps.
const UNITS = [...Array.from({ length: 128 }, (_, i) => String.fromCharCode(i)), 'が', 'か\u3099', 'e\u0301', 'é', '住', '𠮷', '\ud800', '\udc00', '\u2028', '\u2029', '\u00a0', '\ufeff'];

function randomText(random: () => number, length: number): string {
  let text = '';
  for (let i = 0; i < length; i++) text += UNITS[Math.floor(random() * UNITS.length)];
  return text;
}

/** Deterministic (mulberry32): a failure can be replayed. */
function seeded(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('canonicalJson', () => {
  it('equals the definition for random texts, keys and values (repeated texts too: the cache)', () => {
    const random = seeded(20260406);
    const texts = Array.from({ length: 40 }, () => randomText(random, Math.floor(random() * 12)));
    for (let i = 0; i < 3000; i++) {
      const pick = (): string => (random() < 0.5 ? texts[Math.floor(random() * texts.length)]! : randomText(random, Math.floor(random() * 12)));
      const detail: Record<string, DetailValue> = {};
      for (let k = Math.floor(random() * 5); k > 0; k--) {
        const value = [pick(), Math.round((random() - 0.5) * 1e6) / 100, random() < 0.5, null][Math.floor(random() * 4)]!;
        detail[random() < 0.7 ? `k${Math.floor(random() * 20)}` : pick()] = value;
      }
      const body: LogRecordBody = {
        terminalId: 'term-demo-01',
        seq: i + 1,
        prevHash: GENESIS_HASH,
        at: '2026-04-06T00:30:01.000Z',
        clockOffsetMs: Math.round((random() - 0.5) * 1000),
        type: pick(),
        outcome: 'info',
        operatorId: random() < 0.2 ? null : pick(),
        cardKeyId: random() < 0.5 ? null : pick(),
        detail,
      };
      const expected = reference({ ...body });
      expect(canonicalJson(body)).toBe(expected);
      // Again: now from the cache for its non-ASCII texts.
      expect(canonicalJson(body)).toBe(expected);
    }
  });

  it('normalises to NFC and escapes as JSON.stringify does', () => {
    const body: LogRecordBody = {
      terminalId: 'term-demo-01',
      seq: 1,
      prevHash: GENESIS_HASH,
      at: '2026-04-06T00:30:01.000Z',
      clockOffsetMs: 0,
      type: 'a"b\\c\u0001\u007f',
      outcome: 'info',
      operatorId: 'か\u3099',
      cardKeyId: '\ud800x',
      detail: { 'é': 'e\u0301', b: 'plain', a: 1.5 },
    };
    expect(canonicalJson(body)).toBe(
      '{"at":"2026-04-06T00:30:01.000Z","cardKeyId":"\\ud800x","clockOffsetMs":0,"detail":{"a":1.5,"b":"plain","é":"é"},' +
        `"operatorId":"が","outcome":"info","prevHash":"${GENESIS_HASH}","seq":1,"terminalId":"term-demo-01","type":"a\\"b\\\\c\\u0001\u007f"}`,
    );
  });
});
