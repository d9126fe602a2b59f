// Issue 5 acceptance benchmark: a REAL operation log of N records (default 20,000,000: 7 years of 20
// terminals) in a fresh server database — every record sealed in its terminal's SHA-256 chain and
// stored as ingest stores it (insertLogRecords: chunks of canonical JSON, per-chunk ranges), the query
// index written with the indexer's own functions (indexEntryOf + insertIndexEntries, from the records
// in memory instead of re-reading the chunks) — then timed:
//   - all findings for one month (findingsForPeriod, every rule): p95 ≤ 2 s;
//   - filtered explorer pages: p95 ≤ 100 ms;
//   - "who looked at my record" over the 7 years: p95 ≤ 100 ms.
// The log is a town hall's: each terminal has one operator a working day (120 operators, 1.6% of
// days someone else), sign-in with card and password, lunch lock, cases of purpose → search (1–3 shown)
// → views → (print) → end, some wrong passwords, a few after-hours sign-ins.
// `npx tsx bench/audit-findings.ts` (AUDIT_BENCH_RECORDS=2000000 for a quick run; AUDIT_BENCH_KEEP=DIR keeps the
// database and times it again when run with the same DIR; AUDIT_BENCH_RECORDS=720000 AUDIT_BENCH_YEARS=0.25: three
// months at the density of 20,000,000 records in 7 years).
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, statSync, readdirSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { addDays, jstAt, jstStartOfDay, jstYmd } from '../src/domain/calendar/jst';
import { openingWindow } from '../src/domain/calendar/hours';
import { packIdList } from '../src/domain/log/id-list';
import { GENESIS_HASH, type DetailValue, type LogRecord, type LogRecordBody } from '../src/domain/log/log-record';
import { DEFAULT_PURPOSE_CATEGORIES } from '../src/domain/resident/purpose';
import { seedResidents } from '../src/server/admin/residents';
import type { AuditPeriod } from '../src/server/audit/audit-filters';
import { warmSpotChecks } from '../src/server/audit/spot-check-warmup';
import { findingsForPeriod } from '../src/server/audit/findings';
import { explorerPage, type ExplorerFilter } from '../src/server/audit/log-explorer';
import { residentAccesses } from '../src/server/audit/resident-accesses';
import { openServerDb, type ServerDb } from '../src/server/db/open';
import { indexEntryOf } from '../src/server/services/log-indexer';
import { CanonicalBatch } from '../src/server/services/log-record-hash';
import { insertIndexEntries, setIndexProgress } from '../src/server/store/log-index';
import { insertLogRecords } from '../src/server/store/log-records';
import { formatSummary, summarize, type Summary } from './stats';

export const FINDINGS_MONTH_TARGET_MS = 2000;
export const AUDIT_QUERY_TARGET_MS = 100;
const DAY = 86_400_000;
/** Years the log spans (AUDIT_BENCH_YEARS: a shorter span at the same density for a quick run). */
const YEARS = Number(process.env.AUDIT_BENCH_YEARS ?? 7);
const TERMINALS = 20;
const OPERATORS = 120;
const RESIDENTS = 100_000;
const READER = 'Virtual PCD 00 00';

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const opId = (i: number) => `op-${String(i + 1).padStart(3, '0')}`;
const termIdOf = (i: number) => `term-${String(i + 1).padStart(2, '0')}`;
const cardOf = (i: number) => createHash('sha256').update(`bench-card-${i}`).digest('hex');

/** A terminal's chain while the log is written. */
interface TerminalState {
  id: string;
  seq: number;
  prevHash: string;
  canonical: CanonicalBatch;
  pending: LogRecord[];
}

