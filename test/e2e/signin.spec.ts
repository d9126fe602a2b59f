// What a counter operator does, through the real stacks: real central server (SQLite) on
// 127.0.0.1, real pcscd with a virtual PIV card, the built renderer in Debian's Chromium.
import { expect, test, type Page } from '@playwright/test';
import { Stack } from '../support/stack';
import { DEMO_OPERATORS } from '../../src/server/demo/demo-town';
import { shoot } from './screens';
import { closeStack } from './stack-teardown';

test.describe.configure({ mode: 'serial' });

const demo = (id: string) => {
  const op = DEMO_OPERATORS.find((o) => o.id === id);
  if (!op) throw new Error(`no demo operator ${id}`);
  return op;
};
const yamada = demo('op-yamada');
const sato = demo('op-sato');

let stack: Stack | null = null;
test.afterEach(async ({ page }, testInfo) => {
  await closeStack(stack, page, testInfo);
  stack = null;
});

async function typePassword(page: Page, testId: string, password: string) {
  await page.getByTestId(testId).fill(password);
  await page.keyboard.press('Enter');
}

/** Nothing personal may remain in the page once it is locked (第22条7項). */
async function expectNoPersonalData(page: Page) {
  const html = await page.content();
  for (const op of DEMO_OPERATORS) {
    expect(html).not.toContain(op.name.split(' ')[0]!);
    expect(html).not.toContain(op.id);
  }
}

test('sign in with card + password; pulling the card locks with nothing personal left; the same card resumes', async ({ page }) => {
  stack = await new Stack().start();
  await page.goto(stack.url);
  await expect(page.getByTestId('screen-insert-card')).toBeVisible();
  await shoot(page, '01-insert-card');

  const card = await stack.card(yamada.id);
  await card.insert();
  await expect(page.getByTestId('screen-password')).toBeVisible({ timeout: 10_000 });
  await expect(page.getByTestId('operator-name')).toContainText(yamada.name);
  await shoot(page, '02-password');

  await typePassword(page, 'password-input', 'Wrong#Pass1234');
  await expect(page.getByTestId('form-error')).toContainText('あと2回');
  await shoot(page, '03-password-wrong');

  await typePassword(page, 'password-input', yamada.password);
  await expect(page.getByTestId('screen-working')).toBeVisible();
  await expect(page.getByTestId('work-operator')).toHaveText(yamada.name);
  await expect(page.getByTestId('time-left')).toContainText('時間');
  await expect(page.getByTestId('connection-state')).toContainText('接続中');
  await shoot(page, '04-working');

  await stack.removeCard(card);
  await expect(page.getByTestId('screen-locked')).toBeVisible({ timeout: 5_000 });
  await expect(page.getByTestId('lock-cause')).toContainText('カードが抜かれた');
  await expectNoPersonalData(page);
  await shoot(page, '05-locked-card-removed');

  await card.insert();
  await expect(page.getByTestId('unlock-password-input')).toBeVisible({ timeout: 10_000 });
  await expectNoPersonalData(page);
  await typePassword(page, 'unlock-password-input', yamada.password);
  await expect(page.getByTestId('screen-working')).toBeVisible();
});

test('idle → locked, with nothing personal left', async ({ page }) => {
  stack = await new Stack({ idleLockSeconds: 5 }).start();
  await page.goto(stack.url);
  const card = await stack.card(yamada.id);
  await card.insert();
  await typePassword(page, 'password-input', yamada.password);
  await expect(page.getByTestId('screen-working')).toBeVisible({ timeout: 10_000 });
  await expect(page.getByTestId('screen-locked')).toBeVisible({ timeout: 15_000 });
  await expect(page.getByTestId('lock-cause')).toContainText('一定時間操作がなかった');
  await expectNoPersonalData(page);
  await shoot(page, '06-locked-idle');
});

test('three wrong passwords lock the operator out, also after the terminal restarts', async ({ page }) => {
  stack = await new Stack().start();
  await page.goto(stack.url);
  const card = await stack.card(yamada.id);
  await card.insert();
  await expect(page.getByTestId('screen-password')).toBeVisible({ timeout: 10_000 });
  await typePassword(page, 'password-input', 'Wrong#Pass0001');
  await expect(page.getByTestId('form-error')).toContainText('あと2回');
  await typePassword(page, 'password-input', 'Wrong#Pass0002');
  await expect(page.getByTestId('form-error')).toContainText('あと1回');
  await typePassword(page, 'password-input', 'Wrong#Pass0003');
  await expect(page.getByTestId('screen-locked-out')).toBeVisible();
  await shoot(page, '07-locked-out');

  // The count reached the server…
  const row = stack.server!.db.prepare('SELECT failed_attempts, locked_out FROM operators WHERE id = ?').get(yamada.id) as { failed_attempts: number; locked_out: number };
  await expect.poll(() => (stack!.server!.db.prepare('SELECT locked_out FROM operators WHERE id = ?').get(yamada.id) as { locked_out: number }).locked_out).toBe(1);
  expect(row.failed_attempts).toBeGreaterThanOrEqual(2);

  // …and survives a restart of the terminal, even with the server down.
  await stack.removeCard(card);
  await stack.stopServer();
  await stack.restartTerminal();
  await page.goto(stack.url);
  await expect(page.getByTestId('screen-insert-card')).toBeVisible();
  await card.insert();
  await expect(page.getByTestId('screen-locked-out')).toBeVisible({ timeout: 10_000 });

  // With the server back and the terminal restarted again: still locked out.
  await stack.removeCard(card);
  await stack.startServer();
  await stack.restartTerminal();
  await page.goto(stack.url);
  await card.insert();
  await expect(page.getByTestId('screen-locked-out')).toBeVisible({ timeout: 10_000 });
});

