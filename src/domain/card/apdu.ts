// ISO/IEC 7816-4 command / response APDUs (pure).
// Short APDUs by default, extended ones on request, command chaining for long data,
// 61xx (GET RESPONSE) and 6Cxx (wrong Le) handling with hard caps on rounds and bytes.

import { CardFault, CARD_MESSAGES } from './fault';
import { concatBytes, swHex, toHex } from './bytes';

/** Sends one command APDU and resolves with the raw response APDU (data + SW1 SW2). */
export type Transmit = (apdu: Uint8Array) => Promise<Uint8Array>;

export interface CommandApdu {
  cla: number;
  ins: number;
  p1: number;
  p2: number;
  /** Command data (Nc = data.length). */
  data?: Uint8Array;
  /** Expected response length Ne: 0/undefined = none, 1..256 short, up to 65536 extended (256 → Le 00). */
  ne?: number;
}

export interface ResponseApdu {
  data: Uint8Array;
  sw: number;
  sw1: number;
  sw2: number;
}

export const SW_OK = 0x9000;
export const INS_GET_RESPONSE = 0xc0;
export const CLA_CHAINING = 0x10;

export type ApduErrorKind = 'invalid-command' | 'short-response' | 'not-bytes' | 'invalid-status' | 'oversized' | 'too-many-rounds' | 'chaining-refused';

export class ApduError extends CardFault {
  readonly kind: ApduErrorKind;
  constructor(kind: ApduErrorKind, detail: string, sw?: number) {
    super('bad-answer', `APDU ${kind}: ${detail}`, { sw });
    this.name = 'ApduError';
    this.kind = kind;
  }
}

function isByte(n: unknown): n is number {
  return typeof n === 'number' && Number.isInteger(n) && n >= 0 && n <= 0xff;
}

export interface EncodeOptions {
  /** 'auto' (default) uses the extended form only when Nc > 255 or Ne > 256; 'never' refuses such commands. */
  extended?: 'auto' | 'never' | 'always';
}

/** Encodes one command APDU (cases 1, 2, 3, 4 in short or extended form). */
export function encodeCommand(cmd: CommandApdu, options: EncodeOptions = {}): Uint8Array {
  const { cla, ins, p1, p2 } = cmd;
  if (!isByte(cla) || !isByte(ins) || !isByte(p1) || !isByte(p2)) throw new ApduError('invalid-command', 'header bytes out of range');
  if (cla === 0xff) throw new ApduError('invalid-command', 'CLA FF is reserved');
  if ((ins & 0xf0) === 0x60 || (ins & 0xf0) === 0x90) throw new ApduError('invalid-command', `INS ${ins.toString(16)} is invalid`);
  const data = cmd.data ?? new Uint8Array(0);
  if (!(data instanceof Uint8Array)) throw new ApduError('invalid-command', 'data is not bytes');
  const nc = data.length;
  const ne = cmd.ne ?? 0;
  if (!Number.isInteger(ne) || ne < 0 || ne > 65536) throw new ApduError('invalid-command', `Ne ${String(ne)} out of range`);
  if (nc > 65535) throw new ApduError('invalid-command', `Nc ${nc} out of range`);
  const mode = options.extended ?? 'auto';
  const needExtended = nc > 255 || ne > 256;
  if (needExtended && mode === 'never') throw new ApduError('invalid-command', `Nc ${nc} / Ne ${ne} need an extended APDU`);
  const extended = mode === 'always' || needExtended;
  const header = Uint8Array.of(cla, ins, p1, p2);

  if (!extended) {
    const lc = nc > 0 ? Uint8Array.of(nc) : new Uint8Array(0);
    const le = ne > 0 ? Uint8Array.of(ne === 256 ? 0 : ne) : new Uint8Array(0);
    return concatBytes(header, lc, data, le);
  }
  // Extended: a single 00 marker, then 2-byte Lc and/or 2-byte Le.
  const parts: Uint8Array[] = [header];
  if (nc > 0) parts.push(Uint8Array.of(0x00, nc >> 8, nc & 0xff), data);
  if (ne > 0) {
    const v = ne === 65536 ? 0 : ne;
    parts.push(nc > 0 ? Uint8Array.of(v >> 8, v & 0xff) : Uint8Array.of(0x00, v >> 8, v & 0xff));
  }
  if (nc === 0 && ne === 0) return header;
  return concatBytes(...parts);
}

/** Splits a command whose data does not fit one short APDU into a chain (CLA bit 0x10 on all but the last). */
export function chainCommand(cmd: CommandApdu, maxChunk = 255): CommandApdu[] {
  const data = cmd.data ?? new Uint8Array(0);
  if (!Number.isInteger(maxChunk) || maxChunk < 1 || maxChunk > 255) throw new ApduError('invalid-command', 'bad chunk size');
  if (data.length <= maxChunk) return [cmd];
  if ((cmd.cla & CLA_CHAINING) !== 0) throw new ApduError('invalid-command', 'command already chained');
  const out: CommandApdu[] = [];
  for (let at = 0; at < data.length; at += maxChunk) {
    const last = at + maxChunk >= data.length;
    const chunk = data.subarray(at, Math.min(at + maxChunk, data.length));
    out.push(last ? { ...cmd, data: chunk } : { cla: cmd.cla | CLA_CHAINING, ins: cmd.ins, p1: cmd.p1, p2: cmd.p2, data: chunk });
  }
  return out;
}

