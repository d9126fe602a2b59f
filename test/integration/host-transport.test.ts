// The second host's transport as a boundary: only our page (token + origin) may connect, every
// payload is validated before it reaches the service, static files never escape out/renderer.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EventEmitter } from 'node:events';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { startHost, type RunningHost, type SnapshotSource } from '../../src/host/host-server';
import type { CommandResult, LogSyncResult, ReplicaKeyResult, ResidentFeedResult, TerminalSnapshot } from '../../src/shared/contract';
import { MAX_BATCH_BYTES } from '../../src/shared/log-api';
import { encodeTextPayloadMessage } from '../../src/shared/ws-protocol';
import type { AdminCallResult, AdminOpenResult } from '../../src/shared/admin-routes';

/** A recording implementation of the contract: the transport, not the service, is under test. */
class RecordingService extends EventEmitter implements SnapshotSource {
  calls: Array<{ method: string; input: unknown }> = [];
  snapshot(): TerminalSnapshot {
    return { seq: 1, phase: 'insert-card' } as TerminalSnapshot;
  }
  private ok(method: string, input: unknown): Promise<CommandResult> {
    this.calls.push({ method, input });
    return Promise.resolve({ ok: true });
  }
  getSnapshot = async (input: object) => {
    this.calls.push({ method: 'getSnapshot', input });
    return this.snapshot();
  };
  submitPassword = (input: { password: string }) => this.ok('submitPassword', input);
  changePassword = (input: object) => this.ok('changePassword', input);
  lock = (input: object) => this.ok('lock', input);
  signOut = (input: object) => this.ok('signOut', input);
  reportActivity = (input: object) => this.ok('reportActivity', input);
  takeLogEvents = async (input: { afterEid: number }) => {
    this.calls.push({ method: 'takeLogEvents', input });
    return { epoch: 'test-epoch', events: [] };
  };
  ackLogEvents = (input: { epoch: string; eid: number }) => this.ok('ackLogEvents', input);
  getLogCursor = async (input: object): Promise<LogSyncResult> => {
    this.calls.push({ method: 'getLogCursor', input });
    return { ok: true, ackSeq: 0, ackHash: '0'.repeat(64) };
  };
  pushLogBatch = async (input: { records: unknown[] } | { recordsJson: string }): Promise<LogSyncResult> => {
    this.calls.push({ method: 'pushLogBatch', input });
    return { ok: true, ackSeq: 'records' in input ? input.records.length : 0, ackHash: '0'.repeat(64) };
  };
  fetchResidentChanges = async (input: { after: number; limit: number }): Promise<ResidentFeedResult> => {
    this.calls.push({ method: 'fetchResidentChanges', input });
    return { ok: true, page: { residents: [], next: input.after, latest: input.after, epoch: 'e' } };
  };
  getReplicaKey = async (input: object): Promise<ReplicaKeyResult> => {
    this.calls.push({ method: 'getReplicaKey', input });
    return { ok: false, message: 'not signed in' };
  };
  adminOpen = async (input: object): Promise<AdminOpenResult> => {
    this.calls.push({ method: 'adminOpen', input });
    return { ok: false, code: 'not-admin', message: 'not an admin' };
  };
  adminCall = async (input: { action: string }): Promise<AdminCallResult> => {
    this.calls.push({ method: 'adminCall', input });
    return { ok: false, code: 'not-admin', message: 'not an admin' };
  };
  adminClose = (input: object) => this.ok('adminClose', input);
}

let dir: string;
let host: RunningHost;
let service: RecordingService;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'host-test-'));
  writeFileSync(join(dir, 'index.html'), '<!doctype html><title>t</title>');
  writeFileSync(join(tmpdir(), 'host-test-secret.txt'), 'secret');
  service = new RecordingService();
  host = await startHost({ service, rendererDir: dir, port: 0 });
});
afterEach(async () => {
  await host.close();
  rmSync(dir, { recursive: true, force: true });
});

