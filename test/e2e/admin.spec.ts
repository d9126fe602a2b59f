// The admin console (issue 6) as the information-protection manager and the system administrator
// live it, through the real stacks: real central server (SQLite, demo town) on 127.0.0.1, the second
// host, real pcscd with virtual cards, Chromium. Where two terminals are needed, the second one is
// another terminal service + host on the same server, registered through register-terminal, with
// its own data dir and the second virtual reader ('Virtual PCD 00 01'); each terminal sees only its
// own reader. Time is injected with the Stack's FakeClock.
import { expect, test, type Page } from '@playwright/test';
import { READER_0, Stack, type ExtraTerminal } from '../support/stack';
import { DEMO_OPERATORS } from '../../src/server/demo/demo-town';
import type { VirtualCard } from '../../src/tools/vcard/virtual-card';
import { shoot } from './screens';
import { closeStack } from './stack-teardown';

test.describe.configure({ mode: 'serial' });

const demo = (id: string) => {
  const op = DEMO_OPERATORS.find((o) => o.id === id);
  if (!op) throw new Error(`no demo operator ${id}`);
  return op;
};
const yamada = demo('op-yamada'); // counter operator
const suzuki = demo('op-suzuki'); // 情報保護管理者
const takahashi = demo('op-takahashi'); // システム管理者

let stack: Stack | null = null;
test.afterEach(async ({ page }, testInfo) => {
  await closeStack(stack, page, testInfo);
  stack = null;
});

async function typePassword(page: Page, testId: string, password: string) {
  await page.getByTestId(testId).fill(password);
  await page.keyboard.press('Enter');
}

/** Inserts the card and signs in with the password; returns the card. */
async function signIn(page: Page, card: VirtualCard, password: string) {
  await card.insert();
  await expect(page.getByTestId('screen-password')).toBeVisible({ timeout: 10_000 });
  await typePassword(page, 'password-input', password);
  await expect(page.getByTestId('screen-working')).toBeVisible({ timeout: 10_000 });
}

async function signOut(page: Page, s: Stack, card: VirtualCard, terminal?: ExtraTerminal) {
  await page.getByTestId('signout-button').click();
  await expect(page.getByTestId('screen-remove-card')).toBeVisible();
  await s.removeCard(card, terminal);
}

async function openAdmin(page: Page) {
  await page.getByTestId('admin-tab').click();
  await expect(page.getByTestId('admin-session')).toBeVisible({ timeout: 15_000 });
}

async function openOperator(page: Page, operatorId: string) {
  await page.getByTestId('admin-tab-roster').click();
  await page.getByTestId(`operator-row-${operatorId}`).click();
  await expect(page.getByTestId('operator-panel')).toContainText(operatorId);
}

/** Fills the reason of the open dialog and submits it. */
async function submitWithReason(page: Page, reason: string) {
  const dialog = page.getByRole('dialog');
  await dialog.getByTestId('admin-reason').fill(reason);
  await dialog.getByTestId('admin-submit').click();
}

async function expectOutcome(page: Page, text: string) {
  await expect(page.getByTestId('admin-outcome')).toContainText(text, { timeout: 15_000 });
}

