// Second-host transport: the same contract over one WebSocket to the page's own origin.
// Reconnects on its own; calls made while disconnected fail with a Japanese message.
import type { CommandResult, TerminalClient, TerminalSnapshot, MethodName } from '../../../shared/contract';
import { encodeTextPayloadMessage, type ServerMessage, type TextPayloadMethod } from '../../../shared/ws-protocol';

export interface ConnectionListener {
  (connected: boolean): void;
}

// Also a LogSyncResult (retry later), so the log sync needs no special case for it.
const DISCONNECTED: CommandResult & { retry: true; code: string } = { ok: false, retry: true, code: 'terminal-service-unreachable', message: '端末サービスに接続できません。しばらくお待ちください。' };

export function wsClient(onConnection: ConnectionListener): TerminalClient {
  // The token is read again at every (re)connect: a restarted host issues a new one, and opening
  // its new URL in this tab changes only the hash (no reload) — the page must follow it.
  const rpcUrl = () => {
    const token = new URLSearchParams(location.hash.slice(1)).get('token') ?? '';
    return `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/rpc?token=${encodeURIComponent(token)}`;
  };
  const listeners = new Set<(s: TerminalSnapshot) => void>();
  const pending = new Map<number, (value: unknown) => void>();
  let socket: WebSocket | null = null;
  let nextId = 1;
  let retryMs = 250;

  function connect(): void {
    const ws = new WebSocket(rpcUrl());
    socket = ws;
    ws.onopen = () => {
      retryMs = 250;
      onConnection(true);
    };
    ws.onmessage = (event) => {
      let message: ServerMessage;
      try {
        message = JSON.parse(String(event.data)) as ServerMessage;
      } catch {
        return;
      }
      if (message.type === 'event') for (const l of listeners) l(message.data);
      else if (message.type === 'result') {
        pending.get(message.id)?.(message.result);
        pending.delete(message.id);
      }
    };
    ws.onclose = () => {
      socket = null;
      onConnection(false);
      for (const resolve of pending.values()) resolve(DISCONNECTED);
      pending.clear();
      setTimeout(connect, retryMs);
      retryMs = Math.min(retryMs * 2, 5000);
    };
  }
  connect();

  /** Sends one request, made from its id; resolves with the answer, or DISCONNECTED without a socket. */
  function send<T>(message: (id: number) => string | Uint8Array): Promise<T> {
    return new Promise((resolve) => {
      if (!socket || socket.readyState !== WebSocket.OPEN) {
        resolve(DISCONNECTED as T);
        return;
      }
      const id = nextId++;
      pending.set(id, resolve as (value: unknown) => void);
      socket.send(message(id));
    });
  }

  function call<T>(method: MethodName, payload: unknown): Promise<T> {
    return send((id) => JSON.stringify({ id, method, payload }));
  }

  /** A call whose payload is one large text (a log batch's records): sent as a binary message (ws-protocol.ts). */
  function callWithText<T>(method: TextPayloadMethod, text: string, follows?: number): Promise<T> {
    return send((id) => encodeTextPayloadMessage(id, method, text, follows));
  }

  return {
    getSnapshot: (input) => call('getSnapshot', input),
    submitPassword: (input) => call('submitPassword', input),
    changePassword: (input) => call('changePassword', input),
    lock: (input) => call('lock', input),
    signOut: (input) => call('signOut', input),
    reportActivity: (input) => call('reportActivity', input),
    takeLogEvents: (input) => call('takeLogEvents', input),
    ackLogEvents: (input) => call('ackLogEvents', input),
    getLogCursor: (input) => call('getLogCursor', input),
    pushLogBatch: (input) =>
      'recordsJson' in input && typeof input.recordsJson === 'string' ? callWithText('pushLogBatch', input.recordsJson, input.follows) : call('pushLogBatch', input),
    fetchResidentChanges: (input) => call('fetchResidentChanges', input),
    getReplicaKey: (input) => call('getReplicaKey', input),
    adminOpen: (input) => call('adminOpen', input),
    adminCall: (input) => call('adminCall', input),
    adminClose: (input) => call('adminClose', input),
    onSnapshot(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
