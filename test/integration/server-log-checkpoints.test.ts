// Signed checkpoints, `npm run server -- verify`, the append-only triggers, retention pruning and
// the server's own record of what it served — against real SQLite files in temp dirs.
import { spawnSync } from 'node:child_process';
import { createHash, createPublicKey, randomUUID, verify } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { GENESIS_HASH, sealRecord, type LogRecord, type LogRecordBody } from '../../src/domain/log/log-record';
import { registerTerminal } from '../../src/server/admin/register-terminal';
import { startServer, type RunningServer } from '../../src/server/app';
import { DAY_MS } from '../../src/server/clock';
import { DB_FILE_NAME } from '../../src/server/db/open';
import { seedDemoTown } from '../../src/server/demo/seed';
import {
  CHECKPOINT_KEY_FILE,
  CHECKPOINT_PUBLIC_KEY_FILE,
  checkpointPayload,
  dataDirCheckpointPublicKey,
  listCheckpoints,
} from '../../src/server/services/log-checkpoints';
import { DEFAULT_LOG_RETENTION_DAYS } from '../../src/server/services/log-retention';
import { recordServed, SERVED_EVENT_KINDS } from '../../src/server/services/served';
import { verifyStoredLog } from '../../src/server/services/log-verify';
import { listEvents } from '../../src/server/store/events';
import { listIntegrityAlerts } from '../../src/server/store/integrity-alerts';
import { countLogRecords, listPrunings } from '../../src/server/store/log-records';
import type { TerminalCredential } from '../../src/shared/server-api';

const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');
const START = Date.parse('2026-04-06T00:30:00.000Z');
const CLI = ['--import', 'tsx', 'src/server/cli.ts'];
const dirs: string[] = [];

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'kumiyama-server-ckpt-'));
  dirs.push(dir);
  return dir;
}

afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function chain(terminalId: string, count: number, from: { seq: number; hash: string; at: number } = { seq: 0, hash: GENESIS_HASH, at: START }): LogRecord[] {
  const records: LogRecord[] = [];
  let prevHash = from.hash;
  for (let i = 1; i <= count; i++) {
    const body: LogRecordBody = {
      terminalId,
      seq: from.seq + i,
      prevHash,
      at: new Date(from.at + i * 60_000).toISOString(),
      clockOffsetMs: 0,
      type: 'record.viewed',
      outcome: 'success',
      operatorId: 'op-yamada',
      cardKeyId: 'c'.repeat(64),
      detail: { recordId: `R-${from.seq + i}`, purpose: '住民票の写しの交付' },
    };
    const record = sealRecord(body, sha256);
    records.push(record);
    prevHash = record.hash;
  }
  return records;
}

async function send(server: RunningServer, credential: TerminalCredential, records: LogRecord[]): Promise<{ status: number; json: unknown }> {
  const response = await fetch(`${server.url}/api/v1/log-batches`, {
    method: 'POST',
    headers: { authorization: `Terminal ${credential.terminalId}:${credential.secret}`, 'content-type': 'application/json' },
    body: JSON.stringify({ batchId: randomUUID(), records }),
  });
  return { status: response.status, json: await response.json() };
}

