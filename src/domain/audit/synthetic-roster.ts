// The roster of the synthetic history: operators chosen among the synthetic town's residents (so
// their own records, households and addresses exist in the directory), each with a card lent
// before the period. One of them has a rare surname shared by another household of the town.
import type { SyntheticHousehold, SyntheticResident } from '../resident/synthetic-town';
import { familyKana } from './person-match';
import type { HistoryRng } from './synthetic-rng';
import type { AuditOperator } from './types';

export interface SyntheticOperator extends AuditOperator {
  /** The operator's own record in the directory. */
  residentId: string;
  /** A made-up demo password (never written to the log; tests check that no explanation contains it). */
  demoPassword: string;
}

export function pickOperators(
  rng: HistoryRng,
  households: readonly SyntheticHousehold[],
  count: number,
  surnameShare: ReadonlyMap<string, number>,
  issuedAt: string,
  since: string,
): SyntheticOperator[] {
  const adults = (h: SyntheticHousehold): SyntheticResident | undefined => h.members.find((m) => m.relation === 'head' && m.resident.status === 'resident')?.resident;
  const withFamily = households.filter((h) => h.members.length >= 2 && adults(h));
  const familyCount = new Map<string, number>();
  for (const h of households) familyCount.set(familyKana(h.familyKana), (familyCount.get(familyKana(h.familyKana)) ?? 0) + 1);
  // A rare surname (share ≤ 0.3%) that at least one other household has.
  const rare = withFamily.filter((h) => {
    const k = familyKana(h.familyKana);
    return (surnameShare.get(k) ?? 1) <= 0.003 && (familyCount.get(k) ?? 0) >= 2;
  });
  const chosen: SyntheticHousehold[] = [];
  const usedFamily = new Set<string>();
  const take = (h: SyntheticHousehold): void => {
    chosen.push(h);
    usedFamily.add(familyKana(h.familyKana));
  };
  if (rare.length > 0 && count > 0) take(rng.pick(rare));
  for (const h of rng.shuffle(withFamily)) {
    if (chosen.length >= count) break;
    if (usedFamily.has(familyKana(h.familyKana))) continue;
    take(h);
  }
  // Put the rare-surname operator last, so that op-01 is an ordinary one.
  const ordered = [...chosen.slice(1), ...chosen.slice(0, 1)];
  return ordered.map((h, i) => {
    const me = adults(h)!;
    const id = `op-${String(i + 1).padStart(2, '0')}`;
    return {
      id,
      name: me.name,
      kana: me.kana,
      role: i === 0 ? 'manager' : 'operator',
      address: me.address,
      householdId: me.householdId,
      since,
      until: null,
      cards: [{ keyId: rng.hex(64), status: 'active', issuedAt, revokedAt: null }],
      residentId: me.id,
      demoPassword: `Kumi-${rng.hex(6)}-${rng.int(100, 999)}`,
    };
  });
}
