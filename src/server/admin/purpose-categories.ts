// The list of search purpose categories (第22条6項: 検索・抽出要件を事前に明確に; issue 4 item 2),
// maintained by the information-protection manager (情報保護管理者) — not the system administrator:
// it describes the section's counter work. Before a search the operator picks one of these and names
// the case; terminals get the active ones with the roster at their next fetch.
//
// A category is added or changed (set) and retired, never deleted: a retired id stays in the table
// with active = 0, so the log records that name it keep their meaning, and setting it again brings
// it back. At least one category stays active. Every change is recorded in server_events
// (`purpose-category-set` / `purpose-category-retired`: who, what, before, why).
import type { Clock } from '../clock';
import type { ServerDb } from '../db/open';
import {
  MAX_ACTIVE_PURPOSE_CATEGORIES,
  MAX_PURPOSE_REASON_LENGTH,
  normalisePurposeLabel,
  PURPOSE_CONTROL_CHARS,
  purposeCategoryIdProblems,
  purposeCategoryRowProblems,
  visible,
} from '../services/purpose-category-check';
import { recordEvent } from '../store/events';
import type { Operator } from '../store/operators';
import {
  activePurposeCategoryRows,
  countActivePurposeCategories,
  getPurposeCategoryRow,
  insertPurposeCategory,
  listPurposeCategoryRows,
  nextPurposeCategorySortOrder,
  updatePurposeCategory,
  type PurposeCategoryRow,
} from '../store/purpose-categories';
import { actorDetail, type AdminVia } from './actor';
import { AdminError } from './admin-error';
import { requireManager } from './authorize';

const CHANGE = { ja: '検索目的の区分を変更', en: 'change the search purpose categories' };

function byDetail(manager: Operator, via?: AdminVia): Record<string, unknown> {
  return actorDetail(manager, via);
}

function checkedId(id: string): string {
  const problems = purposeCategoryIdProblems(id);
  if (problems.length > 0) {
    throw new AdminError('bad-purpose-category-id', problems.join('\n'), 'the category id must be 1-40 lowercase letters, digits and hyphens, not starting with a hyphen');
  }
  return id;
}

function checkedReason(reason: string, what: { ja: string; en: string }): string {
  const problems: string[] = [];
  if (PURPOSE_CONTROL_CHARS.test(reason)) problems.push(`${what.ja}に改行・タブや制御文字は使えません。`);
  const text = reason.normalize('NFC').trim();
  if (problems.length === 0 && text === '') problems.push(`${what.ja}を記入してください。`);
  if (text.length > MAX_PURPOSE_REASON_LENGTH) problems.push(`${what.ja}は${MAX_PURPOSE_REASON_LENGTH}文字以内にしてください（${text.length}文字）。`);
  if (problems.length > 0) throw new AdminError('bad-reason', problems.join('\n'), `${what.en} must be 1-${MAX_PURPOSE_REASON_LENGTH} characters on one line`);
  return text;
}

function caseNumberLabel(needsCaseNumber: boolean): string {
  return needsCaseNumber ? '受付番号: 必須' : '受付番号: 任意（なければ目的の内容）';
}

/** One line for the console: 'moving-in 転入届 （受付番号: 必須）'. */
export function describePurposeCategory(category: Pick<PurposeCategoryRow, 'id' | 'label' | 'needsCaseNumber'>): string {
  return `${visible(category.id)} ${visible(category.label)} （${caseNumberLabel(category.needsCaseNumber)}）`;
}

function snapshot(row: PurposeCategoryRow): Record<string, unknown> {
  return { label: row.label, needsCaseNumber: row.needsCaseNumber, active: row.active, sortOrder: row.sortOrder, changedBy: row.changedBy, changedAt: row.changedAt };
}

export interface SetPurposeCategoryArgs {
  id: string;
  label: string;
  needsCaseNumber: boolean;
  /** Operator id of the information-protection manager. */
  by: string;
  /** Why (optional; recorded with the change). */
  reason?: string;
  clock: Clock;
  /** The terminal and admin session of an HTTP admin action (issue 6); the CLI has none. */
  via?: AdminVia;
}

export interface SetPurposeCategoryResult {
  /** added: a new id; changed: label or flag of an active one; reactivated: a retired one is active again; unchanged: nothing written. */
  action: 'added' | 'changed' | 'reactivated' | 'unchanged';
  category: PurposeCategoryRow;
  /** The row before the change (null when added). */
  before: PurposeCategoryRow | null;
  manager: Operator;
}

/**
 * Adds a category or changes one (label, whether a 受付番号 is required); a retired one becomes
 * active again. The label is stored NFC and trimmed: 1–60 characters, one line, no control or
 * format characters, not the label of another active category. At most 100 active at once. A set
 * that changes nothing writes nothing (no event). One immediate transaction.
 */
