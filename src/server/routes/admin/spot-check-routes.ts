// Spot checks (issue 5 items 4–6): samples and verdicts, card return confirmations, the PDF reports.
// Every draw, verdict, confirmation and report is recorded in server_events; every look too.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import * as api from '../../../shared/spot-check-api';
import { parsePeriod, parseResidentId } from '../../audit/audit-filters';
import { confirmCardReturn } from '../../audit/card-returns';
import { findingsForPeriod } from '../../audit/findings';
import { residentKnown } from '../../audit/resident-accesses';
import { drawSpotCheckSample, getSample, listSamples, randomSeed, recordVerdict, type Actor } from '../../audit/samples';
import { ApiError } from '../../http/errors';
import { toJsonSchema } from '../../http/json-schema';
import { produceAuditReport, produceResidentAccessReport } from '../../reports/reports';
import type { RouteContext } from '../context';
import { adminOf, parseAdminBody, recordAdminView } from './admin-auth';
import { adminErrorResponses, ADMIN_SECURITY } from './admin-schemas';

const READ = adminErrorResponses(400, 401, 403, 404, 500, 503);
const WRITE = adminErrorResponses(400, 401, 403, 404, 409, 413, 415, 500);

const SCHEMAS = {
  draw: toJsonSchema(api.DrawSampleRequestSchema, 'input'),
  sample: toJsonSchema(api.SampleResponseSchema, 'output', 'The sample with its items, the findings that weighted them and the latest verdicts'),
  samples: toJsonSchema(api.SampleListResponseSchema, 'output', 'Every sample, newest first'),
  sampleParams: toJsonSchema(api.SampleParamsSchema, 'input'),
  verdict: toJsonSchema(api.RecordVerdictRequestSchema, 'input'),
  verdictDone: toJsonSchema(api.RecordVerdictResponseSchema, 'output', 'The item with its latest verdict'),
  confirmReturn: toJsonSchema(api.ConfirmCardReturnRequestSchema, 'input'),
  returnDone: toJsonSchema(api.ConfirmCardReturnResponseSchema, 'output', 'The confirmed return'),
  reportQuery: toJsonSchema(api.AuditReportQuerySchema, 'input'),
  residentParams: toJsonSchema(api.ResidentReportParamsSchema, 'input'),
  report: toJsonSchema(api.PdfReportResponseSchema, 'output', 'The PDF (base64) with its file name, page count and a summary'),
};

function actorOf(request: FastifyRequest): Actor {
  const admin = adminOf(request);
  return { id: admin.operator.id, name: admin.operator.name, role: admin.operator.role, terminalId: admin.session.terminalId, sessionId: admin.session.id };
}

function sampleIdOf(request: FastifyRequest): string {
  const { sampleId } = request.params as { sampleId: string };
  if (!api.SampleIdSchema.safeParse(sampleId).success) {
    throw new ApiError(400, 'bad-sample-id', '抜き取り点検のID（sampleId）の形式が正しくありません（例: smp-0123456789abcdef）。');
  }
  return sampleId;
}

function sampleResponse(context: RouteContext, sampleId: string): api.SampleResponse {
  const detail = getSample(context.db, sampleId);
  if (!detail) throw new ApiError(404, 'unknown-sample', `抜き取り点検「${sampleId}」はありません。`);
  const w = detail.weights;
  return {
    sample: detail.sample,
    method: {
      population: '期間内の住民検索（resident.search）。期間の指摘（所見）の根拠となった検索ほど重く、指摘のない検索も抽出されます（Efraimidis–Spirakis 法、シード付き）。',
      weights: { clean: w.clean, high: w.severity.high, medium: w.severity.medium, low: w.severity.low, max: w.max },
    },
    items: detail.items,
  };
}

