// The central server against a real SQLite database in a temp dir, over real HTTP on 127.0.0.1.
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemoServer, type DemoServer } from '../support/demo-server';
import { decodeCardFile } from '../../src/node/card/virtual-card-file';
import { hashPassword, verifyPassword } from '../../src/node/password/scrypt';
import { AdminError } from '../../src/server/admin/admin-error';
import { releaseLockout } from '../../src/server/admin/release-lockout';
import { setTemporaryPassword } from '../../src/server/admin/temporary-password';
import { registerTerminal, retireTerminal } from '../../src/server/admin/register-terminal';
import { startServer, type RunningServer } from '../../src/server/app';
import { openServerDb } from '../../src/server/db/open';
import { applyMigrations } from '../../src/server/db/migrate';
import { seedDemoTown, type DemoSeedResult } from '../../src/server/demo/seed';
import { listEvents } from '../../src/server/store/events';
import { getTerminal } from '../../src/server/store/terminals';
import {
  ErrorResponseSchema,
  HealthResponseSchema,
  PasswordChangeResponseSchema,
  RosterResponseSchema,
  SignInAttemptResponseSchema,
  TerminalCredentialSchema,
  TimeResponseSchema,
  type RosterOperator,
  type RosterResponse,
  type TerminalCredential,
} from '../../src/shared/server-api';

const DAY = 86_400_000;
const START = Date.parse('2026-04-01T00:30:00.000Z'); // 09:30 JST
const clock = { t: START, now(): number { return this.t; } };

let dataDir: string;
let server: RunningServer;
let demo: DemoSeedResult;
let credential: TerminalCredential;

function keyIdOf(operatorId: string): string {
  const keyId = demo.operators.find((op) => op.id === operatorId)?.keyId;
  if (!keyId) throw new Error(`no demo card for ${operatorId}`);
  return keyId;
}

function authHeader(c: { terminalId: string; secret: string } = credential): string {
  return `Terminal ${c.terminalId}:${c.secret}`;
}

interface CallOptions {
  method?: string;
  body?: unknown;
  raw?: string;
  auth?: string | null;
  contentType?: string;
}

async function call(path: string, options: CallOptions = {}): Promise<{ status: number; headers: Headers; text: string; json: unknown }> {
  const headers: Record<string, string> = {};
  const auth = options.auth === undefined ? authHeader() : options.auth;
  if (auth !== null) headers.authorization = auth;
  let body: string | undefined;
  if (options.raw !== undefined || options.body !== undefined) {
    body = options.raw ?? JSON.stringify(options.body);
    headers['content-type'] = options.contentType ?? 'application/json';
  }
  const response = await fetch(`${server.url}${path}`, { method: options.method ?? (body === undefined ? 'GET' : 'POST'), headers, body });
  const text = await response.text();
  let json: unknown = undefined;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, headers: response.headers, text, json };
}

function expectCleanError(result: { status: number; text: string; json: unknown; headers: Headers }, status: number, code?: string): void {
  expect(result.status).toBe(status);
  expect(result.headers.get('content-type')).toMatch(/^application\/json/);
  const parsed = ErrorResponseSchema.parse(result.json);
  if (code) expect(parsed.error.code).toBe(code);
  expect(parsed.error.message.length).toBeGreaterThan(0);
  expect(Object.keys(result.json as object)).toEqual(['error']);
  expect(result.text).not.toMatch(/stack|\bat .*\.ts:\d+|SQLITE|SELECT |INSERT |node_modules/i);
}

async function roster(): Promise<RosterResponse> {
  const result = await call('/api/v1/roster');
  expect(result.status).toBe(200);
  return RosterResponseSchema.parse(result.json);
}

async function rosterOperator(id: string): Promise<RosterOperator> {
  const op = (await roster()).operators.find((o) => o.id === id);
  if (!op) throw new Error(`${id} not in roster`);
  return op;
}

function attempt(operatorId: string, outcome: 'success' | 'failure', cardKeyId = keyIdOf(operatorId), requestId = randomUUID()) {
  return { requestId, operatorId, cardKeyId, outcome, at: new Date(clock.now()).toISOString() };
}

