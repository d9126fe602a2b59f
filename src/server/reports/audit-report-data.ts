// What the audit report of a period holds (issue 5 item 6), read from the database: who checked what
// (the admins' views and acts in server_events), the samples of the period and their verdicts, the
// findings (given: findingsForPeriod), sign-in failures and lockouts per operator, the card ledger,
// and the searches per operator per day for the chart. Bounded: the period is at most 93 days, lists
// are cut with the number left out said.
import { isTownWorkingDay } from '../../domain/calendar/holidays';
import { JST_OFFSET_MS } from '../../domain/calendar/jst';
import type { Finding } from '../../domain/audit/types';
import type { SampleSummary, VerdictRecord } from '../../shared/spot-check-api';
import { ADMIN_ACTION_LABELS, type AdminAction } from '../admin/permissions';
import { DAY_MS } from '../clock';
import type { ServerDb } from '../db/open';
import type { AuditPeriod } from '../audit/audit-filters';
import { cardLedger, type CardLending } from '../audit/card-ledger';
import { operatorNames } from '../audit/index-rows';
import { getSample, listSamples, verdictHistory } from '../audit/samples';
import { findTermId } from '../store/log-index';
import { indexFreshness } from '../services/log-indexer';

/** Japanese names of the server_events kinds of administrative acts. */
const ACT_LABELS: Readonly<Record<string, string>> = {
  'admin-session-opened': '管理セッションの開始',
  'admin-session-ended': '管理セッションの終了',
  'admin-action-refused': '権限のない操作（拒否）',
  'operator-added': '操作者の追加',
  'operator-changed': '操作者の変更',
  'operator-retired': '操作者の削除（退職）',
  'card-issued': 'ICカードの発行',
  'card-revoked': 'ICカードの失効',
  'lockout-released': 'ロックアウトの解除',
  'temporary-password-set': '仮パスワードの設定',
  'password-change-required': 'パスワード変更の強制',
  'calendar-exception-approved': '開庁時間の例外の承認',
  'calendar-exception-withdrawn': '開庁時間の例外の取り下げ',
  'purpose-category-set': '検索目的の区分の変更',
  'purpose-category-retired': '検索目的の区分の廃止',
  'emergency-stop-set': '緊急停止',
  'emergency-stop-cleared': '緊急停止の解除',
  'terminal-registered': '端末の登録',
  'terminal-retired': '端末の廃止',
  'spot-check-sample-drawn': '抜き取り点検の抽出',
  'spot-check-verdict-recorded': '抜き取り点検の判定',
  'card-return-confirmed': 'ICカード返却の確認',
  'audit-report-produced': '報告書の作成',
};

export interface AdminActivity {
  operatorId: string;
  name: string | null;
  role: string | null;
  what: string;
  count: number;
  firstAt: number;
  lastAt: number;
}

export interface SignInSummary {
  operatorId: string | null;
  name: string | null;
  failures: number;
  lockouts: number;
  refused: number;
}

export interface SampleSection {
  summary: SampleSummary;
  /** Latest verdicts other than 適正, and changed verdicts. */
  notable: { position: number; terminalId: string; seq: number; at: string; operator: string; verdict: VerdictRecord; changes: number }[];
  unjudged: number;
}

export interface SearchMatrix {
  days: string[];
  /** Operators with their daily counts, most searches first (at most MAX_CHART_ROWS, the rest summed). */
  rows: { label: string; counts: number[] }[];
  closedDays: Set<number>;
  total: number;
}

export interface AuditReportData {
  period: AuditPeriod;
  activity: AdminActivity[];
  samples: SampleSection[];
  findings: Finding[];
  signIns: SignInSummary[];
  ledger: { lendings: CardLending[]; truncated: boolean; open: number; confirmed: number; unconfirmedEnded: number };
  searches: SearchMatrix;
  indexComplete: boolean;
}

export const MAX_CHART_ROWS = 30;

