// Spot-check sampling (issue 5 item 4): a seeded, reproducible, risk-weighted random sample without
// replacement of the searches of a period.
//
// Method: Efraimidis–Spirakis (2006) "A-Res". Every row gets the key ln(u) / w, where w > 0 is its
// weight and u in (0, 1) a uniform number; the `size` rows with the largest keys are the sample. The
// probability of drawing a row first is w / Σw, then the same among the rest: a weighted draw without
// replacement. u is not taken from one PRNG stream in row order but from a 128-bit hash (cyrb128) of (seed,
// terminal, seq): a row's key depends only on the seed and the row itself, so the same seed and the
// same population give the same sample whatever order the rows are read in (the index can be rebuilt
// with other ids), and a row added to the period does not change the keys of the others.
// Memory: a heap of `size` rows, whatever the population (the server streams it from SQLite).
//
// Weights: a clean row weighs 1; each distinct finding behind a row adds its severity's weight (high
// 9, medium 4, low 2 by default), capped (default 20) so one row with many findings does not crowd out
// everything else. Clean rows are therefore still drawn (a row with a high finding is 10 times as
// likely as a clean one to be drawn first, not certain).
import type { Finding, RowRef, Severity } from './types';

export interface SampleWeights {
  /** Weight of a row behind no finding (> 0). */
  clean: number;
  /** Added per distinct finding behind the row, by its severity. */
  severity: Readonly<Record<Severity, number>>;
  /** A row's weight never exceeds this. */
  max: number;
}

export const DEFAULT_SAMPLE_WEIGHTS: SampleWeights = { clean: 1, severity: { high: 9, medium: 4, low: 2 }, max: 20 };

/** What a finding contributes to the rows behind it. */
export interface RowRisk {
  findingId: string;
  rule: string;
  severity: Severity;
  explanation: string;
}

export interface WeightedRow extends RowRef {
  weight: number;
}

export interface DrawnRow<T extends WeightedRow> {
  /** 1 = drawn first (largest key). */
  position: number;
  row: T;
  /** ln(u) / weight: larger is drawn earlier. */
  key: number;
}

export const rowKey = (terminalId: string, seq: number): string => `${terminalId}\u0000${seq}`;

/** The findings behind each row (by rowKey), each finding once per row, in the findings' order. */
export function risksByRow(findings: Iterable<Pick<Finding, 'id' | 'rule' | 'severity' | 'explanation' | 'rows'>>): Map<string, RowRisk[]> {
  const byRow = new Map<string, RowRisk[]>();
  for (const f of findings) {
    for (const ref of f.rows) {
      const key = rowKey(ref.terminalId, ref.seq);
      let list = byRow.get(key);
      if (!list) byRow.set(key, (list = []));
      if (!list.some((r) => r.findingId === f.id)) list.push({ findingId: f.id, rule: f.rule, severity: f.severity, explanation: f.explanation });
    }
  }
  return byRow;
}

export function checkWeights(weights: SampleWeights): void {
  const all = [weights.clean, weights.max, ...Object.values(weights.severity)];
  if (!all.every((w) => Number.isFinite(w) && w >= 0) || weights.clean <= 0 || weights.max < weights.clean) {
    throw new RangeError('sample weights: clean > 0, severities ≥ 0, max ≥ clean');
  }
}

export function weightOf(risks: readonly RowRisk[] | undefined, weights: SampleWeights = DEFAULT_SAMPLE_WEIGHTS): number {
  let w = weights.clean;
  for (const r of risks ?? []) w += weights.severity[r.severity];
  return Math.min(w, weights.max);
}

// ---- a small deterministic PRNG (pure: no crypto here) ----

