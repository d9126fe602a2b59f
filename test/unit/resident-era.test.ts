// Dates of birth in the Japanese eras: parsing what a counter types, refusing dates that do not
// exist (平成31年5月1日 …), and showing them in the era with the western year. The era boundaries
// are asserted day by day on both sides.
import { describe, expect, it } from 'vitest';
import { eraOf, formatJapaneseDate, parseBirthDate } from '../../src/domain/resident/era';

const iso = (input: string, today?: string): string => {
  const r = parseBirthDate(input, today);
  if (!r.ok) throw new Error(`refused ${input}: ${r.message}`);
  return r.iso;
};
const refusal = (input: string, today?: string): string => {
  const r = parseBirthDate(input, today);
  if (r.ok) throw new Error(`accepted ${input} as ${r.iso}`);
  return r.message;
};

describe('era boundaries', () => {
  it.each([
    // [ISO, era, year, formatted]
    ['1868-10-23', '明治', 1, '明治元年10月23日（1868年）'],
    ['1912-07-29', '明治', 45, '明治45年7月29日（1912年）'],
    ['1912-07-30', '大正', 1, '大正元年7月30日（1912年）'],
    ['1926-12-24', '大正', 15, '大正15年12月24日（1926年）'],
    ['1926-12-25', '昭和', 1, '昭和元年12月25日（1926年）'],
    ['1989-01-07', '昭和', 64, '昭和64年1月7日（1989年）'],
    ['1989-01-08', '平成', 1, '平成元年1月8日（1989年）'],
    ['2019-04-30', '平成', 31, '平成31年4月30日（2019年）'],
    ['2019-05-01', '令和', 1, '令和元年5月1日（2019年）'],
  ])('%s is %s %i', (date, era, year, formatted) => {
    expect(eraOf(date)).toEqual({ era, year });
    expect(formatJapaneseDate(date)).toBe(formatted);
  });

  it.each([
    ['明治45年7月29日', '1912-07-29'],
    ['大正元年7月30日', '1912-07-30'],
    ['T1.7.30', '1912-07-30'],
    ['大正15年12月24日', '1926-12-24'],
    ['昭和元年12月25日', '1926-12-25'],
    ['S1.12.25', '1926-12-25'],
    ['昭和64年1月7日', '1989-01-07'],
    ['S64.1.7', '1989-01-07'],
    ['平成元年1月8日', '1989-01-08'],
    ['H1.1.8', '1989-01-08'],
    ['平成31年4月30日', '2019-04-30'],
    ['H31.4.30', '2019-04-30'],
    ['令和元年5月1日', '2019-05-01'],
    ['R1.5.1', '2019-05-01'],
  ])('%s is the last/first day of its era: %s', (input, expected) => {
    expect(iso(input)).toBe(expected);
  });

  it.each([
    ['明治45年7月30日', '明治45年7月30日は存在しません（1912年7月30日からは大正です）。'],
    ['大正元年7月29日', '大正元年7月29日は存在しません（大正は1912年7月30日からです）。'],
    ['大正15年12月25日', '大正15年12月25日は存在しません（1926年12月25日からは昭和です）。'],
    ['昭和元年12月24日', '昭和元年12月24日は存在しません（昭和は1926年12月25日からです）。'],
    ['昭和64年1月8日', '昭和64年1月8日は存在しません（1989年1月8日からは平成です）。'],
    ['平成元年1月7日', '平成元年1月7日は存在しません（平成は1989年1月8日からです）。'],
    ['平成31年5月1日', '平成31年5月1日は存在しません（2019年5月1日からは令和です）。'],
    ['H31.5.1', '平成31年5月1日は存在しません（2019年5月1日からは令和です）。'],
    ['令和1年4月30日', '令和元年4月30日は存在しません（令和は2019年5月1日からです）。'],
    ['R1.4.30', '令和元年4月30日は存在しません（令和は2019年5月1日からです）。'],
    ['昭和65年1月1日', '昭和65年1月1日は存在しません（1989年1月8日からは平成です）。'],
    ['平成32年1月1日', '平成32年1月1日は存在しません（2019年5月1日からは令和です）。'],
    ['明治1年1月1日', '明治元年1月1日は存在しません（明治は1868年10月23日からです）。'],
  ])('refuses %s outside its era', (input, message) => {
    expect(refusal(input)).toBe(message);
  });
});

