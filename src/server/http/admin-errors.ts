// A refused administrative action (AdminError, shared with the CLI) as an HTTP answer: the stable code,
// the Japanese message, and a status by kind of refusal.
import type { AdminError } from '../admin/admin-error';
import { ApiError } from './errors';

const NOT_FOUND = new Set(['unknown-operator', 'unknown-card', 'unknown-terminal', 'no-exception', 'unknown-purpose-category', 'unknown-emergency-stop']);
const FORBIDDEN = new Set(['unknown-admin', 'admin-retired', 'not-authorised', 'not-manager', 'not-permitted', 'self-service']);
const CONFLICT = new Set([
  'not-locked-out',
  'operator-retired',
  'operator-exists',
  'nothing-changed',
  'card-registered',
  'card-already-issued',
  'card-revoked',
  'change-already-required',
  'exception-exists',
  'duplicate-purpose-category-label',
  'too-many-purpose-categories',
  'purpose-category-retired',
  'last-purpose-category',
  'terminal-exists',
  'terminal-retired',
  'emergency-stop-cleared',
]);

export function adminErrorStatus(code: string): number {
  if (NOT_FOUND.has(code)) return 404;
  if (FORBIDDEN.has(code)) return 403;
  if (CONFLICT.has(code)) return 409;
  return 400;
}

/** The CLI's flags in a message mean the request's fields here. */
function forHttp(message: string): string {
  return message.replace(/--replace/g, 'replace').replace(/--by の /g, '実行者 ');
}

export function adminApiError(error: AdminError): ApiError {
  return new ApiError(adminErrorStatus(error.code), error.code, forHttp(error.japanese));
}
