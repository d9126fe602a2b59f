// Bodies and answers of the admin routes (/api/v1/admin/…, issue 6). Every admin route needs the
// terminal's credential AND an admin session (src/shared/admin-session.ts); which role may take
// which action is one table on the server (src/server/admin/permissions.ts, docs/server-api.md).
import { z } from 'zod';
import { AdminRoleSchema, Base64Schema } from './admin-session';
import {
  CalendarExceptionSchema,
  CardKeyIdSchema,
  EmergencyStopSchema,
  EmergencyStopScopeSchema,
  IsoTime,
  OperatorIdSchema,
  PasswordHashSchema,
  PurposeCategoryIdSchema,
  RoleSchema,
  TerminalCredentialSchema,
  TerminalIdSchema,
} from './server-api';

/** Why: one line, 1–200 characters, not only blanks. Every change an admin makes names it. */
export const AdminReasonSchema = z.string().regex(/^(?=[\s\S]*\S)[^\u0000-\u001f\u007f]{1,200}$/);
const NameSchema = z.string().regex(/^(?=[\s\S]*\S)[^\u0000-\u001f\u007f]{1,100}$/);
const KanaSchema = z.string().regex(/^[^\u0000-\u001f\u007f]{0,100}$/);

export const AdminReasonRequestSchema = z.object({ reason: AdminReasonSchema }).strict();
export type AdminReasonRequest = z.infer<typeof AdminReasonRequestSchema>;

// ---- roster (操作者名簿, 第17条6項・9項) ----

export const AdminCardSchema = z.object({
  keyId: CardKeyIdSchema,
  operatorId: OperatorIdSchema,
  status: z.enum(['active', 'revoked']),
  issuedAt: IsoTime,
  revokedAt: IsoTime.nullable(),
  revokedReason: z.string().max(300).nullable(),
});
export type AdminCard = z.infer<typeof AdminCardSchema>;

export const AdminOperatorSchema = z.object({
  id: OperatorIdSchema,
  name: z.string().max(100),
  kana: z.string().max(100),
  role: RoleSchema,
  status: z.enum(['active', 'retired']),
  approvedBy: z.string().max(100),
  since: IsoTime,
  until: IsoTime.nullable(),
  cards: z.array(AdminCardSchema).max(1000),
  /** The operator's own record in the resident directory (findings: self, household, same address); null: not linked. */
  residentId: z.string().max(40).nullable().optional(),
  /** Last successful sign-in the server was told of (null: none), and where. */
  lastSignInAt: IsoTime.nullable(),
  lastSignInTerminalId: TerminalIdSchema.nullable(),
  failedAttempts: z.number().int().min(0),
  lockedOut: z.boolean(),
  password: z.object({ setAt: IsoTime, temporary: z.boolean(), expiresAt: IsoTime, changeRequiredAt: IsoTime.nullable() }),
});
export type AdminOperator = z.infer<typeof AdminOperatorSchema>;

export const AdminRosterResponseSchema = z.object({ generatedAt: IsoTime, operators: z.array(AdminOperatorSchema).max(10_000) });
export type AdminRosterResponse = z.infer<typeof AdminRosterResponseSchema>;

export const AddOperatorRequestSchema = z
  .object({
    id: OperatorIdSchema,
    name: NameSchema,
    kana: KanaSchema,
    role: RoleSchema,
    since: IsoTime,
    until: IsoTime.nullable(),
    /** scrypt hash of the initial password, made on the admin's terminal; changed at first sign-in. Never the password. */
    temporaryPasswordHash: PasswordHashSchema,
    reason: AdminReasonSchema,
    /** The operator's own record in the resident directory (optional; null: none). */
    residentId: z.string().regex(/^[A-Za-z0-9-]{1,40}$/).nullable().optional(),
  })
  .strict();
export type AddOperatorRequest = z.infer<typeof AddOperatorRequestSchema>;

