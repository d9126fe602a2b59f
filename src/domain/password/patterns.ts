// Regular (guessable) patterns in a password: sequences, repeats, repetition of a unit.
// All checks are case-insensitive and work on code points (not UTF-16 units).

/** Minimum length of a sequential or repeated run that is rejected. */
export const MIN_RUN = 4;

/** Keyboard rows (JIS/US layout) walked left→right; their reverses are checked too. */
const KEYBOARD_ROWS = ['1234567890', 'qwertyuiop', 'asdfghjkl', 'zxcvbnm'];

const codePoints = (s: string): string[] => [...s.toLowerCase()];

/**
 * The first run of MIN_RUN+ characters that ascend or descend by one code point (abcd, 1234, 9876,
 * dcba) or follow a keyboard row in either direction (qwer, asdf, 7890, rewq); null when none.
 */
export function findSequentialRun(pw: string): string | null {
  const cps = codePoints(pw);
  for (let i = 0; i + MIN_RUN <= cps.length; i++) {
    const window = cps.slice(i, i + MIN_RUN);
    const codes = window.map((c) => c.codePointAt(0) as number);
    // Only letters and digits count as alphabetic sequences ('()*+' is not a guessable word).
    const alnum = window.every((c) => /^[\p{L}\p{Nd}]$/u.test(c));
    for (const step of [1, -1]) {
      if (alnum && codes.every((c, k) => k === 0 || c - (codes[k - 1] as number) === step)) return window.join('');
    }
    const text = window.join('');
    for (const row of KEYBOARD_ROWS) {
      if (row.includes(text) || [...row].reverse().join('').includes(text)) return text;
    }
  }
  return null;
}

/** The first run of MIN_RUN+ identical characters (aaaa, 1111, AaAa); null when none. */
export function findRepeatedRun(pw: string): string | null {
  const cps = codePoints(pw);
  let start = 0;
  for (let i = 1; i <= cps.length; i++) {
    if (i === cps.length || cps[i] !== cps[start]) {
      if (i - start >= MIN_RUN) return cps.slice(start, i).join('');
      start = i;
    }
  }
  return null;
}

/**
 * The unit when the whole password is one string repeated two or more times (abcabcabc → 'abc',
 * Xy7!Xy7! → 'xy7!'); null otherwise. Single-character units are findRepeatedRun's business but are
 * reported here as well when the whole password is made of them.
 */
export function findRepeatedUnit(pw: string): string | null {
  const cps = codePoints(pw);
  const n = cps.length;
  for (let len = 1; len <= n / 2; len++) {
    if (n % len !== 0) continue;
    let ok = true;
    for (let i = len; i < n && ok; i++) ok = cps[i] === cps[i - len];
    if (ok) return cps.slice(0, len).join('');
  }
  return null;
}
