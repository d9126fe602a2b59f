// Delivery of a terminal's queued operation log to the central server (issue 3 benchmark: 100,000
// queued records from one terminal delivered and acknowledged on loopback in ≤ 5 s).
//
// The path is the product's second host end to end: the renderer's LogWriter on real IndexedDB in
// Chromium holds the records; its syncPass (src/renderer/src/log/log-sync.ts) reads and encodes each
// batch in the wire form (src/shared/log-api.ts, wireRecordsJson) while the batch before travels, and
// hands it ahead (pushLogBatch { recordsJson, follows }: the service sends it once the batch before is
// acknowledged, src/node/terminal/log-push-queue.ts); getLogCursor / pushLogBatch go through the renderer's WebSocket contract client
// (transport/ws-client.ts) to the host (src/host/host-server.ts), which validates each payload (the
// contract's dispatch) and hands it to a real TerminalService (createTerminalRuntime: credential,
// server client, PC/SC card service — pcscd must run), which forwards the text as the request body;
// the central server runs as its own process (SQLite, WAL, synchronous=FULL) and reads that form
// without JSON objects (src/server/services/log-batch-scan.ts). Timed: one syncPass from "100,000
// waiting" to "all acknowledged".
//   npx tsx bench/log-delivery.ts            (LOG_DELIVERY_RECORDS=… to change the count)
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { callInPage, startLogHarness } from './log-append-page/harness';
import { formatSummary, summarize, type Summary } from './stats';
import { startServerProcess } from '../test/support/server-process';
import { startHost } from '../src/host/host-server';
import { createTerminalRuntime } from '../src/node/terminal/runtime';
import type { Backlog } from '../src/renderer/src/log/log-writer';
import type { SyncPassResult } from '../src/renderer/src/log/log-sync';
import { registerTerminal } from '../src/server/admin/register-terminal';
import { openServerDb } from '../src/server/db/open';
import { countLogRecords } from '../src/server/store/log-records';

export const LOG_DELIVERY_TARGET = { records: 100_000, seconds: 5 };

export interface LogDeliveryResult {
  records: number;
  seconds: number;
  recordsPerSecond: number;
  /** Push calls, request → answer, as TerminalService saw them (a batch handed ahead: with its wait for the one before). */
  pushMs: Summary;
  /** From an answer to the next push call reaching the service (page, WebSocket, host checks). */
  gapMs: Summary;
  /** Everything acknowledged locally, and the server holds exactly these records. */
  complete: boolean;
  result: SyncPassResult;
}