test('a counter operator never sees 管理; the manager and the system administrator get the sections their role allows', async ({ page }) => {
  test.setTimeout(150_000);
  stack = await new Stack().start();
  await page.goto(stack.url);

  // The counter operator: no 管理 anywhere.
  const yamadaCard = await stack.card(yamada.id);
  await signIn(page, yamadaCard, yamada.password);
  await expect(page.getByTestId('resident-search')).toBeVisible();
  await expect(page.getByTestId('admin-tab')).toHaveCount(0);
  await expect(page.getByRole('tab', { name: '管理' })).toHaveCount(0);
  await expect(page.getByText('管理', { exact: true })).toHaveCount(0);
  await signOut(page, stack, yamadaCard);

  // The information-protection manager.
  const suzukiCard = await stack.card(suzuki.id);
  await signIn(page, suzukiCard, suzuki.password);
  await page.getByTestId('admin-tab').click();
  await expect(page.getByTestId('admin-session')).toContainText(suzuki.name, { timeout: 15_000 });
  await expect(page.getByTestId('admin-roster')).toBeVisible();
  await expect(page.getByTestId(`operator-row-${yamada.id}`)).toBeVisible();
  // Adding, changing and retiring operators is the system administrator's (第17条6項).
  await expect(page.getByTestId('add-operator')).toHaveCount(0);
  await shoot(page, '30-admin-roster');
  await openOperator(page, yamada.id);
  await expect(page.getByTestId('set-temporary')).toBeVisible();
  await expect(page.getByTestId('retire-operator')).toHaveCount(0);
  await expect(page.getByTestId('change-operator')).toHaveCount(0);
  await shoot(page, '31-admin-operator');
  // Nobody acts on their own entry.
  await page.getByTestId(`operator-row-${suzuki.id}`).click();
  await expect(page.getByTestId('operator-panel')).toContainText('ご自身の登録');
  await expect(page.getByTestId(`revoke-card-${suzuki.id}`)).toHaveCount(0);

  await page.getByTestId('admin-tab-review').click();
  await expect(page.getByTestId('admin-review')).toBeVisible();
  await page.getByTestId('unused-days').fill('30');
  await page.getByTestId('review-reload').click();
  await expect(page.getByTestId('admin-review')).toContainText('30日基準');
  // Never signed in for a year: flagged; Yamada just signed in: not.
  await expect(page.getByTestId('review-row-op-sato')).toHaveClass(/unused/);
  await expect(page.getByTestId(`review-row-${yamada.id}`)).not.toHaveClass(/unused/);
  await shoot(page, '32-admin-review');

  await page.getByTestId('admin-tab-cards').click();
  await expect(page.getByTestId('issue-operator')).toBeVisible();
  // The reader holding the manager's own card is not offered; the second reader is.
  await expect(page.getByTestId('issue-reader').locator('option')).toHaveText(['選択してください', 'Virtual PCD 00 01']);
  await expect(page.getByTestId('issue-reader')).not.toContainText(READER_0);
  // A reason is required for every change.
  await page.getByTestId('issue-card').click();
  await expect(page.getByTestId('admin-cards')).toContainText('理由を入力してください');
  await shoot(page, '33-admin-cards');

  await page.getByTestId('admin-tab-calendar').click();
  await expect(page.getByTestId('approve-exception')).toBeVisible();
  await shoot(page, '34-admin-calendar');

  await page.getByTestId('admin-tab-stops').click();
  await expect(page.getByTestId('no-stop')).toBeVisible();
  await shoot(page, '35-admin-stops');

  await page.getByTestId('admin-tab-terminals').click();
  await expect(page.getByTestId('terminal-row-term-demo-01')).toContainText('この端末');
  // This terminal has reported its unsent backlog with its log sync (a count, never blank).
  await expect(page.getByTestId('terminal-waiting-term-demo-01')).toContainText(/\d+件/);
  await expect(page.getByTestId('register-terminal')).toHaveCount(0);
  await shoot(page, '36-admin-terminals');

  // A lock leaves nothing of the console on screen; after unlocking, 管理 needs the card again.
  await page.getByTestId('lock-button').click();
  await expect(page.getByTestId('screen-locked')).toBeVisible();
  for (const op of DEMO_OPERATORS) {
    await expect(page.locator('body')).not.toContainText(op.name);
    expect(await page.content()).not.toContain(op.id);
  }
  await typePassword(page, 'unlock-password-input', suzuki.password);
  await expect(page.getByTestId('resident-search')).toBeVisible();
  await expect(page.getByTestId('admin-console')).toHaveCount(0);
  await openAdmin(page);
  await page.getByTestId('work-tab').click();
  await expect(page.getByTestId('resident-search')).toBeVisible();
  await signOut(page, stack, suzukiCard);

  // The system administrator adds an operator: the temporary password is shown once.
  const takahashiCard = await stack.card(takahashi.id);
  await signIn(page, takahashiCard, takahashi.password);
  await openAdmin(page);
  await page.getByTestId('add-operator').click();
  await page.getByTestId('operator-id').fill('op-tanaka');
  await page.getByTestId('operator-name').fill('田中 次郎');
  await page.getByTestId('operator-kana').fill('タナカ ジロウ');
  await submitWithReason(page, '12月1日付け人事異動（住民課配属）');
  await expect(page.getByTestId('admin-confirm')).toContainText('田中 次郎（op-tanaka）');
  await shoot(page, '37-admin-add-operator-confirm');
  await page.getByTestId('admin-confirm-yes').click();
  const secret = page.getByTestId('secret-value');
  await expect(secret).toBeVisible({ timeout: 15_000 });
  const temporary = (await secret.innerText()).trim();
  expect(temporary.length).toBeGreaterThanOrEqual(8);
  await expect(page.getByTestId('admin-secret')).toContainText('今回だけ表示');
  await shoot(page, '38-admin-temporary-password');
  await page.getByTestId('secret-close').click();
  await expect(page.getByTestId('admin-secret')).toHaveCount(0);
  expect(await page.content()).not.toContain(temporary);
  await expect(page.getByTestId('operator-row-op-tanaka')).toContainText('仮パスワード');

  // Registering a terminal: its credential is shown once, to be saved.
  await page.getByTestId('admin-tab-terminals').click();
  await page.getByTestId('register-terminal').click();
  await page.getByTestId('terminal-name').fill('住民課窓口4');
  await page.getByTestId('terminal-id').fill('term-jumin-04');
  await submitWithReason(page, '窓口増設（起案第45号）');
  await page.getByTestId('admin-confirm-yes').click();
  await expect(page.getByTestId('secret-value')).toContainText('"terminalId": "term-jumin-04"', { timeout: 15_000 });
  await shoot(page, '39-admin-terminal-credential');
  await page.getByTestId('secret-close').click();
  await expect(page.getByTestId('terminal-row-term-jumin-04')).toBeVisible();
  expect(await page.content()).not.toContain('"secret"');
  await shoot(page, '40-admin-terminals-sysadmin');
});

