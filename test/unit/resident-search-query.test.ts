// The search form → criteria (parseSearchInput), the keys a replica indexes (residentKeys), and the
// matching rule (matches). Bad input gets a field and a clear message, never an exception.
import { describe, expect, it } from 'vitest';
import { matches, parseSearchInput, residentKeys, type SearchCriteria } from '../../src/domain/resident/search-query';

const VALID_CODE = '12345678903'; // check digit 3 (see resident-code.test.ts)

const criteriaOf = (input: Parameters<typeof parseSearchInput>[0], today?: string) => {
  const r = parseSearchInput(input, today);
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r;
};
const errorsOf = (input: Parameters<typeof parseSearchInput>[0], today?: string) => {
  const r = parseSearchInput(input, today);
  if (r.ok) throw new Error(`accepted: ${r.summary}`);
  return r.errors;
};

describe('parseSearchInput', () => {
  it('normalises every field', () => {
    const r = criteriaOf({ kana: 'ﾀｶﾊｼ ｲﾁﾛｰ', name: '髙橋　一郎', birth: 'S45.3.1', address: '櫻ヶ丘１－２', code: '１２３４５６７８９０３' });
    expect(r.criteria).toEqual({ kana: 'タカハシイチロ', name: '高橋一郎', birthDate: '1970-03-01', address: '桜ケ丘1-2', code: VALID_CODE });
    expect(r.summary).toBe('kana+name+birthDate+address+code');
  });

  it.each([
    [{ kana: 'やまだ' }, { kana: 'ヤマダ' }, 'kana'],
    [{ name: '渡邊' }, { name: '渡辺' }, 'name'],
    [{ birth: '平成元年1月8日' }, { birthDate: '1989-01-08' }, 'birthDate'],
    [{ code: VALID_CODE }, { code: VALID_CODE }, 'code'],
    [{ kana: 'やまだ', birth: 'S45.3.1' }, { kana: 'ヤマダ', birthDate: '1970-03-01' }, 'kana+birthDate'],
    [{ name: '山田', birth: '1970-03-01' }, { name: '山田', birthDate: '1970-03-01' }, 'name+birthDate'],
    [{ address: '久美山町', name: '山田' }, { name: '山田', address: '久美山町' }, 'name+address'],
    [{ address: '久美山町', code: VALID_CODE }, { address: '久美山町', code: VALID_CODE }, 'address+code'],
  ])('%j → %j (%s)', (input, criteria, summary) => {
    const r = criteriaOf(input);
    expect(r.criteria).toEqual(criteria);
    expect(r.summary).toBe(summary);
  });

  it('blank fields count as absent', () => {
    const r = criteriaOf({ kana: '　', name: '  ', birth: '', address: undefined, code: VALID_CODE });
    expect(r.criteria).toEqual({ code: VALID_CODE });
    expect(r.summary).toBe('code');
  });

  it('the summary never contains the values', () => {
    const r = criteriaOf({ kana: 'やまだ', name: '山田', birth: 'S45.3.1', address: '久美山町', code: VALID_CODE });
    for (const value of ['ヤマダ', '山田', '1970', '久美山', '1234', 'やまだ']) expect(r.summary).not.toContain(value);
    expect(r.summary).toMatch(/^[a-zA-Z+]+$/);
  });

  it('needs at least one criterion', () => {
    expect(errorsOf({})).toEqual([{ field: 'kana', message: '検索条件を1つ以上入力してください。' }]);
    expect(errorsOf({ kana: ' ', name: '　' })).toEqual([{ field: 'kana', message: '検索条件を1つ以上入力してください。' }]);
  });

  it('refuses an address alone as too broad', () => {
    const errors = errorsOf({ address: '久美山町1丁目' });
    expect(errors).toHaveLength(1);
    expect(errors[0]!.field).toBe('address');
    expect(errors[0]!.message).toMatch(/^住所だけでは検索できません/);
  });

  it('refuses a kana field that is not kana', () => {
    expect(errorsOf({ kana: '山田' })).toEqual([{ field: 'kana', message: 'ふりがなはひらがなかカタカナで入力してください。' }]);
    expect(errorsOf({ kana: 'yamada' })[0]!.field).toBe('kana');
  });

  it('refuses a kana or name that normalises to nothing', () => {
    expect(errorsOf({ kana: 'ーー' })[0]).toMatchObject({ field: 'kana', message: expect.stringMatching(/1文字以上/) });
    expect(errorsOf({ name: '\u{E0100}' })[0]).toMatchObject({ field: 'name', message: '氏名を1文字以上入力してください。' });
  });

  it('passes on the birth-date message', () => {
    expect(errorsOf({ kana: 'やまだ', birth: '平成31年5月1日' })).toEqual([
      { field: 'birth', message: '平成31年5月1日は存在しません（2019年5月1日からは令和です）。' },
    ]);
    expect(errorsOf({ birth: '2030-01-01' }, '2026-06-01')).toEqual([
      { field: 'birth', message: '生年月日が今日より後の日付になっています。' },
    ]);
    expect(criteriaOf({ birth: '2030-01-01' }).criteria).toEqual({ birthDate: '2030-01-01' });
  });

  it('passes on the resident-code message for a wrong check digit or length', () => {
    expect(errorsOf({ code: '12345678904' })).toEqual([
      { field: 'code', message: '住民票コードの検査数字が一致しません。入力を確かめてください。' },
    ]);
    expect(errorsOf({ code: '1234' })).toEqual([{ field: 'code', message: '住民票コードは11桁の数字で入力してください。' }]);
  });

  it('refuses overlong fields: 100 characters (address 200), counted in characters', () => {
    expect(criteriaOf({ name: '山'.repeat(100) }).criteria.name).toHaveLength(100);
    expect(errorsOf({ name: '山'.repeat(101) })).toEqual([{ field: 'name', message: '氏名は100文字以内で入力してください。' }]);
    expect(errorsOf({ kana: 'あ'.repeat(101) })).toEqual([{ field: 'kana', message: 'ふりがなは100文字以内で入力してください。' }]);
    expect(errorsOf({ birth: '1'.repeat(101) })[0]!.message).toBe('生年月日は100文字以内で入力してください。');
    expect(errorsOf({ code: '1'.repeat(101) })[0]!.message).toBe('住民票コードは100文字以内で入力してください。');
    expect(criteriaOf({ name: '山田', address: '町'.repeat(200) }).criteria.address).toHaveLength(200);
    expect(errorsOf({ name: '山田', address: '町'.repeat(201) })).toEqual([{ field: 'address', message: '住所は200文字以内で入力してください。' }]);
    // 100 surrogate pairs are 100 characters, not 200
    expect(criteriaOf({ name: '𠮷'.repeat(100) }).criteria.name).toBe('吉'.repeat(100));
    // a huge paste is refused quickly, not processed
    expect(errorsOf({ name: 'x'.repeat(1_000_000) })[0]!.field).toBe('name');
  });

  it.each([
    ['kana', 'やま\u0000だ'],
    ['name', '山田\n'],
    ['name', '山\u202e田'],
    ['name', '山\u200b田'],
    ['address', '久美山\u0007町'],
    ['code', '1234567890\u00003'],
    ['birth', 'S45.3.1\u0000'],
  ] as const)('refuses control characters in %s', (field, value) => {
    const errors = errorsOf({ name: '山田', [field]: value });
    expect(errors).toHaveLength(1);
    expect(errors[0]!.field).toBe(field);
    expect(errors[0]!.message).toMatch(/制御文字/);
  });

  it('reports every bad field at once', () => {
    const errors = errorsOf({ kana: 'abc', name: '山'.repeat(101), birth: 'S64.1.8', code: '12345678900' });
    expect(errors.map((e) => e.field)).toEqual(['kana', 'name', 'birth', 'code']);
  });

  it('never throws on hostile input', () => {
    const hostile = ['\uD800', '\uDFFF\uD800', '%00', '<script>', "'; DROP TABLE--", '\u0085', '𠮷'.repeat(50)];
    for (const h of hostile) {
      for (const field of ['kana', 'name', 'birth', 'address', 'code'] as const) {
        expect(() => parseSearchInput({ [field]: h, name: field === 'name' ? h : '山田' }, '2026-06-01')).not.toThrow();
      }
    }
  });
});

