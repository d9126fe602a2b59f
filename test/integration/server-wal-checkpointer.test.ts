// WAL checkpoints off the request path (src/server/db/wal-checkpointer.ts): the real server (SQLite
// in a temp dir, HTTP on 127.0.0.1) stores log batches while a worker thread's own connection
// checkpoints; the WAL stays small, every record is stored once and verifies, and when the worker
// cannot run the server's connection checkpoints by itself again.
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { GENESIS_HASH, sealRecord, verifyChain, type LogRecord } from '../../src/domain/log/log-record';
import { registerTerminal } from '../../src/server/admin/register-terminal';
import { startServer } from '../../src/server/app';
import { DB_FILE_NAME, openServerDb } from '../../src/server/db/open';
import { BACKSTOP_PAGES, DEFAULT_AUTOCHECKPOINT_PAGES, startWalCheckpointer } from '../../src/server/db/wal-checkpointer';
import { countLogRecords, logRecordsAfter } from '../../src/server/store/log-records';
import { logBatchBodyJson, LogBatchResponseSchema, wireRecordsJson } from '../../src/shared/log-api';
import { sha256 } from '../unit/server-log-helpers';

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'kumiyama-wal-'));
  dirs.push(dir);
  return dir;
}
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function chain(terminalId: string, count: number): LogRecord[] {
  const records: LogRecord[] = [];
  let prevHash = GENESIS_HASH;
  for (let seq = 1; seq <= count; seq++) {
    const record = sealRecord(
      {
        terminalId,
        seq,
        prevHash,
        at: new Date(Date.UTC(2026, 3, 6, 0, 30) + seq * 250).toISOString(),
        clockOffsetMs: 40,
        type: 'resident.search',
        outcome: 'info',
        operatorId: 'op-yamada',
        cardKeyId: null,
        detail: { purpose: '転入届の受付に伴う世帯の確認', n: seq, filler: 'x'.repeat(300) },
      },
      sha256,
    );
    records.push(record);
    prevHash = record.hash;
  }
  return records;
}

describe('WAL checkpoints in a worker thread', () => {
  it('keep the WAL small while batches are stored over HTTP; every record is stored once and verifies', async () => {
    const dataDir = tempDir();
    const server = await startServer({ dataDir, port: 0, checkpointIntervalMs: 0, logIndexIntervalMs: 0 });
    const walFile = join(dataDir, `${DB_FILE_NAME}-wal`);
    let records: LogRecord[] = [];
    try {
      expect(server.walCheckpointer?.running).toBe(true);
      // The server's own connection only checkpoints as a backstop.
      expect(server.db.pragma('wal_autocheckpoint', { simple: true })).toBe(BACKSTOP_PAGES);
      const credential = registerTerminal(server.db, { name: 'WAL', id: 'term-wal', serverUrl: server.url, clock: { now: () => Date.now() } });
      records = chain(credential.terminalId, 12_000);
      const walSizes: number[] = [];
      for (let from = 0; from < records.length; from += 2000) {
        const body = logBatchBodyJson(randomUUID(), wireRecordsJson(records.slice(from, from + 2000)));
        const response = await fetch(`${server.url}/api/v1/log-batches`, {
          method: 'POST',
          headers: { authorization: `Terminal ${credential.terminalId}:${credential.secret}`, 'content-type': 'application/json' },
          body,
        });
        expect(response.status).toBe(200);
        expect(LogBatchResponseSchema.parse(await response.json()).ackSeq).toBe(Math.min(from + 2000, records.length));
        // The checkpoint asked for by this batch (or a later one) has copied every frame of the WAL.
        const result = await server.walCheckpointer!.checkpointed();
        expect(result.busy).toBe(0);
        expect(result.checkpointed).toBe(result.log);
        walSizes.push(statSync(walFile).size);
      }
      // 6 batches of ~1 MiB: without checkpoints the WAL would hold all of them; here the next write
      // starts it again from its beginning each time, so it never holds much more than one batch.
      const oneBatch = Buffer.byteLength(wireRecordsJson(records.slice(0, 2000)));
      expect(Math.max(...walSizes)).toBeLessThan(3 * oneBatch);
    } finally {
      await server.close();
    }
    expect(server.walCheckpointer?.running).toBe(false);
    const { db } = openServerDb(dataDir);
    try {
      expect(countLogRecords(db, 'term-wal')).toBe(records.length);
      const stored = logRecordsAfter(db, 'term-wal', 0, records.length + 1);
      expect(stored.map((record) => record.hash)).toEqual(records.map((record) => record.hash));
      expect(verifyChain(stored, null, 'term-wal', sha256)).toBeNull();
    } finally {
      db.close();
    }
  });

  it('gives the server connection SQLite\'s own checkpoint back when the worker cannot run', async () => {
    const dataDir = tempDir();
    const { db } = openServerDb(dataDir);
    try {
      const missing = join(dataDir, 'no-such.sqlite');
      expect(existsSync(missing)).toBe(false);
      const errors: Error[] = [];
      const failed = new Promise<void>((resolve) => {
        const checkpointer = startWalCheckpointer(db, missing, (error) => {
          errors.push(error);
          resolve();
        });
        expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(BACKSTOP_PAGES);
        void checkpointer.checkpointed().catch((error: unknown) => errors.push(error as Error));
      });
      await failed;
      expect(errors.length).toBeGreaterThan(0);
      expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(DEFAULT_AUTOCHECKPOINT_PAGES);
      expect(existsSync(missing)).toBe(false);
    } finally {
      db.close();
    }
  });

  it('closes with the server: the worker ends and the server connection is left as SQLite sets it', async () => {
    const dataDir = tempDir();
    const { db } = openServerDb(dataDir);
    try {
      const checkpointer = startWalCheckpointer(db, join(dataDir, DB_FILE_NAME));
      expect((await checkpointer.checkpointed()).busy).toBe(0);
      await checkpointer.close();
      expect(checkpointer.running).toBe(false);
      expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(DEFAULT_AUTOCHECKPOINT_PAGES);
      await expect(checkpointer.checkpointed()).rejects.toThrow();
    } finally {
      db.close();
    }
  });
});