test('revoking the card of an operator signed in on a second terminal ends that session at its next contact; the card is refused at the next insert on both terminals', async ({ page, context }) => {
  test.setTimeout(150_000);
  stack = await new Stack({ reader: READER_0 }).start();
  const second = await stack.startExtraTerminal({ id: 'term-e2e-02', name: '住民課窓口2（増設）' });
  const page2 = await context.newPage();
  await page2.goto(second.url);
  await page.goto(stack.url);

  // Yamada works at the second terminal (second reader)…
  const yamadaCard2 = await stack.card(yamada.id, { port: second.port });
  await signIn(page2, yamadaCard2, yamada.password);
  await expect(page2.getByTestId('work-operator')).toHaveText(yamada.name);

  // …while the manager revokes her card at the first.
  const suzukiCard = await stack.card(suzuki.id);
  await signIn(page, suzukiCard, suzuki.password);
  await openAdmin(page);
  await openOperator(page, yamada.id);
  await page.getByTestId(`revoke-card-${yamada.id}`).click();
  await expect(page.getByTestId('dialog-revoke-card')).toBeVisible();
  // The reason is required.
  await page.getByTestId('admin-submit').click();
  await expect(page.getByTestId('dialog-revoke-card')).toContainText('失効の理由を選んでください');
  await page.getByTestId('revoke-reason-lost').check();
  await page.getByTestId('revoke-note').fill('通勤途中で紛失との届出');
  await shoot(page, '41-admin-revoke-card');
  await page.getByTestId('admin-submit').click();
  await expect(page.getByTestId('admin-confirm')).toContainText('元に戻せません');
  await shoot(page, '42-admin-revoke-confirm');
  await page.getByTestId('admin-confirm-yes').click();
  await expectOutcome(page, 'カードを失効させました');
  await expect(page.getByTestId('operator-panel')).toContainText('失効');

  // The second terminal ends Yamada's session at its next contact (sync every 2 s here)…
  await expect(page2.getByTestId('screen-remove-card')).toContainText('失効', { timeout: 15_000 });
  await expect(page2.locator('body')).not.toContainText(yamada.name);
  await shoot(page2, '43-second-terminal-session-ended');
  // …and refuses the card when it is inserted again.
  await stack.removeCard(yamadaCard2, second);
  await expect(page2.getByTestId('screen-insert-card')).toBeVisible();
  await yamadaCard2.insert();
  await expect(page2.getByTestId('screen-remove-card')).toContainText('失効', { timeout: 10_000 });
  await stack.removeCard(yamadaCard2, second);

  // The first terminal refuses it too.
  await signOut(page, stack, suzukiCard);
  const yamadaCard1 = await stack.card(yamada.id);
  await yamadaCard1.insert();
  await expect(page.getByTestId('screen-remove-card')).toContainText('失効', { timeout: 10_000 });
});

