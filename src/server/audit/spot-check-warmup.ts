// What the server does once soon after its start so that the manager's first spot check is as fast
// as the ones after it (issue 5: a month's findings in ≤ 2 s, the first call after a start included).
// On the 20M-record log, with the OS page cache dropped first (a server started after a reboot), the
// first month's findings took ~2.2 s after the directory alone was warmed and ~1.3 s after all three
// steps below — the same as a second call.
//
// Three steps, each in its own turn of the event loop (app.ts) so that requests are served between
// them; the longest is the directory (~1.6 s for 100,000 residents):
//   1. the directory read and normalised (directory-cache.ts);
//   2. the findings of the last day: prepares the statements and the term table, computes the
//      relation candidates (memoised per directory version and roster), compiles the rules' code and
//      reads the upper pages of every index the findings use (~0.6 s, most of it reading);
//   3. the index rows of the last RECENT_DAYS days read in file order (findings-feed.ts
//      readWindowInFileOrder): the months a check most often covers are then in the OS page cache
//      (~50 MB on the 20M-record log, ~0.35 s).
// Nothing is written and nothing is logged: these are reads whose results are dropped, except the
// caches they fill (the directory, the memo, SQLite's and the OS's pages).
import { DAY_MS } from '../clock';
import type { ServerDb } from '../db/open';
import { warmDirectory } from './directory-cache';
import { findingsForPeriod } from './findings';
import { readWindowInFileOrder } from './findings-feed';

/** How far back step 3 reads: this month and the one before, whichever day of the month it is. */
export const RECENT_DAYS = 62;

export interface SpotCheckWarmupStep {
  /** What the step warms, for the server log. */
  name: string;
  run(db: ServerDb, now: number): void;
}

export const SPOT_CHECK_WARMUP: readonly SpotCheckWarmupStep[] = [
  { name: 'directory', run: (db) => void warmDirectory(db) },
  { name: 'findings of the last day', run: (db, now) => void findingsForPeriod(db, { fromMs: now - DAY_MS, toMs: now }, { now }) },
  { name: `log index of the last ${RECENT_DAYS} days`, run: (db, now) => readWindowInFileOrder(db, now - RECENT_DAYS * DAY_MS, now) },
];

export interface SpotCheckWarmupResult {
  name: string;
  ms: number;
  /** The step failed (the server logs it; the spot checks still work, the first one is just slower). */
  error?: string;
}

/** Runs one step, timed; a failure is returned, not thrown. */
export function runWarmupStep(step: SpotCheckWarmupStep, db: ServerDb, now: number): SpotCheckWarmupResult {
  const started = performance.now();
  try {
    step.run(db, now);
    return { name: step.name, ms: performance.now() - started };
  } catch (error) {
    return { name: step.name, ms: performance.now() - started, error: error instanceof Error ? error.message : String(error) };
  }
}

/** Runs every step now, one after the other (the bench; the server spreads them over the event loop). */
export function warmSpotChecks(db: ServerDb, now: number): SpotCheckWarmupResult[] {
  return SPOT_CHECK_WARMUP.map((step) => runWarmupStep(step, db, now));
}
