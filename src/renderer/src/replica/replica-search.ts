// Search on the replica (issue 4 items 1, 3): picks the order the criteria allow in the in-memory
// index (replica-index.ts), reads the candidates' sealed chunks from IndexedDB and opens (decrypts)
// them — or finds them read and opened ahead while the criteria were typed (OpenedChunkCache) —
// and keeps the records that match every criterion. Works the same whether the server is
// reachable or not: the replica is the only source of a search.
//
// Candidates are judged in two steps: first as many as could be shown plus one — when the index
// alone decides every criterion (a kana or name prefix, name/kana + date of birth, a code), every
// one of them matches and that is all the search needs, however many thousands share the prefix —
// and only when some of those did not match, the rest up to MAX_CANDIDATES. Each step's chunks are
// read in one IndexedDB transaction and opened in parallel, and the candidates looked at in index
// order, so the answer is the one of reading all MAX_CANDIDATES and opening them one by one (a
// candidate after the last one looked at is never judged, even when it fails to open).
import type { Resident } from '../../../shared/resident-api';
import { matches, residentKeys, type SearchCriteria } from '../../../domain/resident/search-query';
import type { ReplicaCrypto } from './replica-crypto';
import type { ChunkRow, ReplicaDb } from './replica-db';
import type { ReplicaIndex } from './replica-index';
import { chunkRecord, openChunk, unpackResident } from './replica-sync';

export interface ReplicaHits {
  residents: Resident[];
  /** More matched than `limit`: the operator should narrow the search. */
  truncated: boolean;
}

/** Candidates read at most per search (each is decrypted): enough for any sensible query. */
const MAX_CANDIDATES = 2000;
/** Candidates opened at once (their chunks read in one transaction) while looking through a long list. */
const OPEN_WINDOW = 64;

/** Chunks apart by at most this are read in one request (the ones between come along). */
const RUN_GAP = 2;

/** User Timing entry (performance.measure) of the IndexedDB reads of each search: durations only, no data. */
export const REPLICA_READ_MEASURE = 'resident-query-idb';

/** The candidates in index order, at most `max`; null when the criteria give no order to search. */
function candidates(index: ReplicaIndex, c: SearchCriteria, codeKey: string | null, max: number): number[] | null {
  if (codeKey) return index.byCode(codeKey, max);
  if (c.birthDate && c.name) return index.byBirthAndName(c.birthDate, c.name, max);
  if (c.birthDate && c.kana) return index.byBirthAndKana(c.birthDate, c.kana, max);
  if (c.kana) return index.byKana(c.kana, max);
  if (c.name) return index.byName(c.name, max);
  if (c.birthDate) return index.byBirthAndName(c.birthDate, '', max);
  return null;
}

/**
 * Chunks read and opened ahead of a search (issue 4: the query itself ≤ 5 ms; one IndexedDB round
 * trip is about that under load, and a WebCrypto call per chunk is a task hop each). While the
 * operator — who has stated the purpose — types the criteria, the chunks of the first candidates are
 * read and decrypted into this page's memory, as the search would do them; the search pressing Enter
 * then finds them here. Nothing is logged or shown before the search itself: that is logged first, as
 * always. Each entry is the promise of a chunk's plain text (a read still under way is waited for, not
 * read again). Bounded by bytes (least recently used go first); forgotten when a record is rewritten
 * in place (ReplicaIndex.chunkStamp), and by the store with the results — idle time, every lock, a new
 * or ended case — and with the database.
 */
export class OpenedChunkCache {
  private readonly entries = new Map<number, { plain: Promise<Uint8Array<ArrayBuffer>>; bytes: number }>();
  private bytes = 0;
  private stamp = -1;

  constructor(readonly maxBytes = 2 * 1024 * 1024) {}

  /**
   * False for entries of an older layout (stamps only grow: ReplicaIndex.chunkStamp); a newer stamp
   * drops everything cached under the old one.
   */
  private follow(stamp: number): boolean {
    if (stamp < this.stamp) return false;
    if (stamp > this.stamp) {
      this.clear();
      this.stamp = stamp;
    }
    return true;
  }

