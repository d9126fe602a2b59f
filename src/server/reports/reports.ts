// The PDF reports (issue 5 item 6): the audit report of a period (第8条: handed upward and filed)
// and "who looked at my record" for one resident (a disclosure request). Each production is recorded
// in server_events (audit-report-produced: which report, period or resident id, pages, by whom).
import { jstDate, jstEraDate, jstEraDateTime, jstShort, jstTime } from '../../domain/report/jp-time';
import { ACCESS_KIND_LABELS, LENDING_END_LABELS, ruleLabel, SEVERITY_LABELS, yesNo } from '../../domain/report/labels';
import type { Finding, Severity } from '../../domain/audit/types';
import { VERDICT_LABELS, type PdfReportResponse } from '../../shared/spot-check-api';
import { ROLE_LABELS } from '../admin/authorize';
import { toIso } from '../clock';
import type { ServerDb } from '../db/open';
import type { AuditPeriod } from '../audit/audit-filters';
import { findingsForPeriod } from '../audit/findings';
import { residentAccesses, type ResidentAccess } from '../audit/resident-accesses';
import type { Actor } from '../audit/samples';
import { recordEvent } from '../store/events';
import { auditReportData, type AuditReportData } from './audit-report-data';
import { findReportFonts } from './fonts';
import { ReportPdf } from './pdf-writer';

/** Findings listed one by one in the report (the rest are counted per rule). */
export const REPORT_MAX_FINDINGS = 300;
/** Accesses in one "who looked" report (7 years of a much-looked-up resident fit easily). */
export const RESIDENT_REPORT_MAX_ACCESSES = 10_000;

const SEVERITY_ORDER: Record<Severity, number> = { high: 0, medium: 1, low: 2 };
const roleLabel = (role: string | null) => (role && role in ROLE_LABELS ? ROLE_LABELS[role as keyof typeof ROLE_LABELS] : (role ?? ''));

function periodText(period: AuditPeriod): string {
  return `${jstEraDateTime(period.fromMs)} 〜 ${jstEraDateTime(period.toMs)}`;
}

function periodShort(period: AuditPeriod): string {
  return `${jstDate(period.fromMs)}〜${jstDate(period.toMs)}`;
}

function response(fileName: string, bytes: Buffer, pages: number, summary: PdfReportResponse['summary']): PdfReportResponse {
  return { fileName, pdfBase64: bytes.toString('base64'), pages, summary };
}

