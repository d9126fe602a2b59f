// The replica's code index MAC (src/renderer/src/replica/code-mac.ts) is HMAC-SHA-256: checked
// against @noble/hashes for keys and texts of every length it takes.
import { describe, expect, it } from 'vitest';
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import { CodeMac } from '../../src/renderer/src/replica/code-mac';

describe('CodeMac', () => {
  it('equals HMAC-SHA-256 for keys of 0–64 bytes and ASCII texts of 0–55 characters', () => {
    let seed = 7;
    const next = () => (seed = (seed * 1103515245 + 12345) >>> 0) >>> 24;
    for (const keyLength of [0, 1, 16, 31, 32, 33, 63, 64]) {
      const key = Uint8Array.from({ length: keyLength }, next);
      const mac = new CodeMac(key);
      for (const textLength of [0, 1, 3, 4, 11, 12, 54, 55]) {
        const text = Array.from({ length: textLength }, () => String(next() % 10)).join('');
        expect(mac.hex(text, 64)).toBe(bytesToHex(hmac(sha256, key, new TextEncoder().encode(text))));
        expect(mac.hex(text, 8)).toBe(bytesToHex(hmac(sha256, key, new TextEncoder().encode(text))).slice(0, 8));
      }
    }
  });

  it('refuses what it was not made for', () => {
    expect(() => new CodeMac(new Uint8Array(65))).toThrow(RangeError);
    expect(() => new CodeMac(new Uint8Array(32)).hex('x'.repeat(56), 8)).toThrow(RangeError);
    expect(() => new CodeMac(new Uint8Array(32)).hex('住民', 8)).toThrow(RangeError);
  });
});