function adminActivity(db: ServerDb, period: AuditPeriod): AdminActivity[] {
  // Through the (operator_id, at) index: the events of the people who hold or held an admin role.
  const rows = db
    .prepare(
      `SELECT e.operator_id AS operatorId, e.kind, e.detail ->> '$.action' AS action, e.detail ->> '$.byRole' AS role, count(*) AS count, min(e.at) AS firstAt, max(e.at) AS lastAt
       FROM server_events e
       WHERE e.operator_id IN (SELECT id FROM operators WHERE role IN ('manager', 'sysadmin'))
         AND e.at BETWEEN ? AND ? AND (e.detail ->> '$.byRole' IS NOT NULL OR e.kind LIKE 'admin-%')
       GROUP BY e.operator_id, e.kind, action ORDER BY e.operator_id, count DESC`,
    )
    .all(period.fromMs, period.toMs) as { operatorId: string; kind: string; action: string | null; role: string | null; count: number; firstAt: number; lastAt: number }[];
  const names = operatorNames(db, rows.map((r) => r.operatorId));
  const roles = new Map((db.prepare("SELECT id, role FROM operators WHERE role IN ('manager', 'sysadmin')").all() as { id: string; role: string }[]).map((r) => [r.id, r.role]));
  return rows.map((r) => {
    const actionLabel = r.action && r.action in ADMIN_ACTION_LABELS ? ADMIN_ACTION_LABELS[r.action as AdminAction] : null;
    const what = r.kind === 'admin-viewed' ? `閲覧: ${actionLabel ?? r.action ?? '不明'}` : r.kind === 'admin-action-refused' && actionLabel ? `拒否: ${actionLabel}` : (ACT_LABELS[r.kind] ?? r.kind);
    return { operatorId: r.operatorId, name: names.get(r.operatorId) ?? null, role: r.role ?? roles.get(r.operatorId) ?? null, what, count: r.count, firstAt: r.firstAt, lastAt: r.lastAt };
  });
}

function sampleSections(db: ServerDb, period: AuditPeriod): SampleSection[] {
  return listSamples(db, period, 50).map((summary) => {
    const detail = getSample(db, summary.id)!;
    const history = verdictHistory(db, summary.id);
    const notable = detail.items
      .map((item) => ({ item, changes: Math.max(0, history.filter((h) => h.terminalId === item.terminalId && h.seq === item.seq).length - 1) }))
      .filter(({ item, changes }) => item.verdict !== null && (item.verdict.verdict !== 'appropriate' || changes > 0))
      .map(({ item, changes }) => ({
        position: item.position,
        terminalId: item.terminalId,
        seq: item.seq,
        at: item.at,
        operator: item.operatorName ?? item.operatorId ?? '',
        verdict: item.verdict!,
        changes,
      }));
    return { summary, notable, unjudged: detail.items.filter((i) => i.verdict === null).length };
  });
}

function signInSummary(db: ServerDb, period: AuditPeriod): SignInSummary[] {
  const types = ['signin.failure', 'signin.lockout', 'signin.refused'].map((t) => [t, findTermId(db, 'type', t)] as const).filter(([, id]) => id !== undefined) as [string, number][];
  if (types.length === 0) return [];
  const rows = db
    .prepare(
      `SELECT t.value AS operatorId, r.type, count(*) AS n FROM log_index_records r LEFT JOIN log_index_terms t ON t.id = r.operator
       WHERE r.type IN (SELECT value FROM json_each(?)) AND r.at_ms BETWEEN ? AND ? GROUP BY r.operator, r.type`,
    )
    .all(JSON.stringify(types.map(([, id]) => id)), period.fromMs, period.toMs) as { operatorId: string | null; type: number; n: number }[];
  const typeName = new Map(types.map(([name, id]) => [id, name]));
  const byOperator = new Map<string | null, SignInSummary>();
  const names = operatorNames(db, rows.map((r) => r.operatorId).filter((v): v is string => v !== null));
  for (const r of rows) {
    let s = byOperator.get(r.operatorId);
    if (!s) byOperator.set(r.operatorId, (s = { operatorId: r.operatorId, name: r.operatorId === null ? null : (names.get(r.operatorId) ?? null), failures: 0, lockouts: 0, refused: 0 }));
    const name = typeName.get(r.type);
    if (name === 'signin.failure') s.failures += r.n;
    else if (name === 'signin.lockout') s.lockouts += r.n;
    else s.refused += r.n;
  }
  return [...byOperator.values()].sort((a, b) => b.lockouts - a.lockouts || b.failures - a.failures || b.refused - a.refused);
}

