// UI-only state: nothing here outlives a phase change that matters for privacy.
import { makeAutoObservable } from 'mobx';

export class UiStore {
  /** Local clock offset against the snapshot's trusted time, to tick the header clock. */
  trustedOffsetMs = 0;
  tick = 0;

  constructor() {
    makeAutoObservable(this);
  }

  setTrustedNow(now: number): void {
    this.trustedOffsetMs = now - Date.now();
  }

  advance(): void {
    this.tick++;
  }

  get trustedNow(): number {
    void this.tick;
    return Date.now() + this.trustedOffsetMs;
  }
}
