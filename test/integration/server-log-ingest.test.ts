// Operation-log ingest against the real server: SQLite in a temp dir, HTTP on 127.0.0.1 (issue 3,
// docs/log-protocol.md). Chains are built with the domain's sealRecord and node:crypto SHA-256.
import { createHash, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServerProcess } from '../support/server-process';
import { GENESIS_HASH, sealRecord, verifyChain, type LogRecord, type LogRecordBody } from '../../src/domain/log/log-record';
import { registerTerminal } from '../../src/server/admin/register-terminal';
import { startServer, type RunningServer } from '../../src/server/app';
import { openServerDb, type ServerDb } from '../../src/server/db/open';
import { listEvents } from '../../src/server/store/events';
import { listIntegrityAlerts } from '../../src/server/store/integrity-alerts';
import { countLogRecords, logRecordsAfter } from '../../src/server/store/log-records';
import { LogBatchResponseSchema, MAX_BATCH_RECORDS, type LogBatchResponse } from '../../src/shared/log-api';
import { ErrorResponseSchema, type TerminalCredential } from '../../src/shared/server-api';

const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');
const START = Date.parse('2026-04-06T00:30:00.000Z'); // Monday 09:30 JST
const clock = { t: START, now(): number { return this.t; } };
const dirs: string[] = [];

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'kumiyama-server-log-'));
  dirs.push(dir);
  return dir;
}

/** A terminal's log as the terminal would write it. */
class TerminalLog {
  readonly records: LogRecord[] = [];
  constructor(
    readonly terminalId: string,
    public time = START,
  ) {}

  append(count: number, overrides: Partial<LogRecordBody> = {}, stepMs = 1000): LogRecord[] {
    const added: LogRecord[] = [];
    for (let i = 0; i < count; i++) {
      const seq = this.records.length + 1;
      this.time += stepMs;
      const body: LogRecordBody = {
        terminalId: this.terminalId,
        seq,
        prevHash: this.records.at(-1)?.hash ?? GENESIS_HASH,
        at: new Date(this.time).toISOString(),
        clockOffsetMs: 40,
        type: ['resident.search', 'record.viewed', 'card.inserted', 'session.locked'][seq % 4]!,
        outcome: 'info',
        operatorId: seq % 5 === 0 ? null : 'op-yamada',
        cardKeyId: seq % 5 === 0 ? null : 'c'.repeat(64),
        detail: { purpose: '転入届の確認', criteria: 'kana', results: seq % 7, masked: true, n: seq },
        ...overrides,
      };
      const record = sealRecord(body, sha256);
      this.records.push(record);
      added.push(record);
    }
    return added;
  }

  range(from: number, to: number): LogRecord[] {
    return this.records.slice(from - 1, to);
  }
}

interface Reply {
  status: number;
  json: unknown;
  text: string;
  headers: Headers;
}

async function request(url: string, path: string, options: { method?: string; auth?: string | null; body?: unknown; raw?: string; contentType?: string } = {}): Promise<Reply> {
  const headers: Record<string, string> = {};
  if (options.auth) headers.authorization = options.auth;
  let body: string | undefined;
  if (options.raw !== undefined || options.body !== undefined) {
    body = options.raw ?? JSON.stringify(options.body);
    headers['content-type'] = options.contentType ?? 'application/json';
  }
  const response = await fetch(`${url}${path}`, { method: options.method ?? (body === undefined ? 'GET' : 'POST'), headers, body });
  const text = await response.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, json, text, headers: response.headers };
}

function auth(credential: Pick<TerminalCredential, 'terminalId' | 'secret'>): string {
  return `Terminal ${credential.terminalId}:${credential.secret}`;
}

