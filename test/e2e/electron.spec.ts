// Launches the real Electron app where its binary is installed. On machines where the binary
// could not be downloaded (ELECTRON_SKIP_BINARY_DOWNLOAD=1), the test reports itself skipped.
import { _electron as electron, expect, test } from '@playwright/test';
import { join } from 'node:path';
import { Stack } from '../support/stack';
import { electronBinary } from '../../src/tools/start/electron-binary';

const binary = electronBinary();

test('Electron: the window opens sandboxed on the card screen, with no Node in the page', async () => {
  if (!binary) console.log('SKIPPED: Electron binary not installed on this machine (ELECTRON_SKIP_BINARY_DOWNLOAD); the Electron launch test runs where it is.');
  test.skip(!binary, 'Electron binary not installed on this machine (ELECTRON_SKIP_BINARY_DOWNLOAD)');
  const stack = await new Stack().start();
  await stack.stopTerminal(); // Electron runs its own main-side services
  try {
    const app = await electron.launch({
      executablePath: binary!,
      args: ['.', '--server', stack.server!.url, '--data-dir', join(stack.dir, 'electron'), '--credential', join(stack.serverDir, 'demo-terminal.json')],
    });
    const window = await app.firstWindow();
    await expect(window.getByTestId('screen-insert-card').or(window.getByTestId('screen-no-reader'))).toBeVisible({ timeout: 20_000 });
    expect(await window.evaluate(() => typeof (globalThis as { require?: unknown }).require)).toBe('undefined');
    expect(await window.evaluate(() => typeof (globalThis as { process?: unknown }).process)).toBe('undefined');
    expect(await window.evaluate(() => Object.keys((globalThis as { terminalBridge?: object }).terminalBridge ?? {}).sort())).toEqual(
      ['changePassword', 'getSnapshot', 'lock', 'onSnapshot', 'reportActivity', 'signOut', 'submitPassword'],
    );
    await app.close();
  } finally {
    await stack.close();
  }
});
