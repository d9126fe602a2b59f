// Server ingest of the operation log over HTTP on loopback (issue 3 benchmark): the real server
// (fastify + SQLite in a temp dir, WAL + synchronous=FULL), one terminal, chained records built
// with the domain's sealRecord and node:crypto SHA-256, POST /api/v1/log-batches in order. Every
// batch is schema-checked, chain-verified and committed durably before its 200 arrives.
// Target: ≥ 150,000 records/s. Run alone: `npx tsx bench/server-ingest.ts [records] [batchSize]`.
import { createHash, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { GENESIS_HASH, sealRecord, type LogRecord } from '../src/domain/log/log-record';
import { registerTerminal } from '../src/server/admin/register-terminal';
import { startServer } from '../src/server/app';
import { countLogRecords } from '../src/server/store/log-records';
import { LogBatchResponseSchema, MAX_BATCH_RECORDS } from '../src/shared/log-api';
import { formatSummary, summarize, type Summary } from './stats';

export const SERVER_INGEST_TARGET = 150_000;

export interface ServerIngestResult {
  recordsPerSecond: number;
  records: number;
  batches: number;
  batchSize: number;
  seconds: number;
  /** Request body bytes sent. */
  bytes: number;
  /** Wall time per batch, request sent → 200 received. */
  batchMs: Summary;
  /** The database holds exactly the records sent, and the cursor is at the last one. */
  complete: boolean;
  /**
   * Records per second of this process's CPU time (server and client share it) — what one idle core
   * would do; on a busy shared machine it tells the load apart from the code.
   */
  cpuRecordsPerSecond: number;
}

const OPERATORS = ['op-yamada', 'op-sato', 'op-suzuki', 'op-takahashi'];
const TYPES = ['resident.search', 'record.viewed', 'value.revealed', 'card.inserted', 'session.locked', 'signin.success', 'print.issued'];

/** A realistic log: searches with purpose and criteria, views, card and session events. */
function buildChain(terminalId: string, count: number): LogRecord[] {
  const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');
  const records: LogRecord[] = [];
  let prevHash = GENESIS_HASH;
  const start = Date.parse('2026-04-06T00:30:00.000Z');
  for (let seq = 1; seq <= count; seq++) {
    const type = TYPES[seq % TYPES.length]!;
    const record = sealRecord(
      {
        terminalId,
        seq,
        prevHash,
        at: new Date(start + seq * 250).toISOString(),
        clockOffsetMs: 37,
        type,
        outcome: seq % 97 === 0 ? 'failure' : 'success',
        operatorId: OPERATORS[seq % OPERATORS.length]!,
        cardKeyId: createHash('sha256').update(String(seq % OPERATORS.length)).digest('hex'),
        detail:
          type === 'resident.search'
            ? { purpose: '転入届の受付に伴う世帯の確認', criteria: 'kana+birthdate', results: seq % 5 }
            : type === 'record.viewed'
              ? { recordId: `R${(seq * 7919) % 100_000}`, purpose: '住民票の写しの交付' }
              : { reader: 'Virtual PCD 00 00', n: seq },
      },
      sha256,
    );
    records.push(record);
    prevHash = record.hash;
  }
  return records;
}

export async function benchServerIngest(options: { records?: number; batchSize?: number } = {}): Promise<ServerIngestResult> {
  const total = options.records ?? 200_000;
  const batchSize = Math.min(options.batchSize ?? MAX_BATCH_RECORDS, MAX_BATCH_RECORDS);
  const dataDir = mkdtempSync(join(tmpdir(), 'kumiyama-bench-ingest-'));
  // The ingest alone: the background log indexer (issue 5's query index, src/server/services/log-indexer.ts)
  // is off here; it runs outside the ingest transactions and at most half the time, so it is a separate cost.
  const server = await startServer({ dataDir, port: 0, checkpointIntervalMs: 0, logIndexIntervalMs: 0 });
  try {
    const clock = { now: () => Date.now() };
    const credential = registerTerminal(server.db, { name: 'ベンチ端末', id: 'term-bench', serverUrl: server.url, clock });
    const warm = registerTerminal(server.db, { name: 'ウォームアップ', id: 'term-warm', serverUrl: server.url, clock });
    const post = async (who: { terminalId: string; secret: string }, body: string | Uint8Array<ArrayBuffer>) => {
      const response = await fetch(`${server.url}/api/v1/log-batches`, {
        method: 'POST',
        headers: { authorization: `Terminal ${who.terminalId}:${who.secret}`, 'content-type': 'application/json' },
        body,
      });
      const json: unknown = await response.json();
      if (response.status !== 200) throw new Error(`ingest refused: ${response.status} ${JSON.stringify(json)}`);
      return LogBatchResponseSchema.parse(json);
    };

    // Prepared before timing: the client's work (hashing, JSON, UTF-8) is not the server's. Only the
    // request bodies stay (as the bytes a terminal sends): the terminal's 200,000 record objects are
    // not kept in the heap the server works in.
    const utf8 = new TextEncoder();
    const bodies: Uint8Array<ArrayBuffer>[] = [];
    const records = buildChain(credential.terminalId, total);
    for (let i = 0; i < total; i += batchSize) bodies.push(utf8.encode(JSON.stringify({ batchId: randomUUID(), records: records.slice(i, i + batchSize) })));
    const lastHash = records.at(-1)!.hash;
    records.length = 0;
    const warmRecords = buildChain(warm.terminalId, batchSize * 3);
    for (let i = 0; i < warmRecords.length; i += batchSize) await post(warm, JSON.stringify({ batchId: randomUUID(), records: warmRecords.slice(i, i + batchSize) }));

    const batchMs: number[] = [];
    const cpuBefore = process.cpuUsage();
    const started = performance.now();
    let ack = { ackSeq: 0, ackHash: GENESIS_HASH };
    for (const body of bodies) {
      const t0 = performance.now();
      ack = await post(credential, body);
      batchMs.push(performance.now() - t0);
    }
    const seconds = (performance.now() - started) / 1000;
    const cpu = process.cpuUsage(cpuBefore);
    const cpuSeconds = (cpu.user + cpu.system) / 1e6;
    const complete = ack.ackSeq === total && ack.ackHash === lastHash && countLogRecords(server.db, credential.terminalId) === total;
    return {
      recordsPerSecond: Math.round(total / seconds),
      records: total,
      batches: bodies.length,
      batchSize,
      seconds,
      bytes: bodies.reduce((sum, body) => sum + body.byteLength, 0),
      batchMs: summarize(batchMs),
      complete,
      cpuRecordsPerSecond: Math.round(total / cpuSeconds),
    };
  } finally {
    await server.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

export function formatServerIngest(result: ServerIngestResult): string[] {
  return [
    `Server ingest over HTTP (loopback, chain verified, WAL + synchronous=FULL): ${result.records} records in ${result.batches} batches of ${result.batchSize}, ${(result.bytes / 1024 / 1024).toFixed(1)} MiB`,
    formatSummary('batch: request sent → 200 (stored durably)', result.batchMs),
    `records/s: ${result.recordsPerSecond.toLocaleString('en-US')}  (${result.seconds.toFixed(2)} s)  all stored, in order: ${result.complete ? 'yes' : 'NO'}`,
    `records per CPU second of this process: ${result.cpuRecordsPerSecond.toLocaleString('en-US')}  (load average ${loadavg()[0]!.toFixed(2)} on ${availableParallelism()} CPUs)`,
    `target ≥ ${SERVER_INGEST_TARGET.toLocaleString('en-US')} records/s: ${result.recordsPerSecond >= SERVER_INGEST_TARGET && result.complete ? 'met' : 'NOT MET'}`,
  ];
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const [records, batchSize] = process.argv.slice(2).map(Number);
  benchServerIngest({ ...(records ? { records } : {}), ...(batchSize ? { batchSize } : {}) }).then(
    (result) => {
      for (const line of formatServerIngest(result)) console.log(line);
      process.exit(result.recordsPerSecond >= SERVER_INGEST_TARGET && result.complete ? 0 : 1);
    },
    (error: unknown) => {
      console.error(error);
      process.exit(2);
    },
  );
}
