import { describe, expect, it } from 'vitest';
import { TrustedClock, type ClockSource } from '../../src/domain/time/trusted-clock';

function fakeSource(wall: number) {
  const s = { wall, mono: 1000 };
  const source: ClockSource = { wallNow: () => s.wall, monoNow: () => s.mono };
  const advance = (ms: number) => {
    s.wall += ms;
    s.mono += ms;
  };
  return { s, source, advance };
}

describe('TrustedClock', () => {
  it('runs on the monotonic clock: moving the wall clock does not move trusted time, but is reported', () => {
    const { s, source, advance } = fakeSource(1_700_000_000_000);
    const clock = new TrustedClock(source);
    advance(5000);
    expect(clock.now()).toBe(1_700_000_005_000);
    s.wall -= 3 * 3600_000; // someone sets the PC clock back three hours
    expect(clock.now()).toBe(1_700_000_005_000);
    expect(clock.checkForJump()).toEqual({ kind: 'local-clock-moved', deltaMs: -3 * 3600_000 });
    expect(clock.checkForJump()).toBeNull();
  });

  it('anchors to the server at the midpoint of the round trip', () => {
    const { s, source } = fakeSource(1_000_000);
    const clock = new TrustedClock(source);
    s.mono = 2000;
    clock.anchorToServer(5_000_000, 1000, 2000); // server read at mono 1500
    expect(clock.now()).toBe(5_000_500);
    expect(clock.isServerAnchored()).toBe(true);
    expect(clock.localOffsetMs()).toBe(1_000_000 - 5_000_500);
  });

  it('a local clock behind the last trusted time at start is untrusted until the server is reached', () => {
    const { source } = fakeSource(1_000_000);
    const clock = new TrustedClock(source, { lastKnownTrusted: 1_000_000 + 3600_000 });
    expect(clock.isUntrusted()).toBe(true);
    expect(clock.startupAnomaly()?.kind).toBe('local-clock-behind-last-known');
    clock.anchorToServer(1_000_000 + 7200_000, 1000, 1000);
    expect(clock.isUntrusted()).toBe(false);
    expect(new TrustedClock(source, { lastKnownTrusted: 1_000_000 + 30_000 }).isUntrusted()).toBe(false);
  });
});
