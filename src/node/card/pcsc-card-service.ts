// The PC/SC implementation of CardService, over pcsclite (pcsc-lite on Linux/macOS, WinSCard on Windows).
//
// Things pcsclite does not do for us, handled here:
//  - pcscd not running / restarted: `pcsclite()` throws, or the PnP watcher dies with an error. We emit
//    'error' once per outage, drop every reader (cards on them count as removed), and retry every second.
//  - Nothing thrown inside a pcsclite callback may escape (it would be an uncaught exception in a native
//    callback): every handler is wrapped, listener exceptions are logged, 'error' is only emitted when
//    somebody listens.
//  - The native CardReader holds one mutex around SCardConnect/Transmit/Disconnect *and* around close()
//    and its own status callback. A call that never returns (a card that does not answer) keeps that mutex:
//    we never queue a second native call behind a stuck one, never call close() on a reader with a call
//    in flight, and never call close() from inside the reader's own event handlers.
//  - SCardTransmit has no timeout: we race it against transmitTimeoutMs and report 'timeout'; the native
//    call stays pending until the card answers or is removed.
//  - No SCardBeginTransaction in pcsclite: by default the card is connected EXCLUSIVE for the few hundred
//    ms of one authentication, so no other PC/SC client can reset it or slip APDUs into our sequence
//    (seen for real: "Card was reset" / a GET RESPONSE answered for someone else's command).
//  - A card swapped between two polls keeps the PRESENT bit: the event counter (upper 16 bits of the
//    reader state) tells, and we emit 'removed' then 'inserted'.

import { EventEmitter } from 'node:events';
import pcsclite from 'pcsclite';
import { CardError, type AuthenticateOptions, type CardIdentity, type CardService, type CardServiceEvents, type HrTime } from './card-service';
import { createPivProfile, toCardError, type CardProfile } from './piv-profile';
import { CARD_MESSAGES } from '../../domain/card';

export interface PcscCardServiceOptions {
  /** Profiles tried in order; a profile answering 'not-supported' passes the card to the next. Default: [PIV]. */
  profiles?: CardProfile[];
  /** Longest wait for one answer of the card (connect, each APDU). Default 5000 ms. */
  transmitTimeoutMs?: number;
  log?: (msg: string) => void;
  /**
   * How the card is held during one authentication. Default 'exclusive': pcsclite has no
   * SCardBeginTransaction, and in 'shared' mode another PC/SC client (OS middleware, a second
   * terminal process) can reset the card or interleave its own APDUs in the middle of ours.
   * While another client has the card, an exclusive connect is retried until transmitTimeoutMs.
   */
  shareMode?: 'exclusive' | 'shared';
}

// ---- the parts of pcsclite we use (its typings do not export these) ----
type NativeCallback<T> = (err: unknown, value: T) => void;
interface NativeReader {
  name: string;
  connected: boolean;
  SCARD_SHARE_SHARED: number;
  SCARD_SHARE_EXCLUSIVE: number;
  SCARD_PROTOCOL_T0: number;
  SCARD_PROTOCOL_T1: number;
  SCARD_STATE_PRESENT: number;
  SCARD_STATE_UNAVAILABLE: number;
  SCARD_STATE_UNKNOWN: number;
  SCARD_STATE_MUTE: number;
  SCARD_RESET_CARD: number;
  on(event: 'status', listener: (status: { state: number; atr?: Buffer }) => void): unknown;
  on(event: 'end', listener: () => void): unknown;
  on(event: 'error', listener: (error: unknown) => void): unknown;
  connect(options: { share_mode?: number; protocol?: number }, cb: NativeCallback<number>): void;
  disconnect(disposition: number, cb: (err: unknown) => void): void;
  transmit(data: Buffer, resLen: number, protocol: number, cb: NativeCallback<Buffer>): void;
  close(): void;
}
interface NativePcsc {
  on(event: 'reader', listener: (reader: NativeReader) => void): unknown;
  on(event: 'error', listener: (error: unknown) => void): unknown;
  close(): void;
}

