// The tables of the spot-check CSV exports (issue 5 items 5–6), one mapper per screen: header and
// rows, for encodeCsv (src/domain/report/csv.ts: UTF-8 with BOM, CRLF, the formula guard). The console
// (renderer) and any server export use these, so a column means the same everywhere. Times are shown
// in JST with the era (令和8年11月25日（2026年） 09:30:00) and kept in UTC ISO in a second column.
import type { Finding } from '../domain/audit/types';
import type { CsvCell } from '../domain/report/csv';
import { jstEraDateTime } from '../domain/report/jp-time';
import { ACCESS_KIND_LABELS, LENDING_END_LABELS, OUTCOME_LABELS, ruleLabel, SEVERITY_LABELS, yesNo } from '../domain/report/labels';
import type { AuditLogRow, CardLending, ResidentAccessesResponse } from './audit-api';
import { VERDICT_LABELS, type SampleItem } from './spot-check-api';

export interface CsvTable {
  header: string[];
  rows: CsvCell[][];
}

const at = (iso: string | null): [string, string] => (iso === null ? ['', ''] : [jstEraDateTime(iso), iso]);

export function auditLogCsv(rows: readonly AuditLogRow[]): CsvTable {
  return {
    header: ['日時（日本時間）', '日時（UTC）', '端末', '連番', '種別', '結果', '操作者ID', '操作者', 'カード', '検索目的', '受付番号'],
    rows: rows.map((r) => [...at(r.at), r.terminalId, r.seq, r.type, OUTCOME_LABELS[r.outcome] ?? r.outcome, r.operatorId, r.operatorName, r.cardKeyId, r.purposeCategory, yesNo(r.hasCaseNumber)]),
  };
}

export function residentAccessesCsv(accesses: ResidentAccessesResponse['accesses']): CsvTable {
  return {
    header: ['日時（日本時間）', '日時（UTC）', 'アクセス', '種別', '結果', '端末', '連番', '操作者ID', '操作者', '検索目的', '受付番号'],
    rows: accesses.map((a) => [
      ...at(a.at), ACCESS_KIND_LABELS[a.kind] ?? a.kind, a.type, OUTCOME_LABELS[a.outcome] ?? a.outcome, a.terminalId, a.seq, a.operatorId, a.operatorName,
      a.purposeLabel ?? a.purposeCategory, yesNo(a.hasCaseNumber),
    ]),
  };
}

export function cardLedgerCsv(lendings: readonly CardLending[]): CsvTable {
  return {
    header: ['端末', '操作者ID', '操作者', 'カード', '貸与（日本時間）', '貸与（UTC）', '貸与の連番', '返却（日本時間）', '返却（UTC）', '返却の連番', '終了の理由', '未返却', '返却確認者', '返却確認（日本時間）', '返却確認のメモ'],
    rows: lendings.map((l) => [
      l.terminalId, l.operatorId, l.operatorName, l.cardKeyId, ...at(l.lentAt), l.lentSeq, ...at(l.returnedAt), l.returnedSeq,
      l.endedBy === null ? '' : (LENDING_END_LABELS[l.endedBy] ?? l.endedBy), l.open ? '未返却' : '',
      l.returnConfirmed ? (l.returnConfirmed.byName ?? l.returnConfirmed.by) : '', l.returnConfirmed ? jstEraDateTime(l.returnConfirmed.at) : '', l.returnConfirmed?.note ?? '',
    ]),
  };
}

export function findingsCsv(findings: readonly Finding[]): CsvTable {
  return {
    header: ['規則', '規則ID', '重要度', '説明', '最初（日本時間）', '最後（日本時間）', '操作者', '端末', '住民', '該当件数', '該当記録（端末#連番）'],
    rows: findings.map((f) => [
      ruleLabel(f.rule), f.rule, SEVERITY_LABELS[f.severity], f.explanation, jstEraDateTime(f.firstAt), jstEraDateTime(f.lastAt), f.operatorIds.join(' '), f.terminalIds.join(' '),
      f.residentIds.join(' '), f.rowCount, f.rows.map((r) => `${r.terminalId}#${r.seq}`).join(' '),
    ]),
  };
}

export function sampleCsv(sample: { items: readonly SampleItem[] }): CsvTable {
  return {
    header: ['順位', '日時（日本時間）', '日時（UTC）', '端末', '連番', '操作者ID', '操作者', '検索目的', '受付番号', '重み', '指摘（規則ID）', '判定', 'コメント', '判定者', '判定日時（日本時間）', '判定の回数'],
    rows: sample.items.map((i) => [
      i.position, ...at(i.at), i.terminalId, i.seq, i.operatorId, i.operatorName, i.purposeLabel ?? i.purposeCategory, yesNo(i.hasCaseNumber), i.weight,
      i.findings.map((f) => f.rule).join(' '), i.verdict ? VERDICT_LABELS[i.verdict.verdict] : '未判定', i.verdict?.comment ?? '', i.verdict ? (i.verdict.byName ?? i.verdict.by) : '',
      i.verdict ? jstEraDateTime(i.verdict.at) : '', i.verdictCount,
    ]),
  };
}
