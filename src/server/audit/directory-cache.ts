// The resident directory as the findings need it, held in memory per database: each resident's name,
// kana, address and household (the relation rules), and how many current residents share each family
// name (the same-surname rule's "rare surname"). Reading and normalising a town's directory costs
// seconds (100,000 residents: ~1 s to read, ~1 s to normalise), so it is
//   - read once, warmed at server start (warmDirectory, app.ts) so the first spot check after a start
//     does not pay for it;
//   - kept current incrementally: a change of the directory gives its rows a new version
//     (residents.version, unique and increasing), so only rows above the version held are read again;
//     a new epoch (the directory emptied and reloaded) or a very large change reads it whole again.
// A resident object is never changed in place (a changed resident is a new object): the relation
// rule keys its normalised names on the objects (rule-relations.ts) and so normalises each one once.
// Above WHOLE_DIRECTORY_MAX residents the directory is not held whole: residents are looked up one
// by one and cached until the directory changes, and the family counts are read again on a change.
import { surnameShares } from '../../domain/audit/person-match';
import { prepareRelationKeys } from '../../domain/audit/rule-relations';
import type { AuditResident } from '../../domain/audit/types';
import type { ServerDb } from '../db/open';
import { countResidents, residentDirectory } from '../store/residents';

/** Up to this many residents, the whole directory is held (one scan instead of a query per resident). */
export const WHOLE_DIRECTORY_MAX = 300_000;
/** A change of more rows than this is read as a whole directory again (one scan is then cheaper). */
const INCREMENTAL_MAX = 20_000;

type ResidentStatus = 'resident' | 'moved-out' | 'deceased';
type DirectoryRow = [id: string, name: string, kana: string, address: string, householdId: string, status: ResidentStatus];

interface Held {
  epoch: string;
  version: number;
  whole: boolean;
  /** id → resident (whole: every resident; else those looked up, null = not in the directory). */
  residents: Map<string, AuditResident | null>;
  /** Family kana counted for each current resident (whole only: what to take back when it changes). */
  familyOf: Map<string, string>;
  /** Family kana → current residents with it, and how many current residents there are (whole only: kept as rows change). */
  families: Map<string, number> | null;
  current: number;
  /** Not whole: the surname shares, read once per directory version (person-match surnameShares). */
  shares: Map<string, number> | null;
  /** Values computed from the directory as it is (directoryView().derived), dropped when it changes. */
  derived: Map<string, unknown>;
}

const held = new WeakMap<ServerDb, Held>();
const wholeMaxOf = new WeakMap<ServerDb, number>();

/**
 * Holds the directory whole only up to `max` residents on this database (default
 * WHOLE_DIRECTORY_MAX): above it, residents are looked up one by one. For a server with little memory,
 * and to exercise that path on a small town (test/integration/server-spot-check-caches.test.ts).
 */
export function setWholeDirectoryMax(db: ServerDb, max: number): void {
  if (!Number.isSafeInteger(max) || max < 0) throw new RangeError(`whole-directory limit must be a non-negative integer, got ${max}`);
  wholeMaxOf.set(db, max);
  held.delete(db);
}

const ROW_COLUMNS = 'id, name, kana, address, household_id, status';

function directoryState(db: ServerDb): { epoch: string; version: number } {
  const { epoch, latestVersion } = residentDirectory(db);
  return { epoch, version: latestVersion };
}

function count(families: Map<string, number>, family: string, by: number): void {
  const n = (families.get(family) ?? 0) + by;
  if (n === 0) families.delete(family);
  else families.set(family, n);
}

/** Takes one directory row into a whole directory held in memory (replacing what was held for its id). */
function take(h: Held, [id, name, kana, address, householdId, status]: DirectoryRow): void {
  h.derived.clear();
  const before = h.familyOf.get(id);
  if (before !== undefined) {
    h.familyOf.delete(id);
    h.current -= 1;
    if (before !== '') count(h.families!, before, -1);
  }
  const resident: AuditResident = { id, name, kana, address, householdId };
  h.residents.set(id, resident);
  const { family } = prepareRelationKeys(resident);
  if (status === 'resident') {
    h.familyOf.set(id, family);
    h.current += 1;
    if (family !== '') count(h.families!, family, 1);
  }
}

