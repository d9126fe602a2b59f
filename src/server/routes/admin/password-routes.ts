// Passwords and lockouts (第18条, 第20条の2 3項): release a lockout, set a temporary password (its hash
// only), force a change. Never a password on the wire or in a log.
import type { FastifyInstance } from 'fastify';
import { AdminReasonRequestSchema, TemporaryPasswordRequestSchema } from '../../../shared/admin-api';
import { forcePasswordChange } from '../../admin/force-password-change';
import { releaseLockout } from '../../admin/release-lockout';
import { setTemporaryPasswordHash } from '../../admin/temporary-password';
import type { RouteContext } from '../context';
import { adminOf, parseAdminBody, viaOf } from './admin-auth';
import { ADMIN_SCHEMAS as S, ADMIN_SECURITY, WRITE_ERRORS } from './admin-schemas';

export function registerPasswordRoutes(scope: FastifyInstance, context: RouteContext): void {
  const { db, clock } = context;
  const common = { tags: ['admin'], security: ADMIN_SECURITY, params: S.operatorParams, response: { 200: S.ok, ...WRITE_ERRORS } };

  scope.post('/operators/:operatorId/lockout-release', {
    config: { adminAction: 'password.release-lockout' },
    schema: { ...common, summary: 'Release a lockout (3 wrong passwords, 第18条1項(3))', body: S.reason },
    handler: async (request) => {
      const { operatorId } = request.params as { operatorId: string };
      const { reason } = parseAdminBody(AdminReasonRequestSchema, request.body);
      const admin = adminOf(request);
      releaseLockout(db, { operatorId, reason, by: admin.operator.id, via: viaOf(admin), clock });
      return { ok: true as const };
    },
  });

  scope.post('/operators/:operatorId/temporary-password', {
    config: { adminAction: 'password.set-temporary' },
    schema: {
      ...common,
      summary: 'Set a temporary password, given as its scrypt hash (changed at first sign-in); does not release a lockout',
      body: S.temporaryPassword,
    },
    handler: async (request) => {
      const { operatorId } = request.params as { operatorId: string };
      const body = parseAdminBody(TemporaryPasswordRequestSchema, request.body);
      const admin = adminOf(request);
      setTemporaryPasswordHash(db, { operatorId, hash: body.passwordHash, reason: body.reason, by: admin.operator.id, via: viaOf(admin), clock });
      return { ok: true as const };
    },
  });

  scope.post('/operators/:operatorId/password-change-required', {
    config: { adminAction: 'password.require-change' },
    schema: { ...common, summary: 'Force a password change at the next sign-in (the password expires now)', body: S.reason },
    handler: async (request) => {
      const { operatorId } = request.params as { operatorId: string };
      const { reason } = parseAdminBody(AdminReasonRequestSchema, request.body);
      const admin = adminOf(request);
      forcePasswordChange(db, { operatorId, reason, by: admin.operator.id, via: viaOf(admin), clock });
      return { ok: true as const };
    },
  });
}
