// The fast reading of POST /api/v1/log-batches: one pass over the request body's bytes for the form
// terminals send (src/shared/log-api.ts, wireRecordJson) —
//
//   {"batchId":"<uuid>","records":[{"hash":"<64 hex>",<the record's canonical encoding after its '{'>},…]}
//
// i.e. each record is its canonical encoding (src/domain/log/log-record.ts) with "hash" written
// first; the same JSON object as any other key order. For such a body the canonical encodings are
// already in the body: they are hashed where they lie and compacted in place for storage, and no
// JavaScript object is built per record (the JSON parse, the schema check and the re-encoding were
// most of the ingest's time).
//
// It decides only the batch it can fully vouch for, and answers null for anything else — another
// key order or spacing, an escape sequence in a string, a number not in its canonical spelling,
// text that is not NFC or not valid UTF-8, a record of another terminal, a gap, a broken link, a
// wrong hash, anything the contract refuses. Those bodies take the general path (the JSON parser,
// checkLogBatch, the refusals with their integrity alerts), so every answer other than "stored /
// acknowledged" comes from there, unchanged.
//
// What it accepts is accepted by the contract: each field is checked against the pinned contract
// (IMPLEMENTED_CONTRACT in ./log-batch-schema: the same LIMIT, the PATTERN character classes written
// out as byte tables below, `at` and the batch id with the patterns themselves), the record's key set
// is exactly the contract's, and a string holds no '"', '\' or control character, so it is the JSON
// text of itself. test/unit/server-log-batch-scan.test.ts feeds the same mutated bodies to this
// reading and to JSON.parse + zod (LogBatchRequestSchema) and requires: whatever this accepts, zod
// accepts, with the same records, the same canonical encodings and a chain that verifies.
import { hash } from 'node:crypto';
import { GENESIS_HASH } from '../../domain/log/log-record';
import { eventTimeMs } from '../store/log-records';
import { FAST_CHECK_MATCHES_CONTRACT, LIMIT, MAX_DETAIL_FIELDS, PATTERN } from './log-batch-schema';
import type { IngestBatch } from './log-ingest';
import { CanonicalBatch } from './log-record-hash';

// Byte classes (ASCII): what the contract's patterns admit, one table per field.
function table(chars: string): Uint8Array {
  const t = new Uint8Array(256);
  for (const c of chars) t[c.charCodeAt(0)] = 1;
  return t;
}
const range = (from: string, to: string): string => Array.from({ length: to.charCodeAt(0) - from.charCodeAt(0) + 1 }, (_, i) => String.fromCharCode(from.charCodeAt(0) + i)).join('');
const DIGITS = range('0', '9');
const LOWER = range('a', 'z');
const UPPER = range('A', 'Z');
/** PATTERN.hash: [0-9a-f]. */
const HEX = table(DIGITS + range('a', 'f'));
/** PATTERN.type: [a-z] then [a-z0-9-] segments separated by single dots. */
const TYPE_START = table(LOWER);
const TYPE_CHAR = table(LOWER + DIGITS + '-');
/** PATTERN.detailKey: [A-Za-z] then [A-Za-z0-9_]. */
const KEY_START = table(UPPER + LOWER);
const KEY_CHAR = table(UPPER + LOWER + DIGITS + '_');
/** What a JSON number may be made of (the spelling is then checked exactly). */
const NUMBER_CHAR = table(DIGITS + '-+.e');

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const DOT = 0x2e;
const MINUS = 0x2d;
const ZERO = 0x30;
const NINE = 0x39;
const BRACE_OPEN = 0x7b;
const BRACE_CLOSE = 0x7d;
const BRACKET_CLOSE = 0x5d;