const now = (): HrTime => performance.timeOrigin + performance.now();
const RETRY_MS = 1000;
/** Largest response buffer handed to SCardTransmit: an extended-length answer plus SW. */
const MAX_RESPONSE = 65538;
const noop = () => undefined;

interface ReaderEntry {
  name: string;
  reader: NativeReader;
  generation: number;
  present: boolean;
  /** Upper 16 bits of the last state: pcsc-lite's count of card events on this reader. */
  eventCount: number;
  /** Settles when the native call in flight (if any) has returned. Native calls are strictly one at a time. */
  native: Promise<void>;
  nativeBusy: boolean;
  /** Serialises authenticate() calls on this reader. */
  queue: Promise<void>;
  gone: boolean;
  closed: boolean;
}

/** pcsclite error messages end in "(0x8010xxxx)". */
function pcscCode(error: unknown): number | null {
  const m = /\(0x([0-9a-fA-F]{8})\)/.exec(error instanceof Error ? error.message : String(error));
  return m ? parseInt(m[1] as string, 16) : null;
}

const SCARD = {
  E_CANCELLED: 0x80100002,
  E_INVALID_HANDLE: 0x80100003,
  E_INSUFFICIENT_BUFFER: 0x80100008,
  E_UNKNOWN_READER: 0x80100009,
  E_TIMEOUT: 0x8010000a,
  E_SHARING_VIOLATION: 0x8010000b,
  E_NO_SMARTCARD: 0x8010000c,
  E_PROTO_MISMATCH: 0x8010000f,
  E_NOT_READY: 0x80100010,
  F_COMM_ERROR: 0x80100013,
  E_NOT_TRANSACTED: 0x80100016,
  E_READER_UNAVAILABLE: 0x80100017,
  E_NO_SERVICE: 0x8010001d,
  E_SERVICE_STOPPED: 0x8010001e,
  E_NO_READERS_AVAILABLE: 0x8010002e,
  W_UNRESPONSIVE_CARD: 0x80100066,
  W_UNPOWERED_CARD: 0x80100067,
  W_RESET_CARD: 0x80100068,
  W_REMOVED_CARD: 0x80100069,
};

/** Maps a PC/SC failure onto a CardError with a Japanese message. */
export function pcscErrorToCardError(error: unknown, during: string): CardError {
  if (error instanceof CardError) return error;
  const code = pcscCode(error);
  const detail = `${during}: ${error instanceof Error ? error.message : String(error)}`;
  const make = (c: ConstructorParameters<typeof CardError>[0], msg: string) => {
    const e = new CardError(c, msg, detail);
    e.cause = error;
    return e;
  };
  switch (code) {
    case SCARD.W_REMOVED_CARD:
    case SCARD.E_NO_SMARTCARD:
      return make('no-card', CARD_MESSAGES.noCard);
    case SCARD.W_UNRESPONSIVE_CARD:
    case SCARD.W_UNPOWERED_CARD:
    case SCARD.W_RESET_CARD:
    case SCARD.E_NOT_TRANSACTED:
    case SCARD.F_COMM_ERROR:
    case SCARD.E_INSUFFICIENT_BUFFER:
      return make('bad-answer', CARD_MESSAGES.unreadable);
    case SCARD.E_PROTO_MISMATCH:
      return make('not-supported', CARD_MESSAGES.notStaffCard);
    case SCARD.E_TIMEOUT:
      return make('timeout', CARD_MESSAGES.timeout);
    case SCARD.E_SHARING_VIOLATION:
      return make('reader', 'カードが他のアプリケーションで使用中です。しばらくしてからもう一度お試しください。');
    default:
      return make('reader', CARD_MESSAGES.reader);
  }
}