function readWhole(db: ServerDb, state: { epoch: string; version: number }): Held {
  const h: Held = { ...state, whole: true, residents: new Map(), familyOf: new Map(), families: new Map(), current: 0, shares: null, derived: new Map() };
  for (const row of db.prepare(`SELECT ${ROW_COLUMNS} FROM residents`).raw().iterate() as Iterable<DirectoryRow>) take(h, row);
  return h;
}

/** The directory as held now, brought up to the directory's current version first. */
function current(db: ServerDb): Held {
  const state = directoryState(db);
  const h = held.get(db);
  if (h && h.epoch === state.epoch && h.version === state.version && (h.whole || h.residents.size <= 200_000)) return h;
  let next: Held;
  if (h && h.whole && h.epoch === state.epoch) {
    const changed = db.prepare(`SELECT ${ROW_COLUMNS} FROM residents WHERE version > ? LIMIT ?`).raw().all(h.version, INCREMENTAL_MAX + 1) as DirectoryRow[];
    if (changed.length <= INCREMENTAL_MAX) {
      for (const row of changed) take(h, row);
      h.version = state.version;
      return h;
    }
  }
  if (countResidents(db) <= (wholeMaxOf.get(db) ?? WHOLE_DIRECTORY_MAX)) next = readWhole(db, state);
  else next = { ...state, whole: false, residents: new Map(), familyOf: new Map(), families: null, current: 0, shares: null, derived: new Map() };
  held.set(db, next);
  return next;
}

/** Reads and normalises the directory now (server start), so that the first spot check does not. */
export function warmDirectory(db: ServerDb): { residents: number; whole: boolean } {
  const h = current(db);
  return { residents: h.whole ? h.residents.size : 0, whole: h.whole };
}

export interface DirectoryView {
  /** One resident by id (undefined: not in the directory). */
  get(id: string): AuditResident | undefined;
  /** Every resident id when the directory is held whole (else null: look residents up one by one). */
  ids(): Iterable<string> | null;
  /** Family kana → its share of the current residents. */
  surnameShares(): Map<string, number>;
  /**
   * A value computed from the directory and what `key` names (e.g. the roster's names and addresses),
   * kept until the directory changes or another key is asked for.
   */
  derived<T>(key: string, compute: () => T): T;
}

/** The directory at its current version. */
export function directoryView(db: ServerDb): DirectoryView {
  const h = current(db);
  const get = h.whole
    ? (id: string) => h.residents.get(id) ?? undefined
    : (() => {
        const stmt = db.prepare('SELECT id, name, kana, address, household_id AS householdId FROM residents WHERE id = ?');
        return (id: string): AuditResident | undefined => {
          let r = h.residents.get(id);
          if (r === undefined) {
            r = (stmt.get(id) as AuditResident | undefined) ?? null;
            h.residents.set(id, r);
          }
          return r ?? undefined;
        };
      })();
  return {
    get,
    ids: () => (h.whole ? h.residents.keys() : null),
    derived<T>(key: string, compute: () => T): T {
      if (h.derived.has(key)) return h.derived.get(key) as T;
      const value = compute();
      h.derived.clear();
      h.derived.set(key, value);
      return value;
    },
    surnameShares(): Map<string, number> {
      if (!h.families) {
        h.shares ??= surnameShares(db.prepare("SELECT kana FROM residents WHERE status = 'resident'").all() as { kana: string }[]);
        return h.shares;
      }
      const shares = new Map<string, number>();
      for (const [family, n] of h.families) shares.set(family, n / h.current);
      return shares;
    },
  };
}
