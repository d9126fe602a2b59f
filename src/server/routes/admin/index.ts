// The admin routes under /api/v1/admin (issue 6): every one needs the terminal's credential; all but
// the two that open a session need the admin session and the role the permission table gives.
import type { FastifyInstance } from 'fastify';
import { API_PREFIX } from '../../../shared/server-api';
import type { RouteContext } from '../context';
import { installAdminGate } from './admin-auth';
import { registerAuditRoutes } from './audit-routes';
import { registerCalendarRoutes } from './calendar-routes';
import { registerCardRoutes } from './card-routes';
import { registerEmergencyRoutes } from './emergency-routes';
import { registerFindingsRoutes } from './findings-routes';
import { registerPasswordRoutes } from './password-routes';
import { registerPurposeRoutes } from './purpose-routes';
import { registerRosterRoutes } from './roster-routes';
import { registerSessionRoutes } from './session-routes';
import { registerSpotCheckRoutes } from './spot-check-routes';
import { registerTerminalAdminRoutes } from './terminal-routes';

export const ADMIN_PREFIX = `${API_PREFIX}/admin`;

export async function registerAdminRoutes(app: FastifyInstance, context: RouteContext): Promise<void> {
  app.decorateRequest('admin', null);
  await app.register(
    async (scope) => {
      installAdminGate(scope, context);
      registerSessionRoutes(scope, context);
      registerRosterRoutes(scope, context);
      registerCardRoutes(scope, context);
      registerPasswordRoutes(scope, context);
      registerCalendarRoutes(scope, context);
      registerPurposeRoutes(scope, context);
      registerEmergencyRoutes(scope, context);
      registerTerminalAdminRoutes(scope, context);
      registerAuditRoutes(scope, context);
      registerFindingsRoutes(scope, context);
      registerSpotCheckRoutes(scope, context);
    },
    { prefix: ADMIN_PREFIX },
  );
}
