// The operation log as stored (migration 3, docs/log-protocol.md "Storage"): chunks of up to
// LOG_CHUNK_RECORDS consecutive records of one terminal in log_chunks — one row per chunk: the JSON
// array of the records' canonical encodings (the bytes that were hashed) and their hashes — plus
// log_chunk_index (which operators and types occur in a chunk, and when) and log_prunings. Append-only: triggers refuse UPDATE, overlapping or replacing inserts, and any DELETE
// outside a recorded retention pruning. A batch of 5000 records is 10 rows, not 5000 rows with three
// indexes each: that is what lets ingest keep up (bench/server-ingest.ts).
// Statements are prepared once per database connection.
import { GENESIS_HASH, type LogRecord, type LogRecordBody } from '../../domain/log/log-record';
import type { CanonicalBatch } from '../services/log-record-hash';
import type { ServerDb } from '../db/open';

/** Records per stored chunk (a batch of up to 5000 is split into chunks of this size). */
export const LOG_CHUNK_RECORDS = 500;

/** Where a terminal's stored chain ends: the last stored record (or pruning anchor), seq 0 for none. */
export interface LogHead {
  seq: number;
  hash: string;
}

export interface LogPruning {
  id: number;
  at: number;
  terminalId: string;
  fromSeq: number;
  toSeq: number;
  /** Hash of record toSeq: the stored chain continues from here. */
  anchorHash: string;
  records: number;
  cutoff: number;
  retentionDays: number;
}

export interface StoredLogRecord extends LogRecord {
  /** The event time in ms (Date.parse(at)). */
  atMs: number;
  /** When its batch arrived (server time). */
  receivedAt: number;
}

/** A stored chunk as it is in its row, its records not yet read. */
export interface LogChunkRow {
  terminal_id: string;
  first_seq: number;
  last_seq: number;
  last_hash: string;
  min_at_ms: number;
  max_at_ms: number;
  received_at: number;
  /** The records' hashes, 64 hex digits each, in the order of `records`. */
  hashes: string;
  /** JSON array of the records without their hash (their canonical encodings). */
  records: string;
}

interface PruningRow {
  id: number;
  at: number;
  terminal_id: string;
  from_seq: number;
  to_seq: number;
  anchor_hash: string;
  records: number;
  cutoff: number;
  retention_days: number;
}

const CHUNK_COLUMNS = 'terminal_id, first_seq, last_seq, last_hash, min_at_ms, max_at_ms, received_at, hashes, records';

function prepareStatements(db: ServerDb) {
  return {
    // records arrives as UTF-8 bytes (the canonical encodings as hashed): stored as the JSON text they are.
    insertChunk: db.prepare(`INSERT INTO log_chunks (${CHUNK_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, CAST(? AS TEXT))`),
    insertIndex: db.prepare('INSERT INTO log_chunk_index (kind, value, max_at_ms, min_at_ms, terminal_id, first_seq) VALUES (?, ?, ?, ?, ?, ?)'),
    lastChunk: db.prepare('SELECT last_seq AS seq, last_hash AS hash FROM log_chunks WHERE terminal_id = ? ORDER BY last_seq DESC LIMIT 1'),
    lastPruning: db.prepare('SELECT * FROM log_prunings WHERE terminal_id = ? ORDER BY to_seq DESC LIMIT 1'),
    /** The chunks holding records with afterSeq < seq, in order. */
    chunksAfter: db.prepare(`SELECT ${CHUNK_COLUMNS} FROM log_chunks WHERE terminal_id = ? AND last_seq > ? ORDER BY last_seq`),
  };
}

const statements = new WeakMap<ServerDb, ReturnType<typeof prepareStatements>>();

function stmts(db: ServerDb): ReturnType<typeof prepareStatements> {
  let prepared = statements.get(db);
  if (!prepared) statements.set(db, (prepared = prepareStatements(db)));
  return prepared;
}

function pruningFromRow(row: PruningRow): LogPruning {
  return {
    id: row.id,
    at: row.at,
    terminalId: row.terminal_id,
    fromSeq: row.from_seq,
    toSeq: row.to_seq,
    anchorHash: row.anchor_hash,
    records: row.records,
    cutoff: row.cutoff,
    retentionDays: row.retention_days,
  };
}

/** The latest pruning of this terminal's log, if any: its anchor is where the stored chain starts. */
export function lastPruning(db: ServerDb, terminalId: string): LogPruning | undefined {
  const row = stmts(db).lastPruning.get(terminalId) as PruningRow | undefined;
  return row && pruningFromRow(row);
}

