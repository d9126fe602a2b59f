// The audit log explorer's query index (issue 5 benchmark): N index rows written straight into the
// index tables of a fresh server database (20 terminals, 120 operators, 7 years, searches showing a
// few of 1,000,000 residents), then filtered explorer pages and "who looked at my record" timed.
// Targets: filtered page p95 ≤ 100 ms, who-looked-at p95 ≤ 100 ms.
// `npx tsx bench/audit-log.ts` (2,000,000 rows) or AUDIT_BENCH_RECORDS=20000000 npx tsx bench/audit-log.ts.
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { openServerDb, type ServerDb } from '../src/server/db/open';
import type { AuditPeriod } from '../src/server/audit/audit-filters';
import { explorerPage, type ExplorerFilter } from '../src/server/audit/log-explorer';
import { residentAccesses } from '../src/server/audit/resident-accesses';
import { termId } from '../src/server/store/log-index';
import { formatSummary, summarize, type Summary } from './stats';

export const AUDIT_PAGE_TARGET_MS = 100;
const DAY = 86_400_000;
const YEARS = 7;
const TERMINALS = 20;
const OPERATORS = 120;
const RESIDENTS = 1_000_000;
const TYPES = [
  ['resident.search', 40],
  ['resident.viewed', 20],
  ['resident.code-revealed', 3],
  ['resident.printed', 2],
  ['purpose.stated', 8],
  ['purpose.ended', 7],
  ['session.signed-in', 3],
  ['session.locked', 5],
  ['session.signed-out', 3],
  ['card.inserted', 3],
  ['card.removed', 3],
  ['signin.failure', 1],
  ['admin.viewed', 1],
  ['server.unreachable', 1],
] as const;
const PURPOSES = ['moving-in', 'moving-out', 'moving-within', 'household-change', 'seal-registration', 'my-number-card', 'identity-check', 'family-register-inquiry', 'other-section-inquiry', 'copy-request'];

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (s * 1664525 + 1013904223) >>> 0), s / 2 ** 32);
}

const residentId = (n: number) => `R${String(n).padStart(7, '0')}`;

/** Writes N index rows (event times spread over YEARS ending at `end`) in transactions of 50,000. */
function build(db: ServerDb, n: number, end: number): void {
  const next = rng(7);
  const start = end - YEARS * 365 * DAY;
  const step = (end - start) / n;
  const typeTable: number[] = [];
  db.transaction(() => {
    for (const [type, weight] of TYPES) for (let i = 0; i < weight; i++) typeTable.push(termId(db, 'type', type));
  })();
  const typeName = new Map(TYPES.map(([type]) => [termId(db, 'type', type), type]));
  const terms = db.transaction(() => ({
    terminals: Array.from({ length: TERMINALS }, (_, i) => termId(db, 'terminal', `term-${String(i + 1).padStart(2, '0')}`)),
    operators: Array.from({ length: OPERATORS }, (_, i) => termId(db, 'operator', `op-${String(i + 1).padStart(3, '0')}`)),
    cards: Array.from({ length: OPERATORS }, (_, i) => termId(db, 'card', i.toString(16).padStart(64, '0'))),
    purposes: PURPOSES.map((p) => termId(db, 'purpose', p)),
  }))();
  const insert = db.prepare('INSERT INTO log_index_records (id, terminal, seq, at_ms, type, outcome, operator, card, purpose, case_number) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)');
  const resident = db.prepare('INSERT OR IGNORE INTO log_index_residents (resident_id, at_ms, record) VALUES (?, ?, ?)');
  const seqs = new Array<number>(TERMINALS).fill(0);
  const BATCH = 50_000;
  for (let from = 0; from < n; from += BATCH) {
    db.transaction(() => {
      for (let i = from; i < Math.min(n, from + BATCH); i++) {
        const t = Math.floor(next() * TERMINALS);
        const op = Math.floor(next() * OPERATORS);
        const type = typeTable[Math.floor(next() * typeTable.length)]!;
        const name = typeName.get(type)!;
        const at = Math.floor(start + i * step);
        const resident_ = name.startsWith('resident.');
        const purpose = resident_ || name.startsWith('purpose.') ? terms.purposes[Math.floor(next() * PURPOSES.length)]! : null;
        const outcome = name === 'signin.failure' || name === 'server.unreachable' ? 1 : name === 'resident.search' || name === 'resident.viewed' ? 0 : 2;
        const id = i + 1;
        insert.run(id, terms.terminals[t]!, ++seqs[t]!, at, type, outcome, terms.operators[op]!, name.startsWith('session.') || name.startsWith('card.') ? terms.cards[op]! : null, purpose, purpose === null ? null : next() < 0.8 ? 1 : 0);
        if (name === 'resident.search') for (let k = 0; k < 3; k++) resident.run(residentId(Math.floor(next() * RESIDENTS)), at, id);
        else if (resident_) resident.run(residentId(Math.floor(next() * RESIDENTS)), at, id);
      }
    })();
  }
  db.exec('ANALYZE');
}