/** Splits a raw response APDU into data and status word. */
export function parseResponse(raw: unknown): ResponseApdu {
  if (!(raw instanceof Uint8Array)) throw new ApduError('not-bytes', 'the reader returned something that is not bytes');
  if (raw.length < 2) throw new ApduError('short-response', `response of ${raw.length} byte(s): no status word`);
  const sw1 = raw[raw.length - 2] as number;
  const sw2 = raw[raw.length - 1] as number;
  // ISO 7816-4: SW1 is always 6X or 9X (60 itself is a T=0 procedure byte, never a status).
  if (!((sw1 >= 0x61 && sw1 <= 0x6f) || (sw1 & 0xf0) === 0x90)) {
    throw new ApduError('invalid-status', `status word ${swHex((sw1 << 8) | sw2)} is not a valid status`, (sw1 << 8) | sw2);
  }
  return { data: raw.subarray(0, raw.length - 2), sw: (sw1 << 8) | sw2, sw1, sw2 };
}

export interface TransceiveOptions extends EncodeOptions {
  /** Cap on the total response data gathered through GET RESPONSE (default 65536). */
  maxResponseBytes?: number;
  /** Cap on the number of GET RESPONSE / re-send rounds (default 300). */
  maxRounds?: number;
}

/**
 * Sends a command (chained if needed) and gathers the whole answer:
 * 61xx → GET RESPONSE until done, 6Cxx → re-send once with the right Le.
 * Resolves with the final status word (the caller decides whether it is acceptable);
 * rejects with an ApduError on malformed, endless or oversized answers.
 * Errors thrown by `transmit` itself pass through untouched.
 */
export async function transceive(transmit: Transmit, cmd: CommandApdu, options: TransceiveOptions = {}): Promise<ResponseApdu> {
  const maxBytes = options.maxResponseBytes ?? 65536;
  const maxRounds = options.maxRounds ?? 300;
  const send = async (c: CommandApdu): Promise<ResponseApdu> => parseResponse(await transmit(encodeCommand(c, options)));

  const mode = options.extended ?? 'auto';
  const parts = mode === 'never' || mode === 'auto' ? chainCommand(cmd) : [cmd];
  for (const part of parts.slice(0, -1)) {
    const r = await send(part);
    if (r.sw !== SW_OK) {
      if (r.sw === 0x6884) throw new ApduError('chaining-refused', 'card does not support command chaining', r.sw);
      return r;
    }
  }
  let current = parts[parts.length - 1] as CommandApdu;
  let r = await send(current);
  let rounds = 0;
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    if (++rounds > maxRounds) throw new ApduError('too-many-rounds', `more than ${maxRounds} rounds`, r.sw);
    if (r.sw1 === 0x6c) {
      // Wrong Le: send the same command again with the Le the card asked for (once per command).
      if (current.ne === (r.sw2 === 0 ? 256 : r.sw2)) throw new ApduError('too-many-rounds', 'card keeps asking for the same Le', r.sw);
      current = { ...current, ne: r.sw2 === 0 ? 256 : r.sw2 };
      r = await send(current);
      continue;
    }
    total += r.data.length;
    if (total > maxBytes) throw new ApduError('oversized', `answer longer than ${maxBytes} bytes`, r.sw);
    chunks.push(r.data);
    if (r.sw1 !== 0x61) break;
    current = { cla: cmd.cla & ~CLA_CHAINING & 0xff, ins: INS_GET_RESPONSE, p1: 0, p2: 0, ne: r.sw2 === 0 ? 256 : r.sw2 };
    r = await send(current);
  }
  return { data: chunks.length === 1 ? (chunks[0] as Uint8Array) : concatBytes(...chunks), sw: r.sw, sw1: r.sw1, sw2: r.sw2 };
}

/** What a status word means for the counter staff. `during` names the step for the log. */
export function statusFault(sw: number, during: string): CardFault {
  const detail = `${during}: status ${swHex(sw)}`;
  switch (sw) {
    case 0x6a82: // file or application not found
    case 0x6a81: // function not supported
    case 0x6a88: // referenced data not found
    case 0x6d00: // INS not supported
    case 0x6e00: // CLA not supported
    case 0x6a86: // wrong P1-P2 (e.g. unknown key reference / algorithm)
      return new CardFault('not-supported', detail, { sw, userMessage: CARD_MESSAGES.notStaffCard });
    case 0x6982: // security status not satisfied: the key needs a PIN → not a staff card
    case 0x6985: // conditions of use not satisfied
      return new CardFault('status', detail, { sw, userMessage: CARD_MESSAGES.notStaffCard });
    case 0x6983: // authentication method blocked
    case 0x6984:
      return new CardFault('status', detail, { sw, userMessage: CARD_MESSAGES.locked });
    default:
      // 62xx/63xx warnings, 64xx/65xx execution errors, 67/6A80/6F00 …: the answer cannot be trusted.
      return new CardFault('status', detail, { sw, userMessage: CARD_MESSAGES.unreadable });
  }
}

/** Throws the matching CardFault unless the status word is 9000. */
export function expectOk(r: ResponseApdu, during: string): Uint8Array {
  if (r.sw !== SW_OK) throw statusFault(r.sw, during);
  return r.data;
}

/** For logs: the first bytes of an APDU in hex. */
export function describeApdu(bytes: Uint8Array, max = 16): string {
  return toHex(bytes.subarray(0, max), ' ') + (bytes.length > max ? ` … (${bytes.length} bytes)` : '');
}
