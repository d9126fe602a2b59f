// BER-TLV (ISO/IEC 7816-4 / X.690 subset) with strict bounds.
// Every read is checked against the buffer (or a given limit); any defect raises a TlvError
// (a CardFault with code 'bad-answer'). Nothing here recurses, so hostile nesting cannot blow the stack.

import { CardFault } from './fault';
import { toHex } from './bytes';

/** Largest value accepted: 64 KiB - 1 (what a 0x82 two-byte length can say). Anything longer is refused. */
export const MAX_TLV_VALUE_LENGTH = 0xffff;
/** Tags longer than this many bytes are refused (ISO 7816-4 uses at most 3). */
export const MAX_TAG_BYTES = 3;

export type TlvErrorKind =
  | 'empty' // nothing where a TLV was expected
  | 'bad-tag' // 00 / FF padding byte or a malformed multi-byte tag
  | 'tag-too-long'
  | 'truncated-tag'
  | 'truncated-length'
  | 'indefinite-length' // 0x80: not allowed in this profile
  | 'length-field-too-long' // 0x85..0xFF
  | 'too-large' // value longer than MAX_TLV_VALUE_LENGTH
  | 'truncated-value' // length says more than the buffer holds
  | 'trailing-data' // bytes after the expected TLV(s)
  | 'unexpected-tag'
  | 'missing-tag'
  | 'duplicate-tag'
  | 'not-constructed';

export class TlvError extends CardFault {
  readonly kind: TlvErrorKind;
  readonly offset: number;
  constructor(kind: TlvErrorKind, offset: number, detail: string) {
    super('bad-answer', `TLV ${kind} at ${offset}: ${detail}`);
    this.name = 'TlvError';
    this.kind = kind;
    this.offset = offset;
  }
}

export interface Tlv {
  /** Tag bytes as a number, e.g. 0x5FC101. */
  tag: number;
  /** Bit 6 of the first tag byte. */
  constructed: boolean;
  /** Offset of the first tag byte in the parsed buffer. */
  start: number;
  /** Offset just past the value. */
  end: number;
  /** The value (a view into the parsed buffer, not a copy). */
  value: Uint8Array;
}

export function tagHex(tag: number): string {
  return tag.toString(16).toUpperCase().padStart(2, '0');
}

/**
 * Reads one TLV starting at `offset`, never reading at or beyond `limit`
 * (defaults to the end of the buffer).
 */
export function readTlv(buf: Uint8Array, offset = 0, limit = buf.length): Tlv {
  if (!(buf instanceof Uint8Array)) throw new TlvError('empty', offset, 'not a byte array');
  const end = Math.min(limit, buf.length);
  if (!Number.isInteger(offset) || offset < 0 || offset >= end) throw new TlvError('empty', offset, 'no data');
  const start = offset;
  let i = offset;

  // Tag
  const first = buf[i++] as number;
  if (first === 0x00 || first === 0xff) throw new TlvError('bad-tag', start, `padding byte ${tagHex(first)} where a tag was expected`);
  let tag = first;
  if ((first & 0x1f) === 0x1f) {
    let count = 1;
    for (;;) {
      if (i >= end) throw new TlvError('truncated-tag', start, 'multi-byte tag runs past the end');
      const b = buf[i++] as number;
      count++;
      if (count > MAX_TAG_BYTES) throw new TlvError('tag-too-long', start, `tag longer than ${MAX_TAG_BYTES} bytes`);
      if (count === 2 && b === 0x80) throw new TlvError('bad-tag', start, 'multi-byte tag with leading 80');
      tag = tag * 256 + b;
      if ((b & 0x80) === 0) break;
    }
  }

  // Length
  if (i >= end) throw new TlvError('truncated-length', start, `tag ${tagHex(tag)} has no length`);
  const l0 = buf[i++] as number;
  let length: number;
  if (l0 < 0x80) {
    length = l0;
  } else if (l0 === 0x80) {
    throw new TlvError('indefinite-length', start, `tag ${tagHex(tag)} uses an indefinite length`);
  } else {
    const n = l0 & 0x7f;
    if (n > 4) throw new TlvError('length-field-too-long', start, `tag ${tagHex(tag)} length field of ${n} bytes`);
    if (i + n > end) throw new TlvError('truncated-length', start, `tag ${tagHex(tag)} length field runs past the end`);
    length = 0;
    for (let k = 0; k < n; k++) length = length * 256 + (buf[i++] as number);
  }
  if (length > MAX_TLV_VALUE_LENGTH) throw new TlvError('too-large', start, `tag ${tagHex(tag)} claims ${length} bytes`);
  if (i + length > end) {
    throw new TlvError('truncated-value', start, `tag ${tagHex(tag)} claims ${length} bytes, ${end - i} present`);
  }
  return { tag, constructed: (first & 0x20) !== 0, start, end: i + length, value: buf.subarray(i, i + length) };
}

