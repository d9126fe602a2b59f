// The terminal's resident replica (issue 4 item 1): its own IndexedDB database per terminal,
// separate from the operation log — it can be rebuilt from the server at any time (so its writes
// use relaxed durability, unlike the log's), and wiping it (terminal retired, registration
// revoked) is deleting this database and nothing else.
//
// Schema version 1 (released; kept as it was, only dropped by version 2):
//   residents  one row per resident: id, kanaKey, nameKey, birthDate, codeKey (HMAC), version, sealed;
//              indexes kanaKey, nameKey, codeKey, [birthDate+nameKey], [birthDate+kanaKey].
//   state      primary key `key`: 'feed' → { epoch, next, latest, updatedAt }
//
// Schema version 2 (issue 4 benchmarks: 1,000,000 residents loaded in ≤ 60 s, searched in ≤ 5 ms):
//   Five IndexedDB indexes over a million rows cost more than the whole load may take, and every
//   search paid two IndexedDB round trips. Now no IndexedDB index at all: the records are sealed in
//   small chunks, their index keys are kept in blocks, and the search runs on an in-memory index
//   (replica-index.ts) built from the key blocks when the database is opened.
//   keys    primary key `block`: the index keys of the records stored together (a batch of new residents
//           from the feed, in kana order: replica-sync.ts): `entries` = one line per resident, `id TAB kanaKey TAB nameKey TAB birthDate
//           TAB codeKey`. Only what search needs (docs/architecture.md "Resident replica at rest"): the
//           kana and the folded kanji name in clear (prefix search needs their order), the date of
//           birth in clear, the resident code only as a 32-bit HMAC.
//   chunks  primary key `chunk` (= block × 4096 + n): the records of entries n·CHUNK … n·CHUNK+CHUNK−1 of
//           that block sealed together (AES-GCM with main's replica key, the chunk number bound as
//           additional data); the plain text is a table of offsets, then each record's JSON
//           (replica-sync.ts packChunk), so a search decodes only the record it needs.
//   state   as in version 1.
//   A record changed on the server is rewritten in place (its chunk re-sealed, its block's line
//   replaced), so no old version stays at rest. The upgrade from version 1 drops `residents` and the
//   feed position: the replica is a cache of the server's directory, and the next update loads it
//   again from the start (it cannot be converted without the key, which the upgrade does not have).
import Dexie, { type Table } from 'dexie';

/** Records sealed together in one chunk: a search opens one chunk per hit, a load seals one per CHUNK records. */
export const CHUNK = 64;
/** Chunk numbers of a block: block × CHUNKS_PER_BLOCK + n (a block holds at most CHUNK × CHUNKS_PER_BLOCK records). */
export const CHUNKS_PER_BLOCK = 4096;

export interface KeyBlockRow {
  block: number;
  /** One line per resident: id, kanaKey, nameKey, birthDate, codeKey separated by TAB. */
  entries: string;
}

export interface ChunkRow {
  chunk: number;
  /** AES-GCM: 12-byte IV followed by the ciphertext of the packed records (replica-sync.ts packChunk). */
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
  declare readonly keys: Table<KeyBlockRow, number>;
  declare readonly chunks: Table<ChunkRow, number>;
  declare readonly state: Table<FeedState, 'feed'>;

  constructor(name: string) {
    super(name, { chromeTransactionDurability: 'relaxed' });
    // Released versions are never edited: a change adds a version.
    this.version(1).stores({
      residents: 'id, kanaKey, nameKey, codeKey, [birthDate+nameKey], [birthDate+kanaKey]',
      state: 'key',
    });
    this.version(2)
      .stores({ residents: null, keys: 'block', chunks: 'chunk', state: 'key' })
      .upgrade((tx) => tx.table('state').clear());
  }
}

export function replicaDbName(terminalId: string): string {
  return `kumiyama-replica-${terminalId}`;
}
