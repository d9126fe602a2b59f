// Routes for registered terminals, authenticated by `Authorization: Terminal <id>:<secret>`.
import type { FastifyInstance, FastifyReply } from 'fastify';
import {
  API_PREFIX,
  PasswordChangeRequestSchema,
  SignInAttemptRequestSchema,
} from '../../shared/server-api';
import { ApiError } from '../http/errors';
import { authenticatedTerminal, requireTerminal } from '../http/terminal-auth';
import type { Answer } from '../services/answers';
import { recordPasswordChange } from '../services/password-changes';
import { serveRoster } from '../services/roster';
import { recordSignInAttempt } from '../services/signin-attempts';
import type { Terminal } from '../store/terminals';
import type { RouteContext } from './context';
import { registerLogRoutes } from './log';
import { registerResidentRoutes } from './residents';
import { errorResponses, SCHEMAS, TERMINAL_SECURITY } from './schemas';

declare module 'fastify' {
  interface FastifyRequest {
    /** The authenticated terminal (set by the terminal routes' onRequest hook). */
    terminal: Terminal | null;
  }
}

/** Double check with zod after ajv: the zod schema is the contract. */
function parseBody<T>(schema: { safeParse(value: unknown): { success: true; data: T } | { success: false } }, body: unknown): T {
  const parsed = schema.safeParse(body);
  if (!parsed.success) throw new ApiError(400, 'invalid-request', 'リクエストの内容が正しくありません。');
  return parsed.data;
}

function sendAnswer(reply: FastifyReply, answer: Answer & { replayed: boolean }): FastifyReply {
  if (answer.replayed) reply.header('idempotent-replay', 'true');
  return reply.code(answer.status).send(answer.body);
}

export async function registerTerminalRoutes(app: FastifyInstance, context: RouteContext): Promise<void> {
  const { db, clock, policy } = context;
  app.decorateRequest('terminal', null);
  await app.register(
    async (scope) => {
      scope.addHook('onRequest', async (request) => {
        request.terminal = requireTerminal(db, clock, request);
      });

      scope.get('/roster', {
        schema: {
          summary: 'Operator roster for the terminal (第17条9項)',
          tags: ['terminal'],
          security: TERMINAL_SECURITY,
          response: { 200: SCHEMAS.roster, ...errorResponses(401, 500) },
        },
        handler: async (request) => {
          const terminal = authenticatedTerminal(request.terminal);
          return serveRoster(db, terminal, clock.now(), policy);
        },
      });

      scope.post('/signin-attempts', {
        schema: {
          summary: 'Report a sign-in attempt (success or wrong password); idempotent by requestId',
          tags: ['terminal'],
          security: TERMINAL_SECURITY,
          body: SCHEMAS.signInAttemptRequest,
          response: { 200: SCHEMAS.signInAttemptResponse, ...errorResponses(400, 401, 403, 404, 409, 413, 415, 500) },
        },
        handler: async (request, reply) => {
          const terminal = authenticatedTerminal(request.terminal);
          const body = parseBody(SignInAttemptRequestSchema, request.body);
          const answer = recordSignInAttempt(db, { terminalId: terminal.id, now: clock.now(), maxFailedAttempts: policy.maxFailedAttempts }, body);
          return sendAnswer(reply, answer);
        },
      });

      scope.post('/password-changes', {
        schema: {
          summary: 'Report a password change (hash only); idempotent by requestId',
          tags: ['terminal'],
          security: TERMINAL_SECURITY,
          body: SCHEMAS.passwordChangeRequest,
          response: { 200: SCHEMAS.passwordChangeResponse, ...errorResponses(400, 401, 403, 404, 409, 413, 415, 500) },
        },
        handler: async (request, reply) => {
          const terminal = authenticatedTerminal(request.terminal);
          const body = parseBody(PasswordChangeRequestSchema, request.body);
          const answer = recordPasswordChange(db, { terminalId: terminal.id, now: clock.now(), passwordExpiryDays: policy.passwordExpiryDays }, body);
          return sendAnswer(reply, answer);
        },
      });

      await registerLogRoutes(scope, context);
      await registerResidentRoutes(scope, context);
    },
    { prefix: API_PREFIX },
  );
}
