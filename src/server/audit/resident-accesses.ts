// "Who looked at my record" (issue 5, for a resident's disclosure request): every access to one
// resident over the whole retention — a search that showed them, a view, a code reveal, a print —
// with date, terminal, operator (roster name) and purpose, newest first, from the index's resident
// rows (one short range scan of their primary key).
import type { ServerDb } from '../db/open';
import type { AuditCursor } from './audit-filters';
import { decodeRows, INDEX_ROW_COLUMNS, indexSnapshot, type DecodedRow, type IndexRow } from './index-rows';

export type ResidentAccessKind = 'search' | 'view' | 'code-reveal' | 'print' | 'other';

const KINDS: Record<string, ResidentAccessKind> = {
  'resident.search': 'search',
  'resident.viewed': 'view',
  'resident.code-revealed': 'code-reveal',
  'resident.printed': 'print',
};

export interface ResidentAccess extends DecodedRow {
  kind: ResidentAccessKind;
  purposeLabel: string | null;
}

export function residentAccesses(db: ServerDb, residentId: string, limit: number, cursor: AuditCursor | null): { accesses: ResidentAccess[]; next: AuditCursor | null } {
  const snapshot = cursor?.snapshot ?? indexSnapshot(db);
  const after = cursor ? 'AND x.at_ms <= @cAt AND (x.at_ms < @cAt OR x.record < @cId)' : '';
  const rows = db
    .prepare(
      `SELECT ${INDEX_ROW_COLUMNS} FROM log_index_residents x JOIN log_index_records r ON r.id = x.record
       WHERE x.resident_id = @resident ${after} AND r.id <= @snapshot ORDER BY x.at_ms DESC, x.record DESC LIMIT @take`,
    )
    .all({ resident: residentId, snapshot, take: limit + 1, ...(cursor ? { cAt: cursor.atMs, cId: cursor.id } : {}) }) as IndexRow[];
  const page = decodeRows(db, rows.slice(0, limit));
  const categories = [...new Set(page.map((r) => r.purposeCategory).filter((c): c is string => c !== null))];
  const labels = new Map(
    (db.prepare('SELECT id, label FROM purpose_categories WHERE id IN (SELECT value FROM json_each(?))').all(JSON.stringify(categories)) as { id: string; label: string }[]).map(
      (c) => [c.id, c.label],
    ),
  );
  const accesses = page.map((row) => ({
    ...row,
    kind: KINDS[row.type] ?? 'other',
    purposeLabel: row.purposeCategory === null ? null : (labels.get(row.purposeCategory) ?? null),
  }));
  const last = page.at(-1);
  return { accesses, next: rows.length > limit && last ? { atMs: last.atMs, id: last.id, snapshot } : null };
}

/** Whether the resident is in the directory or the index at all. */
export function residentKnown(db: ServerDb, residentId: string): boolean {
  return (
    db.prepare('SELECT 1 FROM residents WHERE id = ?').get(residentId) !== undefined ||
    db.prepare('SELECT 1 FROM log_index_residents WHERE resident_id = ? LIMIT 1').get(residentId) !== undefined
  );
}
