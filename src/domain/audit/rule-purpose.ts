// Rule kind 1: resident access without a matching case/receipt number where the category needs
// one, with a case number that is not in the receipt ledger (or is a placeholder such as 0000), or
// under a vague purpose note; and the same note reused for many purposes by one operator.
import type { AuditRecord } from './audit-record';
import type { FindingDraft } from './finding-sink';
import { DAY_MS, rowOf, type AuditRule, type RuleEnv } from './rule-env';
import { isVagueNote, noteKey } from './vague-note';
import { day, operatorLabel, quoteNote, when } from './wording';

interface StatedPurpose {
  r: AuditRecord;
  operatorId: string | null;
  category: string | null;
  caseNumber: string | null;
  note: string | null;
  /** isVagueNote(note), computed once per stated purpose (not per access). */
  vague: boolean | null;
  /** placeholderCase(caseNumber), computed once per stated purpose. */
  placeholder: boolean | null;
}

const str = (v: unknown): string | null => (typeof v === 'string' && v.trim() !== '' ? v.trim() : null);
/** One character repeated (0000, 1, ---): a placeholder, not a receipt number. */
const placeholderCase = (c: string): boolean => new Set([...c.replace(/[\s-]/g, '')]).size <= 1;

export class PurposeRule implements AuditRule {
  private readonly current = new Map<string, StatedPurpose>();
  /** operator → note key → purposes stated with it (inside the window). */
  private readonly notes = new Map<string, Map<string, AuditRecord[]>>();
  private readonly lastSweep = new Map<string, string>();
  private readonly counted = new WeakSet<AuditRecord>();

  constructor(private readonly env: RuleEnv) {}

  onRecord(r: AuditRecord): void {
    const rec = r.record;
    if (rec.type === 'purpose.stated') {
      const stated: StatedPurpose = {
        r,
        operatorId: rec.operatorId,
        category: str(rec.detail.purposeCategory),
        caseNumber: str(rec.detail.caseNumber),
        note: str(rec.detail.note),
        vague: null,
        placeholder: null,
      };
      this.current.set(rec.terminalId, stated);
      if (stated.caseNumber === null && stated.note !== null && rec.operatorId !== null) this.noteUsed(rec.operatorId, stated.note, r);
      return;
    }
    if (rec.type === 'purpose.ended') {
      this.current.delete(rec.terminalId);
      return;
    }
    const access = r.access;
    if (!access) return;
    const { sink } = this.env;
    const stated = this.current.get(rec.terminalId);
    const matches = stated !== undefined && stated.operatorId === rec.operatorId && stated.category === access.purposeCategory && stated.caseNumber === access.caseNumber;
    const category = access.purposeCategory ? this.env.categories.get(access.purposeCategory) : undefined;
    const missing = access.caseNumber === null && (category?.needsCaseNumber ?? access.purposeCategory === null);
    // The common case first, without building any text: a case number that is not a placeholder (and
    // no receipt ledger to check), or a specific note. Nothing below would open a finding.
    if (!missing) {
      if (access.caseNumber !== null) {
        let placeholder: boolean;
        if (matches) placeholder = stated.placeholder ??= placeholderCase(access.caseNumber);
        else placeholder = placeholderCase(access.caseNumber);
        if (!placeholder && (this.env.context.receipts === undefined || this.env.context.receipts.has(access.caseNumber))) return;
      } else {
        if (!matches) return;
        if (stated.vague === null) stated.vague = isVagueNote(stated.note, this.env.config);
        if (!stated.vague) return;
      }
    }
    const caseKey = matches ? `${rec.terminalId}#${stated.r.record.seq}` : `${rec.terminalId}:${rec.operatorId}:${r.ymd}:${access.purposeCategory}:${access.caseNumber}`;
    const label = category?.label ?? access.purposeCategory ?? '（区分なし）';
    const who = operatorLabel(this.env.operators, rec.operatorId);

    const add = (draft: FindingDraft): void => {
      if (draft.rowCount === 0 && matches) sink.addRow(draft, rowOf(stated.r), stated.r.record.at);
      sink.addRow(draft, rowOf(r), rec.at);
      if (rec.operatorId) draft.operatorIds.add(rec.operatorId);
      for (const id of access.residentIds) draft.residentIds.add(id);
      draft.counts.set('access', (draft.counts.get('access') ?? 0) + 1);
    };

    if (missing) {
      if (sink.enabled('purpose.missing-case')) {
        add(sink.open('purpose.missing-case', caseKey, rec.at, (d) =>
          `${who} が ${when(d.firstAt)} に、受付番号が必要な目的「${label}」で受付番号なしに住民記録を${d.counts.get('access')}回検索・参照しました。`));
      }
    } else if (access.caseNumber !== null) {
      const unknown = placeholderCase(access.caseNumber) || (this.env.context.receipts !== undefined && !this.env.context.receipts.has(access.caseNumber));
      if (unknown && sink.enabled('purpose.unknown-case')) {
        const caseText = quoteNote(access.caseNumber);
        add(sink.open('purpose.unknown-case', caseKey, rec.at, (d) =>
          `${who} が ${when(d.firstAt)} に、受付台帳にない受付番号${caseText}（目的「${label}」）で住民記録を${d.counts.get('access')}回検索・参照しました。`));
      }
    } else if (matches && stated.vague === true && sink.enabled('purpose.vague-note')) {
      const note = quoteNote(stated.note);
      add(sink.open('purpose.vague-note', caseKey, rec.at, (d) =>
        `${who} が ${when(d.firstAt)} に、具体的でない目的${note}（区分「${label}」、受付番号なし）で住民記録を${d.counts.get('access')}回検索・参照しました。`));
    }
  }

  private noteUsed(operatorId: string, note: string, r: AuditRecord): void {
    const { config, sink } = this.env;
    const windowMs = config.repeatedNoteWindowDays * DAY_MS;
    let byNote = this.notes.get(operatorId);
    if (!byNote) this.notes.set(operatorId, (byNote = new Map()));
    if (this.lastSweep.get(operatorId) !== r.ymd) {
      // Once a day per operator: forget notes not used within the window (memory stays bounded).
      this.lastSweep.set(operatorId, r.ymd);
      for (const [key, list] of byNote) if (r.atMs - list[list.length - 1]!.atMs > windowMs) byNote.delete(key);
    }
    const key = noteKey(note);
    const list = (byNote.get(key) ?? []).filter((x) => r.atMs - x.atMs <= windowMs);
    list.push(r);
    byNote.set(key, list);
    if (list.length < config.repeatedNoteMin || !sink.enabled('purpose.repeated-note')) return;
    const who = operatorLabel(this.env.operators, operatorId);
    const quoted = quoteNote(note);
    const windowDays = config.repeatedNoteWindowDays;
    const existing = sink.get('purpose.repeated-note', `${operatorId}:${key}`);
    const draft = existing ?? sink.open('purpose.repeated-note', `${operatorId}:${key}`, list[0]!.record.at, (d) =>
      `${who} が ${day(d.firstAt)}〜${day(d.lastAt)} に、受付番号のない目的を同じ文言${quoted}で${d.rowCount}回記入しました（${windowDays}日以内に${config.repeatedNoteMin}回以上）。`);
    draft.operatorIds.add(operatorId);
    for (const x of list) {
      if (this.counted.has(x)) continue;
      this.counted.add(x);
      sink.addRow(draft, rowOf(x), x.record.at);
    }
  }

  finish(): void {}
}
