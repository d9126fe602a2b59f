// Electron composition root: reads the configuration, builds the same main-side services as
// the second host, and wires them to the window through IPC. No decisions here.
import { app, dialog } from 'electron';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createTerminalRuntime } from '../node/terminal/runtime';
import { registerIpc } from './ipc';
import { safeStorageKeyStore } from './safe-storage-key';
import { createMainWindow, defaultPaths } from './window';

const { values } = parseArgs({
  args: process.argv.slice(app.isPackaged ? 1 : 2),
  options: {
    server: { type: 'string' },
    'data-dir': { type: 'string' },
    credential: { type: 'string' },
    kiosk: { type: 'boolean', default: false },
    devtools: { type: 'boolean', default: false },
  },
  strict: false,
});

app.enableSandbox();
if (!app.requestSingleInstanceLock()) app.quit();

app.whenReady().then(() => {
  const dataDir = typeof values['data-dir'] === 'string' ? values['data-dir'] : app.getPath('userData');
  let service;
  try {
    service = createTerminalRuntime({
      dataDir,
      credentialPath: typeof values.credential === 'string' ? values.credential : undefined,
      serverUrl: typeof values.server === 'string' ? values.server : undefined,
      replicaKeys: safeStorageKeyStore(dataDir),
      appVersion: app.getVersion(),
      log: (message) => console.error(`[terminal] ${message}`),
    });
  } catch (error) {
    dialog.showErrorBox('窓口端末を起動できません', (error as Error).message);
    app.exit(2);
    return;
  }
  const { window, isOwnPage } = createMainWindow({ kiosk: values.kiosk === true, devTools: values.devtools === true, ...defaultPaths(join(__dirname, '..')) });
  const unregister = registerIpc(service, window, isOwnPage);
  service.start();
  app.on('window-all-closed', async () => {
    unregister();
    await service.stop();
    app.quit();
  });
});
