// The canonical encoding on the server's ingest path — the bytes the record hash is over
// (src/domain/log/log-record.ts, canonicalEncoding) — for records that passed checkLogBatch, written
// straight into one buffer per batch (hashed where they lie, and stored from there as they are).
// A checked record's strings are of known kinds: terminalId, prevHash, at, type, outcome, cardKeyId
// and the detail keys are printable ASCII without '"' or '\' (the patterns of the contract the check
// implements, IMPLEMENTED_CONTRACT), which JSON.stringify and NFC leave as they are; seq and
// clockOffsetMs are safe integers; detail is flat. The other strings (operatorId, detail values) go
// through exactly the domain's steps (NFC when not ASCII, then JSON.stringify).
// test/unit/server-log-record-hash.test.ts proves canonicalText = canonicalEncoding, byte for byte,
// on 20,000 random records the check accepts. When the contract is no longer the one the check
// implements (FAST_CHECK_MATCHES_CONTRACT false), the domain's canonicalEncoding is used as it is.
import { hash } from 'node:crypto';
import { canonicalEncoding, type LogRecordBody } from '../../domain/log/log-record';
import { FAST_CHECK_MATCHES_CONTRACT } from './log-batch-schema';

// ASCII text is unchanged by NFC (as in the domain).
const NON_ASCII = /[^\u0000-\u007f]/;

function text(value: string): string {
  return JSON.stringify(NON_ASCII.test(value) ? value.normalize('NFC') : value);
}

function detailText(detail: LogRecordBody['detail']): string {
  const keys = Object.keys(detail);
  if (keys.length > 1) keys.sort();
  let out = '{';
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    const value = detail[key];
    if (i > 0) out += ',';
    // Numbers: String(n) is JSON.stringify(n) for every finite number (the check refused the others).
    out += `"${key}":${typeof value === 'string' ? text(value) : value === null ? 'null' : String(value)}`;
  }
  return `${out}}`;
}

/** canonicalEncoding(record) as text, for a record that passed checkLogBatch. */
export function canonicalText(record: LogRecordBody): string {
  const { cardKeyId, operatorId } = record;
  return (
    `{"at":"${record.at}","cardKeyId":${cardKeyId === null ? 'null' : `"${cardKeyId}"`},"clockOffsetMs":${record.clockOffsetMs},` +
    `"detail":${detailText(record.detail)},"operatorId":${operatorId === null ? 'null' : text(operatorId)},"outcome":"${record.outcome}",` +
    `"prevHash":"${record.prevHash}","seq":${record.seq},"terminalId":"${record.terminalId}","type":"${record.type}"}`
  );
}

const decoder = new TextDecoder();

/**
 * The canonical encoding of a record that passed checkLogBatch, as text: canonicalText, or (when the
 * contract is no longer the one the check implements) the domain's canonicalEncoding decoded.
 */
const canonicalRecordText: (record: LogRecordBody) => string = FAST_CHECK_MATCHES_CONTRACT
  ? canonicalText
  : (record) => decoder.decode(canonicalEncoding(record));

const COMMA = 0x2c;
const OPEN = Buffer.from('[');
const CLOSE = Buffer.from(']');

/**
 * The canonical encodings (UTF-8) of a batch's records, written one after the other into one buffer,
 * comma-separated — so that a run of them, in brackets, is the JSON array a stored chunk holds — and
 * each one hashed where it lies. The canonical text has no unpaired surrogate (JSON.stringify escapes
 * them), so its UTF-8 is exactly the domain's canonicalEncoding.
 */
export class CanonicalBatch {
  private bytes: Buffer;
  private used = 0;
  private starts: number[] = [];
  private ends: number[] = [];

  constructor(expectedBytes: number) {
    this.bytes = Buffer.allocUnsafe(Math.max(1024, expectedBytes));
  }

  /**
   * Over encodings already laid out in `bytes` as this class lays them out (comma-separated, record i
   * at starts[i]..ends[i]): the fast reading of a request body compacts them there
   * (src/server/services/log-batch-scan.ts).
   */
  static over(bytes: Buffer, starts: number[], ends: number[]): CanonicalBatch {
    const batch = new CanonicalBatch(0);
    batch.bytes = bytes;
    batch.starts = starts;
    batch.ends = ends;
    batch.used = ends.length > 0 ? ends[ends.length - 1]! : 0;
    return batch;
  }

  get count(): number {
    return this.starts.length;
  }

  /** Appends the canonical encoding of the next record (checked by checkLogBatch); returns its SHA-256 (hex). */
  append(record: LogRecordBody): string {
    const text = canonicalRecordText(record);
    const room = this.used + 1 + text.length * 3; // UTF-8 takes at most 3 bytes per UTF-16 unit
    if (room > this.bytes.length) {
      const grown = Buffer.allocUnsafe(Math.max(room, this.bytes.length * 2));
      this.bytes.copy(grown, 0, 0, this.used);
      this.bytes = grown;
    }
    if (this.starts.length > 0) this.bytes[this.used++] = COMMA;
    const start = this.used;
    this.used += this.bytes.write(text, start, 'utf8');
    this.starts.push(start);
    this.ends.push(this.used);
    return hash('sha256', this.bytes.subarray(start, this.used), 'hex');
  }

  /** The canonical encoding of record `index` (UTF-8). */
  encoding(index: number): Buffer {
    return this.bytes.subarray(this.starts[index], this.ends[index]);
  }

  /** The JSON array of records from..to (inclusive), as UTF-8: what a stored chunk holds. */
  jsonArray(from: number, to: number): Buffer {
    return Buffer.concat([OPEN, this.bytes.subarray(this.starts[from], this.ends[to]), CLOSE]);
  }
}
