// Pure rules of the terminal's local operation log (issue 3, item 2): what an event may contain,
// how the stored head is checked against the stored records, where pruning may stop, and when the
// storage use is worth a warning. No Dexie and no browser APIs here, so all of it is unit-tested in Node.
import type { ChainProblem, LogRecord } from '../../../domain/log/log-record';
import { LogRecordSchema, MAX_BATCH_BYTES } from '../../../shared/log-api';
import { LogEventError, validateEvent, type LogEvent } from '../../../shared/log-event';

export { LogEventError, validateEvent, type LogEvent };

/** Bytes of JSON a batch's records may take: the request limit, less room for the body around them. */
export const BATCH_RECORDS_MAX_BYTES = MAX_BATCH_BYTES - 64 * 1024;

/** A point of the chain: the record `seq` whose hash is `hash`. */
export interface ChainPoint {
  seq: number;
  hash: string;
}

/** meta 'log-head': the last record written, updated in the same transaction as the record. */
export interface LogHead extends ChainPoint {
  terminalId: string;
}

/** meta 'sync-checkpoint': the server has every record up to ackSeq, the last one hashing to ackHash. */
export interface SyncCheckpoint {
  ackSeq: number;
  ackHash: string;
}

/** The log is not what it should be (a lost head, a used seq, a mismatched acknowledgement). */
export class LogIntegrityError extends Error {
  override readonly name = 'LogIntegrityError';
}

/** The browser refused to store more: nothing was written, and the caller must say so loudly. */
export class LogStorageFullError extends Error {
  override readonly name = 'LogStorageFullError';
  constructor(cause: unknown) {
    super('端末の記録領域が満杯のため、操作記録を保存できませんでした。直ちにシステム管理者に連絡してください。', { cause });
  }
}

/** The whole record, as the server will check it; returns the problems (empty when it fits). */
export function recordProblems(record: LogRecord): string[] {
  const parsed = LogRecordSchema.safeParse(record);
  return parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join('.') || '(record)'}: ${i.message}`);
}

export type HeadCheck =
  | { kind: 'empty' } // nothing written yet
  | { kind: 'ok' }
  /** Records exist but the head is missing, behind, or names another hash: rebuilt from the last record. */
  | { kind: 'head-missing' | 'head-behind' | 'head-mismatch'; repairTo: LogHead }
  /** The head is ahead of the last stored record: records at the end were lost. Kept: never fork. */
  | { kind: 'tail-missing'; head: LogHead; lastStored: number | null };

/**
 * Compares meta 'log-head' with the last stored record. `base` is the last pruned record (the log
 * may have been pruned down to it), or null.
 */
export function checkHead(head: LogHead | null, last: LogRecord | null, base: ChainPoint | null): HeadCheck {
  if (!last) {
    if (!head) return { kind: 'empty' };
    if (base && base.seq === head.seq && base.hash === head.hash) return { kind: 'ok' };
    return { kind: 'tail-missing', head, lastStored: null };
  }
  const fromLast: LogHead = { seq: last.seq, hash: last.hash, terminalId: last.terminalId };
  if (!head) return { kind: 'head-missing', repairTo: fromLast };
  if (head.seq < last.seq) return { kind: 'head-behind', repairTo: fromLast };
  if (head.seq > last.seq) return { kind: 'tail-missing', head, lastStored: last.seq };
  if (head.hash !== last.hash || head.terminalId !== last.terminalId) return { kind: 'head-mismatch', repairTo: fromLast };
  return { kind: 'ok' };
}

/**
 * How many of `candidates` (stored records in seq order, starting right after the base) may be
 * pruned: a prefix only (so the rest still chains from the new base), each acknowledged by the
 * server (seq ≤ ackSeq) and older than the cutoff, and never the newest stored record (it anchors
 * the head). Records whose time cannot be read are kept.
 */
export function prunablePrefix(candidates: readonly Pick<LogRecord, 'seq' | 'at'>[], ackSeq: number, cutoffMs: number, newestSeq: number): number {
  let n = 0;
  for (const record of candidates) {
    if (record.seq > ackSeq || record.seq >= newestSeq) break;
    const at = Date.parse(record.at);
    if (!Number.isFinite(at) || at >= cutoffMs) break;
    n++;
  }
  return n;
}

export type StorageLevel = 'ok' | 'warn' | 'critical' | 'unknown';

export interface StorageStatus {
  level: StorageLevel;
  usage: number | null;
  quota: number | null;
  /** usage / quota, 0..1, or null when the browser does not say. */
  ratio: number | null;
  /** Whether the browser granted persistent storage (data not evicted under pressure). */
  persisted: boolean | null;
  /** Japanese text for the screen, or null when nothing needs saying. */
  message: string | null;
}

export const STORAGE_WARN_RATIO = 0.8;
export const STORAGE_CRITICAL_RATIO = 0.95;

/** Reads a `navigator.storage.estimate()` answer. Unsynced records are never dropped: we can only warn. */
export function storageStatus(estimate: { usage?: number; quota?: number } | null, persisted: boolean | null): StorageStatus {
  const usage = typeof estimate?.usage === 'number' ? estimate.usage : null;
  const quota = typeof estimate?.quota === 'number' && estimate.quota > 0 ? estimate.quota : null;
  const ratio = usage !== null && quota !== null ? Math.min(1, usage / quota) : null;
  const notPersisted = persisted === false ? ' この端末では記録領域の永続化が許可されていません。' : '';
  if (ratio === null) {
    return { level: 'unknown', usage, quota, ratio, persisted, message: persisted === false ? `記録領域の状態を確認できません。${notPersisted}` : null };
  }
  const pct = Math.floor(ratio * 100);
  if (ratio >= STORAGE_CRITICAL_RATIO) {
    return {
      level: 'critical',
      usage,
      quota,
      ratio,
      persisted,
      message: `記録領域がほぼ満杯です (使用率 ${pct}%)。このままでは操作記録を保存できず、業務を続けられなくなります。未送信の操作記録は削除されません。直ちにシステム管理者に連絡してください。${notPersisted}`,
    };
  }
  if (ratio >= STORAGE_WARN_RATIO) {
    return {
      level: 'warn',
      usage,
      quota,
      ratio,
      persisted,
      message: `記録領域の残りが少なくなっています (使用率 ${pct}%)。未送信の操作記録は削除されません。サーバーとの通信を確認し、システム管理者に連絡してください。${notPersisted}`,
    };
  }
  return { level: 'ok', usage, quota, ratio, persisted, message: persisted === false ? notPersisted.trim() : null };
}

/** One line for a chain problem, for reports and the log's own integrity record. */
export function describeProblem(problem: ChainProblem): string {
  switch (problem.kind) {
    case 'hash-mismatch':
      return `record ${problem.seq} was altered (hash mismatch)`;
    case 'broken-link':
      return `record ${problem.seq} does not link to the record before it`;
    case 'gap':
      return `record ${problem.expected} is missing (found ${problem.seq})`;
    case 'wrong-terminal':
      return `record ${problem.seq} belongs to another terminal`;
  }
}
