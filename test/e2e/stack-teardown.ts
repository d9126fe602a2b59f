// After each flow: when it failed, print what the operator saw and what the terminal was doing
// (a CI failure then explains itself); then close the whole stack.
import type { Page, TestInfo } from '@playwright/test';
import type { Stack } from '../support/stack';

export async function closeStack(stack: Stack | null, page: Page, testInfo: TestInfo): Promise<void> {
  if (testInfo.status !== testInfo.expectedStatus && stack) {
    const screen = await page.locator('body').innerText({ timeout: 2000 }).catch(() => '(page unreadable)');
    console.log(`--- diagnostics for "${testInfo.title}"\nscreen text:\n${screen}\n${stack.diagnostics()}\n---`);
  }
  await stack?.close();
}
