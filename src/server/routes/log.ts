// Operation-log routes for registered terminals (inside the terminal routes' authenticated scope):
// POST /api/v1/log-batches, GET /api/v1/log-cursor. Protocol: docs/log-protocol.md.
import type { FastifyInstance, FastifyReply } from 'fastify';
import { LOG_BACKLOG_HEADER, LOG_BACKLOG_OLDEST_HEADER, LogBacklogReportSchema, MAX_BATCH_BYTES, type LogBatchRequest, type LogBatchResponse } from '../../shared/log-api';
import { reportLogBacklog } from '../store/terminals';
import { ApiError } from '../http/errors';
import { authenticatedTerminal } from '../http/terminal-auth';
import { bodyStrings, installLogBatchBodyParser } from '../http/log-batch-body';
import { checkLogBatch } from '../services/log-batch-schema';
import { ScannedLogBatch, scanLogBatch } from '../services/log-batch-scan';
import { ingestBatch, ingestLogBatch, logCursor } from '../services/log-ingest';
import type { RouteContext } from './context';
import { errorResponses, SCHEMAS, TERMINAL_SECURITY } from './schemas';

/** Request body limit of POST /log-batches (the other routes keep the server's 1 MiB). */
export const LOG_BATCH_BODY_LIMIT = MAX_BATCH_BYTES;

export async function registerLogRoutes(scope: FastifyInstance, { db, clock, logStored }: RouteContext): Promise<void> {
  // Its own scope: this route reads its body with its own parser (src/server/http/log-batch-body.ts):
  // first the fast reading of the form terminals send (src/server/services/log-batch-scan.ts: a batch
  // it returns is checked, chained and hashed already), else JSON and the check below.
  await scope.register(async (batchScope) => {
    installLogBatchBodyParser(batchScope, LOG_BATCH_BODY_LIMIT, (request, body) => (request.terminal ? scanLogBatch(body, request.terminal.id) : null));
    batchScope.post('/log-batches', {
      bodyLimit: LOG_BATCH_BODY_LIMIT,
      schema: {
        summary: 'Deliver operation-log records in order; they must continue this terminal\'s stored hash chain (docs/log-protocol.md)',
        description:
          'All new and valid → stored in one durable transaction, 200 { ackSeq, ackHash }. Records already stored with the same hash → ' +
          '200 with the current acknowledgement (nothing stored twice); an overlapping batch stores only its new part. A gap, a seq ' +
          'already stored with another hash, a broken link or a hash mismatch → 409 (log-gap, log-conflict, log-broken-link, ' +
          'log-hash-mismatch), another terminal\'s record → 403 log-wrong-terminal: nothing of the request is stored and an integrity ' +
          'alert is recorded. Body ≤ 8 MiB, ≤ 5000 records. Any JSON spelling is accepted; terminals send the wire form ' +
          '(each record as {"hash":…, then its canonical encoding\'s fields; no spaces), which the server reads fastest (docs/log-protocol.md).',
        tags: ['terminal', 'log'],
        security: TERMINAL_SECURITY,
        // Documents the body (OpenAPI); the validation is checkLogBatch below, not ajv.
        body: SCHEMAS.logBatchRequest,
        response: { 200: SCHEMAS.logBatchResponse, ...errorResponses(400, 401, 403, 409, 413, 415, 500) },
      },
      // The body is checked against the contract (LogBatchRequestSchema) by one hand-written pass proven
      // equal to zod (test/integration/server-log-contract.test.ts) instead of ajv: 5000 records per batch.
      validatorCompiler: () => (body: unknown) => {
        if (body instanceof ScannedLogBatch) return true;
        const check = checkLogBatch(body, bodyStrings(body));
        return check.ok ? true : { error: new ApiError(400, 'invalid-request', `リクエストの内容が正しくありません（${check.problem}）`) };
      },
      handler: async (request, reply) => {
        const terminal = authenticatedTerminal(request.terminal);
        const context = { terminalId: terminal.id, now: clock.now() };
        const body = request.body;
        const answer = body instanceof ScannedLogBatch ? ingestBatch(db, context, body) : ingestLogBatch(db, context, body as LogBatchRequest);
        if (answer.status === 200) logStored?.();
        return (reply as FastifyReply).code(answer.status).send(answer.body);
      },
    });
  });

  scope.get('/log-cursor', {
    schema: {
      summary: 'Where the server\'s copy of this terminal\'s log ends: resume sending after ackSeq',
      tags: ['terminal', 'log'],
      security: TERMINAL_SECURITY,
      response: { 200: SCHEMAS.logCursor, ...errorResponses(401, 500) },
    },
    handler: async (request): Promise<LogBatchResponse> => {
      const terminal = authenticatedTerminal(request.terminal);
      const backlog = reportedLogBacklog(request.headers[LOG_BACKLOG_HEADER], request.headers[LOG_BACKLOG_OLDEST_HEADER]);
      if (backlog) reportLogBacklog(db, terminal.id, backlog, clock.now());
      return logCursor(db, terminal.id);
    },
  });
}

/** The optional backlog headers of GET /log-cursor; anything malformed is ignored (the cursor is still answered). */
export function reportedLogBacklog(count: unknown, oldest: unknown): { count: number; oldestAt: number | null } | null {
  if (typeof count !== 'string' || !/^\d{1,10}$/.test(count)) return null;
  const parsed = LogBacklogReportSchema.safeParse({ backlog: Number(count), oldestPendingAt: typeof oldest === 'string' ? oldest : null });
  if (!parsed.success) return null;
  return { count: parsed.data.backlog, oldestAt: parsed.data.oldestPendingAt === null ? null : Date.parse(parsed.data.oldestPendingAt) };
}
