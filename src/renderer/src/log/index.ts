// The renderer's operation log (issue 3, item 2): one import for the app's wiring.
import { TerminalDb, TERMINAL_DB_NAME } from './log-db';
import { LogWriter, type LogClock, type StorageLike } from './log-writer';
import { sha256Hex } from './sha256';

export { TerminalDb, TERMINAL_DB_NAME } from './log-db';
export { LogWriter, type Backlog, type LogClock, type RecoverReport, type StorageLike, type VerifyReport } from './log-writer';
export { LogEventError, LogIntegrityError, LogStorageFullError, type LogEvent, type LogHead, type StorageStatus, type SyncCheckpoint } from './log-rules';

/**
 * The production wiring: one database per terminal id ('kumiyama-terminal-<id>': a terminal
 * registered under a new id starts a new chain instead of being refused by the old one's), the
 * JS SHA-256, `navigator.storage`.
 */
export function createLogWriter(options: { terminalId: string; clock: LogClock; db?: TerminalDb; storage?: StorageLike | null }): LogWriter {
  return new LogWriter({ db: options.db ?? new TerminalDb(terminalDbName(options.terminalId)), clock: options.clock, terminalId: options.terminalId, sha256: sha256Hex, storage: options.storage });
}

export function terminalDbName(terminalId: string): string {
  return `${TERMINAL_DB_NAME}-${terminalId}`;
}