function expectError(reply: Reply, status: number, code: string): string {
  expect(reply.status, reply.text).toBe(status);
  expect(reply.headers.get('content-type')).toMatch(/^application\/json/);
  const parsed = ErrorResponseSchema.parse(reply.json);
  expect(parsed.error.code).toBe(code);
  expect(parsed.error.message).toMatch(/[ぁ-んァ-ン一-龯]/);
  expect(reply.text).not.toMatch(/stack|SQLITE|INSERT |node_modules/i);
  return parsed.error.message;
}

/** Everything stored for a terminal, in order (also proves the stored chain verifies). */
function stored(db: ServerDb, terminalId: string): LogRecord[] {
  const rows = logRecordsAfter(db, terminalId, 0, 1_000_000);
  expect(verifyChain(rows, null, terminalId, sha256)).toBeNull();
  return rows.map(({ atMs: _atMs, receivedAt: _receivedAt, ...record }) => record);
}

describe('POST /api/v1/log-batches, GET /api/v1/log-cursor', () => {
  let server: RunningServer;
  let a: TerminalCredential;
  let b: TerminalCredential;
  let logA: TerminalLog;

  const send = (records: LogRecord[], credential: TerminalCredential = a, batchId: string = randomUUID()) =>
    request(server.url, '/api/v1/log-batches', { auth: auth(credential), body: { batchId, records } });
  const cursor = async (credential: TerminalCredential = a): Promise<LogBatchResponse> => {
    const reply = await request(server.url, '/api/v1/log-cursor', { auth: auth(credential) });
    expect(reply.status).toBe(200);
    return LogBatchResponseSchema.parse(reply.json);
  };
  const alerts = () => listIntegrityAlerts(server.db, { terminalId: a.terminalId });

  /** Sends a batch that must be refused: same code, nothing stored, one more integrity alert. */
  async function expectRefused(records: LogRecord[], status: number, code: string, seq: number, credential: TerminalCredential = a): Promise<string> {
    const before = { count: countLogRecords(server.db, credential.terminalId), cursor: await cursor(credential), alerts: listIntegrityAlerts(server.db).length };
    const message = expectError(await send(records, credential), status, code);
    expect(countLogRecords(server.db, credential.terminalId)).toBe(before.count);
    expect(await cursor(credential)).toEqual(before.cursor);
    const all = listIntegrityAlerts(server.db);
    expect(all).toHaveLength(before.alerts + 1);
    expect(all.at(-1)).toMatchObject({ terminalId: credential.terminalId, kind: code, seq });
    expect(listEvents(server.db, { kind: 'log-integrity-alert' }).at(-1)?.detail).toMatchObject({ alert: code, seq });
    return message;
  }

  beforeAll(async () => {
    server = await startServer({ dataDir: tempDir(), port: 0, clock });
    a = registerTerminal(server.db, { name: '住民課窓口1', id: 'term-a', serverUrl: server.url, clock });
    b = registerTerminal(server.db, { name: '住民課窓口2', id: 'term-b', serverUrl: server.url, clock });
    logA = new TerminalLog('term-a');
    logA.append(400);
  });

  afterAll(async () => {
    await server?.close();
  });

  it('a new terminal starts at 0 and the genesis hash', async () => {
    expect(await cursor(b)).toEqual({ ackSeq: 0, ackHash: GENESIS_HASH });
  });

  it('stores a batch in order and acknowledges up to its last record', async () => {
    const reply = await send(logA.range(1, 100));
    expect(reply.status, reply.text).toBe(200);
    expect(LogBatchResponseSchema.parse(reply.json)).toEqual({ ackSeq: 100, ackHash: logA.records[99]!.hash });
    expect(await cursor()).toEqual({ ackSeq: 100, ackHash: logA.records[99]!.hash });
    expect(stored(server.db, 'term-a')).toEqual(logA.range(1, 100));
    expect(listEvents(server.db, { kind: 'log-batch-received' }).at(-1)?.detail).toMatchObject({ firstSeq: 1, lastSeq: 100, stored: 100, alreadyStored: 0, ackSeq: 100 });
    // Stored as the canonical encoding the terminal hashed (plus the hash): `at` exactly as sent, the event time for queries, the arrival.
    const row = server.db.prepare('SELECT at, received_at, detail FROM log_records WHERE terminal_id = ? AND seq = 7').get('term-a') as Record<string, unknown>;
    expect({ ...row, detail: JSON.parse(row.detail as string) as unknown }).toEqual({ at: logA.records[6]!.at, received_at: clock.now(), detail: logA.records[6]!.detail });
    expect(logRecordsAfter(server.db, 'term-a', 6, 1)[0]).toMatchObject({ seq: 7, atMs: Date.parse(logA.records[6]!.at), receivedAt: clock.now() });
  });

  it('resend of an acknowledged batch: 200 with the current ack, nothing stored twice (also a replayed request)', async () => {
    const batchId = randomUUID();
    const first = await send(logA.range(101, 150), a, batchId);
    expect(first.status).toBe(200);
    const replay = await send(logA.range(101, 150), a, batchId);
    expect(replay.status).toBe(200);
    expect(replay.json).toEqual(first.json);
    const older = await send(logA.range(1, 100));
    expect(older.status).toBe(200);
    expect(older.json).toEqual({ ackSeq: 150, ackHash: logA.records[149]!.hash }); // the current ack, not the batch's end
    expect(countLogRecords(server.db, 'term-a')).toBe(150);
    expect(listEvents(server.db, { kind: 'log-batch-received' }).at(-1)?.detail).toMatchObject({ stored: 0, alreadyStored: 100 });
    expect(alerts()).toEqual([]);
  });

  it('an overlapping batch: the known part is checked equal, the new part stored', async () => {
    const reply = await send(logA.range(121, 200));
    expect(reply.status, reply.text).toBe(200);
    expect(reply.json).toEqual({ ackSeq: 200, ackHash: logA.records[199]!.hash });
    expect(stored(server.db, 'term-a')).toEqual(logA.range(1, 200));
    expect(listEvents(server.db, { kind: 'log-batch-received' }).at(-1)?.detail).toMatchObject({ firstSeq: 121, stored: 50, alreadyStored: 30 });
  });

  it('out-of-order or missing records (a gap) → 409 log-gap, nothing stored, integrity alert', async () => {
    const message = await expectRefused(logA.range(211, 250), 409, 'log-gap', 211);
    expect(message).toContain('log-cursor');
    expect(alerts().at(-1)?.detail).toMatchObject({ expected: 201, storedSeq: 200, firstSeq: 211, lastSeq: 250, count: 40 });
    // Swapped inside the batch, and a record left out in the middle.
    const swapped = logA.range(201, 210);
    [swapped[3], swapped[4]] = [swapped[4]!, swapped[3]!];
    await expectRefused(swapped, 409, 'log-gap', 205);
    await expectRefused(logA.range(201, 210).filter((r) => r.seq !== 206), 409, 'log-gap', 207);
    // A batch whose start was cut off (truncated).
    await expectRefused(logA.range(203, 210), 409, 'log-gap', 203);
  });

  it('a record altered before sync → 409 log-hash-mismatch (kept hash) or log-broken-link (resealed)', async () => {
    const batch = logA.range(201, 220);
    const altered = batch.map((r) => (r.seq === 205 ? { ...r, detail: { ...r.detail, results: 99 } } : r));
    await expectRefused(altered, 409, 'log-hash-mismatch', 205);
    const truncated = batch.map((r) => (r.seq === 210 ? { ...r, detail: { ...r.detail, purpose: '転入' } } : r));
    await expectRefused(truncated, 409, 'log-hash-mismatch', 210);
    const resealed = batch.map((r) => (r.seq === 212 ? sealRecord({ ...r, operatorId: 'op-sato' }, sha256) : r));
    await expectRefused(resealed, 409, 'log-broken-link', 213);
    // The first new record not linked to the stored head.
    const relinked = [sealRecord({ ...logA.records[200]!, prevHash: 'f'.repeat(64) }, sha256)];
    await expectRefused(relinked, 409, 'log-broken-link', 201);
    // Valid records followed by a bad one: the whole batch is refused, not its valid start.
    await expectRefused([...logA.range(201, 230), { ...logA.records[230]!, hash: 'e'.repeat(64) }], 409, 'log-hash-mismatch', 231);
  });

  it('a seq already stored with another hash → 409 log-conflict (also inside an overlapping batch)', async () => {
    const rewritten = sealRecord({ ...logA.records[149]!, type: 'resident.export' }, sha256);
    const message = await expectRefused([rewritten], 409, 'log-conflict', 150);
    expect(message).toContain('改ざん');
    expect(alerts().at(-1)?.detail).toMatchObject({ receivedHash: rewritten.hash, storedHash: logA.records[149]!.hash });
    const overlapping = logA.range(190, 230).map((r) => (r.seq === 195 ? sealRecord({ ...r, outcome: 'failure' }, sha256) : r));
    await expectRefused(overlapping, 409, 'log-conflict', 195);
  });

  it('another terminal\'s records → 403 log-wrong-terminal; each terminal has its own chain', async () => {
    await expectRefused(logA.range(201, 210), 403, 'log-wrong-terminal', 201, b);
    const mixed = [...logA.range(201, 205)];
    const logB = new TerminalLog('term-b');
    const own = logB.append(3);
    await expectRefused([...own, ...mixed], 403, 'log-wrong-terminal', 201, b);
    const reply = await send(own, b);
    expect(reply.status).toBe(200);
    expect(reply.json).toEqual({ ackSeq: 3, ackHash: own[2]!.hash });
    expect(await cursor()).toMatchObject({ ackSeq: 200 });
  });

  it('a reused batchId with other content changes nothing the chain does not allow', async () => {
    const batchId = randomUUID();
    expect((await send(logA.range(201, 210), a, batchId)).status).toBe(200);
    expectError(await send(logA.range(230, 240), a, batchId), 409, 'log-gap');
    expect((await send(logA.range(211, 220), a, batchId)).json).toEqual({ ackSeq: 220, ackHash: logA.records[219]!.hash });
    expect(stored(server.db, 'term-a')).toEqual(logA.range(1, 220));
  });

  it('bad input → 4xx JSON error, nothing stored, the server keeps running', async () => {
    const before = countLogRecords(server.db, 'term-a');
    const url = server.url;
    const next = logA.range(221, 225);
    const path = '/api/v1/log-batches';
    expectError(await request(url, path, { auth: auth(a), raw: '{"batchId": "x", "records": [' }), 400, 'malformed-json');
    expectError(await request(url, path, { auth: auth(a), raw: '' }), 400, 'malformed-json');
    expectError(await request(url, path, { auth: auth(a), body: { batchId: randomUUID(), records: next.map((r) => ({ ...r, seq: String(r.seq) })) } }), 400, 'invalid-request');
    expectError(await request(url, path, { auth: auth(a), body: { batchId: randomUUID(), records: next, extra: 1 } }), 400, 'invalid-request');
    expectError(await request(url, path, { auth: auth(a), body: { batchId: randomUUID(), records: next.map((r) => ({ ...r, note: 'x' })) } }), 400, 'invalid-request');
    expectError(await request(url, path, { auth: auth(a), body: { batchId: randomUUID(), records: [] } }), 400, 'invalid-request');
    expectError(await request(url, path, { auth: auth(a), body: { batchId: 'not-a-uuid', records: next } }), 400, 'invalid-request');
    expectError(await request(url, path, { auth: auth(a), body: [next] }), 400, 'invalid-request');
    const { hash: _hash, ...withoutHash } = next[0]!;
    expectError(await request(url, path, { auth: auth(a), body: { batchId: randomUUID(), records: [withoutHash] } }), 400, 'invalid-request');
    expectError(await request(url, path, { auth: auth(a), body: { batchId: randomUUID(), records: [{ ...next[0]!, detail: { nested: { x: 1 } } }] } }), 400, 'invalid-request');
    expectError(await request(url, path, { auth: auth(a), body: { batchId: randomUUID(), records: [{ ...next[0]!, at: '2026-04-06 09:30' }] } }), 400, 'invalid-request');
    expectError(await request(url, path, { auth: auth(a), body: { batchId: randomUUID(), records: [{ ...next[0]!, seq: 0 }] } }), 400, 'invalid-request');
    // What JSON Schema cannot say but the contract (zod) does.
    const tooMany = Object.fromEntries(Array.from({ length: 33 }, (_, i) => [`f${i}`, i]));
    expect(expectError(await request(url, path, { auth: auth(a), body: { batchId: randomUUID(), records: [{ ...next[0]!, detail: tooMany }] } }), 400, 'invalid-request')).toContain('項目が多すぎます');
    const emoji = '😀'.repeat(501); // lengths count code points, as in zod
    expectError(await request(url, path, { auth: auth(a), body: { batchId: randomUUID(), records: [{ ...next[0]!, detail: { text: emoji } }] } }), 400, 'invalid-request');
    const loneSurrogate = sealRecord({ ...next[0]!, operatorId: 'op-\ud800' }, sha256);
    expectError(await request(url, path, { auth: auth(a), body: { batchId: randomUUID(), records: [loneSurrogate] } }), 400, 'invalid-request');
    // Too many records, a body over 8 MiB, another content type.
    const many = Array.from({ length: MAX_BATCH_RECORDS + 1 }, () => next[0]!);
    expectError(await request(url, path, { auth: auth(a), body: { batchId: randomUUID(), records: many } }), 400, 'invalid-request');
    const huge = JSON.stringify({ batchId: randomUUID(), records: [{ ...next[0]!, detail: { text: 'x'.repeat(9 * 1024 * 1024) } }] });
    expectError(await request(url, path, { auth: auth(a), raw: huge }), 413, 'body-too-large');
    expectError(await request(url, path, { auth: auth(a), raw: JSON.stringify({ batchId: randomUUID(), records: next }), contentType: 'text/plain' }), 415, 'unsupported-media-type');
    // Authentication: none, malformed, unknown terminal, wrong secret, retired.
    for (const header of [null, 'Bearer x', `Terminal term-nobody:${a.secret}`, `Terminal ${a.terminalId}:${b.secret}`]) {
      const reply = await request(url, path, { auth: header, body: { batchId: randomUUID(), records: next } });
      expectError(reply, 401, 'terminal-unauthorized');
      expect(reply.headers.get('www-authenticate')).toBe('Terminal');
      expectError(await request(url, '/api/v1/log-cursor', { auth: header }), 401, 'terminal-unauthorized');
    }
    expect(countLogRecords(server.db, 'term-a')).toBe(before);
    expect((await request(url, '/healthz')).status).toBe(200);
    expect((await send(next)).json).toEqual({ ackSeq: 225, ackHash: next[4]!.hash });
  });

  it('the 8 MiB limit is for this route only: the other routes keep 1 MiB', async () => {
    const big = logA.append(3000, { detail: { purpose: '住民票の写しの交付に伴う本人確認のための検索（窓口申請）', criteria: 'name+birthdate', results: 1 } });
    const body = JSON.stringify({ batchId: randomUUID(), records: logA.range(226, 400 + 3000) });
    expect(body.length).toBeGreaterThan(1024 * 1024);
    const reply = await request(server.url, '/api/v1/log-batches', { auth: auth(a), raw: body });
    expect(reply.status, reply.text).toBe(200);
    expect(reply.json).toEqual({ ackSeq: 3400, ackHash: big.at(-1)!.hash });
    const other = await request(server.url, '/api/v1/signin-attempts', { auth: auth(a), raw: JSON.stringify({ pad: 'x'.repeat(1024 * 1024 + 10) }) });
    expectError(other, 413, 'body-too-large');
  });

  it('/openapi.json lists the log routes with the shared schemas', async () => {
    const doc = (await request(server.url, '/openapi.json')).json as { paths: Record<string, Record<string, { requestBody?: unknown; responses: Record<string, unknown> }>> };
    const post = doc.paths['/api/v1/log-batches']?.post;
    expect(post).toBeDefined();
    expect(JSON.stringify(post?.requestBody)).toContain('prevHash');
    expect(Object.keys(post!.responses)).toEqual(expect.arrayContaining(['200', '400', '401', '403', '409', '413', '415']));
    expect(JSON.stringify(doc.paths['/api/v1/log-cursor']?.get?.responses['200'])).toContain('ackHash');
  });
});

