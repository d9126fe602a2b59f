// Card profiles: how a kind of card proves it holds its key. PIV (NIST SP 800-73-4) is the only one today;
// another profile implements CardProfile and is passed to createPcscCardService({ profiles }).
//
// PIV card authentication (key 9E, ECC P-256): the host draws a fresh random 32-byte nonce m, sends
// SHA-256(m) as the challenge, and checks the returned ECDSA signature over m with SHA-256 against the
// public key of the card-authentication certificate read from the same card. keyId = SHA-256 (hex) of the
// DER SubjectPublicKeyInfo; the server's roster decides whether that key belongs to a member of staff.

import { createHash, randomBytes, verify, X509Certificate, type KeyObject } from 'node:crypto';
import { CardError, type AuthenticateOptions, type CardIdentity } from './card-service';
import { CardFault, CARD_MESSAGES, runPivCardAuthentication, type Transmit } from '../../domain/card';

export type { Transmit };

export interface CardProfile {
  /** Short name, recorded in CardIdentity.profile (e.g. "piv"). */
  readonly name: string;
  /**
   * Runs the card's proof of possession over `transmit` (the card is already connected).
   * Resolves only for a card that proved it holds the key; otherwise rejects with a CardError.
   * A card this profile does not recognise rejects with code 'not-supported' (the next profile is tried).
   */
  authenticate(transmit: Transmit, options?: AuthenticateOptions): Promise<CardIdentity>;
}

/** Maps anything thrown during a card exchange onto a CardError with a Japanese message. */
export function toCardError(error: unknown): CardError {
  if (error instanceof CardError) return error;
  if (error instanceof CardFault) {
    const e = new CardError(error.code, error.userMessage, error.message);
    e.cause = error;
    return e;
  }
  const detail = error instanceof Error ? error.message : String(error);
  const e = new CardError('bad-answer', CARD_MESSAGES.unreadable, `unexpected failure: ${detail}`);
  e.cause = error;
  return e;
}

/** SHA-256 (hex) of the DER SubjectPublicKeyInfo. */
export function keyIdOf(publicKey: KeyObject): string {
  return createHash('sha256').update(publicKey.export({ type: 'spki', format: 'der' })).digest('hex');
}

/** Parses a DER certificate and returns its public key if it is an EC P-256 key; CardError otherwise. */
export function p256KeyOfCertificate(certificateDer: Uint8Array): KeyObject {
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(Buffer.from(certificateDer.buffer, certificateDer.byteOffset, certificateDer.byteLength));
  } catch (e) {
    throw new CardError('bad-answer', CARD_MESSAGES.unreadable, `certificate does not parse: ${(e as Error).message}`);
  }
  const key = cert.publicKey;
  if (key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
    const kind = `${key.asymmetricKeyType ?? '?'}/${key.asymmetricKeyDetails?.namedCurve ?? '-'}`;
    throw new CardError('not-supported', CARD_MESSAGES.wrongKeyType, `card-authentication key is ${kind}, not EC P-256`);
  }
  return key;
}

export interface PivProfileOptions {
  log?: (msg: string) => void;
}

export function createPivProfile(options: PivProfileOptions = {}): CardProfile {
  const log = options.log;
  return {
    name: 'piv',
    async authenticate(transmit: Transmit, options: AuthenticateOptions = {}): Promise<CardIdentity> {
      const nonce = options.message ?? randomBytes(32);
      const challenge = new Uint8Array(createHash('sha256').update(nonce).digest());
      let publicKey: KeyObject | null = null;
      try {
        const result = await runPivCardAuthentication(transmit, {
          challenge,
          onCertificate: (der) => {
            publicKey = p256KeyOfCertificate(der);
          },
          trace: log ? (step) => log(`piv: ${step}`) : undefined,
        });
        const key = publicKey as KeyObject | null;
        if (!key) throw new CardError('bad-answer', CARD_MESSAGES.unreadable, 'certificate was not checked');
        let ok = false;
        try {
          ok = verify('sha256', nonce, { key, dsaEncoding: 'der' }, result.signatureDer);
        } catch (e) {
          throw new CardError('signature', CARD_MESSAGES.signature, `signature check failed: ${(e as Error).message}`);
        }
        if (!ok) throw new CardError('signature', CARD_MESSAGES.signature, 'the signature does not match the certificate key');
        const identity: CardIdentity = { keyId: keyIdOf(key), certificateDer: new Uint8Array(result.certificateDer), profile: 'piv' };
        if (options.message) identity.signatureDer = new Uint8Array(result.signatureDer);
        return identity;
      } catch (e) {
        throw toCardError(e);
      }
    },
  };
}
