// Screenshots of every screen a person sees, kept under test-results/screens for review.
import type { Page } from '@playwright/test';

export async function shoot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: `screenshots/${name}.png`, fullPage: false });
}
