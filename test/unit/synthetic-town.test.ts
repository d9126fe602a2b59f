// The synthetic town (src/domain/resident/synthetic-town.ts): deterministic, valid and unique
// resident codes, consistent households and histories, variant kanji and all four eras present,
// and records that fit the wire contract.
import { beforeAll, describe, expect, it } from 'vitest';
import { checkResidentCode } from '../../src/domain/resident/resident-code';
import {
  ageOnIsoDate,
  eraOfIsoDate,
  generateTown,
  MAX_AGE,
  moveWithinTown,
  mulberry32,
  NAME_SEPARATOR,
  SYNTHETIC_DISTRICTS,
  SYNTHETIC_TOWN_AS_OF,
  SYNTHETIC_TOWN_NAME,
  syntheticResidentCode,
  syntheticResidents,
  type SyntheticHousehold,
  type SyntheticResident,
} from '../../src/domain/resident/synthetic-town';
import { DEMO_RESIDENTS } from '../../src/server/demo/demo-town';
import { ResidentSchema } from '../../src/shared/resident-api';

const KATAKANA_NAME = /^[\u30a1-\u30fc]+\u3000[\u30a1-\u30fc]+$/u;
const familyOf = (r: SyntheticResident): string => r.name.split(NAME_SEPARATOR)[0]!;
const familyKanaOf = (r: SyntheticResident): string => r.kana.split(NAME_SEPARATOR)[0]!;

/** Days between two YYYY-MM-DD dates (b − a). */
function daysBetween(a: string, b: string): number {
  return (Date.parse(`${b}T00:00:00Z`) - Date.parse(`${a}T00:00:00Z`)) / 86_400_000;
}

describe('determinism', () => {
  it('gives the same town for the same seed, another town for another seed', () => {
    const a = generateTown({ seed: 42, households: 300 });
    const b = generateTown({ seed: 42, households: 300 });
    expect(b).toEqual(a);
    const c = generateTown({ seed: 43, households: 300 });
    expect(c.residents.map((r) => r.name)).not.toEqual(a.residents.map((r) => r.name));
    expect(c.residents.map((r) => r.code)).not.toEqual(a.residents.map((r) => r.code));
  });

  it('streams exactly `count` residents; a shorter run is a prefix of a longer one', () => {
    const short = [...syntheticResidents({ seed: 9, count: 777 })];
    const long = [...syntheticResidents({ seed: 9, count: 2000 })];
    expect(short).toHaveLength(777);
    expect(long).toHaveLength(2000);
    expect(long.slice(0, 777)).toEqual(short);
    expect([...syntheticResidents({ seed: 9, count: 0 })]).toEqual([]);
    const town = generateTown({ seed: 9, households: 100 });
    expect(long.slice(0, town.residents.length)).toEqual(town.residents);
  });

  it('uses its own PRNG (no Math.random)', () => {
    const original = Math.random;
    Math.random = () => {
      throw new Error('Math.random used');
    };
    try {
      expect(() => generateTown({ seed: 1, households: 50 })).not.toThrow();
    } finally {
      Math.random = original;
    }
    const r1 = mulberry32(123);
    const r2 = mulberry32(123);
    const values = Array.from({ length: 5 }, () => r1());
    expect(Array.from({ length: 5 }, () => r2())).toEqual(values);
    for (const v of values) expect(v >= 0 && v < 1).toBe(true);
  });

  it('numbers residents from startId: batches with different ranges never share ids or codes', () => {
    const first = [...syntheticResidents({ seed: 5, count: 1000 })];
    const second = [...syntheticResidents({ seed: 5, count: 1000, startId: 1001 })];
    expect(first[0]!.id).toBe('R00000001');
    expect(second[0]!.id).toBe('R00001001');
    const ids = new Set([...first, ...second].map((r) => r.id));
    const codes = new Set([...first, ...second].map((r) => r.code));
    expect(ids.size).toBe(2000);
    expect(codes.size).toBe(2000);
  });

  it('refuses bad options', () => {
    expect(() => [...syntheticResidents({ seed: 1, count: -1 })]).toThrow(RangeError);
    expect(() => [...syntheticResidents({ seed: 1.5, count: 1 })]).toThrow(RangeError);
    expect(() => [...syntheticResidents({ seed: 1, count: 1, asOf: '2026-02-30' })]).toThrow(RangeError);
    expect(() => syntheticResidentCode(1, 10_000_000_000)).toThrow(RangeError);
  });
});

