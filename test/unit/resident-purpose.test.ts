// The purpose stated before a search (第22条6項): a known category, tied to a case by its receipt
// number or by a note that actually says something.
import { describe, expect, it } from 'vitest';
import { DEFAULT_PURPOSE_CATEGORIES, checkPurpose, type PurposeCategory } from '../../src/domain/resident/purpose';

const cats = DEFAULT_PURPOSE_CATEGORIES;
const WITH_NUMBER = 'juminhyo-copy'; // needsCaseNumber
const WITHOUT_NUMBER = 'identity-check';

describe('DEFAULT_PURPOSE_CATEGORIES', () => {
  it('has 8–10 categories with unique ids in kebab-case and Japanese labels', () => {
    expect(cats.length).toBeGreaterThanOrEqual(8);
    expect(cats.length).toBeLessThanOrEqual(10);
    expect(new Set(cats.map((c) => c.id)).size).toBe(cats.length);
    for (const c of cats) {
      expect(c.id).toMatch(/^[a-z]+(-[a-z]+)*$/);
      expect(c.label).toMatch(/[\u3040-\u30ff\u4e00-\u9fff]/u);
    }
  });

  it('includes the categories the issue names', () => {
    const byLabel = new Map(cats.map((c) => [c.label, c]));
    expect(cats.find((c) => c.id === 'juminhyo-copy')).toMatchObject({ needsCaseNumber: true });
    expect(byLabel.get('転入届')?.needsCaseNumber).toBe(true);
    expect(byLabel.get('本人確認（窓口）')?.needsCaseNumber).toBe(false);
    expect(cats.some((c) => !c.needsCaseNumber)).toBe(true);
  });
});

