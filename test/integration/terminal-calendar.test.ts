// Operating hours with approved exceptions (第23条 "原則として"), end to end: the real central
// server (the exception approved by `npm run server -- approve-exception` or the same admin
// function), the terminal runtime on the real pcscd, and virtual cards in its vpcd reader.
// The Stack's FakeClock is the clock of both server and terminal.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { Stack } from '../support/stack';
import { journaledEvents } from '../support/journal';
import type { Phase, TerminalSnapshot } from '../../src/shared/contract';
import type { TerminalService } from '../../src/node/terminal/terminal-service';
import { DEMO_OPERATORS } from '../../src/server/demo/demo-town';
import { approveCalendarException } from '../../src/server/admin/calendar-exceptions';
import { listEvents } from '../../src/server/store/events';

const execFileAsync = promisify(execFile);

const YAMADA = 'op-yamada';
const SUNDAY = '2026-11-29'; // a Sunday: closed as a rule
const SUNDAY_REASON = '転入転出の繁忙期の日曜窓口';
const SUNDAY_LABEL = `特別開庁: ${SUNDAY_REASON}（承認: 情報保護管理者 鈴木 一郎）`;
const WEEKDAY = '2026-11-24'; // a Tuesday, a town working day
const WEEKDAY_REASON = '月末の届出集中に伴う窓口延長';
const CLOSED_TEXT = /^開庁時間外のためサインインできません（日曜日）。次の開庁は 2026年11月30日\(月\) 8:30 です。$/;

function demoPassword(operatorId: string): string {
  const spec = DEMO_OPERATORS.find((op) => op.id === operatorId);
  if (!spec) throw new Error(`no demo operator ${operatorId}`);
  return spec.password;
}

let stack: Stack | null = null;

afterEach(async () => {
  const current = stack;
  stack = null;
  await current?.close();
});

async function startStack(time: string): Promise<Stack> {
  stack = new Stack({ time });
  await stack.start();
  return stack;
}

function svc(): TerminalService {
  const service = stack?.service;
  if (!service) throw new Error('terminal not running');
  return service;
}

function serverDb() {
  const server = stack?.server;
  if (!server) throw new Error('server not running');
  return server.db;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitPhase(phase: Phase, timeoutMs = 10_000): Promise<TerminalSnapshot> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const snap = svc().snapshot();
    if (snap.phase === phase) return snap;
    if (Date.now() > deadline) throw new Error(`timed out waiting for phase ${phase} (still ${snap.phase}: ${snap.notice?.text ?? 'no notice'})`);
    await sleep(25);
  }
}

/** `npm run server -- …` as the administrator would type it, against the running server's data dir. */
async function serverCli(args: string[]): Promise<string> {
  const { stdout } = await execFileAsync(process.execPath, ['--import', 'tsx', 'src/server/cli.ts', ...args, '--data-dir', stack!.serverDir], {
    encoding: 'utf8',
    timeout: 60_000,
  });
  return stdout;
}

describe('terminal hours with approved exceptions (第23条)', () => {
  it('refuses the card on a Sunday; after a special opening day is approved and synced, signs in and shows who approved it and why', async () => {
    const st = await startStack(`${SUNDAY}T10:00:00+09:00`);
    const idle = await waitPhase('closed');
    expect(idle.hours).toMatchObject({ open: false, reason: '日曜日', exceptionLabel: null });

    // No exception: the card is refused with the closed message.
    const card = await st.card(YAMADA);
    await card.insert();
    const refused = await waitPhase('remove-card');
    expect(refused.notice?.text).toMatch(CLOSED_TEXT);
    expect(refused.operator).toBeNull();
    await card.remove();
    await waitPhase('closed');

    // The information-protection manager approves a Sunday counter at the server console.
    const out = await serverCli(['approve-exception', '--date', SUNDAY, '--opens', '08:30', '--closes', '12:00', '--reason', SUNDAY_REASON, '--by', 'op-suzuki']);
    expect(out).toContain('calendar exception approved');
    expect(listEvents(serverDb(), { kind: 'calendar-exception-approved' })).toEqual([
      expect.objectContaining({ operatorId: 'op-suzuki', detail: expect.objectContaining({ date: SUNDAY, reason: SUNDAY_REASON, by: 'op-suzuki', byName: '鈴木 一郎' }) }),
    ]);

    await svc().sync();
    const open = await waitPhase('insert-card');
    // The terminal's log says when it took the exception up (dates and hours; the reason and the approver stay on the server).
    expect(journaledEvents(st.terminalDir).filter((e) => e.type === 'calendar.exceptions-changed')).toEqual([
      expect.objectContaining({ outcome: 'info', detail: expect.objectContaining({ added: `${SUNDAY} 08:30-12:00`, withdrawn: '', total: 1 }) }),
    ]);
    expect(open.hours).toMatchObject({ open: true, reason: SUNDAY_LABEL, exceptionLabel: SUNDAY_LABEL, nextChangeLabel: '閉庁 12:00' });

    await card.insert();
    await waitPhase('password');
    expect(await svc().submitPassword({ password: demoPassword(YAMADA) })).toEqual({ ok: true });
    const working = await waitPhase('working');
    expect(working.operator?.id).toBe(YAMADA);
    expect(working.hours.exceptionLabel).toBe(SUNDAY_LABEL);
    expect(working.hours.exceptionLabel).toContain(SUNDAY_REASON);
    expect(working.hours.exceptionLabel).toContain('鈴木 一郎');

    // Withdrawn while in use: the terminal learns it at the next sync and locks the session.
    await serverCli(['withdraw-exception', '--date', SUNDAY, '--reason', '応援職員を確保できないため中止', '--by', 'op-takahashi']);
    await svc().sync();
    const locked = await waitPhase('closed');
    expect(locked.lockCause).toBe('hours');
    expect(locked.hours).toMatchObject({ open: false, reason: '日曜日', exceptionLabel: null });
    expect(locked.operator).toBeNull();
  });

  it('with hours extended to 19:00 on a weekday, signs in at 18:00 and locks the session at 19:00', async () => {
    const st = await startStack(`${WEEKDAY}T18:00:00+09:00`);
    const before = await waitPhase('closed');
    expect(before.hours.reason).toBe('閉庁時間（17:15以降）');

    approveCalendarException(serverDb(), { date: WEEKDAY, opensAt: '08:30', closesAt: '19:00', reason: WEEKDAY_REASON, by: 'op-takahashi', clock: st.clock });
    await svc().sync();
    const open = await waitPhase('insert-card');
    expect(open.hours).toMatchObject({ open: true, nextChangeLabel: '閉庁 19:00', exceptionLabel: `特別開庁: ${WEEKDAY_REASON}（承認: システム管理者 高橋 美咲）` });

    const card = await st.card(YAMADA);
    await card.insert();
    await waitPhase('password');
    expect(await svc().submitPassword({ password: demoPassword(YAMADA) })).toEqual({ ok: true });
    const working = await waitPhase('working');
    expect(working.hours.minutesLeft).toBe(60);

    await st.setTime(`${WEEKDAY}T18:59:57+09:00`);
    expect(svc().snapshot().phase).toBe('working');
    const closed = await waitPhase('closed', 10_000); // the heartbeat notices 19:00 by itself
    expect(closed.lockCause).toBe('hours');
    expect(closed.now).toBeGreaterThanOrEqual(Date.parse(`${WEEKDAY}T19:00:00+09:00`));
    expect(closed.hours).toMatchObject({ open: false, reason: '閉庁時間（19:00以降）' });
    expect(closed.operator).toBeNull();
  });
});
