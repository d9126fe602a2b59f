// The search key for names and addresses written in kanji. The register keeps a name exactly as
// registered (髙橋, 渡邊, 齋藤), but at the counter the operator types whatever the IME offers first
// (高橋, 渡辺, 斎藤), or reads it off a document in another form. The key folds old and variant forms
// (旧字体・異体字) into one standard form, so both are found together; the record itself keeps its
// own characters and is shown as registered.
//
// Folding is for SEARCH ONLY. Some pairs below are different characters in law and in the family
// register (斉藤 and 斎藤, 冨田 and 富田, 龍 and 竜 are distinct names); counters still look them up
// together because residents and documents mix them up, and the operator then compares the record
// shown with the document in hand. A search that finds one extra candidate is checked by a person;
// a search that misses the registered spelling sends the resident away. Pure.

// One entry per variant → standard. Characters that NFKC already maps (the CJK compatibility
// ideographs such as U+FA4A 琢 → 琢, U+FA12 晴 → 晴, U+FA10 塚 → 塚) need no entry; 﨑 (U+FA11) is one of
// the twelve compatibility-block ideographs without a decomposition, so it needs one. 𠮷 (U+20BB7,
// つちよし) lies outside the BMP: the table is keyed by code point, never by UTF-16 unit.
// No standard form is itself a key, so folding twice gives the same result.
const VARIANT_PAIRS: readonly (readonly [variant: string, standard: string])[] = [
  // The issue's own examples and the surnames counters meet daily.
  ['髙', '高'], // はしご高
  ['﨑', '崎'], ['嵜', '崎'], // たつさき; 埼 is a different character (埼玉) and stays
  ['邊', '辺'], ['邉', '辺'],
  ['齋', '斎'], ['齊', '斎'], ['斉', '斎'], // 斉藤/斎藤 differ legally: folded for search only. 齎 (もたらす) is unrelated and stays
  ['澤', '沢'], ['國', '国'], ['濱', '浜'], ['濵', '浜'], ['廣', '広'],
  ['嶋', '島'], ['嶌', '島'],
  ['櫻', '桜'], ['藏', '蔵'], ['眞', '真'], ['德', '徳'], ['惠', '恵'], ['壽', '寿'],
  ['龍', '竜'], // distinct in the register; searched together at the counter
  ['實', '実'], ['圓', '円'], ['淺', '浅'], ['曾', '曽'], ['髮', '髪'],
  ['冨', '富'], // 冨田/富田 differ legally: folded for search only
  ['桒', '桑'], ['𠮷', '吉'], ['𡈽', '土'], ['栁', '柳'], ['舘', '館'], ['槇', '槙'], ['穗', '穂'],
  // Further old forms common in names and place names.
  ['瀨', '瀬'], ['峯', '峰'], ['嶽', '岳'], ['檜', '桧'], ['靜', '静'], ['淸', '清'], ['靑', '青'],
  ['黑', '黒'], ['豐', '豊'], ['榮', '栄'], ['彌', '弥'], ['萬', '万'], ['與', '与'], ['條', '条'],
  ['傳', '伝'], ['關', '関'], ['縣', '県'], ['寶', '宝'], ['寳', '宝'], ['佛', '仏'], ['學', '学'],
  ['會', '会'], ['來', '来'], ['莊', '荘'], ['鐵', '鉄'], ['聰', '聡'], ['禮', '礼'], ['戶', '戸'],
  ['晉', '晋'], ['巖', '巌'], ['恆', '恒'], ['亞', '亜'], ['澁', '渋'], ['濟', '済'], ['當', '当'],
  ['鄕', '郷'], ['奧', '奥'], ['將', '将'], ['樂', '楽'], ['區', '区'], ['兒', '児'], ['稻', '稲'],
  ['愼', '慎'], ['顯', '顕'], ['驛', '駅'], ['增', '増'], ['繪', '絵'], ['鷗', '鴎'], ['凜', '凛'],
  ['昻', '昂'], ['舩', '船'], ['邨', '村'], ['蘆', '芦'],
];

