import { randomInt } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { generateTemporaryPassword, hasRun, isAcceptableTemporaryPassword, TEMPORARY_PASSWORD_LENGTH } from '../../src/domain/password/temporary';

describe('temporary passwords', () => {
  it('detects runs of repeated or consecutive characters', () => {
    for (const p of ['aaa', 'xabcx', 'x321x', 'Zz999']) expect(hasRun(p), p).toBe(true);
    for (const p of ['aab', 'acb', 'a1b2', 'Hanako#Kumi2026']) expect(hasRun(p), p).toBe(false);
  });

  it('generates passwords that pass the rules and differ', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 200; i++) {
      const password = generateTemporaryPassword(randomInt);
      expect(password).toHaveLength(TEMPORARY_PASSWORD_LENGTH);
      expect(isAcceptableTemporaryPassword(password), password).toBe(true);
      expect(password).not.toMatch(/[0O1lIo]/);
      seen.add(password);
    }
    expect(seen.size).toBe(200);
  });

  it('retries until a candidate passes', () => {
    let calls = 0;
    // The first candidate is all the same character; later ones cycle through the alphabet.
    const random = (max: number): number => (calls++ < TEMPORARY_PASSWORD_LENGTH ? 0 : (calls * 7) % max);
    const password = generateTemporaryPassword(random);
    expect(isAcceptableTemporaryPassword(password)).toBe(true);
    expect(calls).toBeGreaterThan(TEMPORARY_PASSWORD_LENGTH);
  });
});
