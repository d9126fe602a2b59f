// Test-only: a CardService that sees one reader of the machine. vpcd offers two virtual readers and
// an e2e test may run two terminals in one process, each with its own reader; without this, each
// terminal's PC/SC service would see (and try to authenticate) the other terminal's card too.
import { EventEmitter } from 'node:events';
import { CardError, type AuthenticateOptions, type CardIdentity, type CardService, type CardServiceEvents } from '../../src/node/card/card-service';

export class ReaderLimitedCardService extends EventEmitter implements CardService {
  constructor(
    private readonly inner: CardService,
    readonly reader: string,
  ) {
    super();
    inner.on('readers', (readers) => this.emit('readers', readers.filter((r) => r === reader)));
    inner.on('inserted', (event) => {
      if (event.reader === reader) this.emit('inserted', event);
    });
    inner.on('removed', (event) => {
      if (event.reader === reader) this.emit('removed', event);
    });
    inner.on('error', (error) => this.emit('error', error));
  }

  start(): void {
    this.inner.start();
  }

  stop(): Promise<void> {
    return this.inner.stop();
  }

  readers(): string[] {
    return this.inner.readers().filter((r) => r === this.reader);
  }

  cardsPresent(): string[] {
    return this.inner.cardsPresent().filter((r) => r === this.reader);
  }

  authenticate(reader: string, options?: AuthenticateOptions): Promise<CardIdentity> {
    if (reader !== this.reader) return Promise.reject(new CardError('reader', 'カードリーダーが見つかりません。', `reader ${reader} is not this terminal's`));
    return this.inner.authenticate(reader, options);
  }

  override on<E extends keyof CardServiceEvents>(event: E, listener: CardServiceEvents[E]): this {
    return super.on(event, listener);
  }

  override off<E extends keyof CardServiceEvents>(event: E, listener: CardServiceEvents[E]): this {
    return super.off(event, listener);
  }
}