/** The roster, cards and terminals (the findings' context), and residents for the relation rules. */
function setUp(db: ServerDb, start: number): string[] {
  const clock = { now: () => start };
  seedResidents(db, { count: RESIDENTS, seed: 42, clock });
  const ids = db.prepare('SELECT id FROM residents ORDER BY id').pluck().all() as string[];
  db.transaction(() => {
    for (let i = 0; i < OPERATORS; i++) {
      db.prepare(
        `INSERT INTO operators (id, name, kana, role, approved_by, since, until, status, password_hash, password_set_at, password_temporary, resident_id)
         VALUES (?, ?, ?, ?, 'bench', ?, NULL, 'active', 'scrypt$bench', ?, 0, ?)`,
      ).run(opId(i), `職員 ${i + 1}`, `ショクイン ${i + 1}`, i === 0 ? 'manager' : 'operator', start - 30 * DAY, start, ids[(i * 797) % ids.length]!);
      // The certificate is not read by the findings; the key id is what the log names.
      db.prepare(`INSERT INTO cards (key_id, certificate_der, operator_id, status, issued_at) VALUES (?, ?, ?, 'active', ?)`).run(cardOf(i), Buffer.from('bench'), opId(i), start - 30 * DAY);
    }
    for (let t = 0; t < TERMINALS; t++) {
      db.prepare('INSERT INTO terminals (id, name, secret_sha256, registered_at) VALUES (?, ?, ?, ?)').run(termIdOf(t), `窓口${t + 1}`, '0'.repeat(64), start - 30 * DAY);
    }
  })();
  return ids;
}

