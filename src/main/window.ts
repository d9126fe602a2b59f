// The one window: sandboxed, isolated, strict CSP, no navigation, no new windows, no
// permissions. Kiosk (full screen, no exit by the user) when configured.
import { BrowserWindow, session } from 'electron';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

export const CONTENT_SECURITY_POLICY =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

export interface WindowOptions {
  kiosk: boolean;
  /** Developer tools only when asked for explicitly (never on a counter). */
  devTools: boolean;
  rendererIndex: string;
  preloadPath: string;
}

export function createMainWindow(options: WindowOptions): { window: BrowserWindow; isOwnPage: (url: string) => boolean } {
  const pageUrl = pathToFileURL(options.rendererIndex).toString();
  const isOwnPage = (url: string) => url.split('#')[0] === pageUrl;

  session.defaultSession.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
  session.defaultSession.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] } });
  });

  const window = new BrowserWindow({
    width: 1366,
    height: 768,
    kiosk: options.kiosk,
    fullscreen: options.kiosk,
    autoHideMenuBar: true,
    title: '住民課 窓口端末',
    show: false,
    webPreferences: {
      preload: options.preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      spellcheck: false,
      devTools: options.devTools && !options.kiosk,
    },
  });
  window.webContents.on('will-navigate', (event) => event.preventDefault());
  window.webContents.on('will-redirect', (event) => event.preventDefault());
  window.webContents.setWindowOpenHandler(() => ({ action: 'deny' }));
  window.webContents.on('will-attach-webview', (event) => event.preventDefault());
  // Personal data must never reach the title bar or the task switcher (第22条8項).
  window.on('page-title-updated', (event) => event.preventDefault());
  window.once('ready-to-show', () => window.show());
  void window.loadFile(options.rendererIndex);
  return { window, isOwnPage };
}

export function defaultPaths(outDir: string): { rendererIndex: string; preloadPath: string } {
  return { rendererIndex: join(outDir, 'renderer', 'index.html'), preloadPath: join(outDir, 'preload', 'index.cjs') };
}
