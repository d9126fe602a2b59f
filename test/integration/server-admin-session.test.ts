// Admin sessions opened by the operator card (issue 6), against the real server (SQLite in a temp
// dir, HTTP on 127.0.0.1), with real P-256 card keys signing the challenge as the PIV card does:
// challenge single use / bound to the terminal / 60 s, signature, card (unknown, lent to another,
// revoked), person (counter operator, locked out, retired, outside the approval period), token kept
// only as its hash, idle 15 min moved on by each use, 8 h at most, ended when the card is revoked.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { hashPassword } from '../../src/node/password/scrypt';
import { issueCard, revokeOperatorCard } from '../../src/server/admin/cards';
import { addOperator, retireOperator } from '../../src/server/admin/operators';
import { permissionsOf } from '../../src/server/admin/permissions';
import { releaseLockout } from '../../src/server/admin/release-lockout';
import { listEvents } from '../../src/server/store/events';
import { setFailedAttempts } from '../../src/server/store/operators';
import { ADMIN_SESSION_SIGNING_DOMAIN, adminSessionMessage } from '../../src/shared/admin-session';
import { ErrorResponseSchema, TerminalCredentialSchema, type TerminalCredential } from '../../src/shared/server-api';
import { adminCaller, challenge, demoCard, newCard, openSession, requestSession, type AdminCall, type Reply, type TestCard } from '../support/admin-client';
import { startDemoServer, type DemoServer } from '../support/demo-server';

const START = Date.parse('2026-11-25T10:00:00+09:00');
const clock = { t: START, now(): number { return this.t; } };
const MINUTE = 60_000;
const MANAGER = 'op-suzuki';
const SYSADMIN = 'op-takahashi';

let demo: DemoServer;
let call: AdminCall;
let second: TerminalCredential;
let suzuki: TestCard;
let takahashi: TestCard;
let tempHash: string;

function refusedWith(reply: Reply, status: number, code: string): void {
  expect(reply.status, reply.text).toBe(status);
  expect(ErrorResponseSchema.parse(reply.json).error.code).toBe(code);
}

function lastRefusal(operatorId: string) {
  return listEvents(demo.server.db, { kind: 'admin-session-refused', operatorId }).at(-1)?.detail;
}

/** Another manager with a card of their own, added by the system administrator. */
async function addManager(id: string): Promise<TestCard> {
  const card = await newCard(id, '管理 代理');
  addOperator(demo.server.db, { id, name: '管理 代理', kana: 'カンリ ダイリ', role: 'manager', since: clock.now() - MINUTE, until: null, temporaryPasswordHash: tempHash, reason: '任命', by: SYSADMIN, clock });
  issueCard(demo.server.db, { operatorId: id, certificateDer: card.certificateDer, reason: '貸与', by: SYSADMIN, clock });
  return card;
}

beforeAll(async () => {
  demo = await startDemoServer(clock, 'kumiyama-server-admin-session-');
  call = adminCaller(demo.server.url, demo.credential);
  second = TerminalCredentialSchema.parse(JSON.parse(readFileSync(join(demo.dataDir, 'demo-terminal-02.json'), 'utf8')));
  suzuki = demoCard(demo.dataDir, MANAGER);
  takahashi = demoCard(demo.dataDir, SYSADMIN);
  tempHash = await hashPassword('Kari#Admin2026');
});

afterAll(async () => {
  await demo?.close();
});

describe('the signed message', () => {
  it('is the domain, the terminal id and the challenge id on lines, then the 32 nonce bytes', () => {
    const nonce = Uint8Array.from({ length: 32 }, (_, i) => i);
    const message = adminSessionMessage('term-demo-01', 'ab'.repeat(16), nonce);
    const head = `${ADMIN_SESSION_SIGNING_DOMAIN}\nterm-demo-01\n${'ab'.repeat(16)}\n`;
    expect(Buffer.from(message.subarray(0, head.length)).toString('utf8')).toBe(head);
    expect([...message.subarray(head.length)]).toEqual([...nonce]);
  });
});

