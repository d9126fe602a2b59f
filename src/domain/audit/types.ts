// The findings (anomaly rules) of the information-protection manager's spot check (issue 5 item 3):
// the data the engine reads besides the log, and what it reports. Pure data: the caller (server or
// terminal) fills these from its roster, directory, calendar and sync bookkeeping.
import type { CalendarException } from '../calendar/exceptions';
import type { PurposeCategory } from '../resident/purpose';

/** A log row: terminal and its gap-free sequence number. */
export interface RowRef {
  terminalId: string;
  seq: number;
}

export type Severity = 'high' | 'medium' | 'low';

/** Every rule the engine knows; `RULE_KIND` maps each to the item of issue 5 item 3 it implements. */
export const RULE_IDS = [
  'purpose.missing-case',
  'purpose.unknown-case',
  'purpose.vague-note',
  'purpose.repeated-note',
  'resident.many-operators',
  'relation.self',
  'relation.household',
  'relation.colleague',
  'relation.same-address',
  'relation.same-surname',
  'volume.unusual',
  'hours.outside',
  'hours.near-closing',
  'hours.exception-day',
  'signin.lockout',
  'signin.repeated-failures',
  'signin.terminal-failures',
  'card.outside-lending',
  'card.revoked-use',
  'log.integrity',
  'sync.stale',
  'sync.refused',
  'flagged.access',
] as const;
export type RuleId = (typeof RULE_IDS)[number];

/** 1–10: the rule kinds of the brief (purpose, many operators, relations, volume, hours, sign-in, card, integrity, sync, flagged). */
export const RULE_KIND: Readonly<Record<RuleId, number>> = {
  'purpose.missing-case': 1,
  'purpose.unknown-case': 1,
  'purpose.vague-note': 1,
  'purpose.repeated-note': 1,
  'resident.many-operators': 2,
  'relation.self': 3,
  'relation.household': 3,
  'relation.colleague': 3,
  'relation.same-address': 3,
  'relation.same-surname': 3,
  'volume.unusual': 4,
  'hours.outside': 5,
  'hours.near-closing': 5,
  'hours.exception-day': 5,
  'signin.lockout': 6,
  'signin.repeated-failures': 6,
  'signin.terminal-failures': 6,
  'card.outside-lending': 7,
  'card.revoked-use': 7,
  'log.integrity': 8,
  'sync.stale': 9,
  'sync.refused': 9,
  'flagged.access': 10,
};

export interface Finding {
  /** Stable within one run: rule id and the key the rule groups by. */
  id: string;
  rule: RuleId;
  severity: Severity;
  /** One or two sentences in plain Japanese. Never a password, never a typed search value. */
  explanation: string;
  /** ISO UTC of the first and last row behind it (for context-only findings: the time concerned). */
  firstAt: string;
  lastAt: string;
  operatorIds: string[];
  terminalIds: string[];
  residentIds: string[];
  /** The rows behind it, in log order, at most config.maxRowsPerFinding. */
  rows: RowRef[];
  /** How many rows are behind it (rows may be cut short). */
  rowCount: number;
}

export interface AuditCard {
  /** SHA-256 hex of the card key, as in LogRecord.cardKeyId. */
  keyId: string;
  status: 'active' | 'revoked';
  /** ISO: lent (issued) to the operator. */
  issuedAt: string;
  /** ISO: revoked (returned, lost, broken), or null. */
  revokedAt: string | null;
}

export interface AuditOperator {
  id: string;
  /** Family and given name, separated by a space (U+3000 or ASCII). */
  name: string;
  /** Katakana (or hiragana), separated like `name`. */
  kana: string;
  role: 'operator' | 'manager' | 'sysadmin';
  /** The operator's home address, when the roster keeps it (for the same-address check). */
  address?: string | null;
  /** The operator's own household in the directory, when known. */
  householdId?: string | null;
  /** Approval period (ISO); a sign-in outside it is reported with the card rule. */
  since?: string | null;
  until?: string | null;
  cards: readonly AuditCard[];
}

export interface AuditResident {
  id: string;
  name: string;
  kana: string;
  address: string;
  householdId: string;
}

/** A label the manager attached to a record: any access to it is a finding. */
export type FlagLabel = 'dv-support' | 'public-figure' | (string & {});

export interface TerminalSyncState {
  terminalId: string;
  /** ISO UTC of the last successful sync with the server, or null if never. */
  lastSyncAt: string | null;
  /** A retired terminal is not expected to sync. */
  retired?: boolean;
}

/** An integrity problem the server (or the verifier) found in a terminal's log. */
export interface IntegrityAlert {
  terminalId: string;
  at: string;
  /** e.g. 'hash-mismatch', 'broken-link', 'gap', 'wrong-terminal', 'log-conflict'. */
  kind: string;
  seq?: number | null;
}

export interface AuditContext {
  operators: readonly AuditOperator[];
  /** Lookup of the residents touched (a Map works); the whole directory is fine. */
  residents: { get(id: string): AuditResident | undefined };
  /**
   * Share of the town's residents with each family-name kana (normalised, see person-match.ts), to
   * tell rare surnames from common ones. Absent: every surname counts as rare.
   */
  surnameShare?: { get(familyKana: string): number | undefined };
  flagged: { get(residentId: string): FlagLabel | undefined };
  calendarExceptions: readonly CalendarException[];
  /** Defaults to DEFAULT_PURPOSE_CATEGORIES. */
  purposeCategories?: readonly PurposeCategory[];
  /** The receipt ledger (受付台帳): when given, a case number not in it is a finding. */
  receipts?: { has(caseNumber: string): boolean };
  terminals: readonly TerminalSyncState[];
  integrityAlerts: readonly IntegrityAlert[];
  /**
   * Per operator, the searches+views of their working days BEFORE the first record fed, oldest first
   * (the volume rule's baseline when only a period of the log is fed; the server counts them).
   */
  lookupHistory?: { get(operatorId: string): readonly number[] | undefined };
  /**
   * ISO UTC: records before it are a lead-in for the windowed rules only (a burst that began before
   * the period); the volume rule does not count them (its earlier days come from lookupHistory).
   */
  countFrom?: string;
  /** The time of the check (ISO UTC), for the sync rule; defaults to the last record's time. */
  asOf?: string;
}
