// The findings' fast path (issue 5 benchmark: a month of a 20-terminal log in ≤ 2 s): instead of
// turning every index row of the period into a JS object and passing it through every rule, SQL
// picks the rows some rule can do something with, and only those are read and fed to the same
// engine, in the same order; the volume rule gets each operator's days as counts.
//
// The feed of the plain path (findings.ts) is F: every row of [from, to] and, in the lead-in
// [leadFrom, from), the rows of LEAD_IN_TYPES, in (at_ms, id) order. The fast path feeds the rows of F
// that are
//   - of any type other than the bulk of a counter's work (purpose.stated/ended, resident.search/
//     viewed/code-revealed/printed), unless that type is one of the integrity rule's types: sign-ins,
//     cards, sessions, log events (a few per terminal and day);
//   - the record of the same operator that follows each failed sign-in (it decides whether the failure
//     led to a lockout: SignInRule's pending failure);
//   - purpose rules: the purposes stated without a case number whose note (same operator, same
//     noteKey) comes up at least repeatedNoteMin times in the window; each vague note with the
//     accesses it covers (after it on its terminal up to the next statement or end, same operator and
//     category, no case number); every access without a case number under a category that needs one
//     (or none), and every case number that may be a placeholder (two different letters or digits
//     prove it is not; a context with a receipt ledger keeps every case number); and for every access
//     fed without a proven case number, the statement or end that precedes it on its terminal in F
//     (what PurposeRule's `current` holds at that access — an access under a non-vague note, or not
//     matching its statement, gives nothing);
//   - many operators: every view of a resident viewed by at least manyOperatorsMin different
//     operators within [leadFrom, to] (fewer can never make a window of enough operators);
//   - relations: every opening of a resident RelationsRule.mayConcern (same name, household, address
//     or family name as some operator);
//   - hours: every access in hoursAccessRanges (before opening, near or after closing, closed and
//     exception days);
//   - flagged: every access touching a resident that has (or had) a flag;
// and the volume rule gets each operator's days as counts — whole days from log_index_lookup_days
// (migration 12, kept by the indexer), partial days at the period's ends counted from the rows — its
// baseline likewise; the times, terminals and rows behind a day are read only when it is unusual.
// Each rule gets every record it would act on, and the records it does not get are ones it would
// pass over: the findings are the same (test/integration/server-findings-feed.test.ts compares both
// paths, also after late records, a rebuild and a pruning).
import type { AuditConfig } from '../../domain/audit/config';
import { isVagueNote, noteKey } from '../../domain/audit/vague-note';
import { DEFAULT_PURPOSE_CATEGORIES } from '../../domain/resident/purpose';
import type { FindingsEngine } from '../../domain/audit/engine';
import { hoursAccessRanges } from '../../domain/audit/rule-hours';
import type { AuditContext, RowRef, RuleId } from '../../domain/audit/types';
import { JST_OFFSET_MS, jstYmd } from '../../domain/calendar/jst';
import { toIso, DAY_MS } from '../clock';
import type { ServerDb } from '../db/open';
import { AUDIT_ROW_COLUMNS, auditRecordBuilder, LEAD_IN_TYPES, lookupRowsSql, type AuditRow } from './findings';
import type { AuditRecord } from '../../domain/audit/audit-record';
import { termTable } from './findings-terms';


/**
 * The row (alias a) has no proven case number: none, or one with fewer than two different letters or
 * digits (may be a placeholder). EXACTLY the WHERE of the partial index log_index_records_unproven
 * (migration 12) with the alias added: SQLite uses that index only for this expression.
 */