export function registerSpotCheckRoutes(scope: FastifyInstance, context: RouteContext): void {
  const { db, clock } = context;

  scope.post('/samples', {
    config: { adminAction: 'audit.samples.draw' },
    schema: {
      summary: 'Draw a risk-weighted, seeded spot-check sample of the searches of a period (at most 93 days, 1–200 items)',
      tags: ['admin'],
      security: ADMIN_SECURITY,
      body: SCHEMAS.draw,
      response: { 200: SCHEMAS.sample, ...WRITE },
    },
    handler: async (request) => {
      const body = parseAdminBody(api.DrawSampleRequestSchema, request.body);
      const period = parsePeriod(body.from, body.to, api.SPOT_CHECK_MAX_SPAN_DAYS);
      const now = clock.now();
      const { findings } = findingsForPeriod(db, period, { now });
      const id = drawSpotCheckSample(db, { period, size: body.size, seed: body.seed ?? randomSeed(), findings, actor: actorOf(request), now });
      return sampleResponse(context, id);
    },
  });

  scope.get('/samples', {
    config: { adminAction: 'audit.samples.view' },
    schema: { summary: 'Every spot-check sample, newest first', tags: ['admin'], security: ADMIN_SECURITY, response: { 200: SCHEMAS.samples, ...READ } },
    handler: async (request) => {
      const samples = listSamples(db);
      recordAdminView(context, adminOf(request), 'audit.samples.view', { samples: samples.length });
      return { samples };
    },
  });

  scope.get('/samples/:sampleId', {
    config: { adminAction: 'audit.samples.view' },
    schema: {
      summary: 'One sample: its items (time, terminal, operator, purpose, case number given, the findings that weighted it, the latest verdict)',
      tags: ['admin'],
      security: ADMIN_SECURITY,
      params: SCHEMAS.sampleParams,
      response: { 200: SCHEMAS.sample, ...READ },
    },
    handler: async (request) => {
      const sampleId = sampleIdOf(request);
      const reply = sampleResponse(context, sampleId);
      recordAdminView(context, adminOf(request), 'audit.samples.view', { sampleId, items: reply.items.length });
      return reply;
    },
  });

  scope.post('/samples/:sampleId/verdicts', {
    config: { adminAction: 'audit.verdicts.record' },
    schema: {
      summary: 'Record a verdict (appropriate / needs-check / inappropriate; a comment for the latter two) on one item; a change is a new record',
      tags: ['admin'],
      security: ADMIN_SECURITY,
      params: SCHEMAS.sampleParams,
      body: SCHEMAS.verdict,
      response: { 200: SCHEMAS.verdictDone, ...WRITE },
    },
    handler: async (request) => {
      const sampleId = sampleIdOf(request);
      const body = parseAdminBody(api.RecordVerdictRequestSchema, request.body);
      recordVerdict(db, { sampleId, terminalId: body.terminalId, seq: body.seq, verdict: body.verdict, comment: body.comment ?? null, actor: actorOf(request), now: clock.now() });
      const item = getSample(db, sampleId)!.items.find((i) => i.terminalId === body.terminalId && i.seq === body.seq)!;
      return { item };
    },
  });

  scope.post('/card-ledger/returns', {
    config: { adminAction: 'audit.card-returns.confirm' },
    schema: {
      summary: "Confirm a card's physical return for one lending of the card ledger (第17条17項); once per lending",
      tags: ['admin'],
      security: ADMIN_SECURITY,
      body: SCHEMAS.confirmReturn,
      response: { 200: SCHEMAS.returnDone, ...WRITE },
    },
    handler: async (request) => {
      const body = parseAdminBody(api.ConfirmCardReturnRequestSchema, request.body);
      const done = confirmCardReturn(db, { terminalId: body.terminalId, lentSeq: body.lentSeq, note: body.note ?? null, actor: actorOf(request), now: clock.now() });
      return { terminalId: body.terminalId, lentSeq: body.lentSeq, ...done };
    },
  });

  scope.get('/reports/audit', {
    config: { adminAction: 'audit.reports.produce' },
    schema: {
      summary: 'The audit report of a period (at most 93 days) as a PDF: who checked what, samples and verdicts, findings, sign-in failures, card ledger, a chart of searches',
      tags: ['admin'],
      security: ADMIN_SECURITY,
      querystring: SCHEMAS.reportQuery,
      response: { 200: SCHEMAS.report, ...READ },
    },
    handler: async (request) => {
      const q = request.query as { from?: string; to?: string };
      const period = parsePeriod(q.from, q.to, api.SPOT_CHECK_MAX_SPAN_DAYS);
      return produceAuditReport(db, { period, actor: actorOf(request), now: clock.now() });
    },
  });

  scope.get('/reports/resident-accesses/:residentId', {
    config: { adminAction: 'audit.reports.produce' },
    schema: {
      summary: '"Who looked at my record" as a PDF for a resident\'s disclosure request: every access over the whole retention',
      tags: ['admin'],
      security: ADMIN_SECURITY,
      params: SCHEMAS.residentParams,
      response: { 200: SCHEMAS.report, ...READ },
    },
    handler: async (request) => {
      const residentId = parseResidentId((request.params as { residentId: string }).residentId);
      if (!residentKnown(db, residentId)) throw new ApiError(404, 'unknown-resident', `住民「${residentId}」は住民ディレクトリにも操作ログにもありません。`);
      return produceResidentAccessReport(db, { residentId, actor: actorOf(request), now: clock.now() });
    },
  });
}