test('a temporary password must be changed at first sign-in; short and guessable ones are refused', async ({ page }) => {
  stack = await new Stack().start();
  await page.goto(stack.url);
  const card = await stack.card(sato.id);
  await card.insert();
  await typePassword(page, 'password-input', sato.password);
  await expect(page.getByTestId('screen-change-password')).toBeVisible({ timeout: 10_000 });
  await shoot(page, '08-change-password');

  const change = async (next: string) => {
    await page.getByTestId('current-password').fill(sato.password);
    await page.getByTestId('new-password').fill(next);
    await page.getByTestId('confirm-password').fill(next);
    await page.keyboard.press('Enter');
  };
  await change('Ab1#xyz'); // 7 characters
  await expect(page.getByTestId('form-error')).toContainText('8文字以上');
  await shoot(page, '09-change-password-too-short');
  await change('Password123!'); // a common password
  await expect(page.getByTestId('form-error')).toBeVisible();
  await expect(page.getByTestId('screen-change-password')).toBeVisible();
  await change('Abcd1234#x'); // sequences
  await expect(page.getByTestId('form-error')).toBeVisible();

  await change('Nishi#Kumi-2027');
  await expect(page.getByTestId('screen-working')).toBeVisible();
  await expect.poll(() => (stack!.server!.db.prepare('SELECT password_temporary AS temporary FROM operators WHERE id = ?').get(sato.id) as { temporary: number }).temporary).toBe(0);

  // The new password is the one that works from now on.
  await stack.removeCard(card);
  await expect(page.getByTestId('screen-locked')).toBeVisible();
  await card.insert();
  await typePassword(page, 'unlock-password-input', 'Nishi#Kumi-2027');
  await expect(page.getByTestId('screen-working')).toBeVisible();
});

test('outside operating hours nobody signs in, and a session open at 17:15 is locked', async ({ page }) => {
  stack = await new Stack({ time: '2026-11-29T10:00:00+09:00' }).start(); // a Sunday
  await page.goto(stack.url);
  await expect(page.getByTestId('screen-closed')).toBeVisible();
  await expect(page.getByTestId('screen-closed')).toContainText('日曜日');
  await expect(page.getByTestId('screen-closed')).toContainText('次の開庁');
  await shoot(page, '10-closed-sunday');
  const card = await stack.card(yamada.id);
  await card.insert();
  await expect(page.getByTestId('screen-remove-card')).toContainText('開庁時間外', { timeout: 10_000 });
  await shoot(page, '11-closed-card-refused');
  await stack.removeCard(card);

  await stack.setTime('2026-11-30T17:14:45+09:00'); // Monday, 15 s before closing
  await expect(page.getByTestId('screen-insert-card')).toBeVisible({ timeout: 5_000 });
  await card.insert();
  await typePassword(page, 'password-input', yamada.password);
  await expect(page.getByTestId('screen-working')).toBeVisible({ timeout: 10_000 });
  await expect(page.getByTestId('closing-warning')).toBeVisible();
  await shoot(page, '12-closing-warning');
  await expect(page.getByTestId('screen-closed')).toBeVisible({ timeout: 20_000 });
  await expect(page.getByTestId('screen-closed')).toContainText('17:15');
  await expectNoPersonalData(page);
  await shoot(page, '13-closed-at-1715');
});

test('a revoked card and an operator no longer on the roster are refused with a clear message', async ({ page }) => {
  stack = await new Stack().start();
  await page.goto(stack.url);
  const revoked = await stack.card('op-revoked');
  await revoked.insert();
  await expect(page.getByTestId('screen-remove-card')).toContainText('失効', { timeout: 10_000 });
  await shoot(page, '14-card-revoked');
  await revoked.remove();
  await expect(page.getByTestId('screen-insert-card')).toBeVisible();
  const retired = await stack.card('op-retired');
  await retired.insert();
  await expect(page.getByTestId('screen-remove-card')).toContainText('操作者名簿', { timeout: 10_000 });
});
