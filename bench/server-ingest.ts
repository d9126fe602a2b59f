// Server ingest of the operation log over HTTP on loopback (issue 3 benchmark): the real server
// (fastify + SQLite in a temp dir, WAL + synchronous=FULL), one terminal, chained records built
// with the domain's sealRecord and node:crypto SHA-256, POST /api/v1/log-batches in order. Every
// batch is schema-checked, chain-verified and committed durably before its 200 arrives.
// The bodies are in the form terminals send (src/shared/log-api.ts, wireRecordsJson: each record's
// hash, then its canonical encoding); `json` as the third argument sends JSON.stringify(records)
// instead (the general path: an older terminal, or another client). The client is node:http with
// keep-alive (fetch costs this process ~6 ms more per 2 MiB body, and the client shares the CPU).
// Target: ≥ 150,000 records/s. Run alone: `npx tsx bench/server-ingest.ts [records] [batchSize] [wire|json]`.
import { createHash, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { GENESIS_HASH, sealRecord, type LogRecord } from '../src/domain/log/log-record';
import { registerTerminal } from '../src/server/admin/register-terminal';
import { startServer } from '../src/server/app';
import { countLogRecords } from '../src/server/store/log-records';
import { logBatchBodyJson, LogBatchResponseSchema, MAX_BATCH_RECORDS, wireRecordsJson } from '../src/shared/log-api';
import { formatSummary, summarize, type Summary } from './stats';

export const SERVER_INGEST_TARGET = 150_000;

export type IngestBodyForm = 'wire' | 'json';

export interface ServerIngestResult {
  /** How the request bodies were written: the terminals' wire form, or plain JSON.stringify. */
  form: IngestBodyForm;
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

/** POSTs a body and reads the JSON answer (node:http, one keep-alive connection). */
function poster(url: string): { post(headers: Record<string, string>, body: Uint8Array): Promise<{ status: number; json: unknown }>; close(): void } {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const target = new URL(url);
  return {
    post: (headers, body) =>
      new Promise((resolve, reject) => {
        const req = request(
          { host: target.hostname, port: target.port, path: '/api/v1/log-batches', method: 'POST', agent, headers: { ...headers, 'content-length': String(body.byteLength) } },
          (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (chunk: Buffer) => chunks.push(chunk));
            res.on('end', () => {
              try {
                resolve({ status: res.statusCode ?? 0, json: JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown });
              } catch (error) {
                reject(error as Error);
              }
            });
            res.on('error', reject);
          },
        );
        req.on('error', reject);
        req.end(body);
      }),
    close: () => agent.destroy(),
  };
}

export async function benchServerIngest(options: { records?: number; batchSize?: number; form?: IngestBodyForm } = {}): Promise<ServerIngestResult> {
  const total = options.records ?? 200_000;
  const form = options.form ?? 'wire';
  const batchSize = Math.min(options.batchSize ?? MAX_BATCH_RECORDS, MAX_BATCH_RECORDS);
  const dataDir = mkdtempSync(join(tmpdir(), 'kumiyama-bench-ingest-'));
  // The ingest alone: the background log indexer (issue 5's query index, src/server/services/log-indexer.ts)
  // is off here; it runs outside the ingest transactions and at most half the time, so it is a separate cost.
  const server = await startServer({ dataDir, port: 0, checkpointIntervalMs: 0, logIndexIntervalMs: 0 });
  try {
    const clock = { now: () => Date.now() };
    const credential = registerTerminal(server.db, { name: 'ベンチ端末', id: 'term-bench', serverUrl: server.url, clock });
    const warm = registerTerminal(server.db, { name: 'ウォームアップ', id: 'term-warm', serverUrl: server.url, clock });
    const http = poster(server.url);
    const post = async (who: { terminalId: string; secret: string }, body: Uint8Array) => {
      const { status, json } = await http.post({ authorization: `Terminal ${who.terminalId}:${who.secret}`, 'content-type': 'application/json' }, body);
      if (status !== 200) throw new Error(`ingest refused: ${status} ${JSON.stringify(json)}`);
      return LogBatchResponseSchema.parse(json);
    };
    const utf8 = new TextEncoder();
    const encode = (records: LogRecord[]): Uint8Array =>
      utf8.encode(form === 'wire' ? logBatchBodyJson(randomUUID(), wireRecordsJson(records)) : JSON.stringify({ batchId: randomUUID(), records }));

    // Prepared before timing: the client's work (hashing, JSON, UTF-8) is not the server's. Only the
    // request bodies stay (as the bytes a terminal sends): the terminal's 200,000 record objects are
    // not kept in the heap the server works in.
    const bodies: Uint8Array[] = [];
    const records = buildChain(credential.terminalId, total);
    for (let i = 0; i < total; i += batchSize) bodies.push(encode(records.slice(i, i + batchSize)));
    const lastHash = records.at(-1)!.hash;
    records.length = 0;
    const warmRecords = buildChain(warm.terminalId, batchSize * 3);
    for (let i = 0; i < warmRecords.length; i += batchSize) await post(warm, encode(warmRecords.slice(i, i + batchSize)));

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
    http.close();
    const complete = ack.ackSeq === total && ack.ackHash === lastHash && countLogRecords(server.db, credential.terminalId) === total;
    return {
      form,
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
    `Server ingest over HTTP (loopback, chain verified, WAL + synchronous=FULL): ${result.records} records in ${result.batches} batches of ${result.batchSize}, ${(result.bytes / 1024 / 1024).toFixed(1)} MiB, ${result.form === 'wire' ? "the terminals' wire form" : 'plain JSON records (general path)'}`,
    formatSummary('batch: request sent → 200 (stored durably)', result.batchMs),
    `records/s: ${result.recordsPerSecond.toLocaleString('en-US')}  (${result.seconds.toFixed(2)} s)  all stored, in order: ${result.complete ? 'yes' : 'NO'}`,
    `records per CPU second of this process: ${result.cpuRecordsPerSecond.toLocaleString('en-US')}  (load average ${loadavg()[0]!.toFixed(2)} on ${availableParallelism()} CPUs)`,
    `target ≥ ${SERVER_INGEST_TARGET.toLocaleString('en-US')} records/s: ${result.recordsPerSecond >= SERVER_INGEST_TARGET && result.complete ? 'met' : 'NOT MET'}`,
  ];
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const [records, batchSize] = process.argv.slice(2, 4).map(Number);
  const form = process.argv[4] === 'json' ? 'json' : 'wire';
  benchServerIngest({ ...(records ? { records } : {}), ...(batchSize ? { batchSize } : {}), form }).then(
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
