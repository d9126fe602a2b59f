// Password policy (運用規程 第18条, 第20条の2): length, nothing regular or guessable, must change, expiry.
import { describe, expect, it } from 'vitest';
import {
  COMMON_PASSWORDS,
  PASSWORD_EXPIRY_DAYS_DEFAULT,
  PASSWORD_MAX_LENGTH,
  PASSWORD_MIN_LENGTH,
  PASSWORD_PROBLEM_MESSAGES,
  checkNewPassword,
  isPasswordExpired,
  passwordDaysLeft,
  passwordExpiresAt,
  type PasswordContext,
  type PasswordProblemCode,
} from '../../src/domain/password/index';

const ctx: PasswordContext = { operatorId: 'Clerk2719', operatorName: 'Yamada Hanako', currentPassword: 'Kx9#mQ2!vT' };

const codesOf = (pw: string, c: PasswordContext = ctx): PasswordProblemCode[] => {
  const r = checkNewPassword(pw, c);
  return r.ok ? [] : r.problems.map((p) => p.code);
};

describe('accepted passwords', () => {
  it.each([
    ['Tr7$wq!Lm2', 'typical strong password'],
    ['Hn4%ub!Ea7', 'another one'],
    ['Nm3!kq8Z', 'exactly 8 characters'],
    ['Correct horse 9 staple', 'passphrase with spaces (space counts as a symbol)'],
    ['kx9#mq7!vz', 'lower + digit + symbol is 3 classes'],
    ['KX9#MQ7!VZ', 'upper + digit + symbol is 3 classes'],
    ['Kx9mQ7vTzR', 'lower + upper + digit is 3 classes'],
    ['abc!Xyz9qp', 'three sequential characters are fine'],
    ['aaa!Xq9bbb', 'three equal characters are fine'],
    ['Ab1!e\u0301e\u0301xz', 'decomposed accents are normalised (NFC) and counted as 8'],
    ['Tr7$wq!Lm2'.repeat(13).slice(0, PASSWORD_MAX_LENGTH), 'exactly 128 characters'],
    ['Kx9#mQ7!vT', 'differs from the current password in the middle'],
    ['Cl2!erk7Zq', 'parts of the id shorter than the checked core'],
  ])('%j (%s)', (pw) => {
    expect(checkNewPassword(pw, ctx)).toEqual({ ok: true });
  });

  it('accepts without a current password or name', () => {
    expect(checkNewPassword('Tr7$wq!Lm2', { operatorId: 'op1' })).toEqual({ ok: true });
  });
});