let running: DemoServer;
beforeAll(async () => {
  running = await startDemoServer(clock, 'kumiyama-server-test-');
  ({ dataDir, server, demo, credential } = running);
});

afterAll(async () => {
  await running?.close();
});

describe('public routes', () => {
  it('GET /healthz answers ok', async () => {
    const result = await call('/healthz', { auth: null });
    expect(result.status).toBe(200);
    expect(HealthResponseSchema.parse(result.json)).toMatchObject({ status: 'ok', time: new Date(START).toISOString() });
  });

  it('GET /api/v1/time needs no credential and follows the server clock', async () => {
    const result = await call('/api/v1/time', { auth: null });
    expect(result.status).toBe(200);
    expect(TimeResponseSchema.parse(result.json)).toEqual({ epochMs: START, iso: new Date(START).toISOString() });
  });

  it('GET /openapi.json is OpenAPI 3.1 and lists every route', async () => {
    const result = await call('/openapi.json', { auth: null });
    expect(result.status).toBe(200);
    const doc = result.json as {
      openapi: string;
      paths: Record<string, Record<string, { security?: unknown; requestBody?: { content: Record<string, { schema: { additionalProperties?: boolean } }> }; responses: Record<string, unknown> }>>;
      components: { securitySchemes: Record<string, unknown> };
    };
    expect(doc.openapi).toBe('3.1.0');
    const operations = Object.entries(doc.paths).flatMap(([path, methods]) => Object.keys(methods).map((m) => `${m.toUpperCase()} ${path}`));
    // The admin routes (/api/v1/admin/…) are listed and checked one by one in server-admin-routes.test.ts.
    expect(operations.filter((op) => op.includes(' /api/v1/admin/')).length).toBeGreaterThan(20);
    expect(operations.filter((op) => !op.includes(' /api/v1/admin/')).sort()).toEqual(
      [
        'GET /healthz',
        'GET /openapi.json',
        'GET /api/v1/time',
        'GET /api/v1/roster',
        'POST /api/v1/signin-attempts',
        'POST /api/v1/password-changes',
        'GET /api/v1/log-cursor',
        'POST /api/v1/log-batches',
        'GET /api/v1/residents/changes',
      ].sort(),
    );
    // Every route the app actually has is documented.
    for (const op of operations) {
      const [method, path] = op.split(' ') as [string, string];
      expect(server.app.hasRoute({ method: method as 'GET', url: path.replace(/\{(\w+)\}/g, ':$1') }), op).toBe(true);
    }
    expect(doc.components.securitySchemes.terminal).toBeDefined();
    expect(doc.paths['/api/v1/roster']!.get!.security).toEqual([{ terminal: [] }]);
    const body = doc.paths['/api/v1/signin-attempts']!.post!.requestBody!.content['application/json']!.schema;
    expect(body.additionalProperties).toBe(false);
    expect(doc.paths['/api/v1/password-changes']!.post!.responses['409']).toBeDefined();
    expect(result.text).not.toContain('"$schema"');
  });
});

