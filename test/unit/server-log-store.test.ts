// The operation log's storage (migration 3): chunks of consecutive records plus a chunk-level index
// (src/server/store/log-records.ts). Queries by time, operator and type must return exactly what
// filtering every stored record returns; the records stored by migration 2's per-record table must
// come through migration 3 unchanged; verify must notice an index that no longer matches its records.
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { GENESIS_HASH, sealRecord, verifyChain, type LogRecord } from '../../src/domain/log/log-record';
import { applyMigrations } from '../../src/server/db/migrate';
import { MIGRATIONS } from '../../src/server/db/migrations';
import { CanonicalBatch } from '../../src/server/services/log-record-hash';
import { verifyStoredLog } from '../../src/server/services/log-verify';
import { countLogRecords, insertLogRecords, logHead, logRecordsAfter, queryLogRecords, storedHashes, type LogQuery, type StoredLogRecord } from '../../src/server/store/log-records';
import { pick, rng, sha256 } from './server-log-helpers';

const START = Date.parse('2026-04-06T00:30:00.000Z');

// 'op-e\u0301' is not NFC: it is stored (and indexed, and found) as 'op-\u00e9'.
const OPERATORS = ['op-yamada', 'op-sato', 'op-e\u0301', null];
const TYPES = ['resident.search', 'record.viewed', 'card.inserted', 'print.issued'];

/** A terminal's chain whose event times mostly advance but sometimes jump back (a clock corrected). */
function chain(next: () => number, terminalId: string, count: number): LogRecord[] {
  const records: LogRecord[] = [];
  let prevHash = GENESIS_HASH;
  let time = START;
  for (let seq = 1; seq <= count; seq++) {
    time += next() < 0.05 ? -Math.floor(next() * 3_600_000) : Math.floor(next() * 60_000);
    const record = sealRecord(
      {
        terminalId,
        seq,
        prevHash,
        at: next() < 0.9 ? new Date(time).toISOString() : new Date(time).toISOString().replace('Z', '+00:00'),
        clockOffsetMs: 0,
        type: pick(next, TYPES),
        outcome: 'success',
        operatorId: pick(next, OPERATORS),
        cardKeyId: null,
        detail: { n: seq, purpose: '住民票の写しの交付' },
      },
      sha256,
    );
    records.push(record);
    prevHash = record.hash;
  }
  return records;
}

function memoryDb(): Database.Database {
  const db = new Database(':memory:');
  applyMigrations(db);
  return db;
}

/** Stores records in batches of random sizes (1 to 1200: one or several chunks each), as ingest does. */
function store(db: Database.Database, next: () => number, records: readonly LogRecord[]): void {
  for (let from = 0; from < records.length; ) {
    const batch = records.slice(from, from + 1 + Math.floor(next() * 1200));
    const canonical = new CanonicalBatch(0);
    for (const record of batch) expect(canonical.append(record)).toBe(record.hash);
    db.transaction(() => insertLogRecords(db, batch, canonical, 0, START + from)).immediate();
    from += batch.length;
  }
}

const strip = ({ atMs: _atMs, receivedAt: _receivedAt, ...record }: StoredLogRecord): LogRecord => record;