describe('a town of 100,000 residents', () => {
  const N = 100_000;
  const residents: SyntheticResident[] = [];

  beforeAll(() => {
    // No timing assertion: it only has to complete (about 1–3 s here).
    for (const r of syntheticResidents({ seed: 2026, count: N })) residents.push(r);
  });

  it('has valid, unique resident codes and unique ids', () => {
    expect(residents).toHaveLength(N);
    const invalid = residents.filter((r) => !checkResidentCode(r.code).ok).map((r) => r.code);
    expect(invalid).toEqual([]);
    expect(new Set(residents.map((r) => r.code)).size).toBe(N);
    expect(new Set(residents.map((r) => r.id)).size).toBe(N);
  });

  it('fits the wire contract (with a version)', () => {
    const problems: string[] = [];
    for (const [i, r] of residents.entries()) {
      const parsed = ResidentSchema.safeParse({ ...r, version: i + 1 });
      if (!parsed.success) problems.push(`${r.id}: ${JSON.stringify(parsed.error.issues[0])}`);
    }
    expect(problems.slice(0, 5)).toEqual([]);
  });

  it('writes names as family　given in kanji and katakana', () => {
    const bad = residents.filter((r) => r.name.split(NAME_SEPARATOR).length !== 2 || !KATAKANA_NAME.test(r.kana)).map((r) => `${r.name} ${r.kana}`);
    expect(bad.slice(0, 5)).toEqual([]);
    const kana = residents.map((r) => r.kana).join('\n');
    // Small kana and long vowels, as counters meet them.
    for (const part of ['ショウタ', 'ユウキ', 'リョウ', 'キョウコ', 'ッ', 'ュ', 'ー']) expect(kana).toContain(part);
  });

  it('includes the variant kanji with the kana of their standard forms, and the common names most often', () => {
    const kanaByFamily = new Map<string, Set<string>>();
    const counts = new Map<string, number>();
    for (const r of residents) {
      const family = familyOf(r);
      counts.set(family, (counts.get(family) ?? 0) + 1);
      const set = kanaByFamily.get(family) ?? new Set<string>();
      set.add(familyKanaOf(r));
      kanaByFamily.set(family, set);
    }
    const groups: [string, string[]][] = [
      ['タカハシ', ['高橋', '髙橋']],
      ['ヤマザキ', ['山崎', '山﨑']],
      ['ワタナベ', ['渡辺', '渡邊', '渡邉']],
      ['サイトウ', ['斎藤', '斉藤', '齋藤', '齊藤']],
      ['サワダ', ['沢田', '澤田']],
      ['コクブ', ['国分', '國分']],
      ['ハマダ', ['浜田', '濱田']],
      ['ヨシダ', ['吉田', '𠮷田']],
    ];
    for (const [kana, forms] of groups) {
      for (const form of forms) {
        expect(counts.get(form), form).toBeGreaterThan(0);
        expect(kanaByFamily.get(form), form).toEqual(new Set([kana]));
      }
      // The standard form is the common one.
      expect(counts.get(forms[0]!)!).toBeGreaterThan(counts.get(forms[1]!)!);
    }
    const top = [...counts.entries()].sort((a, b) => b[1] - a[1]).slice(0, 5).map(([name]) => name);
    expect(top).toEqual(expect.arrayContaining(['佐藤', '鈴木']));
    // A kanji with two readings keeps both (河野 コウノ / カワノ).
    expect(kanaByFamily.get('河野')).toEqual(new Set(['コウノ', 'カワノ']));
  });

  it('spans 大正, 昭和, 平成 and 令和, ages 0–105, both sexes, all districts', () => {
    const eras = new Map<string, number>();
    const districts = new Set<string>();
    const outside: string[] = [];
    let minAge = Infinity;
    let maxAge = -Infinity;
    for (const r of residents) {
      const era = eraOfIsoDate(r.birthDate);
      eras.set(era, (eras.get(era) ?? 0) + 1);
      const age = ageOnIsoDate(r.birthDate, SYNTHETIC_TOWN_AS_OF);
      minAge = Math.min(minAge, age);
      maxAge = Math.max(maxAge, age);
      const district = SYNTHETIC_DISTRICTS.find((d) => r.address.startsWith(`${SYNTHETIC_TOWN_NAME}${d.name}`));
      if (district) districts.add(district.name);
      else outside.push(r.address);
    }
    expect(outside).toEqual([]);
    expect([...eras.keys()].sort()).toEqual(['令和', '大正', '平成', '昭和'].sort());
    expect(eras.get('大正')!).toBeLessThan(eras.get('令和')!);
    expect(minAge).toBe(0);
    expect(maxAge).toBeLessThanOrEqual(MAX_AGE);
    expect(maxAge).toBeGreaterThanOrEqual(100);
    expect(districts.size).toBe(SYNTHETIC_DISTRICTS.length);
    expect(SYNTHETIC_DISTRICTS.length).toBeGreaterThanOrEqual(8);
    expect(new Set(residents.map((r) => r.sex))).toEqual(new Set(['male', 'female']));
    // Births on the era boundaries are there on purpose (search and display edge cases).
    const births = new Set(residents.map((r) => r.birthDate));
    expect(['1989-01-07', '1989-01-08', '2019-04-30', '2019-05-01'].filter((d) => births.has(d)).length).toBeGreaterThanOrEqual(2);
  });

  it('keeps each history consistent with the record', () => {
    const statuses = new Map<string, number>();
    const problems: string[] = [];
    const problem = (r: SyntheticResident, what: string): void => {
      problems.push(`${r.id}: ${what} ${JSON.stringify(r.history)}`);
    };
    for (const r of residents) {
      statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
      const h = r.history;
      if (h.length < 1 || h.length > 50) problem(r, 'history length');
      const first = h[0]!;
      if (first.kind === 'birth' ? first.date !== r.birthDate : first.kind !== 'moved-in' || !(daysBetween(r.birthDate, first.date) > 0)) problem(r, 'first entry');
      for (let i = 0; i < h.length; i++) {
        const e = h[i]!;
        if (!(e.date >= r.birthDate && e.date <= SYNTHETIC_TOWN_AS_OF)) problem(r, `date ${e.date}`);
        if (i > 0 && e.date < h[i - 1]!.date) problem(r, 'order');
        if (i > 0 && (e.kind === 'birth' || e.kind === 'moved-in')) problem(r, 'second entry into the register');
        if (e.note.length < 1 || e.note.length > 200) problem(r, 'note length');
        if (e.kind === 'name-changed') {
          const previous = /旧氏: (.+)）/u.exec(e.note)?.[1];
          if (!previous || previous === familyOf(r)) problem(r, 'name change');
        }
        if (e.kind === 'moved-within' && !e.note.includes(`旧住所: ${SYNTHETIC_TOWN_NAME}`)) problem(r, 'move note');
      }
      const endings = h.filter((e) => e.kind === 'moved-out' || e.kind === 'deceased');
      if (r.status === 'resident' ? endings.length !== 0 : endings.length !== 1 || h[h.length - 1]!.kind !== r.status) problem(r, `status ${r.status}`);
    }
    expect(problems.slice(0, 5)).toEqual([]);
    expect(statuses.get('resident')! / N).toBeGreaterThan(0.85);
    expect(statuses.get('moved-out')!).toBeGreaterThan(0);
    expect(statuses.get('deceased')!).toBeGreaterThan(0);
  });
});