describe('residentKeys', () => {
  it('builds the kana, name and address keys with the same normalisers as the query', () => {
    expect(residentKeys({ name: '髙橋 一郎', kana: 'タカハシ イチロウ', birthDate: '1970-03-01', address: '久美山町櫻ヶ丘一丁目2番3号' })).toEqual({
      kanaKey: 'タカハシイチロウ',
      nameKey: '高橋一郎',
      addressKey: '久美山町桜ケ丘1丁目2番3号',
    });
  });

  it('with criteria, computes only the keys they use, and matches exactly as the full keys do', () => {
    const r = { name: '髙橋 一郎', kana: 'タカハシ イチロウ', birthDate: '1970-03-01', address: '久美山町櫻ヶ丘一丁目2番3号' };
    expect(residentKeys(r, criteriaOf({ kana: 'たかはし' }).criteria)).toEqual({ kanaKey: 'タカハシイチロウ', nameKey: '', addressKey: '' });
    expect(residentKeys(r, criteriaOf({ name: '高橋', address: '桜ケ丘' }).criteria)).toEqual({ kanaKey: '', nameKey: '高橋一郎', addressKey: '久美山町桜ケ丘1丁目2番3号' });
    const inputs: Parameters<typeof parseSearchInput>[0][] = [
      { kana: 'たかはし' }, { kana: 'やまだ' }, { name: '高橋' }, { name: '高橋', address: '二丁目' }, { name: '高橋', address: '桜ケ丘' },
      { birth: 'S45.3.1' }, { kana: 'たかはし', birth: 'S45.3.2' }, { code: VALID_CODE }, { name: '髙橋', code: VALID_CODE },
    ];
    for (const input of inputs) {
      const c = criteriaOf(input).criteria;
      const extra = { birthDate: r.birthDate, code: VALID_CODE };
      expect(matches(c, { ...residentKeys(r, c), ...extra }), JSON.stringify(input)).toBe(matches(c, { ...residentKeys(r), ...extra }));
    }
  });
});