export const ChangeOperatorRequestSchema = z
  .object({
    name: NameSchema.optional(),
    kana: KanaSchema.optional(),
    role: RoleSchema.optional(),
    until: IsoTime.nullable().optional(),
    /** undefined: unchanged; null: unlink. */
    residentId: z.string().regex(/^[A-Za-z0-9-]{1,40}$/).nullable().optional(),
    reason: AdminReasonSchema,
  })
  .strict();
export type ChangeOperatorRequest = z.infer<typeof ChangeOperatorRequestSchema>;

export const AdminOperatorResponseSchema = z.object({ operator: AdminOperatorSchema });

// ---- privilege review (第20条の2 2項) ----

export const PrivilegeReviewEntrySchema = AdminOperatorSchema.extend({
  /** Whole days since the last sign-in (since `since` when there was none); null for retired operators. */
  daysUnused: z.number().int().min(0).nullable(),
  /** Active, and no sign-in for at least unusedDays: review whether the privilege is still needed. */
  unused: z.boolean(),
});
export const PrivilegeReviewResponseSchema = z.object({
  generatedAt: IsoTime,
  unusedDays: z.number().int().min(1).max(3650),
  operators: z.array(PrivilegeReviewEntrySchema).max(10_000),
});
export type PrivilegeReviewResponse = z.infer<typeof PrivilegeReviewResponseSchema>;

// ---- cards (操作者用ICカード, 第17条) ----

export const IssueCardRequestSchema = z
  .object({
    operatorId: OperatorIdSchema,
    /** The card-authentication certificate read from the card (DER, base64); EC P-256. */
    certificate: Base64Schema(8192),
    reason: AdminReasonSchema,
  })
  .strict();
export type IssueCardRequest = z.infer<typeof IssueCardRequestSchema>;

export const CardRevocationReasonSchema = z.enum(['lost', 'stolen', 'broken', 'other']);
export const RevokeCardRequestSchema = z
  .object({
    reason: CardRevocationReasonSchema,
    /** Required for 'other'; otherwise optional details. */
    note: AdminReasonSchema.optional(),
  })
  .strict();
export type RevokeCardRequest = z.infer<typeof RevokeCardRequestSchema>;

export const AdminCardResponseSchema = z.object({ card: AdminCardSchema });
export const AdminCardListResponseSchema = z.object({ cards: z.array(AdminCardSchema).max(100_000) });

// ---- passwords (第18条, 第20条の2 3項) ----

export const TemporaryPasswordRequestSchema = z
  .object({
    /** scrypt hash made on the admin's terminal; the password is shown there once and never sent. */
    passwordHash: PasswordHashSchema,
    reason: AdminReasonSchema,
  })
  .strict();
export type TemporaryPasswordRequest = z.infer<typeof TemporaryPasswordRequestSchema>;

// ---- calendar exceptions (第23条) ----

export const ApproveExceptionRequestSchema = z
  .object({
    date: z.string().max(10),
    opensAt: z.string().max(5),
    closesAt: z.string().max(5),
    reason: AdminReasonSchema,
    /** Replace the exception already on that date instead of refusing. */
    replace: z.boolean().optional(),
  })
  .strict();
export type ApproveExceptionRequest = z.infer<typeof ApproveExceptionRequestSchema>;

export const AdminExceptionSchema = CalendarExceptionSchema.extend({
  approvedAt: IsoTime,
  /** Empty when terminals get it; otherwise why the roster leaves it out. */
  problems: z.array(z.string().max(300)).max(20),
});
export const AdminExceptionListResponseSchema = z.object({ exceptions: z.array(AdminExceptionSchema).max(100_000) });
export const AdminExceptionResponseSchema = z.object({ exception: CalendarExceptionSchema });

// ---- search purpose categories (第22条6項; the manager's) ----

export const SetPurposeCategoryRequestSchema = z
  .object({ id: PurposeCategoryIdSchema, label: z.string().max(200), needsCaseNumber: z.boolean(), reason: AdminReasonSchema.optional() })
  .strict();
