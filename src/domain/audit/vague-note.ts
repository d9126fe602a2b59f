// Whether a purpose note says what the case is. A note is vague when, without whitespace,
// punctuation and symbols, it is shorter than minNoteChars, is one character repeated, or leaves
// fewer than minSpecificNoteChars once the generic words (確認, 照会, テスト, なし, 念のため …) are removed.
import type { AuditConfig } from './config';

const meaningful = (text: string): string => text.normalize('NFKC').replace(/[\s\p{P}\p{S}]/gu, '');

/** Memo of noteKey and isVagueNote (pure functions of their input; bounded). */
const MEMO_MAX = 200_000;
const keyMemo = new Map<string, string>();

export function noteKey(note: string): string {
  let key = keyMemo.get(note);
  if (key === undefined) {
    if (keyMemo.size >= MEMO_MAX) keyMemo.clear();
    key = meaningful(note).toUpperCase();
    keyMemo.set(note, key);
  }
  return key;
}

const sortedWords = new WeakMap<readonly string[], string[]>();

/** Longest first, so that 念のため goes before ため (cached per word list). */
function wordsOf(list: readonly string[]): string[] {
  let words = sortedWords.get(list);
  if (!words) {
    words = list.map((w) => noteKey(w)).filter((w) => w !== '').sort((a, b) => b.length - a.length);
    sortedWords.set(list, words);
  }
  return words;
}

const vagueMemo = new WeakMap<readonly string[], Map<string, boolean>>();

export function isVagueNote(note: string | null, config: Pick<AuditConfig, 'minNoteChars' | 'minSpecificNoteChars' | 'genericNoteWords'>): boolean {
  if (note === null) return true;
  let memo = vagueMemo.get(config.genericNoteWords);
  if (!memo || memo.size >= MEMO_MAX) vagueMemo.set(config.genericNoteWords, (memo = new Map()));
  const memoKey = `${config.minNoteChars}\u0000${config.minSpecificNoteChars}\u0000${note}`;
  let vague = memo.get(memoKey);
  if (vague === undefined) {
    vague = vagueOf(note, config);
    memo.set(memoKey, vague);
  }
  return vague;
}

/** Characters (code points, what [...s].length counts) without building the array: a month's notes are tens of thousands. */
function charCount(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++, n++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) i++;
    }
  }
  return n;
}

/** One character repeated (ああああ), not empty. */
function oneCharRepeated(s: string): boolean {
  const first = s.codePointAt(0);
  if (first === undefined) return false;
  const width = first > 0xffff ? 2 : 1;
  for (let i = width; i < s.length; i += width) if (s.codePointAt(i) !== first) return false;
  return true;
}

function vagueOf(note: string, config: Pick<AuditConfig, 'minNoteChars' | 'minSpecificNoteChars' | 'genericNoteWords'>): boolean {
  const core = noteKey(note);
  if (charCount(core) < config.minNoteChars) return true;
  if (oneCharRepeated(core)) return true;
  let rest = core;
  for (const word of wordsOf(config.genericNoteWords)) if (rest.includes(word)) rest = rest.split(word).join('');
  return charCount(rest) < config.minSpecificNoteChars;
}
