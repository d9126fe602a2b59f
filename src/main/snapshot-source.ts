import type { TerminalApi, TerminalSnapshot } from '../shared/contract';

/** What the Electron glue needs from the terminal service. */
export interface SnapshotSource extends TerminalApi {
  on(event: 'snapshot', listener: (snapshot: TerminalSnapshot) => void): unknown;
  off(event: 'snapshot', listener: (snapshot: TerminalSnapshot) => void): unknown;
}
