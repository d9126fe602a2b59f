// Spot checks of the operation log (issue 5): the explorer, one record with its chain status, "who
// looked at my record" and the card ledger. All read the query index (services/log-indexer.ts) and
// say how fresh it is; every look is itself recorded (admin-viewed, with the filters used).
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import * as api from '../../../shared/audit-api';
import { recordWithChain } from '../../audit/record-detail';
import { cardLedger } from '../../audit/card-ledger';
import {
  encodeCursor,
  parseCursor,
  parseEventType,
  parseLimit,
  parseOperatorId,
  parseOutcome,
  parsePeriod,
  parsePurposeCategory,
  parseResidentId,
  parseTerminalId,
} from '../../audit/audit-filters';
import { operatorNames } from '../../audit/index-rows';
import { explorerPage, type ExplorerFilter } from '../../audit/log-explorer';
import { residentAccesses, residentKnown } from '../../audit/resident-accesses';
import { toIso } from '../../clock';
import { ApiError } from '../../http/errors';
import { toJsonSchema } from '../../http/json-schema';
import { indexFreshness } from '../../services/log-indexer';
import type { RouteContext } from '../context';
import { adminOf, recordAdminView } from './admin-auth';
import { adminErrorResponses, ADMIN_SECURITY } from './admin-schemas';

const ERRORS = adminErrorResponses(400, 401, 403, 404, 500);

const SCHEMAS = {
  logQuery: toJsonSchema(api.AuditLogQuerySchema, 'input'),
  log: toJsonSchema(api.AuditLogResponseSchema, 'output', 'A page of operation-log records (newest first) and how fresh the index is'),
  recordParams: toJsonSchema(api.AuditRecordParamsSchema, 'input'),
  record: toJsonSchema(api.AuditLogRecordResponseSchema, 'output', 'The stored record with its chain status'),
  residentParams: toJsonSchema(z.object({ residentId: z.string().max(100) }).strict(), 'input'),
  accessesQuery: toJsonSchema(api.ResidentAccessesQuerySchema, 'input'),
  accesses: toJsonSchema(api.ResidentAccessesResponseSchema, 'output', 'Every access to the resident, newest first'),
  ledgerQuery: toJsonSchema(api.CardLedgerQuerySchema, 'input'),
  ledger: toJsonSchema(api.CardLedgerResponseSchema, 'output', 'Every lending of an operator card that started in the period'),
};

function freshness(context: RouteContext): z.infer<typeof api.AuditIndexFreshnessSchema> {
  const f = indexFreshness(context.db);
  return { complete: f.complete, terminals: f.terminals.map((t) => ({ ...t, indexedAt: t.indexedAt === null ? null : toIso(t.indexedAt) })) };
}