class PcscCardService extends EventEmitter implements CardService {
  private readonly profiles: CardProfile[];
  private readonly timeoutMs: number;
  private readonly log: (msg: string) => void;
  private readonly exclusive: boolean;
  private state: 'idle' | 'running' | 'stopped' = 'idle';
  private pcsc: NativePcsc | null = null;
  private generation = 0;
  private entries = new Map<string, ReaderEntry>();
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  /** True while PC/SC is failing (so 'error' is emitted once per outage, not once per retry). */
  private failing = false;
  /** Every reader object ever opened and not yet closed (a reader with a stuck call is closed later). */
  private toClose = new Set<ReaderEntry>();

  constructor(options: PcscCardServiceOptions) {
    super();
    this.log = options.log ?? noop;
    this.profiles = options.profiles && options.profiles.length > 0 ? [...options.profiles] : [createPivProfile({ log: this.log })];
    this.timeoutMs = options.transmitTimeoutMs ?? 5000;
    this.exclusive = (options.shareMode ?? 'exclusive') === 'exclusive';
  }

  // ---- CardService ----

  start(): void {
    if (this.state !== 'idle') return;
    this.state = 'running';
    this.open();
  }

  async stop(): Promise<void> {
    if (this.state === 'stopped') return;
    this.state = 'stopped';
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    const entries = [...this.entries.values()];
    this.entries.clear();
    this.closePcsc();
    // Give calls in flight (normally a disconnect of a few ms) a bounded time to return, then close.
    await Promise.all(entries.map((e) => withTimeout(e.native, this.timeoutMs + 1000)));
    await new Promise((r) => setImmediate(r));
    for (const e of [...this.toClose]) this.closeReader(e);
    if (this.toClose.size > 0) {
      this.log(`stop: ${[...this.toClose].map((e) => e.name).join(', ')} still busy; closed when the card answers or is removed`);
    }
  }

  readers(): string[] {
    return [...this.entries.keys()];
  }

  cardsPresent(): string[] {
    return [...this.entries.values()].filter((e) => e.present).map((e) => e.name);
  }

  authenticate(readerName: string, options: AuthenticateOptions = {}): Promise<CardIdentity> {
    const entry = this.entries.get(readerName);
    if (this.state !== 'running' || !entry) {
      return Promise.reject(new CardError('reader', CARD_MESSAGES.readerMissing, `no reader "${readerName}"`));
    }
    const run = entry.queue.then(() => this.runAuthentication(entry, options));
    entry.queue = run.then(noop, noop);
    return run;
  }

  override on<E extends keyof CardServiceEvents>(event: E, listener: CardServiceEvents[E]): this {
    return super.on(event, listener);
  }

  override off<E extends keyof CardServiceEvents>(event: E, listener: CardServiceEvents[E]): this {
    return super.off(event, listener);
  }

  // ---- PC/SC context ----

  private open(): void {
    if (this.state !== 'running') return;
    let p: NativePcsc;
    try {
      p = (pcsclite as unknown as () => NativePcsc)();
    } catch (e) {
      this.failed(e, 'establish');
      return;
    }
    const gen = ++this.generation;
    this.pcsc = p;
    this.failing = false; // pcscd answered
    // These listeners stay for the life of the native object: a late 'error' (e.g. "cancelled" after close) is swallowed.
    p.on('error', (err) => this.guard('pcsc error', () => this.onPcscError(gen, err)));
    p.on('reader', (r) => this.guard('reader', () => this.onReader(gen, r)));
    this.log(`pcsc: context ${gen} established`);
  }

  private onPcscError(gen: number, err: unknown): void {
    if (gen !== this.generation || this.state !== 'running') {
      this.log(`pcsc: (old context ${gen}) ${String(err)}`);
      return;
    }
    this.failed(err, 'watch');
  }

  /** PC/SC failed: report once, forget every reader, retry later. */
  private failed(err: unknown, during: string): void {
    const message = err instanceof Error ? err.message : String(err);
    this.log(`pcsc: ${during} failed: ${message}`);
    this.generation++; // events of the failed context are ignored from now on
    const at = now();
    const dropped = [...this.entries.values()];
    for (const entry of dropped) this.dropReader(entry, at);
    if (dropped.length > 0) this.emitSafe('readers', this.readers());
    this.closePcsc();
    if (!this.failing) {
      this.failing = true;
      const code = pcscCode(err);
      const hint = code === SCARD.E_NO_SERVICE || code === SCARD.E_SERVICE_STOPPED || during === 'establish' ? ' (is pcscd running?)' : '';
      this.emitError(new Error(`PC/SC ${during} failed${hint}: ${message}`));
    }
    if (this.state === 'running' && !this.retryTimer) {
      this.retryTimer = setTimeout(() => {
        this.retryTimer = null;
        this.guard('retry', () => this.open());
      }, RETRY_MS);
    }
  }

