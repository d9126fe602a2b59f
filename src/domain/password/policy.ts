// Password policy for operator passwords (運用規程 第18条, 第20条の2):
// minimum length 8, nothing regular or guessable (sequences, repeats, the user's own id, common
// passwords), must change. Messages are Japanese and never quote any part of the password, so they
// are safe to show and to log (the password itself must never be logged).
import { COMMON_PASSWORDS } from './common-passwords';
import { findRepeatedRun, findRepeatedUnit, findSequentialRun } from './patterns';

export const PASSWORD_MIN_LENGTH = 8;
export const PASSWORD_MAX_LENGTH = 128;
/** How many of the four classes (lower, upper, digit, symbol) a password must contain. */
export const PASSWORD_MIN_CHARACTER_CLASSES = 3;

export type PasswordProblemCode =
  | 'too-short'
  | 'too-long'
  | 'control-character'
  | 'whitespace-only'
  | 'contains-operator-id'
  | 'contains-operator-name'
  | 'sequential-characters'
  | 'repeated-characters'
  | 'repeated-pattern'
  | 'common-password'
  | 'too-few-character-classes'
  | 'same-as-current'
  | 'similar-to-current';

export interface PasswordProblem {
  code: PasswordProblemCode;
  message: string;
}

export interface PasswordContext {
  operatorId: string;
  operatorName?: string;
  currentPassword?: string;
}

export type PasswordCheckResult = { ok: true } | { ok: false; problems: PasswordProblem[] };

export const PASSWORD_PROBLEM_MESSAGES: Readonly<Record<PasswordProblemCode, string>> = {
  'too-short': `パスワードは${PASSWORD_MIN_LENGTH}文字以上にしてください。`,
  'too-long': `パスワードは${PASSWORD_MAX_LENGTH}文字以下にしてください。`,
  'control-character': 'パスワードに制御文字（改行・タブなど）や見えない文字は使えません。',
  'whitespace-only': '空白だけのパスワードは使えません。',
  'contains-operator-id': 'パスワードに操作者IDを含めないでください。',
  'contains-operator-name': 'パスワードに氏名を含めないでください。',
  'sequential-characters': '「abcd」「1234」「9876」「qwer」のような連続した文字を4文字以上並べないでください。',
  'repeated-characters': '同じ文字を4文字以上続けないでください。',
  'repeated-pattern': '同じ文字列の繰り返しだけのパスワードは使えません。',
  'common-password': 'よく使われるパスワードや推測されやすい語は使えません。',
  'too-few-character-classes': `英小文字・英大文字・数字・記号のうち${PASSWORD_MIN_CHARACTER_CLASSES}種類以上を組み合わせてください。`,
  'same-as-current': '現在のパスワードと異なるパスワードにしてください。',
  'similar-to-current': '現在のパスワードの大文字・小文字や前後の数字・記号を変えただけのパスワードは使えません。',
};

/** Minimum length of an operator-id core (digits only / letters only) or name part that is checked. */
const MIN_CORE = 4;
const MIN_ID = 3;
const MIN_NAME_PART = 3;

const nfc = (s: string): string => s.normalize('NFC');
const lower = (s: string): string => nfc(s).toLowerCase();
const length = (s: string): number => [...s].length;

/** Strips everything that is not a letter from both ends ('Password1!' → 'password'). */
const stripEnds = (s: string): string => s.replace(/^[^\p{L}]+|[^\p{L}]+$/gu, '');

const LEET: Readonly<Record<string, string>> = { '@': 'a', '4': 'a', '$': 's', '5': 's', '0': 'o', '1': 'i', '!': 'i', '3': 'e', '7': 't', '+': 't' };
const unleet = (s: string): string => s.replace(/[@4$5013!7+]/g, (c) => LEET[c] ?? c);
const unleetSymbols = (s: string): string => s.replace(/[@$]/g, (c) => LEET[c] ?? c);

function isCommon(pwLower: string): boolean {
  const stripped = stripEnds(pwLower);
  const candidates = [pwLower, stripped, unleet(stripped), unleet(pwLower), stripEnds(unleetSymbols(pwLower))];
  return candidates.some((c) => c.length > 0 && COMMON_PASSWORDS.has(c));
}

