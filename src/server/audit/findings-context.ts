// The findings engine's context from the server's database: the roster (every operator, retired
// ones too, with their cards and their own record in the directory: operators.resident_id), the
// directory's residents and surname shares (directory-cache.ts: held in memory, kept current), the flagged records (active from started_at until withdrawn_at:
// the engine asks at the time of each record), calendar exceptions, purpose categories, the
// terminals' sync state at the time of the check and the integrity alerts of the period.
import { auditConfig, type AuditConfig } from '../../domain/audit/config';
import type { AuditCard, AuditContext, AuditOperator, FlagLabel, IntegrityAlert, TerminalSyncState } from '../../domain/audit/types';
import type { CalendarException } from '../../domain/calendar/exceptions';
import { toIso } from '../clock';
import type { ServerDb } from '../db/open';
import { directoryView } from './directory-cache';
import { checkCalendarExceptionRows } from '../services/calendar-check';
import { listCalendarExceptionRows } from '../store/calendar';
import { listPurposeCategoryRows } from '../store/purpose-categories';

/** The stored configuration (overrides of the defaults) and when it was changed. */
export function storedAuditConfig(db: ServerDb): { config: Partial<AuditConfig>; changedBy: string | null; changedAt: number | null } {
  const row = db.prepare('SELECT config, changed_by AS changedBy, changed_at AS changedAt FROM audit_config WHERE id = 1').get() as
    | { config: string; changedBy: string | null; changedAt: number }
    | undefined;
  if (!row) return { config: {}, changedBy: null, changedAt: null };
  const parsed = JSON.parse(row.config) as Partial<AuditConfig>;
  try {
    auditConfig(parsed);
  } catch {
    // A row changed by hand to something the engine refuses: the defaults apply (the GET route says so).
    return { config: {}, changedBy: row.changedBy, changedAt: row.changedAt };
  }
  return { config: parsed, changedBy: row.changedBy, changedAt: row.changedAt };
}

interface FlagRow {
  resident_id: string;
  label: string;
  reason: string;
  started_at: number;
  withdrawn_at: number | null;
}

export interface BuiltContext {
  context: AuditContext;
  /**
   * The residents whose opening may be a relation finding (mayConcern: the relation rule's test), from
   * the directory when it is held whole in memory (else null: judge the residents opened instead).
   * Kept until the directory or the roster's names, kana, addresses or households change.
   */
  relationResidents(mayConcern: (residentId: string) => boolean): string[] | null;
  /** Flags are judged at the time of the record being fed: set it before each push. */
  setTime(ms: number): void;
  flagCount: number;
}