describe('parseBirthDate: accepted forms', () => {
  it.each([
    'S45.3.1',
    's45/3/1',
    'S45-03-01',
    'S45.03.01',
    '昭和45年3月1日',
    '昭和45年3月1',
    '昭45.3.1',
    '昭45年3月1日',
    'Ｓ４５．３．１',
    'ｓ４５／３／１',
    '昭和４５年３月１日',
    '㍼45年3月1日',
    ' S45.3.1 ',
    'S 45 3 1',
    '昭和 45 年 3 月 1 日',
    '　昭和45年3月1日　',
    'S45ー3ー1',
    '1970-03-01',
    '1970/3/1',
    '1970.3.1',
    '1970年3月1日',
    '１９７０年３月１日',
    '１９７０－０３－０１',
    '19700301',
    '１９７００３０１',
  ])('%j → 1970-03-01', (input) => {
    expect(iso(input)).toBe('1970-03-01');
  });

  it.each([
    ['M45.7.29', '1912-07-29'],
    ['明45.7.29', '1912-07-29'],
    ['明治元年10月23日', '1868-10-23'],
    ['T5.5.5', '1916-05-05'],
    ['大5.5.5', '1916-05-05'],
    ['大正5年5月5日', '1916-05-05'],
    ['h2.2.2', '1990-02-02'],
    ['平2.2.2', '1990-02-02'],
    ['平成元年12月31日', '1989-12-31'],
    ['㍻元年12月31日', '1989-12-31'],
    ['r3.3.3', '2021-03-03'],
    ['令3.3.3', '2021-03-03'],
    ['令和元年5月1日', '2019-05-01'],
    ['㋿元年5月1日', '2019-05-01'],
    ['R元.5.1', '2019-05-01'],
  ])('%j → %s', (input, expected) => {
    expect(iso(input)).toBe(expected);
  });

  it('knows leap years (Gregorian)', () => {
    expect(iso('平成4年2月29日')).toBe('1992-02-29');
    expect(iso('H12.2.29')).toBe('2000-02-29'); // divisible by 400
    expect(iso('2024-02-29')).toBe('2024-02-29');
    expect(refusal('昭和45年2月29日')).toBe('昭和45年2月29日は存在しない日付です。');
    expect(refusal('1900-02-29')).toBe('1900年2月29日は存在しない日付です。'); // divisible by 100
    expect(refusal('明治33年2月29日')).toBe('明治33年2月29日は存在しない日付です。');
  });
});