  get(chunk: number, stamp: number): Promise<Uint8Array<ArrayBuffer>> | undefined {
    if (!this.follow(stamp)) return undefined;
    const entry = this.entries.get(chunk);
    if (entry) {
      // Most recently used last.
      this.entries.delete(chunk);
      this.entries.set(chunk, entry);
    }
    return entry?.plain;
  }

  /** A chunk being opened under `stamp`: kept once it is open (within maxBytes), dropped if it fails. */
  put(chunk: number, plain: Promise<Uint8Array<ArrayBuffer>>, stamp: number): void {
    if (!this.follow(stamp)) return;
    this.drop(chunk);
    const entry = { plain, bytes: 0 };
    this.entries.set(chunk, entry);
    plain.then(
      (bytes) => {
        if (this.entries.get(chunk) !== entry) return;
        entry.bytes = bytes.byteLength;
        this.bytes += entry.bytes;
        for (const [other] of this.entries) {
          if (this.bytes <= this.maxBytes) break;
          this.drop(other);
        }
      },
      () => {
        if (this.entries.get(chunk) === entry) this.drop(chunk);
      },
    );
  }

  private drop(chunk: number): void {
    const entry = this.entries.get(chunk);
    if (!entry) return;
    this.entries.delete(chunk);
    this.bytes -= entry.bytes;
  }

  get size(): number {
    return this.entries.size;
  }

  /** Bytes of plain text held. */
  get heldBytes(): number {
    return this.bytes;
  }

  clear(): void {
    this.entries.clear();
    this.bytes = 0;
  }
}

/**
 * Reads chunks with one readonly transaction straight on IndexedDB: neighbouring chunks (at most
 * RUN_GAP apart) with one getAll each run. Resolves as soon as every request has answered — not at
 * the transaction's completion, one more round trip (Dexie's transaction() waits for it). A search
 * made after a batch's write transaction still reads after it (IndexedDB's order).
 */
async function readChunks(db: ReplicaDb, chunkIds: readonly number[]): Promise<ChunkRow[]> {
  if (chunkIds.length === 0) return [];
  if (!db.isOpen()) await db.open();
  const runs: [number, number][] = [];
  for (const chunk of [...chunkIds].sort((a, b) => a - b)) {
    const run = runs.at(-1);
    if (run && chunk - run[1] <= RUN_GAP) run[1] = chunk;
    else runs.push([chunk, chunk]);
  }
  return new Promise((resolve, reject) => {
    let tx: IDBTransaction;
    try {
      tx = db.backendDB().transaction('chunks', 'readonly', { durability: 'relaxed' });
    } catch (error) {
      reject(error instanceof Error ? error : new Error(String(error)));
      return;
    }
    const store = tx.objectStore('chunks');
    const out: ChunkRow[] = [];
    let waiting = runs.length;
    const done = () => {
      if (--waiting === 0) resolve(out);
    };
    tx.onabort = () => reject(tx.error ?? new Error('the replica read was aborted'));
    for (const [lo, hi] of runs) {
      const request: IDBRequest = lo === hi ? store.get(lo) : store.getAll(IDBKeyRange.bound(lo, hi));
      request.onsuccess = () => {
        const result = request.result as ChunkRow | ChunkRow[] | undefined;
        if (Array.isArray(result)) out.push(...result);
        else if (result) out.push(result);
        done();
      };
      request.onerror = () => reject(request.error ?? new Error('the replica could not be read'));
    }
  });
}

/** The chunks of the candidates a search would look at first (`limit` + 1 of them). */
function firstChunks(index: ReplicaIndex, ordinals: readonly number[], limit: number): number[] {
  return [...new Set(ordinals.slice(0, Math.min(limit + 1, MAX_CANDIDATES)).map((o) => index.place(o).chunk))];
}

/**
 * The plain text of each chunk (decrypted: throws when one was altered, or is missing), from `cache`
 * where it is there or under way, the others read in one transaction and opened in parallel (and put
 * into `cache`). `onRead`: the time spent waiting for IndexedDB.
 */
