// The categories of the search purpose (第22条6項), as the information-protection manager maintains
// them (src/server/admin/purpose-categories.ts). A retired category keeps its row with active = 0, so
// an old log record that names its id keeps its meaning; rows are never deleted (a trigger refuses).
// Rows are checked before they are sent (src/server/services/roster.ts): a row may come by hand.
import type { ServerDb } from '../db/open';

export interface PurposeCategoryRow {
  id: string;
  label: string;
  needsCaseNumber: boolean;
  active: boolean;
  sortOrder: number;
  /** The manager's operator id; 'migration-5' for the pre-filled list. */
  changedBy: string;
  changedAt: number;
}

interface Row {
  id: string;
  label: string;
  needs_case_number: number;
  active: number;
  sort_order: number;
  changed_by: string;
  changed_at: number;
}

function fromRow(row: Row): PurposeCategoryRow {
  return {
    id: row.id,
    label: row.label,
    needsCaseNumber: row.needs_case_number === 1,
    active: row.active === 1,
    sortOrder: row.sort_order,
    changedBy: row.changed_by,
    changedAt: row.changed_at,
  };
}

const SELECT = 'SELECT id, label, needs_case_number, active, sort_order, changed_by, changed_at FROM purpose_categories';

/** Every category, retired ones too, in the manager's order (sort_order, then id). */
export function listPurposeCategoryRows(db: ServerDb): PurposeCategoryRow[] {
  return (db.prepare(`${SELECT} ORDER BY sort_order, id`).all() as Row[]).map(fromRow);
}

/** The active categories in the manager's order. */
export function activePurposeCategoryRows(db: ServerDb): PurposeCategoryRow[] {
  return (db.prepare(`${SELECT} WHERE active = 1 ORDER BY sort_order, id`).all() as Row[]).map(fromRow);
}

export function getPurposeCategoryRow(db: ServerDb, id: string): PurposeCategoryRow | undefined {
  const row = db.prepare(`${SELECT} WHERE id = ?`).get(id) as Row | undefined;
  return row && fromRow(row);
}

export function countActivePurposeCategories(db: ServerDb): number {
  return (db.prepare('SELECT count(*) AS n FROM purpose_categories WHERE active = 1').get() as { n: number }).n;
}

/** The sort order for a category added now: after every other one (retired ones too), in steps of 10. */
export function nextPurposeCategorySortOrder(db: ServerDb): number {
  const { last } = db.prepare('SELECT max(sort_order) AS last FROM purpose_categories').get() as { last: number | null };
  return (last ?? 0) + 10;
}

export function insertPurposeCategory(db: ServerDb, row: PurposeCategoryRow): void {
  db.prepare(
    `INSERT INTO purpose_categories (id, label, needs_case_number, active, sort_order, changed_by, changed_at)
     VALUES (@id, @label, @needsCaseNumber, @active, @sortOrder, @changedBy, @changedAt)`,
  ).run({ ...row, needsCaseNumber: row.needsCaseNumber ? 1 : 0, active: row.active ? 1 : 0 });
}

/** Changes label, flag and active state of an existing category; its id and sort order stay. */
export function updatePurposeCategory(
  db: ServerDb,
  id: string,
  change: { label: string; needsCaseNumber: boolean; active: boolean; changedBy: string; changedAt: number },
): boolean {
  return (
    db
      .prepare(
        `UPDATE purpose_categories SET label = @label, needs_case_number = @needsCaseNumber, active = @active, changed_by = @changedBy, changed_at = @changedAt
         WHERE id = @id`,
      )
      .run({ id, ...change, needsCaseNumber: change.needsCaseNumber ? 1 : 0, active: change.active ? 1 : 0 }).changes === 1
  );
}
