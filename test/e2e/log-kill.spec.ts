// Crash safety of the operation log (issue 3): the terminal's two processes — the main side (the
// second host, a Node process) and the renderer (Chromium, with the Dexie log) — are killed with
// SIGKILL at random moments while events are being written, 20+ rounds. Afterwards the terminal is
// started once more and syncs; every event the terminal acknowledged must be on the central server
// exactly once, and the chain must verify. Real server (SQLite, in this process, demo town at a
// Tuesday 10:00 that the terminal takes from the server's clock), real pcscd with a virtual card.
import { expect, test, chromium, type BrowserContext } from '@playwright/test';
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createServer, type AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Stack } from '../support/stack';
import { TerminalRpc } from '../support/terminal-rpc';
import { DEMO_OPERATORS } from '../../src/server/demo/demo-town';
import { verifyChain, type LogRecord } from '../../src/domain/log/log-record';
import { logRecordsAfter } from '../../src/server/store/log-records';
import { chromiumLaunch } from '../../playwright.config';

const ROUNDS = Number(process.env.KILL_ROUNDS ?? 22);
const yamada = DEMO_OPERATORS.find((o) => o.id === 'op-yamada')!;
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface HostProcess {
  child: ChildProcess;
  url: string;
  output: string[];
}

/** A port free right now; the host keeps it across restarts, as `npm run host` does (8471): the
 * page's origin, and with it the browser's IndexedDB holding the local log, stays the same. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

function startHost(port: number, serverUrl: string, dataDir: string, credential: string): Promise<HostProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/host/cli.ts', '--port', String(port), '--server', serverUrl, '--data-dir', dataDir, '--credential', credential], { stdio: ['ignore', 'pipe', 'pipe'] });
  const output: string[] = [];
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => output.push(chunk));
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`the host did not start: ${out}${output.join('')}`)), 30_000);
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk;
      const match = /ブラウザで開く）: (http:\/\/127\.0\.0\.1:\d+\/\S*)/.exec(out);
      if (match) {
        clearTimeout(timer);
        resolve({ child, url: match[1]!, output });
      }
    });
    child.once('exit', (code) => reject(new Error(`the host exited (${code}): ${out}${output.join('')}`)));
  });
}

function killHost(host: HostProcess): Promise<void> {
  const exited = new Promise<void>((r) => (host.child.exitCode !== null || host.child.signalCode !== null ? r() : host.child.once('exit', () => r())));
  host.child.kill('SIGKILL');
  return exited;
}

/** SIGKILL to the Chromium main process on `userDataDir` (a crash of the renderer's browser). */
function killBrowser(userDataDir: string): void {
  const rows = execFileSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' }).split('\n');
  const main = rows.map((row) => /^\s*(\d+)\s+(.*)$/.exec(row)).find((m) => m && m[2]!.includes(`--user-data-dir=${userDataDir}`) && !m[2]!.includes('--type='));
  if (!main) throw new Error('the Chromium main process was not found');
  process.kill(Number(main[1]), 'SIGKILL');
}

async function openBrowser(userDataDir: string, url: string): Promise<BrowserContext> {
  const context = await chromium.launchPersistentContext(userDataDir, { ...chromiumLaunch, headless: true });
  const page = context.pages()[0] ?? (await context.newPage());
  await page.goto(url);
  return context;
}

