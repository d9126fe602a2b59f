// Spot-check samples and verdicts (issue 5 item 4, migration 10). A sample is drawn from the searches
// (type resident.search) of a period in the log query index, weighted by the findings of the period
// (the caller passes them: findingsForPeriod), with src/domain/audit/sampling.ts — seeded, so the same
// period, population and seed give the same items. Views, code reveals and prints do not count
// separately: each follows a search under the same stated purpose, and judging the search judges the
// lookup (the item's findings still name the rows of views when a finding covers them).
// Items copy what the row was, so a sample reads the same after the index is rebuilt. Verdicts are
// append-only rows; nobody judges a search they performed themselves.
import { randomBytes } from 'node:crypto';
import { DEFAULT_SAMPLE_WEIGHTS, drawSample, risksByRow, rowKey, weightOf, type RowRisk, type SampleWeights } from '../../domain/audit/sampling';
import type { Finding } from '../../domain/audit/types';
import type { SampleItem, SampleSummary, Verdict, VerdictRecord } from '../../shared/spot-check-api';
import { toIso } from '../clock';
import type { ServerDb } from '../db/open';
import { ApiError } from '../http/errors';
import { findTermId } from '../store/log-index';
import { recordEvent } from '../store/events';
import type { AuditPeriod } from './audit-filters';
import { operatorNames } from './index-rows';

export const SAMPLE_POPULATION_TYPE = 'resident.search';

export interface Actor {
  id: string;
  name: string;
  role: string;
  /** The terminal and admin session the act came through. */
  terminalId: string;
  sessionId: string;
}

interface SampleRow {
  id: string;
  from_ms: number;
  to_ms: number;
  size: number;
  seed: string;
  population: number;
  risky_population: number;
  weights: string;
  drawn_by: string;
  drawn_at: number;
}

interface ItemRow {
  position: number;
  terminal_id: string;
  seq: number;
  at_ms: number;
  type: string;
  operator_id: string | null;
  purpose_category: string | null;
  has_case_number: number | null;
  weight: number;
  findings: string;
}

interface VerdictRow {
  terminal_id: string;
  seq: number;
  verdict: Verdict;
  comment: string | null;
  judged_by: string;
  at: number;
}

/** A fresh random seed (printable). */
export function randomSeed(): string {
  return randomBytes(8).toString('hex');
}

interface Candidate {
  terminalId: string;
  seq: number;
  weight: number;
  atMs: number;
  operator: number | null;
  purpose: number | null;
  caseNumber: number | null;
}