describe('opening a session', () => {
  it('answers a token, the role and its permissions; keeps only the token hash; records it', async () => {
    const c = await challenge(call);
    expect(Buffer.from(c.nonce, 'base64')).toHaveLength(32);
    expect(Date.parse(c.expiresAt) - clock.now()).toBe(MINUTE);
    const session = await openSession(call, demo.credential, MANAGER, suzuki);
    expect(session).toMatchObject({ role: 'manager', operator: { id: MANAGER, name: '鈴木 一郎' }, permissions: permissionsOf('manager') });
    expect(Date.parse(session.idleExpiresAt) - clock.now()).toBe(15 * MINUTE);
    expect(Date.parse(session.expiresAt) - clock.now()).toBe(8 * 60 * MINUTE);
    const stored = JSON.stringify(demo.server.db.prepare('SELECT * FROM admin_sessions').all());
    expect(stored).not.toContain(session.token);
    expect(listEvents(demo.server.db, { kind: 'admin-session-opened', operatorId: MANAGER }).at(-1)).toMatchObject({
      terminalId: demo.credential.terminalId,
      detail: { sessionId: session.sessionId, role: 'manager', cardKeyId: suzuki.keyId },
    });
    const me = await call('/sessions/current', { token: session.token });
    expect(me.json).toMatchObject({ sessionId: session.sessionId, role: 'manager', terminalId: demo.credential.terminalId });
  });

  it('refuses a challenge used twice', async () => {
    const c = await challenge(call);
    const message = adminSessionMessage(demo.credential.terminalId, c.challengeId, new Uint8Array(Buffer.from(c.nonce, 'base64')));
    const body = { challengeId: c.challengeId, operatorId: MANAGER, cardKeyId: suzuki.keyId, signature: suzuki.sign(message).toString('base64') };
    expect((await call('/sessions', { body })).status).toBe(200);
    refusedWith(await call('/sessions', { body }), 403, 'admin-challenge-used');
    expect(lastRefusal(MANAGER)).toMatchObject({ reason: 'admin-challenge-used', challengeId: c.challengeId });
  });

  it('refuses a challenge of another terminal, also when the signature names that terminal', async () => {
    const c = await challenge(call, second);
    const nonce = new Uint8Array(Buffer.from(c.nonce, 'base64'));
    for (const terminalId of [second.terminalId, demo.credential.terminalId]) {
      const signature = suzuki.sign(adminSessionMessage(terminalId, c.challengeId, nonce)).toString('base64');
      refusedWith(await call('/sessions', { body: { challengeId: c.challengeId, operatorId: MANAGER, cardKeyId: suzuki.keyId, signature } }), 403, 'admin-challenge-invalid');
    }
    // Unused by those attempts: the right terminal can still use it.
    const signature = suzuki.sign(adminSessionMessage(second.terminalId, c.challengeId, nonce)).toString('base64');
    expect((await call('/sessions', { terminal: second, body: { challengeId: c.challengeId, operatorId: MANAGER, cardKeyId: suzuki.keyId, signature } })).status).toBe(200);
  });

  it('refuses an expired challenge (60 s) and an unknown one', async () => {
    const c = await challenge(call);
    clock.t += MINUTE;
    const signature = suzuki.sign(adminSessionMessage(demo.credential.terminalId, c.challengeId, new Uint8Array(Buffer.from(c.nonce, 'base64')))).toString('base64');
    refusedWith(await call('/sessions', { body: { challengeId: c.challengeId, operatorId: MANAGER, cardKeyId: suzuki.keyId, signature } }), 403, 'admin-challenge-expired');
    refusedWith(await call('/sessions', { body: { challengeId: 'f'.repeat(32), operatorId: MANAGER, cardKeyId: suzuki.keyId, signature } }), 403, 'admin-challenge-invalid');
  });

  it('refuses a wrong signature: another message, another terminal in it, another key', async () => {
    refusedWith(await requestSession(call, demo.credential, MANAGER, suzuki, { message: (m) => Uint8Array.from([...m.subarray(0, -1), 0]) }), 403, 'admin-signature-invalid');
    refusedWith(
      await requestSession(call, demo.credential, MANAGER, suzuki, { message: (m) => Buffer.from(Buffer.from(m).toString('latin1').replace('term-demo-01', 'term-demo-02'), 'latin1') }),
      403,
      'admin-signature-invalid',
    );
    const stranger = await newCard(MANAGER);
    refusedWith(await requestSession(call, demo.credential, MANAGER, stranger, { cardKeyId: suzuki.keyId }), 403, 'admin-signature-invalid');
    expect(lastRefusal(MANAGER)).toMatchObject({ reason: 'admin-signature-invalid' });
    refusedWith(await call('/sessions', { body: { challengeId: 'a'.repeat(32), operatorId: MANAGER, cardKeyId: suzuki.keyId, signature: 'not base64!' } }), 400, 'invalid-request');
  });

  it('refuses an unknown card and a card lent to another person', async () => {
    refusedWith(await requestSession(call, demo.credential, MANAGER, await newCard(MANAGER)), 403, 'admin-card-unknown');
    refusedWith(await requestSession(call, demo.credential, SYSADMIN, suzuki), 403, 'admin-card-not-owned');
  });

  it('refuses a counter operator, a locked-out admin, a retired admin, and one outside the approval period', async () => {
    refusedWith(await requestSession(call, demo.credential, 'op-yamada', demoCard(demo.dataDir, 'op-yamada')), 403, 'admin-role-not-permitted');

    setFailedAttempts(demo.server.db, MANAGER, 3, clock.now());
    refusedWith(await requestSession(call, demo.credential, MANAGER, suzuki), 403, 'admin-operator-locked-out');
    releaseLockout(demo.server.db, { operatorId: MANAGER, by: SYSADMIN, clock });

    const card = await addManager('op-kimura');
    expect((await requestSession(call, demo.credential, 'op-kimura', card)).status).toBe(200);
    demo.server.db.prepare('UPDATE operators SET until = ? WHERE id = ?').run(clock.now() - 1, 'op-kimura');
    refusedWith(await requestSession(call, demo.credential, 'op-kimura', card), 403, 'admin-operator-inactive');
    demo.server.db.prepare('UPDATE operators SET until = NULL WHERE id = ?').run('op-kimura');
    retireOperator(demo.server.db, { operatorId: 'op-kimura', reason: '退職', by: SYSADMIN, clock });
    refusedWith(await requestSession(call, demo.credential, 'op-kimura', card), 403, 'admin-operator-inactive');
    expect(lastRefusal('op-kimura')).toMatchObject({ reason: 'admin-operator-inactive' });
  });

  it('refuses a revoked card', async () => {
    const card = await addManager('op-mori');
    revokeOperatorCard(demo.server.db, { keyId: card.keyId, reason: 'stolen', by: SYSADMIN, clock });
    refusedWith(await requestSession(call, demo.credential, 'op-mori', card), 403, 'admin-card-revoked');
  });
});

