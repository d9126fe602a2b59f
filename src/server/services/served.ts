// The server records what it served (issue 3 item 5): whenever a terminal fetches roster or
// resident data, the server writes it to its own append-only server_events — so a terminal whose
// own log goes missing is still visible here, and the signed checkpoints cover these rows too.
//
// Every route that returns roster or resident data calls recordServed() in its handler BEFORE the
// answer is sent (synchronously, like everything on this SQLite connection): if the record cannot
// be written the handler fails with 500 and nothing is served. Say what was served (counts, record
// ids, the stated purpose and criteria of a search) — never the resident data itself.
import type { ServerDb } from '../db/open';
import { recordEvent, type ServerEventKind } from '../store/events';

/**
 * What can be served, and the server_events kind each is recorded as. A new resident-data route
 * adds its entry here (and its kind to ServerEventKind and docs/server-api.md).
 */
export const SERVED_EVENT_KINDS = {
  roster: 'roster-fetched',
  /** A page of the resident directory's change feed (GET /api/v1/residents/changes). */
  'resident-changes': 'resident-changes-fetched',
} as const satisfies Record<string, ServerEventKind>;

export type ServedData = keyof typeof SERVED_EVENT_KINDS;

export interface Served {
  at: number;
  /** The authenticated terminal that fetched it. */
  terminalId: string;
  /** The operator on whose behalf it was fetched, when the request names one. */
  operatorId?: string | null;
  data: ServedData;
  /** Counts, ids, purpose/criteria: enough to tell later what was seen, never the data itself. */
  detail: Record<string, unknown>;
}

export function recordServed(db: ServerDb, served: Served): void {
  recordEvent(db, {
    at: served.at,
    terminalId: served.terminalId,
    operatorId: served.operatorId ?? null,
    kind: SERVED_EVENT_KINDS[served.data],
    detail: served.detail,
  });
}
