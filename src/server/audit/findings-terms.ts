// The query index's term dictionary (log_index_terms) held in memory for the findings: term ids are
// never reused while the index lives, so the table is read once and again only when an id is new
// (after indexing) or the index was rebuilt (an id that no longer matches is read again).
import type { ServerDb } from '../db/open';
import type { IndexTermKind } from '../store/log-index';

export interface TermTable {
  value(id: number): string | null;
  id(kind: IndexTermKind, value: string): number | undefined;
}

interface Cache {
  values: Map<number, string>;
  ids: Map<string, number>;
  maxId: number;
}

const caches = new WeakMap<ServerDb, Cache>();

function load(db: ServerDb): Cache {
  const rows = db.prepare('SELECT id, kind, value FROM log_index_terms').raw().all() as [number, string, string][];
  const cache: Cache = { values: new Map(), ids: new Map(), maxId: 0 };
  for (const [id, kind, value] of rows) {
    cache.values.set(id, value);
    cache.ids.set(`${kind}\u0000${value}`, id);
    if (id > cache.maxId) cache.maxId = id;
  }
  caches.set(db, cache);
  return cache;
}

/** The term table, refreshed when the stored one has grown or shrunk since it was read. */
export function termTable(db: ServerDb): TermTable {
  const [count, maxId] = db.prepare('SELECT count(*), coalesce(max(id), 0) FROM log_index_terms').raw().get() as [number, number];
  let cache = caches.get(db);
  if (!cache || cache.maxId !== maxId || cache.values.size !== count) cache = load(db);
  const c = cache;
  return {
    value: (id) => c.values.get(id) ?? null,
    id: (kind, value) => c.ids.get(`${kind}\u0000${value}`),
  };
}
