// The findings engine on a generated history (src/domain/audit/synthetic-history.ts): 3 months,
// 8 operators, 4 terminals, planted misuse of every rule kind. Every planted case is found, false
// alarms stay under the stated bound, and generation and findings are deterministic.
import { describe, expect, it } from 'vitest';
import { findFindings, FindingsEngine } from '../../src/domain/audit/engine';
import { generateSyntheticHistory, type PlantedCase } from '../../src/domain/audit/synthetic-history';
import { RULE_KIND, type Finding } from '../../src/domain/audit/types';

const OPTIONS = { seed: 20260202, from: '2026-02-02', days: 91, terminals: 4, operators: 8 };
const history = generateSyntheticHistory(OPTIONS);
const findings = findFindings(history.records, history.context);

/**
 * FALSE-ALARM BOUND: at most 3 findings that match no planted case, and at most 10% of all findings.
 * (Measured with this seed: 0 of 28 after the colleague check began to require the colleague's address.)
 */
const MAX_FALSE_ALARMS = 3;
const MAX_FALSE_ALARM_SHARE = 0.1;

const overlaps = (f: Finding, p: PlantedCase): boolean => {
  if (p.rows.length === 0) return p.terminalId !== undefined && f.terminalIds.includes(p.terminalId);
  const keys = new Set(p.rows.map((r) => `${r.terminalId}#${r.seq}`));
  return f.rows.some((r) => keys.has(`${r.terminalId}#${r.seq}`));
};
const explains = (f: Finding, p: PlantedCase): boolean => (p.rule === f.rule || p.also.includes(f.rule)) && overlaps(f, p);

describe('generated history', () => {
  it('has planted cases of all ten rule kinds, with the rows behind them', () => {
    const kinds = new Set(history.planted.map((p) => RULE_KIND[p.rule]));
    expect([...kinds].sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    for (const p of history.planted) {
      if (p.rule !== 'sync.stale' && p.id !== history.planted.find((x) => x.rule === 'log.integrity' && x.rows.length === 0)?.id) expect(p.rows.length, p.description).toBeGreaterThan(0);
    }
    expect(history.records.length).toBeGreaterThan(10_000);
    // Time order, gap-free seq per terminal.
    const seq = new Map<string, number>();
    let ordered = true;
    let gapFree = true;
    for (let i = 1; i < history.records.length; i++) ordered &&= history.records[i - 1]!.at <= history.records[i]!.at;
    for (const r of history.records) {
      gapFree &&= r.seq === (seq.get(r.terminalId) ?? 0) + 1;
      seq.set(r.terminalId, r.seq);
    }
    expect(ordered).toBe(true);
    expect(gapFree).toBe(true);
  });

  it('finds every planted case', () => {
    const missed = history.planted.filter((p) => !findings.some((f) => f.rule === p.rule && overlaps(f, p)));
    expect(missed.map((p) => `${p.id} ${p.rule} ${p.description}`)).toEqual([]);
  });

  it(`lists at most ${MAX_FALSE_ALARMS} false alarms (and ≤ ${MAX_FALSE_ALARM_SHARE * 100}% of findings)`, () => {
    const unmatched = findings.filter((f) => !history.planted.some((p) => explains(f, p)));
    console.log(`audit-history: ${history.records.length} records, ${history.planted.length} planted cases, ${findings.length} findings, ${unmatched.length} false alarms`);
    for (const f of unmatched) console.log(`  false alarm: ${f.rule} ${f.explanation}`);
    expect(unmatched.length).toBeLessThanOrEqual(MAX_FALSE_ALARMS);
    expect(unmatched.length / findings.length).toBeLessThanOrEqual(MAX_FALSE_ALARM_SHARE);
  });

  it('explains every finding in Japanese, without any password, and with the rows behind it', () => {
    const passwords = history.operators.map((o) => o.demoPassword);
    expect(passwords.every((p) => p.length >= 10)).toBe(true);
    for (const f of findings) {
      expect(f.explanation).toMatch(/[\u3040-\u30ff\u4e00-\u9fff]/u);
      expect(f.explanation).toMatch(/。$/u);
      const text = JSON.stringify(f);
      for (const p of passwords) expect(text).not.toContain(p);
      if (f.rule !== 'sync.stale' && !f.id.startsWith('log.integrity:alert:')) expect(f.rows.length).toBeGreaterThan(0);
      expect(f.rows.length).toBeLessThanOrEqual(f.rowCount);
    }
  });

  it('is deterministic: same seed, same history and findings; another seed, another history', () => {
    const again = generateSyntheticHistory(OPTIONS);
    expect(again.records).toEqual(history.records);
    expect(again.planted).toEqual(history.planted);
    expect(findFindings(again.records, again.context)).toEqual(findings);
    const other = generateSyntheticHistory({ ...OPTIONS, seed: 7, days: 35 });
    expect(other.records.slice(0, 50)).not.toEqual(history.records.slice(0, 50));
  });

  it('streams: pushing records one by one gives the same findings', () => {
    const engine = new FindingsEngine(history.context);
    for (const r of history.records) engine.push(r);
    expect(engine.finish()).toEqual(findings);
  });

  it('finds the planted cases of another seed and a shorter period too', () => {
    const other = generateSyntheticHistory({ seed: 99, from: '2026-09-01', days: 45, terminals: 3, operators: 6 });
    const found = findFindings(other.records, other.context);
    const missed = other.planted.filter((p) => !found.some((f) => f.rule === p.rule && overlaps(f, p)));
    expect(missed.map((p) => `${p.id} ${p.rule}`)).toEqual([]);
    const unmatched = found.filter((f) => !other.planted.some((p) => explains(f, p)));
    console.log(`audit-history (seed 99, 45 days): ${found.length} findings, ${unmatched.length} false alarms`);
    for (const f of unmatched) console.log(`  false alarm: ${f.rule} ${f.explanation}`);
    expect(unmatched.length).toBeLessThanOrEqual(MAX_FALSE_ALARMS);
  });

  it('timing: one month of a 20-terminal town (printed, not asserted)', () => {
    const t0 = performance.now();
    const big = generateSyntheticHistory({ seed: 5, from: '2026-10-01', days: 31, terminals: 20, operators: 24, households: 8000 });
    const t1 = performance.now();
    const found = findFindings(big.records, big.context);
    const t2 = performance.now();
    console.log(`audit timing: 20 terminals × 1 month = ${big.records.length} records; generated in ${(t1 - t0).toFixed(0)} ms; findings (${found.length}) in ${(t2 - t1).toFixed(0)} ms`);
  });
});
