// Rule kind 6: lockouts; repeated wrong passwords by one operator that did not end in a lockout
// (a success in between resets the counter, so the lockout alone would miss them); and bursts of
// failed sign-ins and refused cards on one terminal (someone trying cards or passwords).
import type { AuditRecord } from './audit-record';
import type { FindingDraft } from './finding-sink';
import { MINUTE_MS, rowOf, type AuditRule, type RuleEnv } from './rule-env';
import { clock, day, operatorLabel, when } from './wording';

const TERMINAL_FAILURE_REFUSALS = new Set(['unknown-card', 'revoked-card', 'not-on-roster', 'locked-out']);

export class SignInRule implements AuditRule {
  /** operator → wrong passwords inside the window that did not lead to a lockout. */
  private readonly failures = new Map<string, AuditRecord[]>();
  /** operator → a wrong password waiting to see whether a lockout follows. */
  private readonly pending = new Map<string, AuditRecord>();
  private readonly terminal = new Map<string, AuditRecord[]>();
  private readonly terminalOpen = new Map<string, FindingDraft>();
  private readonly operatorOpen = new Map<string, FindingDraft>();
  private readonly countedOperator = new WeakSet<AuditRecord>();
  private readonly countedTerminal = new WeakSet<AuditRecord>();

  constructor(private readonly env: RuleEnv) {}

  onRecord(r: AuditRecord): void {
    const rec = r.record;
    const op = rec.operatorId;
    if (op !== null) {
      const waiting = this.pending.get(op);
      if (waiting) {
        this.pending.delete(op);
        if (rec.type === 'signin.lockout') this.failures.delete(op);
        else this.commitFailure(op, waiting);
      }
      if (rec.type === 'signin.failure') this.pending.set(op, r);
    }
    if (rec.type === 'signin.lockout') this.lockout(r);
    if (rec.type === 'signin.refused' && rec.detail.reason === 'locked-out' && op !== null) {
      const draft = this.env.sink.get('signin.lockout', `${op}:${r.ymd}`);
      if (draft) this.env.sink.addRow(draft, rowOf(r), rec.at);
    }
    const terminalFailure =
      rec.type === 'signin.failure' || rec.type === 'card.auth-failed' ||
      (rec.type === 'signin.refused' && TERMINAL_FAILURE_REFUSALS.has(String(rec.detail.reason)));
    if (terminalFailure) this.terminalFailure(r);
  }

  private lockout(r: AuditRecord): void {
    const { sink } = this.env;
    const op = r.record.operatorId;
    if (!sink.enabled('signin.lockout')) return;
    const who = operatorLabel(this.env.operators, op);
    const draft = sink.open('signin.lockout', `${op}:${r.ymd}`, r.record.at, (d) =>
      `${who} が ${when(d.firstAt)} に端末 ${[...d.terminalIds].join('、')} でパスワードを続けて間違え、ロックアウトされました${(d.counts.get('lockouts') ?? 0) > 1 ? `（この日${d.counts.get('lockouts')}回）` : ''}。`);
    sink.addRow(draft, rowOf(r), r.record.at);
    draft.counts.set('lockouts', (draft.counts.get('lockouts') ?? 0) + 1);
    if (op) draft.operatorIds.add(op);
  }

  private commitFailure(op: string, r: AuditRecord): void {
    const { config, sink } = this.env;
    const windowMs = config.failureWindowMinutes * MINUTE_MS;
    const list = (this.failures.get(op) ?? []).filter((x) => r.atMs - x.atMs <= windowMs);
    list.push(r);
    this.failures.set(op, list);
    let draft = this.operatorOpen.get(op);
    if (draft && list.length === 1) {
      this.operatorOpen.delete(op);
      draft = undefined;
    }
    if (!draft) {
      if (list.length < config.failuresPerOperator || !sink.enabled('signin.repeated-failures')) return;
      const who = operatorLabel(this.env.operators, op);
      const hours = config.failureWindowMinutes / 60;
      draft = sink.open('signin.repeated-failures', `${op}:${list[0]!.record.terminalId}#${list[0]!.record.seq}`, list[0]!.record.at, (d) =>
        `${who} が ${when(d.firstAt)}〜${when(d.lastAt)} にパスワードを${d.rowCount}回間違えました（ロックアウトには至らず、${hours}時間以内に${config.failuresPerOperator}回以上）。`);
      this.operatorOpen.set(op, draft);
    }
    for (const x of list) {
      if (this.countedOperator.has(x)) continue;
      this.countedOperator.add(x);
      sink.addRow(draft, rowOf(x), x.record.at);
    }
    draft.operatorIds.add(op);
  }

  private terminalFailure(r: AuditRecord): void {
    const { config, sink } = this.env;
    const t = r.record.terminalId;
    const windowMs = config.terminalFailureWindowMinutes * MINUTE_MS;
    const list = (this.terminal.get(t) ?? []).filter((x) => r.atMs - x.atMs <= windowMs);
    list.push(r);
    this.terminal.set(t, list);
    let draft = this.terminalOpen.get(t);
    if (draft && list.length === 1) {
      this.terminalOpen.delete(t);
      draft = undefined;
    }
    if (!draft) {
      if (list.length < config.failuresPerTerminal || !sink.enabled('signin.terminal-failures')) return;
      const minutes = config.terminalFailureWindowMinutes;
      draft = sink.open('signin.terminal-failures', `${t}:${list[0]!.record.seq}`, list[0]!.record.at, (d) =>
        `端末 ${t} で ${day(d.firstAt)} ${clock(d.firstAt)}〜${clock(d.lastAt)} に、パスワード誤りや使えないカードによるサインインの失敗が${d.rowCount}回ありました（${minutes}分以内に${config.failuresPerTerminal}回以上）。`);
      this.terminalOpen.set(t, draft);
    }
    for (const x of list) {
      if (this.countedTerminal.has(x)) continue;
      this.countedTerminal.add(x);
      sink.addRow(draft, rowOf(x), x.record.at);
      if (x.record.operatorId) draft.operatorIds.add(x.record.operatorId);
    }
  }

  finish(): void {
    for (const [op, r] of [...this.pending].sort(([a], [b]) => (a < b ? -1 : 1))) this.commitFailure(op, r);
    this.pending.clear();
  }
}
