// Emergency stop (第35条): list, stop every terminal or one, clear (src/server/admin/emergency-stop.ts).
import type { FastifyInstance } from 'fastify';
import { AdminReasonRequestSchema, SetEmergencyStopRequestSchema } from '../../../shared/admin-api';
import { clearEmergencyStop, emergencyStopWire, setEmergencyStop } from '../../admin/emergency-stop';
import { toIso } from '../../clock';
import type { ServerDb } from '../../db/open';
import { listEmergencyStops, type EmergencyStopRow } from '../../store/emergency-stops';
import { getOperator } from '../../store/operators';
import type { RouteContext } from '../context';
import { adminOf, parseAdminBody, recordAdminView, viaOf } from './admin-auth';
import { ADMIN_SCHEMAS as S, ADMIN_SECURITY, READ_ERRORS, WRITE_ERRORS } from './admin-schemas';

function adminStop(db: ServerDb, row: EmergencyStopRow) {
  return {
    ...emergencyStopWire(db, row),
    byRole: getOperator(db, row.setBy)?.role ?? 'sysadmin',
    clearedAt: row.clearedAt === null ? null : toIso(row.clearedAt),
    clearedBy: row.clearedBy,
    clearReason: row.clearReason,
  };
}

export function registerEmergencyRoutes(scope: FastifyInstance, context: RouteContext): void {
  const { db, clock } = context;

  scope.get('/emergency-stops', {
    config: { adminAction: 'emergency-stop.view' },
    schema: { summary: 'Every emergency stop, newest first', tags: ['admin'], security: ADMIN_SECURITY, response: { 200: S.stops, ...READ_ERRORS } },
    handler: async (request) => {
      const stops = listEmergencyStops(db).map((row) => adminStop(db, row));
      recordAdminView(context, adminOf(request), 'emergency-stop.view', { stops: stops.length });
      return { stops };
    },
  });

  scope.post('/emergency-stops', {
    config: { adminAction: 'emergency-stop.set' },
    schema: {
      summary: 'Stop every terminal (scope all) or one (scope terminal): they lock at their next contact until cleared',
      tags: ['admin'],
      security: ADMIN_SECURITY,
      body: S.setStop,
      response: { 200: S.stop, ...WRITE_ERRORS },
    },
    handler: async (request) => {
      const body = parseAdminBody(SetEmergencyStopRequestSchema, request.body);
      const admin = adminOf(request);
      const row = setEmergencyStop(db, {
        scope: body.scope,
        ...(body.terminalId === undefined ? {} : { terminalId: body.terminalId }),
        reason: body.reason,
        by: admin.operator.id,
        via: viaOf(admin),
        clock,
      });
      return { stop: adminStop(db, row) };
    },
  });

  scope.post('/emergency-stops/:stopId/clear', {
    config: { adminAction: 'emergency-stop.clear' },
    schema: {
      summary: 'Clear an emergency stop, with the reason',
      tags: ['admin'],
      security: ADMIN_SECURITY,
      params: S.stopParams,
      body: S.reason,
      response: { 200: S.stop, ...WRITE_ERRORS },
    },
    handler: async (request) => {
      const { stopId } = request.params as { stopId: string };
      const { reason } = parseAdminBody(AdminReasonRequestSchema, request.body);
      const admin = adminOf(request);
      const row = clearEmergencyStop(db, { id: stopId, reason, by: admin.operator.id, via: viaOf(admin), clock });
      return { stop: adminStop(db, row) };
    },
  });
}
