// Spot-check sampling (src/domain/audit/sampling.ts): reproducible from the seed whatever the row
// order, weighted draws without replacement that measurably favour risky rows while still drawing
// clean ones (statistics over fixed seeds), and the edge cases.
import { describe, expect, it } from 'vitest';
import { DEFAULT_SAMPLE_WEIGHTS, drawSample, risksByRow, rowKey, rowUniform, seededPrng, weightOf, type WeightedRow } from '../../src/domain/audit/sampling';
import type { Finding } from '../../src/domain/audit/types';

const rows = (n: number, terminals = 3, weight = 1): WeightedRow[] =>
  Array.from({ length: n }, (_, i) => ({ terminalId: `term-${String(i % terminals).padStart(2, '0')}`, seq: Math.floor(i / terminals) + 1, weight }));
const ids = (drawn: { row: WeightedRow }[]) => drawn.map((d) => rowKey(d.row.terminalId, d.row.seq));

describe('reproducibility', () => {
  it('the same population and seed give the same sample in the same order, whatever the row order', () => {
    const population = rows(5000);
    const a = drawSample(population, 50, 'audit-2026-11');
    const b = drawSample([...population].reverse(), 50, 'audit-2026-11');
    const shuffled = [...population].sort((x, y) => rowUniform('shuffle', x.terminalId, x.seq) - rowUniform('shuffle', y.terminalId, y.seq));
    const c = drawSample(shuffled, 50, 'audit-2026-11');
    expect(a).toHaveLength(50);
    expect(ids(b)).toEqual(ids(a));
    expect(ids(c)).toEqual(ids(a));
    expect(a.map((d) => d.position)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    for (let i = 1; i < a.length; i++) expect(a[i - 1]!.key).toBeGreaterThanOrEqual(a[i]!.key);
  });

  it('another seed gives another sample; a row added to the period leaves the other rows keys alone', () => {
    const population = rows(5000);
    const a = ids(drawSample(population, 50, 'seed-a'));
    const b = ids(drawSample(population, 50, 'seed-b'));
    expect(a).not.toEqual(b);
    expect(a.filter((k) => b.includes(k)).length).toBeLessThan(10); // 50/5000 each: ~0.5 in common
    const grown = drawSample([...population, { terminalId: 'term-99', seq: 1, weight: 1 }], 50, 'seed-a');
    const kept = ids(grown).filter((k) => k !== rowKey('term-99', 1));
    expect(kept).toEqual(a.slice(0, kept.length));
  });

  it('the row uniforms are in (0, 1), deterministic and look uniform', () => {
    expect(rowUniform('s', 't', 1)).toBe(rowUniform('s', 't', 1));
    expect(rowUniform('s', 't', 1)).not.toBe(rowUniform('s', 't', 2));
    const bins = new Array<number>(10).fill(0);
    for (let i = 1; i <= 20_000; i++) {
      const u = rowUniform('uniformity', 'term-01', i);
      expect(u > 0 && u < 1).toBe(true);
      bins[Math.floor(u * 10)]!++;
    }
    // Chi-square with 9 degrees of freedom: 27.9 is the 0.1 % critical value.
    const chi = bins.reduce((s, o) => s + (o - 2000) ** 2 / 2000, 0);
    expect(chi).toBeLessThan(27.9);
    const next = seededPrng('x');
    expect(Array.from({ length: 4 }, next)).toEqual(Array.from({ length: 4 }, seededPrng('x')));
  });
});

describe('weighting', () => {
  it('draws in proportion to weight: P(first) = w / Σw (3:1 over 4000 seeds)', () => {
    const population: WeightedRow[] = [
      { terminalId: 't', seq: 1, weight: 3 },
      { terminalId: 't', seq: 2, weight: 1 },
    ];
    let heavy = 0;
    for (let s = 0; s < 4000; s++) if (drawSample(population, 1, `p-${s}`)[0]!.row.seq === 1) heavy++;
    // Expected 3000, sd = sqrt(4000 * 0.75 * 0.25) ≈ 27: ±4 sd.
    expect(Math.abs(heavy - 3000)).toBeLessThan(110);
  });

  it('equal weights: every row equally likely to be in the sample', () => {
    const population = rows(100, 2);
    const counts = new Map<string, number>();
    const seeds = 1000;
    for (let s = 0; s < seeds; s++) for (const k of ids(drawSample(population, 10, `u-${s}`))) counts.set(k, (counts.get(k) ?? 0) + 1);
    // Each row: expected 100 of 1000 (p = 0.1); chi-square over 100 rows, df 99: 0.1 % critical value 148.2.
    const chi = population.reduce((sum, r) => sum + ((counts.get(rowKey(r.terminalId, r.seq)) ?? 0) - 100) ** 2 / (100 * 0.9), 0);
    expect(chi).toBeLessThan(148.2);
  });

  it('rows behind findings are measurably more likely, and clean rows are still drawn', () => {
    // 1000 searches; 50 behind a high finding, 50 behind a low one, 900 clean.
    const population = rows(1000).map((r, i) => {
      const risks = i < 50 ? [{ findingId: 'f1', rule: 'relation.self', severity: 'high' as const, explanation: '' }] : i < 100 ? [{ findingId: 'f2', rule: 'hours.near-closing', severity: 'low' as const, explanation: '' }] : [];
      return { ...r, weight: weightOf(risks), kind: i < 50 ? 'high' : i < 100 ? 'low' : 'clean' };
    });
    const share = { high: 0, low: 0, clean: 0 };
    const seeds = 300;
    let samplesWithClean = 0;
    for (let s = 0; s < seeds; s++) {
      const drawn = drawSample(population, 40, `risk-${s}`);
      const kinds = drawn.map((d) => d.row.kind);
      for (const k of kinds) share[k as keyof typeof share]++;
      if (kinds.includes('clean')) samplesWithClean++;
    }
    const total = seeds * 40;
    // Population shares: 5 % high, 5 % low, 90 % clean. Weighted (10 / 3 / 1): far more high ones.
    expect(share.high / total).toBeGreaterThan(0.2);
    expect(share.low / total).toBeGreaterThan(0.07);
    expect(share.high / 50).toBeGreaterThan((share.low / 50) * 2); // per row: high beats low
    expect(share.low / 50).toBeGreaterThan((share.clean / 900) * 1.5); // per row: low beats clean
    expect(share.clean / total).toBeGreaterThan(0.3);
    expect(samplesWithClean).toBe(seeds);
    // The unweighted draw would give high ≈ 5 %: the same seeds with weight 1 everywhere.
    let highUnweighted = 0;
    for (let s = 0; s < seeds; s++) highUnweighted += drawSample(population.map((r) => ({ ...r, weight: 1 })), 40, `risk-${s}`).filter((d) => d.row.kind === 'high').length;
    expect(highUnweighted / total).toBeLessThan(0.08);
  });

  it('weights: clean 1, each distinct finding by severity, capped', () => {
    expect(weightOf(undefined)).toBe(1);
    expect(weightOf([{ findingId: 'a', rule: 'r', severity: 'high', explanation: '' }])).toBe(10);
    expect(weightOf([{ findingId: 'a', rule: 'r', severity: 'medium', explanation: '' }, { findingId: 'b', rule: 'r', severity: 'low', explanation: '' }])).toBe(7);
    expect(weightOf(Array.from({ length: 5 }, (_, i) => ({ findingId: `f${i}`, rule: 'r', severity: 'high' as const, explanation: '' })))).toBe(DEFAULT_SAMPLE_WEIGHTS.max);
  });

  it('risksByRow maps the rows of findings, each finding once per row', () => {
    const finding = (id: string, severity: Finding['severity'], refs: [string, number][]): Finding => ({
      id, rule: 'purpose.missing-case', severity, explanation: '説明', firstAt: '', lastAt: '', operatorIds: [], terminalIds: [], residentIds: [],
      rows: refs.map(([terminalId, seq]) => ({ terminalId, seq })), rowCount: refs.length,
    });
    const map = risksByRow([finding('a', 'high', [['t1', 1], ['t1', 1], ['t2', 5]]), finding('b', 'low', [['t1', 1]])]);
    expect(map.get(rowKey('t1', 1))!.map((r) => r.findingId)).toEqual(['a', 'b']);
    expect(map.get(rowKey('t2', 5))!.map((r) => r.severity)).toEqual(['high']);
    expect(map.has(rowKey('t1', 2))).toBe(false);
  });
});

describe('edge cases', () => {
  it('size larger than the population: all of it, in key order', () => {
    const drawn = drawSample(rows(7), 200, 'small');
    expect(drawn).toHaveLength(7);
    expect(new Set(ids(drawn)).size).toBe(7);
  });

  it('an empty population, size 0, weight 0 rows', () => {
    expect(drawSample([], 10, 's')).toEqual([]);
    expect(drawSample(rows(5), 0, 's')).toEqual([]);
    expect(ids(drawSample([{ terminalId: 't', seq: 1, weight: 0 }, { terminalId: 't', seq: 2, weight: 1 }], 2, 's'))).toEqual([rowKey('t', 2)]);
  });

  it('refuses a bad size or an empty seed', () => {
    expect(() => drawSample(rows(3), -1, 's')).toThrow(RangeError);
    expect(() => drawSample(rows(3), 1.5, 's')).toThrow(RangeError);
    expect(() => drawSample(rows(3), 1, '')).toThrow(RangeError);
  });
});