function unprovenSql(a: string): string {
  return `(${a}.case_number IS NOT 1 OR ${a}.detail_text IS NULL OR NOT (substr(${a}.detail_text, 1, 1) GLOB '[0-9A-Za-z]' AND replace(${a}.detail_text, substr(${a}.detail_text, 1, 1), '') GLOB '*[0-9A-Za-z]*'))`;
}
const BULK_TYPES = ['purpose.stated', 'purpose.ended', 'resident.search', 'resident.viewed', 'resident.code-revealed', 'resident.printed'] as const;
const ACCESS_TYPES = ['resident.search', 'resident.viewed', 'resident.code-revealed', 'resident.printed'] as const;
const OPENING_TYPES = ['resident.viewed', 'resident.code-revealed', 'resident.printed'] as const;
const PURPOSE_RULES: readonly RuleId[] = ['purpose.missing-case', 'purpose.unknown-case', 'purpose.vague-note', 'purpose.repeated-note'];
const RELATION_RULES: readonly RuleId[] = ['relation.self', 'relation.household', 'relation.colleague', 'relation.same-address', 'relation.same-surname'];
const HOURS_RULES: readonly RuleId[] = ['hours.outside', 'hours.near-closing', 'hours.exception-day'];

export interface FeedWindow {
  leadFromMs: number;
  fromMs: number;
  toMs: number;
}

/**
 * Reads the window's index rows once in rowid order before the queries below. They reach the table
 * through indexes, in time or type order: on a month whose pages are not in memory (a check of a month
 * years back) that is thousands of scattered 4 KB reads, about a second more on the 20M-record log.
 * Rows are stored in the order they were indexed, which is nearly time order, so one pass over the
 * rowid range between the window's first and last row reads the same pages mostly in file order
 * (the OS reads ahead). A late row outside that range is still read, just not ahead. ~25 ms when the
 * pages are in memory already.
 */
export function readWindowInFileOrder(db: ServerDb, fromMs: number, toMs: number): void {
  const first = db.prepare('SELECT id FROM log_index_records INDEXED BY log_index_records_by_at WHERE at_ms >= ? ORDER BY at_ms LIMIT 1').pluck().get(fromMs) as number | undefined;
  const last = db.prepare('SELECT id FROM log_index_records INDEXED BY log_index_records_by_at WHERE at_ms <= ? ORDER BY at_ms DESC LIMIT 1').pluck().get(toMs) as number | undefined;
  if (first === undefined || last === undefined || last < first) return;
  db.prepare('SELECT count(*) FROM log_index_records WHERE id BETWEEN ? AND ?').pluck().get(first, last);
}

export interface FeedResult {
  /** Rows fed to the engine (a subset of the period's rows and the lead-in's). */
  fed: number;
  /** Rows of the period (what the plain path reads). */
  records: number;
  /** Rows of the lead-in the plain path reads. */
  leadInRecords: number;
}

/**
 * Feeds `engine` (built with volumeByDay) the rows of `window` its rules can act on, in log order,
 * and the volume rule's days. `beforePush` runs before each record (the context's time for flags).
 */