function jstDay(ms: number): string {
  return new Date(ms + JST_OFFSET_MS).toISOString().slice(0, 10);
}

export function searchMatrix(db: ServerDb, period: AuditPeriod): SearchMatrix {
  const firstDay = Math.floor((period.fromMs + JST_OFFSET_MS) / DAY_MS);
  const lastDay = Math.floor((period.toMs + JST_OFFSET_MS) / DAY_MS);
  const days = Array.from({ length: lastDay - firstDay + 1 }, (_, i) => jstDay((firstDay + i) * DAY_MS - JST_OFFSET_MS));
  const type = findTermId(db, 'type', 'resident.search');
  const counts = new Map<string, number[]>();
  let total = 0;
  if (type !== undefined) {
    const rows = db
      .prepare(
        `SELECT coalesce(t.value, '') AS operatorId, (r.at_ms + ${JST_OFFSET_MS}) / ${DAY_MS} AS day, count(*) AS n
         FROM log_index_records r LEFT JOIN log_index_terms t ON t.id = r.operator
         WHERE r.type = ? AND r.at_ms BETWEEN ? AND ? GROUP BY r.operator, day`,
      )
      .all(type, period.fromMs, period.toMs) as { operatorId: string; day: number; n: number }[];
    for (const r of rows) {
      let list = counts.get(r.operatorId);
      if (!list) counts.set(r.operatorId, (list = new Array<number>(days.length).fill(0)));
      const i = r.day - firstDay;
      if (i >= 0 && i < days.length) list[i] = (list[i] ?? 0) + r.n;
      total += r.n;
    }
  }
  const names = operatorNames(db, [...counts.keys()].filter((id) => id !== ''));
  const sorted = [...counts.entries()].sort((a, b) => b[1].reduce((s, v) => s + v, 0) - a[1].reduce((s, v) => s + v, 0) || a[0].localeCompare(b[0]));
  const rows = sorted.slice(0, MAX_CHART_ROWS).map(([id, c]) => ({ label: id === '' ? '（操作者なし）' : (names.get(id) ?? id), counts: c }));
  const rest = sorted.slice(MAX_CHART_ROWS);
  if (rest.length > 0) rows.push({ label: `その他 ${rest.length} 名`, counts: days.map((_, i) => rest.reduce((s, [, c]) => s + c[i]!, 0)) });
  const closedDays = new Set(days.map((d, i) => [d, i] as const).filter(([d]) => !isTownWorkingDay(d)).map(([, i]) => i));
  return { days, rows, closedDays, total };
}

export function auditReportData(db: ServerDb, period: AuditPeriod, findings: Finding[]): AuditReportData {
  const ledger = cardLedger(db, period);
  const open = ledger.lendings.filter((l) => l.returned === null).length;
  const confirmed = ledger.lendings.filter((l) => l.returnConfirmed !== null).length;
  const unconfirmedEnded = ledger.lendings.filter((l) => l.returned !== null && l.returnConfirmed === null).length;
  return {
    period,
    activity: adminActivity(db, period),
    samples: sampleSections(db, period),
    findings,
    signIns: signInSummary(db, period),
    ledger: { ...ledger, open, confirmed, unconfirmedEnded },
    searches: searchMatrix(db, period),
    indexComplete: indexFreshness(db).complete,
  };
}
