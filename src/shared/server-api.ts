// The wire contract between a terminal and the central server (HTTP/JSON under /api/v1).
// One definition serves both sides: the server turns these zod schemas into JSON Schema for
// request validation and /openapi.json; the terminal parses every response with them.
import { z } from 'zod';

export const API_PREFIX = '/api/v1';

/** Roles from the operation rules (第2–5条, 第16–17条). */
export const RoleSchema = z.enum(['operator', 'manager', 'sysadmin']);
export type Role = z.infer<typeof RoleSchema>;

export const IsoTime = z.string().datetime({ offset: true }).max(40);

/** scrypt$N$r$p$saltBase64$hashBase64 — see src/node/password/scrypt.ts. */
export const PasswordHashSchema = z
  .string()
  .max(300)
  .regex(/^scrypt\$\d{4,7}\$\d{1,2}\$\d{1,2}\$[A-Za-z0-9+/=]{16,64}\$[A-Za-z0-9+/=]{32,128}$/);

export const CardKeyIdSchema = z.string().regex(/^[0-9a-f]{64}$/, 'SHA-256 of the card key (hex)');
export const OperatorIdSchema = z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/);
export const TerminalIdSchema = z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/);
export const RequestIdSchema = z.string().uuid();

export const RosterCardSchema = z.object({
  keyId: CardKeyIdSchema,
  status: z.enum(['active', 'revoked']),
  issuedAt: IsoTime,
  revokedAt: IsoTime.nullable(),
});

export const RosterOperatorSchema = z.object({
  id: OperatorIdSchema,
  name: z.string().min(1).max(100),
  kana: z.string().max(100),
  role: RoleSchema,
  approvedBy: z.string().max(100),
  since: IsoTime,
  until: IsoTime.nullable(),
  status: z.enum(['active', 'retired']),
  cards: z.array(RosterCardSchema).max(20),
  password: z.object({
    hash: PasswordHashSchema,
    setAt: IsoTime,
    temporary: z.boolean(),
    expiresAt: IsoTime,
    /**
     * Set when an authorised person forced a change (issue 6): the password must be changed at the
     * next sign-in. expiresAt is then this time at the latest, so a terminal that does not know the
     * field treats the password as expired. Optional: older servers and cached rosters lack it.
     */
    changeRequiredAt: IsoTime.nullable().optional(),
  }),
  failedAttempts: z.number().int().min(0).max(1000),
  lockedOut: z.boolean(),
});
export type RosterOperator = z.infer<typeof RosterOperatorSchema>;

/** A calendar exception approved by an authorised person (第23条 "原則として"). */
export const CalendarExceptionSchema = z.object({
  id: z.string().max(64),
  date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
  opensAt: z.string().regex(/^\d{2}:\d{2}$/),
  closesAt: z.string().regex(/^\d{2}:\d{2}$/),
  reason: z.string().min(1).max(200),
  approvedBy: z.string().min(1).max(100),
});
export type CalendarExceptionWire = z.infer<typeof CalendarExceptionSchema>;

/** Id of a search purpose category: kept for good once used (old log records name it). */
export const PurposeCategoryIdSchema = z.string().regex(/^[a-z0-9][a-z0-9-]{0,39}$/);

/**
 * A category of the search purpose (第22条6項), from the list the information-protection manager
 * maintains on the server (`set-purpose-category` / `retire-purpose-category`). The roster carries
 * the active ones in the manager's order. Same shape as the domain's `PurposeCategory`.
 */
export const PurposeCategorySchema = z.object({
  id: PurposeCategoryIdSchema,
  label: z.string().min(1).max(60),
  needsCaseNumber: z.boolean(),
});
export type PurposeCategoryWire = z.infer<typeof PurposeCategorySchema>;

export const EmergencyStopScopeSchema = z.enum(['all', 'terminal']);

/**
 * An emergency stop (第35条, issue 6) set by an authorised person: the terminal locks at its next
 * contact and lets nobody sign in until it is cleared. The roster carries the stop that applies to
 * the terminal fetching it (every terminal, or that one).
 */
