// Collects findings while the log streams by: each rule opens a draft under a key, adds the rows
// behind it (capped) and supplies its explanation, computed once at the end from the draft's totals.
import type { AuditConfig } from './config';
import { DEFAULT_SEVERITY } from './config';
import type { Finding, RowRef, RuleId } from './types';
import { RULE_IDS } from './types';

export interface FindingDraft {
  readonly id: string;
  readonly rule: RuleId;
  firstAt: string;
  lastAt: string;
  operatorIds: Set<string>;
  terminalIds: Set<string>;
  residentIds: Set<string>;
  rows: RowRef[];
  rowCount: number;
  /** Free numbers the rule keeps for its explanation. */
  counts: Map<string, number>;
  explain: (draft: FindingDraft) => string;
}

const RULE_ORDER = new Map<RuleId, number>(RULE_IDS.map((id, i) => [id, i]));

export class FindingSink {
  private readonly drafts = new Map<string, FindingDraft>();
  constructor(private readonly config: AuditConfig) {}

  enabled(rule: RuleId): boolean {
    return !this.config.disabledRules.includes(rule);
  }

  get(rule: RuleId, key: string): FindingDraft | undefined {
    return this.drafts.get(`${rule}:${key}`);
  }

  /** The draft of (rule, key), created on first use. */
  open(rule: RuleId, key: string, at: string, explain: (draft: FindingDraft) => string): FindingDraft {
    const id = `${rule}:${key}`;
    let draft = this.drafts.get(id);
    if (!draft) {
      draft = {
        id, rule, firstAt: at, lastAt: at, operatorIds: new Set(), terminalIds: new Set(), residentIds: new Set(),
        rows: [], rowCount: 0, counts: new Map(), explain,
      };
      this.drafts.set(id, draft);
    }
    return draft;
  }

  addRow(draft: FindingDraft, row: RowRef, at: string): void {
    draft.rowCount += 1;
    if (draft.rows.length < this.config.maxRowsPerFinding) draft.rows.push({ terminalId: row.terminalId, seq: row.seq });
    if (at < draft.firstAt) draft.firstAt = at;
    if (at > draft.lastAt) draft.lastAt = at;
    draft.terminalIds.add(row.terminalId);
  }

  /** Every finding, ordered by time of the first row, then rule, then id (deterministic). */
  findings(): Finding[] {
    const out: Finding[] = [];
    for (const d of this.drafts.values()) {
      if (!this.enabled(d.rule)) continue;
      out.push({
        id: d.id,
        rule: d.rule,
        severity: this.config.severity[d.rule] ?? DEFAULT_SEVERITY[d.rule],
        explanation: d.explain(d),
        firstAt: d.firstAt,
        lastAt: d.lastAt,
        operatorIds: [...d.operatorIds].sort(),
        terminalIds: [...d.terminalIds].sort(),
        residentIds: [...d.residentIds].sort(),
        rows: [...d.rows].sort((a, b) => (a.terminalId < b.terminalId ? -1 : a.terminalId > b.terminalId ? 1 : a.seq - b.seq)),
        rowCount: d.rowCount,
      });
    }
    return out.sort(
      (a, b) =>
        (a.firstAt < b.firstAt ? -1 : a.firstAt > b.firstAt ? 1 : 0) ||
        (RULE_ORDER.get(a.rule)! - RULE_ORDER.get(b.rule)!) ||
        (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
    );
  }
}
