import type { Clock } from '../clock';
import type { ServerDb } from '../db/open';
import type { ServerPolicy } from '../policy';

/** What every route handler needs. */
export interface RouteContext {
  db: ServerDb;
  clock: Clock;
  policy: ServerPolicy;
  /** Called after a log batch was stored (the WAL grew): asks for a checkpoint off the request path (db/wal-checkpointer.ts). */
  logStored?: () => void;
}
