// Builds the stores with their I/O injected (the contract client), so each is testable
// without a window. Passed down through React context.
import { createContext, useContext } from 'react';
import type { TerminalClient, TerminalSnapshot } from '../../../shared/contract';
import { SessionStore } from './session-store';
import { UiStore } from './ui-store';
import { LogStore } from './log-store';
import type { LogWriter } from '../log/log-writer';
import type { LogClock } from '../log/log-writer';
import { ResidentStore } from './resident-store';
import type { ReplicaDb } from '../replica/replica-db';
import { AdminStore } from './admin-store';

export interface RootStoreOptions {
  /** Opens the terminal's operation log (production: createLogWriter). */
  openLogWriter: (terminalId: string, clock: LogClock) => LogWriter;
  /** Opens the terminal's resident replica (production: new ReplicaDb(replicaDbName(id))). */
  openReplica: (terminalId: string) => ReplicaDb;
  syncIntervalMs?: number;
}

export class RootStore {
  readonly session: SessionStore;
  readonly ui: UiStore;
  readonly log: LogStore;
  readonly residents: ResidentStore;
  readonly admin: AdminStore;
  private lastActivityReport = 0;

  constructor(
    private readonly api: TerminalClient,
    options: RootStoreOptions,
  ) {
    this.session = new SessionStore(api);
    this.ui = new UiStore();
    // Records carry trusted time (the server-anchored clock main reports in every snapshot).
    const clock: LogClock = () => {
      const trusted = this.ui.trustedNow;
      return { at: new Date(trusted).toISOString(), clockOffsetMs: Date.now() - trusted };
    };
    this.log = new LogStore({
      api,
      openWriter: (terminalId) => options.openLogWriter(terminalId, clock),
      now: () => this.ui.trustedNow,
      syncIntervalMs: options.syncIntervalMs,
    });
    this.residents = new ResidentStore({
      api,
      log: this.log,
      openReplica: options.openReplica,
      now: () => this.ui.trustedNow,
      idleClearMs: () => (this.session.snapshot?.resultsClearSeconds ?? 60) * 1000,
    });
    this.admin = new AdminStore({ api });
    api.onSnapshot((snapshot) => this.receive(snapshot));
  }

  private receive(snapshot: TerminalSnapshot): void {
    // A call made while the transport is down answers with an error result, not a snapshot.
    if (typeof snapshot !== 'object' || snapshot === null || typeof snapshot.phase !== 'string' || !snapshot.log) return;
    this.session.receive(snapshot);
    this.ui.setTrustedNow(snapshot.now);
    this.log.receive(snapshot);
    this.residents.receive(snapshot);
    this.admin.receive(snapshot);
  }

  connectionChanged(connected: boolean): void {
    this.session.setConnected(connected);
    if (connected) {
      void this.api.getSnapshot({}).then((s) => this.receive(s));
      this.log.reconnected();
    }
  }

  /** Keyboard/mouse activity; reported at most once a second (main decides idleness). */
  activity(): void {
    const now = Date.now();
    if (now - this.lastActivityReport < 1000) return;
    this.residents.activity();
    this.lastActivityReport = now;
    void this.api.reportActivity({});
  }
}

export const StoreContext = createContext<RootStore | null>(null);

export function useStores(): RootStore {
  const store = useContext(StoreContext);
  if (!store) throw new Error('RootStore missing');
  return store;
}
