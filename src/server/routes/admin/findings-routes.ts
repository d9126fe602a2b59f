// Spot-check findings (issue 5 items 1 and 3): the findings of a period over every terminal, the
// flagged records and the rules' configuration. Every look is recorded (admin-viewed), every change
// in server_events (src/server/audit/findings-admin.ts).
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { RULE_IDS, RULE_KIND, type RuleId } from '../../../domain/audit/types';
import { AuditIndexFreshnessSchema } from '../../../shared/audit-api';
import * as api from '../../../shared/findings-api';
import { parseOperatorId, parsePeriod } from '../../audit/audit-filters';
import { findingsForPeriod } from '../../audit/findings';
import { auditConfigView, checkAuditConfig, listResidentFlags, setAuditConfig, setResidentFlag, withdrawResidentFlag } from '../../audit/findings-admin';
import { findingRows } from '../../audit/findings-rows';
import { toIso } from '../../clock';
import { ApiError } from '../../http/errors';
import { toJsonSchema } from '../../http/json-schema';
import { indexFreshness } from '../../services/log-indexer';
import type { RouteContext } from '../context';
import { adminOf, parseAdminBody, recordAdminView, viaOf } from './admin-auth';
import { adminErrorResponses, ADMIN_SECURITY } from './admin-schemas';

const READ = adminErrorResponses(400, 401, 403, 404, 500);
const WRITE = adminErrorResponses(400, 401, 403, 404, 409, 413, 415, 500);

const SCHEMAS = {
  findingsQuery: toJsonSchema(api.FindingsQuerySchema, 'input'),
  findings: toJsonSchema(api.FindingsResponseSchema, 'output', 'The findings of the period (every terminal), each with its explanation and rows, and how fresh the index is'),
  flags: toJsonSchema(api.ResidentFlagsResponseSchema, 'output', 'Every flag, withdrawn ones too'),
  flag: toJsonSchema(api.ResidentFlagResponseSchema, 'output', 'The flag as stored'),
  setFlag: toJsonSchema(api.SetResidentFlagRequestSchema, 'input'),
  withdrawFlag: toJsonSchema(api.WithdrawResidentFlagRequestSchema, 'input'),
  flagParams: toJsonSchema(z.object({ flagId: z.string().max(200) }).strict(), 'input'),
  config: toJsonSchema(api.AuditConfigResponseSchema, 'output', 'The rules configuration in force, the stored changes and the defaults'),
  putConfig: toJsonSchema(api.PutAuditConfigRequestSchema, 'input'),
};

function freshness(context: RouteContext): z.infer<typeof AuditIndexFreshnessSchema> {
  const f = indexFreshness(context.db);
  return { complete: f.complete, terminals: f.terminals.map((t) => ({ ...t, indexedAt: t.indexedAt === null ? null : toIso(t.indexedAt) })) };
}

const shown = (v: string): string => {
  const clean = v.replace(/[\u0000-\u001f\u007f-\u009f]/g, '?');
  return clean.length > 40 ? `${clean.slice(0, 40)}…` : clean;
};

function parseRule(value: string): RuleId {
  if (!(RULE_IDS as readonly string[]).includes(value)) {
    throw new ApiError(400, 'bad-rule', `ルール（rule）「${shown(value)}」はありません。使えるルール: ${RULE_IDS.join('、')}。`);
  }
  return value as RuleId;
}

