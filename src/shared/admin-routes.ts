// The terminal's side of the admin routes (issue 6): for each action the admin console can take,
// what the renderer sends (validated by main, the renderer is untrusted), the HTTP route main calls
// with the terminal credential and the admin session, and the schema of the answer. Which role may
// take which action is the server's table (src/server/admin/permissions.ts); the session tells the
// terminal its holder's permissions so the console offers only those.
//
// Three actions are completed by main, not by the renderer: a new operator's and a reset temporary
// password are generated and hashed on main (the password is shown once; only its hash travels), and
// a card is issued from the certificate main reads off the card in the reader the console names.
import { z } from 'zod';
import {
  AdminCardListResponseSchema,
  AdminCardResponseSchema,
  AdminEmergencyStopListResponseSchema,
  AdminEmergencyStopResponseSchema,
  AdminExceptionListResponseSchema,
  AdminExceptionResponseSchema,
  AdminOkResponseSchema,
  AdminOperatorResponseSchema,
  AdminReasonRequestSchema,
  AdminReasonSchema,
  AdminRosterResponseSchema,
  AddOperatorRequestSchema,
  AdminTerminalListResponseSchema,
  ApproveExceptionRequestSchema,
  ChangeOperatorRequestSchema,
  PrivilegeReviewResponseSchema,
  RegisterTerminalRequestSchema,
  RegisterTerminalResponseSchema,
  RevokeCardRequestSchema,
  SetEmergencyStopRequestSchema,
} from './admin-api';
import { OperatorIdSchema } from './server-api';
import {
  AuditLogQuerySchema,
  AuditLogRecordResponseSchema,
  AuditLogResponseSchema,
  AuditRecordParamsSchema,
  CardLedgerQuerySchema,
  CardLedgerResponseSchema,
  ResidentAccessesQuerySchema,
  ResidentAccessesResponseSchema,
} from './audit-api';
import {
  AuditConfigPatchSchema,
  AuditConfigResponseSchema,
  FindingsQuerySchema,
  FindingsResponseSchema,
  ResidentFlagResponseSchema,
  ResidentFlagsResponseSchema,
  SetResidentFlagRequestSchema,
  WithdrawResidentFlagRequestSchema,
} from './findings-api';
import {
  AuditReportQuerySchema,
  ConfirmCardReturnRequestSchema,
  ConfirmCardReturnResponseSchema,
  DrawSampleRequestSchema,
  PdfReportResponseSchema,
  RecordVerdictRequestSchema,
  RecordVerdictResponseSchema,
  ResidentReportParamsSchema,
  SampleListResponseSchema,
  SampleResponseSchema,
} from './spot-check-api';

/** Path ids: operator ids, card key ids, stop / exception / terminal ids. */
export const AdminTargetSchema = z.string().regex(/^[A-Za-z0-9._:-]{1,64}$/);

/** What the renderer sends to add an operator: no password (main makes the temporary one). */
export const AddOperatorInputSchema = AddOperatorRequestSchema.omit({ temporaryPasswordHash: true });
/** What the renderer sends to issue a card: the reader holding the new card (main reads its certificate). */
export const IssueCardInputSchema = z.object({ operatorId: OperatorIdSchema, reader: z.string().min(1).max(200), reason: AdminReasonSchema }).strict();
export const PrivilegeReviewInputSchema = z.object({ unusedDays: z.number().int().min(1).max(3650).optional() }).strict();
const Empty = z.object({}).strict();
/** "Who looked at my record": the resident id travels in the input (the server checks its format with its own message). */
export const ResidentAccessesInputSchema = ResidentAccessesQuerySchema.extend({ residentId: z.string().min(1).max(100) }).strict();

/** What the console sends to change the rules' configuration: checked key by key on main too. */
export const SetAuditConfigInputSchema = z.object({ config: AuditConfigPatchSchema, reason: AdminReasonSchema }).strict();

export type AdminHttpMethod = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';

interface AdminRoute {
  method: AdminHttpMethod;
  /** Under /api/v1/admin; `:id` is replaced by the call's target, any other `:name` by the input's field `name` (not sent again in the query). */
  path: string;
  /** What the renderer may send. */
  input: z.ZodType;
  response: z.ZodType;
  /** Completed on main before sending (see the header). */
  main?: 'temporary-password' | 'new-operator' | 'read-card';
}