  private closePcsc(): void {
    const p = this.pcsc;
    this.pcsc = null;
    if (!p) return;
    // Never synchronously inside one of its own callbacks.
    setImmediate(() => {
      try {
        p.close();
      } catch (e) {
        this.log(`pcsc: close failed: ${String(e)}`);
      }
    });
  }

  // ---- readers ----

  private onReader(gen: number, reader: NativeReader): void {
    const entry: ReaderEntry = {
      name: reader.name,
      reader,
      generation: gen,
      present: false,
      eventCount: -1,
      native: Promise.resolve(),
      nativeBusy: false,
      queue: Promise.resolve(),
      gone: false,
      closed: false,
    };
    reader.on('error', (err) => this.guard('reader error', () => this.log(`reader ${entry.name}: ${String(err)}`)));
    reader.on('status', (status) => {
      const at = now(); // the moment PC/SC told us
      this.guard('status', () => this.onStatus(entry, status.state, at));
    });
    reader.on('end', () => {
      const at = now();
      this.guard('end', () => this.onEnd(entry, at));
    });
    this.toClose.add(entry);
    if (gen !== this.generation || this.state !== 'running') {
      setImmediate(() => this.closeReader(entry));
      return;
    }
    const previous = this.entries.get(entry.name);
    if (previous) this.dropReader(previous, now());
    this.entries.set(entry.name, entry);
    this.log(`reader added: ${entry.name}`);
    this.emitSafe('readers', this.readers());
  }

  private onStatus(entry: ReaderEntry, state: number, at: HrTime): void {
    if (entry.gone || this.entries.get(entry.name) !== entry) return;
    const r = entry.reader;
    const present = (state & r.SCARD_STATE_PRESENT) !== 0 && (state & (r.SCARD_STATE_UNAVAILABLE | r.SCARD_STATE_UNKNOWN)) === 0;
    const count = (state >>> 16) & 0xffff;
    const swapped = entry.present && present && entry.eventCount >= 0 && count !== entry.eventCount;
    entry.eventCount = count;
    if (swapped) {
      // Removed and inserted again between two polls of the reader (pcscd's event counter moved
      // while the card looked present throughout). Without this, the new card would never be
      // verified. Known cost: another PC/SC client's activity can move the counter too, giving
      // a false removal (the session locks; same card + password resumes it).
      this.log(`card swapped on ${entry.name} (state ${state.toString(16)})`);
      this.emitSafe('removed', { reader: entry.name, at });
      this.emitSafe('inserted', { reader: entry.name, at });
      return;
    }
    if (present === entry.present) return;
    entry.present = present;
    this.log(`card ${present ? 'inserted' : 'removed'}: ${entry.name} (state ${state.toString(16)})`);
    this.emitSafe(present ? 'inserted' : 'removed', { reader: entry.name, at });
  }

  private onEnd(entry: ReaderEntry, at: HrTime): void {
    // The native status watcher has stopped (reader gone, PC/SC failed, or our own close()).
    // close() still joins its thread; never from inside this handler (the reader mutex is held here).
    setImmediate(() => this.closeReader(entry));
    if (this.entries.get(entry.name) !== entry) return;
    this.log(`reader gone: ${entry.name}`);
    this.dropReader(entry, at);
    if (this.state === 'running') this.emitSafe('readers', this.readers());
  }