export async function benchLogDelivery(records = Number(process.env.LOG_DELIVERY_RECORDS ?? LOG_DELIVERY_TARGET.records)): Promise<LogDeliveryResult> {
  if (!Number.isInteger(records) || records < 1000) throw new RangeError('the delivery benchmark needs at least 1000 records');
  const terminalId = 'term-delivery';
  const dataDir = mkdtempSync(join(tmpdir(), 'kumiyama-bench-delivery-'));
  const clock = { now: () => Date.now() };
  const credential = (() => {
    const { db } = openServerDb(dataDir);
    try {
      return registerTerminal(db, { name: 'ベンチ端末', id: terminalId, serverUrl: 'http://127.0.0.1:8470', clock });
    } finally {
      db.close();
    }
  })();
  const server = await startServerProcess(dataDir);
  const terminalDir = mkdtempSync(join(tmpdir(), 'kumiyama-bench-delivery-terminal-'));
  const credentialPath = join(terminalDir, 'terminal-credential.json');
  writeFileSync(credentialPath, JSON.stringify({ ...credential, serverUrl: server.url }), { mode: 0o600 });
  const service = createTerminalRuntime({ dataDir: terminalDir, credentialPath });
  service.start();
  const harness = await startLogHarness();
  const host = await startHost({ service, rendererDir: harness.dir, port: 0 });
  try {
    const page = await harness.newPage(host.url);
    await callInPage(page, 'useTerminalHost');
    // The push times as the host saw them: wrap the service's call (the host calls it after validating).
    const pushMs: number[] = [];
    // And the time between an answer and the next batch reaching the service: the page (its checkpoint,
    // the next batch, the message), the WebSocket and the host's checks — 0 when the next batch was
    // handed ahead and already waited in the service (main's LogPushQueue) when the answer came.
    const gapMs: number[] = [];
    let answeredAt: number | null = null;
    let calls = 0;
    const push = service.pushLogBatch.bind(service);
    service.pushLogBatch = async (input) => {
      const t0 = performance.now();
      if (answeredAt !== null) gapMs.push(t0 - answeredAt);
      answeredAt = null;
      calls++;
      try {
        return await push(input);
      } finally {
        calls--;
        const t1 = performance.now();
        pushMs.push(t1 - t0);
        if (calls > 0) gapMs.push(0);
        else answeredAt = t1;
      }
    };
    const dbName = `log-delivery-${Date.now()}`;
    await callInPage(page, 'deleteDb', dbName);
    await callInPage(page, 'open', dbName, terminalId);
    await callInPage(page, 'seed', records);
    const waiting = await callInPage<Backlog>(page, 'backlog');
    if (waiting.count !== records) throw new Error(`the terminal should hold ${records} waiting records, not ${waiting.count}`);

    // LOG_DELIVERY_PAGE_PROFILE=file.cpuprofile: the page's CPU profile of the timed pass (DevTools format).
    const profilePath = process.env.LOG_DELIVERY_PAGE_PROFILE;
    const cdp = profilePath ? await page.context().newCDPSession(page) : null;
    if (cdp) {
      await cdp.send('Profiler.enable');
      await cdp.send('Profiler.start');
    }
    const started = performance.now();
    const result = await callInPage<SyncPassResult>(page, 'syncPass');
    const seconds = (performance.now() - started) / 1000;
    if (cdp && profilePath) writeFileSync(profilePath, JSON.stringify((await cdp.send('Profiler.stop')).profile));

    const after = await callInPage<Backlog>(page, 'backlog');
    const complete = result.kind === 'done' && result.ackSeq === records && after.count === 0 && countOnServer(dataDir, terminalId) === records;
    await callInPage(page, 'deleteDb', dbName);
    return { records, seconds, recordsPerSecond: Math.round(records / seconds), pushMs: summarize(pushMs), gapMs: summarize(gapMs), complete, result };
  } finally {
    await host.close();
    await service.stop();
    await harness.close();
    server.child.kill('SIGTERM');
    await server.exited;
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(terminalDir, { recursive: true, force: true });
  }
}

function countOnServer(dataDir: string, terminalId: string): number {
  const { db } = openServerDb(dataDir);
  try {
    return countLogRecords(db, terminalId);
  } finally {
    db.close();
  }
}

export function formatLogDelivery(r: LogDeliveryResult): string[] {
  const ok = r.complete && r.records >= LOG_DELIVERY_TARGET.records && r.seconds <= LOG_DELIVERY_TARGET.seconds;
  return [
    `Log delivery: ${r.records.toLocaleString('en-US')} queued records, Chromium (IndexedDB) → WebSocket contract → host → TerminalService → central server process (loopback)`,
    formatSummary('push: in TerminalService, batch → acknowledgement (a batch handed ahead: also its wait for the one before)', r.pushMs),
    formatSummary('between: answer → next batch in TerminalService (page, WebSocket, host checks; 0 = it was already waiting)', r.gapMs),
    `delivered and acknowledged in ${r.seconds.toFixed(2)} s (${r.recordsPerSecond.toLocaleString('en-US')} records/s); all on the server, local backlog 0: ${r.complete ? 'yes' : `NO (${JSON.stringify(r.result)})`}`,
    `target ${LOG_DELIVERY_TARGET.records.toLocaleString('en-US')} records in ≤ ${LOG_DELIVERY_TARGET.seconds} s: ${ok ? 'met' : 'NOT MET'}`,
  ];
}

async function main(): Promise<void> {
  const r = await benchLogDelivery();
  for (const line of formatLogDelivery(r)) console.log(line);
  process.exitCode = r.complete && r.seconds <= LOG_DELIVERY_TARGET.seconds ? 0 : 1;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) void main();