test('release a lockout, then a temporary password the operator must change at sign-in', async ({ page }) => {
  test.setTimeout(150_000);
  stack = await new Stack().start();
  await page.goto(stack.url);

  // Yamada locks herself out.
  const yamadaCard = await stack.card(yamada.id);
  await yamadaCard.insert();
  await expect(page.getByTestId('screen-password')).toBeVisible({ timeout: 10_000 });
  for (const wrong of ['Wrong#Pass0001', 'Wrong#Pass0002', 'Wrong#Pass0003']) await typePassword(page, 'password-input', wrong);
  await expect(page.getByTestId('screen-locked-out')).toBeVisible();
  await stack.removeCard(yamadaCard);

  // The manager releases it.
  const suzukiCard = await stack.card(suzuki.id);
  await signIn(page, suzukiCard, suzuki.password);
  await openAdmin(page);
  await expect(page.getByTestId(`operator-row-${yamada.id}`)).toContainText('ロックアウト中');
  await openOperator(page, yamada.id);
  await page.getByTestId('release-lockout').click();
  await page.getByRole('dialog').getByTestId('admin-submit').click();
  await expect(page.getByTestId('dialog-release-lockout')).toContainText('理由を入力してください');
  await submitWithReason(page, '本人確認のうえ解除（入力誤り）');
  await expectOutcome(page, 'ロックアウトを解除しました');
  await expect(page.getByTestId('operator-lockout')).toContainText('なし');
  await shoot(page, '44-admin-lockout-released');
  await signOut(page, stack, suzukiCard);

  // Yamada signs in again with her password.
  await signIn(page, yamadaCard, yamada.password);
  await signOut(page, stack, yamadaCard);

  // The manager issues her a temporary password: shown once.
  await signIn(page, suzukiCard, suzuki.password);
  await openAdmin(page);
  await openOperator(page, yamada.id);
  await page.getByTestId('set-temporary').click();
  await submitWithReason(page, 'パスワード失念の申出（本人確認済み）');
  await expect(page.getByTestId('admin-confirm')).toBeVisible();
  await page.getByTestId('admin-confirm-yes').click();
  const secret = page.getByTestId('secret-value');
  await expect(secret).toBeVisible({ timeout: 15_000 });
  const temporary = (await secret.innerText()).trim();
  await expect(page.getByTestId('admin-secret')).toContainText('本人に直接手渡してください');
  await page.getByTestId('secret-close').click();
  expect(await page.content()).not.toContain(temporary);
  await expect(page.getByTestId(`operator-row-${yamada.id}`)).toContainText('仮パスワード');
  await signOut(page, stack, suzukiCard);

  // Yamada: the old password no longer works; the temporary one leads to the forced change.
  await yamadaCard.insert();
  await expect(page.getByTestId('screen-password')).toBeVisible({ timeout: 10_000 });
  await typePassword(page, 'password-input', temporary);
  await expect(page.getByTestId('screen-change-password')).toBeVisible({ timeout: 10_000 });
  await shoot(page, '45-temporary-password-forced-change');
  await page.getByTestId('current-password').fill(temporary);
  await page.getByTestId('new-password').fill('Hanako#Kumi-2027');
  await page.getByTestId('confirm-password').fill('Hanako#Kumi-2027');
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('screen-working')).toBeVisible({ timeout: 10_000 });
});

test('a Sunday opening approved in the console lets the counter sign in on that Sunday', async ({ page }) => {
  test.setTimeout(120_000);
  stack = await new Stack().start(); // Tuesday 2026-11-24
  await page.goto(stack.url);
  const suzukiCard = await stack.card(suzuki.id);
  await signIn(page, suzukiCard, suzuki.password);
  await openAdmin(page);
  await page.getByTestId('admin-tab-calendar').click();
  await page.getByTestId('exception-date').fill('2026-11-29');
  await page.getByTestId('exception-opens').fill('09:00');
  await page.getByTestId('exception-closes').fill('12:00');
  await page.getByTestId('admin-reason').fill('転入転出の繁忙期の休日窓口');
  await page.getByTestId('approve-submit').click();
  await expectOutcome(page, '2026-11-29 の例外');
  await expect(page.getByTestId('exception-row-2026-11-29')).toContainText('09:00〜12:00');
  await expect(page.getByTestId('exception-row-2026-11-29')).toContainText(suzuki.name);
  // The closed-days calendar shows that Sunday as a special opening, the Saturday before still closed.
  const calendar = page.getByTestId('closed-days-calendar');
  await expect(calendar.getByTestId('calendar-month-label')).toHaveText('2026年11月');
  await expect(calendar.locator('[data-date="2026-11-29"]')).toHaveClass(/day-exception/);
  await expect(calendar.locator('[data-date="2026-11-29"]')).toContainText('特別 9:00–12:00');
  await expect(calendar.locator('[data-date="2026-11-28"]')).toHaveClass(/day-closed/);
  await expect(calendar.locator('[data-date="2026-11-23"]')).toHaveAttribute('title', /勤労感謝の日/);
  await shoot(page, '46-admin-calendar-approved');
  await signOut(page, stack, suzukiCard);

  // That Sunday, 10:00.
  await stack.setTime('2026-11-29T10:00:00+09:00');
  await expect(page.getByTestId('screen-insert-card')).toBeVisible({ timeout: 10_000 });
  const yamadaCard = await stack.card(yamada.id);
  await signIn(page, yamadaCard, yamada.password);
  await expect(page.getByTestId('work-operator')).toHaveText(yamada.name);
  await shoot(page, '47-sunday-opening-working');
});

