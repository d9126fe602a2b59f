// Sealing resident records for the replica at rest (issue 4 item 6). Main hands out the 32-byte
// replica key only while an operator is signed in; from it HKDF derives an AES-GCM key for the
// sealed chunks of records and an HMAC key for the resident-code index. The AES key is not
// extractable and lives only in this page's memory. The code-index key is derived as bits and used
// by a JS HMAC (code-mac.ts): one WebCrypto call per resident cost more than all the rest of a
// 1,000,000-resident load; only its inner and outer SHA-256 states are kept, in this page's memory
// (as the replica key itself passes through it). On lock the store drops both.
import { CodeMac } from './code-mac';

const encoder = new TextEncoder();

/** Hex digits of the code MAC kept in the index: 32 bits — enough to find a code among millions (a collision only costs one more record opened), no more. */
export const CODE_MAC_HEX = 8;

export class ReplicaCrypto {
  private constructor(
    private readonly aes: CryptoKey,
    private readonly mac: CodeMac,
  ) {}

  static async fromBase64(key: string): Promise<ReplicaCrypto> {
    const raw = Uint8Array.from(atob(key), (c) => c.charCodeAt(0));
    if (raw.length !== 32) throw new Error('the replica key must be 32 bytes');
    const base = await crypto.subtle.importKey('raw', raw, 'HKDF', false, ['deriveKey', 'deriveBits']);
    raw.fill(0);
    const salt = encoder.encode('kumiyama-replica/1');
    const aes = await crypto.subtle.deriveKey({ name: 'HKDF', hash: 'SHA-256', salt, info: encoder.encode('payload') }, base, { name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt']);
    // The same 256 bits an HMAC-SHA-256 key derived with deriveKey would hold.
    const macKey = new Uint8Array(await crypto.subtle.deriveBits({ name: 'HKDF', hash: 'SHA-256', salt, info: encoder.encode('code-index') }, base, 256));
    const mac = new CodeMac(macKey);
    macKey.fill(0);
    return new ReplicaCrypto(aes, mac);
  }

  /** AES-GCM with a fresh IV: 12-byte IV followed by the ciphertext; `context` is bound as additional data (a chunk opened under another number fails). */
  async seal(plain: Uint8Array<ArrayBuffer>, context: number): Promise<Uint8Array<ArrayBuffer>> {
    const iv = crypto.getRandomValues(new Uint8Array(12));
    const cipher = new Uint8Array(await crypto.subtle.encrypt({ name: 'AES-GCM', iv, additionalData: contextBytes(context) }, this.aes, plain));
    const out = new Uint8Array(12 + cipher.length);
    out.set(iv);
    out.set(cipher, 12);
    return out;
  }

  /** Throws when the sealed bytes were altered, sealed under another key or for another context. */
  async open(sealed: Uint8Array<ArrayBuffer>, context: number): Promise<Uint8Array<ArrayBuffer>> {
    return new Uint8Array(await crypto.subtle.decrypt({ name: 'AES-GCM', iv: sealed.subarray(0, 12), additionalData: contextBytes(context) }, this.aes, sealed.subarray(12)));
  }

  /** The code index: the first CODE_MAC_HEX hex digits of HMAC-SHA-256(code) under the code-index key. Synchronous. */
  codeKey(code: string): string {
    return this.mac.hex(code, CODE_MAC_HEX);
  }
}

function contextBytes(context: number): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(8);
  new DataView(bytes.buffer).setFloat64(0, context);
  return bytes;
}
