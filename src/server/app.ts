// The central server: fastify + embedded SQLite. createServerApp builds it (tests inject the
// clock); startServer also listens on a loopback address.
import swagger from '@fastify/swagger';
import Fastify, { type FastifyInstance } from 'fastify';
import packageJson from '../../package.json' with { type: 'json' };
import { join } from 'node:path';
import { systemClock, type Clock } from './clock';
import { DB_FILE_NAME, openServerDb, type ServerDb } from './db/open';
import { startWalCheckpointer, type WalCheckpointer } from './db/wal-checkpointer';
import { runWarmupStep, SPOT_CHECK_WARMUP, type SpotCheckWarmupResult } from './audit/spot-check-warmup';
import { installErrorHandlers } from './http/errors';
import { DEFAULT_HOST, isLoopbackHost, LOOPBACK_HOSTS, serverUrl } from './loopback';
import { PASSWORD_EXPIRY_DAYS_DEFAULT } from '../domain/password';
import { MAX_FAILED_ATTEMPTS, type ServerPolicy } from './policy';
import { registerPublicRoutes } from './routes/public';
import { registerTerminalRoutes } from './routes/terminal';
import { registerAdminRoutes } from './routes/admin/index';
import { ADMIN_SESSION_SECURITY_SCHEME } from './routes/admin/admin-schemas';
import { DEFAULT_CHECKPOINT_INTERVAL_MS, latestCheckpoint, loadOrCreateCheckpointKey, writeCheckpoint, type LogCheckpoint } from './services/log-checkpoints';
import { DEFAULT_INDEX_INTERVAL_MS, indexLogFully, indexLogPass } from './services/log-indexer';
import { LogIndexSchedule } from './services/log-index-schedule';
import { checkRetentionDays, DEFAULT_LOG_RETENTION_DAYS, pruneLog, type PruneResult } from './services/log-retention';
import { recordEvent } from './store/events';
import { recordIntegrityAlert } from './store/integrity-alerts';

export const DEFAULT_BODY_LIMIT = 1024 * 1024;

export interface ServerAppOptions {
  dataDir: string;
  clock?: Clock;
  logger?: boolean;
  /** Largest accepted request body in bytes (default 1 MiB). */
  bodyLimit?: number;
  /** Password expiry handed to terminals (default 90 days). */
  passwordExpiryDays?: number;
  /** Operation-log retention in days (default 2557 = 7 years); pruned at start and daily. */
  logRetentionDays?: number;
  /** Interval of the signed log checkpoints in ms (default 5 min); 0 = only at start and on demand. */
  checkpointIntervalMs?: number;
  /** How often the background indexer looks for new log records (default 2 s); 0 = only on demand (log.index()). */
  logIndexIntervalMs?: number;
  /** Longest period one audit-log query may span, in days (default 2557 = 7 years). */
  auditMaxSpanDays?: number;
}

/** The operation log's periodic work, also callable on demand (tests, admin). */
export interface ServerLog {
  /** Writes a signed checkpoint now (uses the injected clock). */
  checkpoint(): LogCheckpoint;
  /** Prunes records older than the retention now (uses the injected clock). */
  prune(): PruneResult;
  /** Brings the audit query index up to date with every stored record now (the background indexer does it in slices). */
  index(): { indexed: number; removed: number };
  /** SHA-256 of the checkpoint public key (print it; keep it outside the server). */
  readonly checkpointKeyId: string;
}

const PRUNE_INTERVAL_MS = 24 * 60 * 60_000;
/** After the start (listening first): when the spot checks' warm-up begins (audit/spot-check-warmup.ts). */
const SPOT_CHECK_WARM_DELAY_MS = 200;

export interface ServerApp {
  app: FastifyInstance;
  db: ServerDb;
  log: ServerLog;
  /** The WAL checkpoint worker (null when it could not start: SQLite then checkpoints on commit). */
  walCheckpointer: WalCheckpointer | null;
  /** The spot checks' warm-up after the start (audit/spot-check-warmup.ts): each step's time, settled when done (or closed). */
  spotCheckWarmup: Promise<SpotCheckWarmupResult[]>;
  /** Closes the HTTP server (if listening) and then the database. */
  close(): Promise<void>;
}

