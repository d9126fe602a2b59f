// The kanji search key (foldName): old and variant forms fold to one standard form so that the
// registered spelling is found whatever the operator types. The table below is written out by hand
// (with code points where the glyphs look alike) and is not derived from KANJI_VARIANTS.
import { describe, expect, it } from 'vitest';
import { KANJI_VARIANTS, foldName } from '../../src/domain/resident/kanji-variants';

const cp = (s: string): string[] => [...s].map((c) => `U+${c.codePointAt(0)!.toString(16).toUpperCase()}`);

describe('the variant table', () => {
  it.each([
    ['髙', '高'],
    ['﨑', '崎'],
    ['嵜', '崎'],
    ['邊', '辺'],
    ['邉', '辺'],
    ['齋', '斎'],
    ['齊', '斎'],
    ['斉', '斎'],
    ['澤', '沢'],
    ['國', '国'],
    ['濱', '浜'],
    ['濵', '浜'],
    ['廣', '広'],
    ['嶋', '島'],
    ['嶌', '島'],
    ['櫻', '桜'],
    ['藏', '蔵'],
    ['眞', '真'],
    ['德', '徳'],
    ['惠', '恵'],
    ['壽', '寿'],
    ['龍', '竜'],
    ['實', '実'],
    ['圓', '円'],
    ['淺', '浅'],
    ['曾', '曽'],
    ['髮', '髪'],
    ['冨', '富'],
    ['桒', '桑'],
    ['𠮷', '吉'],
    ['栁', '柳'],
    ['舘', '館'],
    ['槇', '槙'],
    ['穗', '穂'],
  ])('%s → %s', (variant, standard) => {
    expect(variant).not.toBe(standard);
    expect(KANJI_VARIANTS.get(variant)).toBe(standard);
    expect(foldName(variant)).toBe(standard);
    expect(foldName(standard)).toBe(standard);
  });

  it('the look-alikes are the intended code points', () => {
    expect(cp('髙')).toEqual(['U+9AD9']);
    expect(cp('﨑')).toEqual(['U+FA11']);
    expect(cp('德')).toEqual(['U+5FB7']);
    expect(cp('曾')).toEqual(['U+66FE']);
    expect(cp('𠮷')).toEqual(['U+20BB7']);
    expect(cp(foldName('𠮷'))).toEqual(['U+5409']);
  });

  it('every entry folds as listed, no standard form is itself folded, and folding is idempotent', () => {
    expect(KANJI_VARIANTS.size).toBeGreaterThanOrEqual(35);
    for (const [variant, standard] of KANJI_VARIANTS) {
      expect([...variant]).toHaveLength(1);
      expect([...standard]).toHaveLength(1);
      expect(foldName(variant), variant).toBe(standard);
      expect(KANJI_VARIANTS.has(standard), standard).toBe(false);
      expect(foldName(foldName(variant))).toBe(standard);
    }
  });

  it.each([
    ['埼', '埼'], // 埼玉: not 崎
    ['齎', '齎'], // もたらす: not 斎
    ['\u7422', '\u7422'], // 琢
    ['\uFA4A', '\u7422'], // 琢 compatibility ideograph → 琢 (NFKC)
    ['\u6674', '\u6674'], // 晴
    ['\uFA12', '\u6674'], // 晴 compatibility ideograph → 晴 (NFKC)
    ['\uFA10', '\u585A'], // 塚 → 塚
    ['吉', '吉'],
    ['竜', '竜'],
  ])('%s stays / becomes %s', (input, key) => {
    expect(foldName(input)).toBe(key);
  });
});

describe('foldName', () => {
  it.each([
    ['髙橋 一郎', '高橋一郎'],
    ['渡邊', '渡辺'],
    ['渡邉', '渡辺'],
    ['齋藤', '斎藤'],
    ['齊藤', '斎藤'],
    ['斉藤', '斎藤'],
    ['山﨑', '山崎'],
    ['𠮷田　花子', '吉田花子'],
    ['𠮷𠮷', '吉吉'],
    ['長澤まさみ', '長沢まさみ'],
    ['國府田', '国府田'],
    ['佐々木', '佐佐木'],
    ['佐佐木', '佐佐木'],
    ['々', '々'],
    ['ﾀﾅｶ', 'タナカ'],
    ['ＳＭＩＴＨ　John', 'SMITHJOHN'],
    // addresses
    ['久美山町一丁目2番3号', '久美山町1丁目2番3号'],
    ['久美山町十二丁目', '久美山町12丁目'],
    ['久美山町二十三丁目', '久美山町23丁目'],
    ['久美山町1丁目', '久美山町1丁目'],
    ['霞ヶ関', '霞ケ関'],
    ['櫻ヶ丘１－２－３', '桜ケ丘1-2-3'],
    ['桜ケ丘1−2−3', '桜ケ丘1-2-3'],
    ['桜ケ丘1‐2‐3', '桜ケ丘1-2-3'],
    ['桜ケ丘1ー2ー3', '桜ケ丘1-2-3'],
    ['ヨーコ', 'ヨーコ'], // a long vowel mark between kana stays
    ['五十嵐', '五十嵐'], // a kanji number not before 丁目 stays
    ['', ''],
  ])('%j → %j', (input, key) => {
    expect(foldName(input)).toBe(key);
  });

  it('drops variation selectors (one-dot 辻, IVS forms of 邉 and 葛)', () => {
    expect(foldName('辻\u{E0100}')).toBe('辻');
    expect(foldName('渡邉\u{E0108}')).toBe('渡辺');
    expect(foldName('葛\u{E0100}城')).toBe('葛城');
    expect(foldName('\uFE00髙')).toBe('高');
  });

  it('a search typed in either form meets the registered form', () => {
    const registered = ['髙橋', '渡邊', '齋藤', '山﨑', '𠮷田', '長澤', '濵田', '嶋田', '櫻井'];
    const typed = ['高橋', '渡辺', '斎藤', '山崎', '吉田', '長沢', '浜田', '島田', '桜井'];
    registered.forEach((r, i) => expect(foldName(r)).toBe(foldName(typed[i]!)));
  });

  it('does not fold unrelated names together', () => {
    expect(foldName('高橋')).not.toBe(foldName('髙嶋'));
    expect(foldName('埼田')).not.toBe(foldName('崎田'));
    expect(foldName('吉田')).not.toBe(foldName('土田'));
  });

  it('is idempotent', () => {
    for (const s of ['髙橋 一郎', '渡邊', '佐々木', '櫻ヶ丘１－２－３', '一丁目', '𠮷田']) {
      expect(foldName(foldName(s))).toBe(foldName(s));
    }
  });

  it('survives a lone surrogate without throwing', () => {
    expect(() => foldName('\uD842田')).not.toThrow();
  });
});
