// What every rule gets: the configuration, the context with its indexes, and the finding sink.
import { DEFAULT_PURPOSE_CATEGORIES, type PurposeCategory } from '../resident/purpose';
import type { AuditRecord } from './audit-record';
import type { AuditConfig } from './config';
import type { FindingSink } from './finding-sink';
import type { AuditCard, AuditContext, AuditOperator } from './types';

export interface RuleEnv {
  config: AuditConfig;
  context: AuditContext;
  sink: FindingSink;
  operators: ReadonlyMap<string, AuditOperator>;
  categories: ReadonlyMap<string, PurposeCategory>;
  cards: ReadonlyMap<string, { operator: AuditOperator; card: AuditCard }>;
}

export interface AuditRule {
  onRecord(r: AuditRecord): void;
  /** Called once after the last record; `endMs` is the time of the check. */
  finish(endMs: number): void;
}

export function ruleEnv(context: AuditContext, config: AuditConfig, sink: FindingSink): RuleEnv {
  const operators = new Map(context.operators.map((o) => [o.id, o] as const));
  const categories = new Map((context.purposeCategories ?? DEFAULT_PURPOSE_CATEGORIES).map((c) => [c.id, c] as const));
  const cards = new Map<string, { operator: AuditOperator; card: AuditCard }>();
  for (const operator of context.operators) for (const card of operator.cards) cards.set(card.keyId, { operator, card });
  return { config, context, sink, operators, categories, cards };
}

export const rowOf = (r: AuditRecord): { terminalId: string; seq: number } => ({ terminalId: r.record.terminalId, seq: r.record.seq });
export const MINUTE_MS = 60_000;
export const DAY_MS = 86_400_000;
