// JSON Schemas of the admin routes, all derived from src/shared/admin-api.ts and admin-session.ts.
import { z } from 'zod';
import * as api from '../../../shared/admin-api';
import { ADMIN_SESSION_HEADER, AdminChallengeResponseSchema, AdminSessionRequestSchema, AdminSessionResponseSchema } from '../../../shared/admin-session';
import { ErrorResponseSchema, OperatorIdSchema, PurposeCategoryIdSchema, TerminalIdSchema } from '../../../shared/server-api';
import { toJsonSchema, type JsonSchema } from '../../http/json-schema';

const ERROR_DESCRIPTIONS: Record<number, string> = {
  400: 'Invalid request: malformed JSON, wrong types, extra fields, or content the rules refuse (bad-reason, weak-password-hash, bad-certificate, invalid-exception, …)',
  401: 'terminal-unauthorized (missing, wrong or retired terminal credential); admin-session-required / -invalid / -expired / -ended (no usable admin session for this terminal)',
  403: 'admin-not-permitted (the role may not take this action: see the permission table); self-service; (sessions) admin-challenge-*, admin-card-*, admin-signature-invalid, admin-operator-*, admin-role-not-permitted',
  404: 'The operator, card, terminal, exception, category or stop named does not exist',
  409: 'The state does not allow it (already retired/revoked/cleared, exists already, one active card per person, not locked out, …)',
  413: 'Request body too large',
  415: 'Content-Type is not application/json',
  500: 'Internal error',
};

export function adminErrorResponses(...statuses: number[]): Record<number, JsonSchema> {
  return Object.fromEntries(statuses.map((status) => [status, toJsonSchema(ErrorResponseSchema, 'output', ERROR_DESCRIPTIONS[status] ?? 'Error')]));
}

/** Errors every gated read can answer; writes add 400, 404, 409, 413, 415. */
export const READ_ERRORS = adminErrorResponses(400, 401, 403, 500);
export const WRITE_ERRORS = adminErrorResponses(400, 401, 403, 404, 409, 413, 415, 500);

export const TERMINAL_ONLY_SECURITY = [{ terminal: [] }];
export const ADMIN_SECURITY = [{ terminal: [], adminSession: [] }];

export const ADMIN_SESSION_SECURITY_SCHEME = {
  type: 'apiKey',
  in: 'header',
  name: ADMIN_SESSION_HEADER,
  description: 'X-Admin-Session: <token> from POST /api/v1/admin/sessions (with Authorization: Terminal … of the same terminal)',
} as const;

const params = (shape: Record<string, z.ZodType>) => toJsonSchema(z.object(shape).strict(), 'input');

export const ADMIN_SCHEMAS = {
  operatorParams: params({ operatorId: OperatorIdSchema }),
  cardParams: params({ keyId: api.AdminCardSchema.shape.keyId }),
  terminalParams: params({ terminalId: TerminalIdSchema }),
  exceptionParams: params({ exceptionId: z.string().min(1).max(64) }),
  categoryParams: params({ categoryId: PurposeCategoryIdSchema }),
  stopParams: params({ stopId: z.string().min(1).max(64) }),
  reviewQuery: toJsonSchema(z.object({ unusedDays: z.string().regex(/^[1-9]\d{0,3}$/).optional() }).strict(), 'input'),

  challenge: toJsonSchema(AdminChallengeResponseSchema, 'output', 'A single-use challenge for this terminal, valid 60 s'),
  sessionRequest: toJsonSchema(AdminSessionRequestSchema, 'input'),
  session: toJsonSchema(AdminSessionResponseSchema, 'output', 'The admin session: send the token as X-Admin-Session (returned once)'),
  whoAmI: toJsonSchema(api.AdminWhoAmIResponseSchema, 'output', 'The admin session (its idle time moved on)'),
  ok: toJsonSchema(api.AdminOkResponseSchema, 'output', 'Done'),
  reason: toJsonSchema(api.AdminReasonRequestSchema, 'input'),

  roster: toJsonSchema(api.AdminRosterResponseSchema, 'output', 'Every operator (retired too) with role, cards, approver, approval period, last sign-in; never a password hash'),
  addOperator: toJsonSchema(api.AddOperatorRequestSchema, 'input'),
  changeOperator: toJsonSchema(api.ChangeOperatorRequestSchema, 'input'),
  operator: toJsonSchema(api.AdminOperatorResponseSchema, 'output', 'The operator as now on the roster'),
  review: toJsonSchema(api.PrivilegeReviewResponseSchema, 'output', 'Privilege review: every operator, flagged when unused for unusedDays'),

  cards: toJsonSchema(api.AdminCardListResponseSchema, 'output', 'Every card, revoked ones too'),
  issueCard: toJsonSchema(api.IssueCardRequestSchema, 'input'),
  revokeCard: toJsonSchema(api.RevokeCardRequestSchema, 'input'),
  card: toJsonSchema(api.AdminCardResponseSchema, 'output', 'The card as now stored'),

  temporaryPassword: toJsonSchema(api.TemporaryPasswordRequestSchema, 'input'),

  exceptions: toJsonSchema(api.AdminExceptionListResponseSchema, 'output', 'Every stored calendar exception, with the problems of the ones not sent'),
  approveException: toJsonSchema(api.ApproveExceptionRequestSchema, 'input'),
  exception: toJsonSchema(api.AdminExceptionResponseSchema, 'output', 'The approved exception'),

  categories: toJsonSchema(api.AdminPurposeCategoryListResponseSchema, 'output', 'Every search purpose category, retired ones too'),
  setCategory: toJsonSchema(api.SetPurposeCategoryRequestSchema, 'input'),
  category: toJsonSchema(api.AdminPurposeCategoryResponseSchema, 'output', 'The category after the change'),

  stops: toJsonSchema(api.AdminEmergencyStopListResponseSchema, 'output', 'Every emergency stop, newest first, cleared ones too'),
  setStop: toJsonSchema(api.SetEmergencyStopRequestSchema, 'input'),
  stop: toJsonSchema(api.AdminEmergencyStopResponseSchema, 'output', 'The stop'),

  terminals: toJsonSchema(api.AdminTerminalListResponseSchema, 'output', 'Every registered terminal with last contact, log position, app version, clock offset'),
  registerTerminal: toJsonSchema(api.RegisterTerminalRequestSchema, 'input'),
  credential: toJsonSchema(api.RegisterTerminalResponseSchema, 'output', 'The new terminal\'s credential — returned this once, keep it secret'),
};