const ascii = (text: string): Uint8Array => Buffer.from(text, 'latin1');
/** b[from..to) as a string of one character per byte (Buffer's own latin1Slice, without toString's checks). */
const latin1 = (b: Buffer, from: number, to: number): string => (b as Buffer & { latin1Slice(from: number, to: number): string }).latin1Slice(from, to);
const BODY_HEAD = ascii('{"batchId":"');
const BODY_RECORDS = ascii('","records":[');
const R_HASH = ascii('{"hash":"');
const R_AT = ascii('","at":"');
const R_CARD = ascii(',"cardKeyId":');
const R_CLOCK = ascii(',"clockOffsetMs":');
const R_DETAIL = ascii(',"detail":{');
const R_OPERATOR = ascii(',"operatorId":');
const R_OUTCOME = ascii(',"outcome":"');
const R_PREV = ascii('","prevHash":"');
const R_SEQ = ascii('","seq":');
const R_TERMINAL = ascii(',"terminalId":"');
const R_TYPE = ascii('","type":"');
const NULL = ascii('null');
const TRUE = ascii('true');
const FALSE = ascii('false');
const OUTCOMES = [ascii('success"'), ascii('failure"'), ascii('info"')];
/** Offset of the canonical encoding's first field in a record: after `{"hash":"<64>",`. */
const AFTER_HASH = 75;
const UUID_LENGTH = 36;

/** Whether b[at..] starts with `literal`. */
function has(b: Uint8Array, at: number, literal: Uint8Array): boolean {
  if (at + literal.length > b.length) return false;
  for (let i = 0; i < literal.length; i++) if (b[at + i] !== literal[i]) return false;
  return true;
}

/** Whether b[at..at+64) are 64 lower-case hex digits. */
function isHex64(b: Uint8Array, at: number): boolean {
  if (at + 64 > b.length) return false;
  for (let i = at; i < at + 64; i++) if (HEX[b[i]!] !== 1) return false;
  return true;
}

/** Whether b[x..x+64) equals b[y..y+64). */
function same64(b: Uint8Array, x: number, y: number): boolean {
  for (let i = 0; i < 64; i++) if (b[x + i] !== b[y + i]) return false;
  return true;
}

/**
 * The end (the closing quote) of a JSON string's content starting at `from`, when it holds no '\'
 * and no control character and at most `maxBytes` bytes; else -1. Bit 31 of `flags[0]` is set when a
 * byte ≥ 0x80 occurs (the content is then UTF-8 to be checked).
 */
function plainEnd(b: Uint8Array, from: number, maxBytes: number, flags: Uint8Array): number {
  const limit = Math.min(b.length, from + maxBytes + 1);
  let high = 0;
  for (let i = from; i < limit; i++) {
    const c = b[i]!;
    if (c === QUOTE) {
      flags[0] = high;
      return i;
    }
    if (c < 0x20 || c === BACKSLASH) return -1;
    high |= c & 0x80;
  }
  return -1;
}

/**
 * The value of a string's content b[from..to) that is non-ASCII UTF-8, when the canonical encoding
 * keeps it as it is: valid UTF-8, NFC, at most `max` code points. Else null.
 */
function utf8Text(b: Buffer, from: number, to: number, max: number): string | null {
  const text = b.toString('utf8', from, to);
  // U+FFFD: invalid UTF-8 (or the character itself) — left to the general path.
  if (text.includes('\ufffd') || text.normalize('NFC') !== text) return null;
  let points = text.length;
  if (points > max) {
    for (let i = 0; i < text.length; i++) if ((text.charCodeAt(i) & 0xfc00) === 0xdc00) points--;
  }
  return points <= max ? text : null;
}

/** How many accepted detail texts scan remembers (from, to pairs). */
const TEXT_MEMO = 16;

/**
 * Whether b[from..to) is byte for byte one of the texts remembered in `texts` (from, to pairs of
 * earlier strings of this body that passed utf8Text with the detail limit): the same bytes decode to
 * the same text, so it passes too.
 */
function seenText(b: Uint8Array, texts: Int32Array, from: number, to: number): boolean {
  const length = to - from;
  for (let k = 0; k < texts.length; k += 2) {
    const at = texts[k]!;
    if (at < 0 || texts[k + 1]! - at !== length) continue;
    let i = 0;
    while (i < length && b[at + i] === b[from + i]) i++;
    if (i === length) return true;
  }
  return false;
}