export function feedCandidates(
  db: ServerDb,
  engine: FindingsEngine,
  context: AuditContext,
  config: AuditConfig,
  window: FeedWindow,
  beforePush: (r: AuditRecord) => void,
  relationResidents: (mayConcern: (residentId: string) => boolean) => string[] | null = () => null,
): FeedResult {
  readWindowInFileOrder(db, window.leadFromMs, window.toMs);
  const terms = termTable(db);
  const typeId = (t: string): number | undefined => terms.id('type', t);
  const idList = (types: readonly string[]): string => {
    const ids = types.map(typeId).filter((id): id is number => id !== undefined);
    return ids.length === 0 ? '-1' : ids.join(',');
  };
  const enabled = (rules: readonly RuleId[]): boolean => rules.some((r) => !config.disabledRules.includes(r));
  const params = { leadFrom: window.leadFromMs, from: window.fromMs, to: window.toMs };
  const lead = idList(LEAD_IN_TYPES);
  /** The row (alias a) is in F. */
  const inFeed = (a: string): string => `(${a}.at_ms >= @from OR ${a}.type IN (${lead}))`;
  const span = (a: string): string => `${a}.at_ms >= @leadFrom AND ${a}.at_ms <= @to AND ${inFeed(a)}`;
  const ids = new Set<number>();
  const collect = (sql: string, extra: Record<string, unknown> = {}): void => {
    for (const id of db.prepare(sql).pluck().iterate({ ...params, ...extra }) as Iterable<number>) ids.add(id);
  };

  // Every type outside the bulk (and bulk types the integrity rule reports).
  const bulk = BULK_TYPES.filter((t) => !config.integrityEventTypes.includes(t));
  const bulkIds = new Set(bulk.map(typeId).filter((id): id is number => id !== undefined));
  const allTypes = db.prepare("SELECT id FROM log_index_terms WHERE kind = 'type'").pluck().all() as number[];
  const rare = allTypes.filter((id) => !bulkIds.has(id));
  if (rare.length > 0) collect(`SELECT r.id FROM log_index_records r INDEXED BY log_index_records_by_type WHERE r.type IN (${rare.join(',')}) AND ${span('r')}`);

  // The record that follows each failed sign-in of the same operator.
  const failure = typeId('signin.failure');
  if (failure !== undefined) {
    const next = db.prepare(
      `SELECT r.id FROM log_index_records r INDEXED BY log_index_records_by_operator
       WHERE r.operator = @operator AND r.at_ms >= @at AND (r.at_ms > @at OR r.id > @id) AND r.at_ms <= @to AND ${inFeed('r')}
       ORDER BY r.at_ms, r.id LIMIT 1`,
    ).pluck();
    const failures = db.prepare(`SELECT r.id, r.operator, r.at_ms FROM log_index_records r INDEXED BY log_index_records_by_type WHERE r.type = ${failure} AND r.operator IS NOT NULL AND ${span('r')}`).raw().all(params) as [number, number, number][];
    for (const [id, operator, at] of failures) {
      const after = next.get({ ...params, operator, at, id }) as number | undefined;
      if (after !== undefined) ids.add(after);
    }
  }

  const access = idList(ACCESS_TYPES);
  const search = typeId('resident.search') ?? -1;
  const isAccess = (a: string): string => `${a}.type IN (${access}) AND (${a}.type <> ${search} OR ${a}.outcome = 0)`;

  const stated = typeId('purpose.stated') ?? -1;
  const ended = typeId('purpose.ended') ?? -1;
  // An access whose case number has two different letters or digits is never a placeholder
  // (rule-purpose.ts placeholderCase): its case number is proven. With a receipt ledger every case
  // number is checked against it, so none is proven here.
  const ledger = context.receipts !== undefined;
  const unproven = (a: string): string => (ledger ? '1' : unprovenSql(a));
  /** The rows of alias a that may lack a proven case number, read through the partial index when it applies. */
  const unprovenIndex = ledger ? 'log_index_records_by_type' : 'log_index_records_unproven';
  const purposeOn = enabled(PURPOSE_RULES);
  if (purposeOn) {
    // Purposes stated without a case number: a note reused often enough (repeated note), and a vague
    // note with the accesses it covers (the accesses after it on its terminal, up to the next
    // statement or end, by the same operator under the same category, without a case number).
    const statedRows = db
      .prepare(`SELECT r.id, r.terminal, r.at_ms, r.operator, r.purpose, r.detail_text FROM log_index_records r INDEXED BY ${unprovenIndex} WHERE ${unproven('r')} AND r.type = ${stated} AND (r.case_number IS NULL OR r.case_number = 0) AND ${span('r')}`)
      .raw()
      .all(params) as [number, number, number, number | null, number | null, string | null][];
    const note = (text: string | null): string | null => (text !== null && text.trim() !== '' ? text.trim() : null);
    if (enabled(['purpose.repeated-note'])) {
      const groups = new Map<string, number[]>();
      for (const [id, , , operator, , text] of statedRows) {
        const n = note(text);
        if (operator === null || n === null) continue;
        const key = `${operator}\u0000${noteKey(n)}`;
        const list = groups.get(key);
        if (list) list.push(id);
        else groups.set(key, [id]);
      }
      for (const list of groups.values()) if (list.length >= config.repeatedNoteMin) for (const id of list) ids.add(id);
    }
    if (enabled(['purpose.vague-note'])) {
      const boundary = db.prepare(
        `SELECT r.at_ms, r.id FROM log_index_records r INDEXED BY log_index_records_by_terminal
         WHERE r.terminal = @terminal AND r.at_ms >= @at AND (r.at_ms > @at OR r.id > @id) AND r.at_ms <= @to AND r.type IN (${stated}, ${ended}) AND ${inFeed('r')}
         ORDER BY r.at_ms, r.id LIMIT 1`,
      ).raw();
      const covered = db.prepare(
        `SELECT r.id FROM log_index_records r INDEXED BY log_index_records_by_terminal
         WHERE r.terminal = @terminal AND r.at_ms >= @at AND (r.at_ms > @at OR r.id > @id) AND r.at_ms <= @endAt AND (r.at_ms < @endAt OR r.id < @endId)
           AND ${isAccess('r')} AND ${inFeed('r')} AND r.operator IS @operator AND r.purpose IS @purpose AND (r.case_number IS NOT 1 OR r.detail_text IS NULL)`,
      ).pluck();
      for (const [id, terminal, at, operator, purpose, text] of statedRows) {
        if (!isVagueNote(note(text), config)) continue;
        const next = boundary.get({ ...params, terminal, at, id }) as [number, number] | undefined;
        const [endAt, endId] = next ?? [window.toMs, Number.MAX_SAFE_INTEGER];
        const accesses = covered.all({ ...params, terminal, at, id, endAt, endId, operator, purpose }) as number[];
        if (accesses.length === 0) continue;
        ids.add(id);
        for (const a of accesses) ids.add(a);
      }
    }
    // Accesses without a case number under a category that needs one (or none), and case numbers that may be placeholders.
    const needs = (context.purposeCategories ?? DEFAULT_PURPOSE_CATEGORIES).filter((c) => c.needsCaseNumber).map((c) => terms.id('purpose', c.id)).filter((id): id is number => id !== undefined);
    collect(
      `SELECT a.id FROM log_index_records a INDEXED BY ${unprovenIndex} WHERE ${unproven('a')} AND ${isAccess('a')} AND ${span('a')} AND (
         ((a.case_number IS NOT 1 OR a.detail_text IS NULL) AND (a.purpose IS NULL OR a.purpose IN (${needs.length === 0 ? '-1' : needs.join(',')})))
         OR (a.case_number = 1 AND a.detail_text IS NOT NULL))`,
    );
  }

  const viewed = typeId('resident.viewed');
  if (enabled(['resident.many-operators']) && viewed !== undefined) {
    const views = `r.type = ${viewed} AND r.at_ms >= @leadFrom AND r.at_ms <= @to AND r.operator IS NOT NULL AND ${inFeed('r')}`;
    // One pass over the views, grouped here (SQL's GROUP BY … count(DISTINCT) sorted them twice):
    // the views of each resident seen by enough operators; every view when one names several residents.
    // Read from the index alone (log_index_records_views, migration 13), not row by row from the table.
    const all: number[] = [];
    const byResident = new Map<string, { operators: Set<number>; ids: number[] }>();
    let several = false;
    for (const [id, residents, operator] of db.prepare(`SELECT r.id, r.resident_ids, r.operator FROM log_index_records r INDEXED BY log_index_records_views WHERE ${views}`).raw().iterate(params) as Iterable<[number, string | null, number]>) {
      all.push(id);
      if (residents === null) continue;
      if (residents.includes(',')) several = true;
      let group = byResident.get(residents);
      if (!group) byResident.set(residents, (group = { operators: new Set(), ids: [] }));
      group.operators.add(operator);
      group.ids.push(id);
    }
    if (several) for (const id of all) ids.add(id);
    else {
      const min = Math.ceil(config.manyOperatorsMin);
      for (const group of byResident.values()) if (group.operators.size >= min) for (const id of group.ids) ids.add(id);
    }
  }

  if (enabled(RELATION_RULES)) {
    const opening = `r.type IN (${idList(OPENING_TYPES)}) AND r.operator IS NOT NULL AND r.resident_ids IS NOT NULL AND ${span('r')}`;
    // The residents whose opening can be a relation finding: from the directory held in memory, else
    // from the residents opened in the window.
    const concerned = relationResidents((id) => engine.mayConcernRelations(id));
    if (concerned !== null) {
      if (concerned.length > 0) {
        collect(
          `SELECT r.id FROM log_index_residents x JOIN log_index_records r ON r.id = x.record
           WHERE x.resident_id IN (SELECT value FROM json_each(@residents)) AND x.at_ms >= @leadFrom AND x.at_ms <= @to AND ${opening}`,
          { residents: JSON.stringify(concerned) },
        );
      }
    } else {
      const lists = db.prepare(`SELECT DISTINCT r.resident_ids FROM log_index_records r INDEXED BY log_index_records_by_type WHERE ${opening}`).pluck().all(params) as string[];
      const concerned = lists.filter((list) => list.split(',').some((id) => engine.mayConcernRelations(id)));
      if (concerned.length > 0) collect(`SELECT r.id FROM log_index_records r INDEXED BY log_index_records_by_type WHERE ${opening} AND r.resident_ids IN (SELECT value FROM json_each(@lists))`, { lists: JSON.stringify(concerned) });
    }
  }

  if (enabled(HOURS_RULES)) {
    const stmt = `SELECT r.id FROM log_index_records r INDEXED BY log_index_records_by_at WHERE r.at_ms >= @start AND r.at_ms < @end AND ${isAccess('r')} AND ${span('r')}`;
    for (const [start, end] of hoursAccessRanges(window.leadFromMs, window.toMs, context.calendarExceptions, config)) collect(stmt, { start, end });
  }

  if (enabled(['flagged.access'])) {
    collect(
      `SELECT r.id FROM log_index_residents x JOIN log_index_records r ON r.id = x.record
       WHERE x.resident_id IN (SELECT resident_id FROM resident_flags) AND x.at_ms >= @leadFrom AND x.at_ms <= @to AND ${isAccess('r')} AND ${span('r')}`,
    );
  }

  // What PurposeRule's `current` holds at each access fed without a checked case number: the
  // statement or end before it on its terminal in F (fed too, so `current` is the same as in F).
  if (purposeOn && ids.size > 0) {
    collect(
      `SELECT (SELECT s.id FROM log_index_records s INDEXED BY log_index_records_by_terminal
                WHERE s.terminal = a.terminal AND s.at_ms <= a.at_ms AND s.at_ms >= @leadFrom AND (s.at_ms < a.at_ms OR s.id < a.id)
                  AND s.type IN (${stated}, ${ended}) AND ${inFeed('s')}
                ORDER BY s.at_ms DESC, s.id DESC LIMIT 1) AS before
       FROM log_index_records a WHERE a.id IN (SELECT value FROM json_each(@ids)) AND ${isAccess('a')} AND ${unproven('a')} AND before IS NOT NULL`,
      { ids: JSON.stringify([...ids]) },
    );
  }
  // The rows, read once, in log order.
  const build = auditRecordBuilder(terms);
  const rows = db.prepare(`SELECT ${AUDIT_ROW_COLUMNS} FROM log_index_records WHERE id IN (SELECT value FROM json_each(?)) ORDER BY at_ms, id`).raw();
  let fed = 0;
  for (const row of rows.iterate(JSON.stringify([...ids])) as Iterable<AuditRow>) {
    const r = build(row);
    beforePush(r);
    engine.pushAudit(r);
    fed += 1;
  }

  if (enabled(['volume.unusual'])) feedVolumeDays(db, engine, config, window);

  const count = (sql: string): number => db.prepare(sql).pluck().get(params) as number;
  return {
    fed,
    records: count('SELECT count(*) FROM log_index_records INDEXED BY log_index_records_by_at WHERE at_ms >= @from AND at_ms <= @to'),
    leadInRecords: count(`SELECT count(*) FROM log_index_records INDEXED BY log_index_records_by_type WHERE type IN (${lead}) AND at_ms >= @leadFrom AND at_ms < @from`),
  };
}