export function registerFindingsRoutes(scope: FastifyInstance, context: RouteContext): void {
  const { db, clock } = context;

  scope.get('/findings', {
    config: { adminAction: 'audit.findings.view' },
    schema: {
      summary: `Findings (anomaly rules) of a period over every terminal: from/to required, at most ${api.FINDINGS_MAX_SPAN_DAYS} days; optional rule and operatorId`,
      tags: ['admin'],
      security: ADMIN_SECURITY,
      querystring: SCHEMAS.findingsQuery,
      response: { 200: SCHEMAS.findings, ...READ },
    },
    handler: async (request) => {
      const q = request.query as api.FindingsQuery;
      const period = parsePeriod(q.from, q.to, api.FINDINGS_MAX_SPAN_DAYS);
      const rule = q.rule === undefined ? undefined : parseRule(q.rule);
      const operatorId = q.operatorId === undefined ? undefined : parseOperatorId(db, q.operatorId);
      const { findings, basis } = findingsForPeriod(db, period, { now: clock.now(), ...(rule ? { rule } : {}), ...(operatorId ? { operatorId } : {}) });
      const rows = findingRows(db, findings);
      const counts = { total: findings.length, high: 0, medium: 0, low: 0 };
      for (const f of findings) counts[f.severity] += 1;
      recordAdminView(context, adminOf(request), 'audit.findings.view', { filters: q, findings: counts });
      return {
        findings: findings.map((f) => ({
          id: f.id,
          rule: f.rule,
          ruleLabel: api.RULE_LABELS[f.rule],
          kind: RULE_KIND[f.rule],
          severity: f.severity,
          explanation: f.explanation,
          firstAt: f.firstAt,
          lastAt: f.lastAt,
          operatorIds: f.operatorIds,
          terminalIds: f.terminalIds,
          residentIds: f.residentIds,
          rows: f.rows.map((r) => rows.get(`${r.terminalId}#${r.seq}`) ?? { terminalId: r.terminalId, seq: r.seq, at: null, type: null, operatorId: null, operatorName: null }),
          rowCount: f.rowCount,
        })),
        counts,
        basis,
        index: freshness(context),
      };
    },
  });

  scope.get('/resident-flags', {
    config: { adminAction: 'audit.flags.view' },
    schema: { summary: 'Flagged records (support measures, public figures, …): every flag, withdrawn ones too', tags: ['admin'], security: ADMIN_SECURITY, response: { 200: SCHEMAS.flags, ...READ } },
    handler: async (request) => {
      const flags = listResidentFlags(db, clock.now());
      recordAdminView(context, adminOf(request), 'audit.flags.view', { flags: flags.length });
      return { flags };
    },
  });

  scope.post('/resident-flags', {
    config: { adminAction: 'audit.flags.set' },
    schema: {
      summary: 'Flag a record: any access to it from startedAt on is a finding (information-protection manager only)',
      tags: ['admin'],
      security: ADMIN_SECURITY,
      body: SCHEMAS.setFlag,
      response: { 200: SCHEMAS.flag, ...WRITE },
    },
    handler: async (request) => {
      const body = parseAdminBody(api.SetResidentFlagRequestSchema, request.body);
      const admin = adminOf(request);
      return { flag: setResidentFlag(db, body, { operatorId: admin.operator.id, via: viaOf(admin), clock }) };
    },
  });

  scope.post('/resident-flags/:flagId/withdraw', {
    config: { adminAction: 'audit.flags.withdraw' },
    schema: {
      summary: 'Withdraw a flag (kept, marked withdrawn; information-protection manager only)',
      tags: ['admin'],
      security: ADMIN_SECURITY,
      params: SCHEMAS.flagParams,
      body: SCHEMAS.withdrawFlag,
      response: { 200: SCHEMAS.flag, ...WRITE },
    },
    handler: async (request) => {
      const { flagId } = request.params as { flagId: string };
      const { reason } = parseAdminBody(api.WithdrawResidentFlagRequestSchema, request.body);
      const admin = adminOf(request);
      return { flag: withdrawResidentFlag(db, flagId, reason, { operatorId: admin.operator.id, via: viaOf(admin), clock }) };
    },
  });

  scope.get('/audit-config', {
    config: { adminAction: 'audit.config.view' },
    schema: { summary: 'The findings rules configuration (in force, stored changes, defaults)', tags: ['admin'], security: ADMIN_SECURITY, response: { 200: SCHEMAS.config, ...READ } },
    handler: async (request) => {
      const view = auditConfigView(db);
      recordAdminView(context, adminOf(request), 'audit.config.view', { changedAt: view.changedAt });
      return view;
    },
  });

  scope.put('/audit-config', {
    config: { adminAction: 'audit.config.set' },
    schema: {
      summary: 'Replace the stored changes of the findings rules (keys left out take their defaults; information-protection manager only)',
      tags: ['admin'],
      security: ADMIN_SECURITY,
      body: SCHEMAS.putConfig,
      response: { 200: SCHEMAS.config, ...WRITE },
    },
    handler: async (request) => {
      const body = parseAdminBody(api.PutAuditConfigRequestSchema, request.body);
      const overrides = checkAuditConfig(body.config);
      const admin = adminOf(request);
      setAuditConfig(db, overrides, body.reason, { operatorId: admin.operator.id, via: viaOf(admin), clock });
      return auditConfigView(db);
    },
  });
}