export async function createServerApp(options: ServerAppOptions): Promise<ServerApp> {
  const clock = options.clock ?? systemClock;
  const passwordExpiryDays = options.passwordExpiryDays ?? PASSWORD_EXPIRY_DAYS_DEFAULT;
  if (!Number.isInteger(passwordExpiryDays) || passwordExpiryDays < 1 || passwordExpiryDays > 3650) {
    throw new RangeError('passwordExpiryDays must be an integer 1..3650');
  }
  const policy: ServerPolicy = {
    passwordExpiryDays,
    maxFailedAttempts: MAX_FAILED_ATTEMPTS,
    ...(options.auditMaxSpanDays === undefined ? {} : { auditMaxSpanDays: options.auditMaxSpanDays }),
  };
  const logRetentionDays = checkRetentionDays(options.logRetentionDays ?? DEFAULT_LOG_RETENTION_DAYS);
  const checkpointIntervalMs = options.checkpointIntervalMs ?? DEFAULT_CHECKPOINT_INTERVAL_MS;
  if (!Number.isInteger(checkpointIntervalMs) || checkpointIntervalMs < 0 || checkpointIntervalMs > 86_400_000) {
    throw new RangeError('checkpointIntervalMs must be an integer 0..86400000');
  }
  const { db } = openServerDb(options.dataDir, clock.now());

  const app = Fastify({
    logger: options.logger ?? false,
    bodyLimit: options.bodyLimit ?? DEFAULT_BODY_LIMIT,
    requestTimeout: 30_000,
    return503OnClosing: true,
    exposeHeadRoutes: false,
    // Reject (never silently strip or coerce) what does not match the contract.
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false, useDefaults: false, allErrors: false } },
  });
  let dbClosed = false;
  const timers: NodeJS.Timeout[] = [];
  // The spot checks' warm-up after the start (below): its steps as they ran; settled when done or closed.
  const warmed: SpotCheckWarmupResult[] = [];
  let warmedUp: (steps: SpotCheckWarmupResult[]) => void = () => undefined;
  const spotCheckWarmup = new Promise<SpotCheckWarmupResult[]>((resolve) => (warmedUp = resolve));
  // WAL checkpoints in a worker thread, off the request path (db/wal-checkpointer.ts).
  let walCheckpointer: WalCheckpointer | null = null;
  try {
    walCheckpointer = startWalCheckpointer(db, join(options.dataDir, DB_FILE_NAME), (error) => {
      app.log.error({ err: error }, 'WAL checkpoint');
      process.emitWarning(`中央サーバー: WAL のチェックポイントに失敗しました: ${error.message}`);
    });
  } catch (error) {
    process.emitWarning(`中央サーバー: WAL のチェックポイント用スレッドを起動できません (SQLite が自動で行います): ${(error as Error).message}`);
  }
  // A batch was stored (routes/log.ts): the WAL checkpointer and the indexer's schedule hear of it.
  const indexSchedule = new LogIndexSchedule();
  const logStored = (): void => {
    indexSchedule.stored(performance.now());
    walCheckpointer?.poke();
  };
  const closeDb = async (): Promise<void> => {
    for (const timer of timers) clearInterval(timer);
    warmedUp(warmed);
    await walCheckpointer?.close();
    if (!dbClosed) {
      dbClosed = true;
      db.close();
    }
  };
  app.addHook('onClose', async () => closeDb());
  let log: ServerLog;
  try {
    log = startLog(db, options.dataDir, clock, logRetentionDays);
    const every = (ms: number, what: string, task: () => unknown): void => {
      const timer = setInterval(() => {
        if (dbClosed) return;
        try {
          task();
        } catch (error) {
          app.log.error({ err: error }, `${what} failed`);
          process.emitWarning(`中央サーバー: ${what} に失敗しました: ${error instanceof Error ? error.message : String(error)}`);
        }
      }, ms);
      timer.unref();
      timers.push(timer);
    };
    if (checkpointIntervalMs > 0) every(checkpointIntervalMs, 'log checkpoint', log.checkpoint);
    const indexIntervalMs = options.logIndexIntervalMs ?? DEFAULT_INDEX_INTERVAL_MS;
    if (indexIntervalMs > 0) {
      // A bounded pass now and then: a backlog is worked off pass after pass, requests served between
      // them; while terminals deliver, passes wait for a pause (services/log-index-schedule.ts).
      let running = false;
      const pass = (): void => {
        if (dbClosed || !indexSchedule.mayRun(performance.now())) {
          running = false;
          return;
        }
        try {
          const started = performance.now();
          const { more } = indexLogPass(db, clock.now());
          if (!more) indexSchedule.caughtUp();
          else {
            // At most half of the time: ingest and requests keep their share while a backlog is worked off.
            setTimeout(pass, Math.max(5, performance.now() - started)).unref();
            return;
          }
        } catch (error) {
          app.log.error({ err: error }, 'log indexing failed');
          process.emitWarning(`中央サーバー: 操作ログの索引作成に失敗しました: ${error instanceof Error ? error.message : String(error)}`);
        }
        running = false;
      };
      every(indexIntervalMs, 'log indexing', () => {
        if (running) return;
        running = true;
        pass();
      });
    }
    every(PRUNE_INTERVAL_MS, 'log retention pruning', log.prune);
    // What the spot checks need (the directory, the findings' statements and memo, the recent log's
    // pages) read once soon after the start rather than in the manager's first request
    // (audit/spot-check-warmup.ts): one step per turn of the event loop, requests served between them.
    const warmStep = (i: number): void => {
      const step = SPOT_CHECK_WARMUP[i];
      if (!step || dbClosed) {
        warmedUp(warmed);
        return;
      }
      const result = runWarmupStep(step, db, clock.now());
      warmed.push(result);
      if (result.error !== undefined) app.log.error({ step: step.name, error: result.error }, 'spot-check warm-up step failed');
      const next = setTimeout(() => warmStep(i + 1), 0);
      next.unref();
      timers.push(next);
    };
    const warm = setTimeout(() => warmStep(0), SPOT_CHECK_WARM_DELAY_MS);
    warm.unref();
    timers.push(warm);
    installErrorHandlers(app);
    app.removeContentTypeParser('text/plain');
    app.addHook('onSend', async (_request, reply) => {
      reply.header('cache-control', 'no-store');
      reply.header('x-content-type-options', 'nosniff');
    });
    await app.register(swagger, {
      openapi: {
        openapi: '3.1.0',
        info: {
          title: '久御山町 住民課 窓口端末 中央サーバー API',
          description: 'Terminal ↔ central server contract (src/shared/server-api.ts). Errors are always { error: { code, message } }.',
          version: packageJson.version,
        },
        components: {
          securitySchemes: {
            terminal: {
              type: 'apiKey',
              in: 'header',
              name: 'Authorization',
              description: 'Authorization: Terminal <terminalId>:<secret> (from the terminal credential file)',
            },
            adminSession: ADMIN_SESSION_SECURITY_SCHEME,
          },
        },
      },
    });
    const context = { db, clock, policy, logStored };
    registerPublicRoutes(app, context);
    await registerTerminalRoutes(app, context);
    await registerAdminRoutes(app, context);
    await app.ready();
  } catch (error) {
    await app.close().catch(() => undefined);
    await closeDb();
    throw error;
  }
  return { app, db, log, walCheckpointer, spotCheckWarmup, close: () => app.close() };
}

