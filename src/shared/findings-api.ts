// Contract of the spot-check findings routes (issue 5 items 1 and 3) under /api/v1/admin: the
// findings of a period, the flagged records (支援措置対象・著名人 …) and the rules' configuration.
// Queries arrive as strings; the server checks their meaning with Japanese messages
// (src/server/audit/findings-input.ts).
import { z } from 'zod';
import { DEFAULT_AUDIT_CONFIG, type AuditConfig } from '../domain/audit/config';
import { RULE_IDS, type RuleId } from '../domain/audit/types';
import { AuditIndexFreshnessSchema } from './audit-api';
import { ResidentIdSchema } from './resident-api';
import { IsoTime } from './server-api';

/** The longest period of one findings query (about three months). */
export const FINDINGS_MAX_SPAN_DAYS = 93;

const QueryText = (max: number) => z.string().max(max);

/** GET /admin/findings: from/to as in the explorer (YYYY-MM-DD = that JST day, or ISO with offset). */
export const FindingsQuerySchema = z
  .object({
    from: QueryText(40).optional(),
    to: QueryText(40).optional(),
    rule: QueryText(60).optional(),
    operatorId: QueryText(100).optional(),
  })
  .strict();
export type FindingsQuery = z.infer<typeof FindingsQuerySchema>;

export const RuleIdSchema = z.enum(RULE_IDS);
export const SeveritySchema = z.enum(['high', 'medium', 'low']);

/** Japanese names of the rules, for the console and the report. */
export const RULE_LABELS: Readonly<Record<RuleId, string>> = {
  'purpose.missing-case': '受付番号のない検索・参照',
  'purpose.unknown-case': '受付台帳にない受付番号',
  'purpose.vague-note': '具体的でない検索目的',
  'purpose.repeated-note': '同じ目的文言の繰り返し',
  'resident.many-operators': '多数の操作者による参照',
  'relation.self': '本人の記録の参照',
  'relation.household': '同一世帯の記録の参照',
  'relation.colleague': '同僚の記録の参照',
  'relation.same-address': '同一住所の記録の参照',
  'relation.same-surname': '同姓（少ない姓）の記録の参照',
  'volume.unusual': '普段より多い検索・参照',
  'hours.outside': '開庁時間外の操作',
  'hours.near-closing': '閉庁直前の受付番号なしの参照',
  'hours.exception-day': '特別開庁日の業務',
  'signin.lockout': 'ロックアウト',
  'signin.repeated-failures': 'パスワードの繰り返しの誤り',
  'signin.terminal-failures': '端末でのサインイン失敗の集中',
  'card.outside-lending': '貸与期間外のカード使用',
  'card.revoked-use': '失効したカードの使用',
  'log.integrity': '操作ログの完全性の異常',
  'sync.stale': '同期していない端末',
  'sync.refused': 'ログ送信の拒否',
  'flagged.access': '注意対象の記録へのアクセス',
};

/** A log row behind a finding: enough to list it and open it with GET /admin/log/:terminalId/:seq. */
export const FindingRowSchema = z.object({
  terminalId: z.string(),
  seq: z.number().int().min(1),
  /** null when the record is not (or no longer) in the index. */
  at: IsoTime.nullable(),
  type: z.string().nullable(),
  operatorId: z.string().nullable(),
  operatorName: z.string().nullable(),
});
export type FindingRow = z.infer<typeof FindingRowSchema>;

export const FindingWireSchema = z.object({
  id: z.string(),
  rule: RuleIdSchema,
  ruleLabel: z.string(),
  /** 1–10: the kind of issue 5 item 3 (purpose, many operators, relations, volume, hours, sign-in, card, integrity, sync, flagged). */
  kind: z.number().int().min(1).max(10),
  severity: SeveritySchema,
  explanation: z.string(),
  firstAt: IsoTime,
  lastAt: IsoTime,
  operatorIds: z.array(z.string()),
  terminalIds: z.array(z.string()),
  residentIds: z.array(z.string()),
  rows: z.array(FindingRowSchema),
  rowCount: z.number().int().min(0),
});
export type FindingWire = z.infer<typeof FindingWireSchema>;

export const FindingsBasisSchema = z.object({
  from: IsoTime,
  to: IsoTime,
  /** Records of the period read from the index. */
  records: z.number().int().min(0),
  /** Where the volume rule's baseline (the operators' earlier working days) starts. */
  baselineFrom: IsoTime,
  /** Records read before `from` for the windowed rules (findings are kept only when rows lie in the period). */
  leadInFrom: IsoTime,
  leadInRecords: z.number().int().min(0),
  /** The time of the check (sync rule): the end of the period, or now when it lies in the future. */
  asOf: IsoTime,
  operators: z.number().int().min(0),
  flags: z.number().int().min(0),
  /** When the rules' configuration was last changed (null: the defaults). */
  configChangedAt: IsoTime.nullable(),
  elapsedMs: z.number().min(0),
});
export type FindingsBasis = z.infer<typeof FindingsBasisSchema>;

