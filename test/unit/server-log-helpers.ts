// Shared by the server log unit tests: deterministic pseudo-random numbers (a failing case can be
// replayed from its seed) and the standard SHA-256 the terminals seal records with.
import { createHash } from 'node:crypto';

export const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

export const pick = <T>(next: () => number, values: readonly T[]): T => values[Math.floor(next() * values.length)]!;