export interface AuditBenchResult {
  records: number;
  buildSeconds: number;
  databaseMb: number;
  page: Summary;
  nextPage: Summary;
  whoLooked: Summary;
}

function time<T>(f: () => T): [T, number] {
  const t0 = performance.now();
  const value = f();
  return [value, performance.now() - t0];
}

export function runAuditLogBench(records: number, samples = 300): AuditBenchResult {
  const dir = mkdtempSync(join(tmpdir(), 'kumiyama-bench-audit-'));
  try {
    const end = Date.parse('2026-11-30T00:00:00Z');
    const { db } = openServerDb(dir, end);
    db.pragma('synchronous = NORMAL');
    const [, buildMs] = time(() => build(db, records, end));
    const next = rng(11);
    const pick = <T>(values: readonly T[]): T => values[Math.floor(next() * values.length)]!;
    const period = (days: number): AuditPeriod => {
      const to = end - Math.floor(next() * (YEARS * 365 - days)) * DAY;
      return { fromMs: to - days * DAY, toMs: to };
    };
    const op = () => `op-${String(1 + Math.floor(next() * OPERATORS)).padStart(3, '0')}`;
    const term = () => `term-${String(1 + Math.floor(next() * TERMINALS)).padStart(2, '0')}`;
    // The explorer's typical questions: one operator's month, a terminal's searches in a year, all failures of a
    // quarter, a purpose over 7 years, an operator's views of one type prefix over 7 years, a whole day.
    const filters: (() => ExplorerFilter)[] = [
      () => ({ period: period(31), operatorId: op() }),
      () => ({ period: period(365), terminalId: term(), type: { exact: 'resident.search' } }),
      () => ({ period: period(92), outcome: 'failure' }),
      () => ({ period: period(YEARS * 365 - 1), purposeCategory: pick(PURPOSES) }),
      () => ({ period: period(YEARS * 365 - 1), operatorId: op(), type: { prefix: 'resident.' } }),
      () => ({ period: period(1) }),
      () => ({ period: period(365), operatorId: op(), type: { exact: 'signin.failure' } }),
      () => ({ period: period(YEARS * 365 - 1), terminalId: term(), operatorId: op(), outcome: 'success' }),
    ];
    const page: number[] = [];
    const nextPage: number[] = [];
    for (let i = 0; i < samples; i++) {
      const filter = filters[i % filters.length]!();
      const [first, ms] = time(() => explorerPage(db, filter, 50, null));
      page.push(ms);
      if (first.next) nextPage.push(time(() => explorerPage(db, filter, 50, first.next))[1]);
    }
    const whoLooked: number[] = [];
    for (let i = 0; i < samples; i++) {
      const id = residentId(Math.floor(next() * RESIDENTS));
      whoLooked.push(time(() => residentAccesses(db, id, 200, null))[1]);
    }
    db.close();
    return {
      records,
      buildSeconds: buildMs / 1000,
      databaseMb: statSync(join(dir, 'server.sqlite')).size / 1e6,
      page: summarize(page),
      nextPage: summarize(nextPage),
      whoLooked: summarize(whoLooked),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const records = Number(process.env.AUDIT_BENCH_RECORDS ?? 2_000_000);
  const result = runAuditLogBench(records);
  console.log(`audit log index: ${records.toLocaleString('en')} records, built in ${result.buildSeconds.toFixed(1)} s, database ${result.databaseMb.toFixed(0)} MB`);
  console.log(formatSummary('explorer: filtered first page (50 rows)', result.page));
  console.log(formatSummary('explorer: next page (cursor)', result.nextPage));
  console.log(formatSummary('who looked at my record (7 years)', result.whoLooked));
  const ok = result.page.p95 <= AUDIT_PAGE_TARGET_MS && result.whoLooked.p95 <= AUDIT_PAGE_TARGET_MS;
  console.log(`target p95 ≤ ${AUDIT_PAGE_TARGET_MS} ms: ${ok ? 'met' : 'NOT met'}`);
}