describe('terminal authentication', () => {
  it('refuses a missing, malformed, unknown or wrong credential with 401 JSON', async () => {
    const wrongSecret = { terminalId: credential.terminalId, secret: 'A'.repeat(43) };
    const unknown = { terminalId: 'term-nobody', secret: credential.secret };
    for (const auth of [null, '', 'Bearer abc', `Terminal ${credential.terminalId}`, `Terminal ${credential.terminalId}:short`, authHeader(wrongSecret), authHeader(unknown)]) {
      const result = await call('/api/v1/roster', { auth });
      expectCleanError(result, 401, 'terminal-unauthorized');
      expect(result.headers.get('www-authenticate')).toBe('Terminal');
    }
    const failures = listEvents(server.db, { kind: 'terminal-auth-failed' }).map((e) => e.detail.reason);
    expect(failures).toEqual(expect.arrayContaining(['malformed', 'wrong-secret', 'unknown-terminal']));
  });

  it('refuses a retired terminal, accepts the other demo terminal and updates last contact', async () => {
    const second = TerminalCredentialSchema.parse(JSON.parse(readFileSync(join(dataDir, 'demo-terminal-02.json'), 'utf8')));
    expect(second.terminalId).toBe('term-demo-02');
    expect((await call('/api/v1/roster', { auth: authHeader(second) })).status).toBe(200);

    const extra = registerTerminal(server.db, { name: '臨時窓口', id: 'term-temp', serverUrl: server.url, clock });
    clock.t += 1000;
    const ok = await call('/api/v1/roster', { auth: authHeader(extra) });
    expect(ok.status).toBe(200);
    expect(getTerminal(server.db, 'term-temp')?.lastContactAt).toBe(clock.t);
    retireTerminal(server.db, { terminalId: 'term-temp', clock });
    expectCleanError(await call('/api/v1/roster', { auth: authHeader(extra) }), 401, 'terminal-unauthorized');
    expectCleanError(await call('/api/v1/signin-attempts', { auth: authHeader(extra), body: attempt('op-yamada', 'failure') }), 401);
    expect((await rosterOperator('op-yamada')).failedAttempts).toBe(0);
  });
});

describe('roster', () => {
  it('describes the demo town', async () => {
    const r = await roster();
    expect(r.terminal).toEqual({ id: 'term-demo-01', name: '住民課窓口1' });
    expect(r.policy).toEqual({ passwordExpiryDays: 90, maxFailedAttempts: 3 });
    expect(r.calendarExceptions).toEqual([]);
    expect(r.operators.map((o) => o.id).sort()).toEqual(['op-retired', 'op-revoked', 'op-sato', 'op-suzuki', 'op-takahashi', 'op-yamada']);
    const byId = new Map(r.operators.map((o) => [o.id, o]));
    expect(byId.get('op-yamada')).toMatchObject({ name: '山田 花子', role: 'operator', status: 'active', approvedBy: '高橋 美咲', failedAttempts: 0, lockedOut: false });
    expect(byId.get('op-sato')!.password.temporary).toBe(true);
    expect(byId.get('op-suzuki')!.role).toBe('manager');
    expect(byId.get('op-takahashi')!.role).toBe('sysadmin');
    expect(byId.get('op-retired')).toMatchObject({ status: 'retired' });
    expect(byId.get('op-retired')!.until).not.toBeNull();
    expect(byId.get('op-revoked')!.cards).toEqual([expect.objectContaining({ status: 'revoked', revokedAt: expect.any(String) })]);
    for (const op of r.operators) {
      expect(op.kana).not.toBe('');
      expect(op.cards).toHaveLength(1);
      // The card in the roster is the one in the demo card file.
      const file = decodeCardFile(JSON.parse(readFileSync(join(dataDir, 'demo-cards', `${op.id}.json`), 'utf8')));
      expect(op.cards[0]!.keyId).toBe(file.keyId);
      expect(Date.parse(op.password.expiresAt) - Date.parse(op.password.setAt)).toBe(90 * DAY);
    }
    expect(await verifyPassword('Hanako#Kumi2026', byId.get('op-yamada')!.password.hash)).toBe(true);
    expect(await verifyPassword('Kari#Sato2026', byId.get('op-sato')!.password.hash)).toBe(true);
    expect(readFileSync(join(dataDir, 'demo-summary.txt'), 'utf8')).toContain('Kari#Sato2026');
    expect(listEvents(server.db, { kind: 'roster-fetched' }).at(-1)).toMatchObject({ terminalId: 'term-demo-01', detail: { operators: 6 } });
  });
});

