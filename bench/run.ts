// `npm run bench`: prints the performance figures. Targets are checked here, not in unit tests.
import { existsSync } from 'node:fs';
import { benchCardRemoval } from './card-removal';
import { formatSummary } from './stats';

async function main(): Promise<void> {
  if (!existsSync('out/renderer/index.html')) {
    console.error('先に `npm run build` を実行してください (the bench drives the built renderer).');
    process.exit(2);
  }
  const rounds = Number(process.env.BENCH_ROUNDS ?? 60);
  console.log(`Card removal → lock screen (real pcscd, virtual card, Chromium), ${rounds} removals`);
  const r = await benchCardRemoval(rounds);
  console.log(formatSummary('reaction: PC/SC event → lock painted', r.reaction));
  console.log(formatSummary('end-to-end: card socket closed → lock painted', r.endToEnd));
  console.log(`operator data gone from the DOM at paint: ${r.dataGone ? 'yes, every time' : 'NO'}`);
  const ok = r.reaction.p99 <= 50 && r.dataGone;
  console.log(`target reaction p99 ≤ 50 ms: ${ok ? 'met' : 'NOT MET'}`);
  process.exit(ok ? 0 : 1);
}

void main();