describe('log storage in chunks', () => {
  const next = rng(2026);
  const db = memoryDb();
  const logs = new Map(['term-a', 'term-b', 'term-c'].map((id) => [id, chain(next, id, 1500 + Math.floor(next() * 1500))]));
  for (const records of logs.values()) store(db, next, records);
  const all = [...logs.values()].flatMap((records) => logRecordsAfter(db, records[0]!.terminalId, 0, 1_000_000));

  it('reads back every record in order, as sent (strings NFC), with its hash; head, count and stored hashes agree', () => {
    for (const [terminalId, records] of logs) {
      const stored = logRecordsAfter(db, terminalId, 0, 1_000_000);
      expect(stored.map(strip)).toEqual(records.map((r) => ({ ...r, operatorId: r.operatorId?.normalize('NFC') ?? null })));
      expect(verifyChain(stored, null, terminalId, sha256)).toBeNull();
      expect(stored.every((r) => r.atMs === Date.parse(r.at))).toBe(true);
      expect(logHead(db, terminalId)).toEqual({ seq: records.length, hash: records.at(-1)!.hash });
      expect(countLogRecords(db, terminalId)).toBe(records.length);
      expect(logRecordsAfter(db, terminalId, 700, 3).map((r) => r.seq)).toEqual([701, 702, 703]);
      const some = storedHashes(db, terminalId, 499, 1003);
      expect([...some.keys()]).toEqual(Array.from({ length: 505 }, (_, i) => 499 + i));
      expect(some.get(1000)).toBe(records[999]!.hash);
    }
  });

  it('queries by time, operator and type return exactly what filtering every record returns (120 random queries)', () => {
    const times = all.map((r) => r.atMs).sort((a, b) => a - b);
    for (let i = 0; i < 120; i++) {
      const query: LogQuery = {};
      if (next() < 0.8) query.fromMs = pick(next, times) - (next() < 0.5 ? 0 : 1);
      if (next() < 0.8) query.toMs = (query.fromMs ?? START) + Math.floor(next() * 6 * 3_600_000);
      if (next() < 0.3) query.terminalId = pick(next, [...logs.keys(), 'term-none']);
      const by = next();
      if (by < 0.4) query.operatorId = pick(next, ['op-yamada', 'op-sato', 'op-\u00e9', 'op-e\u0301', 'op-none']);
      else if (by < 0.7) query.type = pick(next, [...TYPES, 'none.such']);
      if (next() < 0.2) query.limit = Math.floor(next() * 50);
      const operator = query.operatorId?.normalize('NFC');
      const expected = all
        .filter(
          (r) =>
            r.atMs >= (query.fromMs ?? -Infinity) &&
            r.atMs < (query.toMs ?? Infinity) &&
            (query.terminalId === undefined || r.terminalId === query.terminalId) &&
            (operator === undefined || r.operatorId === operator) &&
            (query.type === undefined || r.type === query.type),
        )
        .sort((a, b) => a.atMs - b.atMs || a.terminalId.localeCompare(b.terminalId) || a.seq - b.seq)
        .slice(0, query.limit ?? Infinity);
      const actual = queryLogRecords(db, query);
      expect(actual.map((r) => `${r.terminalId}/${r.seq}`), JSON.stringify(query)).toEqual(expected.map((r) => `${r.terminalId}/${r.seq}`));
    }
  });

  it('a chunk must continue after what is stored: overlapping or replacing inserts are refused', () => {
    const records = logs.get('term-a')!;
    const canonical = new CanonicalBatch(0);
    canonical.append(records[9]!);
    expect(() => insertLogRecords(db, [records[9]!], canonical, 0, START)).toThrow(/never replaced/);
  });

  it('verify notices an index entry that no longer matches its chunk (queries would miss records)', () => {
    const clean = verifyStoredLog(db, { trustedKeys: [] }).problems.filter((p) => !p.kind.startsWith('checkpoint') && p.kind !== 'record-unregistered-terminal');
    expect(clean).toEqual([]);
    db.exec("DROP TRIGGER log_chunk_index_delete_with_chunk; DELETE FROM log_chunk_index WHERE terminal_id = 'term-b' AND kind = 'operator' AND value = 'op-sato' AND first_seq = 1;");
    const problems = verifyStoredLog(db, { trustedKeys: [] }).problems.filter((p) => p.kind === 'index-mismatch');
    expect(problems).toMatchObject([{ kind: 'index-mismatch', terminalId: 'term-b', seq: 1 }]);
  });
});

describe('migration 3 moves the per-record table into chunks', () => {
  it('every record, its hash, event time and arrival come through; the chain verifies; queries work', () => {
    const next = rng(5);
    const db = new Database(':memory:');
    applyMigrations(db, MIGRATIONS.filter((m) => m.id <= 2));
    const records = [...chain(next, 'term-old', 1234), ...chain(next, 'term-two', 3)];
    const insert = db.prepare(
      `INSERT INTO log_records (terminal_id, seq, hash, prev_hash, at, at_ms, type, outcome, operator_id, card_key_id, clock_offset_ms, detail, received_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    for (const r of records) {
      insert.run(r.terminalId, r.seq, r.hash, r.prevHash, r.at, Date.parse(r.at), r.type, r.outcome, r.operatorId, r.cardKeyId, r.clockOffsetMs, JSON.stringify(r.detail), START + r.seq);
    }
    expect(applyMigrations(db)).toEqual(MIGRATIONS.filter((m) => m.id > 2).map((m) => m.id));
    for (const terminalId of ['term-old', 'term-two']) {
      const original = records.filter((r) => r.terminalId === terminalId);
      const stored = logRecordsAfter(db, terminalId, 0, 1_000_000);
      expect(stored.map(strip)).toEqual(original);
      // A chunk has one arrival time: the records moved into a chunk of up to 500 take the latest of theirs.
      expect(stored.map((r) => r.receivedAt)).toEqual(original.map((r) => START + Math.min(original.length, Math.ceil(r.seq / 500) * 500)));
      expect(verifyChain(stored, null, terminalId, sha256)).toBeNull();
      expect(logHead(db, terminalId)).toEqual({ seq: original.length, hash: original.at(-1)!.hash });
    }
    expect(db.prepare("SELECT count(*) FROM log_chunks WHERE terminal_id = 'term-old'").pluck().get()).toBe(3);
    expect(queryLogRecords(db, { operatorId: 'op-sato', terminalId: 'term-old' }).map((r) => r.seq)).toEqual(
      records
        .filter((r) => r.terminalId === 'term-old' && r.operatorId === 'op-sato')
        .sort((a, b) => Date.parse(a.at) - Date.parse(b.at) || a.seq - b.seq)
        .map((r) => r.seq),
    );
    const problems = verifyStoredLog(db, { trustedKeys: [] }).problems.filter((p) => !p.kind.startsWith('checkpoint') && p.kind !== 'record-unregistered-terminal');
    expect(problems).toEqual([]);
    // The view shows one row per record.
    expect(db.prepare("SELECT seq, hash, at, detail FROM log_records WHERE terminal_id = 'term-old' AND seq = 600").get()).toEqual({
      seq: 600,
      hash: records[599]!.hash,
      at: records[599]!.at,
      detail: JSON.stringify(records[599]!.detail),
    });
    db.close();
  });
});
