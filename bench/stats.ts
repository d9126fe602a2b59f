export interface Summary {
  n: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  mean: number;
}

/** Nearest-rank percentiles. */
export function summarize(values: number[]): Summary {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? NaN;
  return { n: sorted.length, p50: at(50), p95: at(95), p99: at(99), max: sorted.at(-1) ?? NaN, mean: sorted.reduce((a, b) => a + b, 0) / (sorted.length || 1) };
}

export function formatSummary(name: string, s: Summary, unit = 'ms'): string {
  const f = (v: number) => v.toFixed(1);
  return `${name.padEnd(44)} n=${s.n}  p50=${f(s.p50)}${unit}  p95=${f(s.p95)}${unit}  p99=${f(s.p99)}${unit}  max=${f(s.max)}${unit}`;
}