/** Writes about `n` records, day by day over YEARS ending at `end`; returns the count written. */
function build(db: ServerDb, n: number, end: number, residents: readonly string[]): number {
  const next = rng(7);
  const int = (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1));
  const startDay = jstYmd(end - YEARS * 365 * DAY);
  const days: { ymd: string; opensAt: number; closesAt: number }[] = [];
  for (let d = startDay; jstStartOfDay(d) < end; d = addDays(d, 1)) {
    const w = openingWindow(d, []);
    if (w) days.push({ ymd: d, opensAt: w.opensAt, closesAt: w.closesAt });
  }
  // Records per terminal-day: a session (~20) and cases of ~6 records.
  const perTerminalDay = n / (days.length * TERMINALS);
  // A session is about 12 records; a case 4.55 on average (stated, search, 1.3 views, 0.245 prints, ended).
  const casesPerDay = Math.max(1, (perTerminalDay - 12) / 4.55);
  const terminals: TerminalState[] = Array.from({ length: TERMINALS }, (_, t) => ({ id: termIdOf(t), seq: 0, prevHash: GENESIS_HASH, canonical: new CanonicalBatch(1 << 20), pending: [] }));
  const needsCase = DEFAULT_PURPOSE_CATEGORIES.filter((c) => c.needsCaseNumber).map((c) => c.id);
  const noCase = DEFAULT_PURPOSE_CATEGORIES.filter((c) => !c.needsCaseNumber).map((c) => c.id);
  let written = 0;
  let receipt = 0;
  let dayNo = 0;

  const emit = (t: TerminalState, at: number, type: string, outcome: LogRecord['outcome'], operatorId: string | null, cardKeyId: string | null, detail: Record<string, DetailValue> = {}): void => {
    t.seq += 1;
    const body: LogRecordBody = { terminalId: t.id, seq: t.seq, prevHash: t.prevHash, at: new Date(Math.round(at)).toISOString(), clockOffsetMs: 0, type, outcome, operatorId, cardKeyId, detail };
    const hash = t.canonical.append(body);
    t.prevHash = hash;
    t.pending.push({ ...body, hash });
  };

  for (const day of days) {
    if (written >= n) break;
    const batch: { t: TerminalState; receivedAt: number }[] = [];
    for (let ti = 0; ti < TERMINALS; ti++) {
      const t = terminals[ti]!;
      const opIndex = next() < 0.984 ? (ti * 6 + (day.ymd.charCodeAt(9) % 6)) % OPERATORS : int(0, OPERATORS - 1);
      const op = opId(opIndex);
      const card = cardOf(opIndex);
      let at = day.opensAt + int(1, 15) * 60_000;
      emit(t, at, 'card.inserted', 'info', null, null, { reader: READER });
      emit(t, (at += 1000), 'card.authenticated', 'success', op, card, { reader: READER });
      if (next() < 0.03) emit(t, (at += 8000), 'signin.failure', 'failure', op, card, { reason: 'wrong-password', failedAttempts: 1, unlock: false });
      emit(t, (at += 9000), 'signin.password-ok', 'success', op, card, { mustChange: null });
      emit(t, (at += 1000), 'session.signed-in', 'success', op, card);
      // Cases spread evenly over the day (the lunch hour left out), each about a minute long.
      const sessionStart = at;
      const noon = jstAt(day.ymd, 12 * 60);
      const step = (day.closesAt - 40 * 60_000 - sessionStart - 3_600_000) / (casesPerDay + 1);
      let lunch = false;
      const cases = Math.floor(casesPerDay) + (next() < casesPerDay % 1 ? 1 : 0);
      for (let c = 0; c < cases; c++) {
        let slot = sessionStart + (c + 0.5 + next() * 0.3) * step;
        if (slot >= noon) slot += 3_600_000;
        if (!lunch && slot >= noon) {
          lunch = true;
          at = Math.max(at + 1000, noon);
          emit(t, at, 'session.locked', 'info', op, null, { cause: 'card-removed' });
          emit(t, (at += 1000), 'card.removed', 'info', null, null, { reader: READER });
          at += 3_300_000;
          emit(t, at, 'card.inserted', 'info', null, null, { reader: READER });
          emit(t, (at += 1000), 'card.authenticated', 'success', op, card, { reader: READER });
          emit(t, (at += 6000), 'session.unlock-password', 'success', op, card, { mustChange: null });
          emit(t, (at += 1000), 'session.unlocked', 'info', op, null);
        }
        at = Math.max(at + 1000, slot);
        const withCase = next() < 0.7;
        const purposeCategory = withCase ? needsCase[int(0, needsCase.length - 1)]! : noCase[int(0, noCase.length - 1)]!;
        const caseNumber = withCase ? `${day.ymd.slice(2, 4)}-${String(++receipt % 100000).padStart(5, '0')}` : null;
        const p = { purposeCategory, caseNumber };
        emit(t, (at += 1000), 'purpose.stated', 'info', op, null, { ...p, note: withCase ? null : `福祉課からの依頼（文書番号${int(1, 99999)}）` });
        const target = int(0, residents.length - 1);
        const shown = next() < 0.2 ? [residents[target]!, residents[int(0, residents.length - 1)]!] : [residents[target]!];
        emit(t, (at += 20_000), 'resident.search', 'success', op, null, { ...p, criteria: 'kana+birthDate', hits: shown.length, truncated: false, source: 'replica', replicaVersion: 1000, ...packIdList('shownIds', shown) });
        emit(t, (at += 15_000), 'resident.viewed', 'success', op, null, { ...p, residentId: residents[target]! });
        if (next() < 0.3) emit(t, (at += 10_000), 'resident.viewed', 'success', op, null, { ...p, residentId: residents[Math.min(residents.length - 1, target + 1)]! });
        if (withCase && next() < 0.35) {
          emit(t, (at += 20_000), 'resident.printed', 'info', op, null, { ...p, residentId: residents[target]!, reason: 'juminhyo-copy', note: null, contents: 'name,address,birthDate,household', codeMasked: true });
        }
        emit(t, (at += 15_000), 'purpose.ended', 'info', op, null, p);
      }
      at = Math.min(at + 5 * 60_000, day.closesAt - 16 * 60_000);
      emit(t, at, 'session.signed-out', 'info', op, null, { reason: 'operator' });
      emit(t, (at += 1000), 'card.removed', 'info', null, null, { reader: READER });
      if (next() < 0.002) {
        // Now and then someone comes back after hours.
        at = day.closesAt + int(30, 90) * 60_000;
        emit(t, at, 'card.inserted', 'info', null, null, { reader: READER });
        emit(t, (at += 1000), 'card.authenticated', 'success', op, card, { reader: READER });
        emit(t, (at += 9000), 'signin.password-ok', 'success', op, card, { mustChange: null });
        emit(t, (at += 1000), 'session.signed-in', 'success', op, card);
      }
      batch.push({ t, receivedAt: Math.round(at) + 5 * 60_000 });
    }
    // Store as ingest does (each terminal's day in chunks), and index in time order of the day.
    if (dayNo++ % 20 === 0) {
      if (db.inTransaction) db.exec('COMMIT');
      db.exec('BEGIN');
    }
    (() => {
      const entries = [];
      for (const { t, receivedAt } of batch) {
        insertLogRecords(db, t.pending, t.canonical, 0, receivedAt);
        for (const r of t.pending) entries.push(indexEntryOf(r));
        written += t.pending.length;
        t.pending = [];
        t.canonical = new CanonicalBatch(1 << 20);
      }
      entries.sort((a, b) => a.atMs - b.atMs);
      insertIndexEntries(db, entries);
    })();
  }
  if (db.inTransaction) db.exec('COMMIT');
  db.transaction(() => {
    for (const t of terminals) setIndexProgress(db, { terminalId: t.id, indexedSeq: t.seq, prunedSeq: 0, indexedAt: end });
    for (const t of terminals) db.prepare('UPDATE terminals SET last_contact_at = ? WHERE id = ?').run(end, t.id);
  })();
  db.exec('ANALYZE');
  return written;
}

