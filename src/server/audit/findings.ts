// The spot-check findings of a period (issue 5 item 3), computed on the server over every terminal:
// the pure engine (src/domain/audit/) fed from the compact query index (migration 8 + 9), never from
// the stored JSON. The context (roster with cards and own directory records, flags, calendar
// exceptions, purpose categories, terminals' sync state, integrity alerts) comes from the database
// (findings-context.ts).
//
// What is read, and why (documented in docs/server-api.md):
// - the period's index rows, in time order, as AuditRecords built from the coded columns;
// - a LEAD-IN before `from` (the longest window of the windowed rules: many operators, repeated
//   notes, failed sign-ins; 14 days by default, at most 31) with only the records those rules read
//   (LEAD_IN_TYPES): a burst that starts before the period and goes on inside it is seen whole;
//   findings whose rows all lie before `from` are dropped;
// - the volume rule's BASELINE: per operator, the searches+views of each working day in the
//   volumeBaselineDays×1.6+7 calendar days before `from`, counted in SQL (the type index), passed
//   as AuditContext.lookupHistory (the rule counts nothing before `from`: AuditContext.countFrom) —
//   so the first days of a period are judged against the operator's own usual days.
// That is the PLAIN path (options.path 'plain': every row above through the engine). The default FAST
// path (findings-feed.ts) gives the same findings from fewer rows: SQL picks the rows some rule can act
// on, the volume rule's days and baseline come from the per-day counts of migration 12
// (log_index_lookup_days) — test/integration/server-findings-feed.test.ts holds both paths equal.
import { JST_OFFSET_MS, jstYmd } from '../../domain/calendar/jst';
import { auditConfig, type AuditConfig } from '../../domain/audit/config';
import { FindingsEngine } from '../../domain/audit/engine';
import type { AccessKind, AuditRecord } from '../../domain/audit/audit-record';
import type { LogRecord } from '../../domain/log/log-record';
import { RULE_IDS, type Finding, type RuleId } from '../../domain/audit/types';
import { toIso, DAY_MS } from '../clock';
import type { ServerDb } from '../db/open';
import type { AuditPeriod } from './audit-filters';
import { findingsContext, storedAuditConfig } from './findings-context';
import { feedCandidates, lookupHistoryFast } from './findings-feed';
import { termTable, type TermTable } from './findings-terms';

export interface FindingsOptions {
  /** Only this rule (the others are switched off: faster). */
  rule?: RuleId;
  /** Only findings that name this operator. */
  operatorId?: string;
  /** The server's clock now (ms); the time of the check is min(now, period end). Default Date.now(). */
  now?: number;
  /** Replaces the stored configuration (benchmarks, tests). */
  config?: Partial<AuditConfig>;
  /**
   * 'fast' (default): only the rows some rule can act on are read (findings-feed.ts); 'plain': every
   * row of the period and the lead-in goes through the engine. The same findings either way.
   */
  path?: 'fast' | 'plain';
}

export interface FindingsBasisData {
  from: string;
  to: string;
  records: number;
  baselineFrom: string;
  leadInFrom: string;
  leadInRecords: number;
  asOf: string;
  operators: number;
  flags: number;
  configChangedAt: string | null;
  elapsedMs: number;
}

const ACCESS: Readonly<Record<string, AccessKind>> = {
  'resident.search': 'search',
  'resident.viewed': 'view',
  'resident.code-revealed': 'reveal',
  'resident.printed': 'print',
};
const OUTCOMES = ['success', 'failure', 'info'] as const;
const EMPTY_DETAIL: LogRecord['detail'] = Object.freeze({}) as LogRecord['detail'];

/** The longest window of the windowed rules, in whole days (1–31). */
export function leadInDays(config: AuditConfig): number {
  const days = Math.max(config.manyOperatorsWindowDays, config.repeatedNoteWindowDays, Math.ceil(config.failureWindowMinutes / 1440), Math.ceil(config.terminalFailureWindowMinutes / 1440));
  return Math.min(31, Math.max(1, Math.ceil(days)));
}

/** Calendar days the volume baseline looks back (enough working days for volumeBaselineDays). */
export function baselineSpanDays(config: AuditConfig): number {
  return Math.ceil(config.volumeBaselineDays * 1.6) + 7;
}

