import { defineConfig } from '@playwright/test';

// Chromium from Debian (the Playwright browser download is not available on these machines).
export const chromiumLaunch = {
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-quic', '--no-first-run', '--disable-sync'],
};

export default defineConfig({
  testDir: 'test/e2e',
  // One virtual PC/SC reader on the machine: the flows run one after another.
  workers: 1,
  fullyParallel: false,
  timeout: 90_000,
  reporter: [['list']],
  use: {
    launchOptions: chromiumLaunch,
    viewport: { width: 1366, height: 768 },
    locale: 'ja-JP',
    timezoneId: 'Asia/Tokyo',
  },
});
