// `npm run server -- verify`: re-verifies the stored operation log from scratch. Every terminal's
// chain with the domain's verifyChain (from genesis or from the retention anchor), every
// checkpoint's hash, signature and link to the one before, every checkpoint head against the stored
// record at that seq, the server_events digest, and that the protective triggers are in place.
// Read-only. Reports every problem found (terminal/seq/checkpoint) rather than stopping at the first.
import { GENESIS_HASH, verifyChain, type ChainProblem } from '../../domain/log/log-record';
import type { ServerDb } from '../db/open';
import { countIntegrityAlerts } from '../store/integrity-alerts';
import { chunkIndexEntries, chunkRecords, listPrunings, logChunksAfter, terminalsWithLog, type LogChunkRow, type LogPruning, type StoredLogRecord } from '../store/log-records';
import { listTerminals } from '../store/terminals';
import {
  checkpointHash,
  checkpointsAfter,
  checkpointSignatureValid,
  serverEventsDigestStep,
  type CheckpointPublicKey,
  type LogCheckpoint,
  type ServerEventRow,
} from './log-checkpoints';
import { sha256Hex } from './log-hash';

/** The append-only protections the migrations install; a missing one is reported. */
export const PROTECTIVE_TRIGGERS = [
  'log_chunks_no_update',
  'log_chunks_delete_only_pruned',
  'log_chunks_no_replace',
  'log_chunk_index_no_update',
  'log_chunk_index_delete_with_chunk',
  'log_chunk_index_no_replace',
  'log_prunings_no_update',
  'log_prunings_no_delete',
  'log_checkpoints_no_update',
  'log_checkpoints_no_delete',
  'integrity_alerts_no_update',
  'integrity_alerts_no_delete',
  'server_events_no_update',
  'server_events_no_delete',
] as const;

export type VerifyProblemKind =
  | 'trigger-missing'
  | 'record-hash-mismatch'
  | 'record-broken-link'
  | 'record-gap'
  | 'record-wrong-terminal'
  | 'record-time-mismatch'
  | 'chunk-mismatch'
  | 'chunk-unreadable'
  | 'index-mismatch'
  | 'record-unregistered-terminal'
  | 'pruning-not-contiguous'
  | 'checkpoint-missing'
  | 'checkpoint-broken-link'
  | 'checkpoint-hash-mismatch'
  | 'checkpoint-bad-signature'
  | 'checkpoint-unknown-key'
  | 'checkpoint-head-record-missing'
  | 'checkpoint-head-mismatch'
  | 'checkpoint-head-went-back'
  | 'checkpoint-none'
  | 'server-events-digest-mismatch';

export interface VerifyProblem {
  kind: VerifyProblemKind;
  terminalId?: string;
  seq?: number;
  checkpointId?: number;
  /** Japanese, one line. */
  message: string;
}

export interface TerminalLogSummary {
  terminalId: string;
  registered: boolean;
  records: number;
  firstSeq: number | null;
  lastSeq: number | null;
  anchor: { seq: number; hash: string } | null;
  prunings: number;
  /** Checkpoint heads that were compared with a stored record (or the anchor). */
  headsChecked: number;
  /** Checkpoint heads inside the pruned range (nothing left to compare with). */
  headsPruned: number;
  /** Stored records after this terminal's head in the latest checkpoint (not yet covered by a signature). */
  uncovered: number;
}

export interface VerifyReport {
  problems: VerifyProblem[];
  terminals: TerminalLogSummary[];
  records: number;
  checkpoints: { count: number; firstId: number | null; lastId: number | null; lastAt: number | null; keyIds: string[] };
  serverEvents: number;
  integrityAlerts: number;
  trustedKeyIds: string[];
}

const PAGE = 20_000;
/** Stored chunks read at a time (≤ 500 records each). */
const CHUNKS_PER_PAGE = 40;

/**
 * What a chunk row says about its records, against its records: its seq range and last hash (the
 * terminal's head is read from them), its event-time range and its index entries (time, operator and
 * type queries find records through them: a wrong entry hides records from a query).
 */
