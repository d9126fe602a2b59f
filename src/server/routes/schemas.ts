// Route schemas, all derived from src/shared/server-api.ts.
import {
  ErrorResponseSchema,
  HealthResponseSchema,
  PasswordChangeRequestSchema,
  PasswordChangeResponseSchema,
  RosterResponseSchema,
  SignInAttemptRequestSchema,
  SignInAttemptResponseSchema,
  TimeResponseSchema,
} from '../../shared/server-api';
import { LogBatchRequestSchema, LogBatchResponseSchema, LogCursorResponseSchema } from '../../shared/log-api';
import { OPERATOR_HEADER, OperatorHeaderSchema, ResidentChangesQuerySchema, ResidentChangesResponseSchema } from '../../shared/resident-api';
import { toJsonSchema, type JsonSchema } from '../http/json-schema';

const ERROR_DESCRIPTIONS: Record<number, string> = {
  400: 'Invalid request (malformed JSON, wrong types, extra fields, weak password hash; residents/changes: bad query, operator-required)',
  401: 'Terminal authentication failed (missing, malformed, unknown, wrong or retired credential)',
  403:
    'The card is unknown, revoked or lent to another operator; (log-batches) log-wrong-terminal: a record of another terminal; ' +
    '(residents/changes) the operator may not receive resident data: operator-unknown, operator-inactive, operator-not-permitted, operator-without-card, operator-locked-out',
  404: 'Unknown operator',
  409: 'Refused: operator retired, operator locked out, or request id reused with other content; (log-batches) log-gap, log-conflict, log-broken-link, log-hash-mismatch: nothing stored, integrity alert recorded',
  413: 'Request body too large',
  415: 'Content-Type is not application/json',
  500: 'Internal error',
};

export function errorResponses(...statuses: number[]): Record<number, JsonSchema> {
  return Object.fromEntries(statuses.map((status) => [status, toJsonSchema(ErrorResponseSchema, 'output', ERROR_DESCRIPTIONS[status] ?? 'Error')]));
}

export const TERMINAL_SECURITY = [{ terminal: [] }];

export const SCHEMAS = {
  health: toJsonSchema(HealthResponseSchema, 'output', 'The server is up'),
  time: toJsonSchema(TimeResponseSchema, 'output', 'The server time'),
  roster: toJsonSchema(RosterResponseSchema, 'output', 'The operator roster (第17条9項) with cards, password info and policy'),
  signInAttemptRequest: toJsonSchema(SignInAttemptRequestSchema, 'input'),
  signInAttemptResponse: toJsonSchema(SignInAttemptResponseSchema, 'output', 'The attempt was counted; the authoritative counter and lockout state'),
  passwordChangeRequest: toJsonSchema(PasswordChangeRequestSchema, 'input'),
  passwordChangeResponse: toJsonSchema(PasswordChangeResponseSchema, 'output', 'The new password hash is stored'),
  logBatchRequest: toJsonSchema(LogBatchRequestSchema, 'input'),
  logBatchResponse: toJsonSchema(LogBatchResponseSchema, 'output', 'Every record of this terminal up to ackSeq is stored (durably), chained to ackHash'),
  logCursor: toJsonSchema(LogCursorResponseSchema, 'output', 'The end of this terminal\'s stored log (0 and the genesis hash when nothing is stored): resume after ackSeq'),
  residentChangesQuery: toJsonSchema(ResidentChangesQuerySchema, 'input'),
  residentChangesHeaders: {
    type: 'object',
    properties: {
      [OPERATOR_HEADER]: toJsonSchema(OperatorHeaderSchema, 'input', 'The operator signed in at the terminal, on whose behalf the data is fetched'),
    },
    required: [OPERATOR_HEADER],
  },
  residentChanges: toJsonSchema(
    ResidentChangesResponseSchema,
    'output',
    'Records changed after `after`, in version order (each once, as its latest); next = the last version in the page (after when empty); the replica is current when next reaches latest',
  ),
};
