// Keeps the replica current (issue 4 item 1): pages of the server's change feed, through main (which
// adds the signed-in operator and the terminal credential), sealed and stored in one transaction
// together with the feed position — an interrupted load resumes from the last position stored. A
// page of another epoch (the directory was rebuilt on the server) clears the replica and loads it
// again from the start.
//
// Layout (replica-db.ts, version 2): new residents become a key block and chunks of CHUNK records
// sealed together; a resident already in the replica is rewritten where it is (its chunk opened,
// the record replaced, sealed again; its block's line replaced). The in-memory index
// (replica-index.ts) follows every write.
//
// Pages are stored in batches of up to SORT_BATCH residents (and whatever is there when the feed is
// current or fails): a batch's new residents are sorted by kana before they are cut into chunks, so
// the first hits of a kana search lie in a few neighbouring chunks of each batch, not one chunk per
// hit. The load is pipelined: the next page is asked for while this one is prepared, and a batch's
// transaction commits while the next pages arrive (IndexedDB runs transactions over the same stores
// in the order they were made, so the feed position never runs ahead of what is stored). If a write
// fails, the index (already updated) no longer matches the database: the caller reloads it
// (`indexStale`).
import type { Resident } from '../../../shared/resident-api';
import type { ResidentFeedResult } from '../../../shared/contract';
import { MAX_RESIDENT_PAGE } from '../../../shared/resident-api';
import { normalizeKana } from '../../../domain/resident/kana';
import { foldName } from '../../../domain/resident/kanji-variants';
import type { ReplicaCrypto } from './replica-crypto';
import { CHUNK, CHUNKS_PER_BLOCK, type ChunkRow, type FeedState, type KeyBlockRow, type ReplicaDb } from './replica-db';
import { formatEntry, parseEntries, type IndexKeys, type ReplicaIndex } from './replica-index';

export type FetchChanges = (after: number, limit: number) => Promise<ResidentFeedResult>;

export type ReplicaSyncResult =
  | { kind: 'current'; received: number; state: FeedState }
  | { kind: 'failed'; received: number; retry: boolean; code: string; message: string; indexStale?: boolean };

/** Residents gathered (about 25 MB at most) before they are sorted, sealed and stored together. */
export const SORT_BATCH = 100_000;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

// A record in a chunk: the contract's Resident as a JSON array in the order of its fields (about a
// third shorter than the object: less to encode, seal and store for a million of them).
type PackedResident = [string, string, string, string, string, Resident['sex'], string, string, Resident['status'], [string, Resident['history'][number]['kind'], string][], number];

export function packResident(r: Resident): string {
  const packed: PackedResident = [r.id, r.code, r.name, r.kana, r.birthDate, r.sex, r.address, r.householdId, r.status, r.history.map((h) => [h.date, h.kind, h.note]), r.version];
  return JSON.stringify(packed);
}

export function unpackResident(json: string): Resident {
  const [id, code, name, kana, birthDate, sex, address, householdId, status, history, version] = JSON.parse(json) as PackedResident;
  return { id, code, name, kana, birthDate, sex, address, householdId, status, history: history.map(([date, kind, note]) => ({ date, kind, note })), version };
}

/** A resident as it is stored: its index keys (residentKeys' kana and name keys, the code's MAC) and its packed record. */
interface Prepared {
  keys: IndexKeys;
  record: string;
}

function prepare(resident: Resident, sealer: ReplicaCrypto): Prepared {
  return {
    keys: { id: resident.id, kanaKey: normalizeKana(resident.kana), nameKey: foldName(resident.name), birthDate: resident.birthDate, codeKey: sealer.codeKey(resident.code) },
    record: packResident(resident),
  };
}

// A chunk's plain text: the number of records n (u32), the end offset of each (u32 × n), then the
// packed records in UTF-8 — a search decodes only the record it needs. Encoded into one buffer per
// chunk (a million small buffers cost more in allocation and collection than in encoding).
function packChunk(records: readonly string[]): Uint8Array<ArrayBuffer> {
  const head = 4 * (1 + records.length);
  const out = new Uint8Array(head + records.reduce((sum, r) => sum + 3 * r.length, 0));
  const view = new DataView(out.buffer);
  view.setUint32(0, records.length);
  let at = head;
  records.forEach((record, i) => {
    at += encoder.encodeInto(record, out.subarray(at)).written;
    view.setUint32(4 * (i + 1), at);
  });
  return out.subarray(0, at);
}