/** Old/variant kanji → the standard form searched with (see VARIANT_PAIRS for what is folded and why). */
export const KANJI_VARIANTS: ReadonlyMap<string, string> = new Map(VARIANT_PAIRS);

// Ideographic variation selectors (IVS, U+E0100–E01EF) and standard variation selectors
// (U+FE00–FE0F) pick a glyph — the one-dot 辻, one of the many 邉 — not a character: drop them.
const WHITESPACE_AND_SELECTORS = /[\s\ufe00-\ufe0f\u{e0100}-\u{e01ef}]/gu;

// Dashes typed in addresses (1−2−3, 1‐2‐3, 1－2－3 → NFKC 1-2-3) all become '-'. ー between
// digits is the IME's long vowel mark standing for a hyphen (1ー2ー3); elsewhere ー is part of a
// katakana name (ヨーコ) and stays.
const DASHES = /[‐‑‒–—―−]/gu;
const LONG_MARK_BETWEEN_DIGITS = /(?<=\d)ー(?=\d)/gu;

// 一丁目 and 1丁目 are the same place: a kanji number right before 丁目 is written in digits.
const KANJI_DIGITS: ReadonlyMap<string, number> = new Map([
  ['一', 1], ['二', 2], ['三', 3], ['四', 4], ['五', 5], ['六', 6], ['七', 7], ['八', 8], ['九', 9],
]);
const KANJI_NUMBER_BEFORE_CHOME = /([一二三四五六七八九十]+)丁目/gu;

/** 一…九十九 in kanji (十, 二十三, 四十) → its value, or null when it is not such a number. */
function kanjiNumber(text: string): number | null {
  const m = /^([一二三四五六七八九])?(十)?([一二三四五六七八九])?$/u.exec(text);
  if (!m || (m[2] === undefined && (m[1] === undefined || m[3] !== undefined))) return null;
  if (m[2] === undefined) return KANJI_DIGITS.get(m[1]!)!;
  const tens = m[1] === undefined ? 1 : KANJI_DIGITS.get(m[1])!;
  const ones = m[3] === undefined ? 0 : KANJI_DIGITS.get(m[3])!;
  return tens * 10 + ones;
}

// Built from the table; `u` so that 𠮷 and 𡈽 (surrogate pairs) are one class member each.
const VARIANT = new RegExp(`[${[...KANJI_VARIANTS.keys()].join('')}]`, 'gu');

/** 々 repeats the character before it (佐々木 → 佐佐木); at the start it stays. */
function expandIterationMark(text: string): string {
  let out = '';
  let previous = '';
  for (const ch of text) {
    // for…of walks code points, so a repeated 𠮷 is repeated whole.
    const c = ch === '々' && previous !== '' ? previous : ch;
    out += c;
    previous = c;
  }
  return out;
}

/**
 * The search key of a name or an address: NFKC (full-width letters and digits → ASCII, half-width
 * katakana → full width, compatibility ideographs → unified), whitespace and variation selectors
 * removed, each variant kanji replaced from KANJI_VARIANTS, 々 spelled out (佐々木 → 佐佐木, so both
 * spellings meet), ヶ → ケ (霞ヶ関/霞ケ関), dashes → '-', a kanji number before 丁目 → digits, latin
 * letters upper-cased (romanised foreign names). Idempotent.
 */
export function foldName(input: string): string {
  // A replica computes this for the name and the address of every resident it loads: the steps
  // that rarely apply are skipped when their character is absent.
  let text = input
    .normalize('NFKC')
    .replace(WHITESPACE_AND_SELECTORS, '')
    .replace(DASHES, '-')
    .replace(VARIANT, (ch) => KANJI_VARIANTS.get(ch)!)
    .toUpperCase();
  if (text.includes('ー')) text = text.replace(LONG_MARK_BETWEEN_DIGITS, '-');
  if (text.includes('ヶ')) text = text.replaceAll('ヶ', 'ケ');
  if (text.includes('々')) text = expandIterationMark(text);
  if (text.includes('丁目')) {
    text = text.replace(KANJI_NUMBER_BEFORE_CHOME, (whole, number: string) => {
      const value = kanjiNumber(number);
      return value === null ? whole : `${value}丁目`;
    });
  }
  return text;
}
