// A whole system for end-to-end tests, in this process: the real central server on 127.0.0.1
// (real SQLite, demo town), the real terminal services on the real PC/SC daemon, the second
// host serving the built renderer, and virtual cards plugged into pcscd's virtual reader.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startServer, type RunningServer } from '../../src/server/app';
import { seedDemoTown } from '../../src/server/demo/seed';
import { refreshDemoTerminalFiles } from '../../src/server/demo/terminal-files';
import { seedHistory, writePlants, type SeedHistoryResult } from '../../src/server/demo/seed-history';
import { createTerminalRuntime } from '../../src/node/terminal/runtime';
import { createPcscCardService } from '../../src/node/card/pcsc-card-service';
import type { CardService } from '../../src/node/card/card-service';
import type { TerminalService } from '../../src/node/terminal/terminal-service';
import { startHost, type RunningHost } from '../../src/host/host-server';
import { readCardFile } from '../../src/node/card/virtual-card-file';
import { VirtualCard } from '../../src/tools/vcard/virtual-card';
import { FakeClock } from './fake-clock';
import { ReaderLimitedCardService } from './reader-limited-cards';
import { registerTerminal, writeCredentialFile } from '../../src/server/admin/register-terminal';

/** A Tuesday morning, inside operating hours. */
export const OPEN_TIME = '2026-11-24T10:00:00+09:00';

export interface StackOptions {
  time?: string;
  idleLockSeconds?: number;
  resultsClearSeconds?: number;
  /** Let the terminal see only this reader (a second terminal uses the other one). */
  reader?: string;
  /**
   * A generated operation history with planted misuse (src/server/demo/seed-history.ts), put into the
   * server after the demo town (its residents are the demo directory's): `days` days ending yesterday
   * (default 91, i.e. 2026-08-25〜2026-11-23 at OPEN_TIME), `seed` (default the demo town's, 232),
   * `plantsOut`: also write the planted cases as JSON there. Stack.history holds the result.
   */
  history?: { days?: number; seed?: number; terminals?: number; operators?: number; plantsOut?: string };
}

/** vpcd's two readers and the TCP port a virtual card uses to sit in each. */
export const READER_0 = 'Virtual PCD 00 00';
export const READER_1 = 'Virtual PCD 00 01';
export const READER_1_PORT = 35964;

/** Another terminal on the same server: its own data dir, credential, reader, service and host. */
export interface ExtraTerminal {
  id: string;
  name: string;
  dir: string;
  cards: CardService;
  service: TerminalService;
  host: RunningHost;
  url: string;
  /** The vpcd port its card goes into. */
  port: number;
  log: string[];
  stop(): Promise<void>;
}

export class Stack {
  readonly clock = new FakeClock();
  readonly dir = mkdtempSync(join(tmpdir(), 'kumiyama-e2e-'));
  readonly serverDir = join(this.dir, 'server');
  readonly terminalDir = join(this.dir, 'terminal');
  server: RunningServer | null = null;
  service: TerminalService | null = null;
  /** The terminal's PC/SC card service (real pcscd). */
  cards: CardService | null = null;
  host: RunningHost | null = null;
  private serverPort = 0;
  private readonly virtualCards: VirtualCard[] = [];
  private readonly extras: ExtraTerminal[] = [];
  /** The terminal's own diagnostic lines (sync errors, card errors), printed when a test fails. */
  readonly terminalLog: string[] = [];
  /** The generated history when options.history was given (planted cases in .plants). */
  history: SeedHistoryResult | null = null;

  constructor(private readonly options: StackOptions = {}) {
    this.clock.set(options.time ?? OPEN_TIME);
  }

  async start(): Promise<this> {
    await this.startTown();
    await this.startTerminal();
    return this;
  }

  /** The central server with the demo town, no terminal (a test may run the terminal as its own process). */
  async startTown(): Promise<this> {
    await this.startServer();
    await seedDemoTown(this.server!.db, { dataDir: this.serverDir, clock: this.clock, serverUrl: this.server!.url });
    refreshDemoTerminalFiles(this.server!.db, { dataDir: this.serverDir, serverUrl: this.server!.url, clock: this.clock });
    const h = this.options.history;
    if (h && !this.history) {
      this.history = await seedHistory(this.server!.db, {
        clock: this.clock,
        dataDir: this.serverDir,
        ...(h.days === undefined ? {} : { days: h.days }),
        ...(h.seed === undefined ? {} : { seed: h.seed }),
        ...(h.terminals === undefined ? {} : { terminals: h.terminals }),
        ...(h.operators === undefined ? {} : { operators: h.operators }),
      });
      if (h.plantsOut) writePlants(h.plantsOut, this.history);
    }
    return this;
  }

  /** The demo terminal's credential file (written by the demo seeding). */
  get credentialPath(): string {
    return join(this.serverDir, 'demo-terminal.json');
  }

  async startServer(): Promise<void> {
    this.server = await startServer({ dataDir: this.serverDir, port: this.serverPort, clock: this.clock });
    this.serverPort = this.server.port;
  }

  async stopServer(): Promise<void> {
    await this.server?.close();
    this.server = null;
  }

