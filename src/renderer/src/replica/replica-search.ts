// Search on the replica (issue 4 items 1, 3): picks the order the criteria allow in the in-memory
// index (replica-index.ts), reads the candidates' sealed chunks from IndexedDB, opens (decrypts)
// them and keeps the records that match every criterion. Works the same whether the server is
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

export async function searchReplica(db: ReplicaDb, index: ReplicaIndex, sealer: ReplicaCrypto, criteria: SearchCriteria, limit = 50): Promise<ReplicaHits> {
  const codeKey = criteria.code ? sealer.codeKey(criteria.code) : null;
  const all = candidates(index, criteria, codeKey, MAX_CANDIDATES);
  if (!all) return { residents: [], truncated: false };
  const found: Resident[] = [];
  let readMs = 0;
  const readStart = performance.now();
  /** Opens the candidates' records (one read, chunks decrypted in parallel): one promise per candidate, in order. */
  const open = async (ordinals: readonly number[]): Promise<Promise<Resident>[]> => {
    const chunkIds = [...new Set(ordinals.map((o) => index.place(o).chunk))].sort((a, b) => a - b);
    // Neighbouring chunks (a batch is stored in kana order: the first hits of a kana search lie side
    // by side) are read with one request each run.
    const runs: [number, number][] = [];
    for (const chunk of chunkIds) {
      const run = runs.at(-1);
      if (run && chunk - run[1] <= RUN_GAP) run[1] = chunk;
      else runs.push([chunk, chunk]);
    }
    const t0 = performance.now();
    let read: ChunkRow[][];
    try {
      read = await db.transaction('r', db.chunks, () =>
        Promise.all(runs.map(([lo, hi]) => (lo === hi ? db.chunks.get(lo).then((row) => (row ? [row] : [])) : db.chunks.where(':id').between(lo, hi, true, true).toArray()))),
      );
    } finally {
      readMs += performance.now() - t0;
    }
    const rows = new Map(read.flat().map((row) => [row.chunk, row]));
    const opened = new Map(
      chunkIds.map((chunk) => {
        const row = rows.get(chunk);
        return [chunk, row ? openChunk(sealer, row) : Promise.reject(new Error('a chunk of the replica is missing'))] as const;
      }),
    );
    for (const promise of opened.values()) promise.catch(() => undefined);
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
      const opening = await open(ordinals.slice(start, start + OPEN_WINDOW));
      // A candidate after the point where the search stops is never judged: its failure is not this search's.
      for (const promise of opening) promise.catch(() => undefined);
      for (const promise of opening) {
        const resident = await promise;
        const keys = residentKeys(resident);
        if (!matches(criteria, { ...keys, birthDate: resident.birthDate, code: resident.code })) continue;
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
