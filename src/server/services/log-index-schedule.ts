// When the background indexer (log-indexer.ts, scheduled by app.ts) may run a pass: the terminals'
// deliveries first. Indexing a batch costs the server about as much CPU as storing it (the per-record
// index rows, the terms, the lookup-day counts), and both run on the one event loop; while a terminal
// delivers a backlog (100,000 records after days offline) a pass between its batches delays each
// acknowledgement. So a pass waits until no batch has been stored for QUIET_MS — but never longer than
// MAX_DEFER_MS since it first had to wait: from then on passes run (at most half the time, as before)
// until the index has caught up, so a server that never falls quiet still indexes everything.
// Times are the process's monotonic clock (performance.now), not the server's business clock, which
// tests may hold still.

/** No batch stored for this long: the indexer may run. */
export const QUIET_MS = 500;
/** The indexer is never put off longer than this in a row. */
export const MAX_DEFER_MS = 30_000;

export class LogIndexSchedule {
  private lastStoredAt = Number.NEGATIVE_INFINITY;
  /** Since when the indexer has had work it was not allowed to start (null: none waiting). */
  private waitingSince: number | null = null;

  constructor(private readonly limits: { quietMs: number; maxDeferMs: number } = { quietMs: QUIET_MS, maxDeferMs: MAX_DEFER_MS }) {}

  /** A batch was stored at `now`. */
  stored(now: number): void {
    this.lastStoredAt = now;
  }

  /** Whether a pass may run at `now`; when not, the wait starts counting (if it had not). */
  mayRun(now: number): boolean {
    if (now - this.lastStoredAt >= this.limits.quietMs) return true;
    if (this.waitingSince === null) {
      this.waitingSince = now;
      return false;
    }
    return now - this.waitingSince >= this.limits.maxDeferMs;
  }

  /** The index has caught up with every stored record: the next wait counts from zero. */
  caughtUp(): void {
    this.waitingSince = null;
  }
}
