// Main's read-ahead of the resident feed (src/node/terminal/resident-feed-read-ahead.ts): pages come
// out exactly as fetched one by one would, the next ones are asked for only while the feed is not
// current and only for the same operator, a different position or operator drops what was read
// ahead, a failed read-ahead is fetched again, and clear() stops the chain.
import { describe, expect, it } from 'vitest';
import type { ResidentChangesResponse, Resident } from '../../src/shared/resident-api';
import { ResidentFeedReadAhead } from '../../src/node/terminal/resident-feed-read-ahead';

const resident = (version: number): Resident => ({
  id: `R${version}`,
  code: '12345678901',
  name: '山田 花子',
  kana: 'ヤマダ ハナコ',
  birthDate: '1970-03-01',
  sex: 'female',
  address: '組山町1-1',
  householdId: 'H1',
  status: 'resident',
  history: [],
  version,
});

/** A feed of `latest` versions, `epoch` e1; records the calls made. */
function feed(latest: number, fail: (after: number, call: number) => boolean = () => false) {
  const calls: { operatorId: string; after: number; limit: number }[] = [];
  const fetchPage = async (operatorId: string, after: number, limit: number): Promise<ResidentChangesResponse> => {
    calls.push({ operatorId, after, limit });
    await new Promise((resolve) => setTimeout(resolve, 1));
    if (fail(after, calls.length)) throw new Error(`unreachable at ${after}`);
    const residents: Resident[] = [];
    for (let v = after + 1; v <= Math.min(latest, after + limit); v++) residents.push(resident(v));
    return { residents, next: residents.at(-1)?.version ?? after, latest, epoch: 'e1' };
  };
  return { calls, fetchPage };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 20));

describe('ResidentFeedReadAhead', () => {
  it('gives the pages a plain fetch gives, reading up to depth pages ahead while the feed is not current', async () => {
    const { calls, fetchPage } = feed(10);
    const ahead = new ResidentFeedReadAhead(fetchPage, 2);
    const pages: ResidentChangesResponse[] = [];
    let after = 0;
    for (;;) {
      const page = await ahead.fetch('op-yamada', after, 3);
      pages.push(page);
      await settle();
      if (page.next >= page.latest) break;
      // Read ahead: the next two positions were asked for before the caller asked.
      expect(calls.filter((c) => c.after >= page.next).length).toBeGreaterThan(0);
      after = page.next;
    }
    expect(pages.map((p) => p.residents.map((r) => r.version))).toEqual([[1, 2, 3], [4, 5, 6], [7, 8, 9], [10]]);
    // Each position fetched once; nothing after the last (short) page.
    expect(calls.map((c) => c.after)).toEqual([0, 3, 6, 9]);
    expect(calls.every((c) => c.operatorId === 'op-yamada' && c.limit === 3)).toBe(true);
  });

  it('reads nothing ahead once the feed is current', async () => {
    const { calls, fetchPage } = feed(2);
    const ahead = new ResidentFeedReadAhead(fetchPage, 3);
    const page = await ahead.fetch('op-yamada', 0, 5);
    await settle();
    expect(page.residents).toHaveLength(2);
    expect(calls).toHaveLength(1);
  });

  it('drops what was read ahead when another operator or another position is asked for', async () => {
    const { calls, fetchPage } = feed(100);
    const ahead = new ResidentFeedReadAhead(fetchPage, 2);
    await ahead.fetch('op-yamada', 0, 10);
    await settle();
    expect(calls.map((c) => c.after)).toEqual([0, 10, 20]);
    const other = await ahead.fetch('op-sato', 10, 10);
    expect(other.residents[0]!.version).toBe(11);
    expect(calls.at(3)).toEqual({ operatorId: 'op-sato', after: 10, limit: 10 });
    await settle();
    const elsewhere = await ahead.fetch('op-sato', 50, 10);
    expect(elsewhere.residents[0]!.version).toBe(51);
    expect(calls.at(-1)).toEqual({ operatorId: 'op-sato', after: 50, limit: 10 });
    await settle();
    expect(calls.slice(-3).map((c) => c.after)).toEqual([50, 60, 70]);
  });

  it('fetches again a page that failed to arrive ahead, and passes on an error of its own fetch', async () => {
    const { calls, fetchPage } = feed(30, (after, call) => after === 10 && call === 2);
    const ahead = new ResidentFeedReadAhead(fetchPage, 1);
    await ahead.fetch('op-yamada', 0, 10);
    await settle();
    const page = await ahead.fetch('op-yamada', 10, 10);
    expect(page.residents[0]!.version).toBe(11);
    expect(calls.filter((c) => c.after === 10)).toHaveLength(2);

    const broken = feed(30, (after) => after === 0);
    await expect(new ResidentFeedReadAhead(broken.fetchPage, 2).fetch('op-yamada', 0, 10)).rejects.toThrow('unreachable at 0');
  });

  it('stops reading ahead when cleared (the session ended)', async () => {
    const { calls, fetchPage } = feed(100);
    const ahead = new ResidentFeedReadAhead(fetchPage, 3);
    await ahead.fetch('op-yamada', 0, 10);
    ahead.clear();
    await settle();
    expect(ahead.pending).toBe(0);
    // The first page ahead may already have been on its way; nothing was chained after it.
    expect(calls.length).toBeLessThanOrEqual(2);
  });
});
