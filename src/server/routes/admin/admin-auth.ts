// The gate of every admin route: the terminal's credential (401 terminal-unauthorized), then — for
// every route that names an action in its config — the admin session of X-Admin-Session for that
// terminal (401 admin-session-…), then the session holder's role against the permission table
// (403 admin-not-permitted, recorded as admin-action-refused). Runs onRequest: nothing of the body
// is read before the caller is known.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ADMIN_SESSION_HEADER } from '../../../shared/admin-session';
import type { AdminVia } from '../../admin/actor';
import { ROLE_LABELS } from '../../admin/authorize';
import { ADMIN_ACTION_LABELS, mayTake, type AdminAction } from '../../admin/permissions';
import { ApiError } from '../../http/errors';
import { requireTerminal } from '../../http/terminal-auth';
import { authenticateAdminSession, type AdminPrincipal } from '../../services/admin-session';
import { recordEvent } from '../../store/events';
import type { RouteContext } from '../context';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The admin action a route takes (permissions.ts); routes without one need only the terminal. */
    adminAction?: AdminAction;
  }
  interface FastifyRequest {
    /** The admin session's holder (set by the admin routes' onRequest hook). */
    admin: AdminPrincipal | null;
  }
}

export function installAdminGate(scope: FastifyInstance, { db, clock }: RouteContext): void {
  scope.addHook('onRequest', async (request) => {
    const terminal = requireTerminal(db, clock, request);
    request.terminal = terminal;
    const action = request.routeOptions.config.adminAction;
    if (action === undefined) return;
    const now = clock.now();
    const route = `${request.method} ${request.routeOptions.url ?? ''}`;
    const principal = authenticateAdminSession(db, request.headers[ADMIN_SESSION_HEADER], terminal.id, now, route);
    if (!mayTake(principal.operator.role, action)) {
      recordEvent(db, {
        at: now,
        terminalId: terminal.id,
        operatorId: principal.operator.id,
        kind: 'admin-action-refused',
        detail: { action, route, role: principal.operator.role, byName: principal.operator.name, sessionId: principal.session.id, reason: 'role' },
      });
      throw new ApiError(
        403,
        'admin-not-permitted',
        `${ROLE_LABELS[principal.operator.role]}には「${ADMIN_ACTION_LABELS[action]}」の権限がありません。`,
      );
    }
    request.admin = principal;
  });
}

/** The session holder of a gated route; a gated route reached without one is a bug. */
export function adminOf(request: FastifyRequest): AdminPrincipal {
  if (!request.admin) throw new Error('admin route reached without an admin session');
  return request.admin;
}

export function viaOf(principal: AdminPrincipal): AdminVia {
  return { terminalId: principal.session.terminalId, sessionId: principal.session.id };
}

/** Reading is recorded too (spot checks of who looked at what): kind admin-viewed. */
export function recordAdminView(context: RouteContext, principal: AdminPrincipal, action: AdminAction, detail: Record<string, unknown> = {}): void {
  recordEvent(context.db, {
    at: context.clock.now(),
    terminalId: principal.session.terminalId,
    operatorId: principal.operator.id,
    kind: 'admin-viewed',
    detail: { action, ...detail, by: principal.operator.id, byName: principal.operator.name, byRole: principal.operator.role, sessionId: principal.session.id },
  });
}

/** Double check with zod after ajv (the zod schema is the contract). */
export function parseAdminBody<T>(schema: { safeParse(value: unknown): { success: true; data: T } | { success: false } }, body: unknown): T {
  const parsed = schema.safeParse(body);
  if (!parsed.success) throw new ApiError(400, 'invalid-request', 'リクエストの内容が正しくありません。');
  return parsed.data;
}
