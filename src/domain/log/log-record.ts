// The operation log's record and its hash chain (第15条2項, 第20条, 第20条の2 5–6項).
// Every terminal numbers its records 1, 2, 3… without gaps; each record carries the hash of
// the one before, and its own hash is SHA-256 over a canonical encoding of everything else.
// Pure: the SHA-256 implementation is passed in (node:crypto on the server, a JS one in the renderer).

export type DetailValue = string | number | boolean | null;

export interface LogRecordBody {
  terminalId: string;
  /** 1-based, gap-free per terminal. */
  seq: number;
  /** Hash of record seq-1; GENESIS_HASH for seq 1. */
  prevHash: string;
  /** Trusted time of the event, ISO 8601 UTC. */
  at: string;
  /** Local wall clock minus trusted time, ms, when the event was written. */
  clockOffsetMs: number;
  /** e.g. 'signin.failure', 'session.locked', 'card.removed'. */
  type: string;
  outcome: 'success' | 'failure' | 'info';
  operatorId: string | null;
  cardKeyId: string | null;
  /** Flat, small; never a password or resident data in free text. */
  detail: Record<string, DetailValue>;
}

export interface LogRecord extends LogRecordBody {
  hash: string;
}

export const GENESIS_HASH = '0'.repeat(64);

export type Sha256Hex = (bytes: Uint8Array) => string;

// ASCII text is unchanged by NFC: skip normalize() for it (the server hashes millions of strings).
const NON_ASCII = /[^\u0000-\u007f]/;
// Printable ASCII without `"` and `\`: JSON.stringify writes it as it is between quotes, so it is
// written directly (hashes, times, ids: most of a record; a terminal encodes 5000 records a batch).
const PLAIN_ASCII = /^[\u0020\u0021\u0023-\u005b\u005d-\u007f]*$/;

// The canonical JSON of recent non-ASCII texts. A log repeats a few texts (purposes, screens) in
// thousands of records; NFC normalisation is the costly step. Bounded: cleared when full.
const nonAsciiCache = new Map<string, string>();
const NON_ASCII_CACHE_SIZE = 512;

/** JSON.stringify(NFC(text)), as canonicalValue writes every string. */
function canonicalString(value: string): string {
  if (PLAIN_ASCII.test(value)) return `"${value}"`;
  if (!NON_ASCII.test(value)) return JSON.stringify(value);
  let json = nonAsciiCache.get(value);
  if (json === undefined) {
    json = JSON.stringify(value.normalize('NFC'));
    if (nonAsciiCache.size >= NON_ASCII_CACHE_SIZE) nonAsciiCache.clear();
    nonAsciiCache.set(value, json);
  }
  return json;
}

function canonicalValue(value: unknown): string {
  if (typeof value === 'string') return canonicalString(value);
  if (value === null) return 'null';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new TypeError('non-finite number in a log record');
    return JSON.stringify(value);
  }
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'object' && !Array.isArray(value)) {
    // Keys as JSON.stringify writes them (not normalised: a key is not text of the record), sorted by UTF-16 units.
    const keys = Object.keys(value as object).sort();
    let out = '{';
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i]!;
      if (i > 0) out += ',';
      out += `${PLAIN_ASCII.test(key) ? `"${key}"` : JSON.stringify(key)}:${canonicalValue((value as Record<string, unknown>)[key])}`;
    }
    return `${out}}`;
  }
  throw new TypeError(`unsupported value in a log record: ${typeof value}`);
}

const encoder = new TextEncoder();

/**
 * Deterministic bytes of a record body: sorted keys, no spaces, NFC strings, UTF-8. Exactly
 * canonicalValue({ terminalId, seq, prevHash, at, clockOffsetMs, type, outcome, operatorId, cardKeyId, detail })
 * with the ten top-level keys written out in their sorted order (the server's ingest hot path).
 */
export function canonicalEncoding(body: LogRecordBody): Uint8Array {
  return encoder.encode(canonicalJson(body));
}

/** The canonical encoding as text (before UTF-8): canonicalEncoding(body) = UTF-8 of canonicalJson(body). */
export function canonicalJson(body: LogRecordBody): string {
  return (
    `{"at":${canonicalValue(body.at)},"cardKeyId":${canonicalValue(body.cardKeyId)},"clockOffsetMs":${canonicalValue(body.clockOffsetMs)},` +
    `"detail":${canonicalValue(body.detail)},"operatorId":${canonicalValue(body.operatorId)},"outcome":${canonicalValue(body.outcome)},` +
    `"prevHash":${canonicalValue(body.prevHash)},"seq":${canonicalValue(body.seq)},"terminalId":${canonicalValue(body.terminalId)},"type":${canonicalValue(body.type)}}`
  );
}

export function sealRecord(body: LogRecordBody, sha256: Sha256Hex): LogRecord {
  return { ...body, hash: sha256(canonicalEncoding(body)) };
}

export type ChainProblem =
  | { kind: 'hash-mismatch'; seq: number } // the record was altered
  | { kind: 'broken-link'; seq: number } // prevHash is not the hash of the record before
  | { kind: 'gap'; seq: number; expected: number } // a record is missing or out of order
  | { kind: 'wrong-terminal'; seq: number };

/**
 * Checks records that must directly follow `previous` (the last verified record, or null for
 * the start of the log). Returns the first problem, or null when the chain holds.
 */
export function verifyChain(records: readonly LogRecord[], previous: { seq: number; hash: string } | null, terminalId: string, sha256: Sha256Hex): ChainProblem | null {
  let expectedSeq = previous ? previous.seq + 1 : 1;
  let expectedPrev = previous ? previous.hash : GENESIS_HASH;
  for (const record of records) {
    if (record.terminalId !== terminalId) return { kind: 'wrong-terminal', seq: record.seq };
    if (record.seq !== expectedSeq) return { kind: 'gap', seq: record.seq, expected: expectedSeq };
    if (record.prevHash !== expectedPrev) return { kind: 'broken-link', seq: record.seq };
    if (sha256(canonicalEncoding(record)) !== record.hash) return { kind: 'hash-mismatch', seq: record.seq };
    expectedSeq = record.seq + 1;
    expectedPrev = record.hash;
  }
  return null;
}
