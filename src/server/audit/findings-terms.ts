// The query index's term dictionary (log_index_terms) in memory for the findings: read whole on each
// call. It is small (terminals, event types, operators, cards, purpose categories: hundreds of rows,
// well under a millisecond), and a cache checked only by its size would be wrong after the index was
// rebuilt: ids start again from 1 and the same count of terms can come back under other ids.
import type { ServerDb } from '../db/open';
import type { IndexTermKind } from '../store/log-index';

export interface TermTable {
  value(id: number): string | null;
  id(kind: IndexTermKind, value: string): number | undefined;
}

interface Cache {
  values: Map<number, string>;
  ids: Map<string, number>;
}

function load(db: ServerDb): Cache {
  const rows = db.prepare('SELECT id, kind, value FROM log_index_terms').raw().all() as [number, string, string][];
  const cache: Cache = { values: new Map(), ids: new Map() };
  for (const [id, kind, value] of rows) {
    cache.values.set(id, value);
    cache.ids.set(`${kind}\u0000${value}`, id);
  }
  return cache;
}

/** The term table as it is now. */
export function termTable(db: ServerDb): TermTable {
  const c = load(db);
  return {
    value: (id) => c.values.get(id) ?? null,
    id: (kind, value) => c.ids.get(`${kind}\u0000${value}`),
  };
}