describe('a terminal offline for a week catches up', () => {
  it('500 records a day for 7 days arrive in order, in batches, exactly once', async () => {
    const server = await startServer({ dataDir: tempDir(), port: 0, clock });
    try {
      const credential = registerTerminal(server.db, { name: '住民課窓口3', id: 'term-week', serverUrl: server.url, clock });
      const log = new TerminalLog('term-week');
      for (let day = 0; day < 7; day++) {
        const opening = START + day * 86_400_000; // 09:30 JST each day
        log.time = opening;
        log.append(500, {}, Math.floor((7.5 * 3_600_000) / 500)); // spread over the working day
      }
      expect(log.records).toHaveLength(3500);
      clock.t = START + 7 * 86_400_000;
      // The terminal resumes from the server's cursor and sends in order.
      let sent = 0;
      for (;;) {
        const { ackSeq } = LogBatchResponseSchema.parse((await request(server.url, '/api/v1/log-cursor', { auth: auth(credential) })).json);
        if (ackSeq === log.records.length) break;
        const batch = log.range(ackSeq + 1, Math.min(ackSeq + 400, log.records.length));
        const reply = await request(server.url, '/api/v1/log-batches', { auth: auth(credential), body: { batchId: randomUUID(), records: batch } });
        expect(reply.status, reply.text).toBe(200);
        sent++;
      }
      expect(sent).toBe(9);
      expect(stored(server.db, 'term-week')).toEqual(log.records);
      const times = logRecordsAfter(server.db, 'term-week', 0, 1_000_000).map((record) => record.atMs);
      expect(times).toEqual([...times].sort((x, y) => x - y));
      expect(listIntegrityAlerts(server.db)).toEqual([]);
    } finally {
      await server.close();
      clock.t = START;
    }
  });
});