describe('households', () => {
  let households: SyntheticHousehold[];

  beforeAll(() => {
    households = generateTown({ seed: 77, households: 5000 }).households;
  });

  it('share an address and a family name; one head; 1–5 members', () => {
    const sizes = new Set<number>();
    for (const h of households) {
      sizes.add(h.members.length);
      expect(h.members.length).toBeGreaterThanOrEqual(1);
      expect(h.members.length).toBeLessThanOrEqual(5);
      expect(h.members.filter((m) => m.relation === 'head')).toHaveLength(1);
      expect(h.members[0]!.relation).toBe('head');
      expect(h.members.filter((m) => m.relation === 'spouse').length).toBeLessThanOrEqual(1);
      expect(h.id).toBe(`H${h.members[0]!.resident.id.slice(1)}`);
      for (const { resident } of h.members) {
        expect(resident.householdId).toBe(h.id);
        expect(resident.address).toBe(h.address);
        expect(familyOf(resident)).toBe(h.familyName);
        expect(familyKanaOf(resident)).toBe(h.familyKana);
      }
      // Nobody in a household shares a given name.
      const given = h.members.map((m) => m.resident.kana.split(NAME_SEPARATOR)[1]);
      expect(new Set(given).size).toBe(given.length);
    }
    expect([...sizes].sort()).toEqual([1, 2, 3, 4, 5]);
  });

  it('has parents at least 18 years older than their children, spouses of age', () => {
    let families = 0;
    let threeGenerations = 0;
    for (const h of households) {
      const head = h.members[0]!.resident;
      const spouse = h.members.find((m) => m.relation === 'spouse')?.resident;
      const children = h.members.filter((m) => m.relation === 'child').map((m) => m.resident);
      const parents = h.members.filter((m) => m.relation === 'parent').map((m) => m.resident);
      if (children.length > 0) families++;
      if (parents.length > 0) threeGenerations++;
      for (const child of children) {
        expect(ageOnIsoDate(head.birthDate, child.birthDate), `${h.id} head/child`).toBeGreaterThanOrEqual(18);
        if (spouse) expect(ageOnIsoDate(spouse.birthDate, child.birthDate), `${h.id} spouse/child`).toBeGreaterThanOrEqual(18);
      }
      for (const parent of parents) expect(ageOnIsoDate(parent.birthDate, head.birthDate), `${h.id} parent/head`).toBeGreaterThanOrEqual(18);
      if (spouse) {
        expect(ageOnIsoDate(spouse.birthDate, SYNTHETIC_TOWN_AS_OF)).toBeGreaterThanOrEqual(18);
        expect(spouse.sex).not.toBe(head.sex);
      }
      // A child registered at birth was born after the household (or its head) was here.
      for (const child of children) {
        if (child.history[0]!.kind === 'birth') expect(child.history[0]!.date >= head.history[0]!.date).toBe(true);
      }
    }
    expect(families).toBeGreaterThan(households.length / 4);
    expect(threeGenerations).toBeGreaterThan(0);
  });
});