/**
 * The operation log's start: the checkpoint signing key (created at first start), a pruning pass
 * and a first checkpoint, so every start leaves a signed mark of what the server holds.
 */
function startLog(db: ServerDb, dataDir: string, clock: Clock, retentionDays: number): ServerLog {
  const { key, created } = loadOrCreateCheckpointKey(dataDir);
  if (created) {
    const now = clock.now();
    const previousKeyId = latestCheckpoint(db)?.keyId ?? null;
    db.transaction(() => {
      recordEvent(db, { at: now, kind: 'log-checkpoint-key-created', detail: { keyId: key.keyId, previousKeyId } });
      if (previousKeyId !== null && previousKeyId !== key.keyId) {
        // Earlier checkpoints were signed with a key that is gone: verify needs its public key (--public-key).
        recordIntegrityAlert(db, { at: now, terminalId: null, kind: 'checkpoint-key-replaced', seq: null, detail: { keyId: key.keyId, previousKeyId } });
      }
    }).immediate();
  }
  const log: ServerLog = {
    checkpoint: () => writeCheckpoint(db, key, clock.now()),
    prune: () => pruneLog(db, { now: clock.now(), retentionDays }),
    index: () => indexLogFully(db, clock.now()),
    checkpointKeyId: key.keyId,
  };
  log.prune();
  log.checkpoint();
  return log;
}

export interface StartServerOptions extends ServerAppOptions {
  /** 0 picks a free port. */
  port: number;
  /** Loopback only: 127.0.0.1 (default) or ::1. */
  host?: string;
}

export interface RunningServer extends ServerApp {
  url: string;
  port: number;
}

export async function listenOnLoopback(app: FastifyInstance, port: number, host: string = DEFAULT_HOST): Promise<{ url: string; port: number }> {
  if (!isLoopbackHost(host)) throw new RangeError(`host must be a loopback address (${LOOPBACK_HOSTS.join(', ')}), got ${host}`);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new RangeError(`port must be an integer 0..65535, got ${port}`);
  await app.listen({ port, host });
  const address = app.server.address();
  const actualPort = typeof address === 'object' && address ? address.port : port;
  return { url: serverUrl(host, actualPort), port: actualPort };
}

export async function startServer(options: StartServerOptions): Promise<RunningServer> {
  const host = options.host ?? DEFAULT_HOST;
  if (!isLoopbackHost(host)) throw new RangeError(`host must be a loopback address (${LOOPBACK_HOSTS.join(', ')}), got ${host}`);
  const server = await createServerApp(options);
  try {
    const { url, port } = await listenOnLoopback(server.app, options.port, host);
    return { ...server, url, port };
  } catch (error) {
    await server.close();
    throw error;
  }
}