/** The SQL of the volume rule's counting: searches that succeeded and views, by an operator, in [?, ?] (ms, inclusive). */
export function lookupRowsSql(search: number | undefined, view: number | undefined, columns: string): string | null {
  const parts: string[] = [];
  if (view !== undefined) parts.push(`SELECT ${columns} FROM log_index_records INDEXED BY log_index_records_by_type WHERE type = ${view} AND at_ms >= @from AND at_ms <= @to AND operator IS NOT NULL`);
  if (search !== undefined) parts.push(`SELECT ${columns} FROM log_index_records INDEXED BY log_index_records_by_type WHERE type = ${search} AND at_ms >= @from AND at_ms <= @to AND operator IS NOT NULL AND outcome = 0`);
  return parts.length === 0 ? null : parts.join(' UNION ALL ');
}

/** Per operator, searches+views of each JST day with any, oldest first, in [fromMs, toMs) — counted in SQL. */
export function lookupCounts(db: ServerDb, fromMs: number, toMs: number): Map<string, number[]> {
  const terms = termTable(db);
  const out = new Map<string, number[]>();
  const rows = lookupRowsSql(terms.id('type', 'resident.search'), terms.id('type', 'resident.viewed'), `operator, (at_ms + ${JST_OFFSET_MS}) / ${DAY_MS} AS day`);
  if (rows === null || toMs <= fromMs) return out;
  const stmt = db.prepare(`SELECT operator, day, count(*) FROM (${rows}) GROUP BY operator, day ORDER BY operator, day`).raw();
  for (const [operator, , n] of stmt.iterate({ from: fromMs, to: toMs - 1 }) as Iterable<[number, number, number]>) {
    const id = terms.value(operator);
    if (id === null) continue;
    let days = out.get(id);
    if (!days) out.set(id, (days = []));
    days.push(n);
  }
  return out;
}

/** What the lead-in feeds: the records of the windowed rules (views, purposes without a case number, sign-in failures). */
export const LEAD_IN_TYPES = ['resident.viewed', 'purpose.stated', 'signin.failure', 'signin.lockout', 'signin.refused', 'card.auth-failed'] as const;

/** The index columns an AuditRecord is built from (auditRecordBuilder), in this order. */
export const AUDIT_ROW_COLUMNS = 'at_ms, terminal, seq, type, outcome, operator, card, purpose, case_number, detail_text, resident_ids';
export type AuditRow = [number, number, number, number, number, number | null, number | null, number | null, number | null, string | null, string | null];

/** Builds the engine's record of an index row (AUDIT_ROW_COLUMNS, read raw), never parsing the stored JSON. */
export function auditRecordBuilder(terms: TermTable): (row: AuditRow) => AuditRecord {
  const ymdCache = new Map<number, string>();
  const typeInfo = new Map<number, { type: string; access: AccessKind | undefined; stated: boolean; refused: boolean }>();
  return (row) => {
    const [atMs, terminal, seq, typeId, outcome, operator, card, purpose, caseFlag, text, residents] = row;
    let info = typeInfo.get(typeId);
    if (!info) {
      const type = terms.value(typeId) ?? '';
      info = { type, access: ACCESS[type], stated: type === 'purpose.stated', refused: type === 'signin.refused' };
      typeInfo.set(typeId, info);
    }
    const dayNo = Math.floor((atMs + JST_OFFSET_MS) / DAY_MS);
    let ymd = ymdCache.get(dayNo);
    if (ymd === undefined) ymdCache.set(dayNo, (ymd = jstYmd(atMs)));
    const purposeCategory = purpose === null ? null : terms.value(purpose);
    const caseNumber = caseFlag === 1 ? text : null;
    let detail = EMPTY_DETAIL;
    let access: AuditRecord['access'] = null;
    const outcomeName = OUTCOMES[outcome] ?? 'info';
    if (info.stated) detail = { purposeCategory, caseNumber, note: caseFlag === 1 ? null : text };
    else if (info.refused) detail = { reason: text };
    else if (info.access !== undefined) {
      detail = { purposeCategory, caseNumber };
      if (info.access !== 'search' || outcomeName === 'success') {
        access = { kind: info.access, residentIds: residents === null ? [] : residents.split(','), purposeCategory, caseNumber };
      }
    }
    const record: LogRecord = {
      terminalId: terms.value(terminal) ?? '',
      seq,
      prevHash: '',
      hash: '',
      at: new Date(atMs).toISOString(),
      clockOffsetMs: 0,
      type: info.type,
      outcome: outcomeName,
      operatorId: operator === null ? null : terms.value(operator),
      cardKeyId: card === null ? null : terms.value(card),
      detail,
    };
    return { record, atMs, ymd, access };
  };
}

