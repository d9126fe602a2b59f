// Runs one async job at a time, and lets a caller wait for a run that STARTED after its call.
// Why: the terminal syncs on a timer, on card events and on demand. A caller that has just changed
// something (an administrator released a lockout, a record was queued) must see a sync that began
// after the change; joining a sync already in flight could return a roster fetched before it.
// Calls arriving while a run is in flight share one queued follow-up run, so a burst costs at most
// one extra run. Pure: no I/O, no timers.

export class FreshRun {
  private running: Promise<void> | null = null;
  private queued: Promise<void> | null = null;

  /** `job` must not throw (its failures are its own business); a rejection still frees the gate. */
  constructor(private readonly job: () => Promise<void>) {}

  run(): Promise<void> {
    if (this.queued) return this.queued;
    if (this.running) {
      this.queued = this.running.then(() => {
        this.queued = null;
        return this.run();
      });
      return this.queued;
    }
    const started = this.job().catch(() => undefined);
    this.running = started.finally(() => {
      this.running = null;
    });
    return this.running;
  }

  /** Settles once nothing is running or queued (for shutting down). */
  async idle(): Promise<void> {
    while (this.queued ?? this.running) await (this.queued ?? this.running);
  }
}
