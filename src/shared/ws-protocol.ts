// Messages on the second host's WebSocket. Requests from the page are untrusted input.
import type { TerminalSnapshot } from './contract';

export interface ClientMessage {
  id: number;
  method: string;
  payload: unknown;
}

export type ServerMessage =
  | { type: 'result'; id: number; result: unknown }
  | { type: 'event'; event: 'snapshot'; data: TerminalSnapshot }
  | { type: 'error'; message: string };

export function parseClientMessage(text: string): ClientMessage | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null) return null;
  const { id, method, payload } = value as Record<string, unknown>;
  if (typeof id !== 'number' || !Number.isSafeInteger(id) || typeof method !== 'string' || method.length > 64) return null;
  return { id, method, payload };
}