describe('interruptions: the cursor lets the terminal complete with nothing lost or duplicated', () => {
  it('server closed between batches and restarted on the same data dir', async () => {
    const dataDir = tempDir();
    let server = await startServer({ dataDir, port: 0, clock });
    const credential = registerTerminal(server.db, { name: '窓口', id: 'term-r', serverUrl: server.url, clock });
    const log = new TerminalLog('term-r');
    log.append(1000);
    expect((await request(server.url, '/api/v1/log-batches', { auth: auth(credential), body: { batchId: randomUUID(), records: log.range(1, 600) } })).status).toBe(200);
    await server.close();
    server = await startServer({ dataDir, port: 0, clock });
    try {
      const { ackSeq } = LogBatchResponseSchema.parse((await request(server.url, '/api/v1/log-cursor', { auth: auth(credential) })).json);
      expect(ackSeq).toBe(600);
      // The terminal did not see the ack and resends from an older checkpoint: harmless.
      expect((await request(server.url, '/api/v1/log-batches', { auth: auth(credential), body: { batchId: randomUUID(), records: log.range(401, 1000) } })).json).toEqual({
        ackSeq: 1000,
        ackHash: log.records[999]!.hash,
      });
      expect(stored(server.db, 'term-r')).toEqual(log.records);
    } finally {
      await server.close();
    }
  });

  it('server closed while a batch is in flight: the batch is either wholly stored or not at all', async () => {
    const dataDir = tempDir();
    let server = await startServer({ dataDir, port: 0, clock });
    const credential = registerTerminal(server.db, { name: '窓口', id: 'term-f', serverUrl: server.url, clock });
    const log = new TerminalLog('term-f');
    log.append(15_000);
    const inFlight = [1, 5001, 10_001].map((from) =>
      request(server.url, '/api/v1/log-batches', { auth: auth(credential), body: { batchId: randomUUID(), records: log.range(from, from + 4999) } }).catch((error: unknown) => error),
    );
    await new Promise((resolve) => setTimeout(resolve, 5));
    await server.close();
    const outcomes = await Promise.all(inFlight);
    server = await startServer({ dataDir, port: 0, clock });
    try {
      const { ackSeq } = LogBatchResponseSchema.parse((await request(server.url, '/api/v1/log-cursor', { auth: auth(credential) })).json);
      expect(ackSeq % 5000).toBe(0); // never half a batch
      for (let from = ackSeq + 1; from <= log.records.length; from += 5000) {
        const reply = await request(server.url, '/api/v1/log-batches', { auth: auth(credential), body: { batchId: randomUUID(), records: log.range(from, from + 4999) } });
        expect(reply.status, reply.text).toBe(200);
      }
      expect(stored(server.db, 'term-f')).toEqual(log.records);
      expect(outcomes.length).toBe(3);
    } finally {
      await server.close();
    }
  });

  it('server process killed (SIGKILL) in the middle of batches, several times: every record exactly once', async () => {
    const dataDir = tempDir();
    const { db } = openServerDb(dataDir);
    const credential = registerTerminal(db, { name: '窓口', id: 'term-k', serverUrl: 'http://127.0.0.1:8470', clock });
    db.close();
    const log = new TerminalLog('term-k');
    log.append(40_000);

    const startChild = () => startServerProcess(dataDir);

    let kills = 0;
    for (let round = 0; round < 40; round++) {
      const { child, url, exited } = await startChild();
      let { ackSeq } = LogBatchResponseSchema.parse((await request(url, '/api/v1/log-cursor', { auth: auth(credential) })).json);
      if (ackSeq === log.records.length) {
        child.kill('SIGTERM');
        await exited;
        break;
      }
      // Send batches from the cursor; kill the server at a random moment while they are in flight:
      // a random delay after one of the first batches was sent (tied to the sending, not to the clock,
      // so that a fast server cannot finish everything before the kill).
      const killAtBatch = Math.floor(Math.random() * 3);
      const killAfter = Math.floor(Math.random() * 80);
      let killer: NodeJS.Timeout | undefined;
      try {
        for (let sentBatches = 0; ackSeq < log.records.length; sentBatches++) {
          if (sentBatches === killAtBatch) {
            killer = setTimeout(() => {
              kills++;
              child.kill('SIGKILL');
            }, killAfter);
          }
          const reply = await request(url, '/api/v1/log-batches', {
            auth: auth(credential),
            body: { batchId: randomUUID(), records: log.range(ackSeq + 1, Math.min(ackSeq + 5000, log.records.length)) },
          });
          expect(reply.status, reply.text).toBe(200);
          ackSeq = LogBatchResponseSchema.parse(reply.json).ackSeq;
        }
      } catch {
        // The connection died with the server: the terminal keeps its records and retries later.
      } finally {
        await new Promise((resolve) => setTimeout(resolve, killAfter + 5)); // let an armed kill happen
        clearTimeout(killer);
      }
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    }
    expect(kills).toBeGreaterThan(0);

    const reopened = openServerDb(dataDir).db;
    try {
      expect(stored(reopened, 'term-k')).toEqual(log.records);
      expect(listIntegrityAlerts(reopened)).toEqual([]);
    } finally {
      reopened.close();
    }
  }, 180_000);
});

afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});
