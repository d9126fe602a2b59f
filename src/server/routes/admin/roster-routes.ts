// The operator roster and the privilege review report (src/server/admin/operators.ts, roster-report.ts).
import type { FastifyInstance } from 'fastify';
import { AddOperatorRequestSchema, ChangeOperatorRequestSchema, AdminReasonRequestSchema } from '../../../shared/admin-api';
import { addOperator, changeOperator, retireOperator } from '../../admin/operators';
import { adminOperators, DEFAULT_UNUSED_DAYS, privilegeReview } from '../../admin/roster-report';
import { toIso } from '../../clock';
import { ApiError } from '../../http/errors';
import type { RouteContext } from '../context';
import { adminOf, parseAdminBody, recordAdminView, viaOf } from './admin-auth';
import { ADMIN_SCHEMAS as S, ADMIN_SECURITY, READ_ERRORS, WRITE_ERRORS } from './admin-schemas';

export function registerRosterRoutes(scope: FastifyInstance, context: RouteContext): void {
  const { db, clock, policy } = context;
  const operatorAnswer = (id: string) => {
    const operator = adminOperators(db, policy).find((op) => op.id === id);
    if (!operator) throw new ApiError(404, 'unknown-operator', '操作者が名簿に登録されていません。');
    return { operator };
  };

  scope.get('/operators', {
    config: { adminAction: 'roster.view' },
    schema: { summary: 'The operator roster (第17条9項)', tags: ['admin'], security: ADMIN_SECURITY, response: { 200: S.roster, ...READ_ERRORS } },
    handler: async (request) => {
      const operators = adminOperators(db, policy);
      recordAdminView(context, adminOf(request), 'roster.view', { operators: operators.length });
      return { generatedAt: toIso(clock.now()), operators };
    },
  });

  scope.post('/operators', {
    config: { adminAction: 'roster.add' },
    schema: {
      summary: 'Add an operator (approved by the session\'s system administrator) with a temporary password hash',
      tags: ['admin'],
      security: ADMIN_SECURITY,
      body: S.addOperator,
      response: { 200: S.operator, ...WRITE_ERRORS },
    },
    handler: async (request) => {
      const body = parseAdminBody(AddOperatorRequestSchema, request.body);
      const admin = adminOf(request);
      const added = addOperator(db, {
        id: body.id,
        name: body.name,
        kana: body.kana,
        role: body.role,
        since: Date.parse(body.since),
        until: body.until === null ? null : Date.parse(body.until),
        temporaryPasswordHash: body.temporaryPasswordHash,
        ...(body.residentId === undefined ? {} : { residentId: body.residentId }),
        reason: body.reason,
        by: admin.operator.id,
        via: viaOf(admin),
        clock,
      });
      return operatorAnswer(added.id);
    },
  });

  scope.patch('/operators/:operatorId', {
    config: { adminAction: 'roster.change' },
    schema: {
      summary: 'Change an operator\'s name, kana, role or until, with the reason',
      tags: ['admin'],
      security: ADMIN_SECURITY,
      params: S.operatorParams,
      body: S.changeOperator,
      response: { 200: S.operator, ...WRITE_ERRORS },
    },
    handler: async (request) => {
      const { operatorId } = request.params as { operatorId: string };
      const body = parseAdminBody(ChangeOperatorRequestSchema, request.body);
      const admin = adminOf(request);
      changeOperator(db, {
        operatorId,
        ...(body.name === undefined ? {} : { name: body.name }),
        ...(body.kana === undefined ? {} : { kana: body.kana }),
        ...(body.role === undefined ? {} : { role: body.role }),
        ...(body.until === undefined ? {} : { until: body.until === null ? null : Date.parse(body.until) }),
        ...(body.residentId === undefined ? {} : { residentId: body.residentId }),
        reason: body.reason,
        by: admin.operator.id,
        via: viaOf(admin),
        clock,
      });
      return operatorAnswer(operatorId);
    },
  });

  scope.post('/operators/:operatorId/retire', {
    config: { adminAction: 'roster.retire' },
    schema: {
      summary: 'Retire an operator (kept on the roster; every terminal refuses them from its next roster fetch)',
      tags: ['admin'],
      security: ADMIN_SECURITY,
      params: S.operatorParams,
      body: S.reason,
      response: { 200: S.operator, ...WRITE_ERRORS },
    },
    handler: async (request) => {
      const { operatorId } = request.params as { operatorId: string };
      const { reason } = parseAdminBody(AdminReasonRequestSchema, request.body);
      const admin = adminOf(request);
      retireOperator(db, { operatorId, reason, by: admin.operator.id, via: viaOf(admin), clock });
      return operatorAnswer(operatorId);
    },
  });

  scope.get('/privilege-review', {
    config: { adminAction: 'privilege-review.view' },
    schema: {
      summary: 'Privilege review report (第20条の2 2項): every operator, role, cards, last sign-in, approver; unused ones flagged',
      tags: ['admin'],
      security: ADMIN_SECURITY,
      querystring: S.reviewQuery,
      response: { 200: S.review, ...READ_ERRORS },
    },
    handler: async (request) => {
      const { unusedDays } = request.query as { unusedDays?: string };
      const days = unusedDays === undefined ? DEFAULT_UNUSED_DAYS : Number(unusedDays);
      const report = privilegeReview(db, policy, clock.now(), days);
      recordAdminView(context, adminOf(request), 'privilege-review.view', { unusedDays: days, operators: report.operators.length, unused: report.operators.filter((op) => op.unused).map((op) => op.id) });
      return report;
    },
  });
}
