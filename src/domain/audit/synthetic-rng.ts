// A seeded random stream for the synthetic history (mulberry32 of the synthetic town; never Math.random).
import { mulberry32 } from '../resident/synthetic-town';

export class HistoryRng {
  readonly next: () => number;
  constructor(seed: number) {
    this.next = mulberry32(seed >>> 0);
  }
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError('pick from an empty list');
    return items[Math.floor(this.next() * items.length)]!;
  }
  shuffle<T>(items: readonly T[]): T[] {
    const out = [...items];
    for (let i = out.length - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      [out[i], out[j]] = [out[j]!, out[i]!];
    }
    return out;
  }
  hex(chars: number): string {
    let s = '';
    while (s.length < chars) s += Math.floor(this.next() * 0x1_0000_0000).toString(16).padStart(8, '0');
    return s.slice(0, chars);
  }
}
