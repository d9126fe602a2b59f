// The operation log through a network cut, as a counter operator lives it (issue 3): real central
// server (SQLite) on 127.0.0.1, the second host, real pcscd with a virtual card, Chromium. Work
// goes on while the server is down, the backlog counter grows, and it drains to zero once the
// server is back; every record is then on the server once, in order, with its chain intact.
import { expect, test, type Page } from '@playwright/test';
import { Stack } from '../support/stack';
import { DEMO_OPERATORS } from '../../src/server/demo/demo-town';
import { verifyChain, type LogRecord } from '../../src/domain/log/log-record';
import { createHash } from 'node:crypto';
import { shoot } from './screens';
import { closeStack } from './stack-teardown';
import { logRecordsAfter } from '../../src/server/store/log-records';

const yamada = DEMO_OPERATORS.find((o) => o.id === 'op-yamada')!;
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

let stack: Stack | null = null;
test.afterEach(async ({ page }, testInfo) => {
  await closeStack(stack, page, testInfo);
  stack = null;
});

async function backlog(page: Page): Promise<number> {
  return Number(await page.getByTestId('log-backlog').first().getAttribute('data-count'));
}

/** Ctrl+L locks, the password resumes: two logged operations (lock with cause, unlock). */
async function lockAndResume(page: Page): Promise<void> {
  await page.keyboard.press('Control+l');
  await expect(page.getByTestId('screen-locked')).toBeVisible();
  await page.getByTestId('unlock-password-input').fill(yamada.password);
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('screen-working')).toBeVisible();
}

/** The terminal's records as the server stored them, without the server's own columns. */
function serverRecords(s: Stack): LogRecord[] {
  return logRecordsAfter(s.server!.db, 'term-demo-01', 0, 1_000_000).map(({ atMs: _atMs, receivedAt: _receivedAt, ...record }) => record);
}

test('server cut: work goes on, the backlog grows, and drains to zero when the server is back', async ({ page }) => {
  stack = await new Stack().start();
  await page.goto(stack.url);
  const card = await stack.card(yamada.id);
  await card.insert();
  await expect(page.getByTestId('screen-password')).toBeVisible({ timeout: 10_000 });
  await page.getByTestId('password-input').fill(yamada.password);
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('screen-working')).toBeVisible();
  await lockAndResume(page);
  // Online: everything reaches the server.
  await expect.poll(() => backlog(page), { timeout: 15_000 }).toBe(0);
  await expect(page.getByTestId('log-backlog').first()).toHaveText('送信済み');

  // The server goes away. The terminal notices (sync every 2 s here) and keeps working offline.
  await stack.stopServer();
  await expect(page.getByTestId('connection-state')).toContainText('オフライン', { timeout: 10_000 });
  const before = await backlog(page);
  await lockAndResume(page);
  // The lock and unlock are main-side events: the counter follows once the renderer has them.
  await expect.poll(() => backlog(page)).toBeGreaterThan(before);
  const middle = await backlog(page);
  await lockAndResume(page);
  await lockAndResume(page);
  await expect.poll(() => backlog(page)).toBeGreaterThanOrEqual(middle + 4);
  await expect(page.getByTestId('log-backlog').first()).toContainText('未送信');
  await shoot(page, '15-offline-backlog');
  const offlineLocks = 3;
  // The log's own sync has tried and failed (and logged it): without this wait the outage can be
  // shorter than the sync's debounce, and the server comes back before the log ever missed it.
  await expect(page.getByTestId('log-backlog').first()).toHaveAttribute('data-sync-state', 'retry-wait', { timeout: 10_000 });

  // The server is back (same port, same data): the backlog drains to zero by itself.
  await stack.startServer();
  await expect(page.getByTestId('connection-state')).toContainText('接続中', { timeout: 15_000 });
  await expect.poll(() => backlog(page), { timeout: 20_000 }).toBe(0);
  await expect(page.getByTestId('log-backlog').first()).toHaveText('送信済み');
  await shoot(page, '16-backlog-drained');

  // On the server: one gap-free chain, each main-side event once, the offline work included.
  const records = serverRecords(stack);
  expect(records.length).toBeGreaterThan(10);
  expect(records.map((r) => r.seq)).toEqual(records.map((_, i) => i + 1));
  expect(verifyChain(records, null, 'term-demo-01', sha256)).toBeNull();
  const mainEids = records.map((r) => r.detail.mainEid).filter((e) => typeof e === 'number');
  expect(new Set(mainEids).size).toBe(mainEids.length);
  const manualLocks = records.filter((r) => r.type === 'session.locked' && r.detail.cause === 'manual');
  expect(manualLocks.length).toBe(1 + offlineLocks);
  expect(records.some((r) => r.type === 'server.unreachable')).toBe(true);
  expect(records.some((r) => r.type === 'log.sync-failed')).toBe(true);
  expect(records.some((r) => r.type === 'log.sync-resumed')).toBe(true);
  // Nothing personal or secret travels in the log.
  expect(JSON.stringify(records)).not.toContain(yamada.password);
});