export function listPrunings(db: ServerDb, terminalId?: string): LogPruning[] {
  const rows = (
    terminalId === undefined
      ? db.prepare('SELECT * FROM log_prunings ORDER BY id').all()
      : db.prepare('SELECT * FROM log_prunings WHERE terminal_id = ? ORDER BY id').all(terminalId)
  ) as PruningRow[];
  return rows.map(pruningFromRow);
}

/** The end of this terminal's stored chain: the end of its last chunk, else the pruning anchor, else (0, GENESIS_HASH). */
export function logHead(db: ServerDb, terminalId: string): LogHead {
  const last = stmts(db).lastChunk.get(terminalId) as LogHead | undefined;
  const anchor = lastPruning(db, terminalId);
  if (last && (!anchor || last.seq > anchor.toSeq)) return { seq: last.seq, hash: last.hash };
  if (anchor) return { seq: anchor.toSeq, hash: anchor.anchorHash };
  return { seq: 0, hash: GENESIS_HASH };
}

/** The stored records of a chunk, in stored order: each with the seq it carries and the hash stored in its place. */
export function chunkRecords(chunk: LogChunkRow): StoredLogRecord[] {
  const bodies = JSON.parse(chunk.records) as LogRecordBody[];
  return bodies.map((body, i) => ({ ...body, hash: chunk.hashes.slice(i * 64, i * 64 + 64), atMs: eventTimeMs(body.at), receivedAt: chunk.received_at }));
}

/**
 * The stored hashes of this terminal's records fromSeq..toSeq, by seq (a record never stored, or
 * pruned, is absent). For comparing a resent batch with what is stored.
 */
export function storedHashes(db: ServerDb, terminalId: string, fromSeq: number, toSeq: number): Map<number, string> {
  const hashes = new Map<number, string>();
  for (const chunk of stmts(db).chunksAfter.iterate(terminalId, fromSeq - 1) as IterableIterator<LogChunkRow>) {
    if (chunk.first_seq > toSeq) break;
    const bodies = JSON.parse(chunk.records) as LogRecordBody[];
    for (let i = 0; i < bodies.length; i++) {
      const seq = bodies[i]!.seq;
      if (seq >= fromSeq && seq <= toSeq) hashes.set(seq, chunk.hashes.slice(i * 64, i * 64 + 64));
    }
  }
  return hashes;
}

/** The stored hash of record `seq`, or undefined (never stored, or pruned). */
export function storedHash(db: ServerDb, terminalId: string, seq: number): string | undefined {
  return storedHashes(db, terminalId, seq, seq).get(seq);
}

const DIGIT_0 = 48;
const d2 = (text: string, at: number): number => (text.charCodeAt(at) - DIGIT_0) * 10 + text.charCodeAt(at + 1) - DIGIT_0;

/**
 * Date.parse(at) for an `at` the contract admits (ISO 8601 with an offset). The common form
 * "YYYY-MM-DDTHH:MM:SS.sssZ" (year ≥ 100) is computed directly; anything else by Date.parse.
 * test/unit/server-log-store.test.ts compares the two.
 */
export function eventTimeMs(at: string): number {
  if (at.length === 24 && at.charCodeAt(23) === 90 /* Z */ && at.charCodeAt(19) === 46 /* . */) {
    const year = d2(at, 0) * 100 + d2(at, 2);
    if (year >= 100) {
      const ms = (at.charCodeAt(20) - DIGIT_0) * 100 + d2(at, 21);
      return Date.UTC(year, d2(at, 5) - 1, d2(at, 8), d2(at, 11), d2(at, 14), d2(at, 17), ms);
    }
  }
  return Date.parse(at);
}

// ASCII text is unchanged by NFC (as in the domain).
const NON_ASCII = /[^\u0000-\u007f]/;
/** A string as the canonical encoding (and so the stored record) has it. */
export const canonicalString = (value: string): string => (NON_ASCII.test(value) ? value.normalize('NFC') : value);

/**
 * Verified records as the ingest has them (src/server/services/log-ingest.ts, IngestBatch): per
 * record its seq, hash, event time (ms), type and operator (canonical string), and the canonical
 * encodings (what was hashed), in order.
 */
export interface StorableRecords {
  seqs: readonly number[];
  hashes: readonly string[];
  atMs: readonly number[];
  types: readonly string[];
  operatorIds: readonly (string | null)[];
  canonical: CanonicalBatch;
}

