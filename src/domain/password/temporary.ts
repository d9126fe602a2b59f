// Temporary passwords set by an authorised person (a new operator, a reset); the operator must change
// it at first logon (第20条の2 3項(5)). Generated to pass the password rules: length ≥ 8, all character
// classes, no runs of repeated or consecutive characters. Pure: the caller passes a secure random source.

// Look-alikes (0 O o 1 l I) are left out: the password is read from a screen and typed.
const UPPER = 'ABCDEFGHJKLMNPQRSTUVWXYZ';
const LOWER = 'abcdefghijkmnpqrstuvwxyz';
const DIGITS = '23456789';
const SYMBOLS = '#%+=@!?';
const ALL = UPPER + LOWER + DIGITS + SYMBOLS;
export const TEMPORARY_PASSWORD_LENGTH = 12;

/** True when three characters in a row repeat or run up or down by one (aaa, abc, 321). */
export function hasRun(password: string): boolean {
  for (let i = 2; i < password.length; i++) {
    const a = password.charCodeAt(i - 2);
    const b = password.charCodeAt(i - 1);
    const c = password.charCodeAt(i);
    if (b - a === c - b && Math.abs(b - a) <= 1) return true;
  }
  return false;
}

export function isAcceptableTemporaryPassword(password: string): boolean {
  return (
    password.length >= TEMPORARY_PASSWORD_LENGTH &&
    [UPPER, LOWER, DIGITS, SYMBOLS].every((set) => [...password].some((ch) => set.includes(ch))) &&
    !hasRun(password)
  );
}

/** `random(max)`: a uniformly random integer in [0, max) from a cryptographically secure source (node:crypto randomInt). */
export function generateTemporaryPassword(random: (max: number) => number): string {
  for (;;) {
    let password = '';
    for (let i = 0; i < TEMPORARY_PASSWORD_LENGTH; i++) password += ALL[random(ALL.length)];
    if (isAcceptableTemporaryPassword(password)) return password;
  }
}
