// Contract of the spot-check routes (issue 5 items 4–6) under /api/v1/admin: risk-weighted samples of
// the searches of a period and the manager's verdicts on them (適正 / 要確認 / 不適正), the confirmation
// of a card's physical return (第17条17項), and the PDF reports (the audit report of a period, "who
// looked at my record" for one resident's disclosure request).
import { z } from 'zod';
import { IsoTime, TerminalIdSchema } from './server-api';

/** Largest sample (items) one draw may ask for. */
export const SAMPLE_SIZE_MAX = 200;
/** Longest period of a sample or an audit report, in days (a quarter and a bit). */
export const SPOT_CHECK_MAX_SPAN_DAYS = 93;

export const VerdictSchema = z.enum(['appropriate', 'needs-check', 'inappropriate']);
export type Verdict = z.infer<typeof VerdictSchema>;
export const VERDICT_LABELS: Readonly<Record<Verdict, string>> = { appropriate: '適正', 'needs-check': '要確認', inappropriate: '不適正' };

/** The seed of a draw: printable, so it can be written in the audit report and typed again. */
export const SampleSeedSchema = z.string().regex(/^[A-Za-z0-9._-]{1,64}$/);
export const SampleIdSchema = z.string().regex(/^smp-[0-9a-f]{16}$/);

/** POST /admin/samples. from/to as the log explorer's (YYYY-MM-DD = that JST day, or ISO with offset). */
export const DrawSampleRequestSchema = z
  .object({
    from: z.string().min(1).max(40),
    to: z.string().min(1).max(40),
    size: z.number().int().min(1).max(SAMPLE_SIZE_MAX),
    /** Absent: the server picks a random one (and stores it: the draw stays reproducible). */
    seed: SampleSeedSchema.optional(),
  })
  .strict();
export type DrawSampleRequest = z.infer<typeof DrawSampleRequestSchema>;

export const RowRiskSchema = z.object({
  findingId: z.string(),
  rule: z.string(),
  severity: z.enum(['high', 'medium', 'low']),
  explanation: z.string(),
});

export const VerdictRecordSchema = z.object({
  verdict: VerdictSchema,
  comment: z.string().nullable(),
  by: z.string(),
  byName: z.string().nullable(),
  at: IsoTime,
});
export type VerdictRecord = z.infer<typeof VerdictRecordSchema>;

export const SampleItemSchema = z.object({
  /** 1 = drawn first. */
  position: z.number().int().min(1),
  terminalId: z.string(),
  seq: z.number().int().min(1),
  at: IsoTime,
  type: z.string(),
  operatorId: z.string().nullable(),
  operatorName: z.string().nullable(),
  purposeCategory: z.string().nullable(),
  purposeLabel: z.string().nullable(),
  /** Whether a case (receipt) number was given; null when the record names no purpose. */
  hasCaseNumber: z.boolean().nullable(),
  /** The row's weight in the draw (clean 1; more behind findings). */
  weight: z.number(),
  /** The findings that weighted it. */
  findings: z.array(RowRiskSchema),
  /** The latest verdict (a changed verdict is a new record), or null. */
  verdict: VerdictRecordSchema.nullable(),
  /** How many verdicts were recorded on this item (all kept). */
  verdictCount: z.number().int().min(0),
});
export type SampleItem = z.infer<typeof SampleItemSchema>;

export const SampleSummarySchema = z.object({
  id: SampleIdSchema,
  from: IsoTime,
  to: IsoTime,
  /** The size asked for; `items` may be fewer when the period held fewer searches. */
  size: z.number().int().min(1),
  seed: SampleSeedSchema,
  /** How many searches the period held when drawn. */
  populationSize: z.number().int().min(0),
  /** How many of them were behind a finding. */
  riskyPopulation: z.number().int().min(0),
  drawnBy: z.string(),
  drawnByName: z.string().nullable(),
  drawnAt: IsoTime,
  items: z.number().int().min(0),
  /** Items with at least one verdict. */
  judged: z.number().int().min(0),
  /** Latest verdicts by kind. */
  verdicts: z.object({ appropriate: z.number().int(), 'needs-check': z.number().int(), inappropriate: z.number().int() }),
});
export type SampleSummary = z.infer<typeof SampleSummarySchema>;

export const SampleListResponseSchema = z.object({ samples: z.array(SampleSummarySchema) });
export const SampleResponseSchema = z.object({
  sample: SampleSummarySchema,
  /** What was drawn: the searches (type resident.search) of the period, weighted by the findings of the period. */
  method: z.object({ population: z.string(), weights: z.object({ clean: z.number(), high: z.number(), medium: z.number(), low: z.number(), max: z.number() }) }),
  items: z.array(SampleItemSchema),
});
export type SampleResponse = z.infer<typeof SampleResponseSchema>;

export const SampleParamsSchema = z.object({ sampleId: z.string().max(40) }).strict();

/** POST /admin/samples/:id/verdicts. comment is required for needs-check and inappropriate. */
export const RecordVerdictRequestSchema = z
  .object({
    terminalId: TerminalIdSchema,
    seq: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER),
    verdict: VerdictSchema,
    comment: z.string().max(500).optional(),
  })
  .strict();
export type RecordVerdictRequest = z.infer<typeof RecordVerdictRequestSchema>;
export const RecordVerdictResponseSchema = z.object({ item: SampleItemSchema });

/** POST /admin/card-ledger/returns: the admin saw the card back (第17条17項: 返却の確認). */
export const ConfirmCardReturnRequestSchema = z
  .object({
    terminalId: TerminalIdSchema,
    lentSeq: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER),
    note: z.string().max(200).optional(),
  })
  .strict();
export type ConfirmCardReturnRequest = z.infer<typeof ConfirmCardReturnRequestSchema>;

export const ReturnConfirmedSchema = z.object({ by: z.string(), byName: z.string().nullable(), at: IsoTime, note: z.string().nullable() });
export type ReturnConfirmed = z.infer<typeof ReturnConfirmedSchema>;

export const ConfirmCardReturnResponseSchema = z.object({
  terminalId: z.string(),
  lentSeq: z.number().int().min(1),
  operatorId: z.string().nullable(),
  returnConfirmed: ReturnConfirmedSchema,
});

/** GET /admin/reports/audit?from&to. */
export const AuditReportQuerySchema = z.object({ from: z.string().max(40).optional(), to: z.string().max(40).optional() }).strict();
export const ResidentReportParamsSchema = z.object({ residentId: z.string().max(100) }).strict();

/** A PDF report: the file, base64, for the console to save or show. */
export const PdfReportResponseSchema = z.object({
  fileName: z.string(),
  pdfBase64: z.string(),
  pages: z.number().int().min(1),
  /** What the report holds, in numbers (for the console and for tests). */
  summary: z.record(z.string(), z.union([z.number(), z.string(), z.boolean(), z.null()])),
});
export type PdfReportResponse = z.infer<typeof PdfReportResponseSchema>;
