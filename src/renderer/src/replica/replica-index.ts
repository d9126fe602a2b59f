// The replica's search index, in memory (issue 4 benchmarks): built from the key blocks stored in
// the replica database (replica-db.ts) when it is opened, kept current by every page the sync
// stores. It holds exactly what the key blocks hold at rest — id, kana key, folded name, date of
// birth, 32-bit code MAC — plus where each record's sealed chunk is; never a record itself.
//
// The orders are those the IndexedDB indexes of schema version 1 gave, so a search finds the same
// records in the same order: kana (kanaKey, id), name (nameKey, id), date of birth with name
// (birthDate, nameKey, id) or kana (birthDate, kanaKey, id), code (codeKey, id); strings compared by
// UTF-16 code units like IndexedDB does.
import { CHUNK, CHUNKS_PER_BLOCK, type KeyBlockRow } from './replica-db';

export interface IndexKeys {
  id: string;
  kanaKey: string;
  nameKey: string;
  /** YYYY-MM-DD. */
  birthDate: string;
  /** CODE_MAC_HEX hex digits (replica-crypto.ts). */
  codeKey: string;
}

/** Where a record is sealed: its chunk number and its line in the chunk. */
export interface RecordPlace {
  chunk: number;
  slot: number;
}

/** Up to this many ordinals are put into the orders one by one; more are sorted and merged. */
const INSERT_LIMIT = 256;
/** Above this many changed residents since the orders were last brought up to date, they are sorted again from scratch. */
const REINSERT_LIMIT = 256;

// Kana keys are made only of U+30A1–U+30F6 (normalizeKana): held in memory shifted down to U+0021–U+0076,
// in the same order, so that V8 keeps them in one byte per character instead of two.
const KANA_SHIFT = 0x3080;
const shiftCodes: number[] = [];
/** Each U+30A1–U+30F6 moved down by KANA_SHIFT, anything else as it is (a loop: a regex with a callback per character cost more than the rest of indexing a resident). */
function shiftKana(key: string): string {
  shiftCodes.length = key.length;
  for (let i = 0; i < key.length; i++) {
    const c = key.charCodeAt(i);
    shiftCodes[i] = c >= 0x30a1 && c <= 0x30f6 ? c - KANA_SHIFT : c;
  }
  return String.fromCharCode.apply(null, shiftCodes);
}

const birthNumber = (iso: string): number => Number(iso.slice(0, 4)) * 10000 + Number(iso.slice(5, 7)) * 100 + Number(iso.slice(8, 10));

export function formatEntry(k: IndexKeys): string {
  return `${k.id}\t${k.kanaKey}\t${k.nameKey}\t${k.birthDate}\t${k.codeKey}`;
}

export function parseEntries(entries: string): IndexKeys[] {
  if (entries === '') return [];
  return entries.split('\n').map((line) => {
    const [id, kanaKey, nameKey, birthDate, codeKey] = line.split('\t') as [string, string, string, string, string];
    return { id, kanaKey, nameKey, birthDate, codeKey };
  });
}

/** Ordinals below this many can be sorted by a numeric key with their position packed into one double. */
const POSITION_SPAN = 2 ** 21;

/** A permutation of ordinals kept sorted by a comparator (total: ties end on the unique id). */
class SortedOrder {
  items = new Uint32Array(0);
  length = 0;

  /**
   * `key`, when given, is the order's first criterion as an integer in [0, 2^32) (a date, a MAC, a
   * name's first two characters) in the comparator's order — a smaller key never comes after a larger
   * one: ordinals are then sorted by it natively, and only runs of equal keys by the comparator.
   */
  constructor(
    private readonly compare: (a: number, b: number) => number,
    private readonly key?: (ordinal: number) => number,
  ) {}

  /**
   * Sorts ordinals in place. With a numeric key: key × 2^21 + position in a Float64Array (exact below
   * 2^53) sorted without a comparator — a million calls of a JS comparator cost seconds at load — then
   * each run of equal keys by the comparator. Without: Array.prototype.sort (TimSort), which takes
   * already sorted runs (a load's batches, each in kana order) as they are instead of sorting them again.
   */
  private sortOrdinals(ordinals: Uint32Array): void {
    const n = ordinals.length;
    const key = this.key;
    if (key && n < POSITION_SPAN) {
      const packed = new Float64Array(n);
      for (let i = 0; i < n; i++) packed[i] = key(ordinals[i]!) * POSITION_SPAN + i;
      packed.sort();
      const source = ordinals.slice();
      for (let i = 0; i < n; i++) ordinals[i] = source[packed[i]! % POSITION_SPAN]!;
      for (let start = 0; start < n; ) {
        const k = key(ordinals[start]!);
        let end = start + 1;
        while (end < n && key(ordinals[end]!) === k) end++;
        if (end - start > 1) ordinals.subarray(start, end).sort(this.compare);
        start = end;
      }
      return;
    }
    const plain = Array.from(ordinals);
    plain.sort(this.compare);
    ordinals.set(plain);
  }

