// Main's half of the admin console (issue 6). The renderer is untrusted: it names an action and sends
// input; this checks the input against the action's schema (src/shared/admin-routes.ts), opens an
// admin session when none is open — the server's single-use challenge signed by the card in the
// reader, so the server itself knows who acts, not only this terminal — and calls the admin route.
// Passwords made here (new operator, reset) are generated and hashed here; only the hash is sent,
// the password is handed to the console once. A card to issue is read here, in the named reader.
// The session is dropped at every lock and sign-out (TerminalService calls close()).
import { randomInt } from 'node:crypto';
import { hashPassword } from '../password/scrypt';
import { generateTemporaryPassword } from '../../domain/password/temporary';
import type { CardService } from '../card/card-service';
import { CardError } from '../card/card-service';
import { ADMIN_ROUTES, isAdminConsoleAction, needsTarget, type AdminCallResult, type AdminConsoleAction, type AdminOpenResult, type AdminSessionView } from '../../shared/admin-routes';
import { AdminChallengeResponseSchema, AdminSessionResponseSchema, adminSessionMessage } from '../../shared/admin-session';
import { AdminOkResponseSchema } from '../../shared/admin-api';
import { ServerRejectedError, ServerUnavailableError, type ServerClient } from './server-client';

/** Who is working at this terminal now, as the service knows it. */
export interface AdminWho {
  operatorId: string;
  cardKeyId: string;
  reader: string;
  role: 'operator' | 'manager' | 'sysadmin';
}

export interface AdminRelayDeps {
  server: Pick<ServerClient, 'admin'>;
  cards: Pick<CardService, 'authenticate'>;
  terminalId: string;
  /** Writes an operation-log event (ids, action, outcome, reason; never a password). */
  record: (event: { type: string; outcome: 'success' | 'failure' | 'info'; operatorId: string; detail: Record<string, string | number | boolean | null> }) => void;
  roleLabel: (role: 'manager' | 'sysadmin') => string;
}

interface OpenSession {
  token: string;
  sessionId: string;
  operatorId: string;
  view: AdminSessionView;
}

const NOT_ADMIN = '管理機能は情報保護管理者とシステム管理者だけが使えます。';
const UNREACHABLE = '中央サーバーに接続できないため、管理機能は使えません。接続を確認してください。';
const INVALID = '入力の形式が正しくありません。';

function failure(code: string, message: string): { ok: false; code: string; message: string } {
  return { ok: false, code, message };
}

function fromError(error: unknown): { ok: false; code: string; message: string } {
  if (error instanceof ServerRejectedError) return failure(error.code, error.message);
  if (error instanceof CardError) return failure(`card-${error.code}`, error.userMessage);
  if (error instanceof ServerUnavailableError) return failure('unreachable', UNREACHABLE);
  return failure('unexpected', `管理機能でエラーが発生しました (${error instanceof Error ? error.message : String(error)})`);
}

/** For a change: only the input fields its path names (the rest is the body). */
function pathInput(path: string, input: Record<string, unknown>): Record<string, unknown> {
  const names = [...path.matchAll(/:([A-Za-z]+)/g)].map((m) => m[1]!).filter((n) => n !== 'id');
  return Object.fromEntries(names.filter((n) => input[n] !== undefined).map((n) => [n, input[n]]));
}

export class AdminRelay {
  private session: OpenSession | null = null;
  private opening: Promise<AdminOpenResult> | null = null;

  constructor(private readonly d: AdminRelayDeps) {}

  async open(who: AdminWho | null): Promise<AdminOpenResult> {
    if (!who) return failure('not-working', 'サインインしている管理者がいません。');
    if (who.role === 'operator') return failure('not-admin', NOT_ADMIN);
    if (this.session?.operatorId === who.operatorId) return { ok: true, session: this.session.view };
    this.opening ??= this.openNow(who).finally(() => {
      this.opening = null;
    });
    return this.opening;
  }

  async call(who: AdminWho | null, raw: { action: string; target?: string; input?: unknown }): Promise<AdminCallResult> {
    if (!isAdminConsoleAction(raw.action)) return failure('unknown-action', INVALID);
    const action = raw.action;
    const route = ADMIN_ROUTES[action];
    if (needsTarget(action) !== (raw.target !== undefined)) return failure('invalid-request', INVALID);
    const parsed = route.input.safeParse(raw.input ?? {});
    if (!parsed.success) return failure('invalid-request', INVALID);
    const opened = await this.open(who);
    if (!opened.ok) return opened;
    const input = parsed.data as Record<string, unknown>;
    let temporaryPassword: string | undefined;
    let body: Record<string, unknown> | undefined = route.method === 'GET' ? undefined : input;
    try {
      if ('main' in route && route.main === 'temporary-password') {
        temporaryPassword = generateTemporaryPassword(randomInt);
        body = { passwordHash: await hashPassword(temporaryPassword), reason: input.reason };
      } else if ('main' in route && route.main === 'new-operator') {
        temporaryPassword = generateTemporaryPassword(randomInt);
        body = { ...input, temporaryPasswordHash: await hashPassword(temporaryPassword) };
      } else if ('main' in route && route.main === 'read-card') {
        if (input.reader === who!.reader) {
          return this.done(who!, action, raw.target, input, failure('own-card-reader', 'そのカードリーダーにはサインインに使っているカードが入っています。新しいカードは別のリーダーに挿してください。'));
        }
        const identity = await this.d.cards.authenticate(String(input.reader));
        body = { operatorId: input.operatorId, certificate: Buffer.from(identity.certificateDer).toString('base64'), reason: input.reason };
      }
    } catch (error) {
      return this.done(who!, action, raw.target, input, fromError(error));
    }
    const path = this.pathOf(action, raw.target, route.method === 'GET' ? input : pathInput(route.path, input));
    const send = () => this.d.server.admin(route.method, path, route.response, { body, token: this.session!.token });
    try {
      let data: unknown;
      try {
        data = await send();
      } catch (error) {
        // The session ended on the server (idle 15 min, its holder's card revoked…): open a new one
        // with the card, once. Anything else is the answer.
        if (!(error instanceof ServerRejectedError) || error.status !== 401 || !error.code.startsWith('admin-session')) throw error;
        this.session = null;
        const again = await this.open(who);
        if (!again.ok) return this.done(who!, action, raw.target, input, again);
        data = await send();
      }
      return this.done(who!, action, raw.target, input, temporaryPassword === undefined ? { ok: true, data } : { ok: true, data, temporaryPassword });
    } catch (error) {
      return this.done(who!, action, raw.target, input, fromError(error));
    }
  }

