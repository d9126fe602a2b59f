// The server's notion of "now". Injectable so tests can set the server's time; the CLI always
// uses the real clock.

export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

export const DAY_MS = 86_400_000;

/** ISO 8601 in UTC ("…Z"), the form every time on the wire takes. */
export function toIso(epochMs: number): string {
  return new Date(epochMs).toISOString();
}
