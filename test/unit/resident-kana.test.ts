// The kana search key (normalizeKana) and the kana-field check (isKanaQuery): every way a counter
// receives a name in kana must give the same key, and only kana may be typed into the kana field.
import { describe, expect, it } from 'vitest';
import { isKanaQuery, normalizeKana } from '../../src/domain/resident/kana';

describe('normalizeKana', () => {
  it.each([
    // hiragana, katakana, half-width katakana (with separate voicing marks) all meet
    ['やまだ たろう', 'ヤマダタロウ'],
    ['ヤマダ タロウ', 'ヤマダタロウ'],
    ['ﾔﾏﾀﾞ ﾀﾛｳ', 'ヤマダタロウ'],
    ['ﾊﾟﾝﾀﾞ', 'パンダ'],
    // whitespace of every kind, U+3000 included, is removed
    ['　やまだ　　はなこ　', 'ヤマダハナコ'],
    ['やまだ\tはなこ', 'ヤマダハナコ'],
    // small kana → large (registers without small kana spell キャ as キヤ)
    ['きゃのん', 'キヤノン'],
    ['ｷﾔﾉﾝ', 'キヤノン'],
    ['いっとう', 'イツトウ'],
    ['ァィゥェォッャュョヮヵヶ', 'アイウエオツヤユヨワカケ'],
    ['ぁぃぅぇぉっゃゅょゎゕゖ', 'アイウエオツヤユヨワカケ'],
    ['ｧｨｩｪｫｯｬｭｮ', 'アイウエオツヤユヨ'],
    // long vowel marks in any form are removed
    ['さとー', 'サト'],
    ['サト－', 'サト'],
    ['ｻﾄｰ', 'サト'],
    ['サト‐', 'サト'],
    ['サト-', 'サト'],
    ['サト−', 'サト'],
    // ヴ is kept (ヴ and ブ are different names), in every spelling
    ['ヴァイオリン', 'ヴアイオリン'],
    ['ゔぁいおりん', 'ヴアイオリン'],
    ['ｳﾞｧｲｵﾘﾝ', 'ヴアイオリン'],
    ['ブ', 'ブ'],
    // ヰヱヲ as the counter reads them
    ['ヰヱヲ', 'イエオ'],
    ['ゐゑを', 'イエオ'],
    ['ｦ', 'オ'],
    ['ヷヸヹヺ', 'ヴアヴイヴエヴオ'],
    // stand-alone voicing marks typed after the kana
    ['か゛っこう', 'ガツコウ'],
    ['ハ゜ン', 'パン'],
    // iteration marks spelled out
    ['みすゞ', 'ミスズ'],
    ['ミスヾ', 'ミスズ'],
    ['サヽキ', 'ササキ'],
    ['ガヽ', 'ガカ'],
    // middle dots and double hyphens of foreign names are dropped
    ['ジョン・スミス', 'ジヨンスミス'],
    ['ｼﾞｮﾝ･ｽﾐｽ', 'ジヨンスミス'],
    ['ジョン＝スミス', 'ジヨンスミス'],
    // Ainu small katakana
    ['カㇺイ', 'カムイ'],
    // anything that is not kana is dropped; the key may be empty
    ['ーー', ''],
    ['', ''],
    ['abc123', ''],
  ])('%j → %j', (input, key) => {
    expect(normalizeKana(input)).toBe(key);
  });

  it('gives only katakana ア…ヶ (U+30A1–U+30F6) without small kana, and is idempotent', () => {
    const samples = ['やまだ たろう', 'ｷｬﾉﾝ', 'ゔぁ', 'ミスヾ', 'ジョン・スミス', 'さとー', 'ゐゑを'];
    for (const s of samples) {
      const key = normalizeKana(s);
      expect(key).toMatch(/^[\u30a1-\u30f6]*$/u);
      expect(key).not.toMatch(/[ァィゥェォッャュョヮヵヶーヰヱヲ]/u);
      expect(normalizeKana(key)).toBe(key);
    }
  });

  it('katakana and spaces as a directory holds them (the fast path) give the key every step would give', () => {
    // A trailing ー sends the same text down the full path (ー is dropped there): both keys must agree.
    const alphabet = [...Array.from({ length: 0x30f6 - 0x30a1 + 1 }, (_, i) => String.fromCharCode(0x30a1 + i)), '\u3000', ' '];
    for (const ch of alphabet) expect(normalizeKana(ch)).toBe(normalizeKana(`${ch}ー`));
    let seed = 7;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    for (let n = 0; n < 2000; n++) {
      const text = Array.from({ length: 1 + Math.floor(next() * 12) }, () => alphabet[Math.floor(next() * alphabet.length)]!).join('');
      expect(normalizeKana(text)).toBe(normalizeKana(`${text}ー`));
    }
    expect(normalizeKana('ヤマダ\u3000タロウ')).toBe('ヤマダタロウ');
    expect(normalizeKana('キャノン')).toBe('キヤノン');
  });

  it('keeps names apart that differ in more than the folded details', () => {
    expect(normalizeKana('さとう')).not.toBe(normalizeKana('さいとう'));
    expect(normalizeKana('ヴ')).not.toBe(normalizeKana('ブ'));
    expect(normalizeKana('が')).not.toBe(normalizeKana('か'));
    expect(normalizeKana('ぱ')).not.toBe(normalizeKana('ば'));
  });
});

describe('isKanaQuery', () => {
  it.each([
    'やまだ',
    'ヤマダ タロウ',
    'ﾔﾏﾀﾞ ﾀﾛｳ',
    '　やまだ　はなこ　',
    'さとー',
    'ｻﾄｰ',
    'ジョン・スミス',
    'ｼﾞｮﾝ･ｽﾐｽ',
    'か゛っこう',
    'みすゞ',
    'ゔぁ',
    'ーー',
  ])('accepts %j', (input) => {
    expect(isKanaQuery(input)).toBe(true);
  });

  it.each([
    '',
    '   ',
    '　',
    '山田',
    'やまだ太郎',
    'yamada',
    'ヤマダ1',
    'ヤマダ\tタロウ',
    'ヤマダ\u0000',
    'ヤマダ\u200b',
    'やまだ。',
  ])('refuses %j', (input) => {
    expect(isKanaQuery(input)).toBe(false);
  });
});
