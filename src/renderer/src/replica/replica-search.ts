// Search on the replica (issue 4 items 1, 3): picks the index the criteria allow, reads candidates
// in index order, opens (decrypts) them and keeps those that match every criterion. Works the
// same whether the server is reachable or not: the replica is the only source of a search.
//
// Candidates are read in two steps: first as many as could be shown plus one — when the index range
// alone decides every criterion (a kana or name prefix, name/kana + date of birth, a code), every one
// of them matches and that is all the search needs, however many thousands share the prefix — and
// only when some of those did not match, the rest up to MAX_CANDIDATES. Each step's candidates are
// opened in parallel and looked at in index order, so the answer is the one of reading all
// MAX_CANDIDATES and opening them one by one (a candidate after the last one looked at is never
// judged, even when it fails to open).
import type { Resident } from '../../../shared/resident-api';
import { matches, residentKeys, type SearchCriteria } from '../../../domain/resident/search-query';
import type { ReplicaCrypto } from './replica-crypto';
import type { ReplicaDb, ReplicaRow } from './replica-db';

export interface ReplicaHits {
  residents: Resident[];
  /** More matched than `limit`: the operator should narrow the search. */
  truncated: boolean;
}

const HIGH = '\uffff';
/** Candidates read at most per search (each is decrypted): enough for any sensible query. */
const MAX_CANDIDATES = 2000;
/** Candidates opened at once (in parallel) while looking through a long list. */
const OPEN_WINDOW = 64;

/** User Timing entry (performance.measure) of the IndexedDB reads of each search: durations only, no data. */
export const REPLICA_READ_MEASURE = 'resident-query-idb';

function candidates(db: ReplicaDb, c: SearchCriteria, codeKey: string | null) {
  if (codeKey) return db.residents.where('codeKey').equals(codeKey);
  if (c.birthDate && c.name) return db.residents.where('[birthDate+nameKey]').between([c.birthDate, c.name], [c.birthDate, c.name + HIGH]);
  if (c.birthDate && c.kana) return db.residents.where('[birthDate+kanaKey]').between([c.birthDate, c.kana], [c.birthDate, c.kana + HIGH]);
  if (c.kana) return db.residents.where('kanaKey').startsWith(c.kana);
  if (c.name) return db.residents.where('nameKey').startsWith(c.name);
  if (c.birthDate) return db.residents.where('[birthDate+nameKey]').between([c.birthDate, ''], [c.birthDate, HIGH]);
  return null;
}

export async function searchReplica(db: ReplicaDb, sealer: ReplicaCrypto, criteria: SearchCriteria, limit = 50): Promise<ReplicaHits> {
  const codeKey = criteria.code ? await sealer.codeKey(criteria.code) : null;
  if (!candidates(db, criteria, codeKey)) return { residents: [], truncated: false };
  const found: Resident[] = [];
  const seen = new Set<string>();
  let looked = 0;
  let readMs = 0;
  const readStart = performance.now();
  const read = async (count: number): Promise<ReplicaRow[]> => {
    const t0 = performance.now();
    try {
      return await candidates(db, criteria, codeKey)!.limit(count).toArray();
    } finally {
      readMs += performance.now() - t0;
    }
  };
  /** Looks at rows in order; true when the search is decided (more than `limit` matched). */
  const lookAt = async (rows: ReplicaRow[]): Promise<boolean> => {
    for (let start = 0; start < rows.length; start += OPEN_WINDOW) {
      const batch = rows.slice(start, start + OPEN_WINDOW).filter((row) => !seen.has(row.id));
      const opening = batch.map((row) => sealer.open(row.sealed));
      // A row after the point where the search stops is never judged: its failure is not this search's.
      for (const promise of opening) promise.catch(() => undefined);
      for (let i = 0; i < batch.length; i++) {
        seen.add(batch[i]!.id);
        const resident = await opening[i]!;
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
    const rows = await read(first);
    looked = rows.length;
    if (await lookAt(rows)) return { residents: found, truncated: true };
    if (rows.length < first || first === MAX_CANDIDATES) return { residents: found, truncated: looked === MAX_CANDIDATES };
    // Some candidates did not match: the rest of the list (read again from its start, in one go).
    const all = await read(MAX_CANDIDATES);
    looked = all.length;
    if (await lookAt(all.slice(rows.length))) return { residents: found, truncated: true };
    return { residents: found, truncated: looked === MAX_CANDIDATES };
  } finally {
    performance.measure(REPLICA_READ_MEASURE, { start: readStart, duration: readMs });
  }
}
