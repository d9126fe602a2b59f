// Messages on the second host's WebSocket. Requests from the page are untrusted input.
import type { TerminalSnapshot } from './contract';
import { jsonTextOf } from './json-text';

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

/**
 * JSON.stringify(message), except that a value of a result's top-level fields that remembers the
 * text it was parsed from (json-text.ts: a feed page main checked) goes in as that text.
 */
export function serverMessageJson(message: ServerMessage): string {
  if (message.type === 'result' && typeof message.result === 'object' && message.result !== null && !Array.isArray(message.result)) {
    const fields = Object.entries(message.result as Record<string, unknown>);
    if (fields.some(([, value]) => jsonTextOf(value) !== undefined)) {
      const parts: string[] = [];
      for (const [key, value] of fields) {
        const text = jsonTextOf(value) ?? JSON.stringify(value);
        if (text !== undefined) parts.push(`${JSON.stringify(key)}:${text}`);
      }
      return `{"type":"result","id":${JSON.stringify(message.id)},"result":{${parts.join(',')}}}`;
    }
  }
  return JSON.stringify(message);
}

/**
 * A call whose payload is one large JSON text — pushLogBatch { recordsJson } (a log batch's records
 * in the wire form, up to MAX_BATCH_BYTES) — goes as a binary message instead: the UTF-8 of
 * `{"id":…,"method":"pushLogBatch"}`, a line feed, then the UTF-8 of the text itself. As a text
 * message the whole batch was written once more as a JSON string (every '"' escaped), sent, and
 * read back by the host; this way the bytes travel as they are. The host accepts this form for
 * TEXT_PAYLOAD_METHODS only, and the payload it makes is checked by dispatch() like any other.
 */
export const TEXT_PAYLOAD_METHODS = { pushLogBatch: 'recordsJson' } as const;
export type TextPayloadMethod = keyof typeof TEXT_PAYLOAD_METHODS;

const LINE_FEED = 0x0a;

/**
 * The binary message of a call `method` (TEXT_PAYLOAD_METHODS) with id `id` and its payload text;
 * `follows` (pushLogBatch: the seq the batch before ends at, see contract.ts) goes in the head.
 */
export function encodeTextPayloadMessage(id: number, method: TextPayloadMethod, text: string, follows?: number): Uint8Array {
  const head = new TextEncoder().encode(`${JSON.stringify(follows === undefined ? { id, method } : { id, method, follows })}\n`);
  // UTF-8 takes at most 3 bytes per UTF-16 unit.
  const out = new Uint8Array(head.length + text.length * 3);
  out.set(head, 0);
  const { written } = new TextEncoder().encodeInto(text, out.subarray(head.length));
  return out.subarray(0, head.length + written);
}

/**
 * Reads a binary message of encodeTextPayloadMessage's form: the call with its payload
 * ({ [TEXT_PAYLOAD_METHODS[method]]: text }), or null when it is not exactly that (no line feed, a
 * head that is not { id, method } or { id, method, follows } with a safe integer id, such a method and
 * a positive safe integer follows, text that is not valid UTF-8).
 */
export function parseTextPayloadMessage(bytes: Uint8Array): ClientMessage | null {
  const end = bytes.indexOf(LINE_FEED);
  if (end < 0 || end > 200) return null;
  let head: unknown;
  let text: string;
  try {
    head = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(0, end)));
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes.subarray(end + 1));
  } catch {
    return null;
  }
  if (typeof head !== 'object' || head === null || Array.isArray(head)) return null;
  const { id, method, follows, ...rest } = head as Record<string, unknown>;
  if (Object.keys(rest).length > 0 || typeof id !== 'number' || !Number.isSafeInteger(id)) return null;
  if (typeof method !== 'string' || !Object.hasOwn(TEXT_PAYLOAD_METHODS, method)) return null;
  if (follows !== undefined && (typeof follows !== 'number' || !Number.isSafeInteger(follows) || follows < 1)) return null;
  const payload: Record<string, unknown> = { [TEXT_PAYLOAD_METHODS[method as TextPayloadMethod]]: text };
  if (follows !== undefined) payload.follows = follows;
  return { id, method, payload };
}
