// The findings engine: feed operation-log records in time order (all terminals merged), get the
// findings. Memory grows with the operators, residents and terminals touched within the rules'
// windows and with the findings, not with the number of records. Deterministic: the same records,
// context and configuration give the same findings in the same order.
import type { LogRecord } from '../log/log-record';
import { toAuditRecord, type AuditRecord } from './audit-record';
import { auditConfig, type AuditConfig } from './config';
import { FindingSink } from './finding-sink';
import { ruleEnv, type AuditRule } from './rule-env';
import { CardsRule } from './rule-cards';
import { FlaggedRule } from './rule-flagged';
import { HoursRule } from './rule-hours';
import { IntegrityRule } from './rule-integrity';
import { ManyOperatorsRule } from './rule-many-operators';
import { PurposeRule } from './rule-purpose';
import { RelationsRule } from './rule-relations';
import { SignInRule } from './rule-signin';
import { SyncRule } from './rule-sync';
import { VolumeRule, type VolumeDay } from './rule-volume';
import type { AuditContext, Finding } from './types';

export class FindingsEngine {
  private readonly sink: FindingSink;
  private readonly rules: AuditRule[];
  private lastMs = -Infinity;
  private done = false;

  private readonly volume: VolumeRule;
  private readonly relations: RelationsRule;

  /**
   * options.volumeByDay: the volume rule does not count the records pushed; each operator's days come
   * through pushVolumeDay instead (the server counts them in SQL and feeds only the records the other
   * rules need).
   */
  constructor(private readonly context: AuditContext, config: Partial<AuditConfig> = {}, options: { volumeByDay?: boolean } = {}) {
    const full = auditConfig(config);
    this.sink = new FindingSink(full);
    const env = ruleEnv(context, full, this.sink);
    this.volume = new VolumeRule(env, options.volumeByDay === true);
    this.relations = new RelationsRule(env);
    this.rules = [
      new PurposeRule(env), new ManyOperatorsRule(env), this.relations, this.volume, new HoursRule(env),
      new SignInRule(env), new CardsRule(env), new IntegrityRule(env), new SyncRule(env), new FlaggedRule(env),
    ];
  }

  /** One operator's searches+views of one day (volumeByDay engines; each operator's days oldest first, from countFrom on). */
  pushVolumeDay(operatorId: string, day: VolumeDay): void {
    if (this.done) throw new Error('FindingsEngine: finish() was already called');
    this.volume.pushDay(operatorId, day);
  }

  /** Whether opening this resident's record can be a relation finding for any operator (RelationsRule.mayConcern). */
  mayConcernRelations(residentId: string): boolean {
    return this.relations.mayConcern(residentId);
  }

  push(record: LogRecord): void {
    if (this.done) throw new Error('FindingsEngine: finish() was already called');
    const r = toAuditRecord(record);
    if (r.atMs > this.lastMs) this.lastMs = r.atMs;
    for (const rule of this.rules) rule.onRecord(r);
  }

  /**
   * The same as push() for a record already in the engine's form (the server builds it from its
   * compact query index instead of parsing each stored record): time order as for push().
   */
  pushAudit(r: AuditRecord): void {
    if (this.done) throw new Error('FindingsEngine: finish() was already called');
    if (r.atMs > this.lastMs) this.lastMs = r.atMs;
    for (const rule of this.rules) rule.onRecord(r);
  }

  finish(): Finding[] {
    if (!this.done) {
      this.done = true;
      const asOf = this.context.asOf ? Date.parse(this.context.asOf) : this.lastMs;
      for (const rule of this.rules) rule.finish(asOf);
    }
    return this.sink.findings();
  }
}

/** All findings of `records` (time order, all terminals merged). */
export function findFindings(records: Iterable<LogRecord>, context: AuditContext, config: Partial<AuditConfig> = {}): Finding[] {
  const engine = new FindingsEngine(context, config);
  for (const record of records) engine.push(record);
  return engine.finish();
}
