// The resident directory store (src/server/store/residents.ts) on a real SQLite file.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { moveWithinTown, syntheticResidents } from '../../src/domain/resident/synthetic-town';
import { toResidentRecord } from '../../src/server/admin/residents';
import { openServerDb, type ServerDb } from '../../src/server/db/open';
import {
  countResidents,
  getResident,
  resetResidentDirectory,
  residentChangesAfter,
  residentDirectory,
  residentRowJson,
  residentRowsAfter,
  updateResident,
  upsertResidents,
  type ResidentRecord,
} from '../../src/server/store/residents';
import { ResidentSchema } from '../../src/shared/resident-api';

let dir: string;
let db: ServerDb;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'kumiyama-residents-store-'));
  db = openServerDb(dir).db;
});

afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

const town = (count: number, seed = 1): ResidentRecord[] => [...syntheticResidents({ seed, count })].map(toResidentRecord);

describe('resident directory store', () => {
  it('writes in order with versions from the counter; a record written twice keeps only its latest', () => {
    const records = town(130);
    const again = { ...records[10]!, address: `${records[10]!.address}（再）` };
    // 131 records: two statements of 50 (the duplicate inside the second), then 31 one by one.
    const versions = upsertResidents(db, [...records.slice(0, 60), again, ...records.slice(60)], 1000);
    expect(versions).toEqual({ firstVersion: 1, lastVersion: 131 });
    expect(countResidents(db)).toBe(130);
    expect(residentDirectory(db).latestVersion).toBe(131);
    expect(getResident(db, again.id)).toEqual({ ...again, version: 61 });
    expect(getResident(db, records[129]!.id)).toEqual({ ...records[129]!, version: 131 });

    const changes = residentChangesAfter(db, 0, 1000);
    expect(changes).toHaveLength(130);
    expect(changes.map((r) => r.version)).toEqual([...changes.map((r) => r.version)].sort((a, b) => a - b));
    expect(new Set(changes.map((r) => r.id)).size).toBe(130);
    expect(residentChangesAfter(db, 60, 5).map((r) => r.version)).toEqual([61, 62, 63, 64, 65]);
    expect(residentChangesAfter(db, 131, 5)).toEqual([]);
    // The JSON of a row is the wire record.
    for (const row of residentRowsAfter(db, 0, 20)) expect(ResidentSchema.parse(JSON.parse(residentRowJson(row)))).toEqual(getResident(db, row[0]));
  });

  it('limits a page by size, at least one record', () => {
    upsertResidents(db, town(40), 0);
    const all = residentChangesAfter(db, 0, 40);
    const size = (n: number) => all.slice(0, n).reduce((sum, r) => sum + 3 * residentRowJson(residentRowsAfter(db, r.version - 1, 1)[0]!).length + 1, 0);
    expect(residentChangesAfter(db, 0, 40, size(7))).toHaveLength(7);
    expect(residentChangesAfter(db, 0, 40, size(7) - 1)).toHaveLength(6);
    expect(residentChangesAfter(db, 0, 40, 1)).toHaveLength(1);
  });

  it('updates a record with a new version; unknown ids change nothing', () => {
    const records = town(10);
    upsertResidents(db, records, 0);
    const target = records.find((r) => r.status === 'resident')!;
    const updated = updateResident(db, target.id, (r) => moveWithinTown(r, { seed: 1, date: '2026-05-01' }), 5);
    expect(updated?.version).toBe(11);
    expect(getResident(db, target.id)).toEqual(updated);
    expect(residentChangesAfter(db, 10, 10).map((r) => r.id)).toEqual([target.id]);
    expect(updateResident(db, 'R99999999', (r) => r, 5)).toBeUndefined();
    expect(() => updateResident(db, target.id, (r) => ({ ...r, id: 'R77777777' }), 5)).toThrow(/cannot change/);
    expect(residentDirectory(db).latestVersion).toBe(11);
  });

  it('refuses a record outside the contract or a code used by another resident, writing nothing of the batch', () => {
    const records = town(5);
    expect(() => upsertResidents(db, [...records, { ...records[0]!, id: 'R00000099', code: '123' }], 0)).toThrow(/does not fit the contract: code/);
    expect(() => upsertResidents(db, [{ ...records[0]!, extra: 1 } as ResidentRecord], 0)).toThrow(/does not fit the contract/);
    expect(() => upsertResidents(db, [...records, { ...records[1]!, id: 'R00000099' }], 0)).toThrow(/UNIQUE/);
    expect(countResidents(db)).toBe(0);
    expect(residentDirectory(db).latestVersion).toBe(0);
  });

  it('starts a new epoch when rebuilt; versions keep counting', () => {
    upsertResidents(db, town(5), 0);
    const { epoch } = residentDirectory(db);
    expect(epoch).toMatch(/^[0-9a-f]{32}$/);
    const next = resetResidentDirectory(db, 77);
    expect(next).not.toBe(epoch);
    expect(residentDirectory(db)).toEqual({ epoch: next, latestVersion: 5, epochStartedAt: 77 });
    expect(countResidents(db)).toBe(0);
    expect(upsertResidents(db, town(3, 2), 0)).toEqual({ firstVersion: 6, lastVersion: 8 });
  });
});
