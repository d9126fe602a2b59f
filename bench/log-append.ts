// Local append of single events to the operation log (src/renderer/src/log/log-writer.ts) in
// Chromium, strict durability, one event at a time (each awaited before the next, like real
// operations). Timed inside the page (performance.now around each `append`), so the figures hold
// no DevTools-protocol round trips. Target (issue 3): ≥ 500 events/s with p99 ≤ 10 ms.
//   npx tsx bench/log-append.ts            (LOG_BENCH_EVENTS=… to change the count, default 3000)
import { fileURLToPath } from 'node:url';
import { callInPage, startLogHarness } from './log-append-page/harness';
import { formatSummary, summarize, type Summary } from './stats';

export interface LogAppendFigures {
  perSecond: number;
  p50: number;
  p99: number;
  n: number;
}

interface PageRun {
  durations: number[];
  totalMs: number;
}

const WARMUP = 100;

export async function benchLogAppendDetailed(
  n = Number(process.env.LOG_BENCH_EVENTS ?? 3000),
): Promise<{ figures: LogAppendFigures; summary: Summary; bare: LogAppendFigures; bareSummary: Summary; verifyPerSecond: number }> {
  if (!Number.isInteger(n) || n < 2000) throw new RangeError('the log append benchmark needs at least 2000 events');
  const harness = await startLogHarness();
  try {
    const page = await harness.newPage();
    const dbName = `log-bench-${Date.now()}`;
    await callInPage(page, 'deleteDb', dbName);
    await callInPage(page, 'open', dbName, 'bench-terminal');
    await callInPage(page, 'bench', WARMUP); // first transactions open files and warm the JIT
    const run = await callInPage<PageRun>(page, 'bench', n);
    const verifyStart = performance.now();
    const check = await callInPage<{ ok: boolean; checked: number }>(page, 'verify');
    const verifyMs = performance.now() - verifyStart;
    if (!check.ok || check.checked !== n + WARMUP) throw new Error(`the benchmark's log does not verify: ${JSON.stringify(check)}`);
    await callInPage(page, 'deleteDb', dbName);
    const bareRun = await callInPage<PageRun>(page, 'benchBare', `${dbName}-bare`, n);
    const summary = summarize(run.durations);
    const bareSummary = summarize(bareRun.durations);
    return {
      figures: { perSecond: (n / run.totalMs) * 1000, p50: summary.p50, p99: summary.p99, n },
      summary,
      bare: { perSecond: (n / bareRun.totalMs) * 1000, p50: bareSummary.p50, p99: bareSummary.p99, n },
      bareSummary,
      verifyPerSecond: ((n + WARMUP) / verifyMs) * 1000,
    };
  } finally {
    await harness.close();
  }
}

export async function benchLogAppend(): Promise<LogAppendFigures> {
  return (await benchLogAppendDetailed()).figures;
}

export const LOG_APPEND_TARGET = { perSecond: 500, p99: 10 };

async function main(): Promise<void> {
  const r = await benchLogAppendDetailed();
  console.log(`Operation log: single-event append, strict durability, Chromium, ${r.figures.n} events awaited one by one`);
  console.log(formatSummary('LogWriter.append (seq + chain + meta, 1 tx)', r.summary));
  console.log(`${'  throughput'.padEnd(44)} ${r.figures.perSecond.toFixed(0)} events/s`);
  console.log(formatSummary('baseline: bare Dexie add (strict)', r.bareSummary));
  console.log(`${'  throughput'.padEnd(44)} ${r.bare.perSecond.toFixed(0)} events/s`);
  console.log(`${'verifyLocal (recover at start)'.padEnd(44)} ${r.verifyPerSecond.toFixed(0)} records/s`);
  const ok = r.figures.perSecond >= LOG_APPEND_TARGET.perSecond && r.figures.p99 <= LOG_APPEND_TARGET.p99;
  console.log(`target ≥ ${LOG_APPEND_TARGET.perSecond} events/s and p99 ≤ ${LOG_APPEND_TARGET.p99} ms: ${ok ? 'met' : 'NOT MET'}`);
  process.exitCode = ok ? 0 : 1;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) void main();
