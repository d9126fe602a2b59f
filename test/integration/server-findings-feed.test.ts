// The findings' fast path (src/server/audit/findings-feed.ts: SQL picks the rows some rule can act
// on, the volume rule gets its days counted in SQL) against the plain path (every row of the period
// and the lead-in through the engine): on the generated history with its planted misuse, for whole
// months, a partial period with odd bounds, other thresholds, one rule, one operator — the findings
// must be identical, to the row. Then again after records arrive late (a terminal's rows indexed
// after everyone else's, so index order is no longer time order), after the index is rebuilt and
// after records are pruned — with the day counts of migration 12 equal to a recount each time.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditConfig } from '../../src/domain/audit/config';
import type { Finding } from '../../src/domain/audit/types';
import { jstStartOfDay } from '../../src/domain/calendar/jst';
import type { AuditPeriod } from '../../src/server/audit/audit-filters';
import { findingsForPeriod, type FindingsOptions } from '../../src/server/audit/findings';
import { openServerDb } from '../../src/server/db/open';
import type { ServerDb } from '../../src/server/db/open';
import { seedHistory, type SeedHistoryResult } from '../../src/server/demo/seed-history';
import { indexLogFully, rebuildLogIndex } from '../../src/server/services/log-indexer';
import { clearLogIndex, deletePrunedIndexRows, findTermId, setIndexProgress } from '../../src/server/store/log-index';

const START = Date.parse('2026-11-25T10:00:00+09:00');
const clock = { now: (): number => START };
const DAY = 86_400_000;

let dir: string;
let db: ServerDb;
let history: SeedHistoryResult;

/** Thresholds far from the defaults: more findings of every windowed and counted rule. */
const TIGHT: Partial<AuditConfig> = {
  manyOperatorsMin: 2,
  manyOperatorsWindowDays: 3,
  repeatedNoteMin: 2,
  repeatedNoteWindowDays: 10,
  nearClosingMinutes: 45,
  nearClosingMinAccesses: 1,
  volumeFloor: 8,
  volumeFactor: 1.5,
  volumeMinHistoryDays: 2,
  volumeBaselineDays: 5,
  minNoteChars: 12,
  minSpecificNoteChars: 8,
  failuresPerOperator: 1,
  failuresPerTerminal: 2,
  maxRowsPerFinding: 7,
};

function periods(): { label: string; period: AuditPeriod }[] {
  return [
    { label: 'the whole history', period: { fromMs: jstStartOfDay(history.from), toMs: jstStartOfDay(history.to) + DAY - 1 } },
    { label: 'September', period: { fromMs: jstStartOfDay('2026-09-01'), toMs: jstStartOfDay('2026-10-01') - 1 } },
    { label: 'October', period: { fromMs: jstStartOfDay('2026-10-01'), toMs: jstStartOfDay('2026-11-01') - 1 } },
    { label: 'odd bounds', period: { fromMs: Date.parse('2026-10-07T13:17:00+09:00'), toMs: Date.parse('2026-11-02T16:59:59.500+09:00') } },
  ];
}

function both(period: AuditPeriod, options: FindingsOptions = {}): { plain: Finding[]; fast: Finding[]; fed: number; read: number } {
  const plain = findingsForPeriod(db, period, { now: START, ...options, path: 'plain' });
  const fast = findingsForPeriod(db, period, { now: START, ...options });
  const { elapsedMs: _p, ...plainBasis } = plain.basis;
  const { elapsedMs: _f, ...fastBasis } = fast.basis;
  expect(fastBasis).toEqual(plainBasis);
  return { plain: plain.findings, fast: fast.findings, fed: fast.fedRecords, read: plain.fedRecords };
}

function expectSame(label: string, options: FindingsOptions = {}): number {
  let total = 0;
  for (const { label: which, period } of periods()) {
    const { plain, fast, fed, read } = both(period, options);
    expect(fast, `${label}: ${which}`).toEqual(plain);
    expect(fed, `${label}: ${which} reads fewer rows`).toBeLessThan(read);
    total += plain.length;
  }
  return total;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'kumiyama-findings-feed-'));
  db = openServerDb(dir, START).db;
  history = await seedHistory(db, { clock, days: 91, dataDir: dir });
}, 120_000);

