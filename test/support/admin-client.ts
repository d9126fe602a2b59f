// Test helpers for the admin routes: virtual operator cards (P-256 key + self-signed certificate, as
// the demo seeding makes them) that sign admin-session challenges with node:crypto, and HTTP calls
// with the terminal credential and the admin session token. No pcscd needed.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sign } from 'node:crypto';
import { createCardFile, decodeCardFile, type DecodedCardFile } from '../../src/node/card/virtual-card-file';
import { adminSessionMessage, AdminChallengeResponseSchema, AdminSessionResponseSchema, type AdminSessionResponse } from '../../src/shared/admin-session';
import type { TerminalCredential } from '../../src/shared/server-api';

export interface TestCard {
  keyId: string;
  certificateDer: Uint8Array;
  /** Signs the admin-session message as the card does: ECDSA P-256 over SHA-256 of it, DER. */
  sign(message: Uint8Array): Buffer;
}

function fromDecoded(decoded: Pick<DecodedCardFile, 'keyId' | 'certificateDer' | 'privateKey'>): TestCard {
  return {
    keyId: decoded.keyId,
    certificateDer: decoded.certificateDer,
    sign: (message) => sign('sha256', message, { key: decoded.privateKey, dsaEncoding: 'der' }),
  };
}

/** The demo card of an operator (dataDir/demo-cards/<id>.json, written by the demo seeding). */
export function demoCard(dataDir: string, operatorId: string): TestCard {
  return fromDecoded(decodeCardFile(JSON.parse(readFileSync(join(dataDir, 'demo-cards', `${operatorId}.json`), 'utf8'))));
}

/** A fresh virtual card (not registered anywhere yet). */
export async function newCard(operatorId: string, label = 'テスト 職員'): Promise<TestCard> {
  const created = await createCardFile({ label, operatorId });
  return fromDecoded(decodeCardFile(created.file));
}

export interface Reply {
  status: number;
  json: unknown;
  text: string;
}

export interface CallOptions {
  method?: string;
  body?: unknown;
  /** Terminal credential; null sends none. */
  terminal?: TerminalCredential | null;
  /** X-Admin-Session token; null/undefined sends none. */
  token?: string | null;
}

export function adminCaller(baseUrl: string, defaultTerminal: TerminalCredential) {
  return async function call(path: string, options: CallOptions = {}): Promise<Reply> {
    const headers: Record<string, string> = {};
    const terminal = options.terminal === undefined ? defaultTerminal : options.terminal;
    if (terminal) headers.authorization = `Terminal ${terminal.terminalId}:${terminal.secret}`;
    if (options.token) headers['x-admin-session'] = options.token;
    let body: string | undefined;
    if (options.body !== undefined) {
      body = JSON.stringify(options.body);
      headers['content-type'] = 'application/json';
    }
    const response = await fetch(`${baseUrl}/api/v1/admin${path}`, { method: options.method ?? (body === undefined ? 'GET' : 'POST'), headers, body });
    const text = await response.text();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: response.status, json, text };
  };
}

export type AdminCall = ReturnType<typeof adminCaller>;

export async function challenge(call: AdminCall, terminal?: TerminalCredential) {
  const reply = await call('/challenges', { method: 'POST', ...(terminal ? { terminal } : {}) });
  if (reply.status !== 200) throw new Error(`challenge refused: ${reply.text}`);
  return AdminChallengeResponseSchema.parse(reply.json);
}

/** Asks for a challenge on `terminal`, has `card` sign it and asks for the session; the raw reply. */
export async function requestSession(
  call: AdminCall,
  terminal: TerminalCredential,
  operatorId: string,
  card: TestCard,
  tamper: { message?: (m: Uint8Array) => Uint8Array; cardKeyId?: string } = {},
): Promise<Reply> {
  const c = await challenge(call, terminal);
  const message = adminSessionMessage(terminal.terminalId, c.challengeId, new Uint8Array(Buffer.from(c.nonce, 'base64')));
  const signature = card.sign(tamper.message ? tamper.message(message) : message).toString('base64');
  return call('/sessions', { terminal, body: { challengeId: c.challengeId, operatorId, cardKeyId: tamper.cardKeyId ?? card.keyId, signature } });
}

export async function openSession(call: AdminCall, terminal: TerminalCredential, operatorId: string, card: TestCard): Promise<AdminSessionResponse> {
  const reply = await requestSession(call, terminal, operatorId, card);
  if (reply.status !== 200) throw new Error(`session refused for ${operatorId}: ${reply.text}`);
  return AdminSessionResponseSchema.parse(reply.json);
}
