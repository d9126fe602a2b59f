// The purpose stated before a search (第22条6項: 本人確認情報 are used only for a purpose made clear
// beforehand). The operator picks a category from the list the manager maintains and ties it to the
// case in hand: the receipt/case number when the category has one, otherwise a short text that says
// what the search is for. One purpose covers one case. The checks here decide whether a purpose is
// clear enough to unlock the search form; the purpose is then logged with the search. Pure.

export interface PurposeCategory {
  id: string;
  label: string;
  /** The work has a receipt/case number (受付番号): the purpose must name it. */
  needsCaseNumber: boolean;
}

/**
 * The categories a new installation starts with; the manager's list replaces them. Work done on an
 * application or notification (申請・届出) has a 受付番号 from the counter's numbering and must name
 * it; checks and inquiries may instead describe the case in a note.
 */
export const DEFAULT_PURPOSE_CATEGORIES: PurposeCategory[] = [
  { id: 'juminhyo-copy', label: '住民票の写し等の交付', needsCaseNumber: true },
  { id: 'moving-in', label: '転入届', needsCaseNumber: true },
  { id: 'moving-out', label: '転出届', needsCaseNumber: true },
  { id: 'moving-within', label: '転居届', needsCaseNumber: true },
  { id: 'household-change', label: '世帯変更届', needsCaseNumber: true },
  { id: 'seal-registration', label: '印鑑登録・印鑑登録証明書の交付', needsCaseNumber: true },
  { id: 'my-number-card', label: 'マイナンバーカードの交付・更新', needsCaseNumber: true },
  { id: 'identity-check', label: '本人確認（窓口）', needsCaseNumber: false },
  { id: 'family-register-inquiry', label: '戸籍関連の照会', needsCaseNumber: false },
  { id: 'other-section-inquiry', label: '税・保険の照会（他課からの依頼）', needsCaseNumber: false },
];

export interface PurposeInput {
  categoryId: string;
  caseNumber?: string;
  note?: string;
}

export interface Purpose {
  categoryId: string;
  categoryLabel: string;
  caseNumber: string | null;
  note: string | null;
}

type PurposeField = 'categoryId' | 'caseNumber' | 'note';
type PurposeResult =
  | { ok: true; purpose: Purpose }
  | { ok: false; errors: { field: PurposeField; message: string }[] };

const CASE_NUMBER_MAX = 30;
const NOTE_MAX = 100;
/** A note standing alone must say at least this much (letters, kana, kanji or digits). */
const NOTE_MIN_MEANINGFUL = 4;

const CONTROL = /[\p{Cc}\p{Cf}]/u;
// After NFKC full-width letters, digits and '－' are ASCII; the other dashes an IME may give are
// taken as the hyphen they stand for.
const CASE_DASHES = /[‐‑‒–—―−ー]/gu;
const CASE_NUMBER = new RegExp(`^[A-Za-z0-9-]{1,${CASE_NUMBER_MAX}}$`);

// Words that pass the length rule but say nothing about the case. Compared after removing
// whitespace and punctuation and upper-casing latin letters.
const VAGUE_NOTES: ReadonlySet<string> = new Set([
  '確認のため', '念のため', '念のため確認', '念のための確認', '業務のため', '業務上必要', '業務上の必要',
  '必要のため', '必要なため', '参考のため', '特になし', 'とくになし', 'テストです', 'TEST', 'TEST1',
  'テスト用', 'テストのため', '確認します', '照会のため', '調査のため', '問い合わせ',
]);

const NOTE_VAGUE_MESSAGE =
  '目的を具体的に入力してください（4文字以上。「確認」「テスト」のような内容では検索できません）。';

/** The characters that carry meaning: without whitespace, punctuation and symbols. */
const meaningful = (text: string): string => text.replace(/[\s\p{P}\p{S}]/gu, '');

function isVague(note: string): boolean {
  const core = meaningful(note).toUpperCase();
  const chars = [...core];
  if (chars.length < NOTE_MIN_MEANINGFUL) return true;
  if (new Set(chars).size === 1) return true; // ああああ, 1111
  return VAGUE_NOTES.has(core);
}

/**
 * Checks a stated purpose against the category list. Refused: an unknown category; a category
 * that needs a case number without one; a case number that is not 1–30 letters, digits or hyphens
 * (full width accepted); otherwise neither a case number nor a note that says at least 4 characters
 * (a vague word such as 確認 or テスト, a run of one character, or a stock phrase such as 念のため is
 * refused); a note over 100 characters; control characters anywhere. The returned values are NFKC
 * normalised and trimmed, blank ones null.
 */
export function checkPurpose(input: PurposeInput, categories: readonly PurposeCategory[]): PurposeResult {
  const errors: { field: PurposeField; message: string }[] = [];
  const category = categories.find((c) => c.id === input.categoryId);
  if (!category) errors.push({ field: 'categoryId', message: '目的の区分を一覧から選んでください。' });

  let caseNumber: string | null = null;
  const rawCase = input.caseNumber ?? '';
  if (CONTROL.test(rawCase)) {
    errors.push({ field: 'caseNumber', message: '受付番号に使えない文字（制御文字）が含まれています。' });
  } else {
    const normalised = rawCase.normalize('NFKC').replace(CASE_DASHES, '-').trim();
    if (normalised !== '') {
      if (CASE_NUMBER.test(normalised)) caseNumber = normalised;
      else errors.push({ field: 'caseNumber', message: `受付番号は${CASE_NUMBER_MAX}文字以内の英数字とハイフンで入力してください。` });
    }
  }

  let note: string | null = null;
  const rawNote = input.note ?? '';
  if (CONTROL.test(rawNote)) {
    errors.push({ field: 'note', message: '目的の内容に使えない文字（制御文字）が含まれています。' });
  } else {
    const normalised = rawNote.normalize('NFKC').trim();
    if ([...normalised].length > NOTE_MAX) {
      errors.push({ field: 'note', message: `目的の内容は${NOTE_MAX}文字以内で入力してください。` });
    } else if (normalised !== '') {
      note = normalised;
    }
  }

  // The requirement rules only once the category is known and the fields are well-formed.
  if (category && errors.length === 0) {
    if (category.needsCaseNumber) {
      if (caseNumber === null) errors.push({ field: 'caseNumber', message: `「${category.label}」では受付番号を入力してください。` });
    } else if (caseNumber === null) {
      // Without a case number the note alone must make the purpose clear.
      if (note === null) errors.push({ field: 'note', message: '受付番号か、目的の内容（4文字以上）を入力してください。' });
      else if (isVague(note)) errors.push({ field: 'note', message: NOTE_VAGUE_MESSAGE });
    }
  }

  if (errors.length > 0 || !category) return { ok: false, errors };
  return { ok: true, purpose: { categoryId: category.id, categoryLabel: category.label, caseNumber, note } };
}
