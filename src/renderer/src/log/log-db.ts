// The terminal's IndexedDB database (Dexie): the local, append-only operation log (issue 3).
//
// Schema (version 1):
//   log   primary key `seq` (1, 2, 3… gap-free per terminal); indexes `at`, `type`, `operatorId`.
//         One row = one LogRecord exactly as sealed (src/domain/log/log-record.ts), never modified.
//         "Synced" is not a flag on the row (that would mean rewriting records): a record is synced
//         when its seq ≤ meta 'sync-checkpoint'.ackSeq.
//   meta  primary key `key`:
//         'log-head'        { seq, hash, terminalId }  last record written, same transaction as the record
//         'sync-checkpoint' { ackSeq, ackHash }        the server has everything up to ackSeq
//         'log-base'        { seq, hash }              last record pruned locally (the rest chains from it)
//         'main-applied'    { epoch, eid }             highest main-side event (of main's numbering `epoch`) in the log, same transaction as its record
//         'last-sync'       { at }                     trusted time of the last sync that reached the server
//         (meta keys are rows, not schema: adding one needs no new version)
//
// Every transaction is committed with strict durability (flushed to disk before it resolves), as a
// lost log record cannot be recreated.
import Dexie, { type Table } from 'dexie';
import type { LogRecord } from '../../../domain/log/log-record';
import type { ChainPoint, LogHead, SyncCheckpoint } from './log-rules';

export const TERMINAL_DB_NAME = 'kumiyama-terminal';

export interface MetaValues {
  'log-head': LogHead;
  'sync-checkpoint': SyncCheckpoint;
  'log-base': ChainPoint;
  'main-applied': { epoch: string; eid: number };
  'last-sync': { at: string };
}
export type MetaKey = keyof MetaValues;
export type MetaRow = { [K in MetaKey]: { key: K; value: MetaValues[K] } }[MetaKey];

export class TerminalDb extends Dexie {
  declare readonly log: Table<LogRecord, number>;
  declare readonly meta: Table<MetaRow, MetaKey>;

  constructor(name: string = TERMINAL_DB_NAME) {
    super(name, { chromeTransactionDurability: 'strict' });
    // Released versions are never edited: a schema change adds `this.version(2).stores(…)` (with an
    // upgrade function if rows must change), so every terminal in the field can migrate forward.
    this.version(1).stores({
      log: 'seq, at, type, operatorId',
      meta: 'key',
    });
  }
}

/**
 * Reads one meta value, typed by its key. Works inside or outside a transaction. (Dexie's own
 * promises are returned, not wrapped in an async function: inside a transaction every extra
 * native await costs time on the hot append path.)
 */
export function getMeta<K extends MetaKey>(db: TerminalDb, key: K): Promise<MetaValues[K] | null> {
  return db.meta.get(key).then((row) => (row ? (row.value as MetaValues[K]) : null));
}

export function putMeta<K extends MetaKey>(db: TerminalDb, key: K, value: MetaValues[K]): Promise<MetaKey> {
  return db.meta.put({ key, value } as MetaRow);
}