function openChunks(db: ReplicaDb, index: ReplicaIndex, sealer: ReplicaCrypto, chunkIds: readonly number[], cache: OpenedChunkCache | undefined, onRead?: (ms: number) => void): Map<number, Promise<Uint8Array<ArrayBuffer>>> {
  const stamp = index.chunkStamp;
  const out = new Map<number, Promise<Uint8Array<ArrayBuffer>>>();
  const missing: number[] = [];
  for (const chunk of chunkIds) {
    const plain = cache?.get(chunk, stamp);
    if (plain) out.set(chunk, plain);
    else missing.push(chunk);
  }
  if (missing.length === 0) return out;
  const t0 = performance.now();
  const read = readChunks(db, missing).then((rows) => {
    onRead?.(performance.now() - t0);
    return new Map(rows.map((row) => [row.chunk, row]));
  });
  for (const chunk of missing) {
    const plain = read.then((rows) => {
      const row = rows.get(chunk);
      if (!row) throw new Error('a chunk of the replica is missing');
      return openChunk(sealer, row);
    });
    plain.catch(() => undefined);
    cache?.put(chunk, plain, stamp);
    out.set(chunk, plain);
  }
  return out;
}

/**
 * Reads and opens ahead, into `cache`, the chunks a search with these criteria would open first
 * (called as the operator types). Nothing is logged or shown. Resolves when they are there.
 */
export async function readAheadReplica(db: ReplicaDb, index: ReplicaIndex, sealer: ReplicaCrypto, criteria: SearchCriteria, cache: OpenedChunkCache, limit = 50): Promise<void> {
  const codeKey = criteria.code ? sealer.codeKey(criteria.code) : null;
  const all = candidates(index, criteria, codeKey, limit + 1);
  if (!all) return;
  const opened = openChunks(db, index, sealer, firstChunks(index, all, limit), cache);
  await Promise.allSettled(opened.values());
}

export async function searchReplica(db: ReplicaDb, index: ReplicaIndex, sealer: ReplicaCrypto, criteria: SearchCriteria, limit = 50, cache?: OpenedChunkCache): Promise<ReplicaHits> {
  const codeKey = criteria.code ? sealer.codeKey(criteria.code) : null;
  const all = candidates(index, criteria, codeKey, MAX_CANDIDATES);
  if (!all) return { residents: [], truncated: false };
  const found: Resident[] = [];
  let readMs = 0;
  const readStart = performance.now();
  /** Opens the candidates' records (one read, chunks decrypted in parallel): one promise per candidate, in order. */
  const open = (ordinals: readonly number[]): Promise<Resident>[] => {
    const chunkIds = [...new Set(ordinals.map((o) => index.place(o).chunk))];
    const opened = openChunks(db, index, sealer, chunkIds, cache, (ms) => (readMs += ms));
    return ordinals.map(async (o) => {
      const { chunk, slot } = index.place(o);
      const line = chunkRecord(await opened.get(chunk)!, slot);
      const resident = line === undefined ? undefined : unpackResident(line);
      if (resident?.id !== index.idAt(o)) throw new Error('the replica does not match its index');
      return resident;
    });
  };
  /** Looks at candidates in order; true when the search is decided (more than `limit` matched). */
  const lookAt = async (ordinals: readonly number[]): Promise<boolean> => {
    for (let start = 0; start < ordinals.length; start += OPEN_WINDOW) {
      const opening = open(ordinals.slice(start, start + OPEN_WINDOW));
      // A candidate after the point where the search stops is never judged: its failure is not this search's.
      for (const promise of opening) promise.catch(() => undefined);
      for (const promise of opening) {
        const resident = await promise;
        if (!matches(criteria, { ...residentKeys(resident, criteria), birthDate: resident.birthDate, code: resident.code })) continue;
        if (found.length === limit) return true;
        found.push(resident);
      }
    }
    return false;
  };
  try {
    const first = Math.min(limit + 1, MAX_CANDIDATES);
    const rows = all.slice(0, first);
    if (await lookAt(rows)) return { residents: found, truncated: true };
    if (rows.length < first || first === MAX_CANDIDATES) return { residents: found, truncated: rows.length === MAX_CANDIDATES };
    // Some candidates did not match: the rest of the list.
    if (await lookAt(all.slice(rows.length))) return { residents: found, truncated: true };
    return { residents: found, truncated: all.length === MAX_CANDIDATES };
  } finally {
    performance.measure(REPLICA_READ_MEASURE, { start: readStart, duration: readMs });
  }
}
