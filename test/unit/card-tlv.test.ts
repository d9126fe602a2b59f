// BER-TLV parsing with strict bounds (src/domain/card/tlv.ts).
import { describe, expect, it } from 'vitest';
import {
  CardFault,
  childrenOf,
  encodeLength,
  encodeTlv,
  fromHex,
  MAX_TLV_VALUE_LENGTH,
  parseSingleTlv,
  parseTlvList,
  pickTags,
  readTlv,
  TlvError,
  toHex,
  type TlvErrorKind,
} from '../../src/domain/card';

const h = (hex: string): Uint8Array => {
  const b = fromHex(hex);
  if (!b) throw new Error(`bad hex ${hex}`);
  return b;
};

function expectTlvError(fn: () => unknown, kind: TlvErrorKind): TlvError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(TlvError);
    expect(e).toBeInstanceOf(CardFault);
    const err = e as TlvError;
    expect(err.kind).toBe(kind);
    expect(err.code).toBe('bad-answer');
    expect(err.userMessage).toMatch(/カード/);
    return err;
  }
  throw new Error(`expected TlvError ${kind}`);
}

describe('readTlv', () => {
  it('reads a primitive TLV', () => {
    const t = readTlv(h('80 02 11 22'));
    expect(t.tag).toBe(0x80);
    expect(t.constructed).toBe(false);
    expect(toHex(t.value)).toBe('1122');
    expect(t.start).toBe(0);
    expect(t.end).toBe(4);
  });

  it('reads the three-byte PIV tag 5FC101 and a constructed tag', () => {
    const t = readTlv(h('5F C1 01 01 AA'));
    expect(t.tag).toBe(0x5fc101);
    expect(toHex(t.value)).toBe('aa');
    const c = readTlv(h('7C 04 82 00 81 00'));
    expect(c.constructed).toBe(true);
    expect(childrenOf(c).map((x) => x.tag)).toEqual([0x82, 0x81]);
  });

  it('reads long-form lengths 81, 82, 83 and 84', () => {
    const v = new Uint8Array(300).fill(7);
    expect(readTlv(encodeTlv(0x53, v.subarray(0, 200))).value.length).toBe(200);
    expect(readTlv(encodeTlv(0x53, v)).value.length).toBe(300);
    expect(readTlv(new Uint8Array([0x53, 0x83, 0x00, 0x01, 0x2c, ...v])).value.length).toBe(300);
    expect(readTlv(new Uint8Array([0x53, 0x84, 0x00, 0x00, 0x01, 0x2c, ...v])).value.length).toBe(300);
    expect(readTlv(h('53 81 00')).value.length).toBe(0); // non-minimal but legal BER
  });

  it('reads at an offset and never past a limit', () => {
    const buf = h('FF 80 01 AA 81 01 BB');
    expect(toHex(readTlv(buf, 1).value)).toBe('aa');
    expectTlvError(() => readTlv(buf, 4, 6), 'truncated-value');
    expectTlvError(() => readTlv(buf, 7), 'empty');
    expectTlvError(() => readTlv(buf, -1), 'empty');
    expectTlvError(() => readTlv(buf, 1.5), 'empty');
  });

  it('returns views, not copies, bounded by the TLV', () => {
    const buf = h('80 02 11 22 99');
    const t = readTlv(buf);
    expect(t.value.buffer).toBe(buf.buffer);
    expect(t.value.byteOffset + t.value.length).toBeLessThanOrEqual(buf.length);
  });

  const bad: [string, string, TlvErrorKind][] = [
    ['empty buffer', '', 'empty'],
    ['padding byte 00', '00 01 AA', 'bad-tag'],
    ['padding byte FF', 'FF 01 AA', 'bad-tag'],
    ['tag cut after first byte', '5F', 'truncated-tag'],
    ['tag cut inside', '5F C1', 'truncated-tag'],
    ['tag of four bytes', '5F C1 81 01 00', 'tag-too-long'],
    ['multi-byte tag with leading 80', '5F 80 01 00', 'bad-tag'],
    ['no length', '80', 'truncated-length'],
    ['indefinite length', '30 80 02 01 01 00 00', 'indefinite-length'],
    ['length field of 5 bytes', '53 85 00 00 00 00 01 AA', 'length-field-too-long'],
    ['reserved length FF', '53 FF', 'length-field-too-long'],
    ['length field cut', '53 82 01', 'truncated-length'],
    ['length 84 cut', '53 84 00 00 01', 'truncated-length'],
    ['value cut', '80 05 01 02 03', 'truncated-value'],
    ['value missing', '80 01', 'truncated-value'],
    ['64 KiB value', '53 83 01 00 00', 'too-large'],
    ['4 GiB value', '53 84 FF FF FF FF', 'too-large'],
  ];
  for (const [what, hex, kind] of bad) {
    it(`refuses ${what}`, () => {
      expectTlvError(() => readTlv(h(hex)), kind);
    });
  }

  it('refuses a value longer than 64 KiB - 1 even when the bytes are there', () => {
    const big = new Uint8Array(4 + 65536);
    big.set([0x53, 0x83, 0x01, 0x00, 0x00]);
    expectTlvError(() => readTlv(big), 'too-large');
    const max = new Uint8Array(4 + MAX_TLV_VALUE_LENGTH);
    max.set([0x53, 0x82, 0xff, 0xff]);
    expect(readTlv(max).value.length).toBe(MAX_TLV_VALUE_LENGTH);
  });

  it('refuses what is not a byte array', () => {
    expectTlvError(() => readTlv('80 01 00' as unknown as Uint8Array), 'empty');
    expectTlvError(() => parseTlvList(null as unknown as Uint8Array), 'empty');
  });
});

