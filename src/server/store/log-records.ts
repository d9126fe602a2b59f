// The operation log as stored: one row per record in log_records (append-only: triggers refuse
// UPDATE, REPLACE and any DELETE outside a recorded retention pruning), plus log_prunings.
// Statements are prepared once per database connection: ingest runs them millions of times.
import { GENESIS_HASH, type LogRecord } from '../../domain/log/log-record';
import type { ServerDb } from '../db/open';

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
  atMs: number;
  receivedAt: number;
}

interface LogRecordRow {
  terminal_id: string;
  seq: number;
  hash: string;
  prev_hash: string;
  at: string;
  at_ms: number;
  type: string;
  outcome: LogRecord['outcome'];
  operator_id: string | null;
  card_key_id: string | null;
  clock_offset_ms: number;
  detail: string;
  received_at: number;
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

const COLUMNS = 13;
/** Rows per multi-row INSERT (13 parameters each; SQLite allows 32766 parameters). */
const ROWS_PER_INSERT = 100;
const ROW_PLACEHOLDERS = `(${Array(COLUMNS).fill('?').join(', ')})`;

function prepareStatements(db: ServerDb) {
  const insertSql = (rows: number) =>
    `INSERT INTO log_records (terminal_id, seq, hash, prev_hash, at, at_ms, type, outcome, operator_id, card_key_id, clock_offset_ms, detail, received_at) VALUES ${Array(rows).fill(ROW_PLACEHOLDERS).join(', ')}`;
  return {
    insertOne: db.prepare(insertSql(1)),
    insertMany: db.prepare(insertSql(ROWS_PER_INSERT)),
    lastRecord: db.prepare('SELECT seq, hash FROM log_records WHERE terminal_id = ? ORDER BY seq DESC LIMIT 1'),
    lastPruning: db.prepare('SELECT * FROM log_prunings WHERE terminal_id = ? ORDER BY to_seq DESC LIMIT 1'),
    hashAt: db.prepare('SELECT hash FROM log_records WHERE terminal_id = ? AND seq = ?').pluck(),
    page: db.prepare('SELECT * FROM log_records WHERE terminal_id = ? AND seq > ? ORDER BY seq LIMIT ?'),
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

/** The end of this terminal's stored chain: last record, else the pruning anchor, else (0, GENESIS_HASH). */
export function logHead(db: ServerDb, terminalId: string): LogHead {
  const last = stmts(db).lastRecord.get(terminalId) as LogHead | undefined;
  const anchor = lastPruning(db, terminalId);
  if (last && (!anchor || last.seq > anchor.toSeq)) return { seq: last.seq, hash: last.hash };
  if (anchor) return { seq: anchor.toSeq, hash: anchor.anchorHash };
  return { seq: 0, hash: GENESIS_HASH };
}

/** The stored hash of record `seq`, or undefined (never stored, or pruned). */
export function storedHash(db: ServerDb, terminalId: string, seq: number): string | undefined {
  return stmts(db).hashAt.get(terminalId, seq) as string | undefined;
}

/** Appends verified records (callers run this inside their transaction). */
export function insertLogRecords(db: ServerDb, records: readonly LogRecord[], receivedAt: number): void {
  const { insertOne, insertMany } = stmts(db);
  const params: unknown[] = new Array(ROWS_PER_INSERT * COLUMNS);
  let i = 0;
  const fill = (offset: number, r: LogRecord): void => {
    params[offset] = r.terminalId;
    params[offset + 1] = r.seq;
    params[offset + 2] = r.hash;
    params[offset + 3] = r.prevHash;
    params[offset + 4] = r.at;
    params[offset + 5] = Date.parse(r.at);
    params[offset + 6] = r.type;
    params[offset + 7] = r.outcome;
    params[offset + 8] = r.operatorId;
    params[offset + 9] = r.cardKeyId;
    params[offset + 10] = r.clockOffsetMs;
    params[offset + 11] = JSON.stringify(r.detail);
    params[offset + 12] = receivedAt;
  };
  for (; i + ROWS_PER_INSERT <= records.length; i += ROWS_PER_INSERT) {
    for (let j = 0; j < ROWS_PER_INSERT; j++) fill(j * COLUMNS, records[i + j]!);
    insertMany.run(params);
  }
  const one: unknown[] = new Array(COLUMNS);
  for (; i < records.length; i++) {
    fill(0, records[i]!);
    for (let k = 0; k < COLUMNS; k++) one[k] = params[k];
    insertOne.run(one);
  }
}

function recordFromRow(row: LogRecordRow): StoredLogRecord {
  return {
    terminalId: row.terminal_id,
    seq: row.seq,
    prevHash: row.prev_hash,
    at: row.at,
    clockOffsetMs: row.clock_offset_ms,
    type: row.type,
    outcome: row.outcome,
    operatorId: row.operator_id,
    cardKeyId: row.card_key_id,
    detail: JSON.parse(row.detail) as LogRecord['detail'],
    hash: row.hash,
    atMs: row.at_ms,
    receivedAt: row.received_at,
  };
}

/** Up to `limit` stored records of a terminal with seq > afterSeq, in order. */
export function logRecordsAfter(db: ServerDb, terminalId: string, afterSeq: number, limit: number): StoredLogRecord[] {
  return (stmts(db).page.all(terminalId, afterSeq, limit) as LogRecordRow[]).map(recordFromRow);
}

/** Every terminal that has stored records or prunings (verify also looks at unregistered ones). */
export function terminalsWithLog(db: ServerDb): string[] {
  const rows = db
    .prepare(
      `WITH RECURSIVE t(id) AS (
         SELECT min(terminal_id) FROM log_records
         UNION ALL
         SELECT (SELECT min(terminal_id) FROM log_records WHERE terminal_id > t.id) FROM t WHERE t.id IS NOT NULL)
       SELECT id FROM t WHERE id IS NOT NULL
       UNION SELECT terminal_id FROM log_prunings`,
    )
    .pluck()
    .all() as string[];
  return rows.sort();
}

export function countLogRecords(db: ServerDb, terminalId: string): number {
  return db.prepare('SELECT count(*) FROM log_records WHERE terminal_id = ?').pluck().get(terminalId) as number;
}
