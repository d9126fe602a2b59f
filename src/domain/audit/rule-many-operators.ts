// Rule kind 2: one resident's record opened by many different operators within a few days (the
// pattern of staff looking up a person in the news, or passing a name around).
import type { AuditRecord } from './audit-record';
import type { FindingDraft } from './finding-sink';
import { DAY_MS, rowOf, type AuditRule, type RuleEnv } from './rule-env';
import { day } from './wording';

interface View {
  r: AuditRecord;
  operatorId: string;
}

export class ManyOperatorsRule implements AuditRule {
  private readonly views = new Map<string, View[]>();
  private readonly open = new Map<string, FindingDraft>();
  private readonly counted = new WeakSet<AuditRecord>();

  constructor(private readonly env: RuleEnv) {}

  onRecord(r: AuditRecord): void {
    const a = r.access;
    const op = r.record.operatorId;
    if (!a || a.kind !== 'view' || op === null || !this.env.sink.enabled('resident.many-operators')) return;
    const { config, sink } = this.env;
    const windowMs = config.manyOperatorsWindowDays * DAY_MS;
    for (const residentId of a.residentIds) {
      // Views arrive in time order: the ones out of the window are at the front.
      let list = this.views.get(residentId);
      if (!list) this.views.set(residentId, (list = []));
      let expired = 0;
      while (expired < list.length && r.atMs - list[expired]!.r.atMs > windowMs) expired++;
      if (expired > 0) list.splice(0, expired);
      list.push({ r, operatorId: op });
      // Fewer views than the minimum cannot hold enough operators (no set built for them).
      const enough = list.length >= config.manyOperatorsMin && new Set(list.map((v) => v.operatorId)).size >= config.manyOperatorsMin;
      let draft = this.open.get(residentId);
      if (!enough) {
        // The burst is over once the window no longer holds enough operators.
        if (draft && list.length === 1) this.open.delete(residentId);
        if (!draft) continue;
      }
      if (!draft) {
        const windowDays = config.manyOperatorsWindowDays;
        draft = sink.open('resident.many-operators', `${residentId}:${list[0]!.r.record.terminalId}#${list[0]!.r.record.seq}`, list[0]!.r.record.at, (d) =>
          `住民ID ${residentId} の記録が ${day(d.firstAt)}〜${day(d.lastAt)} に${d.operatorIds.size}人の操作者によって${d.rowCount}回参照されました（${windowDays}日以内に${config.manyOperatorsMin}人以上）。`);
        draft.residentIds.add(residentId);
        this.open.set(residentId, draft);
      }
      for (const v of list) {
        if (this.counted.has(v.r)) continue;
        this.counted.add(v.r);
        sink.addRow(draft, rowOf(v.r), v.r.record.at);
        draft.operatorIds.add(v.operatorId);
      }
    }
  }

  finish(): void {}
}
