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
import { SpotCheckStore } from './spot-check-store';
import { OfflineAuditStore, type LocalLogSource } from './offline-audit-store';
import { TerminalDb } from '../log/log-db';
import { terminalDbName } from '../log';
import { sha256Hex } from '../log/sha256';

/** The terminal's own log read through a second (read-only use) Dexie connection. */
const localLogs = new Map<string, LocalLogSource>();
function localLogSource(terminalId: string): LocalLogSource {
  const known = localLogs.get(terminalId);
  if (known) return known;
  const db = new TerminalDb(terminalDbName(terminalId));
  const source: LocalLogSource = {
    between: (fromIso, toIso) => db.log.where('at').between(fromIso, toIso, true, true).toArray().then((rows) => rows.sort((a, b) => a.seq - b.seq)),
    get: (seq) => db.log.get(seq),
    oldest: () => db.log.orderBy('seq').first(),
  };
  localLogs.set(terminalId, source);
  return source;
}

/** Hands a file to the person: Blob + <a download> (Chromium and Electron alike). */
function downloadBlob(fileName: string, blob: Blob): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  a.style.display = 'none';
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

export interface RootStoreOptions {
  /** Opens the terminal's operation log (production: createLogWriter). */
  openLogWriter: (terminalId: string, clock: LogClock) => LogWriter;
  /** Opens the terminal's resident replica (production: new ReplicaDb(replicaDbName(id))). */
  openReplica: (terminalId: string) => ReplicaDb;
  syncIntervalMs?: number;
  /** The terminal's own log for オフライン点検 (production: its Dexie database). */
  openLocalLog?: (terminalId: string) => LocalLogSource;
  /** Saves an exported file (production: Blob + <a download>). */
  download?: (fileName: string, blob: Blob) => void;
}

export class RootStore {
  readonly session: SessionStore;
  readonly ui: UiStore;
  readonly log: LogStore;
  readonly residents: ResidentStore;
  readonly admin: AdminStore;
  readonly spot: SpotCheckStore;
  readonly offlineAudit: OfflineAuditStore;
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
    const appendLog = (event: Parameters<LogStore['append']>[0]) => this.log.append(event);
    this.spot = new SpotCheckStore({
      api,
      session: () => this.admin.session,
      log: appendLog,
      operatorId: () => this.session.snapshot?.operator?.id ?? null,
      now: () => this.ui.trustedNow,
      download: options.download ?? downloadBlob,
    });
    this.offlineAudit = new OfflineAuditStore({
      source: options.openLocalLog ?? localLogSource,
      log: appendLog,
      sha256: sha256Hex,
      now: () => this.ui.trustedNow,
      lastSyncAt: () => this.log.lastSyncAt,
    });
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
    this.offlineAudit.receive(snapshot);
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