  /** Forgets a reader (gone, or PC/SC failed). A card on it counts as removed. */
  private dropReader(entry: ReaderEntry, at: HrTime): void {
    entry.gone = true;
    if (this.entries.get(entry.name) === entry) this.entries.delete(entry.name);
    if (entry.present) {
      entry.present = false;
      if (this.state === 'running') this.emitSafe('removed', { reader: entry.name, at });
    }
    // Close the native watcher later, outside its own callbacks, and only with no call in flight.
    setImmediate(() => this.closeReader(entry));
  }

  private closeReader(entry: ReaderEntry): void {
    if (entry.closed) return;
    if (entry.nativeBusy) {
      // close() would block the main thread on the reader mutex: wait for the call to return.
      void entry.native.then(() => setImmediate(() => this.closeReader(entry)));
      return;
    }
    entry.closed = true;
    this.toClose.delete(entry);
    try {
      entry.reader.close();
    } catch (e) {
      this.log(`reader ${entry.name}: close failed: ${String(e)}`);
    }
  }

  // ---- native calls, one at a time per reader ----

  /**
   * Runs one native call after the previous one has returned. Resolves/rejects with its result, or rejects
   * with a 'timeout' CardError after `timeoutMs` (the native call then stays pending; the next one waits for it).
   */
  private native<T>(entry: ReaderEntry, what: string, call: (cb: NativeCallback<T>) => void): Promise<T> {
    const previous = entry.native;
    let release!: () => void;
    entry.native = new Promise<void>((r) => (release = r));
    const result = (async () => {
      if (!(await withTimeout(previous, this.timeoutMs))) {
        void previous.then(release); // the chain goes on once the stuck call returns
        throw new CardError('timeout', CARD_MESSAGES.timeout, `${what}: the reader is still busy with an earlier call`);
      }
      return await new Promise<T>((resolve, reject) => {
        entry.nativeBusy = true;
        const done = (err: unknown, value?: T) => {
          entry.nativeBusy = false;
          release();
          if (err) reject(err instanceof Error ? err : new Error(String(err)));
          else resolve(value as T);
        };
        try {
          call(done);
        } catch (e) {
          done(e ?? new Error('native call failed'));
        }
      });
    })();
    return raceTimeout(result, this.timeoutMs, () => new CardError('timeout', CARD_MESSAGES.timeout, `${what}: no answer within ${this.timeoutMs} ms`));
  }

  private async runAuthentication(entry: ReaderEntry, options: AuthenticateOptions): Promise<CardIdentity> {
    const started = performance.now();
    if (entry.gone || this.state !== 'running') throw new CardError('reader', CARD_MESSAGES.readerMissing, `reader ${entry.name} is gone`);
    if (!entry.present) throw new CardError('no-card', CARD_MESSAGES.noCardPresent, `no card on ${entry.name}`);
    const r = entry.reader;
    let protocol: number;
    try {
      if (r.connected) {
        // A handle left over from an interrupted exchange (its disconnect could not run yet).
        await this.native<void>(entry, 'disconnect', (cb) => r.disconnect(r.SCARD_RESET_CARD, (err) => cb(err, undefined)));
      }
      const shareMode = this.exclusive ? r.SCARD_SHARE_EXCLUSIVE : r.SCARD_SHARE_SHARED;
      const deadline = performance.now() + this.timeoutMs;
      for (;;) {
        try {
          const p = await this.native<number>(entry, 'connect', (cb) =>
            r.connect({ share_mode: shareMode, protocol: r.SCARD_PROTOCOL_T0 | r.SCARD_PROTOCOL_T1 }, cb),
          );
          if (typeof p !== 'number') throw new Error('SCardConnect gave no protocol');
          protocol = p;
          break;
        } catch (e) {
          // Another client has the card for a moment, or the card just inserted is still being powered
          // up by the reader (pcscd answers "unpowered" / "not ready" for a moment): wait (bounded).
          const code = pcscCode(e);
          const transient = code === SCARD.E_SHARING_VIOLATION || code === SCARD.W_UNPOWERED_CARD || code === SCARD.E_NOT_READY;
          if (!transient || !entry.present || entry.gone || performance.now() + 50 > deadline) throw e;
          await new Promise((w) => setTimeout(w, 50));
        }
      }
    } catch (e) {
      throw pcscErrorToCardError(e, `connect ${entry.name}`);
    }
    let apdus = 0;
    const transmit = async (apdu: Uint8Array): Promise<Uint8Array> => {
      if (entry.gone) throw new CardError('reader', CARD_MESSAGES.readerMissing, `reader ${entry.name} is gone`);
      apdus++;
      try {
        const out = await this.native<Buffer>(entry, 'transmit', (cb) =>
          r.transmit(Buffer.from(apdu.buffer, apdu.byteOffset, apdu.byteLength), MAX_RESPONSE, protocol, cb),
        );
        return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
      } catch (e) {
        throw pcscErrorToCardError(e, `transmit on ${entry.name}`);
      }
    };
    try {
      let last: CardError | null = null;
      for (const profile of this.profiles) {
        try {
          const identity = await profile.authenticate(transmit, options);
          this.log(`authenticated on ${entry.name} by ${profile.name} in ${(performance.now() - started).toFixed(1)} ms (${apdus} APDUs): ${identity.keyId}`);
          return identity;
        } catch (e) {
          const error = toCardError(e);
          if (error.code !== 'not-supported') throw error;
          last = error;
        }
      }
      throw last ?? new CardError('not-supported', CARD_MESSAGES.notStaffCard, 'no card profile configured');
    } catch (e) {
      const error = toCardError(e);
      this.log(`authentication on ${entry.name} failed after ${(performance.now() - started).toFixed(1)} ms (${apdus} APDUs): ${error.code}: ${error.message}`);
      throw error;
    } finally {
      this.disconnectLater(entry);
    }
  }

