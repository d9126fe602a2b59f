// The admin console's main side (issue 6) against the real central server and the real pcscd: the
// admin session is opened by the signed-in manager's card signing the server's challenge (through
// PC/SC), actions go through AdminRelay with the input checked on main, passwords made on main are
// never written anywhere, and a card to issue is read in the second virtual reader.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Stack } from '../support/stack';
import { journaledEvents } from '../support/journal';
import type { Phase, TerminalSnapshot } from '../../src/shared/contract';
import type { TerminalService } from '../../src/node/terminal/terminal-service';
import { DEMO_OPERATORS } from '../../src/server/demo/demo-town';
import { verifyPassword } from '../../src/node/password/scrypt';
import { isAcceptableTemporaryPassword } from '../../src/domain/password/temporary';
import { createCardFile } from '../../src/node/card/virtual-card-file';
import { VirtualCard } from '../../src/tools/vcard/virtual-card';
import { listEvents } from '../../src/server/store/events';
import { OUTBOX_FILE } from '../../src/node/terminal/log-outbox';

const SUZUKI = 'op-suzuki'; // 情報保護管理者
const YAMADA = 'op-yamada'; // counter operator
const SATO = 'op-sato';
const password = (id: string) => DEMO_OPERATORS.find((op) => op.id === id)!.password;

let stack: Stack | null = null;
const extraCards: VirtualCard[] = [];

