import { describe, expect, it } from 'vitest';
import { FreshRun } from '../../src/node/terminal/fresh-run';

/** A job whose runs are released by hand, recording when each started. */
function manualJob() {
  const started: number[] = [];
  const releases: (() => void)[] = [];
  let n = 0;
  const job = () =>
    new Promise<void>((resolve) => {
      started.push(++n);
      releases.push(resolve);
    });
  return { job, started, release: (i: number) => releases[i]!() };
}

const tick = () => new Promise((r) => setTimeout(r, 0));

describe('FreshRun: a caller waits for a run that began after its call', () => {
  it('a call while a run is in flight does not settle with that run, but with the next one', async () => {
    const m = manualJob();
    const gate = new FreshRun(m.job);
    let firstDone = false;
    let secondDone = false;
    void gate.run().then(() => (firstDone = true));
    await tick();
    void gate.run().then(() => (secondDone = true));
    m.release(0);
    await tick();
    expect(firstDone).toBe(true);
    expect(secondDone).toBe(false); // the first run began before the second call
    expect(m.started).toEqual([1, 2]);
    m.release(1);
    await tick();
    expect(secondDone).toBe(true);
  });

  it('a burst of calls during one run costs exactly one more run', async () => {
    const m = manualJob();
    const gate = new FreshRun(m.job);
    void gate.run();
    const burst = [gate.run(), gate.run(), gate.run()];
    m.release(0);
    await tick();
    m.release(1);
    await Promise.all(burst);
    expect(m.started).toEqual([1, 2]);
  });

  it('never runs two jobs at once, and a failing job frees the gate', async () => {
    let active = 0;
    let most = 0;
    let runs = 0;
    const gate = new FreshRun(async () => {
      active++;
      most = Math.max(most, active);
      await tick();
      active--;
      if (++runs === 1) throw new Error('network down');
    });
    await Promise.all([gate.run(), gate.run(), gate.run()]);
    await gate.run();
    expect(most).toBe(1);
    expect(runs).toBe(3);
  });

  it('idle() waits for the queued run too', async () => {
    const m = manualJob();
    const gate = new FreshRun(m.job);
    void gate.run();
    void gate.run();
    let idle = false;
    void gate.idle().then(() => (idle = true));
    m.release(0);
    await tick();
    expect(idle).toBe(false);
    m.release(1);
    await tick();
    await tick();
    expect(idle).toBe(true);
  });
});
