// Search purpose categories (第22条6項): the manager's list (src/server/admin/purpose-categories.ts).
import type { FastifyInstance } from 'fastify';
import { AdminReasonRequestSchema, SetPurposeCategoryRequestSchema } from '../../../shared/admin-api';
import { listPurposeCategoriesForAdmin, retirePurposeCategory, setPurposeCategory } from '../../admin/purpose-categories';
import { toIso } from '../../clock';
import type { PurposeCategoryRow } from '../../store/purpose-categories';
import type { RouteContext } from '../context';
import { adminOf, parseAdminBody, recordAdminView, viaOf } from './admin-auth';
import { ADMIN_SCHEMAS as S, ADMIN_SECURITY, READ_ERRORS, WRITE_ERRORS } from './admin-schemas';

function wire(row: PurposeCategoryRow) {
  return { ...row, changedAt: toIso(row.changedAt) };
}

export function registerPurposeRoutes(scope: FastifyInstance, context: RouteContext): void {
  const { db, clock } = context;

  scope.get('/purpose-categories', {
    config: { adminAction: 'purpose-categories.view' },
    schema: { summary: 'Every search purpose category, retired ones too', tags: ['admin'], security: ADMIN_SECURITY, response: { 200: S.categories, ...READ_ERRORS } },
    handler: async (request) => {
      const categories = listPurposeCategoriesForAdmin(db).map(({ row }) => wire(row));
      recordAdminView(context, adminOf(request), 'purpose-categories.view', { categories: categories.length });
      return { categories };
    },
  });

  scope.post('/purpose-categories', {
    config: { adminAction: 'purpose-categories.set' },
    schema: {
      summary: 'Add or change a search purpose category (information-protection manager only)',
      tags: ['admin'],
      security: ADMIN_SECURITY,
      body: S.setCategory,
      response: { 200: S.category, ...WRITE_ERRORS },
    },
    handler: async (request) => {
      const body = parseAdminBody(SetPurposeCategoryRequestSchema, request.body);
      const admin = adminOf(request);
      const { action, category } = setPurposeCategory(db, {
        id: body.id,
        label: body.label,
        needsCaseNumber: body.needsCaseNumber,
        ...(body.reason === undefined ? {} : { reason: body.reason }),
        by: admin.operator.id,
        via: viaOf(admin),
        clock,
      });
      return { action, category: wire(category) };
    },
  });

  scope.post('/purpose-categories/:categoryId/retire', {
    config: { adminAction: 'purpose-categories.retire' },
    schema: {
      summary: 'Retire a search purpose category (information-protection manager only)',
      tags: ['admin'],
      security: ADMIN_SECURITY,
      params: S.categoryParams,
      body: S.reason,
      response: { 200: S.category, ...WRITE_ERRORS },
    },
    handler: async (request) => {
      const { categoryId } = request.params as { categoryId: string };
      const { reason } = parseAdminBody(AdminReasonRequestSchema, request.body);
      const admin = adminOf(request);
      const { category } = retirePurposeCategory(db, { id: categoryId, reason, by: admin.operator.id, via: viaOf(admin), clock });
      return { action: 'retired' as const, category: wire(category) };
    },
  });
}