export const EmergencyStopSchema = z.object({
  id: z.string().max(64),
  scope: EmergencyStopScopeSchema,
  /** The stopped terminal (scope 'terminal'); null for every terminal. */
  terminalId: TerminalIdSchema.nullable(),
  reason: z.string().max(200),
  by: OperatorIdSchema,
  byName: z.string().max(100),
  at: IsoTime,
});
export type EmergencyStopWire = z.infer<typeof EmergencyStopSchema>;

export const RosterResponseSchema = z.object({
  generatedAt: IsoTime,
  terminal: z.object({ id: TerminalIdSchema, name: z.string().max(100) }),
  operators: z.array(RosterOperatorSchema).max(10_000),
  calendarExceptions: z.array(CalendarExceptionSchema).max(1000),
  policy: z.object({ passwordExpiryDays: z.number().int().min(1).max(3650), maxFailedAttempts: z.number().int().min(1).max(10) }),
  /**
   * The active search purpose categories in the manager's order. Defaults to [] so that a roster
   * cached by a terminal before this field existed still parses: [] means "no list received".
   */
  purposeCategories: z.array(PurposeCategorySchema).max(100).default([]),
  /**
   * The emergency stop that applies to this terminal, null when none (issue 6). Optional: a roster
   * from an older server or cached before the field existed lacks it (= no stop known).
   */
  emergencyStop: EmergencyStopSchema.nullable().optional(),
});
export type RosterResponse = z.infer<typeof RosterResponseSchema>;

export const TimeResponseSchema = z.object({ epochMs: z.number().int().nonnegative(), iso: IsoTime });
export type TimeResponse = z.infer<typeof TimeResponseSchema>;

export const HealthResponseSchema = z.object({ status: z.literal('ok'), version: z.string(), time: IsoTime });

/** A sign-in attempt as decided on the terminal; the server keeps the authoritative counter. */
export const SignInAttemptRequestSchema = z
  .object({
    requestId: RequestIdSchema, // idempotency key: a resent attempt is counted once
    operatorId: OperatorIdSchema,
    cardKeyId: CardKeyIdSchema,
    outcome: z.enum(['success', 'failure']),
    at: IsoTime,
  })
  .strict();
export type SignInAttemptRequest = z.infer<typeof SignInAttemptRequestSchema>;
export const SignInAttemptResponseSchema = z.object({ failedAttempts: z.number().int().min(0), lockedOut: z.boolean() });
export type SignInAttemptResponse = z.infer<typeof SignInAttemptResponseSchema>;

/** The terminal checks the policy and hashes; the password itself never leaves the terminal. */
export const PasswordChangeRequestSchema = z
  .object({
    requestId: RequestIdSchema,
    operatorId: OperatorIdSchema,
    cardKeyId: CardKeyIdSchema,
    newHash: PasswordHashSchema,
    at: IsoTime,
  })
  .strict();
export type PasswordChangeRequest = z.infer<typeof PasswordChangeRequestSchema>;
export const PasswordChangeResponseSchema = z.object({ setAt: IsoTime, expiresAt: IsoTime });
export type PasswordChangeResponse = z.infer<typeof PasswordChangeResponseSchema>;

export const ErrorResponseSchema = z.object({
  error: z.object({ code: z.string(), message: z.string() }),
});
export type ErrorResponse = z.infer<typeof ErrorResponseSchema>;

/** Header a terminal authenticates with: `Authorization: Terminal <terminalId>:<secret>`. */
export const TERMINAL_AUTH_SCHEME = 'Terminal';

/** Optional header a terminal sends with every call: its app version (the administrators' terminal list shows it). */
export const APP_VERSION_HEADER = 'x-app-version';

/** The credential file written at terminal registration (and by the demo seeding). */
export const TerminalCredentialSchema = z.object({
  format: z.literal('kumiyama-terminal-credential/1'),
  terminalId: TerminalIdSchema,
  terminalName: z.string().max(100),
  secret: z.string().regex(/^[A-Za-z0-9_-]{43}$/),
  serverUrl: z.string().url(),
});
export type TerminalCredential = z.infer<typeof TerminalCredentialSchema>;