test('an emergency stop locks two terminals; clearing it lets them work again', async ({ page, context }) => {
  test.setTimeout(150_000);
  stack = await new Stack({ reader: READER_0 }).start();
  const second = await stack.startExtraTerminal({ id: 'term-e2e-02', name: '住民課窓口2（増設）' });
  const page2 = await context.newPage();
  await page2.goto(second.url);
  await page.goto(stack.url);

  const yamadaCard2 = await stack.card(yamada.id, { port: second.port });
  await signIn(page2, yamadaCard2, yamada.password);

  const suzukiCard = await stack.card(suzuki.id);
  await signIn(page, suzukiCard, suzuki.password);
  await openAdmin(page);
  await page.getByTestId('admin-tab-stops').click();
  await expect(page.getByTestId('stop-terminal').locator('option')).toContainText(['住民課窓口2（増設）（term-e2e-02）']);
  await page.getByTestId('stop-scope-all').check();
  await page.getByTestId('admin-reason').fill('不正な照会の疑い（課長指示）');
  await page.getByTestId('stop-submit').click();
  await expect(page.getByTestId('admin-confirm')).toContainText('全端末を緊急停止します');
  await shoot(page, '48-admin-stop-confirm');
  await page.getByTestId('admin-confirm-yes').click();
  await expectOutcome(page, '全端末を緊急停止しました');
  await expect(page.getByTestId('stop-all')).toContainText('不正な照会の疑い');
  await shoot(page, '49-admin-stop-in-force');

  // The second terminal locks Yamada out at its next contact.
  await expect(page2.getByTestId('screen-stopped')).toBeVisible({ timeout: 15_000 });
  await expect(page2.getByTestId('screen-stopped')).toContainText('不正な照会の疑い');
  await expect(page2.locator('body')).not.toContainText(yamada.name);
  await shoot(page2, '50-second-terminal-stopped');
  // The manager leaves the first terminal: it shows the stop too.
  await signOut(page, stack, suzukiCard);
  await expect(page.getByTestId('screen-stopped')).toBeVisible({ timeout: 10_000 });
  // A counter operator's card is refused there.
  const yamadaCard1 = await stack.card(yamada.id);
  await yamadaCard1.insert();
  await expect(page.getByTestId('screen-remove-card')).toContainText('緊急停止', { timeout: 10_000 });
  await stack.removeCard(yamadaCard1);
  await expect(page.getByTestId('screen-stopped')).toBeVisible();

  // The manager may still sign in, and clears it.
  await signIn(page, suzukiCard, suzuki.password);
  await openAdmin(page);
  await page.getByTestId('admin-tab-stops').click();
  await page.getByTestId('clear-stop-all').click();
  await submitWithReason(page, '調査の結果、不正なし');
  await page.getByTestId('admin-confirm-yes').click();
  await expectOutcome(page, '緊急停止を解除しました');
  await expect(page.getByTestId('no-stop')).toBeVisible();

  // Yamada resumes on the second terminal with her password.
  await expect(page2.getByTestId('unlock-password-input')).toBeVisible({ timeout: 15_000 });
  await typePassword(page2, 'unlock-password-input', yamada.password);
  await expect(page2.getByTestId('screen-working')).toBeVisible({ timeout: 10_000 });
  await signOut(page, stack, suzukiCard);
  await expect(page.getByTestId('screen-insert-card')).toBeVisible();
});
