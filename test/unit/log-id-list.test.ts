import { describe, expect, it } from 'vitest';
import { MAX_ID_LIST_CHARS, packIdList, unpackIdList } from '../../src/domain/log/id-list';

const ids = (n: number, width: number) => Array.from({ length: n }, (_, i) => `R${String(i).padStart(width - 1, '0')}`);

describe('id lists in log details', () => {
  it('keeps short lists in one entry', () => {
    expect(packIdList('shownIds', ['R1', 'R2'])).toEqual({ shownIds: 'R1,R2', shownIdsParts: 1 });
    expect(packIdList('shownIds', [])).toEqual({ shownIds: '', shownIdsParts: 1 });
    expect(unpackIdList('shownIds', { shownIds: '', shownIdsParts: 1 })).toEqual([]);
  });

  it('splits 50 long ids at id boundaries, every part within the limit, and gets them all back', () => {
    const list = ids(50, 40);
    const packed = packIdList('shownIds', list);
    expect(packed.shownIdsParts).toBe(5);
    for (const [k, v] of Object.entries(packed)) if (typeof v === 'string') expect(v.length, k).toBeLessThanOrEqual(MAX_ID_LIST_CHARS);
    expect(unpackIdList('shownIds', packed)).toEqual(list);
    expect(packed).not.toHaveProperty('shownIdsOmitted');
  });

  it('says how many ids did not fit instead of cutting one', () => {
    const packed = packIdList('shownIds', ids(100, 40), 2);
    expect(packed.shownIdsParts).toBe(2);
    expect(packed.shownIdsOmitted).toBe(100 - unpackIdList('shownIds', packed).length);
    expect(unpackIdList('shownIds', packed).every((id) => id.length === 40)).toBe(true);
  });

  it('reads a legacy list cut at 500 characters without its possibly partial last id', () => {
    const cut = ids(60, 9).join(',').slice(0, 500);
    const got = unpackIdList('shownIds', { shownIds: cut });
    expect(got.every((id) => id.length === 9)).toBe(true);
    expect(got).toHaveLength(50);
    expect(unpackIdList('shownIds', { shownIds: 'R1,R2' })).toEqual(['R1', 'R2']);
  });
});