afterEach(async () => {
  for (const card of extraCards.splice(0)) await card.remove().catch(() => undefined);
  await stack?.close();
  stack = null;
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
function svc(): TerminalService {
  return stack!.service!;
}
async function waitPhase(phase: Phase): Promise<TerminalSnapshot> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const snap = svc().snapshot();
    if (snap.phase === phase) return snap;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${phase} (still ${snap.phase}: ${snap.notice?.text ?? '-'})\n${stack!.diagnostics()}`);
    await sleep(25);
  }
}
async function signIn(operatorId: string) {
  const card = await stack!.card(operatorId);
  await card.insert();
  await waitPhase('password');
  expect(await svc().submitPassword({ password: password(operatorId) })).toEqual({ ok: true });
  await waitPhase('working');
  return card;
}
const db = () => stack!.server!.db;

describe('admin console, main side (real server, real pcscd)', () => {
  it('the manager opens an admin session with the card; actions are checked on main and logged with who, what, why', async () => {
    stack = await new Stack().start();
    await waitPhase('insert-card');
    await signIn(SUZUKI);

    const opened = await svc().adminOpen();
    expect(opened).toMatchObject({ ok: true, session: { role: 'manager', operatorName: '鈴木 一郎' } });
    if (!opened.ok) throw new Error('not opened');
    expect(opened.session.permissions).toContain('password.set-temporary');
    expect(opened.session.permissions).not.toContain('roster.add');
    // The server verified the card's signature over its own challenge.
    expect(listEvents(db(), { kind: 'admin-session-opened' }).some((e) => e.operatorId === SUZUKI)).toBe(true);

    const roster = await svc().adminCall({ action: 'roster.view' });
    expect(roster.ok).toBe(true);
    expect(JSON.stringify(roster)).toContain(YAMADA);

    // Malformed input never reaches the server.
    expect(await svc().adminCall({ action: 'password.release-lockout', input: { reason: '解除' } })).toMatchObject({ ok: false, code: 'invalid-request' });
    expect(await svc().adminCall({ action: 'password.release-lockout', target: YAMADA, input: { reason: '' } })).toMatchObject({ ok: false, code: 'invalid-request' });
    expect(await svc().adminCall({ action: 'password.release-lockout', target: YAMADA, input: { reason: 'ok', extra: 1 } })).toMatchObject({ ok: false, code: 'invalid-request' });
    expect(await svc().adminCall({ action: 'db.drop', input: {} })).toMatchObject({ ok: false, code: 'unknown-action' });
    // The server's own refusal comes back as it is (the manager may not add operators).
    const add = await svc().adminCall({ action: 'roster.add', input: { id: 'op-new', name: '新人 太郎', kana: 'シンジン タロウ', role: 'operator', since: '2026-11-24T00:00:00.000Z', until: null, reason: '採用' } });
    expect(add).toMatchObject({ ok: false, code: 'admin-not-permitted' });

    // A temporary password made on main: shown once, only its hash reaches the server.
    const reset = await svc().adminCall({ action: 'password.set-temporary', target: SATO, input: { reason: 'パスワード忘れの申出' } });
    expect(reset.ok).toBe(true);
    if (!reset.ok) throw new Error('not reset');
    const temporary = reset.temporaryPassword!;
    expect(isAcceptableTemporaryPassword(temporary)).toBe(true);
    const row = db().prepare('SELECT password_hash AS hash, password_temporary AS temporary FROM operators WHERE id = ?').get(SATO) as { hash: string; temporary: number };
    expect(row.temporary).toBe(1);
    expect(await verifyPassword(temporary, row.hash)).toBe(true);

    const journal = journaledEvents(stack.terminalDir);
    expect(journal).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ type: 'admin.session-opened', operatorId: SUZUKI }),
        expect.objectContaining({ type: 'admin.action', outcome: 'success', operatorId: SUZUKI, detail: expect.objectContaining({ action: 'password.set-temporary', target: SATO, reason: 'パスワード忘れの申出' }) }),
        expect.objectContaining({ type: 'admin.action', outcome: 'failure', detail: expect.objectContaining({ action: 'roster.add', code: 'admin-not-permitted' }) }),
        expect.objectContaining({ type: 'admin.viewed', detail: expect.objectContaining({ action: 'roster.view' }) }),
      ]),
    );
    const texts = [readFileSync(join(stack.terminalDir, OUTBOX_FILE), 'utf8'), readFileSync(join(stack.terminalDir, 'terminal-state.json'), 'utf8'), (db().prepare('SELECT group_concat(detail) AS d FROM server_events').get() as { d: string }).d];
    for (const text of texts) expect(text.includes(temporary)).toBe(false);

    // A lock ends the admin session: the next action after unlocking needs the card again.
    await svc().lock();
    expect(journaledEvents(stack.terminalDir).some((e) => e.type === 'admin.session-closed')).toBe(true);
    expect(await svc().adminCall({ action: 'roster.view' })).toMatchObject({ ok: false, code: 'not-working' });
  });

  it('a counter operator gets no admin session, on main and on the server', async () => {
    stack = await new Stack().start();
    await waitPhase('insert-card');
    await signIn(YAMADA);
    expect(await svc().adminOpen()).toMatchObject({ ok: false, code: 'not-admin' });
    expect(await svc().adminCall({ action: 'roster.view' })).toMatchObject({ ok: false, code: 'not-admin' });
    expect(listEvents(db(), { kind: 'admin-session-opened' })).toEqual([]);
  });

  it('issues a card read in the second reader to an operator whose card was revoked; the new card signs in', async () => {
    stack = await new Stack().start();
    await waitPhase('insert-card');
    const suzuki = await signIn(SUZUKI);
    const { key_id: oldKey } = db().prepare(`SELECT key_id FROM cards WHERE operator_id = ? AND status = 'active'`).get(YAMADA) as { key_id: string };
    expect(await svc().adminCall({ action: 'cards.revoke', target: oldKey, input: { reason: 'lost' } })).toMatchObject({ ok: true });

    const created = await createCardFile({ label: '山田 花子 (再発行)', operatorId: YAMADA });
    const fresh = new VirtualCard(created.file, { port: 35964 });
    extraCards.push(fresh);
    await fresh.insert();
    const deadline = Date.now() + 5000;
    while (!stack.cards!.cardsPresent().includes('Virtual PCD 00 01')) {
      if (Date.now() > deadline) throw new Error('second reader never saw the card');
      await sleep(50);
    }
    // The reader holding the manager's own card is refused on main (it would read her card), and not offered.
    expect(svc().snapshot().sessionReader).toBe('Virtual PCD 00 00');
    expect(await svc().adminCall({ action: 'cards.issue', input: { operatorId: YAMADA, reader: 'Virtual PCD 00 00', reason: '紛失による再発行' } })).toMatchObject({ ok: false, code: 'own-card-reader' });
    const issued = await svc().adminCall({ action: 'cards.issue', input: { operatorId: YAMADA, reader: 'Virtual PCD 00 01', reason: '紛失による再発行' } });
    expect(issued).toMatchObject({ ok: true, data: { card: { operatorId: YAMADA, status: 'active', keyId: created.keyId } } });
    // Reading a card in a reader that holds none is a clear refusal, nothing sent.
    await fresh.remove();
    await svc().signOut();
    await stack.removeCard(suzuki);
    await waitPhase('insert-card');

    // The reissued card signs Yamada in (in the first reader).
    const again = new VirtualCard(created.file);
    extraCards.push(again);
    await again.insert();
    await waitPhase('password');
    expect(await svc().submitPassword({ password: password(YAMADA) })).toEqual({ ok: true });
    expect((await waitPhase('working')).operator?.id).toBe(YAMADA);
  });
});
