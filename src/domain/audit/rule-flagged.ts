// Rule kind 10: any access to a record the manager flagged (support measures for DV victims, public
// figures, …): shown in a hit list, opened, code revealed or printed — always a finding.
import type { AuditRecord } from './audit-record';
import { rowOf, type AuditRule, type RuleEnv } from './rule-env';
import { operatorLabel, when } from './wording';

const LABELS: Readonly<Record<string, string>> = {
  'dv-support': '支援措置（DV等）の対象',
  'public-figure': '著名人',
};
const KIND_TEXT = { search: '検索結果に表示', view: '参照', reveal: '住民票コードを表示', print: '印刷' } as const;

export class FlaggedRule implements AuditRule {
  constructor(private readonly env: RuleEnv) {}

  onRecord(r: AuditRecord): void {
    const a = r.access;
    if (!a) return;
    const { sink, context } = this.env;
    if (!sink.enabled('flagged.access')) return;
    const rec = r.record;
    for (const residentId of a.residentIds) {
      const flag = context.flagged.get(residentId);
      if (flag === undefined) continue;
      const label = LABELS[flag] ?? `「${flag}」の注意`;
      const who = operatorLabel(this.env.operators, rec.operatorId);
      const draft = sink.open('flagged.access', `${rec.operatorId}:${residentId}:${r.ymd}`, rec.at, (d) => {
        const kinds = [...d.counts.keys()].map((k) => KIND_TEXT[k as keyof typeof KIND_TEXT]).filter(Boolean).join('・');
        return `${who} が ${when(d.firstAt)} に、${label}として登録された記録（住民ID ${residentId}）を${kinds}しました（${d.rowCount}件）。`;
      });
      sink.addRow(draft, rowOf(r), rec.at);
      draft.counts.set(a.kind, (draft.counts.get(a.kind) ?? 0) + 1);
      if (rec.operatorId) draft.operatorIds.add(rec.operatorId);
      draft.residentIds.add(residentId);
    }
  }

  finish(): void {}
}