/** Where the last integerAt ended. */
let integerEnd = 0;

/**
 * A canonical integer (no leading zero, no "-0") of at most `maxDigits` digits at b[from..], or NaN;
 * its end is left in integerEnd.
 */
function integerAt(b: Uint8Array, from: number, maxDigits: number, signed: boolean): number {
  let i = from;
  const negative = signed && b[i] === MINUS;
  if (negative) i++;
  const first = b[i];
  if (first === undefined || first < ZERO || first > NINE) return Number.NaN;
  if (first === ZERO) {
    integerEnd = i + 1;
    return negative ? Number.NaN : 0;
  }
  let value = 0;
  const start = i;
  while (i < b.length && b[i]! >= ZERO && b[i]! <= NINE) value = value * 10 + (b[i++]! - ZERO);
  if (i - start > maxDigits) return Number.NaN;
  integerEnd = i;
  return negative ? -value : value;
}

/**
 * The event time in ms (eventTimeMs) of `at` — a string the body holds between quotes, ASCII — when
 * it matches PATTERN.at with at most LIMIT.atMax characters; else NaN. `memo` keeps the date part
 * ("YYYY-MM-DDT") of the last one that matched, and its time at 00:00 UTC: the pattern is a date
 * part and a time part side by side, so for the common form "YYYY-MM-DDTHH:MM:SS.sssZ" with a date
 * already matched only the time part is left, checked here as the pattern's time part checks it.
 */
function atTimeMs(at: string, memo: { date: string; dayMs: number }): number {
  if (at.length === 24 && memo.date !== '' && at.startsWith(memo.date)) {
    const h = at.charCodeAt(11);
    if (
      (h === 0x30 || h === 0x31 || (h === 0x32 && at.charCodeAt(12) <= 0x33)) &&
      isDigit(at.charCodeAt(12)) &&
      at.charCodeAt(13) === 0x3a &&
      isSexagesimalTens(at.charCodeAt(14)) &&
      isDigit(at.charCodeAt(15)) &&
      at.charCodeAt(16) === 0x3a &&
      isSexagesimalTens(at.charCodeAt(17)) &&
      isDigit(at.charCodeAt(18)) &&
      at.charCodeAt(19) === DOT &&
      isDigit(at.charCodeAt(20)) &&
      isDigit(at.charCodeAt(21)) &&
      isDigit(at.charCodeAt(22)) &&
      at.charCodeAt(23) === 0x5a /* Z */
    ) {
      return memo.dayMs + twoDigits(at, 11) * 3_600_000 + twoDigits(at, 14) * 60_000 + twoDigits(at, 17) * 1000 + (at.charCodeAt(20) - ZERO) * 100 + twoDigits(at, 21);
    }
  }
  if (at.length > LIMIT.atMax || !PATTERN.at.test(at)) return Number.NaN;
  const ms = eventTimeMs(at);
  // Remember the date (when its day starts at a whole day in ms: years ≥ 100, which eventTimeMs computes directly too).
  if (at.length === 24 && at.charCodeAt(23) === 0x5a && at.charCodeAt(19) === DOT && !at.startsWith('00')) {
    memo.date = at.slice(0, 11);
    memo.dayMs = ms - (ms % 86_400_000 + 86_400_000) % 86_400_000;
  }
  return ms;
}

function twoDigits(text: string, at: number): number {
  return (text.charCodeAt(at) - ZERO) * 10 + text.charCodeAt(at + 1) - ZERO;
}

function isDigit(c: number): boolean {
  return c >= ZERO && c <= NINE;
}

/** [0-5] */
function isSexagesimalTens(c: number): boolean {
  return c >= ZERO && c <= 0x35;
}

