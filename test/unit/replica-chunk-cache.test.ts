// OpenedChunkCache (src/renderer/src/replica/replica-search.ts): the chunks read and opened ahead
// while the operator types. Bounded by bytes (least recently used go first), a failed open is not
// kept, and it never answers with a chunk opened under another layout (ReplicaIndex.chunkStamp).
import { describe, expect, it } from 'vitest';
import { OpenedChunkCache } from '../../src/renderer/src/replica/replica-search';
import { ReplicaIndex } from '../../src/renderer/src/replica/replica-index';

const plain = (bytes = 100) => Promise.resolve(new Uint8Array(bytes));
const settle = () => new Promise((r) => setTimeout(r, 0));

describe('OpenedChunkCache', () => {
  it('keeps at most maxBytes of plain text, dropping the least recently used first', async () => {
    const cache = new OpenedChunkCache(350);
    for (const chunk of [1, 2, 3]) cache.put(chunk, plain(), 5);
    await settle();
    expect(cache.heldBytes).toBe(300);
    expect(cache.get(1, 5)).toBeDefined(); // 1 is now the most recently used
    cache.put(4, plain(), 5); // 400 bytes > 350: the least recently used (2) goes
    await settle();
    expect(cache.get(2, 5)).toBeUndefined();
    expect([1, 3, 4].map((c) => cache.get(c, 5) !== undefined)).toEqual([true, true, true]);
    cache.put(3, plain(300), 5); // replacing a chunk counts its new size only: 1 and 4 go
    await settle();
    expect(cache.size).toBe(1);
    expect((await cache.get(3, 5)!).byteLength).toBe(300);
    expect(cache.heldBytes).toBe(300);
  });

  it('a chunk under way is given out (not read twice); one that fails to open is dropped', async () => {
    const cache = new OpenedChunkCache();
    let open!: (b: Uint8Array<ArrayBuffer>) => void;
    const underWay = new Promise<Uint8Array<ArrayBuffer>>((r) => (open = r));
    cache.put(1, underWay, 1);
    expect(cache.get(1, 1)).toBe(underWay);
    open(new Uint8Array(10));
    const failing = Promise.reject(new Error('altered'));
    failing.catch(() => undefined);
    cache.put(2, failing, 1);
    await settle();
    expect(cache.get(2, 1)).toBeUndefined();
    expect(cache.heldBytes).toBe(10);
  });

  it('forgets everything when the stamp moves on, and ignores chunks opened under an older one', async () => {
    const cache = new OpenedChunkCache();
    cache.put(1, plain(), 7);
    cache.put(2, plain(), 7);
    expect(cache.get(1, 8)).toBeUndefined(); // a record was rewritten in place since: all gone
    expect(cache.size).toBe(0);
    cache.put(1, plain(), 7); // opened from a read that started before the rewrite
    expect(cache.get(1, 8)).toBeUndefined();
    cache.put(1, plain(), 8);
    expect(cache.get(1, 7)).toBeUndefined(); // an older index never sees newer chunks either
    expect(cache.get(1, 8)).toBeDefined();
    cache.clear();
    await settle();
    expect([cache.size, cache.heldBytes]).toEqual([0, 0]);
  });

  it('ReplicaIndex stamps: new for every index, every rewrite in place and every clear', () => {
    const a = new ReplicaIndex();
    const b = new ReplicaIndex();
    expect(b.chunkStamp).toBeGreaterThan(a.chunkStamp);
    const before = b.chunkStamp;
    b.addBlock(1, [{ id: 'r1', kanaKey: 'ア', nameKey: '阿', birthDate: '1970-03-01', codeKey: '0000abcd' }]);
    expect(b.chunkStamp).toBe(before); // new residents go into new chunks: what was opened stays right
    b.update({ id: 'r1', kanaKey: 'イ', nameKey: '伊', birthDate: '1970-03-01', codeKey: '0000abcd' });
    expect(b.chunkStamp).toBeGreaterThan(before);
    const afterUpdate = b.chunkStamp;
    b.clear();
    expect(b.chunkStamp).toBeGreaterThan(afterUpdate);
  });
});
