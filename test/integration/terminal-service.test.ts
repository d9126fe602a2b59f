// The terminal's main-side services (TerminalService) against the real central server on
// 127.0.0.1 (real SQLite, demo town) and the real pcscd with virtual cards in its vpcd reader.
// No browser: the tests call the service's contract methods directly and watch its snapshots.
//
// Note: the Stack's FakeClock drives the server's clock too. Where a test needs the *local*
// clock to be wrong while the server's is right, the server is stopped first (the terminal
// keeps the trusted time it anchored to the server) and the clock is put right before the
// server comes back.
import { OUTBOX_FILE } from '../../src/node/terminal/log-outbox';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Stack } from '../support/stack';
import { journaledEvents } from '../support/journal';
import type { Phase, TerminalSnapshot } from '../../src/shared/contract';
import type { TerminalService } from '../../src/node/terminal/terminal-service';
import type { OutboxEntry } from '../../src/node/terminal/terminal-state';
import type { VirtualCard } from '../../src/tools/vcard/virtual-card';
import { verifyPassword } from '../../src/node/password/scrypt';
import { ELIGIBILITY_MESSAGES } from '../../src/domain/session/eligibility';
import { DEMO_OPERATORS } from '../../src/server/demo/demo-town';
import { releaseLockout } from '../../src/server/admin/release-lockout';
import { revokeCard } from '../../src/server/store/cards';
import { clearEmergencyStop, setEmergencyStop } from '../../src/server/admin/emergency-stop';
import { forcePasswordChange } from '../../src/server/admin/force-password-change';
import { listEvents } from '../../src/server/store/events';
import { API_PREFIX, TerminalCredentialSchema } from '../../src/shared/server-api';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

function demoPassword(operatorId: string): string {
  const spec = DEMO_OPERATORS.find((op) => op.id === operatorId);
  if (!spec) throw new Error(`no demo operator ${operatorId}`);
  return spec.password;
}

const YAMADA = 'op-yamada';
const SATO = 'op-sato';
const SUZUKI = 'op-suzuki';
const SATO_NEW = 'Mado#Kumi7q2x';
const LOCKED_OUT_TEXT = /3回間違えたため/;
const CLOCK_TEXT = /時計/;

let stack: Stack | null = null;
/** Every password typed in the current test: none may ever reach a log or a state file. */
const typed = new Set<string>();

afterEach(async () => {
  const current = stack;
  stack = null;
  try {
    if (current) expectNoPasswordsWritten(current);
  } finally {
    typed.clear();
    await current?.close();
  }
});

async function startStack(): Promise<Stack> {
  stack = new Stack();
  await stack.start();
  await waitPhase('insert-card');
  return stack;
}

function s(): Stack {
  if (!stack) throw new Error('no stack');
  return stack;
}

function svc(): TerminalService {
  const service = s().service;
  if (!service) throw new Error('terminal not running');
  return service;
}

