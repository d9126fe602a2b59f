// Exceptions to the operating hours (第23条 原則として): list, approve, withdraw (src/server/admin/calendar-exceptions.ts).
import type { FastifyInstance } from 'fastify';
import { AdminReasonRequestSchema, ApproveExceptionRequestSchema } from '../../../shared/admin-api';
import { approveCalendarException, listCalendarExceptionsForAdmin, withdrawCalendarException } from '../../admin/calendar-exceptions';
import { toIso } from '../../clock';
import type { RouteContext } from '../context';
import { adminOf, parseAdminBody, recordAdminView, viaOf } from './admin-auth';
import { ADMIN_SCHEMAS as S, ADMIN_SECURITY, READ_ERRORS, WRITE_ERRORS } from './admin-schemas';

export function registerCalendarRoutes(scope: FastifyInstance, context: RouteContext): void {
  const { db, clock } = context;

  scope.get('/calendar-exceptions', {
    config: { adminAction: 'calendar.view' },
    schema: { summary: 'Every stored calendar exception', tags: ['admin'], security: ADMIN_SECURITY, response: { 200: S.exceptions, ...READ_ERRORS } },
    handler: async (request) => {
      const exceptions = listCalendarExceptionsForAdmin(db).map(({ row, problems }) => ({
        id: row.id,
        date: row.date,
        opensAt: row.opensAt,
        closesAt: row.closesAt,
        reason: row.reason,
        approvedBy: row.approvedBy,
        approvedAt: toIso(row.createdAt),
        problems,
      }));
      recordAdminView(context, adminOf(request), 'calendar.view', { exceptions: exceptions.length });
      return { exceptions };
    },
  });

  scope.post('/calendar-exceptions', {
    config: { adminAction: 'calendar.approve' },
    schema: {
      summary: 'Approve a special opening day or changed hours for one date (one per date; replace: true replaces)',
      tags: ['admin'],
      security: ADMIN_SECURITY,
      body: S.approveException,
      response: { 200: S.exception, ...WRITE_ERRORS },
    },
    handler: async (request) => {
      const body = parseAdminBody(ApproveExceptionRequestSchema, request.body);
      const admin = adminOf(request);
      const { exception } = approveCalendarException(db, {
        date: body.date,
        opensAt: body.opensAt,
        closesAt: body.closesAt,
        reason: body.reason,
        replace: body.replace ?? false,
        by: admin.operator.id,
        via: viaOf(admin),
        clock,
      });
      return { exception };
    },
  });

  scope.post('/calendar-exceptions/:exceptionId/withdraw', {
    config: { adminAction: 'calendar.withdraw' },
    schema: {
      summary: 'Withdraw a calendar exception, with the reason',
      tags: ['admin'],
      security: ADMIN_SECURITY,
      params: S.exceptionParams,
      body: S.reason,
      response: { 200: S.ok, ...WRITE_ERRORS },
    },
    handler: async (request) => {
      const { exceptionId } = request.params as { exceptionId: string };
      const { reason } = parseAdminBody(AdminReasonRequestSchema, request.body);
      const admin = adminOf(request);
      withdrawCalendarException(db, { id: exceptionId, reason, by: admin.operator.id, via: viaOf(admin), clock });
      return { ok: true as const };
    },
  });
}