export function registerAuditRoutes(scope: FastifyInstance, context: RouteContext): void {
  const { db, policy } = context;

  scope.get('/log', {
    config: { adminAction: 'audit.log.view' },
    schema: {
      summary: 'Operation-log explorer: a period (required) and filters, newest first, keyset paging (cursor)',
      tags: ['admin'],
      security: ADMIN_SECURITY,
      querystring: SCHEMAS.logQuery,
      response: { 200: SCHEMAS.log, ...ERRORS },
    },
    handler: async (request) => {
      const q = request.query as api.AuditLogQuery;
      const filter: ExplorerFilter = { period: parsePeriod(q.from, q.to, policy.auditMaxSpanDays) };
      if (q.terminalId !== undefined) filter.terminalId = parseTerminalId(db, q.terminalId);
      if (q.operatorId !== undefined) filter.operatorId = parseOperatorId(db, q.operatorId);
      if (q.type !== undefined) filter.type = parseEventType(q.type);
      if (q.purposeCategory !== undefined) filter.purposeCategory = parsePurposeCategory(db, q.purposeCategory);
      if (q.outcome !== undefined) filter.outcome = parseOutcome(q.outcome);
      if (q.residentId !== undefined) filter.residentId = parseResidentId(q.residentId);
      const limit = parseLimit(q.limit);
      const cursor = parseCursor(q.cursor);
      const page = explorerPage(db, filter, limit, cursor);
      recordAdminView(context, adminOf(request), 'audit.log.view', {
        filters: { ...q, cursor: q.cursor === undefined ? undefined : 'next-page' },
        rows: page.rows.length,
      });
      return {
        rows: page.rows.map(({ id: _id, atMs: _atMs, ...row }) => row),
        nextCursor: page.next ? encodeCursor(page.next) : null,
        snapshot: { indexedRows: page.snapshot },
        index: freshness(context),
      };
    },
  });

  scope.get('/log/:terminalId/:seq', {
    config: { adminAction: 'audit.log.view' },
    schema: {
      summary: 'One stored operation-log record with its chain status (hash, link, signed checkpoint)',
      tags: ['admin'],
      security: ADMIN_SECURITY,
      params: SCHEMAS.recordParams,
      response: { 200: SCHEMAS.record, ...ERRORS },
    },
    handler: async (request) => {
      const { terminalId, seq } = request.params as { terminalId: string; seq: string };
      const found = recordWithChain(db, terminalId, Number(seq));
      if (!found) throw new ApiError(404, 'unknown-log-record', `端末「${terminalId}」の連番 ${seq} の記録は保存されていません（未受信か、保存期間を過ぎて削除されました）。`);
      const { record, chain } = found;
      recordAdminView(context, adminOf(request), 'audit.log.view', { record: { terminalId, seq: record.seq }, chain: { hashValid: chain.hashValid, linkValid: chain.linkValid } });
      const names = operatorNames(db, record.operatorId === null ? [] : [record.operatorId]);
      return {
        record: {
          terminalId: record.terminalId,
          seq: record.seq,
          prevHash: record.prevHash,
          hash: record.hash,
          at: record.at,
          clockOffsetMs: record.clockOffsetMs,
          type: record.type,
          outcome: record.outcome,
          operatorId: record.operatorId,
          operatorName: record.operatorId === null ? null : (names.get(record.operatorId) ?? null),
          cardKeyId: record.cardKeyId,
          detail: record.detail,
          receivedAt: toIso(record.receivedAt),
        },
        chain: { ...chain, checkpoint: chain.checkpoint && { id: chain.checkpoint.id, at: toIso(chain.checkpoint.at) } },
      };
    },
  });

  scope.get('/residents/:residentId/accesses', {
    config: { adminAction: 'audit.who-looked.view' },
    schema: {
      summary: '"Who looked at my record": every search that showed the resident, view, code reveal and print, over the whole retention',
      tags: ['admin'],
      security: ADMIN_SECURITY,
      params: SCHEMAS.residentParams,
      querystring: SCHEMAS.accessesQuery,
      response: { 200: SCHEMAS.accesses, ...ERRORS },
    },
    handler: async (request) => {
      const residentId = parseResidentId((request.params as { residentId: string }).residentId);
      const q = request.query as z.infer<typeof api.ResidentAccessesQuerySchema>;
      const limit = parseLimit(q.limit ?? String(api.AUDIT_PAGE_SIZE_MAX));
      const cursor = parseCursor(q.cursor);
      if (!residentKnown(db, residentId)) throw new ApiError(404, 'unknown-resident', `住民「${residentId}」は住民ディレクトリにも操作ログにもありません。`);
      const { accesses, next } = residentAccesses(db, residentId, limit, cursor);
      recordAdminView(context, adminOf(request), 'audit.who-looked.view', { residentId, accesses: accesses.length, page: cursor ? 'next' : 'first' });
      return {
        residentId,
        accesses: accesses.map((a) => ({
          at: a.at,
          kind: a.kind,
          type: a.type,
          outcome: a.outcome,
          terminalId: a.terminalId,
          seq: a.seq,
          operatorId: a.operatorId,
          operatorName: a.operatorName,
          purposeCategory: a.purposeCategory,
          purposeLabel: a.purposeLabel,
          hasCaseNumber: a.hasCaseNumber,
        })),
        nextCursor: next ? encodeCursor(next) : null,
        index: freshness(context),
      };
    },
  });

  scope.get('/card-ledger', {
    config: { adminAction: 'audit.card-ledger.view' },
    schema: {
      summary: 'Card ledger (第17条17項): every lending of an operator card that started in the period, open ones marked',
      tags: ['admin'],
      security: ADMIN_SECURITY,
      querystring: SCHEMAS.ledgerQuery,
      response: { 200: SCHEMAS.ledger, ...ERRORS },
    },
    handler: async (request) => {
      const q = request.query as z.infer<typeof api.CardLedgerQuerySchema>;
      const period = parsePeriod(q.from, q.to, policy.auditMaxSpanDays);
      const { lendings, truncated } = cardLedger(db, period);
      recordAdminView(context, adminOf(request), 'audit.card-ledger.view', { filters: q, lendings: lendings.length });
      return {
        from: toIso(period.fromMs),
        to: toIso(period.toMs),
        lendings: lendings.map(({ lent, returned, endedBy, returnConfirmed }) => ({
          terminalId: lent.terminalId,
          operatorId: lent.operatorId ?? '',
          operatorName: lent.operatorName,
          cardKeyId: lent.cardKeyId,
          lentAt: lent.at,
          lentSeq: lent.seq,
          returnedAt: returned?.at ?? null,
          returnedSeq: returned?.seq ?? null,
          endedBy,
          open: returned === null,
          returnConfirmed,
        })),
        truncated,
        index: freshness(context),
      };
    },
  });
}
