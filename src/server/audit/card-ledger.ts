// The card ledger (第17条17項, issue 5 item 5): every lending of an operator card at a terminal, built
// from the indexed session events — lent at the sign-in (session.signed-in, with operator and card),
// returned at what ended that session on the same terminal: the sign-out, the roster ending it, the
// app stopping, or (when the end was never logged) the next sign-in there. A lending with no end in
// the indexed log is open (still signed in, or the terminal has not sent the end yet).
import type { ServerDb } from '../db/open';
import { findTermId } from '../store/log-index';
import type { AuditPeriod } from './audit-filters';
import type { ReturnConfirmed } from '../../shared/spot-check-api';
import { returnConfirmations } from './card-returns';
import { decodeRows, INDEX_ROW_COLUMNS, type DecodedRow, type IndexRow } from './index-rows';

export const CARD_LEDGER_MAX = 5000;

const END_TYPES = {
  'session.signed-out': 'signed-out',
  'session.ended-by-roster': 'ended-by-roster',
  'app.stop': 'app-stopped',
  'session.signed-in': 'next-sign-in',
} as const;

export type LendingEnd = (typeof END_TYPES)[keyof typeof END_TYPES];

export interface CardLending {
  lent: DecodedRow;
  returned: DecodedRow | null;
  endedBy: LendingEnd | null;
  /** The physical return confirmed by an admin (card-returns.ts), or null. */
  returnConfirmed: ReturnConfirmed | null;
}

export function cardLedger(db: ServerDb, period: AuditPeriod): { lendings: CardLending[]; truncated: boolean } {
  const signedIn = findTermId(db, 'type', 'session.signed-in');
  if (signedIn === undefined) return { lendings: [], truncated: false };
  const starts = db
    .prepare(`SELECT ${INDEX_ROW_COLUMNS} FROM log_index_records r WHERE r.type = ? AND r.at_ms BETWEEN ? AND ? ORDER BY r.at_ms, r.id LIMIT ?`)
    .all(signedIn, period.fromMs, period.toMs, CARD_LEDGER_MAX + 1) as IndexRow[];
  const truncated = starts.length > CARD_LEDGER_MAX;
  const endIds = Object.keys(END_TYPES)
    .map((type) => findTermId(db, 'type', type))
    .filter((id): id is number => id !== undefined);
  // The first end after the sign-in on the same terminal: a forward scan of (terminal, seq).
  const nextEnd = db.prepare(
    `SELECT ${INDEX_ROW_COLUMNS} FROM log_index_records r WHERE r.terminal = ? AND r.seq > ? AND r.type IN (SELECT value FROM json_each(?)) ORDER BY r.seq LIMIT 1`,
  );
  const lentRows = starts.slice(0, CARD_LEDGER_MAX);
  const ends = lentRows.map((row) => (nextEnd.get(row.terminal, row.seq, JSON.stringify(endIds)) as IndexRow | undefined) ?? null);
  const lent = decodeRows(db, lentRows);
  const returned = decodeRows(db, ends.filter((e): e is IndexRow => e !== null));
  let j = 0;
  const lendings = lent.map((row, i) => {
    const end = ends[i] ? returned[j++]! : null;
    return { lent: row, returned: end, endedBy: end ? END_TYPES[end.type as keyof typeof END_TYPES] : null, returnConfirmed: null as ReturnConfirmed | null };
  });
  const confirmed = returnConfirmations(db, lent.map((row) => ({ terminalId: row.terminalId, seq: row.seq })));
  for (const lending of lendings) lending.returnConfirmed = confirmed.get(`${lending.lent.terminalId}#${lending.lent.seq}`) ?? null;
  return { lendings, truncated };
}