describe('checkPurpose', () => {
  it('accepts a category that needs a case number with one (full width normalised)', () => {
    expect(checkPurpose({ categoryId: WITH_NUMBER, caseNumber: 'Ｒ６－０１２３' }, cats)).toEqual({
      ok: true,
      purpose: { categoryId: WITH_NUMBER, categoryLabel: '住民票の写し等の交付', caseNumber: 'R6-0123', note: null },
    });
    expect(checkPurpose({ categoryId: WITH_NUMBER, caseNumber: ' 42 ', note: '  ' }, cats)).toMatchObject({
      ok: true,
      purpose: { caseNumber: '42', note: null },
    });
    // the note is optional there, and not held to the 4-character rule
    expect(checkPurpose({ categoryId: WITH_NUMBER, caseNumber: '42', note: '至急' }, cats)).toMatchObject({
      ok: true,
      purpose: { caseNumber: '42', note: '至急' },
    });
  });

  it('refuses a category that needs a case number without one', () => {
    expect(checkPurpose({ categoryId: WITH_NUMBER, note: '住民票の写しを本人が請求' }, cats)).toEqual({
      ok: false,
      errors: [{ field: 'caseNumber', message: '「住民票の写し等の交付」では受付番号を入力してください。' }],
    });
  });

  it.each(['1'.repeat(31), 'R6 0123', 'R6/0123', '受付123', '#12', '１２３＿４'])('refuses the case number %j', (caseNumber) => {
    expect(checkPurpose({ categoryId: WITH_NUMBER, caseNumber }, cats)).toEqual({
      ok: false,
      errors: [{ field: 'caseNumber', message: '受付番号は30文字以内の英数字とハイフンで入力してください。' }],
    });
  });

  it('accepts 30 characters and the hyphens an IME gives', () => {
    expect(checkPurpose({ categoryId: WITH_NUMBER, caseNumber: 'A'.repeat(30) }, cats).ok).toBe(true);
    expect(checkPurpose({ categoryId: WITH_NUMBER, caseNumber: '2026ー0012' }, cats)).toMatchObject({ purpose: { caseNumber: '2026-0012' } });
    expect(checkPurpose({ categoryId: WITH_NUMBER, caseNumber: '2026−0012' }, cats)).toMatchObject({ purpose: { caseNumber: '2026-0012' } });
  });

  it('refuses an unknown category', () => {
    expect(checkPurpose({ categoryId: 'curiosity', note: '近所の人の住所が知りたい' }, cats)).toEqual({
      ok: false,
      errors: [{ field: 'categoryId', message: '目的の区分を一覧から選んでください。' }],
    });
    expect(checkPurpose({ categoryId: '', caseNumber: '1' }, cats).ok).toBe(false);
    expect(checkPurpose({ categoryId: WITH_NUMBER, caseNumber: '1' }, []).ok).toBe(false);
  });

  it('uses the list it is given, not the defaults', () => {
    const custom: PurposeCategory[] = [{ id: 'court-request', label: '裁判所からの照会', needsCaseNumber: true }];
    expect(checkPurpose({ categoryId: 'court-request', caseNumber: 'W-7' }, custom)).toMatchObject({
      ok: true,
      purpose: { categoryLabel: '裁判所からの照会', caseNumber: 'W-7' },
    });
    expect(checkPurpose({ categoryId: WITH_NUMBER, caseNumber: '1' }, custom).ok).toBe(false);
  });

  it('without a needed case number: a case number or a clear note suffices', () => {
    expect(checkPurpose({ categoryId: WITHOUT_NUMBER, caseNumber: '17' }, cats)).toMatchObject({ ok: true, purpose: { caseNumber: '17', note: null } });
    expect(checkPurpose({ categoryId: WITHOUT_NUMBER, note: '転入届の本人確認' }, cats)).toEqual({
      ok: true,
      purpose: { categoryId: WITHOUT_NUMBER, categoryLabel: '本人確認（窓口）', caseNumber: null, note: '転入届の本人確認' },
    });
    expect(checkPurpose({ categoryId: WITHOUT_NUMBER, note: '来庁者確認' }, cats).ok).toBe(true);
    expect(checkPurpose({ categoryId: WITHOUT_NUMBER, caseNumber: '17', note: '確認' }, cats).ok).toBe(true);
  });

  it('without either, refuses with a message on the note', () => {
    expect(checkPurpose({ categoryId: WITHOUT_NUMBER }, cats)).toEqual({
      ok: false,
      errors: [{ field: 'note', message: '受付番号か、目的の内容（4文字以上）を入力してください。' }],
    });
    expect(checkPurpose({ categoryId: WITHOUT_NUMBER, note: '　 ', caseNumber: ' ' }, cats).ok).toBe(false);
  });

  it.each(['確認', 'テスト', 'test', 'TEST', '確認。', '確 認 ！', 'ああああ', '1111', '....', '確認のため', '念のため', '念のため、確認', 'Test!!'])(
    'refuses the vague note %j',
    (note) => {
      const r = checkPurpose({ categoryId: WITHOUT_NUMBER, note }, cats);
      expect(r.ok).toBe(false);
      if (!r.ok) {
        expect(r.errors).toHaveLength(1);
        expect(r.errors[0]!.field).toBe('note');
        expect(r.errors[0]!.message).toMatch(/具体的/);
      }
    },
  );

  it('limits the note to 100 characters', () => {
    expect(checkPurpose({ categoryId: WITHOUT_NUMBER, note: '他課依頼'.repeat(25) }, cats).ok).toBe(true);
    expect(checkPurpose({ categoryId: WITHOUT_NUMBER, note: '他課依頼'.repeat(25) + 'x' }, cats)).toEqual({
      ok: false,
      errors: [{ field: 'note', message: '目的の内容は100文字以内で入力してください。' }],
    });
  });

  it('refuses control characters in the case number and the note', () => {
    expect(checkPurpose({ categoryId: WITH_NUMBER, caseNumber: '12\u00003' }, cats)).toEqual({
      ok: false,
      errors: [{ field: 'caseNumber', message: '受付番号に使えない文字（制御文字）が含まれています。' }],
    });
    expect(checkPurpose({ categoryId: WITHOUT_NUMBER, note: '転入届の\n本人確認' }, cats)).toEqual({
      ok: false,
      errors: [{ field: 'note', message: '目的の内容に使えない文字（制御文字）が含まれています。' }],
    });
    expect(checkPurpose({ categoryId: WITHOUT_NUMBER, note: '転入届の\u202e本人確認' }, cats).ok).toBe(false);
  });

  it('reports the form errors even when the category is unknown', () => {
    const r = checkPurpose({ categoryId: 'nope', caseNumber: 'a b', note: 'x'.repeat(101) }, cats);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors.map((e) => e.field)).toEqual(['categoryId', 'caseNumber', 'note']);
  });

  it('normalises the note (NFKC, trimmed)', () => {
    expect(checkPurpose({ categoryId: WITHOUT_NUMBER, note: '  ﾃﾝﾆｭｳ届の確認　' }, cats)).toMatchObject({
      ok: true,
      purpose: { note: 'テンニュウ届の確認' },
    });
  });
});