/** Parses a buffer that must consist of TLVs end to end (an empty buffer gives []). */
export function parseTlvList(buf: Uint8Array, maxItems = 64): Tlv[] {
  if (!(buf instanceof Uint8Array)) throw new TlvError('empty', 0, 'not a byte array');
  const out: Tlv[] = [];
  let at = 0;
  while (at < buf.length) {
    if (out.length >= maxItems) throw new TlvError('trailing-data', at, `more than ${maxItems} items`);
    const tlv = readTlv(buf, at);
    out.push(tlv);
    at = tlv.end;
  }
  return out;
}

/** Parses a buffer that must be exactly one TLV, optionally with a given tag. */
export function parseSingleTlv(buf: Uint8Array, expectedTag?: number): Tlv {
  const tlv = readTlv(buf, 0);
  if (expectedTag !== undefined && tlv.tag !== expectedTag) {
    throw new TlvError('unexpected-tag', 0, `expected ${tagHex(expectedTag)}, got ${tagHex(tlv.tag)}`);
  }
  if (tlv.end !== buf.length) {
    throw new TlvError('trailing-data', tlv.end, `${buf.length - tlv.end} bytes after tag ${tagHex(tlv.tag)}`);
  }
  return tlv;
}

/** The TLVs inside a constructed TLV. */
export function childrenOf(tlv: Tlv, maxItems = 64): Tlv[] {
  if (!tlv.constructed) throw new TlvError('not-constructed', tlv.start, `tag ${tagHex(tlv.tag)} is primitive`);
  return parseTlvList(tlv.value, maxItems);
}

/**
 * Picks tags out of a TLV list: each allowed at most once, `required` ones must be there,
 * anything not in `allowed` is refused.
 */
export function pickTags(list: Tlv[], allowed: readonly number[], required: readonly number[] = []): Map<number, Tlv> {
  const out = new Map<number, Tlv>();
  for (const t of list) {
    if (!allowed.includes(t.tag)) throw new TlvError('unexpected-tag', t.start, `tag ${tagHex(t.tag)} not allowed here`);
    if (out.has(t.tag)) throw new TlvError('duplicate-tag', t.start, `tag ${tagHex(t.tag)} appears twice`);
    out.set(t.tag, t);
  }
  for (const r of required) {
    if (!out.has(r)) throw new TlvError('missing-tag', 0, `tag ${tagHex(r)} missing`);
  }
  return out;
}

export function encodeTag(tag: number): Uint8Array {
  if (!Number.isInteger(tag) || tag <= 0 || tag > 0xffffff) throw new TlvError('bad-tag', 0, `cannot encode tag ${String(tag)}`);
  if (tag <= 0xff) return Uint8Array.of(tag);
  if (tag <= 0xffff) return Uint8Array.of(tag >> 8, tag & 0xff);
  return Uint8Array.of(tag >> 16, (tag >> 8) & 0xff, tag & 0xff);
}

export function encodeLength(length: number): Uint8Array {
  if (!Number.isInteger(length) || length < 0 || length > MAX_TLV_VALUE_LENGTH) {
    throw new TlvError('too-large', 0, `cannot encode length ${String(length)}`);
  }
  if (length < 0x80) return Uint8Array.of(length);
  if (length <= 0xff) return Uint8Array.of(0x81, length);
  return Uint8Array.of(0x82, length >> 8, length & 0xff);
}

export function encodeTlv(tag: number, value: Uint8Array): Uint8Array {
  const t = encodeTag(tag);
  const l = encodeLength(value.length);
  const out = new Uint8Array(t.length + l.length + value.length);
  out.set(t, 0);
  out.set(l, t.length);
  out.set(value, t.length + l.length);
  return out;
}

/** Short description for logs (never the whole value). */
export function describeTlv(tlv: Tlv): string {
  return `${tagHex(tlv.tag)}[${tlv.value.length}] ${toHex(tlv.value.subarray(0, 8))}${tlv.value.length > 8 ? '…' : ''}`;
}