/**
 * Searches+views per operator term id and JST day number in [fromMs, toMs] (inclusive), days
 * ascending: whole days from log_index_lookup_days (migration 12, kept by the indexer), the partial
 * days at either end counted from the index rows.
 */
export function lookupDayCounts(db: ServerDb, fromMs: number, toMs: number): Map<number, [number, number][]> {
  const out = new Map<number, [number, number][]>();
  if (toMs < fromMs) return out;
  const terms = termTable(db);
  const firstWhole = Math.ceil((fromMs + JST_OFFSET_MS) / DAY_MS);
  const lastWhole = Math.floor((toMs + 1 + JST_OFFSET_MS) / DAY_MS) - 1;
  const rows: [number, number, number][] = [];
  const raw = lookupRowsSql(terms.id('type', 'resident.search'), terms.id('type', 'resident.viewed'), `operator, (at_ms + ${JST_OFFSET_MS}) / ${DAY_MS} AS day`);
  const countRaw = (from: number, to: number): void => {
    if (raw === null || to < from) return;
    rows.push(...(db.prepare(`SELECT operator, day, count(*) FROM (${raw}) GROUP BY operator, day`).raw().all({ from, to }) as [number, number, number][]));
  };
  if (lastWhole < firstWhole) countRaw(fromMs, toMs);
  else {
    countRaw(fromMs, firstWhole * DAY_MS - JST_OFFSET_MS - 1);
    rows.push(...(db.prepare('SELECT operator, day, lookups FROM log_index_lookup_days WHERE day >= ? AND day <= ? AND lookups > 0').raw().all(firstWhole, lastWhole) as [number, number, number][]));
    countRaw((lastWhole + 1) * DAY_MS - JST_OFFSET_MS, toMs);
  }
  rows.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  for (const [operator, day, n] of rows) {
    let days = out.get(operator);
    if (!days) out.set(operator, (days = []));
    days.push([day, n]);
  }
  return out;
}

