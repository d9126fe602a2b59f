// Terminal authentication: `Authorization: Terminal <terminalId>:<secret>`. The secret is
// compared in constant time against the stored SHA-256; an unknown terminal costs the same.
import { timingSafeEqual } from 'node:crypto';
import { APP_VERSION_HEADER, TERMINAL_AUTH_SCHEME, TerminalIdSchema } from '../../shared/server-api';
import type { FastifyRequest } from 'fastify';
import type { Clock } from '../clock';
import type { ServerDb } from '../db/open';
import { ApiError } from './errors';
import { recordEvent } from '../store/events';
import { getTerminal, hashTerminalSecret, touchTerminal, type Terminal } from '../store/terminals';

const SECRET_PATTERN = /^[A-Za-z0-9_-]{43}$/;
const DUMMY_HASH = hashTerminalSecret('no terminal has this secret');

/** Parses the header; null when it is missing or malformed. */
export function parseTerminalAuthorization(header: string | undefined): { terminalId: string; secret: string } | null {
  if (typeof header !== 'string' || header.length > 300) return null;
  const match = /^(\S+) (\S+)$/.exec(header.trim());
  if (!match || match[1]!.toLowerCase() !== TERMINAL_AUTH_SCHEME.toLowerCase()) return null;
  const credentials = match[2]!;
  const colon = credentials.indexOf(':');
  if (colon < 0) return null;
  const terminalId = credentials.slice(0, colon);
  const secret = credentials.slice(colon + 1);
  if (!TerminalIdSchema.safeParse(terminalId).success || !SECRET_PATTERN.test(secret)) return null;
  return { terminalId, secret };
}

function sameHash(aHex: string, bHex: string): boolean {
  const a = Buffer.from(aHex, 'hex');
  const b = Buffer.from(bHex, 'hex');
  return a.length === b.length && timingSafeEqual(a, b);
}

export type AuthFailure = 'malformed' | 'unknown-terminal' | 'wrong-secret' | 'retired';

/** Authenticates and updates last_contact_at (to the second: contactWorthRecording); a failure is recorded in server_events (the client learns no reason). */
export function authenticateTerminal(db: ServerDb, header: string | undefined, now: number, route: string, appVersion?: string): Terminal | AuthFailure {
  const parsed = parseTerminalAuthorization(header);
  let failure: AuthFailure;
  let terminal: Terminal | undefined;
  if (!parsed) {
    failure = 'malformed';
  } else {
    terminal = getTerminal(db, parsed.terminalId);
    const matches = sameHash(hashTerminalSecret(parsed.secret), terminal?.secretSha256 ?? DUMMY_HASH);
    if (!terminal) failure = 'unknown-terminal';
    else if (!matches) failure = 'wrong-secret';
    else if (terminal.retiredAt !== null) failure = 'retired';
    else {
      if (contactWorthRecording(terminal, now, appVersion)) touchTerminal(db, terminal.id, now, appVersion);
      return { ...terminal, lastContactAt: now, appVersion: appVersion ?? terminal.appVersion };
    }
  }
  recordEvent(db, {
    at: now,
    terminalId: terminal ? terminal.id : null,
    kind: 'terminal-auth-failed',
    detail: { reason: failure, route, ...(parsed && !terminal ? { claimedTerminalId: parsed.terminalId } : {}) },
  });
  return failure;
}

/**
 * Last contact is kept to the second. Each UPDATE outside a transaction is its own durable commit
 * (WAL, synchronous=FULL: an fsync), 1.5 ms or more on every request; a terminal delivering its log
 * makes several requests a second (issue 3 benchmarks). So the row is written only when the stored
 * time is a second old or more (or ahead of now: a clock set back), or the app version changed.
 */
export const LAST_CONTACT_RESOLUTION_MS = 1000;

export function contactWorthRecording(terminal: Pick<Terminal, 'lastContactAt' | 'appVersion'>, now: number, appVersion?: string): boolean {
  if (appVersion !== undefined && appVersion !== terminal.appVersion) return true;
  const last = terminal.lastContactAt;
  return last === null || now - last >= LAST_CONTACT_RESOLUTION_MS || now < last;
}

/** The terminal set by the terminal routes' onRequest hook; a route reached without it is a bug. */
export function authenticatedTerminal(terminal: Terminal | null): Terminal {
  if (!terminal) throw new Error('terminal route reached without authentication');
  return terminal;
}

const APP_VERSION_PATTERN = /^[0-9A-Za-z][0-9A-Za-z.+_-]{0,39}$/;

/** The reported app version when it is one header of a plain version text; anything else is ignored. */
export function reportedAppVersion(value: unknown): string | undefined {
  return typeof value === 'string' && APP_VERSION_PATTERN.test(value) ? value : undefined;
}

export const TERMINAL_UNAUTHORIZED_MESSAGE = '端末の認証に失敗しました。端末の登録情報 (資格情報ファイル) を確認してください。';

/** The onRequest step of every terminal route: sets request.terminal or answers 401 terminal-unauthorized. */
export function requireTerminal(db: ServerDb, clock: Clock, request: FastifyRequest): Terminal {
  const result = authenticateTerminal(
    db,
    request.headers.authorization,
    clock.now(),
    request.routeOptions.url ?? request.url,
    reportedAppVersion(request.headers[APP_VERSION_HEADER]),
  );
  if (typeof result === 'string') {
    throw new ApiError(401, 'terminal-unauthorized', TERMINAL_UNAUTHORIZED_MESSAGE, { 'www-authenticate': TERMINAL_AUTH_SCHEME });
  }
  return result;
}