/** Draws and stores a sample; returns its id. */
export function drawSpotCheckSample(
  db: ServerDb,
  input: { period: AuditPeriod; size: number; seed: string; findings: readonly Finding[]; actor: Actor; now: number; weights?: SampleWeights },
): string {
  const weights = input.weights ?? DEFAULT_SAMPLE_WEIGHTS;
  const risks = risksByRow(input.findings);
  const type = findTermId(db, 'type', SAMPLE_POPULATION_TYPE);
  const terminals = new Map(
    (db.prepare("SELECT id, value FROM log_index_terms WHERE kind = 'terminal'").all() as { id: number; value: string }[]).map((t) => [t.id, t.value]),
  );
  let population = 0;
  let risky = 0;
  function* candidates(): Generator<Candidate> {
    if (type === undefined) return;
    const rows = db
      .prepare('SELECT terminal, seq, at_ms, operator, purpose, case_number FROM log_index_records WHERE type = ? AND at_ms BETWEEN ? AND ?')
      .raw()
      .iterate(type, input.period.fromMs, input.period.toMs) as Iterable<[number, number, number, number | null, number | null, number | null]>;
    for (const [terminal, seq, atMs, operator, purpose, caseNumber] of rows) {
      const terminalId = terminals.get(terminal) ?? String(terminal);
      const rowRisks = risks.get(rowKey(terminalId, seq));
      population++;
      if (rowRisks) risky++;
      yield { terminalId, seq, weight: weightOf(rowRisks, weights), atMs, operator, purpose, caseNumber };
    }
  }
  const drawn = drawSample(candidates(), input.size, input.seed);
  const termIds = [...new Set(drawn.flatMap((d) => [d.row.operator, d.row.purpose].filter((v): v is number => v !== null)))];
  const terms = new Map(
    (db.prepare('SELECT id, value FROM log_index_terms WHERE id IN (SELECT value FROM json_each(?))').all(JSON.stringify(termIds)) as { id: number; value: string }[]).map((t) => [t.id, t.value]),
  );
  const term = (id: number | null) => (id === null ? null : (terms.get(id) ?? null));
  const id = `smp-${randomBytes(8).toString('hex')}`;
  const insertItem = db.prepare(
    `INSERT INTO spot_check_items (sample_id, position, terminal_id, seq, at_ms, type, operator_id, purpose_category, has_case_number, weight, findings)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  db.transaction(() => {
    db.prepare(
      `INSERT INTO spot_check_samples (id, from_ms, to_ms, size, seed, population, risky_population, weights, drawn_by, drawn_at, via_terminal, session_id)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(id, input.period.fromMs, input.period.toMs, input.size, input.seed, population, risky, JSON.stringify(weights), input.actor.id, input.now, input.actor.terminalId, input.actor.sessionId);
    for (const d of drawn) {
      const r = d.row;
      const rowRisks: RowRisk[] = risks.get(rowKey(r.terminalId, r.seq)) ?? [];
      insertItem.run(id, d.position, r.terminalId, r.seq, r.atMs, SAMPLE_POPULATION_TYPE, term(r.operator), term(r.purpose), r.caseNumber, r.weight, JSON.stringify(rowRisks));
    }
    recordEvent(db, {
      at: input.now,
      terminalId: input.actor.terminalId,
      operatorId: input.actor.id,
      kind: 'spot-check-sample-drawn',
      detail: {
        sampleId: id,
        from: toIso(input.period.fromMs),
        to: toIso(input.period.toMs),
        size: input.size,
        seed: input.seed,
        population,
        riskyPopulation: risky,
        items: drawn.map((d) => `${d.row.terminalId}#${d.row.seq}`),
        by: input.actor.id,
        byName: input.actor.name,
        byRole: input.actor.role,
        sessionId: input.actor.sessionId,
        via: 'http',
      },
    });
  })();
  return id;
}

function verdictCounts(db: ServerDb, sampleId: string): { judged: number; verdicts: SampleSummary['verdicts'] } {
  const rows = db
    .prepare(
      `SELECT v.verdict FROM spot_check_verdicts v
       WHERE v.sample_id = ? AND v.id = (SELECT max(w.id) FROM spot_check_verdicts w WHERE w.sample_id = v.sample_id AND w.terminal_id = v.terminal_id AND w.seq = v.seq)`,
    )
    .pluck()
    .all(sampleId) as Verdict[];
  const verdicts = { appropriate: 0, 'needs-check': 0, inappropriate: 0 };
  for (const v of rows) verdicts[v]++;
  return { judged: rows.length, verdicts };
}

function summaryOf(db: ServerDb, row: SampleRow, names: Map<string, string>): SampleSummary {
  const items = db.prepare('SELECT count(*) FROM spot_check_items WHERE sample_id = ?').pluck().get(row.id) as number;
  return {
    id: row.id,
    from: toIso(row.from_ms),
    to: toIso(row.to_ms),
    size: row.size,
    seed: row.seed,
    populationSize: row.population,
    riskyPopulation: row.risky_population,
    drawnBy: row.drawn_by,
    drawnByName: names.get(row.drawn_by) ?? null,
    drawnAt: toIso(row.drawn_at),
    items,
    ...verdictCounts(db, row.id),
  };
}

