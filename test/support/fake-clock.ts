// Test-only time control. Production code never sees this: the composition roots
// (src/main/index.ts, src/host/cli.ts, src/server/cli.ts) always use the system clock, and no
// option or setting there accepts another. Tests compose the same services with this clock.
import type { ClockSource } from '../../src/domain/time/trusted-clock';

export class FakeClock implements ClockSource {
  private offset = 0;

  /** Wall time = real time shifted so that it reads `iso` now; it keeps running. */
  set(iso: string): void {
    this.offset = Date.parse(iso) - Date.now();
  }

  wallNow(): number {
    return Date.now() + this.offset;
  }

  /** The monotonic clock stays real so timers (idle lock) behave as in production. */
  monoNow(): number {
    return performance.now();
  }

  /** The server's clock interface. */
  now(): number {
    return this.wallNow();
  }
}