/** 128 bits of state from a string (cyrb128). */
function seedState(text: string): [number, number, number, number] {
  let h1 = 1779033703;
  let h2 = 3144134277;
  let h3 = 1013904242;
  let h4 = 2773480762;
  for (let i = 0; i < text.length; i++) {
    const k = text.charCodeAt(i);
    h1 = h2 ^ Math.imul(h1 ^ k, 597399067);
    h2 = h3 ^ Math.imul(h2 ^ k, 2869860233);
    h3 = h4 ^ Math.imul(h3 ^ k, 951274213);
    h4 = h1 ^ Math.imul(h4 ^ k, 2716044179);
  }
  h1 = Math.imul(h3 ^ (h1 >>> 18), 597399067);
  h2 = Math.imul(h4 ^ (h2 >>> 22), 2869860233);
  h3 = Math.imul(h1 ^ (h3 >>> 17), 951274213);
  h4 = Math.imul(h2 ^ (h4 >>> 19), 2716044179);
  h1 ^= h2 ^ h3 ^ h4;
  h2 ^= h1;
  h3 ^= h1;
  h4 ^= h1;
  return [h1 >>> 0, h2 >>> 0, h3 >>> 0, h4 >>> 0];
}

/** sfc32: a fast 32-bit PRNG with good statistical quality; returns a generator of uint32. */
export function seededPrng(seed: string): () => number {
  let [a, b, c, d] = seedState(seed);
  const next = (): number => {
    a >>>= 0;
    b >>>= 0;
    c >>>= 0;
    d >>>= 0;
    let t = (a + b) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    d = (d + 1) | 0;
    t = (t + d) | 0;
    c = (c + t) | 0;
    return t >>> 0;
  };
  for (let i = 0; i < 12; i++) next(); // mix the seeded state
  return next;
}

/** A uniform number in the open interval (0, 1) with 53 random bits, from (seed, terminal, seq). */
export function rowUniform(seed: string, terminalId: string, seq: number): number {
  // cyrb128's finalised state is already well mixed: two of its words give the 53 bits (no PRNG
  // warm-up per row: a million rows take a fraction of a second).
  const [a, b] = seedState(`${seed}\u0000${terminalId}\u0000${seq}`);
  const hi = a >>> 5; // 27 bits
  const lo = b >>> 6; // 26 bits
  return (hi * 67108864 + lo + 0.5) / 9007199254740992;
}

/** Larger first; ties (practically impossible) by terminal then seq, so the order is total. */
function before(a: { key: number; row: RowRef }, b: { key: number; row: RowRef }): boolean {
  if (a.key !== b.key) return a.key > b.key;
  if (a.row.terminalId !== b.row.terminalId) return a.row.terminalId < b.row.terminalId;
  return a.row.seq < b.row.seq;
}

/**
 * Draws `size` rows (or all, when fewer) by weight without replacement, reproducibly from `seed`.
 * Rows must be distinct (terminal, seq) with weight > 0 (a row of weight 0 is never drawn).
 */
export function drawSample<T extends WeightedRow>(population: Iterable<T>, size: number, seed: string): DrawnRow<T>[] {
  if (!Number.isInteger(size) || size < 0) throw new RangeError('drawSample: size must be a whole number ≥ 0');
  if (seed.length === 0) throw new RangeError('drawSample: seed must not be empty');
  // A min-heap (by `before`) of the best `size` rows so far: heap[0] is the worst of them.
  const heap: { key: number; row: T }[] = [];
  const worse = (i: number, j: number) => before(heap[j]!, heap[i]!);
  const swap = (i: number, j: number) => {
    const t = heap[i]!;
    heap[i] = heap[j]!;
    heap[j] = t;
  };
  const up = (i: number) => {
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!worse(i, p)) break;
      swap(i, p);
      i = p;
    }
  };
  const down = (i: number) => {
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < heap.length && worse(l, m)) m = l;
      if (r < heap.length && worse(r, m)) m = r;
      if (m === i) return;
      swap(i, m);
      i = m;
    }
  };
  if (size === 0) return [];
  for (const row of population) {
    if (!(row.weight > 0) || !Number.isFinite(row.weight)) continue;
    const entry = { key: Math.log(rowUniform(seed, row.terminalId, row.seq)) / row.weight, row };
    if (heap.length < size) {
      heap.push(entry);
      up(heap.length - 1);
    } else if (before(entry, heap[0]!)) {
      heap[0] = entry;
      down(0);
    }
  }
  return heap
    .sort((a, b) => (before(a, b) ? -1 : 1))
    .map((e, i) => ({ position: i + 1, row: e.row, key: e.key }));
}