function chunkProblems(db: ServerDb, chunk: LogChunkRow, records: readonly StoredLogRecord[]): { kind: VerifyProblemKind; message: string }[] {
  const problems: { kind: VerifyProblemKind; message: string }[] = [];
  const first = records[0];
  const last = records.at(-1);
  if (!first || !last || first.seq !== chunk.first_seq || last.seq !== chunk.last_seq || last.hash !== chunk.last_hash || records.length !== chunk.last_seq - chunk.first_seq + 1) {
    problems.push({ kind: 'chunk-mismatch', message: '保存単位 (log_chunks) の連番の範囲・末尾のハッシュ値が記録と一致しません（削除・書き換え）' });
  }
  let minAt = Number.POSITIVE_INFINITY;
  let maxAt = Number.NEGATIVE_INFINITY;
  const entries = new Map<string, { kind: string; value: string; minAtMs: number; maxAtMs: number }>();
  const note = (kind: string, value: string, atMs: number): void => {
    const key = `${kind}\u0000${value}`;
    const entry = entries.get(key);
    if (!entry) entries.set(key, { kind, value, minAtMs: atMs, maxAtMs: atMs });
    else {
      entry.minAtMs = Math.min(entry.minAtMs, atMs);
      entry.maxAtMs = Math.max(entry.maxAtMs, atMs);
    }
  };
  for (const record of records) {
    const atMs = Date.parse(record.at);
    minAt = Math.min(minAt, atMs);
    maxAt = Math.max(maxAt, atMs);
    note('type', record.type, atMs);
    if (record.operatorId !== null) note('operator', record.operatorId, atMs);
  }
  if (records.length > 0 && (minAt !== chunk.min_at_ms || maxAt !== chunk.max_at_ms)) {
    problems.push({ kind: 'record-time-mismatch', message: '検索用の時刻の範囲 (min_at_ms, max_at_ms) が記録の時刻と一致しません' });
  }
  const expected = [...entries.values()].sort((a, b) => (a.kind + a.value < b.kind + b.value ? -1 : 1));
  const actual = chunkIndexEntries(db, chunk.terminal_id, chunk.first_seq);
  const same =
    expected.length === actual.length &&
    expected.every((e) => actual.some((a) => a.kind === e.kind && a.value === e.value && a.minAtMs === e.minAtMs && a.maxAtMs === e.maxAtMs));
  if (!same) problems.push({ kind: 'index-mismatch', message: '検索用の索引 (log_chunk_index) が記録と一致しません（検索で記録が見落とされます）' });
  return problems;
}

/** Problems reported per terminal at most (a rewritten table would otherwise print millions of lines). */
const MAX_PROBLEMS_PER_TERMINAL = 100;

const CHAIN_MESSAGES: Record<ChainProblem['kind'], { kind: VerifyProblemKind; text: string }> = {
  'hash-mismatch': { kind: 'record-hash-mismatch', text: '記録の内容がハッシュ値と一致しません（書き換え）' },
  'broken-link': { kind: 'record-broken-link', text: '直前の記録とハッシュ連鎖がつながっていません（削除・差し替え）' },
  gap: { kind: 'record-gap', text: '連番が飛んでいます（記録の削除）' },
  'wrong-terminal': { kind: 'record-wrong-terminal', text: '他の端末の記録です' },
};

interface ExpectedHead {
  hash: string;
  checkpointId: number;
}