export const ADMIN_ROUTES = {
  'roster.view': { method: 'GET', path: '/operators', input: Empty, response: AdminRosterResponseSchema },
  'roster.add': { method: 'POST', path: '/operators', input: AddOperatorInputSchema, response: AdminOperatorResponseSchema, main: 'new-operator' },
  'roster.change': { method: 'PATCH', path: '/operators/:id', input: ChangeOperatorRequestSchema, response: AdminOperatorResponseSchema },
  'roster.retire': { method: 'POST', path: '/operators/:id/retire', input: AdminReasonRequestSchema, response: AdminOperatorResponseSchema },
  'privilege-review.view': { method: 'GET', path: '/privilege-review', input: PrivilegeReviewInputSchema, response: PrivilegeReviewResponseSchema },
  'cards.view': { method: 'GET', path: '/cards', input: Empty, response: AdminCardListResponseSchema },
  'cards.issue': { method: 'POST', path: '/cards', input: IssueCardInputSchema, response: AdminCardResponseSchema, main: 'read-card' },
  'cards.revoke': { method: 'POST', path: '/cards/:id/revoke', input: RevokeCardRequestSchema, response: AdminCardResponseSchema },
  'password.release-lockout': { method: 'POST', path: '/operators/:id/lockout-release', input: AdminReasonRequestSchema, response: AdminOkResponseSchema },
  'password.set-temporary': { method: 'POST', path: '/operators/:id/temporary-password', input: AdminReasonRequestSchema, response: AdminOkResponseSchema, main: 'temporary-password' },
  'password.require-change': { method: 'POST', path: '/operators/:id/password-change-required', input: AdminReasonRequestSchema, response: AdminOkResponseSchema },
  'calendar.view': { method: 'GET', path: '/calendar-exceptions', input: Empty, response: AdminExceptionListResponseSchema },
  'calendar.approve': { method: 'POST', path: '/calendar-exceptions', input: ApproveExceptionRequestSchema, response: AdminExceptionResponseSchema },
  'calendar.withdraw': { method: 'POST', path: '/calendar-exceptions/:id/withdraw', input: AdminReasonRequestSchema, response: AdminOkResponseSchema },
  'emergency-stop.view': { method: 'GET', path: '/emergency-stops', input: Empty, response: AdminEmergencyStopListResponseSchema },
  'emergency-stop.set': { method: 'POST', path: '/emergency-stops', input: SetEmergencyStopRequestSchema, response: AdminEmergencyStopResponseSchema },
  'emergency-stop.clear': { method: 'POST', path: '/emergency-stops/:id/clear', input: AdminReasonRequestSchema, response: AdminEmergencyStopResponseSchema },
  'terminals.view': { method: 'GET', path: '/terminals', input: Empty, response: AdminTerminalListResponseSchema },
  'terminals.register': { method: 'POST', path: '/terminals', input: RegisterTerminalRequestSchema, response: RegisterTerminalResponseSchema },
  'terminals.retire': { method: 'POST', path: '/terminals/:id/retire', input: AdminReasonRequestSchema, response: AdminOkResponseSchema },
  // Spot checks (issue 5).
  'audit.log.view': { method: 'GET', path: '/log', input: AuditLogQuerySchema, response: AuditLogResponseSchema },
  'audit.log.record': { method: 'GET', path: '/log/:terminalId/:seq', input: AuditRecordParamsSchema, response: AuditLogRecordResponseSchema },
  'audit.who-looked.view': { method: 'GET', path: '/residents/:residentId/accesses', input: ResidentAccessesInputSchema, response: ResidentAccessesResponseSchema },
  'audit.card-ledger.view': { method: 'GET', path: '/card-ledger', input: CardLedgerQuerySchema, response: CardLedgerResponseSchema },
  'audit.findings.view': { method: 'GET', path: '/findings', input: FindingsQuerySchema, response: FindingsResponseSchema },
  'audit.resident-flags.view': { method: 'GET', path: '/resident-flags', input: Empty, response: ResidentFlagsResponseSchema },
  'audit.resident-flags.set': { method: 'POST', path: '/resident-flags', input: SetResidentFlagRequestSchema, response: ResidentFlagResponseSchema },
  'audit.resident-flags.withdraw': { method: 'POST', path: '/resident-flags/:id/withdraw', input: WithdrawResidentFlagRequestSchema, response: ResidentFlagResponseSchema },
  'audit.config.view': { method: 'GET', path: '/audit-config', input: Empty, response: AuditConfigResponseSchema },
  // The whole set of changes against the defaults (keys left out go back to their defaults).
  'audit.config.set': { method: 'PUT', path: '/audit-config', input: SetAuditConfigInputSchema, response: AuditConfigResponseSchema },
  'audit.samples.view': { method: 'GET', path: '/samples', input: Empty, response: SampleListResponseSchema },
  'audit.samples.open': { method: 'GET', path: '/samples/:id', input: Empty, response: SampleResponseSchema },
  'audit.samples.draw': { method: 'POST', path: '/samples', input: DrawSampleRequestSchema, response: SampleResponseSchema },
  'audit.samples.verdict': { method: 'POST', path: '/samples/:id/verdicts', input: RecordVerdictRequestSchema, response: RecordVerdictResponseSchema },
  'audit.card-ledger.confirm-return': { method: 'POST', path: '/card-ledger/returns', input: ConfirmCardReturnRequestSchema, response: ConfirmCardReturnResponseSchema },
  'audit.reports.audit': { method: 'GET', path: '/reports/audit', input: AuditReportQuerySchema, response: PdfReportResponseSchema },
  'audit.reports.resident-accesses': { method: 'GET', path: '/reports/resident-accesses/:residentId', input: ResidentReportParamsSchema, response: PdfReportResponseSchema },
} as const satisfies Record<string, AdminRoute>;

export type AdminConsoleAction = keyof typeof ADMIN_ROUTES;
export const ADMIN_CONSOLE_ACTIONS = Object.keys(ADMIN_ROUTES) as AdminConsoleAction[];

export function isAdminConsoleAction(value: unknown): value is AdminConsoleAction {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(ADMIN_ROUTES, value);
}

/** Whether the route's path names a target (`:id`). */
export function needsTarget(action: AdminConsoleAction): boolean {
  return ADMIN_ROUTES[action].path.includes(':id');
}

/** The contract method's argument (renderer → main). `input` is checked against the action's schema on main. */
export const AdminCallSchema = z
  .object({
    action: z.string().max(60),
    target: AdminTargetSchema.optional(),
    input: z.unknown().optional(),
  })
  .strict();

/** The admin session as the console sees it. */
export interface AdminSessionView {
  operatorName: string;
  role: 'manager' | 'sysadmin';
  roleLabel: string;
  permissions: string[];
  expiresAt: string;
}

export type AdminCallResult =
  | {
      ok: true;
      /** The server's answer, parsed with the action's response schema. */
      data: unknown;
      /** A temporary password main generated (new operator, reset): shown once, never stored or logged. */
      temporaryPassword?: string;
    }
  | { ok: false; code: string; message: string };

export type AdminOpenResult = { ok: true; session: AdminSessionView } | { ok: false; code: string; message: string };