describe('parseBirthDate: refusals', () => {
  it.each([
    ['昭和45年2月30日', '昭和45年2月30日は存在しない日付です。'],
    ['S45.4.31', '昭和45年4月31日は存在しない日付です。'],
    ['S45.13.1', '昭和45年13月1日は存在しない日付です。'],
    ['S45.0.1', '昭和45年0月1日は存在しない日付です。'],
    ['S45.1.0', '昭和45年1月0日は存在しない日付です。'],
    ['S45.1.32', '昭和45年1月32日は存在しない日付です。'],
    ['1970-02-30', '1970年2月30日は存在しない日付です。'],
    ['19701301', '1970年13月1日は存在しない日付です。'],
    ['S0.1.1', '昭和の年は元年（1年）から入力してください。'],
    ['平成0年1月8日', '平成の年は元年（1年）から入力してください。'],
    ['1868-10-22', '明治（1868年10月23日）より前の日付は扱えません。'],
    ['0000-01-01', '明治（1868年10月23日）より前の日付は扱えません。'],
  ])('%j', (input, message) => {
    expect(refusal(input)).toBe(message);
  });

  it.each(['', '   ', '　'])('empty %j', (input) => {
    expect(refusal(input)).toBe('生年月日を入力してください。');
  });

  it.each(['hello', 'S45', 'S45.3', 'X45.3.1', '昭和四十五年三月一日', '70.3.1', '1970-3', '197003011', 'S45.3.1.2', '1970/03/01 10:00'])(
    'unreadable %j',
    (input) => {
      expect(refusal(input)).toMatch(/^生年月日の形式が正しくありません/);
    },
  );

  it('refuses input over 40 characters, but not 40 characters', () => {
    expect(iso('S45.3.1'.padEnd(40, ' '))).toBe('1970-03-01');
    expect(refusal('S45.3.1'.padEnd(41, ' '))).toBe('生年月日は40文字以内で入力してください。');
    expect(refusal('1'.repeat(10_000))).toBe('生年月日は40文字以内で入力してください。');
  });

  it.each(['S45.3.1\u0000', 'S45\t3\t1', 'S45.3.1\n', '\u202eS45.3.1', 'S45.3\u200b.1', '\u007f1970-03-01'])(
    'refuses control/format characters in %j',
    (input) => {
      expect(refusal(input)).toBe('生年月日に使えない文字（制御文字）が含まれています。');
    },
  );

  it('refuses a date after today only when today is given', () => {
    expect(iso('2030-01-01')).toBe('2030-01-01');
    expect(iso('R12.1.1')).toBe('2030-01-01');
    expect(refusal('2030-01-01', '2026-06-01')).toBe('生年月日が今日より後の日付になっています。');
    expect(refusal('2026-06-02', '2026-06-01')).toBe('生年月日が今日より後の日付になっています。');
    expect(iso('2026-06-01', '2026-06-01')).toBe('2026-06-01');
    expect(iso('R8.5.31', '2026-06-01')).toBe('2026-05-31');
    // an impossible date is still reported as such, not as a future one
    expect(refusal('平成31年5月1日', '2026-06-01')).toMatch(/は存在しません/);
  });

  it('throws on a malformed today (a programming error, not user input)', () => {
    expect(() => parseBirthDate('S45.3.1', '2026/06/01')).toThrow(RangeError);
    expect(() => parseBirthDate('S45.3.1', '2026-02-30')).toThrow(RangeError);
  });
});

describe('formatJapaneseDate and eraOf', () => {
  it.each([
    ['1970-03-01', '昭和45年3月1日（1970年）'],
    ['1945-08-15', '昭和20年8月15日（1945年）'],
    ['2000-02-29', '平成12年2月29日（2000年）'],
    ['2026-01-05', '令和8年1月5日（2026年）'],
    ['1920-11-03', '大正9年11月3日（1920年）'],
    ['1900-01-01', '明治33年1月1日（1900年）'],
  ])('%s → %s', (date, formatted) => {
    expect(formatJapaneseDate(date)).toBe(formatted);
  });

  it('round-trips every formatted date through parseBirthDate', () => {
    for (const date of ['1868-10-23', '1912-07-30', '1926-12-25', '1970-03-01', '1989-01-08', '2019-05-01', '2026-12-31']) {
      const text = formatJapaneseDate(date).replace(/（\d+年）$/u, '');
      expect(iso(text)).toBe(date);
    }
  });

  it('shows a date before 明治 in the western form only; eraOf refuses it', () => {
    expect(formatJapaneseDate('1868-10-22')).toBe('1868年10月22日');
    expect(() => eraOf('1868-10-22')).toThrow(RangeError);
  });

  it.each(['1970-3-1', '1970-02-30', 'S45.3.1', '', '19700301'])('throws on a malformed ISO date %j', (bad) => {
    expect(() => formatJapaneseDate(bad)).toThrow(RangeError);
    expect(() => eraOf(bad)).toThrow(RangeError);
  });
});
