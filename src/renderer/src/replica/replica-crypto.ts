// Sealing resident records for the replica at rest (issue 4 item 6). Main hands out the 32-byte
// replica key only while an operator is signed in; from it HKDF derives an AES-GCM key for the
// record payloads and an HMAC key for the resident-code index. The derived keys are not
// extractable and live only in this page's memory; on lock the store drops them.
import type { Resident } from '../../../shared/resident-api';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export class ReplicaCrypto {
  private constructor(
    private readonly aes: CryptoKey,
    private readonly hmac: CryptoKey,
  ) {}

  static async fromBase64(key: string): Promise<ReplicaCrypto> {
    const raw = Uint8Array.from(atob(key), (c) => c.charCodeAt(0));
    if (raw.length !== 32) throw new Error('the replica key must be 32 bytes');
    const base = await crypto.subtle.importKey('raw', raw, 'HKDF', false, ['deriveKey']);
    const salt = encoder.encode('kumiyama-replica/1');
    const aes = await crypto.subtle.deriveKey({ name: 'HKDF', hash: 'SHA-256', salt, info: encoder.encode('payload') }, base, { name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt']);
    const hmac = await crypto.subtle.deriveKey({ name: 'HKDF', hash: 'SHA-256', salt, info: encoder.encode('code-index') }, base, { name: 'HMAC', hash: 'SHA-256', length: 256 }, false, ['sign']);
    return new ReplicaCrypto(aes, hmac);
  }

  async seal(resident: Resident): Promise<Uint8Array<ArrayBuffer>> {
    const iv = crypto.getRandomValues(new Uint8Array(12));
    const cipher = new Uint8Array(await crypto.subtle.encrypt({ name: 'AES-GCM', iv }, this.aes, encoder.encode(JSON.stringify(resident))));
    const out = new Uint8Array(12 + cipher.length);
    out.set(iv);
    out.set(cipher, 12);
    return out;
  }

  /** Throws when the payload was altered or sealed under another key. */
  async open(sealed: Uint8Array<ArrayBuffer>): Promise<Resident> {
    const plain = await crypto.subtle.decrypt({ name: 'AES-GCM', iv: sealed.subarray(0, 12) }, this.aes, sealed.subarray(12));
    return JSON.parse(decoder.decode(plain)) as Resident;
  }

  async codeKey(code: string): Promise<string> {
    const mac = new Uint8Array(await crypto.subtle.sign('HMAC', this.hmac, encoder.encode(code)));
    let hex = '';
    for (const byte of mac) hex += byte.toString(16).padStart(2, '0');
    return hex;
  }
}
