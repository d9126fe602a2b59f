// The replica (src/renderer/src/replica) in Chromium for test/unit/replica-chromium.test.ts: a fake
// server directory in the page, the real sync, index, sealing and search on real IndexedDB.
import type { Resident } from '../../../src/shared/resident-api';
import type { SearchCriteria } from '../../../src/domain/resident/search-query';
import { ReplicaCrypto } from '../../../src/renderer/src/replica/replica-crypto';
import { ReplicaDb } from '../../../src/renderer/src/replica/replica-db';
import { ReplicaIndex } from '../../../src/renderer/src/replica/replica-index';
import { readAheadReplica, OpenedChunkCache, searchReplica } from '../../../src/renderer/src/replica/replica-search';
import { syncReplica } from '../../../src/renderer/src/replica/replica-sync';

let db: ReplicaDb | null = null;
let index: ReplicaIndex | null = null;
let sealer: ReplicaCrypto | null = null;
let directory: { epoch: string; residents: Resident[] } = { epoch: 'e1', residents: [] };
let fetches = 0;
/** The chunks read and opened ahead (as ResidentStore keeps them while criteria are typed); every search looks there first. */
let cache = new OpenedChunkCache();

const api = {
  async open(name: string, key: string) {
    db?.close();
    db = new ReplicaDb(name);
    index = ReplicaIndex.fromBlocks(await db.keys.toArray());
    cache = new OpenedChunkCache();
    sealer = await ReplicaCrypto.fromBase64(key);
    return index.size;
  },
  async deleteDb(name: string) {
    db?.close();
    db = null;
    await new ReplicaDb(name).delete();
  },
  /** The server's directory: each resident's latest version. */
  setDirectory(epoch: string, residents: Resident[]) {
    directory = { epoch, residents: [...residents].sort((a, b) => a.version - b.version) };
  },
  async sync(pageSize: number, sortBatch: number) {
    const latest = directory.residents.at(-1)?.version ?? 0;
    const result = await syncReplica(
      db!,
      index!,
      sealer!,
      async (after, limit) => {
        fetches++;
        const residents = directory.residents.filter((r) => r.version > after).slice(0, limit);
        return { ok: true, page: { residents, next: residents.at(-1)?.version ?? after, latest, epoch: directory.epoch } };
      },
      () => 0,
      { pageSize, sortBatch },
    );
    return { kind: result.kind, received: result.received, size: index!.size, fetches };
  },
  /** Reads ahead the chunks a search would open first; how many chunks the cache then holds. */
  async readAhead(criteria: SearchCriteria, limit: number) {
    await readAheadReplica(db!, index!, sealer!, criteria, cache, limit);
    return cache.size;
  },
  async search(criteria: SearchCriteria, limit: number) {
    const hits = await searchReplica(db!, index!, sealer!, criteria, limit, cache);
    return { ids: hits.residents.map((r) => r.id), truncated: hits.truncated, residents: hits.residents };
  },
  /** What is at rest: the key blocks' text and each chunk's bytes as Latin-1 and as UTF-8. */
  async atRest() {
    const keys = await db!.keys.toArray();
    const chunks = await db!.chunks.toArray();
    return {
      keys: keys.map((k) => k.entries),
      chunks: chunks.map((c) => ({ bytes: c.sealed.byteLength, utf8: new TextDecoder().decode(c.sealed) })),
      stores: [...db!.backendDB().objectStoreNames],
      version: db!.verno,
    };
  },
  /** Flips one byte of every chunk (behind the app's back: what it read before is forgotten, as after a restart). */
  async tamper() {
    cache.clear();
    const chunks = await db!.chunks.toArray();
    for (const c of chunks) c.sealed[40] = c.sealed[40]! ^ 1;
    await db!.chunks.bulkPut(chunks);
  },
};

(window as unknown as { __replica: typeof api }).__replica = api;
document.getElementById('status')!.textContent = 'ready';
