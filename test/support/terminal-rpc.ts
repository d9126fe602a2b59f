// A test's own client of the renderer↔main contract over the second host's WebSocket (token and
// Origin as the page sends them), to drive the terminal quickly and to know exactly which commands
// the terminal acknowledged.
import WebSocket from 'ws';
import type { MethodName, TerminalSnapshot } from '../../src/shared/contract';

export class TerminalRpc {
  private nextId = 1;
  private readonly pending = new Map<number, (value: unknown) => void>();
  latest: TerminalSnapshot | null = null;

  private constructor(private readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const message = JSON.parse(data.toString()) as { type: string; id?: number; result?: unknown; data?: TerminalSnapshot };
      if (message.type === 'event' && message.data) this.latest = message.data;
      if (message.type === 'result' && message.id !== undefined) {
        this.pending.get(message.id)?.(message.result);
        this.pending.delete(message.id);
      }
    });
    ws.on('close', () => {
      for (const resolve of this.pending.values()) resolve({ ok: false, message: 'closed' });
      this.pending.clear();
    });
  }

  static connect(hostUrl: string): Promise<TerminalRpc> {
    const url = new URL(hostUrl);
    const token = new URLSearchParams(url.hash.slice(1)).get('token') ?? '';
    const ws = new WebSocket(`ws://${url.host}/rpc?token=${encodeURIComponent(token)}`, { origin: url.origin });
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve(new TerminalRpc(ws)));
      ws.once('error', reject);
    });
  }

  call<T = { ok: boolean; message?: string }>(method: MethodName, payload: unknown = {}): Promise<T> {
    if (this.ws.readyState !== WebSocket.OPEN) return Promise.resolve({ ok: false, message: 'closed' } as T);
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.pending.set(id, resolve as (value: unknown) => void);
      this.ws.send(JSON.stringify({ id, method, payload }));
    });
  }

  snapshot(): Promise<TerminalSnapshot> {
    return this.call<TerminalSnapshot>('getSnapshot');
  }

  /** The connection is gone (closed here, or the host died). */
  get closed(): boolean {
    return this.ws.readyState === WebSocket.CLOSED || this.ws.readyState === WebSocket.CLOSING;
  }

  close(): void {
    this.ws.close();
  }
}