function characterClasses(pw: string): number {
  let lowerCase = false;
  let upperCase = false;
  let digit = false;
  let symbol = false;
  for (const c of pw) {
    if (/\p{Ll}/u.test(c)) lowerCase = true;
    else if (/\p{Lu}/u.test(c)) upperCase = true;
    else if (/\p{Nd}/u.test(c)) digit = true;
    else symbol = true; // punctuation, symbols, spaces and other scripts (kana, kanji) count as "symbol"
  }
  return [lowerCase, upperCase, digit, symbol].filter(Boolean).length;
}

function containsOperatorId(pwLower: string, operatorId: string): boolean {
  const id = lower(operatorId).trim();
  if (length(id) >= MIN_ID && (pwLower.includes(id) || pwLower.includes([...id].reverse().join('')))) return true;
  const digits = id.replace(/\D/g, '');
  if (length(digits) >= MIN_CORE && pwLower.includes(digits)) return true;
  const letters = id.replace(/[^\p{L}]/gu, '');
  return length(letters) >= MIN_CORE && pwLower.includes(letters);
}

function containsOperatorName(pwLower: string, operatorName: string | undefined): boolean {
  if (!operatorName) return false;
  const name = lower(operatorName).trim();
  const parts = name.split(/[\s\u3000・.,_-]+/u).filter((p) => length(p) >= MIN_NAME_PART);
  const joined = name.replace(/[\s\u3000・.,_-]+/gu, '');
  if (length(joined) >= MIN_NAME_PART) parts.push(joined);
  return parts.some((p) => pwLower.includes(p));
}

/**
 * Checks a new password against the policy and returns every problem found (codes are stable,
 * messages Japanese). Length is counted in code points after NFC normalisation.
 * Rules: 8–128 characters; no control/invisible characters; not whitespace only; no operator id
 * (case-insensitive, also reversed; ids shorter than 3 characters are not checked) nor its
 * digits-only / letters-only core when ≥4 characters; no operator name part of ≥3 characters;
 * no run of 4 sequential characters (abcd, 1234, 9876, qwer, asdf); no 4 equal characters in a row;
 * not one string repeated (abcabcabc); not a common password (see common-passwords.ts); at least 3
 * of lower/upper/digit/symbol; different from, and not a trivial variation of, the current password.
 */
export function checkNewPassword(pw: string, ctx: PasswordContext): PasswordCheckResult {
  const codes: PasswordProblemCode[] = [];
  const add = (code: PasswordProblemCode): void => {
    if (!codes.includes(code)) codes.push(code);
  };
  const normalized = nfc(pw);
  const pwLower = normalized.toLowerCase();
  const n = length(normalized);

  if (n < PASSWORD_MIN_LENGTH) add('too-short');
  if (n > PASSWORD_MAX_LENGTH) add('too-long');
  if (/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u.test(normalized)) add('control-character');
  if (n > 0 && normalized.trim() === '') add('whitespace-only');
  if (containsOperatorId(pwLower, ctx.operatorId)) add('contains-operator-id');
  if (containsOperatorName(pwLower, ctx.operatorName)) add('contains-operator-name');
  if (findSequentialRun(normalized) !== null) add('sequential-characters');
  if (findRepeatedRun(normalized) !== null) add('repeated-characters');
  if (n >= 2 && findRepeatedUnit(normalized) !== null) add('repeated-pattern');
  if (isCommon(pwLower)) add('common-password');
  if (characterClasses(normalized) < PASSWORD_MIN_CHARACTER_CLASSES) add('too-few-character-classes');
  if (ctx.currentPassword !== undefined && ctx.currentPassword !== '') {
    const current = nfc(ctx.currentPassword);
    if (current === normalized) add('same-as-current');
    else {
      const a = stripEnds(current.toLowerCase());
      const b = stripEnds(pwLower);
      if (current.toLowerCase() === pwLower || (length(b) >= MIN_CORE && a === b)) add('similar-to-current');
    }
  }

  if (codes.length === 0) return { ok: true };
  return { ok: false, problems: codes.map((code) => ({ code, message: PASSWORD_PROBLEM_MESSAGES[code] })) };
}