const SAMPLE_COLUMNS = 'id, from_ms, to_ms, size, seed, population, risky_population, weights, drawn_by, drawn_at';

/** Samples, newest first; with a period: those whose period overlaps it. */
export function listSamples(db: ServerDb, overlapping?: AuditPeriod, limit = 500): SampleSummary[] {
  const rows = (
    overlapping
      ? db.prepare(`SELECT ${SAMPLE_COLUMNS} FROM spot_check_samples WHERE from_ms <= ? AND to_ms >= ? ORDER BY drawn_at DESC, id LIMIT ?`).all(overlapping.toMs, overlapping.fromMs, limit)
      : db.prepare(`SELECT ${SAMPLE_COLUMNS} FROM spot_check_samples ORDER BY drawn_at DESC, id LIMIT ?`).all(limit)
  ) as SampleRow[];
  const names = operatorNames(db, rows.map((r) => r.drawn_by));
  return rows.map((r) => summaryOf(db, r, names));
}

export function sampleExists(db: ServerDb, sampleId: string): boolean {
  return db.prepare('SELECT 1 FROM spot_check_samples WHERE id = ?').get(sampleId) !== undefined;
}

export interface SampleDetail {
  sample: SampleSummary;
  weights: SampleWeights;
  items: SampleItem[];
}

export function getSample(db: ServerDb, sampleId: string): SampleDetail | null {
  const row = db.prepare(`SELECT ${SAMPLE_COLUMNS} FROM spot_check_samples WHERE id = ?`).get(sampleId) as SampleRow | undefined;
  if (!row) return null;
  const items = db
    .prepare('SELECT position, terminal_id, seq, at_ms, type, operator_id, purpose_category, has_case_number, weight, findings FROM spot_check_items WHERE sample_id = ? ORDER BY position')
    .all(sampleId) as ItemRow[];
  const verdicts = db
    .prepare('SELECT terminal_id, seq, verdict, comment, judged_by, at FROM spot_check_verdicts WHERE sample_id = ? ORDER BY id')
    .all(sampleId) as VerdictRow[];
  const names = operatorNames(db, [row.drawn_by, ...items.map((i) => i.operator_id).filter((v): v is string => v !== null), ...verdicts.map((v) => v.judged_by)]);
  const labels = new Map((db.prepare('SELECT id, label FROM purpose_categories').all() as { id: string; label: string }[]).map((c) => [c.id, c.label]));
  const byItem = new Map<string, VerdictRow[]>();
  for (const v of verdicts) {
    const key = rowKey(v.terminal_id, v.seq);
    const list = byItem.get(key) ?? [];
    list.push(v);
    byItem.set(key, list);
  }
  const verdictOf = (v: VerdictRow): VerdictRecord => ({ verdict: v.verdict, comment: v.comment, by: v.judged_by, byName: names.get(v.judged_by) ?? null, at: toIso(v.at) });
  return {
    sample: summaryOf(db, row, names),
    weights: JSON.parse(row.weights) as SampleWeights,
    items: items.map((i) => {
      const history = byItem.get(rowKey(i.terminal_id, i.seq)) ?? [];
      const latest = history.at(-1);
      return {
        position: i.position,
        terminalId: i.terminal_id,
        seq: i.seq,
        at: toIso(i.at_ms),
        type: i.type,
        operatorId: i.operator_id,
        operatorName: i.operator_id === null ? null : (names.get(i.operator_id) ?? null),
        purposeCategory: i.purpose_category,
        purposeLabel: i.purpose_category === null ? null : (labels.get(i.purpose_category) ?? null),
        hasCaseNumber: i.has_case_number === null ? null : i.has_case_number === 1,
        weight: i.weight,
        findings: JSON.parse(i.findings) as RowRisk[],
        verdict: latest ? verdictOf(latest) : null,
        verdictCount: history.length,
      };
    }),
  };
}

