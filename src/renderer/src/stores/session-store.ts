// Mirror of the main side's snapshot. The renderer decides nothing about the session: it shows
// the snapshot and forwards commands. On lock the snapshot carries no operator, and the old one
// is dropped, so nothing personal stays reachable from here.
import { makeAutoObservable, runInAction } from 'mobx';
import type { CommandResult, TerminalClient, TerminalSnapshot } from '../../../shared/contract';

export class SessionStore {
  snapshot: TerminalSnapshot | null = null;
  connected = false;
  busy = false;
  /** Result message of the last command (e.g. wrong password), cleared on every phase change. */
  message: string | null = null;
  private lastSeq = 0;

  constructor(private readonly api: TerminalClient) {
    makeAutoObservable<SessionStore, 'api' | 'lastSeq'>(this, { api: false, lastSeq: false });
  }

  get phase() {
    return this.snapshot?.phase ?? 'starting';
  }

  setConnected(connected: boolean): void {
    this.connected = connected;
    // A new connection (e.g. host restarted) starts a new sequence.
    if (!connected) this.lastSeq = 0;
  }

  receive(snapshot: TerminalSnapshot): void {
    if (snapshot.seq <= this.lastSeq && this.snapshot) return;
    if (this.snapshot?.phase !== snapshot.phase) this.message = null;
    this.lastSeq = snapshot.seq;
    this.snapshot = snapshot;
  }

  private async run(command: () => Promise<CommandResult>): Promise<boolean> {
    this.busy = true;
    this.message = null;
    try {
      const result = await command();
      runInAction(() => {
        if (!result.ok) this.message = result.message;
      });
      return result.ok;
    } finally {
      runInAction(() => {
        this.busy = false;
      });
    }
  }

  submitPassword(password: string) {
    return this.run(() => this.api.submitPassword({ password }));
  }

  changePassword(current: string, next: string, confirm: string) {
    return this.run(() => this.api.changePassword({ current, next, confirm }));
  }

  lock() {
    return this.run(() => this.api.lock({}));
  }

  signOut() {
    return this.run(() => this.api.signOut({}));
  }
}
