// The second host: serves the built renderer to a browser on loopback and carries the
// renderer↔main contract over one WebSocket. The same dispatch() as Electron's IPC validates
// every request. A per-start token in the URL keeps other local users' pages out.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import { dispatch, type TerminalApi, type TerminalSnapshot } from '../shared/contract';
import { parseClientMessage, parseTextPayloadMessage, serverMessageJson, type ServerMessage } from '../shared/ws-protocol';
import { MAX_BATCH_BYTES } from '../shared/log-api';

export interface SnapshotSource extends TerminalApi {
  on(event: 'snapshot', listener: (snapshot: TerminalSnapshot) => void): unknown;
  off(event: 'snapshot', listener: (snapshot: TerminalSnapshot) => void): unknown;
  snapshot(): TerminalSnapshot;
}

export interface HostOptions {
  service: SnapshotSource;
  rendererDir: string;
  port: number;
  /** Loopback only. */
  host?: '127.0.0.1' | '::1';
  log?: (message: string) => void;
}

export interface RunningHost {
  url: string;
  port: number;
  close(): Promise<void>;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.json': 'application/json',
};

// A log batch (up to MAX_BATCH_BYTES of records) is the largest message; everything else is tiny.
const MAX_MESSAGE_BYTES = MAX_BATCH_BYTES + 1024 * 1024;

export async function startHost(options: HostOptions): Promise<RunningHost> {
  const token = randomBytes(24).toString('base64url');
  const bindHost = options.host ?? '127.0.0.1';
  const root = normalize(options.rendererDir);
  let origin = '';

  const http = createServer((req, res) => void serveStatic(req, res));
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES });

  async function serveStatic(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const headers = {
      'x-content-type-options': 'nosniff',
      'x-frame-options': 'DENY',
      'referrer-policy': 'no-referrer',
      'cache-control': 'no-store',
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, headers).end();
      return;
    }
    let path: string;
    try {
      path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    } catch {
      res.writeHead(400, headers).end();
      return;
    }
    const file = normalize(join(root, path === '/' ? 'index.html' : path));
    if (!file.startsWith(root + sep) && file !== root) {
      res.writeHead(404, headers).end();
      return;
    }
    try {
      const body = await readFile(file);
      res.writeHead(200, { ...headers, 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' }).end(body);
    } catch {
      res.writeHead(404, { ...headers, 'content-type': 'text/plain; charset=utf-8' }).end('見つかりません');
    }
  }

  http.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const given = Buffer.from(url.searchParams.get('token') ?? '');
    const expected = Buffer.from(token);
    const tokenOk = given.length === expected.length && timingSafeEqual(given, expected);
    if (url.pathname !== '/rpc' || req.headers.origin !== origin || !tokenOk) {
      socket.write('HTTP/1.1 403 Forbidden\r\nConnection: close\r\n\r\n');
      socket.destroy();
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => attach(ws));
  });

  function attach(ws: WebSocket): void {
    const send = (message: ServerMessage) => {
      if (ws.readyState === ws.OPEN) ws.send(serverMessageJson(message));
    };
    const onSnapshot = (snapshot: TerminalSnapshot) => send({ type: 'event', event: 'snapshot', data: snapshot });
    options.service.on('snapshot', onSnapshot);
    ws.on('close', () => options.service.off('snapshot', onSnapshot));
    ws.on('error', () => ws.close());
    ws.on('message', async (raw, isBinary) => {
      // A binary message is a call with one large text payload (a log batch): parseTextPayloadMessage.
      const message = isBinary ? parseTextPayloadMessage(Buffer.isBuffer(raw) ? raw : Array.isArray(raw) ? Buffer.concat(raw) : Buffer.from(raw)) : parseClientMessage(raw.toString());
      if (!message) {
        send({ type: 'error', message: '要求の形式が正しくありません。' });
        return;
      }
      try {
        const result = await dispatch(options.service, message.method, message.payload);
        send({ type: 'result', id: message.id, result });
      } catch (error) {
        options.log?.(`rpc ${message.method}: ${(error as Error).stack ?? error}`);
        send({ type: 'result', id: message.id, result: { ok: false, message: '処理中にエラーが発生しました。' } });
      }
    });
    send({ type: 'event', event: 'snapshot', data: options.service.snapshot() });
  }

  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(options.port, bindHost, () => resolve());
  });
  const address = http.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  const hostPart = bindHost === '::1' ? '[::1]' : bindHost;
  origin = `http://${hostPart}:${port}`;
  return {
    url: `${origin}/#token=${token}`,
    port,
    close: async () => {
      for (const client of wss.clients) client.terminate();
      wss.close();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}
