// The main side's view of operator cards. One interface; the PC/SC implementation
// (pcsc-card-service.ts) is the only one in the product. Card profiles (PIV today) sit
// behind CardProfile so another kind of card can be added without touching the session.

/** Milliseconds on the shared high-resolution wall clock: performance.timeOrigin + performance.now(). */
export type HrTime = number;

export interface CardInsertedEvent {
  reader: string;
  at: HrTime;
}
export interface CardRemovedEvent {
  reader: string;
  at: HrTime;
}

/** What a genuine card proved: it holds the private key of this public key. */
export interface CardIdentity {
  /** SHA-256 (hex) of the DER SubjectPublicKeyInfo of the card-authentication key. */
  keyId: string;
  certificateDer: Uint8Array;
  /** The card profile that produced the proof, e.g. "piv". */
  profile: string;
  /**
   * The card's signature (ECDSA, DER) over the message given to authenticate(), already checked
   * against this key; absent when the challenge was the service's own random nonce. A server can
   * check it again with the certificate it holds (admin sessions, issue 6).
   */
  signatureDer?: Uint8Array;
}

export interface AuthenticateOptions {
  /**
   * Let the card sign these bytes (SHA-256 of them is the PIV challenge) instead of a fresh random
   * nonce. Only for messages built to be signed (domain-separated, with a server's single-use nonce).
   */
  message?: Uint8Array;
}

export type CardErrorCode =
  | 'no-card' // removed while reading
  | 'not-supported' // no supported application on the card
  | 'bad-answer' // malformed, truncated, oversized or unexpected answer
  | 'status' // the card answered with an error status word
  | 'timeout' // no answer in time
  | 'signature' // the card could not prove it holds the key
  | 'reader'; // reader error / reader gone

export class CardError extends Error {
  constructor(
    readonly code: CardErrorCode,
    /** A Japanese message for the counter staff. */
    readonly userMessage: string,
    detail?: string,
  ) {
    super(detail ?? userMessage);
    this.name = 'CardError';
  }
}

export interface CardServiceEvents {
  readers: (readers: string[]) => void;
  inserted: (event: CardInsertedEvent) => void;
  removed: (event: CardRemovedEvent) => void;
  /** PC/SC itself failed (service gone, etc.). The service keeps retrying. */
  error: (error: Error) => void;
}

export interface CardService {
  start(): void;
  stop(): Promise<void>;
  /** Readers currently connected. */
  readers(): string[];
  /** Readers that currently hold a card. */
  cardsPresent(): string[];
  /** Run the card's proof of possession with a fresh random challenge (or over `options.message`). Throws CardError. */
  authenticate(reader: string, options?: AuthenticateOptions): Promise<CardIdentity>;
  on<E extends keyof CardServiceEvents>(event: E, listener: CardServiceEvents[E]): this;
  off<E extends keyof CardServiceEvents>(event: E, listener: CardServiceEvents[E]): this;
}
