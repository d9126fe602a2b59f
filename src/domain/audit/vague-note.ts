// Whether a purpose note says what the case is. A note is vague when, without whitespace,
// punctuation and symbols, it is shorter than minNoteChars, is one character repeated, or leaves
// fewer than minSpecificNoteChars once the generic words (確認, 照会, テスト, なし, 念のため …) are removed.
import type { AuditConfig } from './config';

const meaningful = (text: string): string => text.normalize('NFKC').replace(/[\s\p{P}\p{S}]/gu, '');

export function noteKey(note: string): string {
  return meaningful(note).toUpperCase();
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

export function isVagueNote(note: string | null, config: Pick<AuditConfig, 'minNoteChars' | 'minSpecificNoteChars' | 'genericNoteWords'>): boolean {
  if (note === null) return true;
  const core = noteKey(note);
  const chars = [...core];
  if (chars.length < config.minNoteChars) return true;
  if (new Set(chars).size === 1) return true;
  let rest = core;
  for (const word of wordsOf(config.genericNoteWords)) if (rest.includes(word)) rest = rest.split(word).join('');
  return [...rest].length < config.minSpecificNoteChars;
}
