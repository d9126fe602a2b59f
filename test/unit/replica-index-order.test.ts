// ReplicaIndex's search orders (issue 4 benchmarks): a load no longer brings them up to date per
// batch — they are sorted once, by a native sort on a numeric first key (date of birth, code MAC, the
// name's first two UTF-16 units) with only ties left to the comparator, or by TimSort over the
// batches' kana runs. Whatever the path (one sort at the end, a search in the middle of a load,
// residents changed in place, few or many), every lookup must answer exactly what a plain sort of
// all residents by the order's rule gives.
import { describe, expect, it } from 'vitest';
import { ReplicaIndex, type IndexKeys } from '../../src/renderer/src/replica/replica-index';
import { mulberry32 } from '../../src/domain/resident/synthetic-town';

// Few distinct values, so that ties on the first key (and on the first two characters) are common.
const KANA = ['ア', 'アイ', 'アイウ', 'カトウ', 'カトウアイ', 'カトウアオイ', 'サトウ', 'サトウハナコ', 'ヴ', 'ン', ''];
const NAMES = ['加藤愛', '加藤', '加藤葵', '佐藤花子', '佐藤', '佐', '', '髙橋', 'A', '𠮷田太郎', '𠮷野'];
const DAYS = ['1970-03-01', '1970-03-02', '1989-01-08', '2001-12-31'];
const MACS = ['00000000', 'ffffffff', '7fffffff', '80000000', '0000abcd'];

function keys(random: () => number, id: string): IndexKeys {
  const pick = <T,>(list: readonly T[]) => list[Math.floor(random() * list.length)]!;
  return { id, kanaKey: pick(KANA), nameKey: pick(NAMES), birthDate: pick(DAYS), codeKey: pick(MACS) };
}

const byString = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const birthNumber = (iso: string) => Number(iso.replaceAll('-', ''));

/** What each lookup must give: all residents sorted by the order's rule, filtered, cut at max. */
function expected(all: IndexKeys[], kind: 'kana' | 'name' | 'birth' | 'code', value: string, max: number): string[] {
  const sorted = [...all];
  if (kind === 'kana') sorted.sort((a, b) => byString(a.kanaKey, b.kanaKey) || byString(a.id, b.id));
  if (kind === 'name') sorted.sort((a, b) => byString(a.nameKey, b.nameKey) || byString(a.id, b.id));
  if (kind === 'birth') sorted.sort((a, b) => birthNumber(a.birthDate) - birthNumber(b.birthDate) || byString(a.nameKey, b.nameKey) || byString(a.id, b.id));
  if (kind === 'code') sorted.sort((a, b) => parseInt(a.codeKey, 16) - parseInt(b.codeKey, 16) || byString(a.id, b.id));
  const hit = (k: IndexKeys) =>
    kind === 'kana' ? k.kanaKey.startsWith(value) : kind === 'name' ? k.nameKey.startsWith(value) : kind === 'birth' ? k.birthDate === value : k.codeKey === value;
  return sorted.filter(hit).slice(0, max).map((k) => k.id);
}

function expectSameAnswers(index: ReplicaIndex, all: IndexKeys[]): void {
  const ids = (ordinals: number[]) => ordinals.map((o) => index.idAt(o));
  for (const kana of KANA) expect(ids(index.byKana(kana, 10_000)), `kana ${kana}`).toEqual(expected(all, 'kana', kana, 10_000));
  for (const name of NAMES) expect(ids(index.byName(name, 10_000)), `name ${name}`).toEqual(expected(all, 'name', name, 10_000));
  for (const day of DAYS) expect(ids(index.byBirthAndName(day, '', 10_000)), `born ${day}`).toEqual(expected(all, 'birth', day, 10_000));
  for (const mac of MACS) expect(ids(index.byCode(mac, 10_000)), `code ${mac}`).toEqual(expected(all, 'code', mac, 10_000));
  expect(ids(index.byKana('カトウ', 7))).toEqual(expected(all, 'kana', 'カトウ', 7));
}

/** Blocks as the sync stores them: each block's new residents in kana order (replica-sync.ts). */
function block(random: () => number, from: number, count: number): IndexKeys[] {
  // Ids not in insertion order, so that a tie broken by ordinal instead of id would show.
  const entries = Array.from({ length: count }, (_, n) => keys(random, `r${String((from + n) * 7919 % 100_003).padStart(6, '0')}`));
  return entries.sort((a, b) => byString(a.kanaKey, b.kanaKey) || byString(a.id, b.id));
}

describe('ReplicaIndex orders', () => {
  it('a load sorted once at the end answers as a plain sort of everyone', () => {
    const random = mulberry32(11);
    const index = new ReplicaIndex();
    const all: IndexKeys[] = [];
    for (let b = 1; b <= 6; b++) {
      const entries = block(random, all.length, 1500);
      index.addBlock(b, entries);
      all.push(...entries);
    }
    expectSameAnswers(index, all);
  });

  it('searched in the middle of a load, then more blocks, then residents changed in place (few, then many)', () => {
    const random = mulberry32(12);
    const index = new ReplicaIndex();
    const all: IndexKeys[] = [];
    const add = (b: number, count: number) => {
      const entries = block(random, all.length, count);
      index.addBlock(b, entries);
      all.push(...entries);
    };
    add(1, 2000);
    expectSameAnswers(index, all);
    add(2, 100); // few: put in one by one
    add(3, 3000); // many: sorted and merged
    expectSameAnswers(index, all);
    const change = (count: number) => {
      for (let n = 0; n < count; n++) {
        const at = Math.floor(random() * all.length);
        all[at] = keys(random, all[at]!.id);
        index.update(all[at]!);
      }
    };
    change(20); // taken out and put back
    expectSameAnswers(index, all);
    change(400); // more than can be put back one by one: sorted again from scratch
    add(4, 50); // and new ones with them
    expectSameAnswers(index, all);
  });

  it('opened from the key blocks as stored', () => {
    const random = mulberry32(13);
    const rows = [1, 2, 3].map((b) => ({ block: b, entries: block(random, b * 1000, 800) }));
    const index = ReplicaIndex.fromBlocks(rows.map((r) => ({ block: r.block, entries: r.entries.map((k) => `${k.id}\t${k.kanaKey}\t${k.nameKey}\t${k.birthDate}\t${k.codeKey}`).join('\n') })));
    expectSameAnswers(index, rows.flatMap((r) => r.entries));
  });
});