/**
 * The engine's records of index rows [fromMs, toMs], in log order (time, then index order for
 * records of the same millisecond), pushed into `push`. Returns the count.
 */
export function streamAuditRecords(db: ServerDb, fromMs: number, toMs: number, push: (r: AuditRecord) => void, onlyTypes?: readonly string[]): number {
  const terms = termTable(db);
  let where = 'INDEXED BY log_index_records_by_at WHERE at_ms >= ? AND at_ms <= ?';
  if (onlyTypes) {
    const ids = onlyTypes.map((t) => terms.id('type', t)).filter((id): id is number => id !== undefined);
    if (ids.length === 0) return 0;
    where = `INDEXED BY log_index_records_by_type WHERE type IN (${ids.join(',')}) AND at_ms >= ? AND at_ms <= ?`;
  }
  const build = auditRecordBuilder(terms);
  const stmt = db.prepare(`SELECT ${AUDIT_ROW_COLUMNS} FROM log_index_records ${where} ORDER BY at_ms, id`).raw();
  let n = 0;
  for (const row of stmt.iterate(fromMs, toMs) as Iterable<AuditRow>) {
    push(build(row));
    n += 1;
  }
  return n;
}

/**
 * Every finding of the period (ANOTHER MODULE — sampling and the PDF report — imports this name):
 * the findings whose rows reach into [period.fromMs, period.toMs], with the basis they rest on.
 */
export function findingsForPeriod(db: ServerDb, period: AuditPeriod, options: FindingsOptions = {}): { findings: Finding[]; basis: FindingsBasisData; fedRecords: number } {
  const started = performance.now();
  const now = options.now ?? Date.now();
  const stored = storedAuditConfig(db);
  const base = auditConfig({ ...stored.config, ...(options.config ?? {}) });
  const config: AuditConfig = options.rule === undefined ? base : { ...base, disabledRules: RULE_IDS.filter((r) => r !== options.rule || base.disabledRules.includes(r)) };
  const asOfMs = Math.min(now, period.toMs);
  const leadInFromMs = period.fromMs - leadInDays(config) * DAY_MS;
  const baselineFromMs = period.fromMs - baselineSpanDays(config) * DAY_MS;

  const built = findingsContext(db, { fromMs: leadInFromMs, toMs: period.toMs, asOfMs });
  const plain = options.path === 'plain';
  const history = config.disabledRules.includes('volume.unusual')
    ? new Map<string, number[]>()
    : plain
      ? lookupCounts(db, baselineFromMs, period.fromMs)
      : lookupHistoryFast(db, baselineFromMs, period.fromMs);
  const context = { ...built.context, lookupHistory: history, countFrom: toIso(period.fromMs) };
  const engine = new FindingsEngine(context, config, { volumeByDay: !plain });
  let leadIn: number;
  let records: number;
  let fed: number;
  if (plain) {
    const push = (r: AuditRecord): void => {
      built.setTime(r.atMs);
      engine.pushAudit(r);
    };
    leadIn = streamAuditRecords(db, leadInFromMs, period.fromMs - 1, push, LEAD_IN_TYPES);
    records = streamAuditRecords(db, period.fromMs, period.toMs, push);
    fed = leadIn + records;
  } else {
    const feed = feedCandidates(db, engine, context, config, { leadFromMs: leadInFromMs, fromMs: period.fromMs, toMs: period.toMs }, (r) => built.setTime(r.atMs), built.relationResidents);
    ({ records, fed } = feed);
    leadIn = feed.leadInRecords;
  }
  built.setTime(asOfMs);
  const fromIso = toIso(period.fromMs);
  let findings = engine.finish().filter((f) => f.lastAt >= fromIso);
  if (options.operatorId !== undefined) findings = findings.filter((f) => f.operatorIds.includes(options.operatorId!));
  return {
    findings,
    /** Rows passed through the engine (the fast path reads only the rows some rule can act on). */
    fedRecords: fed,
    basis: {
      from: fromIso,
      to: toIso(period.toMs),
      records,
      baselineFrom: toIso(baselineFromMs),
      leadInFrom: toIso(leadInFromMs),
      leadInRecords: leadIn,
      asOf: toIso(asOfMs),
      operators: context.operators.length,
      flags: built.flagCount,
      configChangedAt: stored.changedAt === null ? null : toIso(stored.changedAt),
      elapsedMs: Math.round((performance.now() - started) * 10) / 10,
    },
  };
}
