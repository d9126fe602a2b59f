// Node side of the log page: builds bench/log-append-page with Vite into a temp folder, serves it on
// 127.0.0.1 (random port) and opens it in Chromium (playwright-core). Used by the Chromium unit test
// of the log writer and by bench/log-append.ts.
import { execFileSync } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

const pageDir = dirname(fileURLToPath(import.meta.url));

const TYPES: Record<string, string> = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8', '.map': 'application/json' };

export const chromiumOptions = {
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'],
  headless: true,
};

export interface LogHarness {
  url: string;
  /** The built page's folder (another server, e.g. the second host, may serve it too). */
  dir: string;
  browser: Browser;
  context: BrowserContext;
  /** A fresh tab with the page loaded and ready (all tabs share one profile, so one IndexedDB per origin); `at`: another server's URL of the page. */
  newPage(at?: string): Promise<Page>;
  /** The page in a new, empty browser context (its own storage and quota), and that context. */
  newIsolatedPage(): Promise<{ page: Page; context: BrowserContext }>;
  /**
   * A separate Chromium on a profile folder of our own, with the page open; `kill()` sends SIGKILL to
   * that browser's main process (found by its profile folder among this process's children), as a
   * crash or a power cut of the app would end it.
   */
  persistentBrowser(userDataDir: string): Promise<{ page: Page; context: BrowserContext; kill(): void }>;
  close(): Promise<void>;
}

function serve(root: string): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    void (async () => {
      const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
      const file = resolve(root, '.' + (path === '/' ? '/index.html' : path));
      if (!file.startsWith(root + sep)) {
        res.writeHead(404).end();
        return;
      }
      try {
        const body = await readFile(file);
        res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-store' }).end(body);
      } catch {
        res.writeHead(404).end();
      }
    })();
  });
  return new Promise((ok, fail) => {
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      if (!address || typeof address === 'string') return fail(new Error('no port'));
      ok({ server, url: `http://127.0.0.1:${address.port}/` });
    });
  });
}

export async function startLogHarness(): Promise<LogHarness> {
  const outDir = await mkdtemp(join(tmpdir(), 'log-append-page-'));
  await build({
    configFile: false,
    root: pageDir,
    logLevel: 'warn',
    build: { outDir, emptyOutDir: true, minify: false, sourcemap: false, reportCompressedSize: false },
  });
  const { server, url } = await serve(outDir);
  const browser = await chromium.launch(chromiumOptions);
  const context = await browser.newContext();
  const ready = async (page: Page): Promise<Page> => {
    await page.goto(url);
    await page.waitForFunction('document.getElementById("status")?.textContent === "ready"');
    return page;
  };
  return {
    url,
    dir: outDir,
    browser,
    context,
    async newPage(at = url) {
      const page = await context.newPage();
      await page.goto(at);
      await page.waitForFunction('document.getElementById("status")?.textContent === "ready"');
      return page;
    },
    async newIsolatedPage() {
      const isolated = await browser.newContext();
      return { page: await ready(await isolated.newPage()), context: isolated };
    },
    async persistentBrowser(userDataDir: string) {
      const ctx = await chromium.launchPersistentContext(userDataDir, chromiumOptions);
      const page = await ready(ctx.pages()[0] ?? (await ctx.newPage()));
      return {
        page,
        context: ctx,
        kill() {
          const rows = execFileSync('ps', ['-eo', 'pid=,ppid=,args='], { encoding: 'utf8' }).split('\n');
          const main = rows
            .map((row) => /^\s*(\d+)\s+(\d+)\s+(.*)$/.exec(row))
            .find((m) => m && Number(m[2]) === process.pid && m[3]!.includes(`--user-data-dir=${userDataDir}`));
          if (!main) throw new Error('the Chromium main process was not found');
          process.kill(Number(main[1]), 'SIGKILL');
        },
      };
    },
    async close() {
      await browser.close().catch(() => undefined);
      await new Promise<void>((ok) => server.close(() => ok()));
      await rm(outDir, { recursive: true, force: true });
    },
  };
}

export type CallResult<T> = { ok: true; value: T } | { ok: false; name: string; message: string };

/**
 * Calls `window.__log[method](...args)` in the page (args as JSON in source text: tsx/vitest
 * helpers never reach the page) and returns its value, or the error's name and message.
 */
export async function tryInPage<T>(page: Page, method: string, ...args: unknown[]): Promise<CallResult<T>> {
  const source = `(async () => {
    try { return { ok: true, value: await window.__log[${JSON.stringify(method)}](...${JSON.stringify(args)}) }; }
    catch (e) { return { ok: false, name: String(e && e.name), message: String(e && e.message) }; }
  })()`;
  return (await page.evaluate(source)) as CallResult<T>;
}

export async function callInPage<T>(page: Page, method: string, ...args: unknown[]): Promise<T> {
  const result = await tryInPage<T>(page, method, ...args);
  if (!result.ok) throw new Error(`${method} failed in the page: ${result.name}: ${result.message}`);
  return result.value;
}
