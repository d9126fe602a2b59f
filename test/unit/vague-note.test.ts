// isVagueNote counts characters without building arrays (a month's notes are tens of thousands):
// it must judge exactly as the plain definition does — characters as code points ([...s]), one
// character repeated as a set of one — also for surrogate pairs (𠮷), lone surrogates and notes
// that only NFKC makes short or long.
import { describe, expect, it } from 'vitest';
import { auditConfig } from '../../src/domain/audit/config';
import { isVagueNote, noteKey } from '../../src/domain/audit/vague-note';

const config = auditConfig({});

/** The definition, written plainly. */
function reference(note: string | null, c: { minNoteChars: number; minSpecificNoteChars: number; genericNoteWords: readonly string[] }): boolean {
  if (note === null) return true;
  const core = noteKey(note);
  const chars = [...core];
  if (chars.length < c.minNoteChars) return true;
  if (new Set(chars).size === 1) return true;
  let rest = core;
  const words = c.genericNoteWords.map((w) => noteKey(w)).filter((w) => w !== '').sort((a, b) => b.length - a.length);
  for (const word of words) if (rest.includes(word)) rest = rest.split(word).join('');
  return [...rest].length < c.minSpecificNoteChars;
}

const NOTES = [
  null,
  '',
  '確認',
  '念のため確認',
  'ああああああああああああ',
  '𠮷𠮷𠮷𠮷𠮷𠮷𠮷𠮷𠮷𠮷𠮷𠮷',
  '𠮷野家の店長からの照会（文書番号123）',
  '𠮷𠮷𠮷𠮷𠮷𠮷𠮷𠮷𠮷𠮷𠮷あ',
  'あ𠮷𠮷𠮷𠮷𠮷𠮷𠮷𠮷𠮷𠮷𠮷',
  '\ud842\ud842\ud842\ud842\ud842\ud842\ud842\ud842\ud842\ud842',
  '\udfb7\udfb7\udfb7\udfb7\udfb7\udfb7\udfb7\udfb7\udfb7\udfb7',
  'ｱｱｱｱｱｱｱｱｱｱｱｱ',
  '㍻㍻㍻㍻',
  '福祉課からの依頼（文書番号12345）',
  '福祉課からの依頼',
  'テスト テスト テスト テスト',
  'AAAAaaaaAAAA',
  '転入届の受付、世帯主の本人確認',
];

describe('isVagueNote', () => {
  it('judges every note as the plain definition does', () => {
    for (const c of [config, { ...config, minNoteChars: 1, minSpecificNoteChars: 1 }, { ...config, minNoteChars: 20, minSpecificNoteChars: 3 }, { ...config, minNoteChars: 0, minSpecificNoteChars: 0 }]) {
      for (const note of NOTES) expect(isVagueNote(note, c), `${JSON.stringify(note)} with ${c.minNoteChars}/${c.minSpecificNoteChars}`).toBe(reference(note, c));
    }
  });

  it('calls a repeated character vague and a specific note not', () => {
    expect(isVagueNote('𠮷𠮷𠮷𠮷𠮷𠮷𠮷𠮷𠮷𠮷𠮷𠮷', config)).toBe(true);
    expect(isVagueNote('福祉課からの依頼（文書番号12345）', config)).toBe(false);
  });
});
