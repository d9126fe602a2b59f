// Thresholds of the findings rules. Every value is configurable; the defaults are sized for a town
// counter (a handful of operators, tens of cases per operator per day) and documented here.
import type { RuleId, Severity } from './types';

export interface AuditConfig {
  /** Rules switched off (their findings are not produced). */
  disabledRules: readonly RuleId[];
  /** Severity per rule, overriding the default (see DEFAULT_SEVERITY). */
  severity: Partial<Record<RuleId, Severity>>;
  /** At most this many row ids are listed per finding (rowCount keeps the full number). */
  maxRowsPerFinding: number;

  // 1. purpose
  /** A note (without case number) with fewer meaningful characters than this is vague. */
  minNoteChars: number;
  /** What is left of a note after removing the generic words must have at least this many characters. */
  minSpecificNoteChars: number;
  /** Words that say nothing about the case (removed before counting). */
  genericNoteWords: readonly string[];
  /** The same note (without case number) used for this many purposes by one operator … */
  repeatedNoteMin: number;
  /** … within this many days is a finding. */
  repeatedNoteWindowDays: number;

  // 2. many operators
  /** A resident viewed by at least this many different operators … */
  manyOperatorsMin: number;
  /** … within this many days. */
  manyOperatorsWindowDays: number;

  // 3. relations
  /** Same surname only counts when that surname's share of the town is at most this (rare names). */
  sameSurnameMaxShare: number;
  /** Same surname only counts for accesses without a case number (a receipt means the resident came in). */
  sameSurnameOnlyWithoutCase: boolean;

  // 4. volume
  /** A day is unusual when its searches+views exceed max(volumeFactor × median of the operator's earlier days, volumeFloor). */
  volumeFactor: number;
  volumeFloor: number;
  /** Earlier working days needed before the median is trusted (before: only the floor × 2 applies). */
  volumeMinHistoryDays: number;
  /** How many earlier days the median looks at. */
  volumeBaselineDays: number;

  // 5. hours
  /** Accesses without a case number in the last N minutes before closing … */
  nearClosingMinutes: number;
  /** … at least this many, by one operator on one day. */
  nearClosingMinAccesses: number;
  /** Report work on days opened only by a calendar exception. */
  reportExceptionDays: boolean;

  // 6. sign-in
  /** Wrong passwords by one operator within the window (also when successes reset the counter). */
  failuresPerOperator: number;
  failureWindowMinutes: number;
  /** Failed sign-ins and refused cards on one terminal within the terminal window. */
  failuresPerTerminal: number;
  terminalFailureWindowMinutes: number;

  // 8. integrity: log event types reported as integrity findings.
  integrityEventTypes: readonly string[];

  // 9. sync
  /** A terminal whose last sync lies this many opening-hours ago (working time only) stopped syncing. */
  staleSyncOpenHours: number;
}

export const DEFAULT_GENERIC_NOTE_WORDS: readonly string[] = [
  '確認', '照会', '参照', '閲覧', 'テスト', 'てすと', 'TEST', 'なし', '無し', '特に', 'とくに', '念のため', '念の為',
  '業務上', '業務', '必要', 'のため', 'の為', 'ため', '参考', '調査', '問い合わせ', '問合せ', '用件', '対応', 'します', 'です', 'その他',
];

export const DEFAULT_AUDIT_CONFIG: AuditConfig = {
  disabledRules: [],
  severity: {},
  maxRowsPerFinding: 100,
  minNoteChars: 6,
  minSpecificNoteChars: 3,
  genericNoteWords: DEFAULT_GENERIC_NOTE_WORDS,
  repeatedNoteMin: 5,
  repeatedNoteWindowDays: 14,
  manyOperatorsMin: 4,
  manyOperatorsWindowDays: 7,
  sameSurnameMaxShare: 0.003,
  sameSurnameOnlyWithoutCase: true,
  volumeFactor: 3,
  volumeFloor: 40,
  volumeMinHistoryDays: 5,
  volumeBaselineDays: 20,
  nearClosingMinutes: 10,
  nearClosingMinAccesses: 3,
  reportExceptionDays: true,
  failuresPerOperator: 3,
  failureWindowMinutes: 24 * 60,
  failuresPerTerminal: 5,
  terminalFailureWindowMinutes: 60,
  integrityEventTypes: ['log.integrity-problem', 'log.store-replaced', 'log.outbox-damaged', 'log.main-event-refused'],
  staleSyncOpenHours: 4,
};

export const DEFAULT_SEVERITY: Readonly<Record<RuleId, Severity>> = {
  'purpose.missing-case': 'medium',
  'purpose.unknown-case': 'medium',
  'purpose.vague-note': 'low',
  'purpose.repeated-note': 'low',
  'resident.many-operators': 'medium',
  'relation.self': 'high',
  'relation.household': 'high',
  'relation.colleague': 'high',
  'relation.same-address': 'medium',
  'relation.same-surname': 'low',
  'volume.unusual': 'medium',
  'hours.outside': 'high',
  'hours.near-closing': 'low',
  'hours.exception-day': 'low',
  'signin.lockout': 'medium',
  'signin.repeated-failures': 'medium',
  'signin.terminal-failures': 'medium',
  'card.outside-lending': 'high',
  'card.revoked-use': 'high',
  'log.integrity': 'high',
  'sync.stale': 'medium',
  'sync.refused': 'medium',
  'flagged.access': 'high',
};

/** The defaults with the given values replaced. Throws RangeError for a non-positive threshold. */
export function auditConfig(overrides: Partial<AuditConfig> = {}): AuditConfig {
  const config: AuditConfig = { ...DEFAULT_AUDIT_CONFIG, ...overrides };
  const positive: (keyof AuditConfig)[] = [
    'maxRowsPerFinding', 'repeatedNoteMin', 'repeatedNoteWindowDays', 'manyOperatorsMin', 'manyOperatorsWindowDays', 'volumeFactor',
    'volumeFloor', 'volumeBaselineDays', 'nearClosingMinutes', 'nearClosingMinAccesses', 'failuresPerOperator', 'failureWindowMinutes',
    'failuresPerTerminal', 'terminalFailureWindowMinutes', 'staleSyncOpenHours',
  ];
  for (const key of positive) {
    const value = config[key];
    if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) throw new RangeError(`設定値 ${key} は正の数にしてください（${String(value)}）。`);
  }
  return config;
}
