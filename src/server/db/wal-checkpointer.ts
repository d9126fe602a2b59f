// WAL checkpoints of the running server off the request path. With SQLite's automatic checkpoint
// (every 1000 WAL pages, run by the connection that commits), every second log batch of 5000
// records paid for copying the WAL into the database file and syncing it, inside its request
// (bench/server-ingest.ts). Here a worker thread with its own connection to the same file runs
// PASSIVE checkpoints when poked (after each stored batch, and every second): they never wait for
// or block the server's connection, which keeps writing to the WAL meanwhile; once a checkpoint
// has copied the whole WAL, the next write starts the WAL again from its beginning, so it stays
// small.
//
// Durability is not touched: a transaction is durable when its commit has synced the WAL
// (synchronous=FULL on the server's connection), before any answer; a checkpoint only moves
// committed pages into the database file (and syncs it), and SQLite's checkpoint is safe against
// a crash at any point. Backstop: the server's connection keeps an automatic checkpoint at a much
// larger WAL (BACKSTOP_PAGES), and goes back to SQLite's default if the worker cannot run.
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { ServerDb } from './open';

/** SQLite's default automatic checkpoint (pages), used again when the worker is not running. */
export const DEFAULT_AUTOCHECKPOINT_PAGES = 1000;
/** The server connection's own checkpoint while the worker runs: 16384 pages (64 MiB of WAL). */
export const BACKSTOP_PAGES = 16384;
const POKE_INTERVAL_MS = 1000;

/** One PASSIVE checkpoint's result, as `PRAGMA wal_checkpoint` gives it. */
export interface CheckpointResult {
  busy: number;
  /** Frames in the WAL. */
  log: number;
  /** Frames copied into the database file (all of them: log === checkpointed). */
  checkpointed: number;
}

export interface WalCheckpointer {
  /** Asks for a checkpoint soon (coalesced: at most one runs, one more is queued). */
  poke(): void;
  /** Resolves after the next checkpoint that starts after this call (for tests). */
  checkpointed(): Promise<CheckpointResult>;
  /** Whether the worker is running (false after an error: the server's connection checkpoints itself). */
  readonly running: boolean;
  /** Stops the worker (its connection closed). The server's connection gets SQLite's default back. */
  close(): Promise<void>;
}

// CommonJS, run with { eval: true }: no loader needed whatever runs the server (tsx, node, vitest).
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.library);
const db = new Database(workerData.file, { fileMustExist: true });
db.pragma('busy_timeout = 5000');
db.pragma('synchronous = FULL');
let closed = false;
parentPort.on('message', (message) => {
  if (message === 'close') {
    closed = true;
    db.close();
    parentPort.close();
    return;
  }
  if (closed) return;
  try {
    const row = db.pragma('wal_checkpoint(PASSIVE)')[0];
    parentPort.postMessage({ ok: true, busy: row.busy, log: row.log, checkpointed: row.checkpointed });
  } catch (error) {
    parentPort.postMessage({ ok: false, message: String(error && error.message || error) });
  }
});
`;

/** Starts the checkpoint worker for `db` (the server's connection to `file`, in WAL mode). */
export function startWalCheckpointer(db: ServerDb, file: string, onError: (error: Error) => void = () => undefined): WalCheckpointer {
  const library = createRequire(import.meta.url).resolve('better-sqlite3');
  const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { library, file } });
  worker.unref();
  db.pragma(`wal_autocheckpoint = ${BACKSTOP_PAGES}`);
  let running = true;
  let busy = false;
  let queued = false;
  type Waiter = { resolve: (result: CheckpointResult) => void; reject: (error: Error) => void };
  let waiting: Waiter[] = [];
  let nextWaiting: Waiter[] = [];
  const failAll = (error: Error): void => {
    const all = [...waiting, ...nextWaiting];
    waiting = [];
    nextWaiting = [];
    for (const waiter of all) waiter.reject(error);
  };

  const fallBack = (error: Error): void => {
    if (!running) return;
    running = false;
    clearInterval(timer);
    if (db.open) db.pragma(`wal_autocheckpoint = ${DEFAULT_AUTOCHECKPOINT_PAGES}`);
    failAll(error);
    onError(error);
  };
  const send = (): void => {
    busy = true;
    queued = false;
    waiting = nextWaiting;
    nextWaiting = [];
    worker.postMessage('checkpoint');
  };
  worker.on('message', (message: { ok: true; busy: number; log: number; checkpointed: number } | { ok: false; message: string }) => {
    busy = false;
    const done = waiting;
    waiting = [];
    if (message.ok) {
      const result = { busy: message.busy, log: message.log, checkpointed: message.checkpointed };
      for (const waiter of done) waiter.resolve(result);
    } else {
      // A failed checkpoint (e.g. the disk) is reported; the next poke tries again.
      const error = new Error(`WAL checkpoint failed: ${message.message}`);
      for (const waiter of done) waiter.reject(error);
      onError(error);
    }
    if (running && (queued || nextWaiting.length > 0)) send();
  });
  worker.on('error', fallBack);
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  void exited.then(() => fallBack(new Error('WAL checkpoint worker exited')));

  const poke = (): void => {
    if (!running) return;
    if (busy) queued = true;
    else send();
  };
  const timer = setInterval(poke, POKE_INTERVAL_MS);
  timer.unref();

  return {
    poke,
    checkpointed: () =>
      new Promise<CheckpointResult>((resolve, reject) => {
        if (!running) {
          reject(new Error('the WAL checkpoint worker is not running'));
          return;
        }
        nextWaiting.push({ resolve, reject });
        if (!busy) send();
      }),
    get running() {
      return running;
    },
    close: async () => {
      if (running) {
        running = false;
        clearInterval(timer);
        failAll(new Error('the WAL checkpoint worker was closed'));
        // Held (ref'd) until it has closed its connection: the process waits for that.
        worker.ref();
        worker.postMessage('close');
        let timeout: NodeJS.Timeout | undefined;
        const stopped = await Promise.race([exited.then(() => true), new Promise<boolean>((resolve) => (timeout = setTimeout(() => resolve(false), 5000)))]);
        clearTimeout(timeout);
        if (!stopped) await worker.terminate();
        if (db.open) db.pragma(`wal_autocheckpoint = ${DEFAULT_AUTOCHECKPOINT_PAGES}`);
      }
    },
  };
}