/** Every verdict of a sample, oldest first (the report shows the changes too). */
export function verdictHistory(db: ServerDb, sampleId: string): (VerdictRecord & { terminalId: string; seq: number })[] {
  const rows = db.prepare('SELECT terminal_id, seq, verdict, comment, judged_by, at FROM spot_check_verdicts WHERE sample_id = ? ORDER BY id').all(sampleId) as VerdictRow[];
  const names = operatorNames(db, rows.map((r) => r.judged_by));
  return rows.map((v) => ({ terminalId: v.terminal_id, seq: v.seq, verdict: v.verdict, comment: v.comment, by: v.judged_by, byName: names.get(v.judged_by) ?? null, at: toIso(v.at) }));
}

/** Records a verdict (a new row even when it changes an earlier one). */
export function recordVerdict(
  db: ServerDb,
  input: { sampleId: string; terminalId: string; seq: number; verdict: Verdict; comment: string | null; actor: Actor; now: number },
): void {
  const { actor } = input;
  if (!sampleExists(db, input.sampleId)) throw new ApiError(404, 'unknown-sample', `抜き取り点検「${input.sampleId}」はありません。`);
  const item = db
    .prepare('SELECT operator_id, at_ms FROM spot_check_items WHERE sample_id = ? AND terminal_id = ? AND seq = ?')
    .get(input.sampleId, input.terminalId, input.seq) as { operator_id: string | null; at_ms: number } | undefined;
  if (!item) {
    throw new ApiError(404, 'unknown-sample-item', `端末「${input.terminalId}」の連番 ${input.seq} の記録は、この抜き取り点検に含まれていません。`);
  }
  const comment = input.comment === null ? null : input.comment.trim();
  if (input.verdict !== 'appropriate' && (comment === null || comment.length === 0)) {
    throw new ApiError(400, 'comment-required', '「要確認」「不適正」と判定するときは、理由をコメントに書いてください。');
  }
  if (comment !== null && /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(comment)) {
    throw new ApiError(400, 'bad-comment', 'コメントに使えない制御文字が含まれています。');
  }
  if (item.operator_id === actor.id) {
    recordEvent(db, {
      at: input.now,
      terminalId: actor.terminalId,
      operatorId: actor.id,
      kind: 'admin-action-refused',
      detail: { action: 'audit.verdicts.record', reason: 'self-judging', sampleId: input.sampleId, record: `${input.terminalId}#${input.seq}`, byName: actor.name, role: actor.role, sessionId: actor.sessionId },
    });
    throw new ApiError(403, 'self-judging', '自分が行った検索を自分で判定することはできません。別の情報保護管理者またはシステム管理者に判定を依頼してください。');
  }
  const stored = comment === null || comment.length === 0 ? null : comment;
  db.transaction(() => {
    const previous = db
      .prepare('SELECT verdict FROM spot_check_verdicts WHERE sample_id = ? AND terminal_id = ? AND seq = ? ORDER BY id DESC LIMIT 1')
      .pluck()
      .get(input.sampleId, input.terminalId, input.seq) as Verdict | undefined;
    db.prepare('INSERT INTO spot_check_verdicts (sample_id, terminal_id, seq, verdict, comment, judged_by, at, via_terminal, session_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)').run(
      input.sampleId,
      input.terminalId,
      input.seq,
      input.verdict,
      stored,
      actor.id,
      input.now,
      actor.terminalId,
      actor.sessionId,
    );
    recordEvent(db, {
      at: input.now,
      terminalId: actor.terminalId,
      operatorId: actor.id,
      kind: 'spot-check-verdict-recorded',
      detail: {
        sampleId: input.sampleId,
        record: { terminalId: input.terminalId, seq: input.seq },
        verdict: input.verdict,
        previous: previous ?? null,
        comment: stored,
        by: actor.id,
        byName: actor.name,
        byRole: actor.role,
        sessionId: actor.sessionId,
        via: 'http',
      },
    });
  })();
}