describe('matches', () => {
  const resident = { name: '髙橋 一郎', kana: 'タカハシ イチロウ', birthDate: '1970-03-01', address: '久美山町櫻ヶ丘一丁目2番3号' };
  const keys = { ...residentKeys(resident), birthDate: resident.birthDate, code: VALID_CODE };
  const search = (input: Parameters<typeof parseSearchInput>[0]): boolean => matches(criteriaOf(input).criteria, keys);

  it('kana: prefix of the key, typed in any kana form', () => {
    expect(search({ kana: 'たかはし' })).toBe(true);
    expect(search({ kana: 'ﾀｶﾊｼ ｲﾁ' })).toBe(true);
    expect(search({ kana: 'タカハシイチロウ' })).toBe(true);
    expect(search({ kana: 'イチロウ' })).toBe(false); // given name alone is not a prefix
    expect(search({ kana: 'たかはしいちろうた' })).toBe(false);
  });

  it('name: prefix, family name first, variant kanji either way', () => {
    expect(search({ name: '高橋' })).toBe(true);
    expect(search({ name: '髙橋' })).toBe(true);
    expect(search({ name: '高橋 一郎' })).toBe(true);
    expect(search({ name: '一郎' })).toBe(false);
    expect(search({ name: '高田' })).toBe(false);
  });

  it('address: substring', () => {
    expect(search({ name: '高橋', address: '桜ケ丘' })).toBe(true);
    expect(search({ name: '高橋', address: '櫻ヶ丘1丁目' })).toBe(true);
    expect(search({ name: '高橋', address: '一丁目2番' })).toBe(true);
    expect(search({ name: '高橋', address: '二丁目' })).toBe(false);
  });

  it('birth date and code: equality', () => {
    expect(search({ birth: '昭和45年3月1日' })).toBe(true);
    expect(search({ birth: 'S45.3.2' })).toBe(false);
    expect(search({ code: VALID_CODE })).toBe(true);
    expect(search({ code: '00000000051' })).toBe(false);
  });

  it('every criterion must hold (AND)', () => {
    expect(search({ kana: 'たかはし', birth: 'S45.3.1' })).toBe(true);
    expect(search({ kana: 'たかはし', birth: 'S45.3.2' })).toBe(false);
    expect(search({ kana: 'やまだ', birth: 'S45.3.1' })).toBe(false);
    expect(search({ name: '高橋', code: '00000000051' })).toBe(false);
  });

  it('empty criteria match nothing', () => {
    expect(matches({}, keys)).toBe(false);
    const empty: SearchCriteria = { kana: '', name: '' };
    expect(matches(empty, keys)).toBe(false);
  });
});
