// Registered terminals: list, register (the credential is answered once), retire (src/server/admin/register-terminal.ts).
import type { FastifyInstance } from 'fastify';
import { AdminReasonRequestSchema, RegisterTerminalRequestSchema } from '../../../shared/admin-api';
import { registerTerminal, retireTerminal } from '../../admin/register-terminal';
import { adminTerminals } from '../../admin/terminal-report';
import { toIso } from '../../clock';
import type { RouteContext } from '../context';
import { adminOf, parseAdminBody, recordAdminView, viaOf } from './admin-auth';
import { ADMIN_SCHEMAS as S, ADMIN_SECURITY, READ_ERRORS, WRITE_ERRORS } from './admin-schemas';

export function registerTerminalAdminRoutes(scope: FastifyInstance, context: RouteContext): void {
  const { db, clock } = context;

  scope.get('/terminals', {
    config: { adminAction: 'terminals.view' },
    schema: { summary: 'Every registered terminal: last contact, log position, app version, clock offset, stop', tags: ['admin'], security: ADMIN_SECURITY, response: { 200: S.terminals, ...READ_ERRORS } },
    handler: async (request) => {
      const terminals = adminTerminals(db);
      recordAdminView(context, adminOf(request), 'terminals.view', { terminals: terminals.length });
      return { generatedAt: toIso(clock.now()), terminals };
    },
  });

  scope.post('/terminals', {
    config: { adminAction: 'terminals.register' },
    schema: {
      summary: 'Register a terminal: its credential is in this answer only (the server keeps SHA-256 of the secret)',
      tags: ['admin'],
      security: ADMIN_SECURITY,
      body: S.registerTerminal,
      response: { 200: S.credential, ...WRITE_ERRORS },
    },
    handler: async (request) => {
      const body = parseAdminBody(RegisterTerminalRequestSchema, request.body);
      const admin = adminOf(request);
      const serverUrl = body.serverUrl ?? `${request.protocol}://${request.host}`;
      const credential = registerTerminal(db, {
        name: body.name,
        ...(body.id === undefined ? {} : { id: body.id }),
        serverUrl,
        clock,
        actor: { by: admin.operator.id, reason: body.reason, via: viaOf(admin) },
      });
      return { credential };
    },
  });

  scope.post('/terminals/:terminalId/retire', {
    config: { adminAction: 'terminals.retire' },
    schema: {
      summary: 'Retire a terminal: its credential stops working at once',
      tags: ['admin'],
      security: ADMIN_SECURITY,
      params: S.terminalParams,
      body: S.reason,
      response: { 200: S.ok, ...WRITE_ERRORS },
    },
    handler: async (request) => {
      const { terminalId } = request.params as { terminalId: string };
      const { reason } = parseAdminBody(AdminReasonRequestSchema, request.body);
      const admin = adminOf(request);
      retireTerminal(db, { terminalId, clock, actor: { by: admin.operator.id, reason, via: viaOf(admin) } });
      return { ok: true as const };
    },
  });
}