/** The packed record `slot` of an opened chunk (undefined when there is no such record). */
export function chunkRecord(plain: Uint8Array<ArrayBuffer>, slot: number): string | undefined {
  const view = new DataView(plain.buffer, plain.byteOffset, plain.byteLength);
  const n = view.getUint32(0);
  if (slot >= n) return undefined;
  const start = slot === 0 ? 4 * (1 + n) : view.getUint32(4 * slot);
  return decoder.decode(plain.subarray(start, view.getUint32(4 * (slot + 1))));
}

/** Decrypts a chunk (throws when it was altered, or sealed under another key or number). */
export function openChunk(sealer: ReplicaCrypto, row: ChunkRow): Promise<Uint8Array<ArrayBuffer>> {
  return sealer.open(row.sealed, row.chunk);
}

function sealChunk(sealer: ReplicaCrypto, chunk: number, records: readonly string[]): Promise<ChunkRow> {
  return sealer.seal(packChunk(records), chunk).then((sealed) => ({ chunk, sealed }));
}

/** Pages asked for ahead of the pages being stored, at most this many waiting. */
const PAGES_AHEAD = 8;

/**
 * The feed, asked for ahead: the next page is asked for as soon as one arrives (its `next` is the
 * next `after`), while earlier ones are still being sealed and stored — so the server and main
 * keep working while the renderer seals. `next()` gives the answers in order.
 */
class PageSource {
  private readonly waiting: Promise<ResidentFeedResult>[] = [];
  private deferred: number | null = null;
  private stopped = false;

  constructor(
    private readonly fetch: FetchChanges,
    private readonly pageSize: number,
    after: number,
  ) {
    this.ask(after);
  }

  private ask(after: number): void {
    const answer = this.fetch(after, this.pageSize);
    this.waiting.push(answer);
    // Registered before anyone awaits `answer`: the next page is asked for before the answer is used.
    void answer.then((a) => {
      if (this.stopped || !a.ok || a.page.residents.length === 0 || a.page.next >= a.page.latest) return;
      if (this.waiting.length < PAGES_AHEAD) this.ask(a.page.next);
      else this.deferred = a.page.next;
    }, () => undefined);
  }

  next(): Promise<ResidentFeedResult> {
    const answer = this.waiting.shift()!;
    if (this.deferred !== null && this.waiting.length < PAGES_AHEAD) {
      const after = this.deferred;
      this.deferred = null;
      this.ask(after);
    }
    return answer;
  }

  stop(): void {
    this.stopped = true;
  }
}

/** What one batch changes in the database, written in one transaction. */
interface BatchWrite {
  chunks: ChunkRow[];
  blocks: KeyBlockRow[];
  state: FeedState;
}

const byKana = (a: Prepared, b: Prepared): number => {
  const x = a.keys;
  const y = b.keys;
  return x.kanaKey < y.kanaKey ? -1 : x.kanaKey > y.kanaKey ? 1 : x.id < y.id ? -1 : x.id > y.id ? 1 : 0;
};

/**
 * Seals a batch (one prepared resident per id): new residents as new blocks in kana order, changed
 * ones rewritten in place. `apply` puts the batch into the index: called when its transaction is
 * made (IndexedDB then runs any later search's read after it), not before — a search in between
 * would look for chunks not yet written.
 */
