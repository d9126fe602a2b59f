// The directory the findings hold in memory (src/server/audit/directory-cache.ts) is kept current
// incrementally: after residents change, move, leave the town, arrive, and after the directory is
// replaced (a new epoch), what it hands out equals a fresh read of the database — residents, ids and
// surname shares — and the findings computed with it equal those of a connection that reads afresh.
// Unchanged residents keep their objects (proof that only the changed rows were read again).
// And the server's warm-up for the spot checks (src/server/audit/spot-check-warmup.ts): run after
// every start, it reads and computes what the manager's first findings request would otherwise pay
// for. It must write nothing, change no finding, work on an empty server, and report each step.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { surnameShares } from '../../src/domain/audit/person-match';
import type { AuditResident } from '../../src/domain/audit/types';
import { jstStartOfDay } from '../../src/domain/calendar/jst';
import { withCheckDigit } from '../../src/domain/resident/resident-code';
import { directoryView, setWholeDirectoryMax, warmDirectory } from '../../src/server/audit/directory-cache';
import { findingsForPeriod } from '../../src/server/audit/findings';
import { SPOT_CHECK_WARMUP, warmSpotChecks } from '../../src/server/audit/spot-check-warmup';
import { startServer } from '../../src/server/app';
import { DAY_MS } from '../../src/server/clock';
import { moveResidents, seedResidents } from '../../src/server/admin/residents';
import { openServerDb, type ServerDb } from '../../src/server/db/open';
import { seedHistory } from '../../src/server/demo/seed-history';
import { getResident, updateResident, upsertResident } from '../../src/server/store/residents';

const START = Date.parse('2026-11-25T10:00:00+09:00');
const clock = { now: (): number => START };

let dir: string;
let db: ServerDb;

/** What a fresh read of the database says. */
function fresh(): { residents: Map<string, AuditResident>; shares: Map<string, number> } {
  const rows = db.prepare('SELECT id, name, kana, address, household_id AS householdId, status FROM residents').all() as (AuditResident & { status: string })[];
  const residents = new Map(rows.map(({ status: _s, ...r }) => [r.id, r]));
  return { residents, shares: surnameShares(rows.filter((r) => r.status === 'resident')) };
}

function expectCurrent(label: string): void {
  const view = directoryView(db);
  const want = fresh();
  const ids = view.ids();
  expect(ids, label).not.toBeNull();
  expect(new Set(ids!), label).toEqual(new Set(want.residents.keys()));
  for (const [id, r] of want.residents) expect(view.get(id), `${label}: ${id}`).toEqual(r);
  expect(view.get('no-such-resident'), label).toBeUndefined();
  const shares = view.surnameShares();
  expect(shares.size, label).toBe(want.shares.size);
  for (const [family, share] of want.shares) expect(shares.get(family), `${label}: ${family}`).toBeCloseTo(share, 12);
}

/** Every table's row count: what a write would change. */
function tableCounts(target: ServerDb): Record<string, number> {
  const tables = target.prepare("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").pluck().all() as string[];
  return Object.fromEntries(tables.map((t) => [t, target.prepare(`SELECT count(*) FROM "${t}"`).pluck().get() as number]));
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'kumiyama-directory-cache-'));
  db = openServerDb(dir, START).db;
  await seedHistory(db, { clock, days: 30, dataDir: dir });
}, 120_000);

