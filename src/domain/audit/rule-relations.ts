// Rule kind 3: an operator opening the record of themselves, of their own household, of a colleague
// on the roster, of someone at their own address, or (weaker) of someone with their rare surname.
// Only opened records count (view, code reveal, print), not the rows of a hit list.
import type { AuditRecord } from './audit-record';
import { addressKey, familyKana, kanaKey, nameKey } from './person-match';
import { rowOf, type AuditRule, type RuleEnv } from './rule-env';
import type { AuditOperator, AuditResident, RuleId } from './types';
import { operatorLabel, when } from './wording';

interface OperatorKeys {
  op: AuditOperator;
  address: string;
  household: string | null;
  family: string;
}

type Relation = Extract<RuleId, `relation.${string}`>;

/**
 * The normalised keys of a resident record, kept with the record object (a caller that hands out the
 * same objects again — the server's directory cache — normalises each resident once, not per check;
 * a resident record is never changed in place: a changed resident is a new object).
 */
const normalised = new WeakMap<AuditResident, { address: string; nameKana: string; kanaEmpty: boolean; family: string }>();
function normalisedKeys(resident: AuditResident): { address: string; nameKana: string; kanaEmpty: boolean; family: string } {
  let n = normalised.get(resident);
  if (!n) {
    const kana = kanaKey(resident.kana);
    n = { address: addressKey(resident.address), nameKana: `${nameKey(resident.name)}|${kana}`, kanaEmpty: kana === '', family: familyKana(resident.kana) };
    normalised.set(resident, n);
  }
  return n;
}

/**
 * Normalises a resident's keys now (a directory held in memory does it as it reads, not at the first
 * check). Returns the family kana among them (person-match familyKana), which the directory counts too.
 */
export function prepareRelationKeys(resident: AuditResident): { family: string } {
  return normalisedKeys(resident);
}

export class RelationsRule implements AuditRule {
  private readonly keys = new Map<string, OperatorKeys>();
  /** name+kana key → operator ids. */
  private readonly byName = new Map<string, string[]>();

  /** Every operator's address key, household and family kana (mayConcern). */
  private readonly addresses = new Set<string>();
  private readonly households = new Set<string>();
  private readonly families = new Set<string>();

  constructor(private readonly env: RuleEnv) {
    for (const op of env.context.operators) {
      const keys: OperatorKeys = { op, address: addressKey(op.address), household: op.householdId ?? null, family: familyKana(op.kana) };
      this.keys.set(op.id, keys);
      const k = `${nameKey(op.name)}|${kanaKey(op.kana)}`;
      this.byName.set(k, [...(this.byName.get(k) ?? []), op.id]);
      if (keys.address !== '') this.addresses.add(keys.address);
      if (keys.household !== null) this.households.add(keys.household);
      if (keys.family !== '') this.families.add(keys.family);
    }
  }

  /**
   * false when opening this resident's record can never be a relation finding, whoever opens it
   * (not in the directory; no operator with the same name and kana, household, address or family
   * name). A reader that feeds only some records (the server's fast path) feeds every opening of a
   * resident for whom this is true.
   */
  mayConcern(residentId: string): boolean {
    const resident = this.env.context.residents.get(residentId);
    return resident !== undefined && this.concerns(resident);
  }

  /** A necessary condition of relation() for some operator (cheap: no per-check allocation). */
  private concerns(resident: AuditResident): boolean {
    const rk = normalisedKeys(resident);
    return (
      (!rk.kanaEmpty && this.byName.has(rk.nameKana)) ||
      this.households.has(resident.householdId) ||
      (rk.address !== '' && this.addresses.has(rk.address)) ||
      (rk.family !== '' && this.families.has(rk.family))
    );
  }

  /** Normalised keys of the residents seen (names, kana and addresses are normalised once each). */
  private readonly residentKeys = new Map<string, { address: string; nameKana: string; samePerson: Set<string>; family: string }>();

  private keysOf(resident: AuditResident): { address: string; nameKana: string; samePerson: Set<string>; family: string } {
    let k = this.residentKeys.get(resident.id);
    if (!k || this.residentKeys.size > 500_000) {
      if (this.residentKeys.size > 500_000) this.residentKeys.clear();
      const n = normalisedKeys(resident);
      // samePersonName(operator, resident) ⇔ same name key and same non-empty kana key: the byName index.
      const samePerson = new Set<string>(n.kanaEmpty ? [] : (this.byName.get(n.nameKana) ?? []));
      k = { address: n.address, nameKana: n.nameKana, samePerson, family: n.family };
      this.residentKeys.set(resident.id, k);
    }
    return k;
  }

  private relation(me: OperatorKeys, resident: AuditResident, caseNumber: string | null): { rule: Relation; colleague?: string } | null {
    const { config, context } = this.env;
    const rk = this.keysOf(resident);
    const sameAddress = me.address !== '' && rk.address === me.address;
    const sameHousehold = me.household !== null && resident.householdId === me.household;
    if (rk.samePerson.has(me.op.id) && (me.address === '' && me.household === null ? true : sameAddress || sameHousehold)) return { rule: 'relation.self' };
    if (sameHousehold) return { rule: 'relation.household' };
    // A colleague whose address or household the roster knows must match it too (homonyms are common).
    const colleagues = (this.byName.get(rk.nameKana) ?? []).filter((id) => {
      const other = this.keys.get(id);
      if (!other || id === me.op.id) return false;
      if (other.address === '' && other.household === null) return true;
      return rk.address === other.address || resident.householdId === other.household;
    });
    if (colleagues.length > 0) return { rule: 'relation.colleague', colleague: colleagues[0]! };
    if (sameAddress) return { rule: 'relation.same-address' };
    const family = rk.family;
    if (family !== '' && family === me.family && (!config.sameSurnameOnlyWithoutCase || caseNumber === null)) {
      const share = context.surnameShare?.get(family);
      if (share === undefined || share <= config.sameSurnameMaxShare) return { rule: 'relation.same-surname' };
    }
    return null;
  }

  onRecord(r: AuditRecord): void {
    const a = r.access;
    const opId = r.record.operatorId;
    if (!a || a.kind === 'search' || opId === null) return;
    const me = this.keys.get(opId);
    if (!me) return;
    const { sink, context } = this.env;
    for (const residentId of a.residentIds) {
      const resident = context.residents.get(residentId);
      if (!resident || !this.concerns(resident)) continue;
      const found = this.relation(me, resident, a.caseNumber);
      if (!found || !sink.enabled(found.rule)) continue;
      const who = operatorLabel(this.env.operators, opId);
      const colleague = found.colleague ? operatorLabel(this.env.operators, found.colleague) : '';
      const what: Record<Relation, string> = {
        'relation.self': '自分自身の記録',
        'relation.household': '自分と同じ世帯の人の記録',
        'relation.colleague': `同僚 ${colleague} の記録`,
        'relation.same-address': '自分と同じ住所の人の記録',
        'relation.same-surname': '自分と同じ（町内では少ない）姓の人の記録（受付番号なし）',
      };
      const draft = sink.open(found.rule, `${opId}:${residentId}`, r.record.at, (d) =>
        `${who} が ${when(d.firstAt)} に${what[found.rule]}（住民ID ${residentId}）を参照しました${d.rowCount > 1 ? `（${d.rowCount}回、最後は ${when(d.lastAt)}）` : ''}。`);
      sink.addRow(draft, rowOf(r), r.record.at);
      draft.operatorIds.add(opId);
      draft.residentIds.add(residentId);
    }
  }

  finish(): void {}
}