afterAll(() => {
  db?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('fast path = plain path', () => {
  let baseline: Finding[];

  it('with the default rules: the same findings, every planted rule among them', () => {
    expect(lookupDays().length).toBeGreaterThan(100);
    expect(lookupDays()).toEqual(recountedLookupDays());
    const total = expectSame('defaults');
    expect(total).toBeGreaterThan(20);
    const whole = periods()[0]!.period;
    baseline = findingsForPeriod(db, whole, { now: START }).findings;
    const rules = new Set(baseline.map((f) => f.rule));
    for (const plant of history.plants) expect(rules.has(plant.rule), plant.rule).toBe(true);
  });

  it('with other thresholds (more findings of the windowed and counted rules)', () => {
    const total = expectSame('tight', { config: TIGHT });
    expect(total).toBeGreaterThan(periods().length * 20);
  });

  it('with one rule only, and for one operator', () => {
    for (const rule of ['purpose.vague-note', 'purpose.repeated-note', 'resident.many-operators', 'relation.same-surname', 'volume.unusual', 'hours.near-closing', 'signin.repeated-failures'] as const) {
      expectSame(rule, { rule, config: TIGHT });
    }
    const operator = history.plants.find((p) => p.operatorId !== null)!.operatorId!;
    expectSame('one operator', { operatorId: operator });
  });

  it('when a terminal\u2019s records reach the index late (after every other terminal\u2019s), and after a rebuild', () => {
    // Index everything again, one terminal's records last (they arrive late): index order is no
    // longer time order. Through the indexer's own path (progress set so that it skips them first).
    const terminalId = history.terminals[1]!;
    const [maxSeq] = db.prepare('SELECT max(seq) FROM log_index_records WHERE terminal = ?').raw().get(findTermId(db, 'terminal', terminalId)!) as [number];
    db.transaction(() => {
      clearLogIndex(db);
      setIndexProgress(db, { terminalId, indexedSeq: maxSeq, prunedSeq: 0, indexedAt: START });
    })();
    indexLogFully(db, START);
    const before = db.prepare('SELECT max(id) FROM log_index_records').pluck().get() as number;
    setIndexProgress(db, { terminalId, indexedSeq: 0, prunedSeq: 0, indexedAt: START });
    expect(indexLogFully(db, START).indexed).toBe(maxSeq);
    const terminal = findTermId(db, 'terminal', terminalId)!;
    const late = db.prepare('SELECT min(id) FROM log_index_records WHERE terminal = ?').pluck().get(terminal) as number;
    expect(late).toBeGreaterThan(before);
    expect(db.prepare('SELECT count(*) FROM log_index_records').pluck().get()).toBe(history.records);
    expect(lookupDays()).toEqual(recountedLookupDays());
    expectSame('late records');
    expect(findingsForPeriod(db, periods()[0]!.period, { now: START }).findings).toEqual(baseline);
    expectSame('late records, tight', { config: TIGHT });

    expect(lookupDays()).toEqual(recountedLookupDays());

    rebuildLogIndex(db, START);
    expect(lookupDays()).toEqual(recountedLookupDays());
    expectSame('rebuilt');
    expect(findingsForPeriod(db, periods()[0]!.period, { now: START }).findings).toEqual(baseline);
  });

  it('when records are pruned out of the index (the day counts follow)', () => {
    const terminalId = history.terminals[2]!;
    const terminal = findTermId(db, 'terminal', terminalId)!;
    // Everything of that terminal up to the middle of September.
    const [seq] = db.prepare('SELECT max(seq) FROM log_index_records WHERE terminal = ? AND at_ms < ?').raw().get(terminal, jstStartOfDay('2026-09-15')) as [number];
    const before = lookupDays();
    expect(db.transaction(() => deletePrunedIndexRows(db, terminalId, seq))()).toBeGreaterThan(100);
    const after = lookupDays();
    expect(after).not.toEqual(before);
    expect(after).toEqual(recountedLookupDays());
    expectSame('pruned');
    expectSame('pruned, tight', { config: TIGHT });
  });
});

/** log_index_lookup_days as stored (migration 12). */
function lookupDays(): [number, number, number][] {
  return db.prepare('SELECT day, operator, lookups FROM log_index_lookup_days ORDER BY day, operator').raw().all() as [number, number, number][];
}

/** The same counted again from the index rows. */
function recountedLookupDays(): [number, number, number][] {
  return db
    .prepare(
      `SELECT (r.at_ms + 32400000) / 86400000 AS day, r.operator, count(*) FROM log_index_records r JOIN log_index_terms t ON t.id = r.type
       WHERE r.operator IS NOT NULL AND (t.value = 'resident.viewed' OR (t.value = 'resident.search' AND r.outcome = 0))
       GROUP BY 1, 2 ORDER BY 1, 2`,
    )
    .raw()
    .all() as [number, number, number][];
}