export const FindingsResponseSchema = z.object({
  findings: z.array(FindingWireSchema),
  counts: z.object({ total: z.number().int().min(0), high: z.number().int().min(0), medium: z.number().int().min(0), low: z.number().int().min(0) }),
  basis: FindingsBasisSchema,
  index: AuditIndexFreshnessSchema,
});
export type FindingsResponse = z.infer<typeof FindingsResponseSchema>;

// ---- flagged records ----

export const FLAG_LABELS = ['dv-support', 'public-figure', 'other'] as const;
export const FlagLabelSchema = z.enum(FLAG_LABELS);
export const FLAG_LABEL_TEXT: Readonly<Record<(typeof FLAG_LABELS)[number], string>> = {
  'dv-support': '支援措置対象（DV等）',
  'public-figure': '著名人',
  other: 'その他',
};

const FlagReasonSchema = z.string().trim().min(1).max(200);

export const ResidentFlagSchema = z.object({
  id: z.string(),
  residentId: z.string(),
  label: FlagLabelSchema,
  reason: z.string(),
  /** Accesses from this instant on are findings. */
  startedAt: IsoTime,
  setBy: z.string(),
  setAt: IsoTime,
  withdrawnBy: z.string().nullable(),
  withdrawnAt: IsoTime.nullable(),
  withdrawReason: z.string().nullable(),
  active: z.boolean(),
});
export type ResidentFlag = z.infer<typeof ResidentFlagSchema>;

export const ResidentFlagsResponseSchema = z.object({ flags: z.array(ResidentFlagSchema) });
export const ResidentFlagResponseSchema = z.object({ flag: ResidentFlagSchema });

export const SetResidentFlagRequestSchema = z
  .object({
    residentId: ResidentIdSchema,
    label: FlagLabelSchema,
    reason: FlagReasonSchema,
    /** Default: now. Accesses before it are not findings of this flag. */
    startedAt: IsoTime.optional(),
  })
  .strict();
export type SetResidentFlagRequest = z.infer<typeof SetResidentFlagRequestSchema>;

export const WithdrawResidentFlagRequestSchema = z.object({ reason: FlagReasonSchema }).strict();

// ---- the rules' configuration ----

const posInt = (max: number) => z.number().int().min(1).max(max);
const words = z.array(z.string().trim().min(1).max(20)).max(100);

/** Every key of AuditConfig with its range; a PUT sends the whole or part of it (missing keys: defaults). */
export const AuditConfigSchema = z
  .object({
    disabledRules: z.array(RuleIdSchema).max(RULE_IDS.length),
    severity: z.partialRecord(RuleIdSchema, SeveritySchema),
    maxRowsPerFinding: posInt(1000),
    minNoteChars: z.number().int().min(0).max(100),
    minSpecificNoteChars: z.number().int().min(0).max(100),
    genericNoteWords: words,
    repeatedNoteMin: posInt(1000),
    repeatedNoteWindowDays: posInt(93),
    manyOperatorsMin: z.number().int().min(2).max(100),
    manyOperatorsWindowDays: posInt(93),
    sameSurnameMaxShare: z.number().min(0).max(1),
    sameSurnameOnlyWithoutCase: z.boolean(),
    volumeFactor: z.number().min(1).max(100),
    volumeFloor: posInt(100_000),
    volumeMinHistoryDays: z.number().int().min(0).max(60),
    volumeBaselineDays: posInt(60),
    nearClosingMinutes: posInt(240),
    nearClosingMinAccesses: posInt(1000),
    reportExceptionDays: z.boolean(),
    failuresPerOperator: posInt(100),
    failureWindowMinutes: posInt(7 * 24 * 60),
    failuresPerTerminal: posInt(1000),
    terminalFailureWindowMinutes: posInt(7 * 24 * 60),
    integrityEventTypes: z.array(z.string().regex(/^[a-z][a-z0-9-]*(\.[a-z0-9-]+)+$/).max(60)).max(50),
    staleSyncOpenHours: z.number().min(0.25).max(24 * 31),
  })
  .strict() satisfies z.ZodType<AuditConfig>;

export const AuditConfigPatchSchema = AuditConfigSchema.partial().strict();
export type AuditConfigPatch = z.infer<typeof AuditConfigPatchSchema>;

export const PutAuditConfigRequestSchema = z
  .object({ config: z.record(z.string(), z.unknown()), reason: z.string().trim().min(1).max(200) })
  .strict();

export const AuditConfigResponseSchema = z.object({
  /** The configuration in force (defaults with the stored changes). */
  config: AuditConfigSchema,
  /** Only the stored changes against the defaults. */
  overrides: z.record(z.string(), z.unknown()),
  defaults: AuditConfigSchema,
  changedBy: z.string().nullable(),
  changedAt: IsoTime.nullable(),
});

export const AUDIT_CONFIG_DEFAULTS: AuditConfig = DEFAULT_AUDIT_CONFIG;