export function setPurposeCategory(db: ServerDb, args: SetPurposeCategoryArgs): SetPurposeCategoryResult {
  return db
    .transaction((): SetPurposeCategoryResult => {
      const manager = requireManager(db, args.by, CHANGE);
      const id = checkedId(args.id);
      const { label, problems } = normalisePurposeLabel(args.label);
      if (problems.length > 0) {
        throw new AdminError('bad-purpose-category-label', problems.join('\n'), 'the label must be 1-60 characters on one line without control characters');
      }
      const reason = args.reason === undefined ? null : checkedReason(args.reason, { ja: '変更の理由', en: 'the reason for the change' });
      const before = getPurposeCategoryRow(db, id) ?? null;

      const sameLabel = activePurposeCategoryRows(db).find((row) => row.id !== id && row.label.normalize('NFC') === label);
      if (sameLabel) {
        throw new AdminError(
          'duplicate-purpose-category-label',
          `区分名「${label}」は有効な区分 ${sameLabel.id} と同じです。窓口で見分けられるよう別の名前にしてください`,
          `the label is already used by the active category ${sameLabel.id}`,
        );
      }
      if (before && before.active && before.label === label && before.needsCaseNumber === args.needsCaseNumber) {
        return { action: 'unchanged', category: before, before, manager };
      }
      if ((!before || !before.active) && countActivePurposeCategories(db) >= MAX_ACTIVE_PURPOSE_CATEGORIES) {
        throw new AdminError(
          'too-many-purpose-categories',
          `有効な区分は${MAX_ACTIVE_PURPOSE_CATEGORIES}件までです。使わなくなった区分を retire-purpose-category で廃止してから追加してください`,
          `at most ${MAX_ACTIVE_PURPOSE_CATEGORIES} categories can be active: retire one first`,
        );
      }

      const now = args.clock.now();
      const action: SetPurposeCategoryResult['action'] = !before ? 'added' : before.active ? 'changed' : 'reactivated';
      const category: PurposeCategoryRow = {
        id,
        label,
        needsCaseNumber: args.needsCaseNumber,
        active: true,
        sortOrder: before ? before.sortOrder : nextPurposeCategorySortOrder(db),
        changedBy: manager.id,
        changedAt: now,
      };
      if (before) updatePurposeCategory(db, id, category);
      else insertPurposeCategory(db, category);
      recordEvent(db, {
        at: now,
        terminalId: args.via?.terminalId ?? null,
        operatorId: manager.id,
        kind: 'purpose-category-set',
        detail: {
          categoryId: id,
          action,
          label,
          needsCaseNumber: args.needsCaseNumber,
          sortOrder: category.sortOrder,
          before: before ? snapshot(before) : null,
          reason,
          ...byDetail(manager, args.via),
        },
      });
      return { action, category, before, manager };
    })
    .immediate();
}

export interface RetirePurposeCategoryArgs {
  id: string;
  reason: string;
  by: string;
  clock: Clock;
  /** The terminal and admin session of an HTTP admin action (issue 6); the CLI has none. */
  via?: AdminVia;
}

/**
 * Retires an active category (active = 0; the row and its id stay). Refused for an unknown or
 * already retired id, without a reason, and for the last active category (the terminals need one to
 * search at all). One immediate transaction.
 */
export function retirePurposeCategory(db: ServerDb, args: RetirePurposeCategoryArgs): { category: PurposeCategoryRow; activeRemaining: number; manager: Operator } {
  return db
    .transaction(() => {
      const manager = requireManager(db, args.by, CHANGE);
      const id = checkedId(args.id);
      const reason = checkedReason(args.reason, { ja: '廃止の理由', en: 'the reason for retiring' });
      const row = getPurposeCategoryRow(db, id);
      if (!row) throw new AdminError('unknown-purpose-category', `区分 ${id} はありません（list-purpose-categories で確認できます）`, `there is no purpose category ${id}`);
      if (!row.active) {
        throw new AdminError('purpose-category-retired', `区分 ${id}（${visible(row.label)}）は既に廃止されています`, `the purpose category ${id} is already retired`);
      }
      const active = countActivePurposeCategories(db);
      if (active <= 1) {
        throw new AdminError(
          'last-purpose-category',
          `区分 ${id}（${visible(row.label)}）は最後の有効な区分のため廃止できません。検索には目的の区分が必要です。先に別の区分を set-purpose-category で追加してください`,
          `${id} is the last active purpose category and cannot be retired: add another one first`,
        );
      }
      const now = args.clock.now();
      updatePurposeCategory(db, id, { label: row.label, needsCaseNumber: row.needsCaseNumber, active: false, changedBy: manager.id, changedAt: now });
      recordEvent(db, {
        at: now,
        terminalId: args.via?.terminalId ?? null,
        operatorId: manager.id,
        kind: 'purpose-category-retired',
        detail: {
          categoryId: id,
          label: row.label,
          needsCaseNumber: row.needsCaseNumber,
          sortOrder: row.sortOrder,
          before: snapshot(row),
          reason,
          activeRemaining: active - 1,
          ...byDetail(manager, args.via),
        },
      });
      return { category: { ...row, active: false, changedBy: manager.id, changedAt: now }, activeRemaining: active - 1, manager };
    })
    .immediate();
}

export interface ListedPurposeCategory {
  row: PurposeCategoryRow;
  /** Empty when an active row is sent to terminals; otherwise why the roster leaves it out (Japanese). */
  problems: string[];
}

/** Every category, retired ones too, in the manager's order, with the problems of rows the roster leaves out. */
export function listPurposeCategoriesForAdmin(db: ServerDb): ListedPurposeCategory[] {
  return listPurposeCategoryRows(db).map((row) => ({ row, problems: purposeCategoryRowProblems(row) }));
}