describe('moveWithinTown', () => {
  const resident = [...syntheticResidents({ seed: 3, count: 50 })].find((r) => r.status === 'resident')!;

  it('moves a resident to a new address in the town, with the old one in the history', () => {
    const moved = moveWithinTown(resident, { seed: 1, date: '2026-05-10' });
    expect(moved.address).not.toBe(resident.address);
    expect(moved.address.startsWith(SYNTHETIC_TOWN_NAME)).toBe(true);
    expect(moved.householdId).toBe(`HS${resident.id.slice(1)}`);
    expect(moved.history.at(-1)).toEqual({ date: '2026-05-10', kind: 'moved-within', note: `転居（旧住所: ${resident.address}）` });
    expect(moved.history.slice(0, -1)).toEqual(resident.history);
    expect({ ...moved, address: resident.address, householdId: resident.householdId, history: resident.history }).toEqual(resident);
    expect(moveWithinTown(resident, { seed: 1, date: '2026-05-10' })).toEqual(moved);
    expect(ResidentSchema.safeParse({ ...moved, version: 1 }).success).toBe(true);
  });

  it('never dates a move before the last change, and moves only current residents', () => {
    const moved = moveWithinTown(resident, { seed: 1, date: '1900-01-01' });
    expect(moved.history.at(-1)!.date).toBe(resident.history.at(-1)!.date);
    expect(() => moveWithinTown({ ...resident, status: 'deceased' }, { seed: 1, date: '2026-05-10' })).toThrow(RangeError);
  });
});

describe('the demo town', () => {
  it('shows all four eras and variant kanji in its 2,000 residents', () => {
    const residents = [...syntheticResidents({ seed: DEMO_RESIDENTS.seed, count: DEMO_RESIDENTS.count })];
    expect(new Set(residents.map((r) => eraOfIsoDate(r.birthDate)))).toEqual(new Set(['大正', '昭和', '平成', '令和']));
    const families = new Set(residents.map(familyOf));
    expect(['髙橋', '山﨑', '渡邊', '澤田', '濱田'].filter((f) => families.has(f)).length).toBeGreaterThanOrEqual(4);
    expect(residents.some((r) => r.kana.includes('ー'))).toBe(true);
  });
});
