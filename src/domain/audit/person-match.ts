// How the relation rule compares a resident with an operator: names and kana without spaces or
// variant kana (normalizeKana), the family-name part of the kana, and addresses with NFKC and
// without spaces. Pure string work, no fuzzy matching: a finding must be explainable.
import { normalizeKana } from '../resident/kana';

const SPACES = /[\s\u3000]+/u;

export function nameKey(name: string): string {
  return name.normalize('NFKC').replace(/[\s\u3000]+/gu, '');
}

/** The family-name kana (the part before the first space), normalised; '' when none. */
export function familyKana(kana: string): string {
  const first = kana.trim().split(SPACES)[0] ?? '';
  return normalizeKana(first);
}

export function kanaKey(kana: string): string {
  return normalizeKana(kana);
}

export function addressKey(address: string | null | undefined): string {
  if (!address) return '';
  return address.normalize('NFKC').replace(/[\s\u3000]+/gu, '').replace(/[‐‑‒–—―−ー－]/gu, '-');
}

/** Same person by name and kana. */
export function samePersonName(a: { name: string; kana: string }, b: { name: string; kana: string }): boolean {
  return nameKey(a.name) === nameKey(b.name) && kanaKey(a.kana) !== '' && kanaKey(a.kana) === kanaKey(b.kana);
}

/** Share of residents per family-name kana, for AuditContext.surnameShare. */
export function surnameShares(residents: Iterable<{ kana: string }>): Map<string, number> {
  const counts = new Map<string, number>();
  let total = 0;
  for (const r of residents) {
    total += 1;
    const key = familyKana(r.kana);
    if (key !== '') counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  const shares = new Map<string, number>();
  for (const [key, n] of counts) shares.set(key, n / total);
  return shares;
}