async function waitFor<T>(what: string | (() => string), check: () => Promise<T | undefined | false> | T | undefined | false, ms = 20_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${typeof what === 'string' ? what : what()}`);
    await sleep(100);
  }
}

/** Signs in (card already in) and keeps locking and resuming until the connection dies. */
async function work(rpc: TerminalRpc, acked: { locks: number; unlocks: number }): Promise<void> {
  let last = '';
  const phase = await waitFor(
    () => `the password screen (or the session still open); last snapshot: ${last}`,
    async () => {
      // Killed before the terminal got that far (a short round on a slow machine): this round is over.
      if (rpc.closed) return 'gone';
      const snap = await rpc.snapshot();
      last = JSON.stringify({ phase: snap.phase, notice: snap.notice, connection: snap.connection });
      return ['password', 'locked', 'working'].includes(snap.phase) ? snap.phase : undefined;
    },
  );
  if (phase === 'gone') return;
  if (phase !== 'working') {
    const first = await rpc.call('submitPassword', { password: yamada.password });
    if (!first.ok) return;
  }
  for (;;) {
    const locked = await rpc.call('lock');
    if (!locked.ok) return;
    acked.locks++;
    const resumed = await rpc.call('submitPassword', { password: yamada.password });
    if (!resumed.ok) return;
    acked.unlocks++;
  }
}

let stack: Stack | null = null;
const dirs: string[] = [];
test.afterAll(async () => {
  await stack?.close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

test(`terminal processes killed at random moments while writing (${ROUNDS} rounds): every acknowledged event on the server exactly once, chain verified`, async () => {
  test.setTimeout(15 * 60_000);
  stack = await new Stack().startTown();
  const card = await stack.card(yamada.id);
  await card.insert();
  const terminalDir = mkdtempSync(join(tmpdir(), 'kill-terminal-'));
  const profile = mkdtempSync(join(tmpdir(), 'kill-chromium-'));
  dirs.push(terminalDir, profile);
  const hostPort = await freePort();
  const acked = { locks: 0, unlocks: 0 };
  const kinds: string[] = [];

  let host: HostProcess | null = null;
  let browser: BrowserContext | null = null;
  for (let round = 0; round < ROUNDS; round++) {
    host ??= await startHost(hostPort, stack.server!.url, terminalDir, stack.credentialPath);
    if (browser) await browser.pages()[0]!.goto(host.url);
    else browser = await openBrowser(profile, host.url);
    const rpc = await TerminalRpc.connect(host.url);
    const working = work(rpc, acked);
    // Kill while the terminal writes: main journals events, the renderer takes them into Dexie and syncs.
    await sleep(400 + Math.random() * 2600);
    const kind = ['host-then-browser', 'browser-then-host', 'browser-only', 'host-only'][Math.floor(Math.random() * 4)]!;
    kinds.push(kind);
    if (kind.startsWith('browser')) {
      killBrowser(profile);
      browser = null;
    }
    if (kind.includes('host')) {
      await sleep(Math.random() * 200);
      await killHost(host);
      host = null;
    }
    if (kind === 'host-then-browser') {
      await sleep(Math.random() * 200);
      killBrowser(profile);
      browser = null;
    }
    rpc.close();
    await working;
    // A killed browser's context is gone; Playwright notices the closed connection.
    if (!browser) await sleep(300);
  }

  // The terminal once more, left to sync: main's journal empties into the log, the log into the server.
  host ??= await startHost(hostPort, stack.server!.url, terminalDir, stack.credentialPath);
  if (browser) await browser.pages()[0]!.goto(host.url);
  else browser = await openBrowser(profile, host.url);
  const rpc = await TerminalRpc.connect(host.url);
  const page = browser.pages()[0]!;
  let last = '';
  const final = await waitFor(
    'main journal empty and the log fully on the server',
    async () => {
      last = `main: ${JSON.stringify((await rpc.snapshot()).log)}; page: ${await page.locator('body').innerText().catch(() => '?')}; server: ${logRecordsAfter(stack!.server!.db, 'term-demo-01', 0, 1_000_000).length}`;
      const snap = await rpc.snapshot();
      const backlog = await page.getByTestId('log-backlog').first().getAttribute('data-count').catch(() => null);
      const stored = logRecordsAfter(stack!.server!.db, 'term-demo-01', 0, 1_000_000);
      return snap.log.pending === 0 && backlog === '0' && stored.length > 0 ? { snap, stored } : undefined;
    },
    60_000,
  ).catch((error: Error) => {
    throw new Error(`${error.message}\n${last}\nhost output:\n${host!.output.join('').slice(-3000)}`);
  });
  rpc.close();
  await browser.close();
  await killHost(host);

  const records: LogRecord[] = final.stored.map(({ atMs: _a, receivedAt: _r, ...record }) => record);
  // One chain, gap-free from 1, every hash and link right.
  expect(records.map((r) => r.seq)).toEqual(records.map((_, i) => i + 1));
  expect(verifyChain(records, null, 'term-demo-01', sha256)).toBeNull();
  // Every main-side event the terminal ever gave a number to is there exactly once: eids 1..last.
  const eids = records.map((r) => r.detail.mainEid).filter((e): e is number => typeof e === 'number');
  const missing = Array.from({ length: final.snap.log.lastEid }, (_, i) => i + 1).filter((e) => !eids.includes(e));
  console.log(`main events: last eid ${final.snap.log.lastEid}, on the server ${eids.length}, missing ${missing.length}: ${missing.slice(0, 40).join(',')}; types around: ${records.slice(0, 30).map((r) => `${r.seq}:${r.type}:${String(r.detail.mainEid)}`).join(' ')}`);
  expect(new Set(eids).size).toBe(eids.length);
  expect([...eids].sort((a, b) => a - b)).toEqual(Array.from({ length: final.snap.log.lastEid }, (_, i) => i + 1));
  // Every operation the terminal acknowledged to the operator is logged (some more may be: an
  // operation logged just before the kill whose answer never arrived).
  const manualLocks = records.filter((r) => r.type === 'session.locked' && r.detail.cause === 'manual').length;
  const unlocks = records.filter((r) => r.type === 'session.unlock-password').length;
  expect(manualLocks).toBeGreaterThanOrEqual(acked.locks);
  expect(unlocks).toBeGreaterThanOrEqual(acked.unlocks);
  expect(acked.locks).toBeGreaterThan(ROUNDS);
  // The crashes themselves are on record.
  expect(records.filter((r) => r.type === 'app.crash-recovered').length).toBeGreaterThan(0);
  console.log(`kill test: ${ROUNDS} rounds (${kinds.join(', ')}); ${records.length} records, ${eids.length} main events, ${acked.locks} locks and ${acked.unlocks} resumes acknowledged`);
});