describe('sign-in attempts', () => {
  it('counts failures to a lockout at 3, once per request id, and refuses a success while locked out', async () => {
    const url = '/api/v1/signin-attempts';
    const first = await call(url, { body: attempt('op-yamada', 'failure') });
    expect(first.status).toBe(200);
    expect(SignInAttemptResponseSchema.parse(first.json)).toEqual({ failedAttempts: 1, lockedOut: false });
    expect((await call(url, { body: attempt('op-yamada', 'failure') })).json).toEqual({ failedAttempts: 2, lockedOut: false });

    const third = attempt('op-yamada', 'failure');
    const locked = await call(url, { body: third });
    expect(locked.json).toEqual({ failedAttempts: 3, lockedOut: true });
    // Resent (e.g. the answer was lost): same answer, counted once.
    const resent = await call(url, { body: third });
    expect(resent.status).toBe(200);
    expect(resent.json).toEqual({ failedAttempts: 3, lockedOut: true });
    expect(resent.headers.get('idempotent-replay')).toBe('true');
    // Same id, other content: refused.
    expectCleanError(await call(url, { body: { ...third, outcome: 'success' } }), 409, 'request-id-reused');

    let op = await rosterOperator('op-yamada');
    expect(op).toMatchObject({ failedAttempts: 3, lockedOut: true });
    expect(listEvents(server.db, { kind: 'lockout', operatorId: 'op-yamada' })).toHaveLength(1);

    const success = attempt('op-yamada', 'success');
    expectCleanError(await call(url, { body: success }), 409, 'locked-out');
    expectCleanError(await call(url, { body: success }), 409, 'locked-out'); // replayed refusal
    expect(listEvents(server.db, { kind: 'signin-refused', operatorId: 'op-yamada' }).map((e) => e.detail.reason)).toEqual(['locked-out']);
    op = await rosterOperator('op-yamada');
    expect(op.lockedOut).toBe(true);

    releaseLockout(server.db, { operatorId: 'op-yamada', by: 'op-suzuki', clock });
    expect(await rosterOperator('op-yamada')).toMatchObject({ failedAttempts: 0, lockedOut: false });
    expect((await call(url, { body: attempt('op-yamada', 'success') })).json).toEqual({ failedAttempts: 0, lockedOut: false });
  });

  it('resets the counter on success', async () => {
    const url = '/api/v1/signin-attempts';
    expect((await call(url, { body: attempt('op-suzuki', 'failure') })).json).toEqual({ failedAttempts: 1, lockedOut: false });
    expect((await call(url, { body: attempt('op-suzuki', 'failure') })).json).toEqual({ failedAttempts: 2, lockedOut: false });
    expect((await call(url, { body: attempt('op-suzuki', 'success') })).json).toEqual({ failedAttempts: 0, lockedOut: false });
    expect((await rosterOperator('op-suzuki')).failedAttempts).toBe(0);
  });

  it('refuses revoked, foreign and unknown cards, unknown and retired operators, without counting', async () => {
    const url = '/api/v1/signin-attempts';
    expectCleanError(await call(url, { body: attempt('op-revoked', 'failure') }), 403, 'card-revoked');
    expectCleanError(await call(url, { body: attempt('op-yamada', 'failure', keyIdOf('op-sato')) }), 403, 'card-not-owned');
    expectCleanError(await call(url, { body: attempt('op-yamada', 'failure', 'f'.repeat(64)) }), 403, 'unknown-card');
    expectCleanError(await call(url, { body: attempt('op-nobody', 'failure', 'f'.repeat(64)) }), 404, 'unknown-operator');
    expectCleanError(await call(url, { body: attempt('op-retired', 'success') }), 409, 'operator-retired');
    const r = await roster();
    for (const op of r.operators) expect(op.failedAttempts).toBe(0);
    expect(listEvents(server.db, { kind: 'signin-refused' }).map((e) => e.detail.reason)).toEqual(
      expect.arrayContaining(['card-revoked', 'card-not-owned', 'unknown-card', 'unknown-operator', 'operator-retired']),
    );
  });
});