function renderAuditReport(pdf: ReportPdf, data: AuditReportData, actor: Actor, now: number): void {
  const { period } = data;
  pdf.title('監査報告書', [
    '住民基本台帳ネットワーク 業務端末の運用状況の点検',
    '',
    `対象期間　${periodText(period)}`,
    `作成者　${actor.name}（${roleLabel(actor.role)}・${actor.id}）`,
    `作成日時　${jstEraDateTime(now)}`,
  ]);
  pdf.keyValues([
    ['点検の根拠', '運用規程 第8条（報告）、第17条14〜17項（操作者用カード・端末の使用状況の確認、貸与記録）、第20条の2 6項（ログオン履歴の確認）'],
    ['検索の件数', `${data.searches.total.toLocaleString('ja-JP')} 件（住民の検索 resident.search）`],
    ['指摘（所見）', `${data.findings.length} 件（重要度 高 ${data.findings.filter((f) => f.severity === 'high').length} 件）`],
    ['抜き取り点検', `${data.samples.length} 回（判定済み ${data.samples.reduce((s, x) => s + x.summary.judged, 0)} 件、不適正 ${data.samples.reduce((s, x) => s + x.summary.verdicts.inappropriate, 0)} 件、要確認 ${data.samples.reduce((s, x) => s + x.summary.verdicts['needs-check'], 0)} 件）`],
    ['サインインの失敗', `${data.signIns.reduce((s, x) => s + x.failures, 0)} 回、ロックアウト ${data.signIns.reduce((s, x) => s + x.lockouts, 0)} 回`],
    ['カードの貸与', `${data.ledger.lendings.length} 件（未返却 ${data.ledger.open} 件、返却確認済み ${data.ledger.confirmed} 件）`],
  ]);
  if (!data.indexComplete) pdf.note('注意: 作成時点で操作ログの検索用索引が最新ではありませんでした（未受信・未索引の記録はこの報告に含まれていません）。');
  pdf.note('日時はすべて日本時間です。この報告書は中央サーバーの操作ログ・サーバー監査記録から自動で作成しました。');

  // 1. Who checked what.
  pdf.newPage();
  pdf.h1('1. 点検の実施状況（誰が何を確認したか）');
  pdf.para('情報保護管理者・システム管理者が期間内に行った閲覧と操作（サーバーの監査記録 server_events より）。');
  pdf.table(
    [
      { header: '氏名', width: 18 },
      { header: '役割', width: 14 },
      { header: '内容', width: 38 },
      { header: '回数', width: 8, align: 'right' },
      { header: '最初', width: 16 },
      { header: '最後', width: 16 },
    ],
    data.activity.map((a) => [`${a.name ?? a.operatorId}`, roleLabel(a.role), a.what, a.count, jstShort(a.firstAt), jstShort(a.lastAt)]),
    { empty: '期間内に管理者の閲覧・操作の記録はありません。' },
  );

  // 2. Samples.
  pdf.h1('2. 抜き取り点検と判定');
  pdf.para('期間内の住民検索から、指摘の根拠となった検索ほど選ばれやすい重み付きの無作為抽出（シード付き・再現可能）を行い、1件ずつ 適正／要確認／不適正 を判定しました。');
  pdf.table(
    [
      { header: '抽出日時', width: 16 },
      { header: '抽出者', width: 14 },
      { header: '対象期間', width: 22 },
      { header: 'シード', width: 14 },
      { header: '母数', width: 8, align: 'right' },
      { header: '件数', width: 7, align: 'right' },
      { header: '適正', width: 7, align: 'right' },
      { header: '要確認', width: 8, align: 'right' },
      { header: '不適正', width: 8, align: 'right' },
      { header: '未判定', width: 8, align: 'right' },
    ],
    data.samples.map(({ summary: s, unjudged }) => [
      jstShort(s.drawnAt), s.drawnByName ?? s.drawnBy, `${jstDate(s.from)}〜${jstDate(s.to)}`, s.seed, s.populationSize, s.items, s.verdicts.appropriate, s.verdicts['needs-check'], s.verdicts.inappropriate, unjudged,
    ]),
    { empty: '期間を対象とする抜き取り点検はありません。' },
  );
  const notable = data.samples.flatMap((s) => s.notable.map((n) => ({ ...n, sampleId: s.summary.id })));
  if (notable.length > 0) {
    pdf.h2('要確認・不適正と判定した検索、判定を変更した検索');
    pdf.table(
      [
        { header: '検索日時', width: 16 },
        { header: '端末#連番', width: 16 },
        { header: '操作者', width: 13 },
        { header: '判定', width: 15 },
        { header: 'コメント', width: 26 },
        { header: '判定者・日時', width: 18 },
      ],
      notable.map((n) => [
        jstShort(n.at), `${n.terminalId}#${n.seq}`, n.operator, `${VERDICT_LABELS[n.verdict.verdict]}${n.changes > 0 ? `（変更${n.changes}回）` : ''}`, n.verdict.comment ?? '',
        `${n.verdict.byName ?? n.verdict.by} ${jstShort(n.verdict.at)}`,
      ]),
    );
  }

  // 3. Findings.
  pdf.h1('3. 指摘（所見）');
  const byRule = new Map<string, { severity: Severity; findings: number; rows: number }>();
  for (const f of data.findings) {
    const r = byRule.get(f.rule) ?? { severity: f.severity, findings: 0, rows: 0 };
    r.findings++;
    r.rows += f.rowCount;
    if (SEVERITY_ORDER[f.severity] < SEVERITY_ORDER[r.severity]) r.severity = f.severity;
    byRule.set(f.rule, r);
  }
  pdf.para('規則ごとの件数（該当記録数は指摘の根拠となった操作ログの件数）。');
  pdf.table(
    [
      { header: '規則', width: 44 },
      { header: '重要度', width: 12 },
      { header: '指摘', width: 12, align: 'right' },
      { header: '該当記録数', width: 16, align: 'right' },
    ],
    [...byRule.entries()].sort((a, b) => SEVERITY_ORDER[a[1].severity] - SEVERITY_ORDER[b[1].severity] || b[1].findings - a[1].findings).map(([rule, r]) => [ruleLabel(rule), SEVERITY_LABELS[r.severity], r.findings, r.rows]),
    { empty: '期間内に指摘はありません。' },
  );
  const listed = [...data.findings].sort((a, b) => SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity] || a.firstAt.localeCompare(b.firstAt)).slice(0, REPORT_MAX_FINDINGS);
  if (listed.length > 0) {
    pdf.h2('指摘の一覧（重要度の高い順）');
    pdf.table(
      [
        { header: '重要度', width: 7 },
        { header: '規則', width: 20 },
        { header: '説明', width: 53 },
        { header: '記録数', width: 8, align: 'right' },
        { header: '最初', width: 14 },
      ],
      listed.map((f: Finding) => [SEVERITY_LABELS[f.severity], ruleLabel(f.rule), f.explanation, f.rowCount, jstShort(f.firstAt)]),
    );
    if (data.findings.length > listed.length) pdf.note(`ほか ${data.findings.length - listed.length} 件の指摘は、点検画面の指摘一覧（CSV 出力）で確認してください。`);
  }

  // 4. Sign-in failures.
  pdf.h1('4. ログオン履歴（サインインの失敗・ロックアウト）');
  pdf.table(
    [
      { header: '操作者', width: 34 },
      { header: 'パスワードの誤り', width: 22, align: 'right' },
      { header: 'ロックアウト', width: 22, align: 'right' },
      { header: 'カード読取の拒否', width: 22, align: 'right' },
    ],
    data.signIns.map((s) => [s.operatorId === null ? '（操作者不明のカード）' : `${s.name ?? ''} ${s.operatorId}`.trim(), s.failures, s.lockouts, s.refused]),
    { empty: '期間内にサインインの失敗はありません。' },
  );

  // 5. Card ledger.
  pdf.h1('5. 操作者用カードの貸与記録（第17条17項）');
  const l = data.ledger;
  pdf.keyValues([
    ['貸与の件数', `${l.lendings.length} 件${l.truncated ? '（上限に達したため一部のみ）' : ''}`],
    ['返却（ログ上）', `${l.lendings.length - l.open} 件`],
    ['未返却', `${l.open} 件`],
    ['返却の確認', `確認済み ${l.confirmed} 件、返却済みで未確認 ${l.unconfirmedEnded} 件`],
  ]);
  const pending = l.lendings.filter((x) => x.returned === null || x.returnConfirmed === null).slice(0, 100);
  pdf.h2('未返却・返却未確認の貸与');
  pdf.table(
    [
      { header: '端末#連番', width: 18 },
      { header: '操作者', width: 18 },
      { header: '貸与', width: 18 },
      { header: '返却（ログ）', width: 18 },
      { header: '終了の理由', width: 14 },
      { header: '状態', width: 14 },
    ],
    pending.map((x) => [
      `${x.lent.terminalId}#${x.lent.seq}`, x.lent.operatorName ?? x.lent.operatorId ?? '', jstShort(x.lent.at), x.returned ? jstShort(x.returned.at) : '', x.endedBy ? (LENDING_END_LABELS[x.endedBy] ?? x.endedBy) : '',
      x.returned === null ? '未返却' : '返却未確認',
    ]),
    { empty: 'すべての貸与について返却が確認されています。' },
  );

  // 6. Chart.
  pdf.newPage('landscape');
  pdf.h1('6. 操作者別・日別の住民検索件数');
  pdf.para('色が濃いほど検索が多い日です。普段と違う日（突出した日、閉庁日の検索）を見つける手がかりにしてください。右端は期間の合計です。', { size: 9 });
  if (data.searches.rows.length === 0) pdf.para('期間内に住民検索はありません。');
  else {
    const perDay = data.searches.days.map((_, j) => data.searches.rows.reduce((s, r) => s + r.counts[j]!, 0));
    pdf.bars({ values: perDay, yAxis: '全体（件/日）', height: 80, highlightColumns: data.searches.closedDays });
    pdf.heatMap({
      rows: data.searches.rows.map((r) => r.label),
      columns: data.searches.days.map((d) => (data.searches.days.length > 40 ? d.slice(5).replace('-', '/') : String(Number(d.slice(8))))),
      values: data.searches.rows.map((r) => r.counts),
      rowAxis: '操作者',
      columnAxis: data.searches.days.length > 40 ? '日付（月/日、日本時間）' : `日（${data.searches.days[0]!.slice(0, 7).replace('-', '年')}月〜、日本時間）`,
      highlightColumns: data.searches.closedDays,
    });
  }
}