/** Byte order of b[x..xEnd) and b[y..yEnd) (negative, 0, positive): for ASCII, the order of the strings. */
function compareBytes(b: Uint8Array, x: number, xEnd: number, y: number, yEnd: number): number {
  const length = Math.min(xEnd - x, yEnd - y);
  for (let i = 0; i < length; i++) {
    const d = b[x + i]! - b[y + i]!;
    if (d !== 0) return d;
  }
  return xEnd - x - (yEnd - y);
}

/** A batch read by scanLogBatch: every record checked, chained and hashed; nothing refused. */
export class ScannedLogBatch implements IngestBatch {
  readonly foreign = null;
  readonly internal = null;
  constructor(
    readonly batchId: string,
    readonly seqs: number[],
    readonly hashes: string[],
    readonly firstPrevHash: string,
    readonly canonical: CanonicalBatch,
    readonly atMs: number[],
    readonly types: string[],
    readonly operatorIds: (string | null)[],
  ) {}
}

/**
 * Reads a request body of the wire form for `terminalId`. Returns the batch when every record is
 * valid, of this terminal, consecutive, linked and rightly hashed; null when the body must take the
 * general path (see the top of this file).
 */
export function scanLogBatch(body: Buffer, terminalId: string): ScannedLogBatch | null {
  if (!FAST_CHECK_MATCHES_CONTRACT || !PATTERN.terminalId.test(terminalId)) return null;
  const braces: number[] = [];
  const recordEnds: number[] = [];
  const scanned = scan(body, terminalId, braces, recordEnds);
  if (!scanned) {
    // Hashing changed one byte per record in place (see scan): the general path gets the body as it came.
    for (const at of braces) body[at] = COMMA;
    return null;
  }
  // The canonical encodings, compacted to the start of the body: comma-separated, as CanonicalBatch lays them out.
  const starts: number[] = new Array<number>(braces.length);
  const ends: number[] = new Array<number>(braces.length);
  let to = 0;
  for (let i = 0; i < braces.length; i++) {
    if (i > 0) body[to++] = COMMA;
    const from = braces[i]!;
    body.copyWithin(to, from, recordEnds[i]);
    starts[i] = to;
    to += recordEnds[i]! - from;
    ends[i] = to;
  }
  return new ScannedLogBatch(scanned.batchId, scanned.seqs, scanned.hashes, scanned.firstPrevHash, CanonicalBatch.over(body, starts, ends), scanned.atMs, scanned.types, scanned.operatorIds);
}

interface ScanResult {
  batchId: string;
  seqs: number[];
  hashes: string[];
  firstPrevHash: string;
  atMs: number[];
  types: string[];
  operatorIds: (string | null)[];
}

/**
 * scanLogBatch's pass over the body. Each record's canonical encoding is hashed where it lies: the
 * comma in front of its first field (after the hash) is made its opening brace, and that position is
 * noted in `braces` (with the record's end in `recordEnds`) — for the compaction, or to be put back.
 */