describe('password changes', () => {
  it('stores the new hash, clears the temporary flag, restarts the expiry and is idempotent', async () => {
    clock.t += DAY;
    const newHash = await hashPassword('Sato#Atarashii-2026');
    const body = { requestId: randomUUID(), operatorId: 'op-sato', cardKeyId: keyIdOf('op-sato'), newHash, at: new Date(clock.t).toISOString() };
    const result = await call('/api/v1/password-changes', { body });
    expect(result.status).toBe(200);
    expect(PasswordChangeResponseSchema.parse(result.json)).toEqual({ setAt: new Date(clock.t).toISOString(), expiresAt: new Date(clock.t + 90 * DAY).toISOString() });
    const op = await rosterOperator('op-sato');
    expect(op.password).toEqual({ hash: newHash, setAt: new Date(clock.t).toISOString(), temporary: false, expiresAt: new Date(clock.t + 90 * DAY).toISOString() });

    clock.t += 60_000;
    const resent = await call('/api/v1/password-changes', { body });
    expect(resent.json).toEqual(result.json);
    expect((await rosterOperator('op-sato')).password.setAt).toBe(new Date(clock.t - 60_000).toISOString());
    const events = listEvents(server.db, { kind: 'password-changed', operatorId: 'op-sato' });
    expect(events).toHaveLength(1);
    expect(JSON.stringify(events)).not.toContain(newHash);
  });

  it('keeps a lockout as it is', async () => {
    for (let i = 0; i < 3; i++) await call('/api/v1/signin-attempts', { body: attempt('op-takahashi', 'failure') });
    const body = { requestId: randomUUID(), operatorId: 'op-takahashi', cardKeyId: keyIdOf('op-takahashi'), newHash: await hashPassword('Takahashi#New-2026'), at: new Date(clock.t).toISOString() };
    expect((await call('/api/v1/password-changes', { body })).status).toBe(200);
    expect(await rosterOperator('op-takahashi')).toMatchObject({ failedAttempts: 3, lockedOut: true });
  });

  it('refuses a weak hash, an unknown operator, a retired operator and a revoked card', async () => {
    const hash = await hashPassword('Whatever#Pass-2026');
    const base = (operatorId: string, newHash = hash) => ({ requestId: randomUUID(), operatorId, cardKeyId: keyIdOf(operatorId), newHash, at: new Date(clock.t).toISOString() });
    const weak = hash.replace(/^scrypt\$32768\$/, 'scrypt$1024$');
    expectCleanError(await call('/api/v1/password-changes', { body: base('op-yamada', weak) }), 400, 'weak-password-hash');
    expectCleanError(await call('/api/v1/password-changes', { body: { ...base('op-yamada'), operatorId: 'op-nobody' } }), 404, 'unknown-operator');
    expectCleanError(await call('/api/v1/password-changes', { body: base('op-retired') }), 409, 'operator-retired');
    expectCleanError(await call('/api/v1/password-changes', { body: base('op-revoked') }), 403, 'card-revoked');
    expect(await verifyPassword('Hanako#Kumi2026', (await rosterOperator('op-yamada')).password.hash)).toBe(true);
  });
});

describe('administration', () => {
  it('sets a temporary password (authorised people only) that terminals see in the roster', async () => {
    const { password, lockedOut } = await setTemporaryPassword(server.db, { operatorId: 'op-yamada', by: 'op-suzuki', clock });
    expect(lockedOut).toBe(false);
    const op = await rosterOperator('op-yamada');
    expect(op.password.temporary).toBe(true);
    expect(op.password.setAt).toBe(new Date(clock.t).toISOString());
    expect(await verifyPassword(password, op.password.hash)).toBe(true);
    const event = listEvents(server.db, { kind: 'temporary-password-set', operatorId: 'op-yamada' }).at(-1);
    expect(event?.detail).toEqual({ by: 'op-suzuki', byName: '鈴木 一郎' });
    expect(JSON.stringify(listEvents(server.db))).not.toContain(password);

    const refusedCode = async (action: () => unknown): Promise<string> => {
      try {
        await action();
      } catch (error) {
        if (error instanceof AdminError) return error.code;
        throw error;
      }
      return 'no error';
    };
    expect(await refusedCode(() => setTemporaryPassword(server.db, { operatorId: 'op-yamada', by: 'op-sato', clock }))).toBe('not-authorised');
    expect(await refusedCode(() => setTemporaryPassword(server.db, { operatorId: 'op-suzuki', by: 'op-suzuki', clock }))).toBe('self-service');
    expect(await refusedCode(() => setTemporaryPassword(server.db, { operatorId: 'op-retired', by: 'op-suzuki', clock }))).toBe('operator-retired');
    expect(await refusedCode(() => setTemporaryPassword(server.db, { operatorId: 'op-nobody', by: 'op-suzuki', clock }))).toBe('unknown-operator');
    expect(await refusedCode(() => releaseLockout(server.db, { operatorId: 'op-yamada', by: 'op-takahashi', clock }))).toBe('not-locked-out');
    expect(await refusedCode(() => releaseLockout(server.db, { operatorId: 'op-yamada', by: 'op-nobody', clock }))).toBe('unknown-admin');
    expect(await refusedCode(() => releaseLockout(server.db, { operatorId: 'op-yamada', by: 'op-retired', clock }))).toBe('admin-retired');
  });
});

