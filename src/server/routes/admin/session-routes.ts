// Opening and ending an admin session (src/server/services/admin-session.ts).
import type { FastifyInstance } from 'fastify';
import { AdminSessionRequestSchema } from '../../../shared/admin-session';
import { permissionsOf } from '../../admin/permissions';
import { toIso } from '../../clock';
import { authenticatedTerminal } from '../../http/terminal-auth';
import { closeAdminSession, issueAdminChallenge, openAdminSession } from '../../services/admin-session';
import type { RouteContext } from '../context';
import { adminOf, parseAdminBody } from './admin-auth';
import { ADMIN_SCHEMAS as S, ADMIN_SECURITY, adminErrorResponses, READ_ERRORS, TERMINAL_ONLY_SECURITY } from './admin-schemas';

export function registerSessionRoutes(scope: FastifyInstance, context: RouteContext): void {
  const { db, clock } = context;

  scope.post('/challenges', {
    schema: {
      summary: 'A challenge for the admin card to sign (single use, 60 s, this terminal only)',
      tags: ['admin'],
      security: TERMINAL_ONLY_SECURITY,
      response: { 200: S.challenge, ...adminErrorResponses(401, 500) },
    },
    handler: async (request) => issueAdminChallenge(db, authenticatedTerminal(request.terminal).id, clock.now()),
  });

  scope.post('/sessions', {
    schema: {
      summary: 'Open an admin session with the operator card\'s signature over the challenge',
      description:
        'The card (PIV key 9E, ECC P-256) signs SHA-256 of adminSessionMessage(terminalId, challengeId, nonce) = UTF-8 ' +
        '"kumiyama-admin-session\\n<terminalId>\\n<challengeId>\\n" followed by the 32 nonce bytes (src/shared/admin-session.ts). ' +
        'Only an active manager or sysadmin, inside since–until, not locked out, with that active card. Idle 15 min, at most 8 h.',
      tags: ['admin'],
      security: TERMINAL_ONLY_SECURITY,
      body: S.sessionRequest,
      response: { 200: S.session, ...adminErrorResponses(400, 401, 403, 413, 415, 500) },
    },
    handler: async (request) => {
      const body = parseAdminBody(AdminSessionRequestSchema, request.body);
      return openAdminSession(db, authenticatedTerminal(request.terminal).id, clock.now(), body);
    },
  });

  scope.get('/sessions/current', {
    config: { adminAction: 'session.view' },
    schema: { summary: 'The admin session of X-Admin-Session', tags: ['admin'], security: ADMIN_SECURITY, response: { 200: S.whoAmI, ...READ_ERRORS } },
    handler: async (request) => {
      const { session, operator } = adminOf(request);
      return {
        sessionId: session.id,
        operator: { id: operator.id, name: operator.name },
        role: session.role,
        terminalId: session.terminalId,
        expiresAt: toIso(session.expiresAt),
        idleExpiresAt: toIso(session.idleExpiresAt),
        permissions: permissionsOf(session.role),
      };
    },
  });

  scope.delete('/sessions/current', {
    config: { adminAction: 'session.view' },
    schema: { summary: 'End the admin session (sign-out)', tags: ['admin'], security: ADMIN_SECURITY, response: { 200: S.ok, ...READ_ERRORS } },
    handler: async (request) => {
      closeAdminSession(db, adminOf(request), clock.now());
      return { ok: true as const };
    },
  });
}
