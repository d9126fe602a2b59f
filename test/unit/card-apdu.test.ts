// APDU building, response parsing, 61xx / 6Cxx handling, status words (src/domain/card/apdu.ts).
import { describe, expect, it } from 'vitest';
import {
  ApduError,
  CardFault,
  chainCommand,
  encodeCommand,
  fromHex,
  parseResponse,
  statusFault,
  toHex,
  transceive,
  type CommandApdu,
} from '../../src/domain/card';

const h = (hex: string) => fromHex(hex) as Uint8Array;
const hex = (b: Uint8Array) => toHex(b, ' ').toUpperCase();

describe('encodeCommand', () => {
  const base = { cla: 0x00, ins: 0xa4, p1: 0x04, p2: 0x00 };
  it('short cases 1-4', () => {
    expect(hex(encodeCommand(base))).toBe('00 A4 04 00');
    expect(hex(encodeCommand({ ...base, ne: 256 }))).toBe('00 A4 04 00 00');
    expect(hex(encodeCommand({ ...base, ne: 16 }))).toBe('00 A4 04 00 10');
    expect(hex(encodeCommand({ ...base, data: h('A0 00') }))).toBe('00 A4 04 00 02 A0 00');
    expect(hex(encodeCommand({ ...base, data: h('A0 00'), ne: 256 }))).toBe('00 A4 04 00 02 A0 00 00');
  });

  it('extended cases when needed or asked for', () => {
    expect(hex(encodeCommand({ ...base, ne: 65536 }))).toBe('00 A4 04 00 00 00 00');
    expect(hex(encodeCommand({ ...base, ne: 300 }))).toBe('00 A4 04 00 00 01 2C');
    const data = new Uint8Array(300);
    const e3 = encodeCommand({ ...base, data });
    expect(hex(e3.subarray(0, 7))).toBe('00 A4 04 00 00 01 2C');
    expect(e3.length).toBe(7 + 300);
    const e4 = encodeCommand({ ...base, data, ne: 65536 });
    expect(hex(e4.subarray(e4.length - 2))).toBe('00 00');
    expect(e4.length).toBe(7 + 300 + 2);
    expect(hex(encodeCommand({ ...base, data: h('01'), ne: 1 }, { extended: 'always' }))).toBe('00 A4 04 00 00 00 01 01 00 01');
  });

  it('refuses invalid commands with a typed error', () => {
    const bad: CommandApdu[] = [
      { ...base, cla: 0xff },
      { ...base, ins: 0x61 },
      { ...base, ins: 0x90 },
      { ...base, p1: 256 },
      { ...base, p2: -1 },
      { ...base, ne: 65537 },
      { ...base, ne: 1.5 },
      { ...base, data: new Uint8Array(65536) },
    ];
    for (const cmd of bad) expect(() => encodeCommand(cmd)).toThrow(ApduError);
    expect(() => encodeCommand({ ...base, data: new Uint8Array(256) }, { extended: 'never' })).toThrow(ApduError);
  });
});

describe('chainCommand', () => {
  it('splits long data with the chaining bit on all but the last part', () => {
    const data = new Uint8Array(600).map((_, i) => i & 0xff);
    const parts = chainCommand({ cla: 0x00, ins: 0xdb, p1: 0x3f, p2: 0xff, data, ne: 256 });
    expect(parts.map((p) => [p.cla, p.data?.length, p.ne])).toEqual([
      [0x10, 255, undefined],
      [0x10, 255, undefined],
      [0x00, 90, 256],
    ]);
    expect(chainCommand({ cla: 0, ins: 0xdb, p1: 0, p2: 0, data: new Uint8Array(255) })).toHaveLength(1);
  });
});