const origin = () => new URL(host.url).origin;
const token = () => new URLSearchParams(new URL(host.url).hash.slice(1)).get('token')!;

function connect(opts: { token?: string; origin?: string } = {}): Promise<{ ws: WebSocket; messages: unknown[] }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${origin().replace('http', 'ws')}/rpc?token=${encodeURIComponent(opts.token ?? token())}`, { origin: opts.origin ?? origin() });
    const messages: unknown[] = [];
    ws.on('message', (data) => messages.push(JSON.parse(data.toString())));
    ws.once('open', () => resolve({ ws, messages }));
    ws.once('error', reject);
  });
}

async function until<T>(fn: () => T | undefined, ms = 3000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('second host transport', () => {
  it('binds to loopback and prints a URL with a token', () => {
    expect(host.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/#token=[A-Za-z0-9_-]{32}$/);
  });

  it('refuses a WebSocket without the right token or from another origin', async () => {
    await expect(connect({ token: 'x'.repeat(32) })).rejects.toThrow(/403/);
    await expect(connect({ origin: 'http://evil.example' })).rejects.toThrow(/403/);
  });

  it('pushes a snapshot on connect and carries a valid call to the service', async () => {
    const { ws, messages } = await connect();
    await until(() => messages.find((m) => (m as { type: string }).type === 'event'));
    ws.send(JSON.stringify({ id: 7, method: 'submitPassword', payload: { password: 'pw' } }));
    const result = await until(() => messages.find((m) => (m as { id?: number }).id === 7));
    expect(result).toEqual({ type: 'result', id: 7, result: { ok: true } });
    expect(service.calls).toEqual([{ method: 'submitPassword', input: { password: 'pw' } }]);
    ws.close();
  });

  it('answers malformed, unknown and ill-typed requests with a Japanese error and never calls the service', async () => {
    const { ws, messages } = await connect();
    ws.send('not json');
    ws.send(JSON.stringify({ id: 'x', method: 'lock' }));
    ws.send(JSON.stringify({ id: 1, method: 'constructor', payload: {} }));
    ws.send(JSON.stringify({ id: 2, method: 'submitPassword', payload: { password: 123 } }));
    ws.send(JSON.stringify({ id: 3, method: 'submitPassword', payload: { password: 'a', extra: true } }));
    ws.send(JSON.stringify({ id: 4, method: 'submitPassword', payload: { password: 'x'.repeat(10_000) } }));
    await until(() => (messages.filter((m) => (m as { type: string }).type !== 'event').length >= 6 ? true : undefined));
    const answers = messages.filter((m) => (m as { type: string }).type !== 'event');
    expect(answers.filter((m) => (m as { type: string }).type === 'error')).toHaveLength(2);
    for (const id of [1, 2, 3, 4]) {
      expect(answers).toContainEqual({ type: 'result', id, result: { ok: false, message: '要求の形式が正しくありません。' } });
    }
    expect(service.calls).toEqual([]);
    ws.close();
  });

  it('carries a log batch only when every record fits the wire schema', async () => {
    const { ws, messages } = await connect();
    const record = {
      terminalId: 'term-demo-01', seq: 1, prevHash: '0'.repeat(64), at: '2026-11-24T01:00:00.000Z', clockOffsetMs: 0,
      type: 'app.start', outcome: 'info', operatorId: null, cardKeyId: null, detail: {}, hash: 'a'.repeat(64),
    };
    ws.send(JSON.stringify({ id: 1, method: 'pushLogBatch', payload: { records: [{ ...record, seq: 0 }] } }));
    ws.send(JSON.stringify({ id: 2, method: 'pushLogBatch', payload: { records: [] } }));
    ws.send(JSON.stringify({ id: 3, method: 'takeLogEvents', payload: { afterEid: -1 } }));
    ws.send(JSON.stringify({ id: 4, method: 'pushLogBatch', payload: { records: [record] } }));
    await until(() => (messages.filter((m) => (m as { type: string }).type === 'result').length >= 4 ? true : undefined));
    for (const id of [1, 2, 3]) {
      expect(messages).toContainEqual({ type: 'result', id, result: { ok: false, message: '要求の形式が正しくありません。' } });
    }
    expect(service.calls).toEqual([{ method: 'pushLogBatch', input: { records: [record] } }]);
    ws.close();
  });

  it('carries a log batch sent as a binary message (head, line feed, the records\' JSON text) through the same checks', async () => {
    const { ws, messages } = await connect();
    const recordsJson = `[{"hash":"${'a'.repeat(64)}","detail":{"purpose":"転入届の受付に伴う世帯の確認"}}]`;
    ws.send(encodeTextPayloadMessage(1, 'pushLogBatch', recordsJson));
    // Not one JSON array of record objects: refused by the contract's check, as a text message would be.
    ws.send(encodeTextPayloadMessage(2, 'pushLogBatch', '[],"batchId":"chosen","records":[]'));
    const utf8 = (text: string) => new TextEncoder().encode(text);
    const join = (...parts: Uint8Array[]) => Buffer.concat(parts.map((part) => Buffer.from(part)));
    // Malformed binary messages: another method, no line feed, extra head fields, a non-integer id, invalid UTF-8.
    ws.send(join(utf8('{"id":3,"method":"submitPassword"}\n'), utf8('pw')));
    ws.send(utf8('{"id":4,"method":"pushLogBatch"}'));
    ws.send(join(utf8('{"id":5,"method":"pushLogBatch","payload":{}}\n'), utf8('[{}]')));
    ws.send(join(utf8('{"id":"6","method":"pushLogBatch"}\n'), utf8('[{}]')));
    ws.send(join(utf8('{"id":7,"method":"pushLogBatch"}\n'), utf8('[{"a":"'), new Uint8Array([0xc3, 0x28]), utf8('"}]')));
    await until(() => (messages.filter((m) => (m as { type: string }).type !== 'event').length >= 7 ? true : undefined));
    const answers = messages.filter((m) => (m as { type: string }).type !== 'event');
    expect(answers).toContainEqual({ type: 'result', id: 1, result: { ok: true, ackSeq: 0, ackHash: '0'.repeat(64) } });
    expect(answers).toContainEqual({ type: 'result', id: 2, result: { ok: false, message: '要求の形式が正しくありません。' } });
    expect(answers.filter((m) => (m as { type: string }).type === 'error')).toHaveLength(5);
    expect(service.calls).toEqual([{ method: 'pushLogBatch', input: { recordsJson } }]);
    ws.close();
  });

  it('closes a connection that sends an oversized message', async () => {
    const { ws } = await connect();
    const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
    // Log batches may be up to MAX_BATCH_BYTES; anything beyond that plus a margin is refused.
    ws.send('x'.repeat(MAX_BATCH_BYTES + 2 * 1024 * 1024));
    expect(await closed).toBe(1009);
    expect(service.calls).toEqual([]);
  });

  it('serves the renderer, and nothing outside it', async () => {
    const index = await fetch(`${origin()}/`);
    expect(index.status).toBe(200);
    expect(index.headers.get('content-type')).toContain('text/html');
    expect(index.headers.get('x-frame-options')).toBe('DENY');
    for (const path of ['/../host-test-secret.txt', '/%2e%2e/host-test-secret.txt', '/..%2fhost-test-secret.txt', '/nope.js']) {
      const res = await fetch(`${origin()}${path}`);
      expect(res.status, path).toBe(404);
    }
    expect((await fetch(`${origin()}/`, { method: 'POST' })).status).toBe(405);
    expect((await fetch(`${origin()}/%E0%A4%A`)).status).toBe(400);
    expect((await fetch(`${origin()}/`)).status).toBe(200); // still serving
  });
});