function runVerify(dataDir: string, ...extra: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [...CLI, 'verify', '--data-dir', dataDir, ...extra], { encoding: 'utf8', timeout: 60_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** A server with two terminals and some stored records, closed again; returns its data dir. */
async function populated(): Promise<{ dataDir: string; records: LogRecord[]; credential: TerminalCredential }> {
  const dataDir = tempDir();
  const clock = { now: () => START };
  const server = await startServer({ dataDir, port: 0, clock, checkpointIntervalMs: 0 });
  try {
    const a = registerTerminal(server.db, { name: '窓口1', id: 'term-a', serverUrl: server.url, clock });
    registerTerminal(server.db, { name: '窓口2', id: 'term-b', serverUrl: server.url, clock });
    const records = chain('term-a', 300);
    expect((await send(server, a, records.slice(0, 200))).status).toBe(200);
    server.log.checkpoint();
    expect((await send(server, a, records.slice(200))).status).toBe(200);
    server.log.checkpoint();
    return { dataDir, records, credential: a };
  } finally {
    await server.close();
  }
}

/** Opens the database file directly, as someone with access to the server's disk could. */
function tamper(dataDir: string, sql: string): void {
  const db = new Database(join(dataDir, DB_FILE_NAME));
  try {
    db.exec(sql);
  } finally {
    db.close();
  }
}

describe('signed checkpoints', () => {
  it('creates the Ed25519 key at first start (private key 0600), keeps it across restarts', async () => {
    const dataDir = tempDir();
    let server = await startServer({ dataDir, port: 0, checkpointIntervalMs: 0 });
    const keyId = server.log.checkpointKeyId;
    await server.close();
    expect(statSync(join(dataDir, CHECKPOINT_KEY_FILE)).mode & 0o777).toBe(0o600);
    expect(readFileSync(join(dataDir, CHECKPOINT_PUBLIC_KEY_FILE), 'utf8')).toContain('BEGIN PUBLIC KEY');
    server = await startServer({ dataDir, port: 0, checkpointIntervalMs: 0 });
    try {
      expect(server.log.checkpointKeyId).toBe(keyId);
      expect(listEvents(server.db, { kind: 'log-checkpoint-key-created' })).toHaveLength(1);
    } finally {
      await server.close();
    }
  });

  it('are written at start, on demand and even when nothing arrived: chained, signed, with every terminal\'s head', async () => {
    const dataDir = tempDir();
    const clock = { t: START, now(): number { return this.t; } };
    const server = await startServer({ dataDir, port: 0, clock, checkpointIntervalMs: 0 });
    try {
      const a = registerTerminal(server.db, { name: '窓口1', id: 'term-a', serverUrl: server.url, clock });
      registerTerminal(server.db, { name: '窓口2', id: 'term-b', serverUrl: server.url, clock });
      clock.t += 300_000;
      const empty = server.log.checkpoint();
      clock.t += 300_000;
      const records = chain('term-a', 10);
      expect((await send(server, a, records)).status).toBe(200);
      const after = server.log.checkpoint();
      clock.t += 300_000;
      const idle = server.log.checkpoint(); // nothing arrived: still a new, signed, chained checkpoint

      const all = listCheckpoints(server.db);
      expect(all.map((c) => c.id)).toEqual([1, 2, 3, 4]);
      expect(all[0]!.previousCheckpointHash).toBe(GENESIS_HASH);
      for (let i = 1; i < all.length; i++) expect(all[i]!.previousCheckpointHash).toBe(all[i - 1]!.hash);
      expect(all.map((c) => c.at)).toEqual([START, START + 300_000, START + 600_000, START + 900_000]);
      expect(empty.heads).toEqual([
        { terminalId: 'term-a', seq: 0, hash: GENESIS_HASH },
        { terminalId: 'term-b', seq: 0, hash: GENESIS_HASH },
      ]);
      expect(after.heads).toEqual([
        { terminalId: 'term-a', seq: 10, hash: records[9]!.hash },
        { terminalId: 'term-b', seq: 0, hash: GENESIS_HASH },
      ]);
      expect(idle.heads).toEqual(after.heads);
      expect(idle.hash).not.toBe(after.hash);
      expect(idle.serverEvents.lastId).toBeGreaterThan(empty.serverEvents.lastId);

      // Anyone with the public key can check a checkpoint on their own.
      const publicKey = createPublicKey(readFileSync(join(dataDir, CHECKPOINT_PUBLIC_KEY_FILE), 'utf8'));
      for (const checkpoint of all) {
        const payload = checkpointPayload(checkpoint);
        expect(sha256(payload)).toBe(checkpoint.hash);
        expect(verify(null, payload, publicKey, Buffer.from(checkpoint.signature, 'base64'))).toBe(true);
        expect(JSON.parse(payload.toString('utf8'))).toMatchObject({ format: 'kumiyama-log-checkpoint/1', id: checkpoint.id, keyId: server.log.checkpointKeyId });
      }
      expect(verifyStoredLog(server.db, { trustedKeys: [dataDirCheckpointPublicKey(dataDir)!] }).problems).toEqual([]);
    } finally {
      await server.close();
    }
  });

  it('are written at the configured interval', async () => {
    const server = await startServer({ dataDir: tempDir(), port: 0, checkpointIntervalMs: 40 });
    try {
      await new Promise((resolve) => setTimeout(resolve, 400));
      expect(listCheckpoints(server.db).length).toBeGreaterThanOrEqual(4);
    } finally {
      await server.close();
    }
  });
});

describe('stored records, checkpoints and alerts are append-only', () => {
  it('UPDATE, DELETE and INSERT OR REPLACE are refused by triggers', async () => {
    const { dataDir } = await populated();
    const refused = [
      // Records are stored in chunks of consecutive records (log_chunks), found by time/operator/type through log_chunk_index.
      ["UPDATE log_chunks SET records = json_set(records, '$[4].detail', json('{}')) WHERE terminal_id = 'term-a' AND first_seq = 1", /append-only/],
      ["DELETE FROM log_chunks WHERE terminal_id = 'term-a' AND last_seq = 300", /only the retention pruning/],
      [
        `INSERT OR REPLACE INTO log_chunks (terminal_id, first_seq, last_seq, last_hash, min_at_ms, max_at_ms, received_at, records)
         SELECT terminal_id, first_seq, last_seq, last_hash, min_at_ms, max_at_ms, received_at, '[]' FROM log_chunks WHERE terminal_id = 'term-a' AND first_seq = 1`,
        /never replaced/,
      ],
      [
        `INSERT INTO log_chunks (terminal_id, first_seq, last_seq, last_hash, min_at_ms, max_at_ms, received_at, records)
         SELECT terminal_id, 250, 260, last_hash, min_at_ms, max_at_ms, received_at, '[]' FROM log_chunks WHERE terminal_id = 'term-a' AND first_seq = 1`,
        /never replaced/,
      ],
      ["UPDATE log_chunk_index SET max_at_ms = 0", /append-only/],
      ["DELETE FROM log_chunk_index WHERE terminal_id = 'term-a'", /only with its pruned chunk/],
      ["UPDATE log_records SET type = 'x.y' WHERE seq = 7", /view/],
      ['DELETE FROM log_checkpoints WHERE id = 2', /append-only/],
      ["UPDATE log_checkpoints SET heads = '[]'", /append-only/],
      ["INSERT INTO integrity_alerts (at, kind, detail) VALUES (0, 'x', '{}'); DELETE FROM integrity_alerts", /append-only/],
    ] as const;
    for (const [sql, message] of refused) expect(() => tamper(dataDir, sql), sql).toThrow(message);
    expect(runVerify(dataDir).status).toBe(0);
  });

  it('a hole in the stored log found during ingest: 500 (the terminal retries later), integrity alert, nothing stored', async () => {
    const { dataDir, records, credential } = await populated();
    // Record 150 taken out of its chunk (1–200).
    tamper(dataDir, "DROP TRIGGER log_chunks_no_update; UPDATE log_chunks SET records = json_remove(records, '$[149]') WHERE terminal_id = 'term-a' AND first_seq = 1;");
    const server = await startServer({ dataDir, port: 0, checkpointIntervalMs: 0 });
    try {
      const more = chain('term-a', 10, { seq: 300, hash: records[299]!.hash, at: START + 300 * 60_000 });
      const reply = await send(server, credential, [...records.slice(140, 300), ...more]);
      expect(reply.status).toBe(500);
      expect(reply.json).toMatchObject({ error: { code: 'internal' } });
      expect(countLogRecords(server.db, 'term-a')).toBe(299);
      expect(listIntegrityAlerts(server.db).at(-1)).toMatchObject({ terminalId: 'term-a', kind: 'log-stored-chain-damaged', seq: 150 });
      expect((await send(server, credential, more)).status).toBe(200); // new records after the head still arrive
    } finally {
      await server.close();
    }
    expect(runVerify(dataDir).stdout).toContain('端末 term-a 連番 150: 連番が飛んでいます（記録の削除）');
  });
});

describe('npm run server -- verify', () => {
  it('clean: exit 0, prints what it checked', async () => {
    const { dataDir } = await populated();
    const result = runVerify(dataDir);
    expect(result.status, result.stderr + result.stdout).toBe(0);
    expect(result.stdout).toContain('操作ログの検証 (verify)');
    expect(result.stdout).toMatch(/term-a: 300件 連番 1〜300/);
    expect(result.stdout).toMatch(/term-b: 0件 記録なし/);
    expect(result.stdout).toMatch(/チェックポイント \(checkpoints\): 3件 #1〜#3/);
    expect(result.stdout).toContain('結果: 問題なし (clean)');
  });

  it('detects a record modified directly in SQLite (trigger dropped): exit 1, names terminal and seq', async () => {
    const { dataDir } = await populated();
    tamper(dataDir, `DROP TRIGGER log_chunks_no_update;
      UPDATE log_chunks SET records = json_set(records, '$[41].detail', json('{"recordId":"R-99","purpose":"目的外"}')) WHERE terminal_id = 'term-a' AND first_seq = 1;`);
    const result = runVerify(dataDir);
    expect(result.status).toBe(1);
    expect(result.stdout).toContain('端末 term-a 連番 42: 記録の内容がハッシュ値と一致しません');
    expect(result.stdout).toContain('保護トリガー log_chunks_no_update がありません');
    expect(result.stdout).toContain('結果: 問題あり (problems found)');
  });

  it('detects a record rewritten with a fresh hash (chain and checkpoint), and deleted records at the end', async () => {
    const { dataDir, records } = await populated();
    const forged = sealRecord({ ...records[199]!, type: 'record.printed' }, sha256);
    tamper(dataDir, `DROP TRIGGER log_chunks_no_update;
      UPDATE log_chunks SET records = json_set(records, '$[199].type', 'record.printed'), hashes = substr(hashes, 1, 199 * 64) || '${forged.hash}', last_hash = '${forged.hash}'
      WHERE terminal_id = 'term-a' AND first_seq = 1;`);
    let result = runVerify(dataDir);
    expect(result.status).toBe(1);
    expect(result.stdout).toContain('端末 term-a 連番 201: 直前の記録とハッシュ連鎖がつながっていません');
    expect(result.stdout).toContain('端末 term-a 連番 200: 記録のハッシュ値がチェックポイント #2 の署名した値と異なります');

    const second = await populated();
    // Records 251–300 taken out of their chunk (201–300).
    tamper(second.dataDir, `DROP TRIGGER log_chunks_no_update;
      UPDATE log_chunks SET records = (SELECT json_group_array(json(value)) FROM json_each(log_chunks.records) WHERE key < 50) WHERE terminal_id = 'term-a' AND first_seq = 201;`);
    result = runVerify(second.dataDir);
    expect(result.status).toBe(1);
    expect(result.stdout).toContain('端末 term-a 連番 300: チェックポイント #3 が署名した記録がありません（削除）');
  });

  it('detects a deleted checkpoint, a forged one and a deleted server event', async () => {
    const { dataDir } = await populated();
    tamper(dataDir, 'DROP TRIGGER log_checkpoints_no_delete; DELETE FROM log_checkpoints WHERE id = 2;');
    let result = runVerify(dataDir);
    expect(result.status).toBe(1);
    expect(result.stdout).toContain('チェックポイント #2 がありません（削除）');
    expect(result.stdout).toContain('チェックポイント #3 が直前のチェックポイントとつながっていません');

    const second = await populated();
    tamper(second.dataDir, `DROP TRIGGER log_checkpoints_no_update; UPDATE log_checkpoints SET heads = '[]' WHERE id = 3;`);
    result = runVerify(second.dataDir);
    expect(result.status).toBe(1);
    expect(result.stdout).toContain('チェックポイント #3 の内容がハッシュ値と一致しません');

    const third = await populated();
    tamper(third.dataDir, `DROP TRIGGER server_events_no_delete; DELETE FROM server_events WHERE kind = 'log-batch-received';`);
    result = runVerify(third.dataDir);
    expect(result.status).toBe(1);
    expect(result.stdout).toMatch(/サーバーイベント \(server_events\) の id \d+ までの内容がチェックポイント #2 と一致しません/);
  });

  it('trusts only --public-key when given; a checkpoint signed with another key is reported', async () => {
    const { dataDir } = await populated();
    const other = await populated();
    const ownKey = join(dataDir, CHECKPOINT_PUBLIC_KEY_FILE);
    expect(runVerify(dataDir, '--public-key', ownKey).status).toBe(0);
    const result = runVerify(dataDir, '--public-key', join(other.dataDir, CHECKPOINT_PUBLIC_KEY_FILE));
    expect(result.status).toBe(1);
    expect(result.stdout).toContain('チェックポイント #1 は信頼する鍵以外で署名されています');
    const notAKey = join(dataDir, 'not-a-key.pem');
    writeFileSync(notAKey, 'x');
    expect(runVerify(dataDir, '--public-key', notAKey).status).toBe(2);
    expect(runVerify(join(dataDir, 'nothing-here')).status).toBe(2);
  });
});

describe('retention', () => {
  it('prunes records older than the retention from the start of each chain, keeps an anchor, stays verifiable, ingest continues', async () => {
    const dataDir = tempDir();
    const clock = { t: START, now(): number { return this.t; } };
    let server = await startServer({ dataDir, port: 0, clock, checkpointIntervalMs: 0 });
    const a = registerTerminal(server.db, { name: '窓口1', id: 'term-a', serverUrl: server.url, clock });
    const old = chain('term-a', 100, { seq: 0, hash: GENESIS_HASH, at: START - 60 * DAY_MS });
    expect((await send(server, a, old)).status).toBe(200);
    clock.t = START + 2 * DAY_MS;
    const young = chain('term-a', 50, { seq: 100, hash: old[99]!.hash, at: START + DAY_MS });
    expect((await send(server, a, young)).status).toBe(200);
    server.log.checkpoint();

    // 7 years on, the first 100 (older than 7 years by event time and by arrival) go.
    clock.t = START + (DEFAULT_LOG_RETENTION_DAYS + 1) * DAY_MS;
    expect(server.log.prune().pruned).toEqual([{ terminalId: 'term-a', fromSeq: 1, toSeq: 100, records: 100, anchorHash: old[99]!.hash }]);
    expect(countLogRecords(server.db, 'term-a')).toBe(50);
    expect(listPrunings(server.db)).toMatchObject([{ terminalId: 'term-a', fromSeq: 1, toSeq: 100, anchorHash: old[99]!.hash, retentionDays: DEFAULT_LOG_RETENTION_DAYS }]);
    expect(listEvents(server.db, { kind: 'log-pruned' })).toHaveLength(1);
    expect(() => server.db.prepare('DELETE FROM log_prunings').run()).toThrow(/append-only/);
    expect(() => server.db.prepare('UPDATE log_prunings SET to_seq = 1000').run()).toThrow(/append-only/);
    expect(server.log.prune().pruned).toEqual([]); // nothing more is old enough
    server.log.checkpoint();

    // A resend that reaches into the pruned range is still acknowledged; new records continue the chain.
    expect((await send(server, a, [...old.slice(95), ...young.slice(0, 5)])).json).toEqual({ ackSeq: 150, ackHash: young[49]!.hash });
    const more = chain('term-a', 5, { seq: 150, hash: young[49]!.hash, at: clock.t });
    expect((await send(server, a, more)).json).toEqual({ ackSeq: 155, ackHash: more[4]!.hash });
    await server.close();

    const result = runVerify(dataDir);
    expect(result.status, result.stdout).toBe(0);
    expect(result.stdout).toMatch(/term-a: 55件 連番 101〜155 .*保存期間により〜100を削除済み/);

    // Everything old, after a restart with a shorter retention: the anchor becomes the head.
    clock.t += 30 * DAY_MS;
    server = await startServer({ dataDir, port: 0, clock, checkpointIntervalMs: 0, logRetentionDays: 10 });
    try {
      expect(countLogRecords(server.db, 'term-a')).toBe(0);
      const head = { ackSeq: 155, ackHash: more[4]!.hash };
      const cursor = await fetch(`${server.url}/api/v1/log-cursor`, { headers: { authorization: `Terminal term-a:${a.secret}` } });
      expect(await cursor.json()).toEqual(head);
      expect(listIntegrityAlerts(server.db)).toEqual([]);
    } finally {
      await server.close();
    }
    expect(runVerify(dataDir).status).toBe(0);
  });

  it('a pruning must be recorded first and may delete only old records in its range', async () => {
    const { dataDir, records } = await populated();
    // A forged pruning row with a cutoff that does not cover the records (they arrived "now").
    tamper(dataDir, `INSERT INTO log_prunings (at, terminal_id, from_seq, to_seq, anchor_hash, records, cutoff, retention_days)
      VALUES (${START}, 'term-a', 1, 10, '${records[9]!.hash}', 10, ${START - 2 * DAY_MS}, 1)`);
    expect(() => tamper(dataDir, "DELETE FROM log_chunks WHERE terminal_id = 'term-a' AND first_seq <= 10")).toThrow(/only the retention pruning/);
  });
});

describe('the server records what it served (issue 3 item 5)', () => {
  it('a roster fetch is recorded before it is answered, through the one recorder every data route uses', async () => {
    const dataDir = tempDir();
    const server = await startServer({ dataDir, port: 0, checkpointIntervalMs: 0 });
    try {
      await seedDemoTown(server.db, { dataDir, clock: { now: () => Date.now() }, serverUrl: server.url });
      const credential = JSON.parse(readFileSync(join(dataDir, 'demo-terminal.json'), 'utf8')) as TerminalCredential;
      const before = listEvents(server.db, { kind: 'roster-fetched' }).length;
      const response = await fetch(`${server.url}/api/v1/roster`, { headers: { authorization: `Terminal ${credential.terminalId}:${credential.secret}` } });
      expect(response.status).toBe(200);
      const events = listEvents(server.db, { kind: 'roster-fetched' });
      expect(events).toHaveLength(before + 1);
      expect(events.at(-1)).toMatchObject({ terminalId: credential.terminalId, operatorId: null, detail: { operators: 6 } });
      expect(SERVED_EVENT_KINDS.roster).toBe('roster-fetched');
      // A future resident-data route calls the same function with its operator and what it showed.
      recordServed(server.db, { at: Date.now(), terminalId: credential.terminalId, operatorId: 'op-yamada', data: 'roster', detail: { count: 1 } });
      expect(listEvents(server.db, { kind: 'roster-fetched' }).at(-1)).toMatchObject({ operatorId: 'op-yamada', detail: { count: 1 } });
      // And the checkpoints cover these rows: deleting one is detected.
      server.log.checkpoint();
      expect(verifyStoredLog(server.db, { trustedKeys: [dataDirCheckpointPublicKey(dataDir)!] }).problems).toEqual([]);
    } finally {
      await server.close();
    }
  });
});