/** The context for the records of [fromMs, toMs] with the check at asOfMs. */
export function findingsContext(db: ServerDb, window: { fromMs: number; toMs: number; asOfMs: number }): BuiltContext {
  const opRows = db
    .prepare(
      `SELECT o.id, o.name, o.kana, o.role, o.since, o.until, r.address, r.household_id AS householdId
       FROM operators o LEFT JOIN residents r ON r.id = o.resident_id ORDER BY o.id`,
    )
    .all() as { id: string; name: string; kana: string; role: AuditOperator['role']; since: number; until: number | null; address: string | null; householdId: string | null }[];
  const cardRows = db.prepare('SELECT key_id AS keyId, operator_id AS operatorId, status, issued_at AS issuedAt, revoked_at AS revokedAt FROM cards ORDER BY issued_at').all() as {
    keyId: string;
    operatorId: string;
    status: 'active' | 'revoked';
    issuedAt: number;
    revokedAt: number | null;
  }[];
  const cardsOf = new Map<string, AuditCard[]>();
  for (const c of cardRows) {
    const list = cardsOf.get(c.operatorId) ?? [];
    list.push({ keyId: c.keyId, status: c.status, issuedAt: toIso(c.issuedAt), revokedAt: c.revokedAt === null ? null : toIso(c.revokedAt) });
    cardsOf.set(c.operatorId, list);
  }
  const operators: AuditOperator[] = opRows.map((o) => ({
    id: o.id,
    name: o.name,
    kana: o.kana,
    role: o.role,
    address: o.address,
    householdId: o.householdId,
    since: toIso(o.since),
    until: o.until === null ? null : toIso(o.until),
    cards: cardsOf.get(o.id) ?? [],
  }));

  // Flags: resident → its flags; the engine asks at the time of the record (setTime).
  const flagRows = db.prepare('SELECT resident_id, label, reason, started_at, withdrawn_at FROM resident_flags ORDER BY started_at, id').all() as FlagRow[];
  const flags = new Map<string, FlagRow[]>();
  for (const f of flagRows) flags.set(f.resident_id, [...(flags.get(f.resident_id) ?? []), f]);
  let nowMs = window.fromMs;
  const labelOf = (f: FlagRow): FlagLabel => (f.label === 'other' ? `その他（${[...f.reason].slice(0, 20).join('')}）` : f.label);
  const flagged = {
    get(residentId: string): FlagLabel | undefined {
      const list = flags.get(residentId);
      if (!list) return undefined;
      for (const f of list) if (nowMs >= f.started_at && (f.withdrawn_at === null || nowMs < f.withdrawn_at)) return labelOf(f);
      return undefined;
    },
  };

  const { usable } = checkCalendarExceptionRows(listCalendarExceptionRows(db));
  const calendarExceptions: CalendarException[] = usable.map((e) => ({ id: e.id, date: e.date, opensAt: e.opensAt, closesAt: e.closesAt, reason: e.reason, approvedBy: e.approvedBy }));
  const purposeCategories = listPurposeCategoryRows(db).map((c) => ({ id: c.id, label: c.label, needsCaseNumber: c.needsCaseNumber }));

  // Sync state at the time of the check: the last batch received up to then (and, when the check is
  // now, the last contact). A terminal registered after the check is left out.
  const asOf = window.asOfMs;
  // Chunks whose records end in the 62 days before the check, read from the index alone
  // (log_chunks_receipts, migration 13): a terminal silent for longer has its last receipt looked up
  // on its own (rare).
  const recent = new Map(
    (db.prepare('SELECT terminal_id, max(received_at) FROM log_chunks INDEXED BY log_chunks_receipts WHERE max_at_ms > ? AND max_at_ms <= ? AND received_at <= ? GROUP BY terminal_id').raw().all(asOf - 62 * 86_400_000, asOf, asOf) as [string, number][]),
  );
  const older = db.prepare('SELECT max(received_at) FROM log_chunks WHERE terminal_id = ? AND received_at <= ?').pluck();
  const lastReceived = { get: (id: string, at: number): number | null => recent.get(id) ?? ((older.get(id, at) as number | null) ?? null) };
  const terminalRows = db.prepare('SELECT id, registered_at AS registeredAt, retired_at AS retiredAt, last_contact_at AS lastContactAt FROM terminals ORDER BY id').all() as {
    id: string;
    registeredAt: number;
    retiredAt: number | null;
    lastContactAt: number | null;
  }[];
  const terminals: TerminalSyncState[] = [];
  for (const t of terminalRows) {
    if (t.registeredAt > asOf) continue;
    let last = lastReceived.get(t.id, asOf);
    if (t.lastContactAt !== null && t.lastContactAt <= asOf && (last === null || t.lastContactAt > last)) last = t.lastContactAt;
    // Never synced yet: counted from the registration (a terminal registered an hour ago is not stale).
    terminals.push({ terminalId: t.id, lastSyncAt: toIso(last ?? t.registeredAt), retired: t.retiredAt !== null && t.retiredAt <= asOf });
  }

  const alertRows = db
    .prepare('SELECT at, terminal_id AS terminalId, kind, seq FROM integrity_alerts WHERE at >= ? AND at <= ? AND terminal_id IS NOT NULL ORDER BY at, id')
    .all(window.fromMs, window.toMs) as { at: number; terminalId: string; kind: string; seq: number | null }[];
  // The server's kinds are log-<kind> (log-broken-link …); the engine's wording knows <kind>.
  const integrityAlerts: IntegrityAlert[] = alertRows.map((a) => ({ terminalId: a.terminalId, at: toIso(a.at), kind: a.kind.replace(/^log-/, ''), seq: a.seq }));

  const directory = directoryView(db);
  const context: AuditContext = {
    operators,
    residents: directory,
    surnameShare: directory.surnameShares(),
    flagged,
    calendarExceptions,
    purposeCategories,
    terminals,
    integrityAlerts,
    asOf: toIso(asOf),
  };
  return {
    context,
    relationResidents: (mayConcern) => {
      const ids = directory.ids();
      if (ids === null) return null;
      const roster = JSON.stringify(operators.map((o) => [o.id, o.name, o.kana, o.address, o.householdId]));
      return directory.derived(`relation-residents\u0000${roster}`, () => [...ids].filter(mayConcern));
    },
    setTime: (ms) => {
      nowMs = ms;
    },
    flagCount: flagRows.filter((f) => f.started_at <= window.toMs && (f.withdrawn_at === null || f.withdrawn_at > window.fromMs)).length,
  };
}
