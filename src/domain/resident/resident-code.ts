// 住民票コード (resident code): 11 digits, the last a check digit over the first ten (住民基本台帳法
// 施行規則 第1条): 11 − (Σ Pn × Qn mod 11), and 0 when that remainder is 0 or 1; Pn is the n-th
// digit counting from the right of the ten, Qn = n + 1 for n ≤ 6 and n − 5 for 7 ≤ n ≤ 10 — read from
// the left, the weights are 5 4 3 2 7 6 5 4 3 2. Pure.

const WEIGHTS_FROM_LEFT = [5, 4, 3, 2, 7, 6, 5, 4, 3, 2] as const;

/** The check digit for the first ten digits (a string of exactly ten ASCII digits). */
export function residentCodeCheckDigit(firstTen: string): number {
  if (!/^\d{10}$/.test(firstTen)) throw new RangeError('residentCodeCheckDigit: ten digits expected');
  let sum = 0;
  for (let i = 0; i < 10; i++) sum += (firstTen.charCodeAt(i) - 48) * WEIGHTS_FROM_LEFT[i]!;
  const remainder = sum % 11;
  return remainder <= 1 ? 0 : 11 - remainder;
}

export type ResidentCodeCheck =
  | { ok: true; code: string }
  | { ok: false; reason: 'not-11-digits' | 'check-digit'; message: string };

/**
 * Checks a typed resident code: full-width digits, spaces and hyphens are accepted as typed at a
 * counter (１２３４ ５６７８-９０１); anything else, another length or a wrong check digit is refused
 * with a Japanese message that never repeats the code.
 */
export function checkResidentCode(input: string): ResidentCodeCheck {
  const digits = input.normalize('NFKC').replace(/[\s\-‐−ー]/g, '');
  if (!/^\d{11}$/.test(digits)) return { ok: false, reason: 'not-11-digits', message: '住民票コードは11桁の数字で入力してください。' };
  if (residentCodeCheckDigit(digits.slice(0, 10)) !== digits.charCodeAt(10) - 48) {
    return { ok: false, reason: 'check-digit', message: '住民票コードの検査数字が一致しません。入力を確かめてください。' };
  }
  return { ok: true, code: digits };
}

/** A valid code from ten digits (synthetic data). */
export function withCheckDigit(firstTen: string): string {
  return `${firstTen}${residentCodeCheckDigit(firstTen)}`;
}

/** The code as shown by default (第22条9項: not to be read out): only the last 4 digits visible. */
export function maskResidentCode(code: string): string {
  return `●●●●●●●${code.slice(-4)}`;
}
