// The search key for names in kana (ふりがな). The same function builds the key a replica indexes
// and the key a typed query is looked up with, so whatever it folds together is found together.
// Counters receive kana in every form: hiragana from the IME, half-width katakana from old systems
// and printed forms, small kana written large (ｷﾔﾉﾝ for キャノン), long vowel marks typed or left out.
// So the key keeps only what tells names apart and drops the rest. Pure.

// Hiragana that have a katakana twin exactly 0x60 code points higher (ぁ…ゖ, ゝ, ゞ).
const HIRAGANA = /[\u3041-\u3096\u309d\u309e]/gu;
const toKatakana = (ch: string): string => String.fromCharCode(ch.charCodeAt(0) + 0x60);

// Small kana → large. Registers written before small kana were printable (and half-width ｯｬｭｮ
// data) spell キャ as キヤ, so both must give the same key. ヰヱヲ are read イエオ at the counter,
// and the voiced ヷヸヹヺ are ヴァ ヴィ ヴェ ヴォ, i.e. (small kana folded) ヴア ヴイ ヴエ ヴオ.
// ㇰ…ㇿ are the small katakana of Ainu names (U+31F0…). ヴ stays ヴ: ヴ and ブ are different names.
const FOLD: ReadonlyMap<string, string> = new Map([
  ['ァ', 'ア'], ['ィ', 'イ'], ['ゥ', 'ウ'], ['ェ', 'エ'], ['ォ', 'オ'],
  ['ッ', 'ツ'], ['ャ', 'ヤ'], ['ュ', 'ユ'], ['ョ', 'ヨ'], ['ヮ', 'ワ'], ['ヵ', 'カ'], ['ヶ', 'ケ'],
  ['ㇰ', 'ク'], ['ㇱ', 'シ'], ['ㇲ', 'ス'], ['ㇳ', 'ト'], ['ㇴ', 'ヌ'], ['ㇵ', 'ハ'], ['ㇶ', 'ヒ'], ['ㇷ', 'フ'],
  ['ㇸ', 'ヘ'], ['ㇹ', 'ホ'], ['ㇺ', 'ム'], ['ㇻ', 'ラ'], ['ㇼ', 'リ'], ['ㇽ', 'ル'], ['ㇾ', 'レ'], ['ㇿ', 'ロ'],
  ['ヰ', 'イ'], ['ヱ', 'エ'], ['ヲ', 'オ'],
  ['ヷ', 'ヴア'], ['ヸ', 'ヴイ'], ['ヹ', 'ヴエ'], ['ヺ', 'ヴオ'],
]);

// Built from the table so the two cannot drift apart; `u` because the class holds ㇰ…ㇿ.
const FOLDABLE = new RegExp(`[${[...FOLD.keys()].join('')}]`, 'gu');
const HAS_FOLDABLE = new RegExp(`[${[...FOLD.keys()].join('')}]`, 'u');
/** Key katakana (ア…ヶ) and spaces only: normalizeKana's fast path (when none of them is foldable). */
const PLAIN_KEY_TEXT = /^[\u30a1-\u30f6\u3000 ]*$/u;
const SPACES = /[\u3000 ]/gu;
/** Everything but ア…ヶ (U+30A1–U+30F6), the only characters a key is made of. */
const NOT_KEY = /[^\u30a1-\u30f6]/gu;
const isKeyKatakana = (ch: string): boolean => ch >= '\u30a1' && ch <= '\u30f6';

const COMBINING_VOICED = '\u3099';

/** The unvoiced form of a katakana (ガ → カ), by canonical decomposition. */
const unvoiced = (ch: string): string => ch.normalize('NFD').charAt(0);

/** The voiced form (カ → ガ, ウ → ヴ) when Unicode has one, otherwise the character itself. */
function voiced(ch: string): string {
  const composed = (unvoiced(ch) + COMBINING_VOICED).normalize('NFC');
  return composed.length === 1 ? composed : ch;
}

/** ヽ repeats the kana before it unvoiced, ヾ voiced (サヽキ → ササキ, ミスヾ → ミスズ); with no kana before, dropped. */
function expandIterationMarks(text: string): string {
  let out = '';
  let previous = '';
  for (const ch of text) {
    if (ch === 'ヽ' || ch === 'ヾ') {
      if (previous === '') continue;
      const repeated = ch === 'ヽ' ? unvoiced(previous) : voiced(previous);
      out += repeated;
      previous = repeated;
    } else {
      out += ch;
      if (isKeyKatakana(ch)) previous = ch;
    }
  }
  return out;
}

/**
 * The kana search key: NFKC (half-width → full-width katakana), hiragana → katakana, every
 * whitespace (U+3000 too) removed, stand-alone ゛゜ joined to their kana, small kana → large,
 * ヰヱヲ → イエオ, the iteration marks ヽヾ (ゝゞ) spelled out (ミスヾ → ミスズ), and everything that is
 * not katakana dropped — long vowel marks (ー ｰ － ‐ …), middle dots, hyphens, digits, latin letters.
 * The result contains only ア…ン and ヴ (U+30A1–U+30F6 less the small kana); it may be empty.
 */
export function normalizeKana(input: string): string {
  // What a directory holds (full-width katakana, no small kana, spaces between the names) is its own
  // key once the spaces are gone: every step below leaves such text as it is.
  if (PLAIN_KEY_TEXT.test(input) && !HAS_FOLDABLE.test(input)) return input.replace(SPACES, '');
  // NFKC turns ｶﾞ into ガ, but a stand-alone ゛ into a space + U+3099: strip the space, then
  // compose once more (NFC) so that カ゛ and か゛ become ガ as well. Each step is a single regex
  // pass: a replica computes this key for every resident it loads.
  let text = input.normalize('NFKC').replace(/\s/gu, '');
  text = text.replace(HIRAGANA, toKatakana).normalize('NFC').replace(FOLDABLE, (ch) => FOLD.get(ch)!);
  if (text.includes('ヽ') || text.includes('ヾ')) text = expandIterationMarks(text);
  return text.replace(NOT_KEY, '');
}

// What a kana field may contain: hiragana (with ゝゞゟ and the voicing marks), katakana (full
// width, the Ainu small ones, half width), long vowel marks as typed (ー ｰ and the hyphen/dash/wave
// forms people use for them), the middle dot and the double hyphen of foreign names (・ ･ ゠ ＝ =),
// and spaces between family and given name.
const KANA_QUERY = /^[\u3041-\u3096\u3099-\u309f\u30a0-\u30ff\u31f0-\u31ff\uff65-\uff9f\-－‐‑−〜～=＝ \u3000]+$/u;

/**
 * True when the input, after trimming spaces, is non-empty and made only of hiragana/katakana (full
 * or half width), prolonged sound marks, middle dots and spaces. It does not promise a non-empty
 * key: "ーー" is kana, but normalizeKana gives ''.
 */
export function isKanaQuery(input: string): boolean {
  const trimmed = input.replace(/^[ \u3000]+|[ \u3000]+$/gu, '');
  return trimmed !== '' && KANA_QUERY.test(trimmed);
}