describe('lists and single TLVs', () => {
  it('parses a list end to end', () => {
    expect(parseTlvList(h('80 01 AA 81 00 5F C1 01 01 BB')).map((t) => t.tag)).toEqual([0x80, 0x81, 0x5fc101]);
    expect(parseTlvList(new Uint8Array(0))).toEqual([]);
  });

  it('refuses a list with a truncated last item or too many items', () => {
    expectTlvError(() => parseTlvList(h('80 01 AA 81 03 00')), 'truncated-value');
    expectTlvError(() => parseTlvList(new Uint8Array(200).fill(0x80).map((v, i) => (i % 2 ? 0 : v))), 'trailing-data');
  });

  it('parseSingleTlv checks the tag and refuses trailing bytes', () => {
    expect(parseSingleTlv(h('53 01 00'), 0x53).value.length).toBe(1);
    expectTlvError(() => parseSingleTlv(h('53 01 00 00')), 'trailing-data');
    expectTlvError(() => parseSingleTlv(h('54 01 00'), 0x53), 'unexpected-tag');
  });

  it('childrenOf refuses a primitive TLV', () => {
    expectTlvError(() => childrenOf(readTlv(h('80 02 81 00'))), 'not-constructed');
  });

  it('pickTags refuses unknown, duplicate and missing tags', () => {
    const list = parseTlvList(h('70 01 AA 71 01 00'));
    expect([...pickTags(list, [0x70, 0x71], [0x70]).keys()]).toEqual([0x70, 0x71]);
    expectTlvError(() => pickTags(list, [0x70]), 'unexpected-tag');
    expectTlvError(() => pickTags(parseTlvList(h('70 00 70 00')), [0x70]), 'duplicate-tag');
    expectTlvError(() => pickTags(parseTlvList(h('71 00')), [0x70, 0x71], [0x70]), 'missing-tag');
  });
});

describe('encoding', () => {
  it('encodes minimal lengths', () => {
    expect(toHex(encodeLength(0))).toBe('00');
    expect(toHex(encodeLength(127))).toBe('7f');
    expect(toHex(encodeLength(128))).toBe('8180');
    expect(toHex(encodeLength(255))).toBe('81ff');
    expect(toHex(encodeLength(256))).toBe('820100');
    expect(toHex(encodeLength(65535))).toBe('82ffff');
    expect(() => encodeLength(65536)).toThrow(TlvError);
    expect(() => encodeLength(-1)).toThrow(TlvError);
  });

  it('round-trips tags and values', () => {
    for (const tag of [0x53, 0x7c, 0x5fc101, 0x5f50]) {
      for (const len of [0, 1, 127, 128, 255, 256, 1000]) {
        const v = new Uint8Array(len).map((_, i) => i & 0xff);
        const t = parseSingleTlv(encodeTlv(tag, v));
        expect(t.tag).toBe(tag);
        expect(toHex(t.value)).toBe(toHex(v));
      }
    }
  });
});

describe('hostile input never escapes as an untyped error or an out-of-bounds read', () => {
  // Deterministic PRNG so a failure can be replayed.
  let seed = 0x12345678;
  const rnd = () => {
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    return (seed >>> 0) / 0x100000000;
  };
  const check = (buf: Uint8Array) => {
    try {
      const list = parseTlvList(buf);
      let at = 0;
      for (const t of list) {
        expect(t.start).toBe(at);
        expect(t.end).toBeLessThanOrEqual(buf.length);
        expect(t.value.byteOffset - buf.byteOffset + t.value.length).toBe(t.end);
        at = t.end;
        if (t.constructed) {
          try {
            childrenOf(t);
          } catch (e) {
            expect(e).toBeInstanceOf(TlvError);
          }
        }
      }
      expect(at).toBe(buf.length);
    } catch (e) {
      expect(e).toBeInstanceOf(TlvError);
    }
  };

  it('random buffers', () => {
    for (let i = 0; i < 5000; i++) {
      const buf = new Uint8Array(Math.floor(rnd() * 40)).map(() => Math.floor(rnd() * 256));
      check(buf);
    }
  });

  it('every truncation and every single-byte change of a real PIV object', () => {
    const object = encodeTlv(0x53, new Uint8Array([...encodeTlv(0x70, new Uint8Array(300).fill(0x30)), 0x71, 0x01, 0x00, 0xfe, 0x00]));
    for (let n = 0; n < object.length; n++) {
      expectTlvError(() => parseSingleTlv(object.subarray(0, n), 0x53), n === 0 ? 'empty' : n < 4 ? 'truncated-length' : 'truncated-value');
    }
    for (let i = 0; i < object.length; i += 7) {
      for (const v of [0x00, 0x80, 0x84, 0xff]) {
        const copy = object.slice();
        copy[i] = v;
        check(copy);
      }
    }
  });
});