function scan(b: Buffer, terminalId: string, braces: number[], recordEnds: number[]): ScanResult | null {
  const n = b.length;
  if (!has(b, 0, BODY_HEAD) || !has(b, BODY_HEAD.length + UUID_LENGTH, BODY_RECORDS)) return null;
  const batchId = latin1(b, BODY_HEAD.length, BODY_HEAD.length + UUID_LENGTH);
  if (!PATTERN.batchId.test(batchId)) return null;
  const terminal = ascii(terminalId);
  const seqs: number[] = [];
  const hashes: string[] = [];
  const atMs: number[] = [];
  const types: string[] = [];
  const operatorIds: (string | null)[] = [];
  const flags = new Uint8Array(1);
  const memo = { date: '', dayMs: 0 };
  // Where the last non-ASCII detail texts that passed utf8Text lie (from, to pairs; -1: none).
  const texts = new Int32Array(TEXT_MEMO).fill(-1);
  let textsNext = 0;
  let firstPrevHash = GENESIS_HASH;
  let previousHashAt = -1;
  let lastOperator: { from: number; to: number; value: string } | null = null;
  let p = BODY_HEAD.length + UUID_LENGTH + BODY_RECORDS.length;
  for (;;) {
    if (seqs.length >= LIMIT.recordsMax) return null;
    const recordStart = p;
    // {"hash":"<64 bytes>" (hex if they equal the hash computed below),"at":"<time>"
    if (!has(b, p, R_HASH)) return null;
    const hashAt = p + R_HASH.length;
    p = hashAt + 64;
    if (!has(b, p, R_AT)) return null;
    p += R_AT.length;
    const atEnd = plainEnd(b, p, LIMIT.atMax, flags);
    if (atEnd < 0 || flags[0] !== 0) return null;
    const atTime = atTimeMs(latin1(b, p, atEnd), memo);
    if (Number.isNaN(atTime)) return null;
    p = atEnd + 1;
    // ,"cardKeyId":null | "<hex>"
    if (!has(b, p, R_CARD)) return null;
    p += R_CARD.length;
    if (b[p] === QUOTE) {
      if (!isHex64(b, p + 1) || b[p + 65] !== QUOTE) return null;
      p += 66;
    } else if (has(b, p, NULL)) p += 4;
    else return null;
    // ,"clockOffsetMs":<integer>
    if (!has(b, p, R_CLOCK)) return null;
    const clock = integerAt(b, p + R_CLOCK.length, 15, true);
    if (!(clock >= LIMIT.clockMin && clock <= LIMIT.clockMax)) return null;
    p = integerEnd;
    // ,"detail":{ fields in strictly ascending key order (as the canonical encoding sorts them) }
    if (!has(b, p, R_DETAIL)) return null;
    p += R_DETAIL.length;
    if (b[p] === BRACE_CLOSE) p++;
    else {
      let fields = 0;
      let previousKey = -1;
      let previousKeyEnd = -1;
      for (;;) {
        if (b[p] !== QUOTE || KEY_START[b[p + 1]!] !== 1) return null;
        const key = p + 1;
        let keyEnd = key + 1;
        while (keyEnd < n && KEY_CHAR[b[keyEnd]!] === 1) keyEnd++;
        if (keyEnd - key > 40 || b[keyEnd] !== QUOTE || b[keyEnd + 1] !== 0x3a) return null;
        if (previousKey >= 0 && compareBytes(b, previousKey, previousKeyEnd, key, keyEnd) >= 0) return null;
        previousKey = key;
        previousKeyEnd = keyEnd;
        if (++fields > MAX_DETAIL_FIELDS) return null;
        p = keyEnd + 2;
        const c = b[p];
        if (c === QUOTE) {
          const end = plainEnd(b, p + 1, LIMIT.detailStringMax * 4, flags);
          if (end < 0) return null;
          if (flags[0] === 0) {
            if (end - p - 1 > LIMIT.detailStringMax) return null;
          } else if (!seenText(b, texts, p + 1, end)) {
            // Non-ASCII: decoded and checked once per distinct text of the batch (purposes repeat).
            if (utf8Text(b, p + 1, end, LIMIT.detailStringMax) === null) return null;
            texts[textsNext] = p + 1;
            texts[textsNext + 1] = end;
            textsNext = (textsNext + 2) % TEXT_MEMO;
          }
          p = end + 1;
        } else if (has(b, p, NULL)) p += 4;
        else if (has(b, p, TRUE)) p += 4;
        else if (has(b, p, FALSE)) p += 5;
        else {
          let end = p;
          while (end < n && NUMBER_CHAR[b[end]!] === 1) end++;
          if (end === p) return null;
          const spelled = latin1(b, p, end);
          const value = Number(spelled);
          if (!Number.isFinite(value) || String(value) !== spelled) return null;
          p = end;
        }
        if (b[p] === BRACE_CLOSE) {
          p++;
          break;
        }
        if (b[p] !== COMMA) return null;
        p++;
      }
    }
    // ,"operatorId":null | "<text>"
    if (!has(b, p, R_OPERATOR)) return null;
    p += R_OPERATOR.length;
    let operatorId: string | null = null;
    if (b[p] === QUOTE) {
      const end = plainEnd(b, p + 1, LIMIT.operatorMax * 4, flags);
      if (end < 0) return null;
      const from = p + 1;
      if (lastOperator && compareBytes(b, lastOperator.from, lastOperator.to, from, end) === 0) {
        operatorId = lastOperator.value;
      } else {
        operatorId = flags[0] !== 0 ? utf8Text(b, from, end, LIMIT.operatorMax) : end - from <= LIMIT.operatorMax ? latin1(b, from, end) : null;
        if (operatorId === null) return null;
        lastOperator = { from, to: end, value: operatorId };
      }
      p = end + 1;
    } else if (has(b, p, NULL)) p += 4;
    else return null;
    // ,"outcome":"success|failure|info"
    if (!has(b, p, R_OUTCOME)) return null;
    p += R_OUTCOME.length;
    let outcome = 0;
    while (outcome < OUTCOMES.length && !has(b, p, OUTCOMES[outcome]!)) outcome++;
    if (outcome === OUTCOMES.length) return null;
    p += OUTCOMES[outcome]!.length;
    // ,"prevHash":"<hex>": the hash of the record before (in this batch), checked byte for byte
    if (!has(b, p - 1, R_PREV)) return null;
    const prevAt = p - 1 + R_PREV.length;
    if (previousHashAt < 0) {
      if (!isHex64(b, prevAt)) return null;
      firstPrevHash = latin1(b, prevAt, prevAt + 64);
    } else if (!same64(b, previousHashAt, prevAt)) return null;
    p = prevAt + 64;
    // ","seq":<integer>: the one after the record before
    if (!has(b, p, R_SEQ)) return null;
    const seq = integerAt(b, p + R_SEQ.length, 16, false);
    if (!(seq >= LIMIT.seqMin && seq <= LIMIT.seqMax)) return null;
    if (seqs.length > 0 && seq !== seqs[seqs.length - 1]! + 1) return null;
    p = integerEnd;
    // ,"terminalId":"<the authenticated terminal>"
    if (!has(b, p, R_TERMINAL)) return null;
    p += R_TERMINAL.length;
    if (!has(b, p, terminal)) return null;
    p += terminal.length;
    // ","type":"<type>"}
    if (!has(b, p, R_TYPE)) return null;
    p += R_TYPE.length;
    const typeFrom = p;
    if (TYPE_START[b[p]!] !== 1) return null;
    p++;
    for (;;) {
      const c = b[p]!;
      if (TYPE_CHAR[c] === 1) p++;
      else if (c === DOT && TYPE_CHAR[b[p + 1]!] === 1) p += 2;
      else break;
    }
    if (p - typeFrom > LIMIT.typeMax || b[p] !== QUOTE || b[p + 1] !== BRACE_CLOSE) return null;
    const type = latin1(b, typeFrom, p);
    p += 2;
    // The canonical encoding is '{' + the record after its hash: hashed in place.
    const claimed = latin1(b, hashAt, hashAt + 64);
    const brace = recordStart + AFTER_HASH - 1;
    braces.push(brace);
    recordEnds.push(p);
    b[brace] = BRACE_OPEN;
    // A plain Uint8Array view: cheaper to make than Buffer.subarray's Buffer.
    if (hash('sha256', new Uint8Array(b.buffer, b.byteOffset + brace, p - brace), 'hex') !== claimed) return null;
    seqs.push(seq);
    hashes.push(claimed);
    atMs.push(atTime);
    types.push(type);
    operatorIds.push(operatorId);
    previousHashAt = hashAt;
    const next = b[p];
    if (next === COMMA) {
      p++;
      continue;
    }
    if (next !== BRACKET_CLOSE || b[p + 1] !== BRACE_CLOSE || p + 2 !== n) return null;
    return { batchId, seqs, hashes, firstPrevHash, atMs, types, operatorIds };
  }
}