describe('parseResponse', () => {
  it('splits data and status word', () => {
    const r = parseResponse(h('01 02 90 00'));
    expect(hex(r.data)).toBe('01 02');
    expect(r.sw).toBe(0x9000);
    expect(parseResponse(h('6A 82')).sw).toBe(0x6a82);
  });

  it('refuses short, non-byte and impossible answers', () => {
    for (const raw of [h(''), h('90'), 'hello', undefined, null, [0x90, 0x00], h('12 34'), h('00 00'), h('60 00'), h('A0 00')]) {
      let error: unknown;
      try {
        parseResponse(raw);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(ApduError);
      expect((error as ApduError).code).toBe('bad-answer');
    }
  });
});

/** A fake card driven by a script of answers; records the commands. */
function scripted(answers: string[]) {
  const sent: string[] = [];
  let i = 0;
  const transmit = async (apdu: Uint8Array) => {
    sent.push(hex(apdu));
    const a = answers[Math.min(i++, answers.length - 1)] as string;
    return h(a);
  };
  return { transmit, sent };
}

describe('transceive', () => {
  const cmd: CommandApdu = { cla: 0x00, ins: 0xcb, p1: 0x3f, p2: 0xff, data: h('5C 03 5F C1 01'), ne: 256 };

  it('gathers 61xx answers with GET RESPONSE', async () => {
    const { transmit, sent } = scripted(['AA BB 61 00', 'CC 61 02', 'DD EE 90 00']);
    const r = await transceive(transmit, cmd);
    expect(hex(r.data)).toBe('AA BB CC DD EE');
    expect(r.sw).toBe(0x9000);
    expect(sent.slice(1)).toEqual(['00 C0 00 00 00', '00 C0 00 00 02']);
  });

  it('re-sends with the Le the card asks for (6Cxx)', async () => {
    const { transmit, sent } = scripted(['6C 10', '01 02 90 00']);
    const r = await transceive(transmit, cmd);
    expect(hex(r.data)).toBe('01 02');
    expect(sent[1]?.endsWith(' 10')).toBe(true);
  });

  it('stops a card that keeps asking for the same Le', async () => {
    const { transmit } = scripted(['6C 10']);
    await expect(transceive(transmit, cmd)).rejects.toBeInstanceOf(ApduError);
  });

  it('stops an endless 61xx chain by rounds and by bytes', async () => {
    const endless = scripted([`${'00 '.repeat(10)}61 00`]);
    await expect(transceive(endless.transmit, cmd, { maxRounds: 50, maxResponseBytes: 1e6 })).rejects.toMatchObject({ kind: 'too-many-rounds' });
    expect(endless.sent.length).toBeLessThanOrEqual(52);
    const big = scripted([`${'00 '.repeat(256)}61 00`]);
    await expect(transceive(big.transmit, cmd, { maxResponseBytes: 1024 })).rejects.toMatchObject({ kind: 'oversized', code: 'bad-answer' });
    expect(big.sent.length).toBeLessThanOrEqual(5);
  });

  it('sends chained commands and stops at the first refusal', async () => {
    const ok = scripted(['90 00', '90 00', '01 90 00']);
    const long: CommandApdu = { cla: 0, ins: 0xdb, p1: 0x3f, p2: 0xff, data: new Uint8Array(600), ne: 256 };
    expect((await transceive(ok.transmit, long)).sw).toBe(0x9000);
    expect(ok.sent.map((s) => s.slice(0, 2))).toEqual(['10', '10', '00']);
    const refused = scripted(['68 84']);
    await expect(transceive(refused.transmit, long)).rejects.toMatchObject({ kind: 'chaining-refused' });
    const error = scripted(['6A 80']);
    expect((await transceive(error.transmit, long)).sw).toBe(0x6a80);
  });

  it('lets errors of the transmit function itself through untouched', async () => {
    class Gone extends Error {}
    await expect(transceive(() => Promise.reject(new Gone('gone')), cmd)).rejects.toBeInstanceOf(Gone);
  });
});

describe('statusFault', () => {
  it('maps status words to codes and Japanese messages', () => {
    expect(statusFault(0x6a82, 'x')).toMatchObject({ code: 'not-supported', userMessage: 'このカードは職員用ICカードとして使えません。' });
    expect(statusFault(0x6d00, 'x').code).toBe('not-supported');
    expect(statusFault(0x6982, 'x')).toMatchObject({ code: 'status', userMessage: 'このカードは職員用ICカードとして使えません。' });
    expect(statusFault(0x6983, 'x').userMessage).toMatch(/ロック/);
    expect(statusFault(0x6f00, 'x')).toMatchObject({ code: 'status', userMessage: 'カードを読み取れませんでした。カードを差し直してください。' });
    expect(statusFault(0x6283, 'GET DATA')).toBeInstanceOf(CardFault);
    expect(statusFault(0x6283, 'GET DATA').message).toContain('6283');
  });
});