export type SetPurposeCategoryRequest = z.infer<typeof SetPurposeCategoryRequestSchema>;
export const AdminPurposeCategorySchema = z.object({
  id: PurposeCategoryIdSchema,
  label: z.string().max(200),
  needsCaseNumber: z.boolean(),
  active: z.boolean(),
  sortOrder: z.number().int(),
  changedBy: z.string().max(64),
  changedAt: IsoTime,
});
export const AdminPurposeCategoryListResponseSchema = z.object({ categories: z.array(AdminPurposeCategorySchema).max(10_000) });
export const AdminPurposeCategoryResponseSchema = z.object({
  action: z.enum(['added', 'changed', 'reactivated', 'unchanged', 'retired']),
  category: AdminPurposeCategorySchema,
});

// ---- emergency stop (第35条) ----

export const AdminEmergencyStopSchema = EmergencyStopSchema.extend({
  byRole: RoleSchema,
  clearedAt: IsoTime.nullable(),
  clearedBy: OperatorIdSchema.nullable(),
  clearReason: z.string().max(200).nullable(),
});
export const SetEmergencyStopRequestSchema = z
  .object({ scope: EmergencyStopScopeSchema, terminalId: TerminalIdSchema.optional(), reason: AdminReasonSchema })
  .strict();
export type SetEmergencyStopRequest = z.infer<typeof SetEmergencyStopRequestSchema>;
export const AdminEmergencyStopResponseSchema = z.object({ stop: AdminEmergencyStopSchema });
export const AdminEmergencyStopListResponseSchema = z.object({ stops: z.array(AdminEmergencyStopSchema).max(100_000) });

// ---- terminals (業務端末) ----

export const AdminTerminalSchema = z.object({
  id: TerminalIdSchema,
  name: z.string().max(100),
  registeredAt: IsoTime,
  retiredAt: IsoTime.nullable(),
  lastContactAt: IsoTime.nullable(),
  /** From the optional X-App-Version header of the terminal's calls; null when it never sent one. */
  appVersion: z.string().max(40).nullable(),
  /** The operation log the server holds for it: last seq acknowledged, when that batch arrived, newest record time. */
  log: z.object({
    lastSeq: z.number().int().min(0),
    lastReceivedAt: IsoTime.nullable(),
    lastRecordAt: z.string().max(40).nullable(),
    /** clockOffsetMs of the newest stored record (the terminal's clock minus the trusted time), null when none. */
    clockOffsetMs: z.number().int().nullable(),
    /** What the terminal last said it still holds unsent (with its log-cursor requests), null before it ever did. */
    waiting: z.object({ count: z.number().int().min(0), oldestAt: IsoTime.nullable(), reportedAt: IsoTime }).nullable(),
  }),
  /** The emergency stop that applies to it now, if any. */
  emergencyStopId: z.string().max(64).nullable(),
});
export const AdminTerminalListResponseSchema = z.object({ generatedAt: IsoTime, terminals: z.array(AdminTerminalSchema).max(10_000) });

export const RegisterTerminalRequestSchema = z
  .object({
    id: TerminalIdSchema.optional(),
    name: z.string().max(200),
    /** The server URL written into the credential; defaults to the URL this request reached. */
    serverUrl: z.string().url().max(200).optional(),
    reason: AdminReasonSchema,
  })
  .strict();
export type RegisterTerminalRequest = z.infer<typeof RegisterTerminalRequestSchema>;
/** The credential is returned ONCE: the server keeps only SHA-256 of its secret. */
export const RegisterTerminalResponseSchema = z.object({ credential: TerminalCredentialSchema });

// ---- the admin session itself ----

export const AdminWhoAmIResponseSchema = z.object({
  sessionId: z.string().max(64),
  operator: z.object({ id: OperatorIdSchema, name: z.string().max(100) }),
  role: AdminRoleSchema,
  terminalId: TerminalIdSchema,
  expiresAt: IsoTime,
  idleExpiresAt: IsoTime,
  permissions: z.array(z.string().max(60)).max(100),
});

export const AdminOkResponseSchema = z.object({ ok: z.literal(true) });
