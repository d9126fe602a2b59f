// The background indexer's schedule (src/server/services/log-index-schedule.ts): it waits for a pause
// in the deliveries, and is never put off longer than the limit in a row.
import { describe, expect, it } from 'vitest';
import { LogIndexSchedule } from '../../src/server/services/log-index-schedule';

const limits = { quietMs: 500, maxDeferMs: 30_000 };

describe('LogIndexSchedule', () => {
  it('runs when nothing was ever stored, and after a pause of quietMs', () => {
    const s = new LogIndexSchedule(limits);
    expect(s.mayRun(0)).toBe(true);
    s.stored(1000);
    expect(s.mayRun(1200)).toBe(false);
    expect(s.mayRun(1499)).toBe(false);
    expect(s.mayRun(1500)).toBe(true);
  });

  it('is put off at most maxDeferMs while batches keep arriving, then runs until it has caught up', () => {
    const s = new LogIndexSchedule(limits);
    let t = 0;
    s.stored(t);
    expect(s.mayRun(t + 100)).toBe(false); // the wait starts at 100
    for (t = 300; t < 30_100; t += 300) {
      s.stored(t);
      expect(s.mayRun(t + 1), `at ${t + 1}`).toBe(false);
    }
    s.stored(30_100);
    expect(s.mayRun(30_100)).toBe(true); // 30 s since the wait began
    s.stored(30_400);
    expect(s.mayRun(30_401)).toBe(true); // still behind: passes go on
    s.caughtUp();
    s.stored(30_500);
    expect(s.mayRun(30_501)).toBe(false); // a new wait
    expect(s.mayRun(60_500)).toBe(true); // quiet again
  });
});