/**
 * Appends verified records records[from..] in chunks, with their index entries (callers run this
 * inside their transaction; the records continue the terminal's stored chain). `canonical` holds the
 * canonical encodings of `records` (what was hashed): they are stored as they are.
 */
export function insertLogRecords(db: ServerDb, records: readonly LogRecord[], canonical: CanonicalBatch, from: number, receivedAt: number): void {
  if (records.length === 0) return;
  insertIngestedRecords(
    db,
    records[0]!.terminalId,
    {
      seqs: records.map((record) => record.seq),
      hashes: records.map((record) => record.hash),
      atMs: records.map((record) => eventTimeMs(record.at)),
      types: records.map((record) => record.type),
      operatorIds: records.map((record) => (record.operatorId === null ? null : canonicalString(record.operatorId))),
      canonical,
    },
    from,
    receivedAt,
  );
}

/** insertLogRecords for records of `terminalId` as the ingest has them (records[from..] are stored). */
export function insertIngestedRecords(db: ServerDb, terminalId: string, records: StorableRecords, from: number, receivedAt: number): void {
  const { insertChunk, insertIndex } = stmts(db);
  const { seqs, hashes, atMs, types, operatorIds, canonical } = records;
  const count = seqs.length;
  for (let start = from; start < count; start += LOG_CHUNK_RECORDS) {
    const end = Math.min(start + LOG_CHUNK_RECORDS, count);
    // The event-time range of each type and each operator occurring in the chunk: [min, max].
    const typeRanges = new Map<string, [number, number]>();
    const operatorRanges = new Map<string, [number, number]>();
    let minAt = Number.POSITIVE_INFINITY;
    let maxAt = Number.NEGATIVE_INFINITY;
    for (let i = start; i < end; i++) {
      const at = atMs[i]!;
      if (at < minAt) minAt = at;
      if (at > maxAt) maxAt = at;
      const type = types[i]!;
      const typeRange = typeRanges.get(type);
      if (!typeRange) typeRanges.set(type, [at, at]);
      else if (at < typeRange[0]) typeRange[0] = at;
      else if (at > typeRange[1]) typeRange[1] = at;
      const operatorId = operatorIds[i]!;
      if (operatorId === null) continue;
      const operatorRange = operatorRanges.get(operatorId);
      if (!operatorRange) operatorRanges.set(operatorId, [at, at]);
      else if (at < operatorRange[0]) operatorRange[0] = at;
      else if (at > operatorRange[1]) operatorRange[1] = at;
    }
    const firstSeq = seqs[start]!;
    const lastHash = hashes[end - 1]!;
    insertChunk.run(terminalId, firstSeq, seqs[end - 1]!, lastHash, minAt, maxAt, receivedAt, hashes.slice(start, end).join(''), canonical.jsonArray(start, end - 1));
    for (const [value, [min, max]] of typeRanges) insertIndex.run('type', value, max, min, terminalId, firstSeq);
    for (const [value, [min, max]] of operatorRanges) insertIndex.run('operator', value, max, min, terminalId, firstSeq);
  }
}

/** Up to `limit` stored records of a terminal with seq > afterSeq, in stored order. */
export function logRecordsAfter(db: ServerDb, terminalId: string, afterSeq: number, limit: number): StoredLogRecord[] {
  const out: StoredLogRecord[] = [];
  for (const chunk of stmts(db).chunksAfter.iterate(terminalId, afterSeq) as IterableIterator<LogChunkRow>) {
    for (const record of chunkRecords(chunk)) {
      if (record.seq <= afterSeq) continue;
      out.push(record);
      if (out.length >= limit) return out;
    }
  }
  return out;
}

/** Up to `limit` of a terminal's stored chunks with last_seq > afterSeq, in seq order, rows as stored (for verify). */
export function logChunksAfter(db: ServerDb, terminalId: string, afterSeq: number, limit: number): LogChunkRow[] {
  return db.prepare(`SELECT ${CHUNK_COLUMNS} FROM log_chunks WHERE terminal_id = ? AND last_seq > ? ORDER BY last_seq LIMIT ?`).all(terminalId, afterSeq, limit) as LogChunkRow[];
}

/** The index entries of a chunk, as stored (for verify). */
export function chunkIndexEntries(db: ServerDb, terminalId: string, firstSeq: number): { kind: string; value: string; minAtMs: number; maxAtMs: number }[] {
  return (
    db
      .prepare('SELECT kind, value, min_at_ms AS minAtMs, max_at_ms AS maxAtMs FROM log_chunk_index WHERE terminal_id = ? AND first_seq = ? ORDER BY kind, value')
      .all(terminalId, firstSeq) as { kind: string; value: string; minAtMs: number; maxAtMs: number }[]
  );
}

