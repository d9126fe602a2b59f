// `npm run host -- --port N --server URL`: the terminal without Electron. Composition root:
// parses arguments, wires the runtime to the WebSocket host, prints the URL. Decides nothing.
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { createTerminalRuntime, ConfigurationError } from '../node/terminal/runtime';
import { startHost } from './host-server';

const USAGE = `使い方: npm run host -- [--port 8471] [--server http://127.0.0.1:8470] [--data-dir .terminal-data] [--credential FILE] [--idle-lock-seconds 300] [--results-clear-seconds 60]`;

async function main(): Promise<void> {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        port: { type: 'string', default: '8471' },
        server: { type: 'string' },
        'data-dir': { type: 'string', default: '.terminal-data' },
        credential: { type: 'string' },
        'idle-lock-seconds': { type: 'string' },
        'results-clear-seconds': { type: 'string' },
        help: { type: 'boolean' },
      },
    }));
  } catch (error) {
    console.error(`${(error as Error).message}\n${USAGE}`);
    process.exit(2);
  }
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const port = Number(values.port);
  const idle = values['idle-lock-seconds'] === undefined ? undefined : Number(values['idle-lock-seconds']);
  const clear = values['results-clear-seconds'] === undefined ? undefined : Number(values['results-clear-seconds']);
  if (!Number.isInteger(port) || port < 0 || port > 65535 || (idle !== undefined && !(Number.isInteger(idle) && idle >= 5 && idle <= 3600)) || (clear !== undefined && !(Number.isInteger(clear) && clear >= 5 && clear <= 600))) {
    console.error(`引数が正しくありません。\n${USAGE}`);
    process.exit(2);
  }
  const rendererDir = resolve('out/renderer');
  if (!existsSync(resolve(rendererDir, 'index.html'))) {
    console.error('画面のビルドがありません。先に `npm run build` を実行してください。');
    process.exit(2);
  }
  const dataDir = resolve(values['data-dir']);
  let service;
  try {
    // The version the server's terminal list shows (X-App-Version); Electron reports app.getVersion(), the same field.
    const appVersion = (JSON.parse(readFileSync(resolve('package.json'), 'utf8')) as { version?: string }).version;
    service = createTerminalRuntime({ dataDir, credentialPath: values.credential, serverUrl: values.server, idleLockSeconds: idle, resultsClearSeconds: clear, appVersion, log: (m) => console.error(`[terminal] ${m}`) });
  } catch (error) {
    if (error instanceof ConfigurationError || error instanceof TypeError) {
      console.error(error.message);
      process.exit(2);
    }
    throw error;
  }
  service.start();
  const host = await startHost({ service, rendererDir, port, log: (m) => console.error(`[host] ${m}`) });
  console.log(`端末データ: ${dataDir}`);
  console.log(`窓口端末（ブラウザで開く）: ${host.url}`);
  const shutdown = async () => {
    await host.close();
    await service.stop();
    process.exit(0);
  };
  process.once('SIGINT', () => void shutdown());
  process.once('SIGTERM', () => void shutdown());
}

void main();