async function prepareBatch(db: ReplicaDb, index: ReplicaIndex, sealer: ReplicaCrypto, batch: Iterable<Prepared>, state: FeedState): Promise<{ write: BatchWrite; apply: () => void }> {
  const fresh: Prepared[] = [];
  const changed: Prepared[] = [];
  for (const p of batch) (index.has(p.keys.id) ? changed : fresh).push(p);

  const chunks: Promise<ChunkRow>[] = [];
  const blocks: KeyBlockRow[] = [];
  const changes: (() => void)[] = [];
  fresh.sort(byKana);
  for (let from = 0, block = index.nextBlock; from < fresh.length; from += CHUNK * CHUNKS_PER_BLOCK, block++) {
    const part = fresh.slice(from, from + CHUNK * CHUNKS_PER_BLOCK);
    for (let start = 0, n = 0; start < part.length; start += CHUNK, n++) {
      chunks.push(sealChunk(sealer, block * CHUNKS_PER_BLOCK + n, part.slice(start, start + CHUNK).map((p) => p.record)));
    }
    const keys = part.map((p) => p.keys);
    blocks.push({ block, entries: keys.map(formatEntry).join('\n') });
    changes.push(() => index.addBlock(block, keys));
  }
  if (changed.length > 0) {
    // Rewritten in place: each touched chunk opened, its records replaced, sealed again; each touched block's lines replaced.
    const places = changed.map((p) => ({ p, place: index.placeOf(p.keys.id)! }));
    const chunkIds = [...new Set(places.map(({ place }) => place.chunk))];
    const blockIds = [...new Set(chunkIds.map((c) => Math.floor(c / CHUNKS_PER_BLOCK)))];
    const [oldChunks, oldBlocks] = await db.transaction('r', db.chunks, db.keys, () => Promise.all([db.chunks.bulkGet(chunkIds), db.keys.bulkGet(blockIds)]));
    const records = new Map<number, string[]>();
    await Promise.all(
      oldChunks.map(async (row, i) => {
        if (!row) throw new Error('a chunk of the replica is missing');
        const plain = await openChunk(sealer, row);
        const n = new DataView(plain.buffer, plain.byteOffset, plain.byteLength).getUint32(0);
        records.set(chunkIds[i]!, Array.from({ length: n }, (_, slot) => chunkRecord(plain, slot)!));
      }),
    );
    const entries = new Map<number, IndexKeys[]>(
      oldBlocks.map((row, i) => {
        if (!row) throw new Error('a key block of the replica is missing');
        return [blockIds[i]!, parseEntries(row.entries)];
      }),
    );
    for (const { p, place } of places) {
      records.get(place.chunk)![place.slot] = p.record;
      const block = Math.floor(place.chunk / CHUNKS_PER_BLOCK);
      entries.get(block)![(place.chunk % CHUNKS_PER_BLOCK) * CHUNK + place.slot] = p.keys;
      changes.push(() => index.update(p.keys));
    }
    for (const [chunk, chunkRecords] of records) chunks.push(sealChunk(sealer, chunk, chunkRecords));
    for (const [block, blockEntries] of entries) blocks.push({ block, entries: blockEntries.map(formatEntry).join('\n') });
  }
  return { write: { chunks: await Promise.all(chunks), blocks, state }, apply: () => changes.forEach((change) => change()) };
}

/**
 * One read-write transaction (relaxed durability: the replica can be loaded again) straight on
 * Dexie's IndexedDB connection: the transaction is made synchronously, here, and the thousands of
 * puts of a batch skip Dexie's promise layer. Resolves when it has committed; a failed put aborts it.
 */
function writeBatch(db: ReplicaDb, write: BatchWrite): Promise<void> {
  return new Promise((resolve, reject) => {
    let tx: IDBTransaction;
    try {
      if (!db.isOpen()) throw new Error('the replica database is closed');
      tx = db.backendDB().transaction(['chunks', 'keys', 'state'], 'readwrite', { durability: 'relaxed' });
    } catch (error) {
      reject(error instanceof Error ? error : new Error(String(error)));
      return;
    }
    tx.oncomplete = () => resolve();
    tx.onabort = () => reject(tx.error ?? new Error('the replica write was aborted'));
    try {
      const chunks = tx.objectStore('chunks');
      for (const row of write.chunks) chunks.put(row);
      const keys = tx.objectStore('keys');
      for (const row of write.blocks) keys.put(row);
      tx.objectStore('state').put(write.state);
    } catch (error) {
      // A put refused at once (nothing of the batch may stay): abort, which rejects through onabort.
      tx.abort();
      reject(error instanceof Error ? error : new Error(String(error)));
    }
  });
}

