// Contract of the audit routes (issue 5: the log explorer, "who looked at my record", the card
// ledger, one record with its chain status) under /api/v1/admin. Queries arrive as strings; the
// server checks their meaning (periods, ids, cursor) with Japanese messages (src/server/audit/audit-filters.ts).
import { z } from 'zod';
import { ResidentIdSchema } from './resident-api';
import { CardKeyIdSchema, IsoTime, OperatorIdSchema, TerminalIdSchema } from './server-api';

/** A query value: a string of bounded length (its meaning is checked by the server). */
const QueryText = (max: number) => z.string().max(max);

export const AUDIT_PAGE_SIZE_DEFAULT = 50;
export const AUDIT_PAGE_SIZE_MAX = 200;
/** Default longest period of one query: the 7-year retention (2557 days). */
export const AUDIT_MAX_SPAN_DAYS_DEFAULT = 2557;

export const LogOutcomeSchema = z.enum(['success', 'failure', 'info']);

/** GET /admin/log: `from`/`to` (YYYY-MM-DD = that JST day, or ISO 8601 with offset; both inclusive) are required. */
export const AuditLogQuerySchema = z
  .object({
    from: QueryText(40).optional(),
    to: QueryText(40).optional(),
    terminalId: QueryText(100).optional(),
    operatorId: QueryText(100).optional(),
    /** An event type (`resident.viewed`) or a prefix ending in a dot (`resident.`). */
    type: QueryText(100).optional(),
    purposeCategory: QueryText(100).optional(),
    outcome: QueryText(20).optional(),
    residentId: QueryText(100).optional(),
    limit: QueryText(10).optional(),
    cursor: QueryText(200).optional(),
  })
  .strict();
export type AuditLogQuery = z.infer<typeof AuditLogQuerySchema>;

/** How far the query index is built: per terminal, the last indexed seq against the newest stored. */
export const AuditIndexFreshnessSchema = z.object({
  /** true when every stored record is in the index. */
  complete: z.boolean(),
  terminals: z.array(
    z.object({ terminalId: z.string(), indexedSeq: z.number().int().min(0), storedSeq: z.number().int().min(0), indexedAt: IsoTime.nullable() }),
  ),
});

export const AuditLogRowSchema = z.object({
  terminalId: z.string(),
  seq: z.number().int().min(1),
  at: IsoTime,
  type: z.string(),
  outcome: LogOutcomeSchema,
  operatorId: z.string().nullable(),
  /** From the roster; null when the id is not on it. */
  operatorName: z.string().nullable(),
  cardKeyId: z.string().nullable(),
  purposeCategory: z.string().nullable(),
  /** Whether a case (receipt) number was given; null when the record names no purpose. */
  hasCaseNumber: z.boolean().nullable(),
});
export type AuditLogRow = z.infer<typeof AuditLogRowSchema>;

export const AuditLogResponseSchema = z.object({
  rows: z.array(AuditLogRowSchema),
  /** Pass as `cursor` for the next (older) page; null on the last page. */
  nextCursor: z.string().nullable(),
  /** The paging runs over the index as it was at the first page: records indexed later are not mixed in. */
  snapshot: z.object({ indexedRows: z.number().int().min(0) }),
  index: AuditIndexFreshnessSchema,
});
export type AuditLogResponse = z.infer<typeof AuditLogResponseSchema>;

export const ChainStatusSchema = z.object({
  /** The record's hash recomputed from its canonical encoding equals the stored hash. */
  hashValid: z.boolean(),
  /** prevHash equals the stored hash of the record before (or the genesis / pruning anchor). */
  linkValid: z.boolean(),
  /** Where the previous hash came from. */
  previous: z.enum(['genesis', 'record', 'pruning-anchor', 'missing']),
  /** A signed checkpoint names a head at or after this record (the record is covered by a signature). */
  checkpoint: z.object({ id: z.number().int(), at: IsoTime }).nullable(),
});

export const AuditLogRecordResponseSchema = z.object({
  record: z.object({
    terminalId: z.string(),
    seq: z.number().int().min(1),
    prevHash: z.string(),
    hash: z.string(),
    at: z.string(),
    clockOffsetMs: z.number(),
    type: z.string(),
    outcome: LogOutcomeSchema,
    operatorId: z.string().nullable(),
    operatorName: z.string().nullable(),
    cardKeyId: z.string().nullable(),
    detail: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])),
    receivedAt: IsoTime,
  }),
  chain: ChainStatusSchema,
});
export type AuditLogRecordResponse = z.infer<typeof AuditLogRecordResponseSchema>;

export const AuditRecordParamsSchema = z.object({ terminalId: TerminalIdSchema, seq: z.string().regex(/^[1-9]\d{0,15}$/) }).strict();

export const ResidentAccessKindSchema = z.enum(['search', 'view', 'code-reveal', 'print', 'other']);

export const ResidentAccessesQuerySchema = z.object({ limit: QueryText(10).optional(), cursor: QueryText(200).optional() }).strict();

export const ResidentAccessesResponseSchema = z.object({
  residentId: ResidentIdSchema,
  accesses: z.array(
    z.object({
      at: IsoTime,
      kind: ResidentAccessKindSchema,
      type: z.string(),
      outcome: LogOutcomeSchema,
      terminalId: z.string(),
      seq: z.number().int().min(1),
      operatorId: z.string().nullable(),
      operatorName: z.string().nullable(),
      purposeCategory: z.string().nullable(),
      purposeLabel: z.string().nullable(),
      hasCaseNumber: z.boolean().nullable(),
    }),
  ),
  nextCursor: z.string().nullable(),
  index: AuditIndexFreshnessSchema,
});
export type ResidentAccessesResponse = z.infer<typeof ResidentAccessesResponseSchema>;

export const CardLedgerQuerySchema = z.object({ from: QueryText(40).optional(), to: QueryText(40).optional() }).strict();

export const CardLendingSchema = z.object({
  terminalId: z.string(),
  operatorId: OperatorIdSchema.or(z.string()),
  operatorName: z.string().nullable(),
  cardKeyId: CardKeyIdSchema.or(z.string()).nullable(),
  /** The sign-in (session.signed-in) that lent the card at the terminal. */
  lentAt: IsoTime,
  lentSeq: z.number().int().min(1),
  /** When the lending ended (sign-out, session ended by the roster, app stop, next sign-in); null while open. */
  returnedAt: IsoTime.nullable(),
  returnedSeq: z.number().int().min(1).nullable(),
  endedBy: z.enum(['signed-out', 'ended-by-roster', 'app-stopped', 'next-sign-in']).nullable(),
  /** Not ended in the indexed log (still signed in, or the terminal has not sent the end yet). */
  open: z.boolean(),
  /** The physical return of the card confirmed by a manager or system administrator (POST /admin/card-ledger/returns), or null. */
  returnConfirmed: z.object({ by: z.string(), byName: z.string().nullable(), at: IsoTime, note: z.string().nullable() }).nullable(),
});
export type CardLending = z.infer<typeof CardLendingSchema>;

export const CardLedgerResponseSchema = z.object({
  from: IsoTime,
  to: IsoTime,
  lendings: z.array(CardLendingSchema),
  /** true when the period held more lendings than answered (narrow the period). */
  truncated: z.boolean(),
  index: AuditIndexFreshnessSchema,
});
export type CardLedgerResponse = z.infer<typeof CardLedgerResponseSchema>;

