// Builds the stores with their I/O injected (the contract client), so each is testable
// without a window. Passed down through React context.
import { createContext, useContext } from 'react';
import type { TerminalClient } from '../../../shared/contract';
import { SessionStore } from './session-store';
import { UiStore } from './ui-store';

export class RootStore {
  readonly session: SessionStore;
  readonly ui: UiStore;
  private lastActivityReport = 0;

  constructor(private readonly api: TerminalClient) {
    this.session = new SessionStore(api);
    this.ui = new UiStore();
    api.onSnapshot((snapshot) => {
      this.session.receive(snapshot);
      this.ui.setTrustedNow(snapshot.now);
    });
  }

  connectionChanged(connected: boolean): void {
    this.session.setConnected(connected);
    if (connected) void this.api.getSnapshot({}).then((s) => this.session.receive(s));
  }

  /** Keyboard/mouse activity; reported at most once a second (main decides idleness). */
  activity(): void {
    const now = Date.now();
    if (now - this.lastActivityReport < 1000) return;
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