afterAll(() => {
  db?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('the directory held for the findings', () => {
  it('is read whole once, then follows changes by version only', () => {
    const warmed = warmDirectory(db);
    expect(warmed.whole).toBe(true);
    expect(warmed.residents).toBe(fresh().residents.size);
    expectCurrent('after warm-up');

    const view = directoryView(db);
    const ids = [...view.ids()!];
    const [renamed, leaving, untouched] = [ids[3]!, ids[7]!, ids[11]!];
    const untouchedBefore = view.get(untouched);
    const renamedBefore = view.get(renamed);

    // A change of family name, a resident leaving the town, one arriving, fifty moving.
    updateResident(db, renamed, (r) => ({ ...r, kana: `ワタナベ ${r.kana.split(/\s+/)[1] ?? 'ハナコ'}` }), START);
    updateResident(db, leaving, (r) => ({ ...r, status: 'moved-out' }), START);
    const template = getResident(db, ids[0]!)!;
    const { version: _v, ...record } = template;
    upsertResident(db, { ...record, id: 'newcomer-1', code: withCheckDigit('9999999999'), kana: 'ツバキ ミナミ', name: '椿 南' }, START);
    moveResidents(db, { count: 50, seed: 7, clock });
    expectCurrent('after changes');

    const after = directoryView(db);
    expect(after.get(untouched), 'an unchanged resident keeps its object').toBe(untouchedBefore);
    expect(after.get(renamed)).not.toBe(renamedBefore);
    expect(after.get(renamed)!.kana.startsWith('ワタナベ')).toBe(true);
  });

  it('gives the same findings as a connection that reads the directory afresh', () => {
    moveResidents(db, { count: 80, seed: 11, clock });
    const period = { fromMs: jstStartOfDay('2026-10-26'), toMs: jstStartOfDay('2026-11-25') - 1 };
    const held = findingsForPeriod(db, period, { now: START });
    const other = openServerDb(dir, START).db;
    try {
      const afresh = findingsForPeriod(other, period, { now: START });
      expect(held.findings).toEqual(afresh.findings);
      expect(held.findings.length).toBeGreaterThan(0);
    } finally {
      other.close();
    }
  });

  it('above the whole-directory limit looks residents up one by one, with the same answers and the same findings', () => {
    const period = { fromMs: jstStartOfDay('2026-10-26'), toMs: jstStartOfDay('2026-11-25') - 1 };
    const whole = findingsForPeriod(db, period, { now: START });
    const other = openServerDb(dir, START).db;
    try {
      setWholeDirectoryMax(other, 10);
      const view = directoryView(other);
      expect(view.ids()).toBeNull();
      const want = fresh();
      for (const id of [...want.residents.keys()].slice(0, 200)) expect(view.get(id), id).toEqual(want.residents.get(id));
      expect(view.get('no-such-resident')).toBeUndefined();
      const shares = view.surnameShares();
      expect(shares.size).toBe(want.shares.size);
      for (const [family, share] of want.shares) expect(shares.get(family), family).toBeCloseTo(share, 12);
      const oneByOne = findingsForPeriod(other, period, { now: START });
      expect(whole.findings.some((f) => f.rule.startsWith('relation.'))).toBe(true);
      expect(oneByOne.findings).toEqual(whole.findings);
      // A change of the directory is seen on that path too.
      const id = [...want.residents.keys()][9]!;
      updateResident(db, id, (r) => ({ ...r, address: `${r.address}2` }), START);
      expect(directoryView(other).get(id)).toEqual(fresh().residents.get(id));
      expect(directoryView(other).get(id)!.address).toBe(`${want.residents.get(id)!.address}2`);
    } finally {
      other.close();
    }
  });

  it('keeps a derived value until the directory or its key changes', () => {
    let computed = 0;
    const compute = (): number => ++computed;
    expect(directoryView(db).derived('k1', compute)).toBe(1);
    expect(directoryView(db).derived('k1', compute)).toBe(1);
    expect(directoryView(db).derived('k2', compute)).toBe(2);
    const id = [...directoryView(db).ids()!][5]!;
    updateResident(db, id, (r) => ({ ...r, address: `${r.address}1` }), START);
    expect(directoryView(db).derived('k2', compute)).toBe(3);
  });

  it('judges relations by the roster as it is now (the residents concerned are computed again after a roster change)', () => {
    const period = { fromMs: jstStartOfDay('2026-10-26'), toMs: jstStartOfDay('2026-11-25') - 1 };
    findingsForPeriod(db, period, { now: START });
    // An operator takes the name, kana and address of a resident someone opened: a relation now.
    const opened = db.prepare("SELECT resident_id FROM log_index_residents ORDER BY at_ms DESC LIMIT 1").pluck().get() as string;
    const resident = getResident(db, opened)!;
    const op = db.prepare("SELECT id FROM operators ORDER BY id LIMIT 1").pluck().get() as string;
    db.prepare('UPDATE operators SET name = ?, kana = ?, resident_id = ? WHERE id = ?').run(resident.name, resident.kana, resident.id, op);
    const held = findingsForPeriod(db, period, { now: START });
    const other = openServerDb(dir, START).db;
    try {
      expect(held.findings).toEqual(findingsForPeriod(other, period, { now: START }).findings);
    } finally {
      other.close();
    }
  });

  it('is read again when the directory is replaced (a new epoch)', () => {
    const before = directoryView(db);
    const someId = [...before.ids()!][0]!;
    seedResidents(db, { count: 300, seed: 5, replace: true, clock });
    expectCurrent('after replacement');
    const after = directoryView(db);
    expect([...after.ids()!]).toHaveLength(300);
    if (after.get(someId)) expect(after.get(someId)).not.toBe(before.get(someId));
  });
});

describe('the spot checks warm-up', () => {
  it('runs every step on an empty server', () => {
    const emptyDir = mkdtempSync(join(tmpdir(), 'kumiyama-spot-check-warmup-empty-'));
    const empty = openServerDb(emptyDir, START).db;
    try {
      const before = tableCounts(empty);
      const steps = warmSpotChecks(empty, START);
      expect(steps.map((s) => s.name)).toEqual(SPOT_CHECK_WARMUP.map((s) => s.name));
      expect(steps.filter((s) => s.error !== undefined)).toEqual([]);
      expect(tableCounts(empty)).toEqual(before);
    } finally {
      empty.close();
      rmSync(emptyDir, { recursive: true, force: true });
    }
  });

  it('writes nothing and leaves every finding as a fresh connection computes it', () => {
    const before = tableCounts(db);
    const changes = db.prepare('SELECT total_changes()').pluck();
    const changed = changes.get() as number;
    const steps = warmSpotChecks(db, START);
    expect(steps.filter((s) => s.error !== undefined)).toEqual([]);
    expect(changes.get()).toBe(changed);
    expect(tableCounts(db)).toEqual(before);

    const period = { fromMs: START - 28 * DAY_MS, toMs: START };
    const warmed = findingsForPeriod(db, period, { now: START });
    const other = openServerDb(dir, START).db;
    try {
      const cold = findingsForPeriod(other, period, { now: START });
      expect(warmed.findings.length).toBeGreaterThan(0);
      expect(warmed.findings).toEqual(cold.findings);
    } finally {
      other.close();
    }
  });

  it('runs after the server starts, step by step, and reports each step', async () => {
    const server = await startServer({ dataDir: dir, port: 0, clock, checkpointIntervalMs: 0, logIndexIntervalMs: 0 });
    try {
      const steps = await server.spotCheckWarmup;
      expect(steps.map((s) => s.name)).toEqual(SPOT_CHECK_WARMUP.map((s) => s.name));
      expect(steps.filter((s) => s.error !== undefined)).toEqual([]);
      for (const step of steps) expect(step.ms).toBeGreaterThanOrEqual(0);
    } finally {
      await server.close();
    }
  }, 30_000);

  it('settles when the server closes before it ran', async () => {
    const server = await startServer({ dataDir: dir, port: 0, clock, checkpointIntervalMs: 0, logIndexIntervalMs: 0 });
    await server.close();
    expect(await server.spotCheckWarmup).toEqual([]);
  });
});