  /**
   * Disconnects (resetting the card: no security state survives) in the background, as soon as the
   * native call in flight, however long it takes, has returned. The next native call waits for it.
   */
  private disconnectLater(entry: ReaderEntry): void {
    const previous = entry.native;
    let release!: () => void;
    entry.native = new Promise<void>((r) => (release = r));
    void previous.then(() => {
      const r = entry.reader;
      if (!r.connected) {
        release();
        return;
      }
      entry.nativeBusy = true;
      const done = (err: unknown) => {
        entry.nativeBusy = false;
        release();
        if (err) this.log(`disconnect on ${entry.name}: ${err instanceof Error ? err.message : String(err)}`);
      };
      try {
        r.disconnect(r.SCARD_RESET_CARD, done);
      } catch (e) {
        done(e ?? new Error('disconnect failed'));
      }
    });
  }

  // ---- safety ----

  private guard(what: string, fn: () => void): void {
    try {
      fn();
    } catch (e) {
      this.log(`internal error in ${what} handler: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    }
  }

  private emitSafe<E extends keyof CardServiceEvents>(event: E, ...args: Parameters<CardServiceEvents[E]>): void {
    for (const listener of this.listeners(event) as ((...a: unknown[]) => void)[]) {
      try {
        listener.apply(this, args);
      } catch (e) {
        this.log(`a '${event}' listener threw: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
  }

  private emitError(error: Error): void {
    if (this.listenerCount('error') === 0) {
      this.log(`error (no listener): ${error.message}`);
      return;
    }
    this.emitSafe('error', error);
  }
}

/** Resolves true if `p` settles within `ms`, false otherwise. Never rejects. */
function withTimeout(p: Promise<unknown>, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const t = setTimeout(() => resolve(false), ms);
    p.then(
      () => {
        clearTimeout(t);
        resolve(true);
      },
      () => {
        clearTimeout(t);
        resolve(true);
      },
    );
  });
}

function raceTimeout<T>(p: Promise<T>, ms: number, onTimeout: () => Error): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const t = setTimeout(() => reject(onTimeout()), ms);
    p.then(
      (v) => {
        clearTimeout(t);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(t);
        reject(e);
      },
    );
  });
}

export function createPcscCardService(options: PcscCardServiceOptions = {}): CardService {
  return new PcscCardService(options);
}