describe('rejected passwords', () => {
  it.each<[string, PasswordProblemCode[], string]>([
    ['', ['too-short', 'too-few-character-classes'], 'empty'],
    ['Nm3!kq8', ['too-short'], '7 characters'],
    ['🔒Ab1!xz', ['too-short'], 'an emoji is one code point: 7, although .length is 8'],
    ['Ab1!e\u0301e\u0301x', ['too-short'], '.length 9 but 7 after NFC'],
    ['Tr7$wq!Lm2'.repeat(13).slice(0, PASSWORD_MAX_LENGTH + 1), ['too-long'], '129 characters'],
    ['Tr7$wq!\nLm2', ['control-character'], 'newline'],
    ['Tr7$wq!\tLm2', ['control-character'], 'tab'],
    ['Tr7$wq!\u200bLm2', ['control-character'], 'zero-width space'],
    ['        ', ['whitespace-only', 'repeated-characters', 'repeated-pattern', 'too-few-character-classes'], 'spaces only'],
    ['\u3000'.repeat(8), ['whitespace-only', 'repeated-characters', 'repeated-pattern', 'too-few-character-classes'], 'ideographic spaces only'],
    ['xClerk2719!', ['contains-operator-id'], 'the id'],
    ['!cLeRk2719x', ['contains-operator-id'], 'the id in another case'],
    ['Z9172krelc!', ['contains-operator-id'], 'the id reversed'],
    ['Tq!2719zwX', ['contains-operator-id'], 'digits-only core of the id'],
    ['Tq!CLERKz5x', ['contains-operator-id'], 'letters-only core of the id'],
    ['Yamada#2719x', ['contains-operator-id', 'contains-operator-name'], 'family name and id digits'],
    ['zq!HANAKO5x', ['contains-operator-name'], 'given name'],
    ['abcdEF1!x', ['sequential-characters'], 'abcd'],
    ['Zq!x1234Lm', ['sequential-characters'], '1234'],
    ['Zq!x9876Lm', ['sequential-characters'], '9876 descending'],
    ['Zq!xDcBaL5', ['sequential-characters'], 'dcba descending, mixed case'],
    ['qwer!Z8xkL', ['sequential-characters'], 'keyboard row qwer'],
    ['Z8!xASDFk', ['sequential-characters'], 'keyboard row asdf'],
    ['Z8!x7890kL', ['sequential-characters'], 'keyboard digit row 7890'],
    ['Z8!xLKJHq', ['sequential-characters'], 'keyboard row backwards (lkjh)'],
    ['aaaa!Z8xkL', ['repeated-characters'], 'aaaa'],
    ['Zq!x1111Lm', ['repeated-characters'], '1111'],
    ['Zq!xAaAaLm', ['repeated-characters'], 'AaAa, case-insensitive'],
    ['AbC1!AbC1!', ['repeated-pattern'], 'the whole password is one unit twice'],
    ['Ab1Ab1Ab1', ['repeated-pattern'], 'abcabcabc style'],
    ['password', ['common-password', 'too-few-character-classes'], 'password'],
    ['Password1', ['common-password'], 'Password1'],
    ['Password1!', ['common-password'], 'digits and symbols stripped from the end'],
    ['P@ssw0rd', ['common-password'], 'p@ssw0rd'],
    ['P@ssw0rd2027!', ['common-password'], 'p@ssw0rd with a suffix'],
    ['D3f4ult!', ['common-password'], 'look-alike digits undone'],
    ['Qwerty123', ['sequential-characters', 'common-password'], 'qwerty123'],
    ['Admin123!', ['common-password'], 'admin123'],
    ['12345678', ['sequential-characters', 'common-password', 'too-few-character-classes'], '12345678'],
    ['ILoveYou!1', ['common-password'], 'iloveyou'],
    ['Kumiyama2027!', ['common-password'], 'the town name'],
    ['#Juki-Net01', ['common-password'], 'juki-net'],
    ['Jyuminka#7', ['common-password'], 'jyuminka'],
    ['tr7wqxlm', ['too-few-character-classes'], 'lower + digit only'],
    ['TRWQXLMZ!', ['too-few-character-classes'], 'upper + symbol only'],
    ['Kx9#mQ2!vT', ['same-as-current'], 'same as the current password'],
    ['kX9#Mq2!Vt', ['similar-to-current'], 'only the case changed'],
    ['Kx9#mQ2!vT99!', ['similar-to-current'], 'only digits and symbols added at the end'],
  ])('%j → %j (%s)', (pw, expected) => {
    expect(codesOf(pw)).toEqual(expected);
  });

  it('compares with the current password after NFC normalisation', () => {
    const current = 'Zq!xe\u0301Lm7q';
    expect(codesOf(current.normalize('NFC'), { operatorId: 'op1', currentPassword: current })).toEqual(['same-as-current']);
  });

  it('does not check ids shorter than 3 characters (they would match almost anything)', () => {
    expect(checkNewPassword('Tr7$wq!Lm2', { operatorId: 'Tr' })).toEqual({ ok: true });
    expect(codesOf('Tr7$wq!Lm2', { operatorId: 'Tr7' })).toEqual(['contains-operator-id']);
  });

  it('every problem carries its Japanese message, which never quotes the password', () => {
    const pw = 'Kumiyama2027!';
    const r = checkNewPassword(pw, ctx);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.problems).toEqual([{ code: 'common-password', message: PASSWORD_PROBLEM_MESSAGES['common-password'] }]);
    const all = checkNewPassword('', ctx);
    expect(all.ok ? [] : all.problems.map((p) => p.message)).toContain('パスワードは8文字以上にしてください。');
    for (const [code, message] of Object.entries(PASSWORD_PROBLEM_MESSAGES)) {
      expect(message, code).toMatch(/[\u3040-\u30ff\u4e00-\u9fff]/);
      expect(message, code).toMatch(/。$/);
      expect(message).not.toContain(pw);
    }
  });

  it('bundles about 200 common passwords in lower case', () => {
    expect(COMMON_PASSWORDS.size).toBeGreaterThanOrEqual(200);
    for (const w of ['password', 'password1', 'qwerty123', 'p@ssw0rd', 'admin123', '12345678', 'iloveyou', 'kumiyama', 'juki-net', 'jyuminka']) {
      expect(COMMON_PASSWORDS.has(w), w).toBe(true);
    }
    for (const w of COMMON_PASSWORDS) expect(w).toBe(w.toLowerCase());
  });

  it('uses the minimum length of 第18条', () => {
    expect(PASSWORD_MIN_LENGTH).toBe(8);
    expect(PASSWORD_MAX_LENGTH).toBe(128);
  });
});

describe('password expiry', () => {
  const DAY = 24 * 60 * 60 * 1000;
  const setAt = Date.parse('2027-01-04T09:00:00+09:00');

  it('defaults to 90 days', () => {
    expect(PASSWORD_EXPIRY_DAYS_DEFAULT).toBe(90);
    expect(passwordExpiresAt(setAt)).toBe(setAt + 90 * DAY);
    expect(passwordExpiresAt(setAt, 30)).toBe(setAt + 30 * DAY);
  });

  it('is expired from the expiry instant on (takes the stored expiry, as the terminal does)', () => {
    const exp = passwordExpiresAt(setAt);
    expect(isPasswordExpired(exp, exp - 1)).toBe(false);
    expect(isPasswordExpired(exp, exp)).toBe(true);
    expect(isPasswordExpired(exp, setAt)).toBe(false);
    expect(isPasswordExpired(Date.parse('2027-04-04T09:00:00+09:00'), Date.parse('2027-04-04T09:00:00+09:00'))).toBe(true);
    expect(isPasswordExpired(passwordExpiresAt(setAt, 30), setAt + 31 * DAY)).toBe(true);
  });

  it('counts the days left, rounded up', () => {
    const exp = passwordExpiresAt(setAt);
    expect(passwordDaysLeft(exp, setAt)).toBe(90);
    expect(passwordDaysLeft(exp, setAt + 1)).toBe(90);
    expect(passwordDaysLeft(exp, setAt + 89 * DAY)).toBe(1);
    expect(passwordDaysLeft(exp, exp)).toBe(0);
    expect(passwordDaysLeft(exp, setAt + 100 * DAY)).toBe(0);
  });

  it('rejects nonsense', () => {
    expect(() => passwordExpiresAt(setAt, 0)).toThrow(RangeError);
    expect(() => passwordExpiresAt(setAt, 1.5)).toThrow(RangeError);
    expect(() => passwordExpiresAt(Number.NaN)).toThrow(RangeError);
    expect(() => isPasswordExpired(setAt, Number.POSITIVE_INFINITY)).toThrow(RangeError);
    expect(() => isPasswordExpired(Number.NaN, setAt)).toThrow(RangeError);
  });
});
