// A log record as the rules read it: its instant, JST day and, for resident access, what was
// touched under which purpose. Parsed once per record by the engine.
import { jstYmd } from '../calendar/jst';
import type { LogRecord } from '../log/log-record';
import { unpackIdList } from '../log/id-list';

export type AccessKind = 'search' | 'view' | 'reveal' | 'print';

export interface ResidentAccess {
  kind: AccessKind;
  /** view/reveal/print: the one resident; search: the ids shown. */
  residentIds: string[];
  purposeCategory: string | null;
  caseNumber: string | null;
}

export interface AuditRecord {
  record: LogRecord;
  atMs: number;
  /** JST calendar day. */
  ymd: string;
  access: ResidentAccess | null;
}

const ACCESS_TYPES: Readonly<Record<string, AccessKind>> = {
  'resident.search': 'search',
  'resident.viewed': 'view',
  'resident.code-revealed': 'reveal',
  'resident.printed': 'print',
};

const text = (v: unknown): string | null => (typeof v === 'string' && v.trim() !== '' ? v.trim() : null);

export function accessOf(record: LogRecord): ResidentAccess | null {
  const kind = ACCESS_TYPES[record.type];
  if (!kind) return null;
  if (kind === 'search' && record.outcome !== 'success') return null;
  const d = record.detail;
  let residentIds: string[];
  if (kind === 'search') {
    residentIds = unpackIdList('shownIds', d).map((s) => s.trim()).filter((s) => s !== '' && !s.startsWith('…'));
  } else {
    const id = text(d.residentId);
    residentIds = id ? [id] : [];
  }
  return { kind, residentIds, purposeCategory: text(d.purposeCategory), caseNumber: text(d.caseNumber) };
}

export function toAuditRecord(record: LogRecord): AuditRecord {
  const atMs = Date.parse(record.at);
  if (!Number.isFinite(atMs)) throw new RangeError(`ログの時刻が不正です（${record.terminalId} #${record.seq}）。`);
  return { record, atMs, ymd: jstYmd(atMs), access: accessOf(record) };
}

/** Searches and views: what the volume rule counts. */
export const isLookup = (a: ResidentAccess | null): boolean => a !== null && (a.kind === 'search' || a.kind === 'view');