export interface FindingsBenchResult {
  records: number;
  buildSeconds: number;
  databaseMb: number;
  month: Summary;
  /** The server's warm-up at its start (audit/spot-check-warmup.ts), each step's ms. */
  warm: { name: string; ms: number }[];
  /** The first findings call after the warm-up (counts against the target like the others). */
  coldMs: number;
  monthRecords: number;
  findingsPerMonth: number;
  page: Summary;
  whoLooked: Summary;
}

function time<T>(f: () => T): [T, number] {
  const t0 = performance.now();
  const value = f();
  return [value, performance.now() - t0];
}

function dirSizeMb(dir: string): number {
  return readdirSync(dir).reduce((sum, f) => sum + statSync(join(dir, f)).size, 0) / 1e6;
}

export function runFindingsBench(records: number, options: { months?: number; samples?: number; keep?: string } = {}): FindingsBenchResult {
  const dir = options.keep ?? mkdtempSync(join(tmpdir(), 'kumiyama-bench-findings-'));
  const end = Date.parse('2026-11-01T00:00:00+09:00');
  const reuse = options.keep !== undefined && existsSync(join(dir, 'server.sqlite'));
  try {
    const { db } = openServerDb(dir, end);
    db.pragma('synchronous = NORMAL');
    let buildMs = 0;
    let written = records;
    if (!reuse) {
      // Building is set-up, not what is measured: no journal, no fsync, a large page cache.
      db.pragma('journal_mode = OFF');
      db.pragma('synchronous = OFF');
      db.pragma('cache_size = -400000');
      [written, buildMs] = time(() => build(db, records, end, setUp(db, end - YEARS * 365 * DAY - 40 * DAY)));
      db.pragma('cache_size = -2000');
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = FULL');
    } else {
      written = db.prepare('SELECT count(*) FROM log_index_records').pluck().get() as number;
    }
    const next = rng(11);
    // Whole JST months, latest first, spread over the 7 years.
    const months = options.months ?? 8;
    const month: number[] = [];
    // What the server does once after its start (app.ts, audit/spot-check-warmup.ts): the directory,
    // the findings of the last day, the recent log's pages. Then the first findings call.
    const warm = warmSpotChecks(db, end);
    const [, coldMs] = time(() => findingsForPeriod(db, { fromMs: end - 31 * DAY, toMs: end - 1 }, { now: end }));
    let monthRecords = 0;
    let findingsPerMonth = 0;
    for (let i = 0; i < months; i++) {
      const back = i === 0 || YEARS * 12 < 4 ? 1 : 1 + Math.floor(next() * (YEARS * 12 - 3));
      const d = new Date(end + 9 * 3_600_000);
      const y = d.getUTCFullYear();
      const m = d.getUTCMonth() - back;
      const first = new Date(Date.UTC(y, m, 1));
      const last = new Date(Date.UTC(y, m + 1, 0));
      const ymd = (x: Date) => x.toISOString().slice(0, 10);
      const period: AuditPeriod = { fromMs: jstStartOfDay(ymd(first)), toMs: jstStartOfDay(ymd(last)) + DAY - 1 };
      const [result, ms] = time(() => findingsForPeriod(db, period, { now: end }));
      month.push(ms);
      monthRecords = Math.max(monthRecords, result.basis.records);
      findingsPerMonth = Math.max(findingsPerMonth, result.findings.length);
    }
    const samples = options.samples ?? 200;
    const ops = Array.from({ length: OPERATORS }, (_, i) => opId(i));
    const period = (days: number): AuditPeriod => {
      const to = end - Math.floor(next() * (YEARS * 365 - days)) * DAY;
      return { fromMs: to - days * DAY, toMs: to };
    };
    const pick = <T>(values: readonly T[]): T => values[Math.floor(next() * values.length)]!;
    const filters: (() => ExplorerFilter)[] = [
      () => ({ period: period(31), operatorId: pick(ops) }),
      () => ({ period: period(365), terminalId: termIdOf(Math.floor(next() * TERMINALS)), type: { exact: 'resident.search' } }),
      () => ({ period: period(92), outcome: 'failure' }),
      () => ({ period: period(YEARS * 365 - 1), purposeCategory: pick(DEFAULT_PURPOSE_CATEGORIES).id }),
      () => ({ period: period(YEARS * 365 - 1), operatorId: pick(ops), type: { prefix: 'resident.' } }),
      () => ({ period: period(1) }),
      () => ({ period: period(365), operatorId: pick(ops), type: { exact: 'signin.failure' } }),
    ];
    const page: number[] = [];
    for (let i = 0; i < samples; i++) page.push(time(() => explorerPage(db, filters[i % filters.length]!(), 50, null))[1]);
    const residentIds = db.prepare('SELECT id FROM residents').pluck().all() as string[];
    const whoLooked: number[] = [];
    for (let i = 0; i < samples; i++) whoLooked.push(time(() => residentAccesses(db, pick(residentIds), 200, null))[1]);
    db.close();
    return {
      records: written,
      buildSeconds: buildMs / 1000,
      databaseMb: dirSizeMb(dir),
      month: summarize(month),
      warm,
      coldMs,
      monthRecords,
      findingsPerMonth,
      page: summarize(page),
      whoLooked: summarize(whoLooked),
    };
  } finally {
    if (options.keep === undefined) rmSync(dir, { recursive: true, force: true });
  }
}