  async startTerminal(): Promise<void> {
    this.cards = this.options.reader ? new ReaderLimitedCardService(createPcscCardService(), this.options.reader) : createPcscCardService();
    this.service = createTerminalRuntime({
      cards: this.cards,
      dataDir: this.terminalDir,
      credentialPath: this.credentialPath,
      clockSource: this.clock,
      idleLockSeconds: this.options.idleLockSeconds,
      resultsClearSeconds: this.options.resultsClearSeconds,
      syncIntervalMs: 2000,
      log: (line) => this.terminalLog.push(`${new Date().toISOString()} ${line}`),
    });
    this.service.start();
    this.host = await startHost({ service: this.service, rendererDir: resolve('out/renderer'), port: 0 });
  }

  async stopTerminal(): Promise<void> {
    await this.host?.close();
    await this.service?.stop();
    this.host = null;
    this.service = null;
    this.cards = null;
  }

  async restartTerminal(): Promise<void> {
    await this.stopTerminal();
    await this.startTerminal();
  }

  get url(): string {
    if (!this.host) throw new Error('terminal not started');
    return this.host.url;
  }

  /** Moves the time of server and terminal and makes the terminal re-read the server clock. */
  async setTime(iso: string): Promise<void> {
    this.clock.set(iso);
    await this.service?.sync();
  }

  /**
   * A second (third…) terminal against the same server, registered through the server's own
   * register-terminal function, with its own data dir and credential file, seeing only `reader`.
   */
  async startExtraTerminal(args: { id: string; name: string; reader?: string; port?: number }): Promise<ExtraTerminal> {
    const dir = join(this.dir, args.id);
    const credentialPath = join(this.dir, `${args.id}-credential.json`);
    const credential = registerTerminal(this.server!.db, { id: args.id, name: args.name, serverUrl: this.server!.url, clock: this.clock });
    writeCredentialFile(credentialPath, credential, { exclusive: true });
    const log: string[] = [];
    const cards = new ReaderLimitedCardService(createPcscCardService(), args.reader ?? READER_1);
    const service = createTerminalRuntime({
      cards,
      dataDir: dir,
      credentialPath,
      clockSource: this.clock,
      idleLockSeconds: this.options.idleLockSeconds,
      resultsClearSeconds: this.options.resultsClearSeconds,
      syncIntervalMs: 2000,
      log: (line) => log.push(`${new Date().toISOString()} ${line}`),
    });
    service.start();
    const host = await startHost({ service, rendererDir: resolve('out/renderer'), port: 0 });
    const extra: ExtraTerminal = {
      id: args.id,
      name: args.name,
      dir,
      cards,
      service,
      host,
      url: host.url,
      port: args.port ?? READER_1_PORT,
      log,
      stop: async () => {
        await host.close();
        await service.stop();
      },
    };
    this.extras.push(extra);
    return extra;
  }

  /** An operator's demo card; `port` puts it into the other virtual reader (default: the first). */
  async card(operatorId: string, options: { port?: number } = {}): Promise<VirtualCard> {
    const card = new VirtualCard(await readCardFile(join(this.serverDir, 'demo-cards', `${operatorId}.json`)), options.port === undefined ? {} : { port: options.port });
    this.virtualCards.push(card);
    return card;
  }

  /**
   * Takes the card out and waits until the running terminal has seen the reader empty (pcscd polls
   * the virtual reader every 400 ms; a card put back before that poll would look as if it never left).
   * With no terminal running, waits out one poll period instead.
   */
  async removeCard(card: VirtualCard, terminal?: ExtraTerminal): Promise<void> {
    await card.remove();
    const cards = terminal ? terminal.cards : this.cards;
    const deadline = Date.now() + 5000;
    if (!cards) {
      await new Promise((r) => setTimeout(r, 1000));
      return;
    }
    while (cards.cardsPresent().length > 0) {
      if (Date.now() > deadline) throw new Error(`the terminal still sees a card after removal: ${cards.cardsPresent().join(', ')}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** What the terminal showed and logged: printed when a test fails, so a CI failure explains itself. */
  diagnostics(): string {
    const snapshot = this.service?.snapshot();
    return [
      `terminal phase: ${snapshot?.phase ?? '(not running)'}; notice: ${snapshot?.notice?.text ?? '-'}; online: ${snapshot?.connection.online ?? '-'}`,
      `cards present: ${this.cards?.cardsPresent().join(', ') || '-'}; readers: ${this.cards?.readers().join(', ') || '-'}`,
      'terminal log:',
      ...this.terminalLog.slice(-40).map((l) => `  ${l}`),
      ...this.extras.flatMap((t) => [
        `extra terminal ${t.id}: phase ${t.service.snapshot().phase}; notice: ${t.service.snapshot().notice?.text ?? '-'}; cards present: ${t.cards.cardsPresent().join(', ') || '-'}`,
        ...t.log.slice(-20).map((l) => `  ${l}`),
      ]),
    ].join('\n');
  }

  async close(): Promise<void> {
    for (const card of this.virtualCards) await card.remove().catch(() => undefined);
    // pcscd polls the virtual reader every 400 ms: let it see the removal before the next
    // test inserts a card, or it would take the swap for the same card staying in.
    if (this.virtualCards.length > 0) await new Promise((r) => setTimeout(r, 1000));
    for (const extra of this.extras.splice(0)) await extra.stop().catch(() => undefined);
    await this.stopTerminal().catch(() => undefined);
    await this.stopServer().catch(() => undefined);
    if (process.env.KEEP_STACK) console.log(`stack kept: ${this.dir}`);
    else rmSync(this.dir, { recursive: true, force: true });
  }
}