  sortAll(count: number): void {
    const all = new Uint32Array(count);
    for (let i = 0; i < count; i++) all[i] = i;
    this.sortOrdinals(all);
    this.items = all;
    this.length = count;
  }

  /** First position whose ordinal does not come before `ordinal`. */
  private position(ordinal: number): number {
    let lo = 0;
    let hi = this.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.compare(this.items[mid]!, ordinal) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  insert(ordinal: number): void {
    if (this.length === this.items.length) {
      const grown = new Uint32Array(Math.max(16, this.items.length * 2));
      grown.set(this.items);
      this.items = grown;
    }
    const at = this.position(ordinal);
    this.items.copyWithin(at + 1, at, this.length);
    this.items[at] = ordinal;
    this.length += 1;
  }

  /** Adds many ordinals at once: sorted among themselves, then merged (into nothing, at a first load: just taken). */
  merge(ordinals: readonly number[]): void {
    const add = Uint32Array.from(ordinals);
    this.sortOrdinals(add);
    if (this.length === 0) {
      this.items = add;
      this.length = add.length;
      return;
    }
    const out = new Uint32Array(this.length + add.length);
    let i = 0;
    let j = 0;
    let k = 0;
    while (i < this.length && j < add.length) out[k++] = this.compare(this.items[i]!, add[j]!) <= 0 ? this.items[i++]! : add[j++]!;
    while (i < this.length) out[k++] = this.items[i++]!;
    while (j < add.length) out[k++] = add[j++]!;
    this.items = out;
    this.length = out.length;
  }

  remove(ordinal: number): void {
    const at = this.position(ordinal);
    if (this.items[at] !== ordinal || at >= this.length) throw new Error('replica index out of order');
    this.items.copyWithin(at, at + 1, this.length);
    this.length -= 1;
  }

  /** Drops the room kept for growth. */
  trim(): void {
    if (this.items.length > this.length) this.items = this.items.slice(0, this.length);
  }

  /** First position where `before(ordinal)` is false (the list is partitioned by it). */
  lowerBound(before: (ordinal: number) => boolean): number {
    let lo = 0;
    let hi = this.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (before(this.items[mid]!)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

function grow<T extends Uint32Array | Int32Array | Uint8Array>(array: T, make: (n: number) => T, need: number): T {
  if (need <= array.length) return array;
  const grown = make(Math.max(need, array.length * 2, 1024));
  grown.set(array);
  return grown;
}

let stamps = 0;

export class ReplicaIndex {
  /**
   * Changes whenever a stored chunk may hold other bytes than before (a record rewritten in place, the
   * replica cleared) — and differs between two indexes: what was read from the chunks under another
   * stamp (SealedChunkCache, replica-search.ts) is not used.
   */
  chunkStamp = ++stamps;
  private ids: string[] = [];
  private kana: string[] = [];
  private name: string[] = [];
  private birth = new Int32Array(0);
  private mac = new Uint32Array(0);
  private chunkOf = new Uint32Array(0);
  private slotOf = new Uint8Array(0);
  private readonly ordinalOf = new Map<string, number>();
  /** The next block number for newly stored residents. */
  nextBlock = 1;

  private readonly byIdOrder = (a: number, b: number): number => (this.ids[a]! < this.ids[b]! ? -1 : this.ids[a]! > this.ids[b]! ? 1 : 0);
  private readonly kanaOrder = new SortedOrder((a, b) => {
    const x = this.kana[a]!;
    const y = this.kana[b]!;
    return x < y ? -1 : x > y ? 1 : this.byIdOrder(a, b);
  });
  private readonly nameOrder = new SortedOrder(
    (a, b) => {
      const x = this.name[a]!;
      const y = this.name[b]!;
      return x < y ? -1 : x > y ? 1 : this.byIdOrder(a, b);
    },
    // The first two UTF-16 code units (none = 0): in the order of the strings, ties left to the comparator.
    (o) => {
      const name = this.name[o]!;
      return (name.length > 0 ? name.charCodeAt(0) * 65536 : 0) + (name.length > 1 ? name.charCodeAt(1) : 0);
    },
  );
  private readonly birthOrder = new SortedOrder(
    (a, b) => {
      const d = this.birth[a]! - this.birth[b]!;
      if (d !== 0) return d;
      const x = this.name[a]!;
      const y = this.name[b]!;
      return x < y ? -1 : x > y ? 1 : this.byIdOrder(a, b);
    },
    (o) => this.birth[o]!,
  );
  private readonly codeOrder = new SortedOrder(
    (a, b) => {
      const d = this.mac[a]! - this.mac[b]!;
      return d !== 0 ? d : this.byIdOrder(a, b);
    },
    (o) => this.mac[o]!,
  );
  private readonly orders = [this.kanaOrder, this.nameOrder, this.birthOrder, this.codeOrder];
  /**
   * Ordinals below this were in the orders when they were last brought up to date; those from it on
   * are new since (a load leaves a million of them to one sort: no list of them is kept).
   */
  private sortedCount = 0;
  /** Ordinals below sortedCount changed and taken out of the orders, to be put back (at most REINSERT_LIMIT). */
  private takenOut: number[] = [];
  /** The orders must be sorted again from scratch (many residents changed). */
  private resort = false;
  /** Changed residents taken out of the orders since they were last brought up to date. */
  private changed = 0;

  /** Empties the index (the replica was cleared). */
  clear(): void {
    this.chunkStamp = ++stamps;
    this.ids = [];
    this.kana = [];
    this.name = [];
    this.birth = new Int32Array(0);
    this.mac = new Uint32Array(0);
    this.chunkOf = new Uint32Array(0);
    this.slotOf = new Uint8Array(0);
    this.ordinalOf.clear();
    for (const order of this.orders) order.sortAll(0);
    this.sortedCount = 0;
    this.takenOut = [];
    this.resort = false;
    this.changed = 0;
    this.nextBlock = 1;
  }

  /** Residents in the replica. */
  get size(): number {
    return this.ids.length;
  }

  /** Builds the index from the key blocks as stored (block order; each block's lines in chunk order). */
  static fromBlocks(rows: readonly KeyBlockRow[]): ReplicaIndex {
    const index = new ReplicaIndex();
    for (const row of rows) {
      index.addBlock(row.block, parseEntries(row.entries));
      index.nextBlock = Math.max(index.nextBlock, row.block + 1);
    }
    index.sort();
    index.trim();
    return index;
  }

  has(id: string): boolean {
    return this.ordinalOf.has(id);
  }

  placeOf(id: string): RecordPlace | null {
    const o = this.ordinalOf.get(id);
    return o === undefined ? null : { chunk: this.chunkOf[o]!, slot: this.slotOf[o]! };
  }

  idAt(ordinal: number): string {
    return this.ids[ordinal]!;
  }

  place(ordinal: number): RecordPlace {
    return { chunk: this.chunkOf[ordinal]!, slot: this.slotOf[ordinal]! };
  }

  /** New residents stored as block `block`, entry n in chunk block × CHUNKS_PER_BLOCK + ⌊n / CHUNK⌋. */
  addBlock(block: number, entries: readonly IndexKeys[]): void {
    const start = this.ids.length;
    const end = start + entries.length;
    this.birth = grow(this.birth, (n) => new Int32Array(n), end);
    this.mac = grow(this.mac, (n) => new Uint32Array(n), end);
    this.chunkOf = grow(this.chunkOf, (n) => new Uint32Array(n), end);
    this.slotOf = grow(this.slotOf, (n) => new Uint8Array(n), end);
    entries.forEach((k, n) => {
      if (this.ordinalOf.has(k.id)) throw new Error('a resident stored twice in the replica');
      const o = start + n;
      this.ids.push(k.id);
      this.kana.push(shiftKana(k.kanaKey));
      this.name.push(k.nameKey);
      this.birth[o] = birthNumber(k.birthDate);
      this.mac[o] = parseInt(k.codeKey, 16);
      this.chunkOf[o] = block * CHUNKS_PER_BLOCK + Math.floor(n / CHUNK);
      this.slotOf[o] = n % CHUNK;
      this.ordinalOf.set(k.id, o);
    });
    this.nextBlock = Math.max(this.nextBlock, block + 1);
  }

  /** A resident already in the index changed (its record stays where it is). */
  update(keys: IndexKeys): void {
    const o = this.ordinalOf.get(keys.id);
    if (o === undefined) throw new Error('no such resident in the replica');
    this.chunkStamp = ++stamps;
    if (!this.resort && o < this.sortedCount && !this.takenOut.includes(o)) {
      if (this.changed >= REINSERT_LIMIT) this.resort = true;
      else {
        for (const order of this.orders) order.remove(o);
        this.takenOut.push(o);
        this.changed += 1;
      }
    }
    this.kana[o] = shiftKana(keys.kanaKey);
    this.name[o] = keys.nameKey;
    this.birth[o] = birthNumber(keys.birthDate);
    this.mac[o] = parseInt(keys.codeKey, 16);
  }

  /** Brings the orders up to date (done before every search; cheap when nothing changed). */
  sort(): void {
    const count = this.ids.length;
    if (this.resort) {
      for (const order of this.orders) order.sortAll(count);
    } else if (this.takenOut.length + count - this.sortedCount > INSERT_LIMIT) {
      const pending = this.takenOut.slice();
      for (let o = this.sortedCount; o < count; o++) pending.push(o);
      for (const order of this.orders) order.merge(pending);
    } else {
      for (const o of this.takenOut) for (const order of this.orders) order.insert(o);
      for (let o = this.sortedCount; o < count; o++) for (const order of this.orders) order.insert(o);
    }
    this.sortedCount = count;
    this.takenOut = [];
    this.resort = false;
    this.changed = 0;
  }

  /** Drops the room kept for growth (when a load is done). */
  trim(): void {
    const n = this.ids.length;
    this.birth = this.birth.slice(0, n);
    this.mac = this.mac.slice(0, n);
    this.chunkOf = this.chunkOf.slice(0, n);
    this.slotOf = this.slotOf.slice(0, n);
    for (const order of this.orders) order.trim();
  }

  private prefixRange(order: SortedOrder, keys: string[], prefix: string, max: number): number[] {
    const out: number[] = [];
    for (let at = order.lowerBound((o) => keys[o]! < prefix); at < order.length && out.length < max; at++) {
      const o = order.items[at]!;
      if (!keys[o]!.startsWith(prefix)) break;
      out.push(o);
    }
    return out;
  }

  /** The residents born on `birthDate`, in (nameKey, id) order. */
  private bornOn(birthDate: string): number[] {
    const day = birthNumber(birthDate);
    const order = this.birthOrder;
    const out: number[] = [];
    for (let at = order.lowerBound((o) => this.birth[o]! < day); at < order.length; at++) {
      const o = order.items[at]!;
      if (this.birth[o] !== day) break;
      out.push(o);
    }
    return out;
  }

  byKana(prefix: string, max: number): number[] {
    this.sort();
    return this.prefixRange(this.kanaOrder, this.kana, shiftKana(prefix), max);
  }

  byName(prefix: string, max: number): number[] {
    this.sort();
    return this.prefixRange(this.nameOrder, this.name, prefix, max);
  }

  /** Born on the day, name starting with `namePrefix` ('' for all), in (nameKey, id) order. */
  byBirthAndName(birthDate: string, namePrefix: string, max: number): number[] {
    this.sort();
    return this.bornOn(birthDate)
      .filter((o) => this.name[o]!.startsWith(namePrefix))
      .slice(0, max);
  }

  /** Born on the day, kana starting with `kanaPrefix`, in (kanaKey, id) order. */
  byBirthAndKana(birthDate: string, kanaPrefix: string, max: number): number[] {
    this.sort();
    const kana = this.kana;
    const prefix = shiftKana(kanaPrefix);
    return this.bornOn(birthDate)
      .filter((o) => kana[o]!.startsWith(prefix))
      .sort((a, b) => (kana[a]! < kana[b]! ? -1 : kana[a]! > kana[b]! ? 1 : this.byIdOrder(a, b)))
      .slice(0, max);
  }

  byCode(codeKey: string, max: number): number[] {
    this.sort();
    const mac = parseInt(codeKey, 16);
    const order = this.codeOrder;
    const out: number[] = [];
    for (let at = order.lowerBound((o) => this.mac[o]! < mac); at < order.length && out.length < max; at++) {
      const o = order.items[at]!;
      if (this.mac[o] !== mac) break;
      out.push(o);
    }
    return out;
  }
}