/** lookupCounts (findings.ts) from the day counts: per operator id, the counts of their days, oldest first. */
export function lookupHistoryFast(db: ServerDb, fromMs: number, toMs: number): Map<string, number[]> {
  const terms = termTable(db);
  const out = new Map<string, number[]>();
  for (const [operator, days] of lookupDayCounts(db, fromMs, toMs - 1)) {
    const id = terms.value(operator);
    if (id !== null) out.set(id, days.map(([, n]) => n));
  }
  return out;
}

/** The volume rule's days of [from, to] (FindingsEngine.pushVolumeDay); what a finding shows is read only for an unusual day. */
function feedVolumeDays(db: ServerDb, engine: FindingsEngine, config: AuditConfig, window: FeedWindow): void {
  const terms = termTable(db);
  const search = terms.id('type', 'resident.search');
  const view = terms.id('type', 'resident.viewed');
  if (search === undefined && view === undefined) return;
  const lookup = `(r.type = ${view ?? -1} OR (r.type = ${search ?? -1} AND r.outcome = 0))`;
  const dayRows = db
    .prepare(`SELECT r.terminal, r.seq, r.at_ms FROM log_index_records r INDEXED BY log_index_records_by_operator WHERE r.operator = @operator AND r.at_ms >= @from AND r.at_ms <= @to AND ${lookup} ORDER BY r.at_ms, r.id`)
    .raw();
  const max = Math.ceil(config.maxRowsPerFinding);
  for (const [operator, days] of lookupDayCounts(db, window.fromMs, window.toMs)) {
    const operatorId = terms.value(operator);
    if (operatorId === null) continue;
    for (const [day, count] of days) {
      const dayStart = day * DAY_MS - JST_OFFSET_MS;
      const range = { operator, from: Math.max(dayStart, window.fromMs), to: Math.min(dayStart + DAY_MS - 1, window.toMs) };
      engine.pushVolumeDay(operatorId, {
        ymd: jstYmd(dayStart),
        count,
        details: () => {
          const rows: RowRef[] = [];
          const terminals = new Set<string>();
          let first = Infinity;
          let last = -Infinity;
          for (const [t, seq, at] of dayRows.iterate(range) as Iterable<[number, number, number]>) {
            const terminalId = terms.value(t) ?? '';
            if (rows.length < max) rows.push({ terminalId, seq });
            terminals.add(terminalId);
            if (at < first) first = at;
            if (at > last) last = at;
          }
          return { firstAt: toIso(first), lastAt: toIso(last), terminals, rows };
        },
      });
    }
  }
}
