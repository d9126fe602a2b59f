// The resident directory's change feed for registered terminals (inside the terminal routes'
// authenticated scope): GET /api/v1/residents/changes?after=&limit= with header X-Operator-Id.
// Contract: src/shared/resident-api.ts; rules: src/server/services/resident-feed.ts.
import type { FastifyInstance, FastifyReply } from 'fastify';
import { OPERATOR_HEADER, OperatorHeaderSchema, RESIDENT_CHANGES_PATH, ResidentChangesQuerySchema, MAX_RESIDENT_PAGE } from '../../shared/resident-api';
import { ApiError } from '../http/errors';
import { authenticatedTerminal } from '../http/terminal-auth';
import { serveResidentChanges } from '../services/resident-feed';
import type { RouteContext } from './context';
import { errorResponses, SCHEMAS, TERMINAL_SECURITY } from './schemas';

const QUERY_KEYS: ReadonlySet<string> = new Set(['after', 'limit']);
/** Plain decimal digits only: the contract's z.coerce would also take '', ' 5', '1e3' or '0x10'. */
const DIGITS = /^\d{1,16}$/;

export const BAD_QUERY_MESSAGE = `取得条件が正しくありません（after は0以上の整数、limit は1〜${MAX_RESIDENT_PAGE}の整数で指定してください）。`;
export const OPERATOR_REQUIRED_MESSAGE = '操作者ID（X-Operator-Id ヘッダー）がないか、形式が正しくありません。';

/**
 * The query as the feed takes it: only `after` and `limit`, each at most once, as plain digits,
 * then the contract's bounds (after ≥ 0, 1 ≤ limit ≤ MAX_RESIDENT_PAGE; defaults 0 and
 * MAX_RESIDENT_PAGE). Null when anything else is there.
 */
export function parseResidentChangesQuery(query: unknown): { after: number; limit: number } | null {
  const given: unknown = query ?? {};
  if (typeof given !== 'object' || given === null || Array.isArray(given)) return null;
  const raw: Record<string, string> = {};
  for (const [key, value] of Object.entries(given)) {
    if (!QUERY_KEYS.has(key) || typeof value !== 'string' || !DIGITS.test(value)) return null;
    raw[key] = value;
  }
  const parsed = ResidentChangesQuerySchema.safeParse(raw);
  return parsed.success ? parsed.data : null;
}

export async function registerResidentRoutes(scope: FastifyInstance, { db, clock }: RouteContext): Promise<void> {
  scope.get(RESIDENT_CHANGES_PATH, {
    schema: {
      summary: 'Resident directory change feed: the records changed after a version, for the terminal\'s replica',
      description:
        'Pages through the directory in version order; a record changed several times appears once, as its latest version. ' +
        'Start with after=0, continue with after=next until next reaches latest; a different epoch means the directory was rebuilt: ' +
        'rebuild the replica from after=0. A page holds at most limit records (≤ 5000) and stops early at about 8 MiB of JSON. ' +
        'X-Operator-Id names the operator signed in at the terminal: they must be on the roster, active (within since–until), ' +
        'hold an active card, not be locked out, and have the role operator or manager (第17条8項, 第22条); otherwise 403. ' +
        'Query: only after and limit, as plain decimal digits (400 otherwise). Every page served is recorded on the server.',
      tags: ['terminal', 'residents'],
      security: TERMINAL_SECURITY,
      querystring: SCHEMAS.residentChangesQuery,
      headers: SCHEMAS.residentChangesHeaders,
      response: { 200: SCHEMAS.residentChanges, ...errorResponses(400, 401, 403, 500) },
    },
    // The schemas above document the route (OpenAPI); the checks are these, against the zod contract
    // (ajv with coerceTypes off would refuse every query string).
    validatorCompiler: ({ httpPart }) => {
      if (httpPart === 'querystring') {
        return (query: unknown) => {
          const parsed = parseResidentChangesQuery(query);
          return parsed ? { value: parsed } : { error: new ApiError(400, 'invalid-request', BAD_QUERY_MESSAGE) };
        };
      }
      if (httpPart === 'headers') {
        return (headers: unknown) => {
          const value = (headers as Record<string, unknown> | null)?.[OPERATOR_HEADER];
          return OperatorHeaderSchema.safeParse(value).success ? true : { error: new ApiError(400, 'operator-required', OPERATOR_REQUIRED_MESSAGE) };
        };
      }
      return () => true;
    },
    handler: async (request, reply) => {
      const terminal = authenticatedTerminal(request.terminal);
      const { after, limit } = request.query as { after: number; limit: number };
      const operatorId = request.headers[OPERATOR_HEADER] as string;
      const answer = serveResidentChanges(db, { terminalId: terminal.id, operatorId, now: clock.now(), after, limit });
      // Ready JSON text (a ResidentChangesResponse): sent as it is, not serialised again.
      if (answer.json !== undefined) return (reply as FastifyReply).code(200).type('application/json; charset=utf-8').send(answer.json);
      return (reply as FastifyReply).code(answer.status).send(answer.body);
    },
  });
}