export async function produceAuditReport(db: ServerDb, input: { period: AuditPeriod; actor: Actor; now: number }): Promise<PdfReportResponse> {
  const fonts = findReportFonts();
  const { findings } = findingsForPeriod(db, input.period, { now: input.now });
  const data = auditReportData(db, input.period, findings);
  const pdf = new ReportPdf(fonts, { title: '監査報告書', subtitle: `対象期間 ${periodShort(input.period)}`, producedAt: `${jstEraDateTime(input.now)}　${input.actor.name}` }, { title: `監査報告書 ${periodShort(input.period)}`, author: input.actor.name });
  renderAuditReport(pdf, data, input.actor, input.now);
  const { bytes, pages } = await pdf.finish();
  const fileName = `監査報告書_${jstDate(input.period.fromMs).replace(/-/g, '')}-${jstDate(input.period.toMs).replace(/-/g, '')}.pdf`;
  const summary = {
    from: toIso(input.period.fromMs),
    to: toIso(input.period.toMs),
    searches: data.searches.total,
    findings: data.findings.length,
    findingsHigh: data.findings.filter((f) => f.severity === 'high').length,
    samples: data.samples.length,
    verdictsInappropriate: data.samples.reduce((s, x) => s + x.summary.verdicts.inappropriate, 0),
    verdictsNeedsCheck: data.samples.reduce((s, x) => s + x.summary.verdicts['needs-check'], 0),
    signInFailures: data.signIns.reduce((s, x) => s + x.failures, 0),
    lockouts: data.signIns.reduce((s, x) => s + x.lockouts, 0),
    lendings: data.ledger.lendings.length,
    lendingsOpen: data.ledger.open,
    returnsConfirmed: data.ledger.confirmed,
    adminActivities: data.activity.reduce((s, a) => s + a.count, 0),
    chartOperators: data.searches.rows.length,
    indexComplete: data.indexComplete,
  };
  recordEvent(db, {
    at: input.now,
    terminalId: input.actor.terminalId,
    operatorId: input.actor.id,
    kind: 'audit-report-produced',
    detail: { report: 'audit', ...summary, pages, bytes: bytes.length, by: input.actor.id, byName: input.actor.name, byRole: input.actor.role, sessionId: input.actor.sessionId, via: 'http' },
  });
  return response(fileName, bytes, pages, summary);
}