export async function syncReplica(
  db: ReplicaDb,
  index: ReplicaIndex,
  sealer: ReplicaCrypto,
  fetch: FetchChanges,
  now: () => number,
  options: { pageSize?: number; sortBatch?: number; onProgress?: (state: FeedState) => void } = {},
): Promise<ReplicaSyncResult> {
  const pageSize = Math.min(MAX_RESIDENT_PAGE, options.pageSize ?? MAX_RESIDENT_PAGE);
  const sortBatch = options.sortBatch ?? SORT_BATCH;
  let received = 0;
  let state: FeedState | undefined = await db.state.get('feed');
  /** The previous batch's transaction: at most one in flight while the next pages arrive. */
  let writing: Promise<void> = Promise.resolve();
  let writeFailed: unknown = null;
  const settle = async (): Promise<boolean> => {
    await writing;
    return writeFailed === null;
  };
  /** Pages received and not stored yet: the latest version of each resident (by id), and the position after them. */
  let batch = new Map<string, Prepared>();
  let batchState: FeedState | null = null;
  const failed = (error: unknown): ReplicaSyncResult => ({
    kind: 'failed',
    received,
    retry: true,
    code: 'replica-write',
    message: `端末の住民データを保存できませんでした（${error instanceof Error ? error.message : String(error)}）。`,
    indexStale: true,
  });
  /** Seals and stores what was gathered (its transaction left running); false when that, or the previous one, failed. */
  const flush = async (): Promise<boolean> => {
    if (!batchState) return settle();
    const gathered = batch;
    const position = batchState;
    batch = new Map();
    batchState = null;
    let prepared: { write: BatchWrite; apply: () => void };
    try {
      // Changed residents are read back from the database: what came before must be there first.
      for (const id of gathered.keys()) {
        if (index.has(id)) {
          if (!(await settle())) return false;
          break;
        }
      }
      prepared = await prepareBatch(db, index, sealer, gathered.values(), position);
    } catch (error) {
      await settle();
      writeFailed ??= error ?? new Error('prepare failed');
      return false;
    }
    if (!(await settle())) return false;
    writing = writeBatch(db, prepared.write).then(
      () => options.onProgress?.(position),
      (error: unknown) => {
        writeFailed = error ?? new Error('write failed');
      },
    );
    // Its transaction is made (writeBatch makes it synchronously) before any search can start: into the index now.
    // The search orders are not brought up to date per batch: sorted once at the end of the load
    // (fewer comparisons than sorting and merging every batch — about 14 % of the renderer's CPU at a
    // million), or by a search made meanwhile (ReplicaIndex sorts before every lookup).
    prepared.apply();
    return true;
  };

  let source = new PageSource(fetch, pageSize, state?.next ?? 0);
  try {
    for (;;) {
      const answer = await source.next();
      if (!answer.ok) {
        // What arrived before the failure is kept.
        if (!(await flush()) || !(await settle())) return failed(writeFailed);
        return { kind: 'failed', received, retry: answer.retry, code: answer.code, message: answer.message };
      }
      const page = answer.page;
      if (state && page.epoch !== state.epoch) {
        // Rebuilt on the server: what is here belongs to another numbering.
        batch = new Map();
        batchState = null;
        if (!(await settle())) return failed(writeFailed);
        await db.transaction('rw', db.chunks, db.keys, db.state, async () => {
          await db.chunks.clear();
          await db.keys.clear();
          await db.state.delete('feed');
        });
        index.clear();
        state = undefined;
        source.stop();
        source = new PageSource(fetch, pageSize, 0); // from the start of the new numbering
        continue;
      }
      const last = page.residents.length === 0 || page.next >= page.latest;
      try {
        for (const resident of page.residents) batch.set(resident.id, prepare(resident, sealer));
      } catch (error) {
        await settle();
        return failed(error);
      }
      received += page.residents.length;
      state = { key: 'feed', epoch: page.epoch, next: page.next, latest: page.latest, updatedAt: now() };
      batchState = state;
      if ((last || batch.size >= sortBatch) && !(await flush())) return failed(writeFailed);
      if (last) {
        if (!(await settle())) return failed(writeFailed);
        // The search orders brought up to date now, not by the first search.
        index.sort();
        index.trim();
        return { kind: 'current', received, state };
      }
    }
  } finally {
    // Nothing more is asked for once this sync ends (done, failed, or gone to another epoch).
    source.stop();
  }
}
