// The rules of a search purpose category (第22条6項): what the manager's commands accept, and the
// check of stored rows before the roster sends them. The set command writes only good rows, but a
// row may be written by hand: such a row must not break the roster (the terminal parses the whole
// response with the contract and would refuse it), so it is left out and reported instead.
import { PurposeCategoryIdSchema, PurposeCategorySchema, type PurposeCategoryWire } from '../../shared/server-api';
import type { PurposeCategoryRow } from '../store/purpose-categories';

/** PurposeCategorySchema's limits (zod counts UTF-16 code units, i.e. String#length). */
export const MAX_PURPOSE_LABEL_LENGTH = 60;
export const MAX_PURPOSE_ID_LENGTH = 40;
/** RosterResponseSchema carries at most this many categories: no more may be active at once. */
export const MAX_ACTIVE_PURPOSE_CATEGORIES = 100;
export const MAX_PURPOSE_REASON_LENGTH = 200;

/**
 * Control and format characters, lone surrogates, line and paragraph separators: a label is one
 * visible line (the terminal shows it in a list and logs it with every search).
 */
export const PURPOSE_CONTROL_CHARS = /[\p{Cc}\p{Cf}\p{Cs}\p{Zl}\p{Zp}]/u;

/** Text shown in a message with its control characters made visible (\u000a). */
export function visible(text: string): string {
  return text.replace(new RegExp(PURPOSE_CONTROL_CHARS.source, 'gu'), (c) => `\\u${c.codePointAt(0)!.toString(16).padStart(4, '0')}`);
}

/** Problems of an id (Japanese, one sentence each); empty when it is good. */
export function purposeCategoryIdProblems(id: string): string[] {
  if (PurposeCategoryIdSchema.safeParse(id).success) return [];
  return [
    `区分ID「${visible(id)}」は使えません。英小文字・数字・ハイフンで${MAX_PURPOSE_ID_LENGTH}文字以内、先頭は英小文字か数字にしてください（例: moving-in）。`,
  ];
}

/**
 * The label as stored: NFC, without surrounding whitespace; or the problems (Japanese). Control
 * characters are looked for before trimming: a label with a line break is refused, not cut.
 */
export function normalisePurposeLabel(label: string): { label: string; problems: string[] } {
  if (PURPOSE_CONTROL_CHARS.test(label)) return { label, problems: ['区分名に改行・タブや制御文字は使えません。'] };
  const text = label.normalize('NFC').trim();
  if (text === '') return { label: text, problems: ['区分名を入力してください。'] };
  if (text.length > MAX_PURPOSE_LABEL_LENGTH) {
    return { label: text, problems: [`区分名は${MAX_PURPOSE_LABEL_LENGTH}文字以内にしてください（${text.length}文字）。`] };
  }
  return { label: text, problems: [] };
}

export function toPurposeWire(row: Pick<PurposeCategoryRow, 'id' | 'label' | 'needsCaseNumber'>): PurposeCategoryWire {
  return { id: row.id, label: row.label, needsCaseNumber: row.needsCaseNumber };
}

/** Problems of a stored row (Japanese); empty when the roster can send it. Never throws. */
export function purposeCategoryRowProblems(row: PurposeCategoryRow): string[] {
  try {
    const label = `区分「${visible(String(row.id))}」: `;
    const problems = [...purposeCategoryIdProblems(row.id).map((p) => `${label}${p}`)];
    if (typeof row.label !== 'string' || row.label.trim() === '' || row.label.length > MAX_PURPOSE_LABEL_LENGTH) {
      problems.push(`${label}区分名が空か${MAX_PURPOSE_LABEL_LENGTH}文字を超えています。`);
    } else if (PURPOSE_CONTROL_CHARS.test(row.label)) {
      problems.push(`${label}区分名に改行・タブや制御文字が含まれています。`);
    }
    if (problems.length === 0 && !PurposeCategorySchema.safeParse(toPurposeWire(row)).success) {
      problems.push(`${label}通信仕様（PurposeCategorySchema）に合いません。`);
    }
    return problems;
  } catch {
    return ['区分: 内容を検査できませんでした。'];
  }
}
