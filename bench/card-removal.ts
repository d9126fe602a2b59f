// Card removal → lock screen, through the real pcscd and the real renderer in Chromium.
//   reaction: from the PC/SC layer reporting the removal (the card service's event) to the lock
//             screen painted with no operator data in the DOM — the terminal's own share.
//   end-to-end: from the virtual card's socket closing to the same paint; includes pcscd's
//             0–400 ms polling of the virtual reader (a real CCID reader reports at once).
// Both clocks are the system wall clock with sub-ms resolution (performance.timeOrigin + now)
// in this process and in Chromium, on the same machine.
import { chromium } from 'playwright-core';
import { Stack } from '../test/support/stack';
import { DEMO_OPERATORS } from '../src/server/demo/demo-town';
import { chromiumLaunch } from '../playwright.config';
import { summarize, type Summary } from './stats';

const hr = () => performance.timeOrigin + performance.now();

/** Arms an observer in the page: resolves at the first frame painted with the lock screen. */
const ARM_LOCK_OBSERVER = `
  window.__lock = new Promise((resolve) => {
    const observer = new MutationObserver(() => {
      if (!document.querySelector('[data-testid="screen-locked"]')) return;
      observer.disconnect();
      // Two frames: the callback of the second runs after the first one was painted.
      requestAnimationFrame(() => requestAnimationFrame(() =>
        resolve({ at: performance.timeOrigin + performance.now(), gone: !document.body.innerHTML.includes(__NAME__) })));
    });
    observer.observe(document.body, { childList: true, subtree: true });
  });
  undefined;
`;

export async function benchCardRemoval(rounds = 60): Promise<{ reaction: Summary; endToEnd: Summary; dataGone: boolean }> {
  const operator = DEMO_OPERATORS.find((o) => o.id === 'op-yamada')!;
  const stack = await new Stack().start();
  const browser = await chromium.launch({ ...chromiumLaunch, headless: true });
  try {
    const page = await browser.newPage({ viewport: { width: 1366, height: 768 } });
    await page.goto(stack.url);
    const card = await stack.card(operator.id);
    let pcscAt = 0;
    stack.cards!.on('removed', (event) => {
      pcscAt = event.at;
    });
    const reaction: number[] = [];
    const endToEnd: number[] = [];
    let dataGone = true;

    await card.insert();
    await page.getByTestId('password-input').fill(operator.password);
    await page.keyboard.press('Enter');
    await page.getByTestId('screen-working').waitFor({ timeout: 15_000 });

    for (let i = 0; i < rounds; i++) {
      // Arm an observer in the page: the first frame painted with the lock screen.
      // Passed as source text: tsx's name-keeping helpers do not exist inside the page.
      await page.evaluate(ARM_LOCK_OBSERVER.replace('__NAME__', JSON.stringify(operator.name.split(' ')[0]!)));
      pcscAt = 0;
      const closedAt = hr();
      await card.remove();
      const painted = (await page.evaluate('window.__lock')) as { at: number; gone: boolean };
      if (!pcscAt) throw new Error('no PC/SC removal event');
      reaction.push(painted.at - pcscAt);
      endToEnd.push(painted.at - closedAt);
      dataGone &&= painted.gone;
      // Back to work: same card, same password.
      await card.insert();
      await page.getByTestId('unlock-password-input').waitFor({ timeout: 15_000 });
      await page.getByTestId('unlock-password-input').fill(operator.password);
      await page.keyboard.press('Enter');
      await page.getByTestId('screen-working').waitFor({ timeout: 15_000 });
    }
    return { reaction: summarize(reaction), endToEnd: summarize(endToEnd), dataGone };
  } finally {
    await browser.close();
    await stack.close();
  }
}