export async function produceResidentAccessReport(db: ServerDb, input: { residentId: string; actor: Actor; now: number }): Promise<PdfReportResponse> {
  const fonts = findReportFonts();
  const accesses: ResidentAccess[] = [];
  let cursor = null;
  let truncated = false;
  for (;;) {
    const page = residentAccesses(db, input.residentId, 1000, cursor);
    accesses.push(...page.accesses);
    if (!page.next) break;
    if (accesses.length >= RESIDENT_REPORT_MAX_ACCESSES) {
      truncated = true;
      break;
    }
    cursor = page.next;
  }
  accesses.reverse(); // oldest first: read as a history
  const resident = db.prepare('SELECT name, kana FROM residents WHERE id = ?').get(input.residentId) as { name: string; kana: string } | undefined;
  const pdf = new ReportPdf(
    fonts,
    { title: '住民の記録の閲覧履歴', subtitle: `住民ID ${input.residentId}`, producedAt: `${jstEraDateTime(input.now)}　${input.actor.name}` },
    { title: `閲覧履歴 ${input.residentId}`, author: input.actor.name },
  );
  pdf.doc.y = 70;
  pdf.doc.font('jp-bold').fontSize(18).text('住民の記録の閲覧履歴（本人開示請求用）', pdf.left, pdf.doc.y, { width: pdf.width, align: 'center' });
  pdf.doc.moveDown(1);
  const first = accesses[0];
  const last = accesses.at(-1);
  pdf.keyValues([
    ['対象の住民', resident ? `${resident.name}（${resident.kana}）　住民ID ${input.residentId}` : `住民ID ${input.residentId}（住民ディレクトリにありません。操作ログの記録のみ）`],
    ['対象の期間', first && last ? `${jstEraDate(first.at)} 〜 ${jstEraDate(last.at)}（保存期間内のすべての記録）` : '保存期間 7 年のすべての記録'],
    ['アクセスの件数', `${accesses.length.toLocaleString('ja-JP')} 件${truncated ? `（上限 ${RESIDENT_REPORT_MAX_ACCESSES.toLocaleString('ja-JP')} 件まで。残りは別途お問い合わせください）` : ''}`],
    ['作成', `${jstEraDateTime(input.now)}　${input.actor.name}（${roleLabel(input.actor.role)}）`],
  ]);
  pdf.note('「検索」は、検索結果の一覧にこの方の記録が表示されたことを示します。「閲覧」は記録を開いたこと、「印刷」は写しを印刷したことを示します。日時は日本時間です。');
  pdf.table(
    [
      { header: '日付', width: 25 },
      { header: '時刻', width: 7 },
      { header: 'アクセス', width: 19 },
      { header: '端末', width: 10 },
      { header: '操作者', width: 12 },
      { header: '目的', width: 21 },
      { header: '受付番号', width: 9, align: 'center' },
    ],
    accesses.map((a) => [
      jstEraDate(a.at), jstTime(a.at).slice(0, 5), `${ACCESS_KIND_LABELS[a.kind] ?? a.kind}${a.outcome === 'failure' ? '（失敗）' : ''}`, a.terminalId, a.operatorName ?? a.operatorId ?? '',
      a.purposeLabel ?? a.purposeCategory ?? '', yesNo(a.hasCaseNumber),
    ]),
    { empty: '保存期間内に、この方の記録へのアクセスはありません。' },
  );
  const { bytes, pages } = await pdf.finish();
  const summary = { residentId: input.residentId, accesses: accesses.length, truncated, firstAt: first?.at ?? null, lastAt: last?.at ?? null };
  recordEvent(db, {
    at: input.now,
    terminalId: input.actor.terminalId,
    operatorId: input.actor.id,
    kind: 'audit-report-produced',
    // The resident id only (never the name): server_events holds no resident data.
    detail: { report: 'resident-accesses', residentId: input.residentId, accesses: accesses.length, truncated, pages, bytes: bytes.length, by: input.actor.id, byName: input.actor.name, byRole: input.actor.role, sessionId: input.actor.sessionId, via: 'http' },
  });
  // No resident id in the file name: names show in download lists and folders (第22条: nothing displayed that is not needed).
  return response(`閲覧履歴_${jstDate(input.now).replace(/-/g, '')}.pdf`, bytes, pages, summary);
}