export function verifyStoredLog(db: ServerDb, options: { trustedKeys: readonly CheckpointPublicKey[] }): VerifyReport {
  const run = db.transaction((): VerifyReport => {
    const problems: VerifyProblem[] = [];
    const trusted = new Map(options.trustedKeys.map((key) => [key.keyId, key]));

    // 1. The protective triggers.
    const triggers = new Set(db.prepare("SELECT name FROM sqlite_master WHERE type = 'trigger'").pluck().all() as string[]);
    for (const name of PROTECTIVE_TRIGGERS) {
      if (!triggers.has(name)) problems.push({ kind: 'trigger-missing', message: `保護トリガー ${name} がありません（追記専用の保護が外されています）` });
    }

    // 2. Checkpoints: consecutive ids, chained, hash, signature; collect the heads they vouch for.
    const expectedHeads = new Map<string, Map<number, ExpectedHead>>();
    const lastHeads = new Map<string, { seq: number; hash: string; checkpointId: number }>();
    const eventMarks: { checkpointId: number; lastId: number; digest: string }[] = [];
    const keyIds = new Set<string>();
    let count = 0;
    let firstId: number | null = null;
    let previous: LogCheckpoint | null = null;
    for (let after = 0; ; ) {
      const page = checkpointsAfter(db, after, 5000);
      if (page.length === 0) break;
      for (const checkpoint of page) {
        count++;
        firstId ??= checkpoint.id;
        keyIds.add(checkpoint.keyId);
        const expectedId = previous ? previous.id + 1 : 1;
        if (checkpoint.id !== expectedId) {
          const missing = checkpoint.id - expectedId === 1 ? `#${expectedId}` : `#${expectedId}〜#${checkpoint.id - 1}`;
          problems.push({ kind: 'checkpoint-missing', checkpointId: expectedId, message: `チェックポイント ${missing} がありません（削除）` });
        }
        if (checkpoint.previousCheckpointHash !== (previous?.hash ?? GENESIS_HASH)) {
          problems.push({ kind: 'checkpoint-broken-link', checkpointId: checkpoint.id, message: `チェックポイント #${checkpoint.id} が直前のチェックポイントとつながっていません` });
        }
        if (checkpointHash(checkpoint) !== checkpoint.hash) {
          problems.push({ kind: 'checkpoint-hash-mismatch', checkpointId: checkpoint.id, message: `チェックポイント #${checkpoint.id} の内容がハッシュ値と一致しません（書き換え）` });
        }
        const key = trusted.get(checkpoint.keyId);
        if (!key) {
          problems.push({ kind: 'checkpoint-unknown-key', checkpointId: checkpoint.id, message: `チェックポイント #${checkpoint.id} は信頼する鍵以外で署名されています（鍵ID ${checkpoint.keyId.slice(0, 16)}…）` });
        } else if (!checkpointSignatureValid(checkpoint, key)) {
          problems.push({ kind: 'checkpoint-bad-signature', checkpointId: checkpoint.id, message: `チェックポイント #${checkpoint.id} の署名が正しくありません` });
        }
        for (const head of checkpoint.heads) {
          const last = lastHeads.get(head.terminalId);
          if (last && last.seq === head.seq && last.hash === head.hash) continue;
          if (last && head.seq < last.seq) {
            problems.push({
              kind: 'checkpoint-head-went-back',
              terminalId: head.terminalId,
              seq: head.seq,
              checkpointId: checkpoint.id,
              message: `チェックポイント #${checkpoint.id}: 端末 ${head.terminalId} の先頭 (連番 ${head.seq}) が以前のチェックポイント #${last.checkpointId} (連番 ${last.seq}) より後退しています`,
            });
          }
          lastHeads.set(head.terminalId, { seq: head.seq, hash: head.hash, checkpointId: checkpoint.id });
          let perTerminal = expectedHeads.get(head.terminalId);
          if (!perTerminal) expectedHeads.set(head.terminalId, (perTerminal = new Map()));
          const known = perTerminal.get(head.seq);
          if (known && known.hash !== head.hash) {
            problems.push({
              kind: 'checkpoint-head-mismatch',
              terminalId: head.terminalId,
              seq: head.seq,
              checkpointId: checkpoint.id,
              message: `チェックポイント #${checkpoint.id} と #${known.checkpointId} で端末 ${head.terminalId} 連番 ${head.seq} のハッシュ値が異なります`,
            });
          } else if (!known) {
            perTerminal.set(head.seq, { hash: head.hash, checkpointId: checkpoint.id });
          }
        }
        eventMarks.push({ checkpointId: checkpoint.id, lastId: checkpoint.serverEvents.lastId, digest: checkpoint.serverEvents.digest });
        previous = checkpoint;
      }
      after = page.at(-1)!.id;
    }

    // 3. server_events, re-digested from the first row and compared at every checkpoint.
    let serverEvents = 0;
    {
      let digest = GENESIS_HASH;
      let mark = 0;
      const compareUpTo = (id: number): void => {
        // Every checkpoint whose lastId is below the next row's id is complete now.
        while (mark < eventMarks.length && eventMarks[mark]!.lastId < id) {
          const expected = eventMarks[mark]!;
          if (expected.digest !== digest) {
            problems.push({
              kind: 'server-events-digest-mismatch',
              checkpointId: expected.checkpointId,
              message: `サーバーイベント (server_events) の id ${expected.lastId} までの内容がチェックポイント #${expected.checkpointId} と一致しません（削除・書き換え）`,
            });
          }
          mark++;
        }
      };
      const page = db.prepare('SELECT id, at, terminal_id, operator_id, kind, detail FROM server_events WHERE id > ? ORDER BY id LIMIT ?');
      for (let after = 0; ; ) {
        const rows = page.all(after, PAGE) as ServerEventRow[];
        if (rows.length === 0) break;
        for (const row of rows) {
          compareUpTo(row.id);
          digest = serverEventsDigestStep(digest, row);
          serverEvents++;
        }
        after = rows.at(-1)!.id;
      }
      compareUpTo(Number.POSITIVE_INFINITY);
    }

    // 4. Every terminal's chain, and the checkpoint heads against it.
    const registered = new Set(listTerminals(db).map((t) => t.id));
    const terminalIds = [...new Set([...registered, ...terminalsWithLog(db), ...expectedHeads.keys()])].sort();
    const prunings = new Map<string, LogPruning[]>();
    for (const pruning of listPrunings(db)) {
      const list = prunings.get(pruning.terminalId) ?? [];
      list.push(pruning);
      prunings.set(pruning.terminalId, list);
    }
    const terminals: TerminalLogSummary[] = [];
    let totalRecords = 0;
    for (const terminalId of terminalIds) {
      const own: VerifyProblem[] = [];
      const report = (problem: VerifyProblem): void => {
        if (own.length < MAX_PROBLEMS_PER_TERMINAL) own.push(problem);
        else if (own.length === MAX_PROBLEMS_PER_TERMINAL) own.push({ ...problem, message: `端末 ${terminalId}: 問題が多すぎるため以降の表示を省略します` });
      };
      const pruned = prunings.get(terminalId) ?? [];
      let expectedFrom = 1;
      for (const pruning of pruned) {
        if (pruning.fromSeq !== expectedFrom) {
          report({
            kind: 'pruning-not-contiguous',
            terminalId,
            seq: pruning.fromSeq,
            message: `端末 ${terminalId}: 保存期間による削除の記録 (連番 ${pruning.fromSeq}〜${pruning.toSeq}) が直前の削除 (〜${expectedFrom - 1}) に続いていません`,
          });
        }
        expectedFrom = pruning.toSeq + 1;
      }
      const lastPruning = pruned.at(-1);
      const anchor = lastPruning ? { seq: lastPruning.toSeq, hash: lastPruning.anchorHash } : null;
      const heads = expectedHeads.get(terminalId) ?? new Map<number, ExpectedHead>();
      const summary: TerminalLogSummary = {
        terminalId,
        registered: registered.has(terminalId),
        records: 0,
        firstSeq: null,
        lastSeq: null,
        anchor,
        prunings: pruned.length,
        headsChecked: 0,
        headsPruned: 0,
        uncovered: 0,
      };
      const checkHead = (seq: number, actual: string | undefined): void => {
        const expected = heads.get(seq);
        if (!expected) return;
        heads.delete(seq);
        summary.headsChecked++;
        if (actual === undefined) {
          report({
            kind: 'checkpoint-head-record-missing',
            terminalId,
            seq,
            checkpointId: expected.checkpointId,
            message: `端末 ${terminalId} 連番 ${seq}: チェックポイント #${expected.checkpointId} が署名した記録がありません（削除）`,
          });
        } else if (actual !== expected.hash) {
          report({
            kind: 'checkpoint-head-mismatch',
            terminalId,
            seq,
            checkpointId: expected.checkpointId,
            message: `端末 ${terminalId} 連番 ${seq}: 記録のハッシュ値がチェックポイント #${expected.checkpointId} の署名した値と異なります（書き換え）`,
          });
        }
      };
      for (const seq of [...heads.keys()]) {
        if (seq === 0) checkHead(0, GENESIS_HASH);
        else if (anchor && seq === anchor.seq) checkHead(seq, anchor.hash);
        else if (anchor && seq < anchor.seq) {
          heads.delete(seq);
          summary.headsPruned++;
        }
      }

      let previousRecord: { seq: number; hash: string } | null = anchor;
      for (let after = anchor?.seq ?? 0; ; ) {
        const chunks = logChunksAfter(db, terminalId, after, CHUNKS_PER_PAGE);
        if (chunks.length === 0) break;
        const page: StoredLogRecord[] = [];
        for (const chunk of chunks) {
          const where = `端末 ${terminalId} 連番 ${chunk.first_seq}〜${chunk.last_seq}`;
          let records: StoredLogRecord[];
          try {
            records = chunkRecords(chunk);
          } catch {
            report({ kind: 'chunk-unreadable', terminalId, seq: chunk.first_seq, message: `${where}: 保存された記録 (log_chunks) が読めません（書き換え）` });
            continue;
          }
          for (const problem of chunkProblems(db, chunk, records)) report({ ...problem, terminalId, seq: chunk.first_seq, message: `${where}: ${problem.message}` });
          page.push(...records);
        }
        after = chunks.at(-1)!.last_seq;
        if (page.length === 0) continue;
        summary.records += page.length;
        summary.firstSeq ??= page[0]!.seq;
        summary.lastSeq = page.at(-1)!.seq;
        let rest: StoredLogRecord[] = page;
        while (rest.length > 0) {
          const problem = verifyChain(rest, previousRecord, terminalId, sha256Hex);
          if (!problem) break;
          const { kind, text } = CHAIN_MESSAGES[problem.kind];
          const where =
            problem.kind !== 'gap' ? `連番 ${problem.seq}` : problem.seq - 1 === problem.expected ? `連番 ${problem.expected}` : problem.seq > problem.expected ? `連番 ${problem.expected}〜${problem.seq - 1}` : `連番 ${problem.seq} (期待 ${problem.expected})`;
          report({ kind, terminalId, seq: problem.seq, message: `端末 ${terminalId} ${where}: ${text}` });
          // Continue after the offending record, trusting it, to find every further problem.
          const index = rest.findIndex((r) => r.seq === problem.seq);
          const offender = rest[index]!;
          previousRecord = { seq: offender.seq, hash: offender.hash };
          rest = rest.slice(index + 1);
        }
        for (const record of page) checkHead(record.seq, record.hash);
        const last = page.at(-1)!;
        previousRecord = { seq: last.seq, hash: last.hash };
      }
      for (const seq of heads.keys()) checkHead(seq, undefined);
      if (summary.records > 0 && !summary.registered) {
        report({ kind: 'record-unregistered-terminal', terminalId, message: `端末 ${terminalId}: 登録されていない端末の記録が ${summary.records} 件あります` });
      }
      const covered = lastHeads.get(terminalId)?.seq ?? 0;
      if (summary.lastSeq !== null && summary.lastSeq > covered) summary.uncovered = summary.lastSeq - Math.max(covered, (summary.firstSeq ?? 1) - 1);
      totalRecords += summary.records;
      terminals.push(summary);
      problems.push(...own);
    }

    if (count === 0 && totalRecords > 0) {
      problems.push({ kind: 'checkpoint-none', message: `記録が ${totalRecords} 件ありますが、チェックポイントが1件もありません（削除）` });
    }

    return {
      problems,
      terminals,
      records: totalRecords,
      checkpoints: { count, firstId, lastId: previous?.id ?? null, lastAt: previous?.at ?? null, keyIds: [...keyIds] },
      serverEvents,
      integrityAlerts: countIntegrityAlerts(db),
      trustedKeyIds: [...trusted.keys()],
    };
  });
  // One read transaction: a consistent snapshot even while the server keeps writing (WAL).
  return run.deferred();
}
