// HMAC-SHA-256 of an 11-digit resident code, for the replica's code index (replica-crypto.ts).
// A replica load computes one per resident: WebCrypto costs an asynchronous call each, a general JS
// HMAC allocates several objects each. Here the key's inner and outer states are computed once, and
// each code costs two SHA-256 compressions on preallocated words. Checked against @noble/hashes'
// hmac in test/unit/replica-code-mac.test.ts. Pure.

// prettier-ignore
const K = Int32Array.from([
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2
]);
const IV = Int32Array.from([0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19]);

/** One SHA-256 compression: `out` = state after the 16 words w[0..15] (w is 64 long, overwritten from 16). */
function compress(state: Int32Array, w: Int32Array, out: Int32Array): void {
  for (let i = 16; i < 64; i++) {
    const x = w[i - 15]!;
    const y = w[i - 2]!;
    const s0 = ((x >>> 7) | (x << 25)) ^ ((x >>> 18) | (x << 14)) ^ (x >>> 3);
    const s1 = ((y >>> 17) | (y << 15)) ^ ((y >>> 19) | (y << 13)) ^ (y >>> 10);
    w[i] = (w[i - 16]! + s0 + w[i - 7]! + s1) | 0;
  }
  let a = state[0]!, b = state[1]!, c = state[2]!, d = state[3]!, e = state[4]!, f = state[5]!, g = state[6]!, h = state[7]!;
  for (let i = 0; i < 64; i++) {
    const s1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
    const t1 = (h + s1 + ((e & f) ^ (~e & g)) + K[i]! + w[i]!) | 0;
    const s0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
    const t2 = (s0 + ((a & b) ^ (a & c) ^ (b & c))) | 0;
    h = g;
    g = f;
    f = e;
    e = (d + t1) | 0;
    d = c;
    c = b;
    b = a;
    a = (t1 + t2) | 0;
  }
  out[0] = (state[0]! + a) | 0;
  out[1] = (state[1]! + b) | 0;
  out[2] = (state[2]! + c) | 0;
  out[3] = (state[3]! + d) | 0;
  out[4] = (state[4]! + e) | 0;
  out[5] = (state[5]! + f) | 0;
  out[6] = (state[6]! + g) | 0;
  out[7] = (state[7]! + h) | 0;
}

export class CodeMac {
  private readonly inner = new Int32Array(8);
  private readonly outer = new Int32Array(8);
  private readonly w = new Int32Array(64);
  private readonly mid = new Int32Array(8);
  private readonly tag = new Int32Array(8);

  /** `key`: at most 64 bytes (the replica's is 32). */
  constructor(key: Uint8Array) {
    if (key.length > 64) throw new RangeError('the code MAC key must be at most 64 bytes');
    const block = new Uint8Array(64);
    for (const [pad, state] of [[0x36, this.inner], [0x5c, this.outer]] as const) {
      block.fill(pad);
      key.forEach((byte, i) => (block[i] = byte ^ pad));
      for (let i = 0; i < 16; i++) this.w[i] = (block[4 * i]! << 24) | (block[4 * i + 1]! << 16) | (block[4 * i + 2]! << 8) | block[4 * i + 3]!;
      compress(IV, this.w, state);
    }
    block.fill(0);
    this.w.fill(0);
  }

  /** HMAC-SHA-256 of an ASCII text of at most 55 characters (a resident code: 11 digits), as 8 big-endian 32-bit words. */
  words(text: string): Int32Array {
    const n = text.length;
    if (n > 55) throw new RangeError('text too long for one block');
    const w = this.w;
    w.fill(0, 0, 16);
    for (let i = 0; i < n; i++) {
      const c = text.charCodeAt(i);
      if (c > 0x7f) throw new RangeError('ASCII only');
      w[i >> 2]! |= c << (24 - 8 * (i & 3));
    }
    w[n >> 2]! |= 0x80 << (24 - 8 * (n & 3));
    w[15] = (64 + n) * 8;
    compress(this.inner, w, this.mid);
    for (let i = 0; i < 8; i++) w[i] = this.mid[i]!;
    w[8] = 0x80000000 | 0;
    for (let i = 9; i < 15; i++) w[i] = 0;
    w[15] = (64 + 32) * 8;
    compress(this.outer, w, this.tag);
    return this.tag;
  }

  /** The first `hexDigits` (≤ 64) hex digits of the HMAC. */
  hex(text: string, hexDigits: number): string {
    const tag = this.words(text);
    let out = '';
    for (let i = 0; i * 8 < hexDigits; i++) out += (tag[i]! >>> 0).toString(16).padStart(8, '0');
    return out.slice(0, hexDigits);
  }
}
