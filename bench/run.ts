// `npm run bench`: prints the performance figures. Targets are checked here, not in unit tests.
import { existsSync } from 'node:fs';
import { AUDIT_PAGE_TARGET_MS, runAuditLogBench } from './audit-log';
import { findingsBenchOk, formatFindingsBench, runFindingsBench } from './audit-findings';
import { benchCardRemoval } from './card-removal';
import { benchLogAppend } from './log-append';
import { benchLogDelivery, formatLogDelivery, LOG_DELIVERY_TARGET } from './log-delivery';
import { benchResidentReplica, formatResidentReplica, residentReplicaOk } from './resident-replica';
import { benchServerIngest, formatServerIngest, SERVER_INGEST_TARGET } from './server-ingest';
import { formatSummary } from './stats';

async function main(): Promise<void> {
  if (!existsSync('out/renderer/index.html')) {
    console.error('先に `npm run build` を実行してください (the bench drives the built renderer).');
    process.exit(2);
  }
  const rounds = Number(process.env.BENCH_ROUNDS ?? 60);
  console.log(`Card removal → lock screen (real pcscd, virtual card, Chromium), ${rounds} removals`);
  const r = await benchCardRemoval(rounds);
  console.log(formatSummary('reaction: PC/SC event → lock painted', r.reaction));
  console.log(formatSummary('end-to-end: card socket closed → lock painted', r.endToEnd));
  console.log(`operator data gone from the DOM at paint: ${r.dataGone ? 'yes, every time' : 'NO'}`);
  const cardOk = r.reaction.p99 <= 50 && r.dataGone;
  console.log(`target reaction p99 ≤ 50 ms: ${cardOk ? 'met' : 'NOT MET'}`);

  console.log('\nOperation log: single appends with strict durability in Chromium (Dexie/IndexedDB)');
  const log = await benchLogAppend();
  console.log(`appends: n=${log.n}  ${log.perSecond.toFixed(0)} events/s  p50=${log.p50.toFixed(2)}ms  p99=${log.p99.toFixed(2)}ms`);
  const logOk = log.perSecond >= 500 && log.p99 <= 10;
  console.log(`target ≥ 500 events/s and p99 ≤ 10 ms: ${logOk ? 'met' : 'NOT MET'}`);

  console.log('\nServer ingest over HTTP on loopback, chain verified, durable (SQLite WAL, synchronous=FULL)');
  const ingest = await benchServerIngest();
  for (const line of formatServerIngest(ingest)) console.log(line);
  const ingestOk = ingest.recordsPerSecond >= SERVER_INGEST_TARGET && ingest.complete;

  console.log('');
  const delivery = await benchLogDelivery();
  for (const line of formatLogDelivery(delivery)) console.log(line);
  const deliveryOk = delivery.complete && delivery.seconds <= LOG_DELIVERY_TARGET.seconds;

  console.log('');
  const replica = await benchResidentReplica();
  for (const line of formatResidentReplica(replica)) console.log(line);
  const replicaOk = residentReplicaOk(replica);

  // Issue 5: the spot-check findings, explorer and "who looked" on a real 20,000,000-record log
  // (AUDIT_BENCH_RECORDS to shrink it), and the explorer's index-only benchmark (bench/audit-log.ts).
  console.log('');
  const findings = runFindingsBench(Number(process.env.AUDIT_BENCH_RECORDS ?? 20_000_000));
  for (const line of formatFindingsBench(findings)) console.log(line);
  const findingsOk = findingsBenchOk(findings);
  console.log('');
  const indexOnly = runAuditLogBench(Number(process.env.AUDIT_LOG_BENCH_RECORDS ?? 2_000_000));
  console.log(`audit log index only (bench/audit-log.ts): ${indexOnly.records.toLocaleString('en')} index rows, built in ${indexOnly.buildSeconds.toFixed(1)} s`);
  console.log(formatSummary('explorer: filtered first page (50 rows)', indexOnly.page));
  console.log(formatSummary('explorer: next page (cursor)', indexOnly.nextPage));
  console.log(formatSummary('who looked at my record (7 years)', indexOnly.whoLooked));
  const indexOk = indexOnly.page.p95 <= AUDIT_PAGE_TARGET_MS && indexOnly.whoLooked.p95 <= AUDIT_PAGE_TARGET_MS;
  console.log(`target p95 ≤ ${AUDIT_PAGE_TARGET_MS} ms: ${indexOk ? 'met' : 'NOT met'}`);
  process.exit(cardOk && logOk && ingestOk && deliveryOk && replicaOk && findingsOk && indexOk ? 0 : 1);
}

void main();
