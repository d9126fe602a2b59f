// 住民票コード (施行規則 第1条): the check digit, the typed-code check and the default mask. The
// expected check digits below are worked out by hand from the formula in resident-code.ts
// (weights from the left 5 4 3 2 7 6 5 4 3 2; r = Σ mod 11; digit = 11 − r, or 0 when r ≤ 1), not
// by calling the function, so a wrong implementation fails.
import { describe, expect, it } from 'vitest';
import {
  checkResidentCode,
  maskResidentCode,
  residentCodeCheckDigit,
  withCheckDigit,
} from '../../src/domain/resident/resident-code';

describe('residentCodeCheckDigit', () => {
  it.each([
    // 1·5+2·4+3·3+4·2+5·7+6·6+7·5+8·4+9·3+0·2 = 195; 195 mod 11 = 8 → 3
    ['1234567890', 3],
    // 9·5+8·4+7·3+6·2+5·7+4·6+3·5+2·4+1·3+0·2 = 195 → 3
    ['9876543210', 3],
    // 0 → r = 0 → 0
    ['0000000000', 0],
    // 1·5 = 5 → 11 − 5 = 6
    ['1000000000', 6],
    // 6·2 = 12; r = 1 → 0 (not 10)
    ['0000000006', 0],
    // 5·2 = 10; r = 10 → 1
    ['0000000005', 1],
    // 3·5+1·4+4·3+1·2+5·7+9·6+2·5+6·4+5·3+3·2 = 177; r = 1 → 0
    ['3141592653', 0],
    // 1·7 (fifth digit, weight 7) = 7 → 4
    ['0000100000', 4],
  ])('%s → %i', (firstTen, digit) => {
    expect(residentCodeCheckDigit(firstTen)).toBe(digit);
    expect(withCheckDigit(firstTen)).toBe(`${firstTen}${digit}`);
  });

  it('refuses anything but ten ASCII digits', () => {
    expect(() => residentCodeCheckDigit('123456789')).toThrow(RangeError);
    expect(() => residentCodeCheckDigit('12345678901')).toThrow(RangeError);
    expect(() => residentCodeCheckDigit('123456789a')).toThrow(RangeError);
    expect(() => residentCodeCheckDigit('１２３４５６７８９０')).toThrow(RangeError);
  });
});

describe('checkResidentCode', () => {
  it('accepts a code whose check digit is right', () => {
    expect(checkResidentCode('12345678903')).toEqual({ ok: true, code: '12345678903' });
    expect(checkResidentCode('00000000051')).toEqual({ ok: true, code: '00000000051' });
    expect(checkResidentCode('31415926530')).toEqual({ ok: true, code: '31415926530' });
  });

  it('accepts full-width digits, spaces and hyphens as typed at a counter', () => {
    expect(checkResidentCode('１２３４５６７８９０３')).toEqual({ ok: true, code: '12345678903' });
    expect(checkResidentCode('１２３４　５６７８－９０３')).toEqual({ ok: true, code: '12345678903' });
    expect(checkResidentCode(' 1234-5678-903 ')).toEqual({ ok: true, code: '12345678903' });
  });

  it('refuses every wrong check digit, with a message that does not repeat the code', () => {
    for (let d = 0; d <= 9; d++) {
      if (d === 3) continue;
      const r = checkResidentCode(`1234567890${d}`);
      expect(r).toMatchObject({ ok: false, reason: 'check-digit' });
      if (!r.ok) {
        expect(r.message).toContain('検査数字');
        expect(r.message).not.toMatch(/\d{4}/);
      }
    }
  });

  it('refuses a transposition of two digits (the weights catch it)', () => {
    expect(checkResidentCode('21345678903').ok).toBe(false);
  });

  it.each(['1234567890', '123456789031', '1234567890X', '', 'abcdefghijk', '12345678903\u0000'])(
    'refuses %j as not 11 digits',
    (input) => {
      expect(checkResidentCode(input)).toMatchObject({ ok: false, reason: 'not-11-digits' });
    },
  );
});

describe('maskResidentCode', () => {
  it('shows only the last four digits', () => {
    expect(maskResidentCode('12345678903')).toBe('●●●●●●●8903');
    expect(maskResidentCode('12345678903')).not.toContain('1234567');
  });
});