function db() {
  const server = s().server;
  if (!server) throw new Error('server not running');
  return server.db;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitFor<T>(what: string | (() => string), probe: () => T | null | undefined | false | Promise<T | null | undefined | false>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${typeof what === 'string' ? what : what()}`);
    await sleep(25);
  }
}

async function waitPhase(phase: Phase, timeoutMs = 10_000): Promise<TerminalSnapshot> {
  return waitFor(() => `phase ${phase} (still ${svc().snapshot().phase}: ${svc().snapshot().notice?.text ?? 'no notice'})`, () => {
    const snap = svc().snapshot();
    return snap.phase === phase ? snap : null;
  }, timeoutMs);
}

/** Records every phase the service publishes from now on. */
function watchPhases(): { phases: Phase[]; stop: () => void } {
  const phases: Phase[] = [];
  const service = svc();
  const listener = (snap: TerminalSnapshot) => phases.push(snap.phase);
  service.on('snapshot', listener);
  return { phases, stop: () => service.off('snapshot', listener) };
}

async function submit(password: string) {
  typed.add(password);
  return svc().submitPassword({ password });
}

async function changePassword(current: string, next: string, confirm = next) {
  typed.add(current).add(next).add(confirm);
  return svc().changePassword({ current, next, confirm });
}

async function insert(operatorId: string): Promise<VirtualCard> {
  const card = await s().card(operatorId);
  await card.insert();
  return card;
}

async function signIn(operatorId: string, password = demoPassword(operatorId)): Promise<VirtualCard> {
  const card = await insert(operatorId);
  await waitPhase('password');
  expect(await submit(password)).toEqual({ ok: true });
  await waitPhase('working');
  return card;
}

interface OperatorRow {
  failed_attempts: number;
  locked_out: number;
  password_hash: string;
  password_temporary: number;
}

function operatorRow(id: string): OperatorRow {
  return db().prepare('SELECT failed_attempts, locked_out, password_hash, password_temporary FROM operators WHERE id = ?').get(id) as OperatorRow;
}

function stateFile(): { outbox: OutboxEntry[]; roster: unknown; lastKnownTrusted: number | null } {
  return JSON.parse(readFileSync(join(s().terminalDir, 'terminal-state.json'), 'utf8')) as never;
}

/** Syncs until everything queued has been delivered (the server must be up). */
async function delivered(): Promise<void> {
  await waitFor('outbox delivered', async () => {
    await svc().sync();
    return stateFile().outbox.length === 0 && svc().snapshot().connection.online;
  });
}

/** Main-side log events journaled by the terminal (no renderer takes them in these tests). */
function auditLines(): Record<string, unknown>[] {
  return journaledEvents(s().terminalDir);
}

function signInEvents(operatorId: string) {
  return listEvents(db(), { kind: 'signin-attempt', operatorId });
}

function expectNoPasswordsWritten(st: Stack): void {
  const secrets = new Set([...DEMO_OPERATORS.map((op) => op.password), ...typed]);
  const texts: [string, string][] = [];
  for (const name of [OUTBOX_FILE, 'terminal-state.json']) {
    const path = join(st.terminalDir, name);
    if (existsSync(path)) texts.push([name, readFileSync(path, 'utf8')]);
  }
  if (st.server) {
    const details = (st.server.db.prepare('SELECT detail FROM server_events').all() as { detail: string }[]).map((r) => r.detail).join('\n');
    texts.push(['server_events', details]);
  }
  expect(texts.find(([name]) => name === OUTBOX_FILE)?.[1].length ?? 0).toBeGreaterThan(0);
  for (const [name, text] of texts) {
    for (const secret of secrets) expect(text.includes(secret), `${name} contains a password`).toBe(false);
  }
}

describe('terminal service: real server, real pcscd, virtual cards', () => {
  it('signs in online; the server resets the failure counter', async () => {
    await startStack();
    await insert(YAMADA);
    const atPassword = await waitPhase('password');
    expect(atPassword.operator?.id).toBe(YAMADA);
    expect(atPassword.attemptsLeft).toBe(3);

    const wrong = await submit('Hanako#Kumi2025');
    expect(wrong.ok).toBe(false);
    expect(svc().snapshot().attemptsLeft).toBe(2);
    await delivered();
    expect(operatorRow(YAMADA).failed_attempts).toBe(1);

    expect(await submit(demoPassword(YAMADA))).toEqual({ ok: true });
    const working = await waitPhase('working');
    expect(working.operator?.id).toBe(YAMADA);
    expect(working.connection.online).toBe(true);
    await delivered();
    expect(operatorRow(YAMADA)).toMatchObject({ failed_attempts: 0, locked_out: 0 });
    expect(signInEvents(YAMADA).map((e) => e.detail.outcome)).toEqual(['failure', 'success']);
    // The reader pcscd offers is on record from the start.
    const readers = auditLines().filter((e) => e.type === 'reader.connected');
    expect(readers).toContainEqual(expect.objectContaining({ outcome: 'info', detail: { reader: 'Virtual PCD 00 00' } }));
    expect(new Set(readers.map((e) => (e.detail as { reader: string }).reader)).size).toBe(readers.length);
  });

  it('signs in offline from the cached roster and reports the attempt once when the server is back', async () => {
    const st = await startStack();
    await delivered(); // the roster is on the terminal's disk
    expect(stateFile().roster).not.toBeNull();

    await st.stopServer();
    await st.restartTerminal();
    await waitPhase('insert-card');
    expect(svc().snapshot().connection.online).toBe(false);

    await signIn(YAMADA);
    const pending = stateFile().outbox;
    expect(pending).toHaveLength(1);
    const entry = pending[0]!;
    expect(entry).toMatchObject({ kind: 'signin-attempt', request: { operatorId: YAMADA, outcome: 'success' } });

    await st.startServer();
    await delivered();
    expect(svc().snapshot().phase).toBe('working');
    const processed = db().prepare('SELECT kind, status_code FROM processed_requests WHERE request_id = ?').all(entry.request.requestId);
    expect(processed).toEqual([{ kind: 'signin-attempt', status_code: 200 }]);
    const events = signInEvents(YAMADA);
    expect(events).toHaveLength(1);
    expect(events[0]!.detail).toMatchObject({ requestId: entry.request.requestId, outcome: 'success' });

    // Resending the same report (as after a lost answer) changes nothing.
    const credential = TerminalCredentialSchema.parse(JSON.parse(readFileSync(join(st.serverDir, 'demo-terminal.json'), 'utf8')));
    const resend = await fetch(`${st.server!.url}${API_PREFIX}/signin-attempts`, {
      method: 'POST',
      headers: { authorization: `Terminal ${credential.terminalId}:${credential.secret}`, 'content-type': 'application/json' },
      body: JSON.stringify(entry.request),
    });
    expect(resend.status).toBe(200);
    expect(resend.headers.get('idempotent-replay')).toBe('true');
    await svc().sync();
    expect(signInEvents(YAMADA)).toHaveLength(1);
    expect(db().prepare('SELECT count(*) AS n FROM processed_requests').get()).toEqual({ n: 1 });
  });

  it('ends the session of an operator whose card is revoked on the server, and refuses the card', async () => {
    const st = await startStack();
    const card = await signIn(YAMADA);
    const { key_id: keyId } = db().prepare(`SELECT key_id FROM cards WHERE operator_id = ? AND status = 'active'`).get(YAMADA) as { key_id: string };
    expect(revokeCard(db(), keyId, st.clock.now(), 'lost')).toBe(true);

    await svc().sync();
    const ended = svc().snapshot();
    expect(ended.phase).toBe('remove-card');
    expect(ended.notice?.text).toBe(ELIGIBILITY_MESSAGES['revoked-card']);
    expect(ended.operator).toBeNull();
    expect(auditLines().some((l) => l.type === 'session.ended-by-roster' && l.operatorId === YAMADA)).toBe(true);

    await card.remove();
    const after = await waitPhase('insert-card');
    expect(after.lockCause).toBeNull(); // ended, not merely locked

    const watch = watchPhases();
    await card.insert();
    const refused = await waitPhase('remove-card');
    watch.stop();
    expect(refused.notice?.text).toBe(ELIGIBILITY_MESSAGES['revoked-card']);
    expect(watch.phases).not.toContain('password');
    expect((await submit(demoPassword(YAMADA))).ok).toBe(false);
  });

  it("ends a locked session revoked on the server without refusing the next operator's card", async () => {
    const st = await startStack();
    const yamada = await signIn(YAMADA);
    await yamada.remove();
    await waitPhase('locked');
    const { key_id: keyId } = db().prepare(`SELECT key_id FROM cards WHERE operator_id = ? AND status = 'active'`).get(YAMADA) as { key_id: string };
    // Right after a periodic sync, so that the next roster fetch is the one made while reading the new card.
    const fetched = listEvents(db(), { kind: 'roster-fetched' }).length;
    await waitFor('a periodic roster fetch', () => listEvents(db(), { kind: 'roster-fetched' }).length > fetched);
    revokeCard(db(), keyId, st.clock.now(), 'lost');

    const watch = watchPhases();
    await insert(SUZUKI);
    const prompt = await waitPhase('password');
    watch.stop();
    expect(prompt.operator?.id).toBe(SUZUKI);
    expect(prompt.notice).toBeNull();
    expect(watch.phases).not.toContain('remove-card');
    expect(auditLines().some((l) => l.type === 'session.ended-by-roster' && l.operatorId === YAMADA)).toBe(true);
    expect(await submit(demoPassword(SUZUKI))).toEqual({ ok: true });
    expect((await waitPhase('working')).operator?.id).toBe(SUZUKI);
  });

  it('an emergency stop locks a counter operator at the next contact and keeps them out; the manager may sign in; lifting it lets work resume', async () => {
    const st = await startStack();
    const yamada = await signIn(YAMADA);
    const stop = setEmergencyStop(db(), { scope: 'all', reason: '不正アクセスの疑い', by: SUZUKI, clock: st.clock });

    await svc().sync();
    const stopped = svc().snapshot();
    expect(stopped.phase).toBe('stopped');
    expect(stopped.lockCause).toBe('emergency-stop');
    expect(stopped.operator).toBeNull();
    expect(stopped.emergencyStop).toMatchObject({ scope: 'all', reason: '不正アクセスの疑い' });
    expect(auditLines()).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ type: 'emergency.stop-received', detail: expect.objectContaining({ stopId: stop.id, scope: 'all', by: SUZUKI }) }),
        expect.objectContaining({ type: 'session.locked', operatorId: YAMADA, detail: expect.objectContaining({ cause: 'emergency-stop' }) }),
      ]),
    );
    // The password is not even checked while the stop holds (and not counted).
    const refused = await submit(demoPassword(YAMADA));
    expect(refused).toEqual({ ok: false, message: expect.stringContaining('緊急停止中') });
    expect(operatorRow(YAMADA).failed_attempts).toBe(0);
    expect(auditLines().some((l) => l.type === 'signin.refused' && (l.detail as { reason?: string }).reason === 'emergency-stop')).toBe(true);

    // The information-protection manager signs in (to lift it): the stop is shown, not enforced on them.
    // (The phase is 'stopped' before and after the card leaves: wait for the removal itself.)
    const removed = async (card: VirtualCard) => {
      const before = auditLines().filter((l) => l.type === 'card.removed').length;
      await card.remove();
      await waitFor('card removed', () => auditLines().filter((l) => l.type === 'card.removed').length > before);
    };
    await removed(yamada);
    expect(svc().snapshot().phase).toBe('stopped');
    const suzuki = await insert(SUZUKI);
    await waitPhase('password');
    expect(await submit(demoPassword(SUZUKI))).toEqual({ ok: true });
    expect((await waitPhase('working')).emergencyStop?.reason).toBe('不正アクセスの疑い');
    await svc().signOut();
    await removed(suzuki);
    expect(svc().snapshot().phase).toBe('stopped');

    // A counter operator's card is refused while the stop holds.
    await yamada.insert();
    const card = await waitPhase('remove-card');
    expect(card.notice?.text).toContain('緊急停止中');
    await removed(yamada);

    clearEmergencyStop(db(), { id: stop.id, reason: '確認の結果、問題なし', by: SUZUKI, clock: st.clock });
    await svc().sync();
    expect(svc().snapshot()).toMatchObject({ phase: 'insert-card', emergencyStop: null });
    expect(auditLines().some((l) => l.type === 'emergency.stop-lifted' && (l.detail as { stopId?: string }).stopId === stop.id)).toBe(true);
    await signIn(YAMADA);
  });

  it('a password change required by an administrator is asked for at the next sign-in, with its own reason, and clears once done', async () => {
    const st = await startStack();
    forcePasswordChange(db(), { operatorId: YAMADA, reason: 'パスワードを見られた可能性', by: SUZUKI, clock: st.clock });
    await insert(YAMADA);
    await waitPhase('password');
    expect(await submit(demoPassword(YAMADA))).toEqual({ ok: true });
    const change = await waitPhase('change-password');
    expect(change.passwordChangeReason).toBe('required');
    const next = 'Kado#Mori8v3w';
    expect(await changePassword(demoPassword(YAMADA), next)).toEqual({ ok: true });
    await waitPhase('working');
    await delivered();
    expect((db().prepare('SELECT password_change_required_at AS at FROM operators WHERE id = ?').get(YAMADA) as { at: number | null }).at).toBeNull();
  });

  it('ends the session of an operator retired on the server, and refuses the card', async () => {
    const st = await startStack();
    const card = await signIn(YAMADA);
    db().prepare(`UPDATE operators SET status = 'retired', until = ? WHERE id = ?`).run(st.clock.now(), YAMADA);

    await svc().sync();
    const ended = svc().snapshot();
    expect(ended.phase).toBe('remove-card');
    expect(ended.notice?.text).toBe(ELIGIBILITY_MESSAGES['not-on-roster']);

    await card.remove();
    await waitPhase('insert-card');
    const watch = watchPhases();
    await card.insert();
    const refused = await waitPhase('remove-card');
    watch.stop();
    expect(refused.notice?.text).toBe(ELIGIBILITY_MESSAGES['not-on-roster']);
    expect(watch.phases).not.toContain('password');
  });

  it('locks out after 3 wrong passwords until the lockout is released on the server', async () => {
    const st = await startStack();
    const card = await insert(YAMADA);
    await waitPhase('password');
    expect((await submit('wrong-pass-1A')).ok).toBe(false);
    expect((await submit('wrong-pass-2B')).ok).toBe(false);
    const third = await submit('wrong-pass-3C');
    expect(third.ok).toBe(false);
    if (!third.ok) expect(third.message).toMatch(LOCKED_OUT_TEXT);
    expect(svc().snapshot().phase).toBe('locked-out');
    // The right password no longer helps.
    expect((await submit(demoPassword(YAMADA))).ok).toBe(false);
    await delivered();
    expect(operatorRow(YAMADA)).toMatchObject({ failed_attempts: 3, locked_out: 1 });

    // Re-inserting the card does not reset anything.
    await card.remove();
    await waitPhase('insert-card');
    await card.insert();
    await waitPhase('locked-out');

    releaseLockout(db(), { operatorId: YAMADA, by: SUZUKI, clock: st.clock });
    await svc().sync();
    // The terminal's log says when it learned of the release (the server's own record is in server_events).
    expect(auditLines().filter((e) => e.type === 'roster.lockout-released')).toEqual([expect.objectContaining({ operatorId: YAMADA, detail: { failedAttempts: 0 } })]);
    await card.remove();
    await waitPhase('insert-card');
    await card.insert();
    const again = await waitPhase('password');
    expect(again.attemptsLeft).toBe(3);
    expect(await submit(demoPassword(YAMADA))).toEqual({ ok: true });
    await waitPhase('working');
    await delivered();
    expect(operatorRow(YAMADA)).toMatchObject({ failed_attempts: 0, locked_out: 0 });
  });

  it('counts a wrong password typed offline: 2 online + 1 offline lock the operator out', async () => {
    const st = await startStack();
    const card = await insert(YAMADA);
    await waitPhase('password');
    expect((await submit('wrong-pass-1A')).ok).toBe(false);
    expect((await submit('wrong-pass-2B')).ok).toBe(false);
    await delivered();
    expect(operatorRow(YAMADA).failed_attempts).toBe(2);
    expect(svc().snapshot().attemptsLeft).toBe(1);

    await st.stopServer();
    const third = await submit('wrong-pass-3C');
    expect(third.ok).toBe(false);
    if (!third.ok) expect(third.message).toMatch(LOCKED_OUT_TEXT);
    expect(svc().snapshot().phase).toBe('locked-out');
    expect(stateFile().outbox.map((e) => e.kind === 'signin-attempt' && e.request.outcome)).toEqual(['failure']);

    // Still offline: the card stays refused after re-insertion.
    await card.remove();
    await waitPhase('insert-card');
    await card.insert();
    await waitPhase('locked-out');

    await st.startServer();
    await delivered();
    expect(operatorRow(YAMADA)).toMatchObject({ failed_attempts: 3, locked_out: 1 });
    expect(listEvents(db(), { kind: 'lockout', operatorId: YAMADA })).toHaveLength(1);
  });

  it('keeps the counts the server acknowledged when the roster fetch after them fails', async () => {
    await startStack();
    await insert(YAMADA);
    await waitPhase('password');
    // A roster the terminal refuses (an operator's kana longer than the contract allows): every
    // sync now delivers the reports and then fails at the roster.
    db().prepare('UPDATE operators SET kana = ? WHERE id = ?').run('カ'.repeat(101), 'op-takahashi');
    for (const [i, wrong] of ['wrong-pass-1A', 'wrong-pass-2B'].entries()) {
      expect((await submit(wrong)).ok).toBe(false);
      await waitFor('report delivered', async () => {
        await svc().sync();
        return stateFile().outbox.length === 0;
      });
      expect(operatorRow(YAMADA).failed_attempts).toBe(i + 1);
      expect(svc().snapshot().connection.online).toBe(false); // the roster fetch failed
    }
    expect(svc().snapshot().attemptsLeft).toBe(1);
    const third = await submit('wrong-pass-3C');
    expect(third.ok).toBe(false);
    if (!third.ok) expect(third.message).toMatch(LOCKED_OUT_TEXT);
    expect(svc().snapshot().phase).toBe('locked-out');
  });

  it('keeps pending reports while the server refuses the terminal credential, and delivers them later', async () => {
    await startStack();
    await insert(YAMADA);
    await waitPhase('password');
    const { secret_sha256: secretHash } = db().prepare('SELECT secret_sha256 FROM terminals WHERE id = ?').get('term-demo-01') as { secret_sha256: string };
    db().prepare('UPDATE terminals SET secret_sha256 = ? WHERE id = ?').run('0'.repeat(64), 'term-demo-01');

    expect((await submit('wrong-pass-1A')).ok).toBe(false);
    await svc().sync();
    await svc().sync();
    expect(stateFile().outbox).toHaveLength(1);
    expect(svc().snapshot().connection.online).toBe(false);
    expect(operatorRow(YAMADA).failed_attempts).toBe(0);

    db().prepare('UPDATE terminals SET secret_sha256 = ? WHERE id = ?').run(secretHash, 'term-demo-01');
    await delivered();
    expect(operatorRow(YAMADA).failed_attempts).toBe(1);
    expect(auditLines().some((l) => l.type === 'sync.report-refused')).toBe(false);
  });

  it('makes op-sato change the temporary password; a refused one queues nothing, an accepted one reaches the server', async () => {
    const st = await startStack();
    const card = await insert(SATO);
    await waitPhase('password');
    expect(await submit(demoPassword(SATO))).toEqual({ ok: true });
    const change = await waitPhase('change-password');
    expect(change.passwordChangeReason).toBe('temporary');
    const hashBefore = operatorRow(SATO).password_hash;

    const weak = await changePassword(demoPassword(SATO), 'sato2026');
    expect(weak.ok).toBe(false);
    const mismatch = await changePassword(demoPassword(SATO), SATO_NEW, 'Mado#Kumi7q2y');
    expect(mismatch.ok).toBe(false);
    const wrongCurrent = await changePassword('Kari#Sato2025', SATO_NEW);
    expect(wrongCurrent.ok).toBe(false);
    expect(svc().snapshot().phase).toBe('change-password');
    expect(stateFile().outbox.filter((e) => e.kind === 'password-change')).toEqual([]);
    await svc().sync();
    expect(listEvents(db(), { kind: 'password-changed', operatorId: SATO })).toEqual([]);
    expect(operatorRow(SATO).password_hash).toBe(hashBefore);

    expect(await changePassword(demoPassword(SATO), SATO_NEW)).toEqual({ ok: true });
    await waitPhase('working');
    await delivered();
    const row = operatorRow(SATO);
    expect(row.password_temporary).toBe(0);
    expect(row.password_hash).not.toBe(hashBefore);
    expect(await verifyPassword(SATO_NEW, row.password_hash)).toBe(true);
    expect(listEvents(db(), { kind: 'password-changed', operatorId: SATO })).toHaveLength(1);

    await card.remove();
    await st.restartTerminal();
    await waitPhase('insert-card');
    await card.insert();
    await waitPhase('password');
    expect((await submit(demoPassword(SATO))).ok).toBe(false);
    expect(await submit(SATO_NEW)).toEqual({ ok: true });
    const working = await waitPhase('working'); // no second change demanded
    expect(working.operator?.id).toBe(SATO);
  });

  it('keeps trusted time when the local clock is moved back while running', async () => {
    const st = await startStack();
    await signIn(YAMADA);
    await st.stopServer(); // the FakeClock is the server's clock too: no re-anchoring to the moved clock
    const before = svc().snapshot().now;
    st.clock.set(new Date(st.clock.wallNow() - 3 * HOUR).toISOString()); // local 07:00: before opening

    const anomaly = await waitFor('clock.anomaly in the log outbox', () =>
      auditLines().find((l) => l.type === 'clock.anomaly' && (l.detail as { kind: string }).kind === 'local-clock-moved'),
    );
    expect((anomaly.detail as { deltaMs: number }).deltaMs).toBeLessThan(-2.9 * HOUR);
    await sleep(600); // a few heartbeats
    const snap = svc().snapshot();
    expect(snap.now - before).toBeGreaterThanOrEqual(0);
    expect(snap.now - before).toBeLessThan(10_000);
    expect(snap.phase).toBe('working'); // not forced closed by the moved clock
    expect(snap.hours.open).toBe(true);
  });

  it('refuses cards after an offline restart with the local clock far behind the last trusted time, until the server is reached', async () => {
    const st = await startStack();
    await delivered();
    const lastKnown = stateFile().lastKnownTrusted;
    expect(lastKnown).not.toBeNull();

    await st.stopServer();
    const rightTime = st.clock.wallNow();
    st.clock.set(new Date(rightTime - 7 * DAY).toISOString()); // a Tuesday 10:00 a week earlier: a working hour
    await st.restartTerminal();
    const error = await waitPhase('clock-error');
    expect(error.now).toBeLessThan(lastKnown!);
    expect(auditLines().some((l) => l.type === 'clock.anomaly' && (l.detail as { kind: string }).kind === 'local-clock-behind-last-known')).toBe(true);

    const watch = watchPhases();
    const card = await insert(YAMADA);
    await waitFor('clock refusal', () => CLOCK_TEXT.test(svc().snapshot().notice?.text ?? ''));
    expect(svc().snapshot().phase).toBe('clock-error');
    expect((await submit(demoPassword(YAMADA))).ok).toBe(false);
    await card.remove();

    // Putting the local clock right is not enough: only the server's time is trusted.
    st.clock.set(new Date(rightTime).toISOString());
    await svc().sync();
    await sleep(300);
    expect(svc().snapshot().phase).toBe('clock-error');
    watch.stop();
    expect(watch.phases).not.toContain('password');

    await st.startServer();
    await svc().sync();
    await waitPhase('insert-card');
    await signIn(YAMADA);
  });

  it('sets a damaged terminal-state.json aside, refetches the roster and works', async () => {
    const st = await startStack();
    await delivered();
    await st.stopTerminal();
    const statePath = join(st.terminalDir, 'terminal-state.json');
    const garbage = randomBytes(512);
    writeFileSync(statePath, garbage);

    await st.startTerminal();
    const aside = readdirSync(st.terminalDir).filter((name) => name.startsWith('terminal-state.json.damaged-'));
    expect(aside).toHaveLength(1);
    expect(readFileSync(join(st.terminalDir, aside[0]!)).equals(garbage)).toBe(true);
    expect(auditLines().some((l) => l.type === 'terminal.state-recovered')).toBe(true);

    await waitPhase('insert-card');
    await delivered();
    expect(stateFile().roster).not.toBeNull();
    await signIn(YAMADA);
  });

  it('handles a card already in the reader when the terminal starts', async () => {
    const st = await startStack();
    await signIn(YAMADA);
    await st.restartTerminal();
    const prompt = await waitPhase('password');
    expect(prompt.operator?.id).toBe(YAMADA);
    expect(await submit(demoPassword(YAMADA))).toEqual({ ok: true });
    await waitPhase('working');
  });

  it('never writes a password to the audit log, the state file or the server events', async () => {
    await startStack();
    const card = await insert(SATO);
    await waitPhase('password');
    expect((await submit('Wrong#Sato2026')).ok).toBe(false);
    expect(await submit(demoPassword(SATO))).toEqual({ ok: true });
    await waitPhase('change-password');
    expect((await changePassword(demoPassword(SATO), 'password1')).ok).toBe(false);
    expect(await changePassword(demoPassword(SATO), SATO_NEW)).toEqual({ ok: true });
    await waitPhase('working');
    await delivered();
    await card.remove();
    await waitPhase('locked');
    await card.insert();
    await waitFor('unlock prompt', () => svc().snapshot().awaitingPassword);
    expect((await submit('Wrong#Unlock99')).ok).toBe(false);
    expect(await submit(SATO_NEW)).toEqual({ ok: true });
    await waitPhase('working');
    await delivered();
    expect(auditLines().length).toBeGreaterThan(10);
    expectNoPasswordsWritten(s()); // checked after every test too
  });
});
