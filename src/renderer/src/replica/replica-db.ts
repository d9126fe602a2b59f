// The terminal's resident replica (issue 4 item 1): its own IndexedDB database per terminal,
// separate from the operation log — it can be rebuilt from the server at any time (so its writes
// use relaxed durability, unlike the log's), and wiping it (terminal retired, registration
// revoked) is deleting this database and nothing else.
//
// Schema (version 1):
//   residents  primary key `id`; indexes kanaKey, nameKey, codeKey, [birthDate+nameKey], [birthDate+kanaKey].
//              Index keys are only what search needs (docs/architecture.md "Resident replica at rest"):
//              the kana and the folded kanji name in clear (prefix search needs their order), the date
//              of birth in clear, the resident code only as an HMAC. Everything else is in `sealed`
//              (AES-GCM with main's replica key).
//   state      primary key `key`: 'feed' → { epoch, next, latest, updatedAt }
import Dexie, { type Table } from 'dexie';

export interface ReplicaRow {
  id: string;
  kanaKey: string;
  nameKey: string;
  birthDate: string;
  /** HMAC-SHA-256 (hex) of the 11-digit code under the replica key: equality search without the code at rest. */
  codeKey: string;
  version: number;
  /** AES-GCM: 12-byte IV followed by the ciphertext of the record's JSON. */
  sealed: Uint8Array<ArrayBuffer>;
}

export interface FeedState {
  key: 'feed';
  epoch: string;
  next: number;
  latest: number;
  /** Trusted time (epoch ms) of the last page received. */
  updatedAt: number;
}

export class ReplicaDb extends Dexie {
  declare readonly residents: Table<ReplicaRow, string>;
  declare readonly state: Table<FeedState, 'feed'>;

  constructor(name: string) {
    super(name, { chromeTransactionDurability: 'relaxed' });
    // Released versions are never edited: a change adds version(2).
    this.version(1).stores({
      residents: 'id, kanaKey, nameKey, codeKey, [birthDate+nameKey], [birthDate+kanaKey]',
      state: 'key',
    });
  }
}

export function replicaDbName(terminalId: string): string {
  return `kumiyama-replica-${terminalId}`;
}
