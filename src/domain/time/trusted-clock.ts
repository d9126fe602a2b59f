// The terminal's notion of "now" (第23条 hours must not be bypassed by moving the PC clock).
// Time runs on the monotonic clock from an anchor: the server's time when it was last reached,
// otherwise the local wall clock read at start. Moving the local clock afterwards changes
// nothing but raises an anomaly; the next server contact re-anchors.

export interface ClockSource {
  /** Local wall clock, epoch ms (Date.now). Can be moved by anyone with OS rights. */
  wallNow(): number;
  /** Monotonic ms (performance.now). Cannot be moved. */
  monoNow(): number;
}

export interface ClockAnomaly {
  kind: 'local-clock-moved' | 'local-clock-behind-last-known';
  /** Signed ms: how far the local wall clock moved against the monotonic clock. */
  deltaMs: number;
}

export interface TrustedClockOptions {
  /** A wall-vs-monotonic divergence above this is reported as the clock being moved. */
  jumpToleranceMs?: number;
  /** The last trusted time this terminal saw (persisted across restarts). */
  lastKnownTrusted?: number | null;
}

export class TrustedClock {
  private anchorTime: number;
  private anchorMono: number;
  private serverAnchored = false;
  private refWall: number;
  private refMono: number;
  private readonly tolerance: number;
  private startAnomaly: ClockAnomaly | null = null;

  constructor(
    private readonly source: ClockSource,
    options: TrustedClockOptions = {},
  ) {
    this.tolerance = options.jumpToleranceMs ?? 60_000;
    this.anchorTime = source.wallNow();
    this.anchorMono = source.monoNow();
    this.refWall = this.anchorTime;
    this.refMono = this.anchorMono;
    const last = options.lastKnownTrusted ?? null;
    if (last !== null && this.anchorTime < last - this.tolerance) {
      this.startAnomaly = { kind: 'local-clock-behind-last-known', deltaMs: this.anchorTime - last };
    }
  }

  /** Trusted now, epoch ms. */
  now(): number {
    return this.anchorTime + (this.source.monoNow() - this.anchorMono);
  }

  /** True once the server's time has been seen in this run. */
  isServerAnchored(): boolean {
    return this.serverAnchored;
  }

  /**
   * The local clock was found behind the last trusted time at start and no server has been
   * reached since: the terminal cannot know what time it is.
   */
  isUntrusted(): boolean {
    return this.startAnomaly !== null && !this.serverAnchored;
  }

  startupAnomaly(): ClockAnomaly | null {
    return this.startAnomaly;
  }

  /**
   * Anchor to the server's clock. The server read its clock somewhere between sending and
   * receiving: take the midpoint of the round trip.
   */
  anchorToServer(serverEpochMs: number, sentMono: number, receivedMono: number): void {
    const mid = sentMono + (receivedMono - sentMono) / 2;
    this.anchorTime = serverEpochMs + (this.source.monoNow() - mid);
    this.anchorMono = this.source.monoNow();
    this.serverAnchored = true;
  }

  /** Offset of the local wall clock from trusted time (positive: local clock is ahead). */
  localOffsetMs(): number {
    return this.source.wallNow() - this.now();
  }

  /** Call periodically: reports the local wall clock having been moved since the last call. */
  checkForJump(): ClockAnomaly | null {
    const wall = this.source.wallNow();
    const mono = this.source.monoNow();
    const delta = wall - this.refWall - (mono - this.refMono);
    this.refWall = wall;
    this.refMono = mono;
    return Math.abs(delta) > this.tolerance ? { kind: 'local-clock-moved', deltaMs: delta } : null;
  }
}