export function formatFindingsBench(r: FindingsBenchResult): string[] {
  const ok = findingsBenchOk(r);
  return [
    `Spot-check findings on a real log of ${r.records.toLocaleString('en')} records (${TERMINALS} terminals, ${YEARS} years, hash-chained, stored as ingest stores them, indexed)`,
    `  built in ${r.buildSeconds.toFixed(0)} s, database ${r.databaseMb.toFixed(0)} MB`,
    formatSummary(`all findings for one month (≈${r.monthRecords.toLocaleString('en')} records)`, r.month),
    `  findings per month: up to ${r.findingsPerMonth}; first call after the server's start: ${r.coldMs.toFixed(0)} ms (the server's warm-up before it: ${r.warm.map((w) => `${w.name} ${w.ms.toFixed(0)} ms`).join(', ')})`,
    formatSummary('explorer: filtered first page (50 rows)', r.page),
    formatSummary('who looked at my record (7 years)', r.whoLooked),
    `target: one month ≤ ${FINDINGS_MONTH_TARGET_MS} ms (p95 and the first call), explorer p95 ≤ ${AUDIT_QUERY_TARGET_MS} ms, who-looked p95 ≤ ${AUDIT_QUERY_TARGET_MS} ms: ${ok ? 'met' : 'NOT MET'}`,
  ];
}

export function findingsBenchOk(r: FindingsBenchResult): boolean {
  return r.month.p95 <= FINDINGS_MONTH_TARGET_MS && r.coldMs <= FINDINGS_MONTH_TARGET_MS && r.page.p95 <= AUDIT_QUERY_TARGET_MS && r.whoLooked.p95 <= AUDIT_QUERY_TARGET_MS;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const records = Number(process.env.AUDIT_BENCH_RECORDS ?? 20_000_000);
  const result = runFindingsBench(records, { keep: process.env.AUDIT_BENCH_KEEP });
  for (const line of formatFindingsBench(result)) console.log(line);
}
