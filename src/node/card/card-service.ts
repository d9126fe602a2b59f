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
  /** Run the card's proof of possession with a fresh random challenge. Throws CardError. */
  authenticate(reader: string): Promise<CardIdentity>;
  on<E extends keyof CardServiceEvents>(event: E, listener: CardServiceEvents[E]): this;
  off<E extends keyof CardServiceEvents>(event: E, listener: CardServiceEvents[E]): this;
}