describe('using a session', () => {
  it('each use moves the idle end on (15 min), never past 8 h', async () => {
    const session = await openSession(call, demo.credential, SYSADMIN, takahashi);
    const opened = clock.t;
    for (let i = 0; i < 40; i++) {
      clock.t += 14 * MINUTE;
      const reply = await call('/sessions/current', { token: session.token });
      if (clock.t - opened >= 8 * 60 * MINUTE) {
        refusedWith(reply, 401, 'admin-session-expired');
        expect(listEvents(demo.server.db, { kind: 'admin-session-ended', operatorId: SYSADMIN }).at(-1)?.detail).toMatchObject({ sessionId: session.sessionId, reason: 'max-age' });
        return;
      }
      expect(reply.status, `after ${(i + 1) * 14} min`).toBe(200);
    }
    throw new Error('the session never reached its 8 h end');
  });

  it('ends at the next use once its card is revoked or its holder is locked out', async () => {
    const card = await addManager('op-ueda');
    const first = await openSession(call, demo.credential, 'op-ueda', card);
    revokeOperatorCard(demo.server.db, { keyId: card.keyId, reason: 'lost', by: SYSADMIN, clock });
    refusedWith(await call('/sessions/current', { token: first.token }), 401, 'admin-session-ended');
    expect(listEvents(demo.server.db, { kind: 'admin-session-ended', operatorId: 'op-ueda' }).at(-1)?.detail).toMatchObject({ reason: 'card-revoked' });

    const session = await openSession(call, demo.credential, SYSADMIN, takahashi);
    setFailedAttempts(demo.server.db, SYSADMIN, 3, clock.now());
    refusedWith(await call('/sessions/current', { token: session.token }), 401, 'admin-session-ended');
    setFailedAttempts(demo.server.db, SYSADMIN, 0, null);
    refusedWith(await call('/sessions/current', { token: session.token }), 401, 'admin-session-ended');
  });

  it('is refused on another terminal without ending it there', async () => {
    const session = await openSession(call, demo.credential, MANAGER, suzuki);
    refusedWith(await call('/sessions/current', { terminal: second, token: session.token }), 401, 'admin-session-invalid');
    expect(listEvents(demo.server.db, { kind: 'admin-session-refused', operatorId: MANAGER }).at(-1)?.detail).toMatchObject({ reason: 'other-terminal', sessionId: session.sessionId });
    expect((await call('/sessions/current', { token: session.token })).status).toBe(200);
    expect((await call('/sessions/current', { method: 'DELETE', token: session.token })).status).toBe(200);
    refusedWith(await call('/sessions/current', { token: session.token }), 401, 'admin-session-ended');
  });
});
