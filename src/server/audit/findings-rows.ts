// The rows behind findings, described for the console: time, type and operator (with the roster
// name) of each terminal+seq, read from the query index by its UNIQUE (terminal, seq) key — enough
// to list them and open each with GET /admin/log/:terminalId/:seq.
import type { Finding } from '../../domain/audit/types';
import type { FindingRow } from '../../shared/findings-api';
import { toIso } from '../clock';
import type { ServerDb } from '../db/open';
import { operatorNames } from './index-rows';
import { termTable } from './findings-terms';

/** key `${terminalId}#${seq}` → the row as described (absent when not in the index). */
export function findingRows(db: ServerDb, findings: readonly Finding[]): Map<string, FindingRow> {
  const terms = termTable(db);
  const stmt = db.prepare('SELECT at_ms, type, operator FROM log_index_records WHERE terminal = ? AND seq = ?').raw();
  const out = new Map<string, FindingRow>();
  const operators = new Set<string>();
  for (const f of findings) {
    for (const r of f.rows) {
      const key = `${r.terminalId}#${r.seq}`;
      if (out.has(key)) continue;
      const terminal = terms.id('terminal', r.terminalId);
      const row = terminal === undefined ? undefined : (stmt.get(terminal, r.seq) as [number, number, number | null] | undefined);
      if (!row) continue;
      const operatorId = row[2] === null ? null : terms.value(row[2]);
      if (operatorId !== null) operators.add(operatorId);
      out.set(key, { terminalId: r.terminalId, seq: r.seq, at: toIso(row[0]), type: terms.value(row[1]), operatorId, operatorName: null });
    }
  }
  const names = operatorNames(db, operators);
  for (const row of out.values()) if (row.operatorId !== null) row.operatorName = names.get(row.operatorId) ?? null;
  return out;
}
