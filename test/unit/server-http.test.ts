// The error envelope and the zod → JSON Schema conversion, on a bare fastify instance.
import Fastify from 'fastify';
import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { SignInAttemptRequestSchema, RosterResponseSchema } from '../../src/shared/server-api';
import { ApiError, installErrorHandlers } from '../../src/server/http/errors';
import { toJsonSchema } from '../../src/server/http/json-schema';
import { canonicalJson, requestFingerprint } from '../../src/server/store/processed-requests';
import { cardsForRoster, MAX_CARDS_PER_OPERATOR } from '../../src/server/services/roster';
import type { Card } from '../../src/server/store/cards';

describe('error handler', () => {
  it('hides internal errors and keeps API errors', async () => {
    const app = Fastify({ logger: false });
    installErrorHandlers(app);
    app.get('/boom', async () => {
      throw new Error('SQLITE_CORRUPT: SELECT * FROM operators at /work/src/x.ts:1');
    });
    app.get('/refused', async () => {
      throw new ApiError(409, 'locked-out', 'ロックアウト中です', { 'x-test': '1' });
    });
    const boom = await app.inject({ url: '/boom' });
    expect(boom.statusCode).toBe(500);
    expect(boom.json()).toEqual({ error: { code: 'internal', message: expect.stringContaining('サーバー内部') } });
    expect(boom.body).not.toMatch(/SQLITE|SELECT|\.ts/);
    const refused = await app.inject({ url: '/refused' });
    expect(refused.statusCode).toBe(409);
    expect(refused.headers['x-test']).toBe('1');
    expect(refused.json()).toEqual({ error: { code: 'locked-out', message: 'ロックアウト中です' } });
    const missing = await app.inject({ url: '/missing?secret=1' });
    expect(missing.statusCode).toBe(404);
    expect(missing.json().error.code).toBe('not-found');
    expect(missing.body).not.toContain('secret');
    await app.close();
  });
});

describe('toJsonSchema', () => {
  it('drops $schema, keeps strictness and descriptions', () => {
    const schema = toJsonSchema(SignInAttemptRequestSchema, 'input');
    expect(schema.$schema).toBeUndefined();
    expect(schema.additionalProperties).toBe(false);
    expect(schema.required).toEqual(['requestId', 'operatorId', 'cardKeyId', 'outcome', 'at']);
    expect(toJsonSchema(z.object({ a: z.string() }), 'output', 'Thing').description).toBe('Thing');
    expect(JSON.stringify(toJsonSchema(RosterResponseSchema))).not.toContain('$schema');
  });
});

describe('request fingerprint', () => {
  it('ignores key order', () => {
    expect(canonicalJson({ b: 1, a: [{ d: 2, c: null }] })).toBe('{"a":[{"c":null,"d":2}],"b":1}');
    expect(requestFingerprint({ a: 1, b: 2 })).toBe(requestFingerprint({ b: 2, a: 1 }));
    expect(requestFingerprint({ a: 1 })).not.toBe(requestFingerprint({ a: 2 }));
  });
});

describe('cardsForRoster', () => {
  it('keeps the active card and the most recent revoked ones, in issue order', () => {
    const card = (i: number, status: Card['status']): Card => ({
      keyId: i.toString(16).padStart(64, '0'),
      certificateDer: new Uint8Array(),
      operatorId: 'op-a',
      status,
      issuedAt: i,
      revokedAt: status === 'revoked' ? i + 1 : null,
      revokedReason: null,
    });
    const cards = [card(0, 'active'), ...Array.from({ length: 30 }, (_, i) => card(i + 1, 'revoked'))];
    const chosen = cardsForRoster(cards);
    expect(chosen).toHaveLength(MAX_CARDS_PER_OPERATOR);
    expect(chosen[0]!.status).toBe('active');
    expect(chosen.map((c) => c.issuedAt)).toEqual([0, ...Array.from({ length: 19 }, (_, i) => i + 12)]);
  });
});