describe('bad input', () => {
  const url = '/api/v1/signin-attempts';

  it('answers 4xx JSON without internals and keeps running', async () => {
    expectCleanError(await call(url, { raw: '{"requestId": ' }), 400, 'malformed-json');
    expectCleanError(await call(url, { raw: '' }), 400);
    expectCleanError(await call(url, { body: { ...attempt('op-yamada', 'failure'), outcome: 'maybe' } }), 400, 'invalid-request');
    expectCleanError(await call(url, { body: { ...attempt('op-yamada', 'failure'), at: 12345 } }), 400, 'invalid-request');
    expectCleanError(await call(url, { body: { ...attempt('op-yamada', 'failure'), requestId: 'not-a-uuid' } }), 400, 'invalid-request');
    expectCleanError(await call(url, { body: { ...attempt('op-yamada', 'failure'), extra: 1 } }), 400, 'invalid-request');
    expectCleanError(await call(url, { body: [attempt('op-yamada', 'failure')] }), 400, 'invalid-request');
    const { outcome: _omitted, ...missing } = attempt('op-yamada', 'failure');
    expectCleanError(await call(url, { body: missing }), 400, 'invalid-request');
    expectCleanError(await call(url, { raw: `{"__proto__":{"x":1},"requestId":"${randomUUID()}"}` }), 400);
    expectCleanError(await call(url, { raw: JSON.stringify({ pad: 'x'.repeat(1024 * 1024 + 10) }) }), 413, 'body-too-large');
    expectCleanError(await call(url, { raw: 'outcome=failure', contentType: 'text/plain' }), 415, 'unsupported-media-type');
    expectCleanError(await call('/api/v1/nothing-here'), 404, 'not-found');
    expectCleanError(await call('/api/v1/signin-attempts', { method: 'GET' }), 404, 'not-found');
    expectCleanError(await call('/api/v1/roster', { method: 'DELETE' }), 404, 'not-found');
    expect((await rosterOperator('op-yamada')).failedAttempts).toBe(0);
    expect((await call('/healthz', { auth: null })).status).toBe(200);
  });
});

describe('persistence', () => {
  it('keeps the data across a restart, re-running migrations is a no-op, seeding again changes nothing', async () => {
    expect(applyMigrations(server.db)).toEqual([]);
    await server.close();

    const reopened = openServerDb(dataDir);
    expect(reopened.appliedMigrations).toEqual([]);
    expect(() => reopened.db.prepare('UPDATE server_events SET kind = kind').run()).toThrow(/append-only/);
    reopened.db.close();

    server = await startServer({ dataDir, port: 0, clock });
    const again = await seedDemoTown(server.db, { dataDir, clock, serverUrl: server.url });
    expect(again.seeded).toBe(false);
    // The same credential still works (the seeding did not replace it).
    const r = await roster();
    expect(r.operators).toHaveLength(6);
    expect(r.operators.find((o) => o.id === 'op-takahashi')).toMatchObject({ failedAttempts: 3, lockedOut: true });
    expect(r.operators.find((o) => o.id === 'op-sato')!.password.temporary).toBe(false);
    // Idempotency survives the restart too.
    expect(listEvents(server.db, { kind: 'demo-seeded' })).toHaveLength(1);
  });
});
