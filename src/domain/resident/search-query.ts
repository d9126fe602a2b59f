// The resident search form → normalised criteria, and the matching rule a replica applies.
// Both sides of a comparison go through the same normalisers (normalizeKana, foldName), so what a
// query finds depends only on the keys, not on how either was typed. The criteria are fixed
// together with the stated purpose and logged with it; what is logged is `summary` (WHICH fields
// were used), never the values: a search's criteria are personal data (第22条). Pure.
import { isKanaQuery, normalizeKana } from './kana';
import { foldName } from './kanji-variants';
import { parseBirthDate } from './era';
import { checkResidentCode } from './resident-code';

/** Normalised criteria: kana key, folded name, ISO date, folded address, 11-digit code. */
export interface SearchCriteria {
  kana?: string;
  name?: string;
  birthDate?: string;
  address?: string;
  code?: string;
}

/** The raw text of the search form. */
export interface SearchInput {
  kana?: string;
  name?: string;
  birth?: string;
  address?: string;
  code?: string;
}

type SearchInputError = { field: keyof SearchInput; message: string };
type SearchParseResult =
  | { ok: true; criteria: SearchCriteria; summary: string }
  | { ok: false; errors: SearchInputError[] };

const MAX_FIELD_LENGTH = 100;
const MAX_ADDRESS_LENGTH = 200;

const FIELD_LABELS: Record<keyof SearchInput, string> = {
  kana: 'ふりがな',
  name: '氏名',
  birth: '生年月日',
  address: '住所',
  code: '住民票コード',
};

// The order of `summary`, fixed so the same kind of search always logs the same string.
const SUMMARY_ORDER: readonly (keyof SearchCriteria)[] = ['kana', 'name', 'birthDate', 'address', 'code'];

/** Control and format characters (tab, newline, NUL, bidi overrides, zero-width…): never in a search. */
const CONTROL = /[\p{Cc}\p{Cf}]/u;
const isBlank = (s: string): boolean => /^[\s]*$/u.test(s);

/** The common checks of one raw field: absent/blank → null; overlong or control characters → an error. */
function rawField(
  input: SearchInput,
  field: keyof SearchInput,
  errors: SearchInputError[],
): string | null {
  const value = input[field];
  if (value === undefined || isBlank(value)) return null;
  const label = FIELD_LABELS[field];
  const max = field === 'address' ? MAX_ADDRESS_LENGTH : MAX_FIELD_LENGTH;
  if ([...value].length > max) {
    errors.push({ field, message: `${label}は${max}文字以内で入力してください。` });
    return null;
  }
  if (CONTROL.test(value)) {
    errors.push({ field, message: `${label}に使えない文字（制御文字）が含まれています。` });
    return null;
  }
  return value;
}

/**
 * Checks and normalises the search form. Every field is optional, blank counts as absent, but at
 * least one is needed. A resident code alone is enough; an address alone is not (too broad: a whole
 * street of residents), it must come with another criterion. Errors name the field and carry a
 * Japanese message; a birth-date message may repeat the date as read, so log fields, not messages.
 * `today` (YYYY-MM-DD) makes a birth date after today an error.
 */
export function parseSearchInput(input: SearchInput, today?: string): SearchParseResult {
  const errors: SearchInputError[] = [];
  const criteria: SearchCriteria = {};

  const kana = rawField(input, 'kana', errors);
  if (kana !== null) {
    if (!isKanaQuery(kana)) {
      errors.push({ field: 'kana', message: 'ふりがなはひらがなかカタカナで入力してください。' });
    } else {
      const key = normalizeKana(kana);
      if (key === '') errors.push({ field: 'kana', message: 'ふりがなを1文字以上入力してください（長音記号だけでは検索できません）。' });
      else criteria.kana = key;
    }
  }

  const name = rawField(input, 'name', errors);
  if (name !== null) {
    const key = foldName(name);
    if (key === '') errors.push({ field: 'name', message: '氏名を1文字以上入力してください。' });
    else criteria.name = key;
  }

  const birth = rawField(input, 'birth', errors);
  if (birth !== null) {
    const parsed = parseBirthDate(birth, today);
    if (parsed.ok) criteria.birthDate = parsed.iso;
    else errors.push({ field: 'birth', message: parsed.message });
  }

  const address = rawField(input, 'address', errors);
  if (address !== null) {
    const key = foldName(address);
    if (key === '') errors.push({ field: 'address', message: '住所を1文字以上入力してください。' });
    else criteria.address = key;
  }

  const code = rawField(input, 'code', errors);
  if (code !== null) {
    const checked = checkResidentCode(code);
    if (checked.ok) criteria.code = checked.code;
    else errors.push({ field: 'code', message: checked.message });
  }

  if (errors.length > 0) return { ok: false, errors };

  const used = SUMMARY_ORDER.filter((k) => criteria[k] !== undefined);
  if (used.length === 0) {
    return { ok: false, errors: [{ field: 'kana', message: '検索条件を1つ以上入力してください。' }] };
  }
  if (used.length === 1 && used[0] === 'address') {
    return {
      ok: false,
      errors: [{ field: 'address', message: '住所だけでは検索できません。氏名・ふりがな・生年月日・住民票コードのいずれかと組み合わせてください。' }],
    };
  }
  return { ok: true, criteria, summary: used.join('+') };
}

/**
 * The keys a replica stores and indexes for one resident. With `criteria`, only the keys those
 * criteria make `matches` read are computed (the others are ''): folding every candidate's address
 * for a kana search cost as much as the rest of the search.
 */
export function residentKeys(r: { name: string; kana: string; birthDate: string; address: string }, criteria?: SearchCriteria): {
  kanaKey: string;
  nameKey: string;
  addressKey: string;
} {
  return {
    kanaKey: !criteria || criteria.kana ? normalizeKana(r.kana) : '',
    nameKey: !criteria || criteria.name ? foldName(r.name) : '',
    addressKey: !criteria || criteria.address ? foldName(r.address) : '',
  };
}

/**
 * Whether a resident's keys satisfy every given criterion (AND): kana and name by prefix (family
 * name first, so ヤマダ finds ヤマダタロウ and 山田 finds 山田太郎), address by substring (a district
 * or 丁目 anywhere in it), birth date and code by equality. Criteria with no usable value (none, or
 * only empty strings) match nothing: an empty search must never list the whole register.
 */
export function matches(
  criteria: SearchCriteria,
  keys: { kanaKey: string; nameKey: string; addressKey: string; birthDate: string; code: string },
): boolean {
  let any = false;
  if (criteria.kana) {
    any = true;
    if (!keys.kanaKey.startsWith(criteria.kana)) return false;
  }
  if (criteria.name) {
    any = true;
    if (!keys.nameKey.startsWith(criteria.name)) return false;
  }
  if (criteria.address) {
    any = true;
    if (!keys.addressKey.includes(criteria.address)) return false;
  }
  if (criteria.birthDate) {
    any = true;
    if (keys.birthDate !== criteria.birthDate) return false;
  }
  if (criteria.code) {
    any = true;
    if (keys.code !== criteria.code) return false;
  }
  return any;
}
