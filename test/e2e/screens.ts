// Screenshots of every screen a person sees, kept under screenshots/ (gitignored) for review.
import type { Page } from '@playwright/test';

export async function shoot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: `screenshots/${name}.png`, fullPage: false });
}
