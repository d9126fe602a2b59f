// Where the main side's audit events go. Today: an fsync'd JSON-lines file in the terminal's
// data folder. The tamper-evident operation log (hash chain, sync to the server) replaces
// this sink behind the same interface.
import { appendFileSync, closeSync, fsyncSync, mkdirSync, openSync } from 'node:fs';
import { join } from 'node:path';

export interface AuditEvent {
  type: string;
  outcome?: 'success' | 'failure' | 'info';
  operatorId?: string | null;
  cardKeyId?: string | null;
  /** Never a password or resident data in free text. */
  detail?: Record<string, string | number | boolean | null>;
}

export interface AuditSink {
  record(event: AuditEvent, at: number): void;
}

export function createFileAuditSink(dataDir: string, terminalId: string): AuditSink {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const path = join(dataDir, 'audit.jsonl');
  return {
    record(event, at) {
      const line = JSON.stringify({ at: new Date(at).toISOString(), terminalId, ...event }) + '\n';
      appendFileSync(path, line, { mode: 0o600 });
      const fd = openSync(path, 'r');
      try {
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
    },
  };
}
