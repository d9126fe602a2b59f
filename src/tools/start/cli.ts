// `npm start`: the demo central server plus the terminal — in Electron where its binary is
// installed, otherwise in the second host (plain Node + your browser), with its URL printed.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { electronBinary } from './electron-binary';

const SERVER_PORT = Number(process.env.KUMIYAMA_SERVER_PORT ?? 8470);
const HOST_PORT = Number(process.env.KUMIYAMA_HOST_PORT ?? 8471);
const serverDir = resolve('.data/server');
const terminalDir = resolve('.data/terminal');
const serverUrl = `http://127.0.0.1:${SERVER_PORT}`;
const children: ChildProcess[] = [];

function run(command: string, args: string[], name: string): ChildProcess {
  const child = spawn(command, args, { stdio: ['ignore', 'inherit', 'inherit'] });
  children.push(child);
  child.on('exit', (code) => {
    console.error(`[start] ${name} が終了しました (code ${code})`);
    shutdown(code ?? 1);
  });
  return child;
}

function shutdown(code: number): void {
  for (const child of children) if (child.exitCode === null) child.kill('SIGTERM');
  setTimeout(() => process.exit(code), 500).unref();
}

async function waitForServer(): Promise<void> {
  for (let i = 0; i < 100; i++) {
    try {
      if ((await fetch(`${serverUrl}/healthz`)).ok) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`中央サーバーが起動しませんでした: ${serverUrl}`);
}

async function main(): Promise<void> {
  {
    // Always build: a stale out/ would run old code (the build takes a few seconds).
    console.log('[start] ビルドしています (npm run build)…');
    const build = spawnSync('npx', ['electron-vite', 'build'], { stdio: 'inherit' });
    if (build.status !== 0) process.exit(build.status ?? 1);
  }
  run('npx', ['tsx', 'src/server/cli.ts', '--demo', '--data-dir', serverDir, '--port', String(SERVER_PORT)], '中央サーバー');
  await waitForServer();
  const credential = resolve(serverDir, 'demo-terminal.json');
  const electron = electronBinary();
  if (electron) {
    run(electron, ['.', '--server', serverUrl, '--data-dir', terminalDir, '--credential', credential], '窓口端末 (Electron)');
  } else {
    console.log('[start] Electron の実行ファイルがないため、ブラウザ用のホストで起動します。表示された URL を Chromium で開いてください。');
    run('npx', ['tsx', 'src/host/cli.ts', '--port', String(HOST_PORT), '--server', serverUrl, '--data-dir', terminalDir, '--credential', credential], '窓口端末ホスト');
  }
  const cards = resolve(serverDir, 'demo-cards');
  console.log(`\n[start] デモ用カードを挿入するには、別の端末で:\n  npm run vcard -- insert ${cards}/op-yamada.json\n抜くには: npm run vcard -- remove\n`);
}

process.once('SIGINT', () => shutdown(0));
process.once('SIGTERM', () => shutdown(0));
main().catch((error) => {
  console.error(`[start] ${(error as Error).message}`);
  shutdown(1);
});