/** Every terminal that has stored records or prunings (verify also looks at unregistered ones). */
export function terminalsWithLog(db: ServerDb): string[] {
  const rows = db
    .prepare(
      `WITH RECURSIVE t(id) AS (
         SELECT min(terminal_id) FROM log_chunks
         UNION ALL
         SELECT (SELECT min(terminal_id) FROM log_chunks WHERE terminal_id > t.id) FROM t WHERE t.id IS NOT NULL)
       SELECT id FROM t WHERE id IS NOT NULL
       UNION SELECT terminal_id FROM log_prunings`,
    )
    .pluck()
    .all() as string[];
  return rows.sort();
}

/** How many records of this terminal are stored (counted in the chunks themselves). */
export function countLogRecords(db: ServerDb, terminalId: string): number {
  return db.prepare('SELECT coalesce(sum(json_array_length(records)), 0) FROM log_chunks WHERE terminal_id = ?').pluck().get(terminalId) as number;
}

/** Records stored in this terminal's chunks that lie wholly within fromSeq..toSeq. */
export function countChunkRecords(db: ServerDb, terminalId: string, fromSeq: number, toSeq: number): number {
  return db
    .prepare('SELECT coalesce(sum(json_array_length(records)), 0) FROM log_chunks WHERE terminal_id = ? AND first_seq >= ? AND last_seq <= ?')
    .pluck()
    .get(terminalId, fromSeq, toSeq) as number;
}

export interface LogQuery {
  /** Event time from (inclusive), ms. */
  fromMs?: number;
  /** Event time to (exclusive), ms. */
  toMs?: number;
  terminalId?: string;
  operatorId?: string;
  type?: string;
  limit?: number;
}

/**
 * Stored records by event time, operator and/or type (every given condition must hold), ordered by
 * event time, then terminal and seq. The candidate chunks come from log_chunk_index (operator, type)
 * or log_chunks_by_time; each candidate's records are then filtered exactly, so the answer is the
 * same as filtering every stored record.
 */
export function queryLogRecords(db: ServerDb, query: LogQuery): StoredLogRecord[] {
  const from = query.fromMs ?? Number.MIN_SAFE_INTEGER;
  const to = query.toMs ?? Number.MAX_SAFE_INTEGER;
  const limit = query.limit ?? Number.POSITIVE_INFINITY;
  const terminal = query.terminalId ?? null;
  const operatorId = query.operatorId === undefined ? undefined : canonicalString(query.operatorId);
  const params = { from, to, terminal };
  const byIndex = (kind: 'operator' | 'type', value: string) =>
    db
      .prepare(
        `SELECT ${CHUNK_COLUMNS.split(', ').map((c) => `c.${c}`).join(', ')} FROM log_chunk_index i
         JOIN log_chunks c ON c.terminal_id = i.terminal_id AND c.first_seq = i.first_seq
         WHERE i.kind = @kind AND i.value = @value AND i.max_at_ms >= @from AND i.min_at_ms < @to AND (@terminal IS NULL OR i.terminal_id = @terminal)`,
      )
      .iterate({ ...params, kind, value }) as IterableIterator<LogChunkRow>;
  const chunks =
    operatorId !== undefined
      ? byIndex('operator', operatorId)
      : query.type !== undefined
        ? byIndex('type', query.type)
        : (db
            .prepare(`SELECT ${CHUNK_COLUMNS} FROM log_chunks WHERE max_at_ms >= @from AND min_at_ms < @to AND (@terminal IS NULL OR terminal_id = @terminal)`)
            .iterate(params) as IterableIterator<LogChunkRow>);
  const out: StoredLogRecord[] = [];
  for (const chunk of chunks) {
    for (const record of chunkRecords(chunk)) {
      if (record.atMs < from || record.atMs >= to) continue;
      if (terminal !== null && record.terminalId !== terminal) continue;
      if (operatorId !== undefined && record.operatorId !== operatorId) continue;
      if (query.type !== undefined && record.type !== query.type) continue;
      out.push(record);
    }
  }
  out.sort((a, b) => a.atMs - b.atMs || (a.terminalId < b.terminalId ? -1 : a.terminalId > b.terminalId ? 1 : a.seq - b.seq));
  return out.length > limit ? out.slice(0, limit) : out;
}