  /** Ends the session here and (best effort) on the server. */
  close(): void {
    const session = this.session;
    this.session = null;
    if (!session) return;
    void this.d.server.admin('DELETE', '/sessions/current', AdminOkResponseSchema, { token: session.token }).catch(() => undefined);
    this.d.record({ type: 'admin.session-closed', outcome: 'info', operatorId: session.operatorId, detail: { sessionId: session.sessionId } });
  }

  private async openNow(who: AdminWho): Promise<AdminOpenResult> {
    this.close();
    try {
      const challenge = await this.d.server.admin('POST', '/challenges', AdminChallengeResponseSchema, { body: {} });
      const message = adminSessionMessage(this.d.terminalId, challenge.challengeId, new Uint8Array(Buffer.from(challenge.nonce, 'base64')));
      const identity = await this.d.cards.authenticate(who.reader, { message });
      // The card in the reader must still be the signed-in person's (it could have been swapped unseen between polls).
      if (identity.keyId !== who.cardKeyId || !identity.signatureDer) return failure('card-mismatch', 'サインインしたカードと異なるカードが差し込まれています。');
      const answer = await this.d.server.admin('POST', '/sessions', AdminSessionResponseSchema, {
        body: { challengeId: challenge.challengeId, operatorId: who.operatorId, cardKeyId: who.cardKeyId, signature: Buffer.from(identity.signatureDer).toString('base64') },
      });
      const view: AdminSessionView = { operatorName: answer.operator.name, role: answer.role, roleLabel: this.d.roleLabel(answer.role), permissions: answer.permissions, expiresAt: answer.expiresAt };
      this.session = { token: answer.token, sessionId: answer.sessionId, operatorId: who.operatorId, view };
      this.d.record({ type: 'admin.session-opened', outcome: 'success', operatorId: who.operatorId, detail: { sessionId: answer.sessionId, role: answer.role } });
      return { ok: true, session: view };
    } catch (error) {
      const result = fromError(error);
      this.d.record({ type: 'admin.session-refused', outcome: 'failure', operatorId: who.operatorId, detail: { code: result.code } });
      return result;
    }
  }

  private pathOf(action: AdminConsoleAction, target: string | undefined, query: Record<string, unknown>): string {
    let path: string = ADMIN_ROUTES[action].path;
    if (target !== undefined) path = path.replace(':id', encodeURIComponent(target));
    // Other path parameters (`/log/:terminalId/:seq`) come from the checked input and leave the query.
    const rest: Record<string, unknown> = { ...query };
    path = path.replace(/:([A-Za-z]+)/g, (whole, name: string) => {
      const value = rest[name];
      delete rest[name];
      return value === undefined || value === null ? whole : encodeURIComponent(String(value));
    });
    const params = Object.entries(rest).filter(([, v]) => v !== undefined && v !== null);
    if (params.length > 0) path += `?${new URLSearchParams(params.map(([k, v]) => [k, String(v)])).toString()}`;
    return path;
  }

  /** Every admin action lands in the operation log with who, what (action, target) and why (the reason). Views too. */
  private done(who: AdminWho, action: AdminConsoleAction, target: string | undefined, input: Record<string, unknown>, result: AdminCallResult): AdminCallResult {
    const detail: Record<string, string | number | boolean | null> = { action, target: target ?? null, sessionId: this.session?.sessionId ?? null };
    if (typeof input.reason === 'string') detail.reason = input.reason.slice(0, 200);
    if (typeof input.operatorId === 'string') detail.operatorId = input.operatorId;
    if (typeof input.id === 'string') detail.id = input.id;
    if (typeof input.scope === 'string') detail.scope = input.scope;
    if (typeof input.terminalId === 'string') detail.terminalId = input.terminalId;
    if (typeof input.date === 'string') detail.date = input.date;
    if (typeof input.seq === 'string') detail.seq = input.seq;
    if (typeof input.residentId === 'string') detail.residentId = input.residentId.slice(0, 100);
    if (typeof input.from === 'string') detail.from = input.from;
    if (typeof input.to === 'string') detail.to = input.to;
    if (!result.ok) detail.code = result.code;
    const view = ADMIN_ROUTES[action].method === 'GET';
    this.d.record({ type: view ? 'admin.viewed' : 'admin.action', outcome: result.ok ? (view ? 'info' : 'success') : 'failure', operatorId: who.operatorId, detail });
    return result;
  }
}
