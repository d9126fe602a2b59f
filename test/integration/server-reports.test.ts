// The PDF reports (issue 5 item 6) against the real server (SQLite in a temp dir, HTTP on
// 127.0.0.1) with a generated history (several terminals and operators, two months, planted misuse):
// the audit report of a month and "who looked at my record" are produced through HTTP, turned into
// images with pdftoppm (poppler-utils) and read back with pdftotext — the Japanese headings are there,
// the pages are not blank, the Japanese font is embedded — and bad input is refused.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedHistory, type SeedHistoryResult } from '../../src/server/demo/seed-history';
import { findReportFonts } from '../../src/server/reports/fonts';
import { listEvents } from '../../src/server/store/events';
import { ResidentAccessesResponseSchema } from '../../src/shared/audit-api';
import { ErrorResponseSchema } from '../../src/shared/server-api';
import { PdfReportResponseSchema, SampleResponseSchema, type PdfReportResponse } from '../../src/shared/spot-check-api';
import { adminCaller, demoCard, openSession, type AdminCall, type Reply } from '../support/admin-client';
import { startDemoServer, type DemoServer } from '../support/demo-server';

const START = Date.parse('2026-10-31T16:00:00+09:00'); // the admins work on the last day of the month
const clock = { t: START, now(): number { return this.t; } };

let demo: DemoServer;
let call: AdminCall;
let manager: string;
let sysadmin: string;
let seeded: SeedHistoryResult;
let work: string;

function expectRefused(reply: Reply, status: number, code: string): void {
  expect(reply.status, reply.text).toBe(status);
  const parsed = ErrorResponseSchema.parse(reply.json);
  expect(parsed.error.code).toBe(code);
  expect(parsed.error.message).toMatch(/[ぁ-んァ-ン一-龥]/);
  expect(reply.text).not.toMatch(/stack|SQLITE|SELECT |node_modules/i);
}

/** Writes the PDF, renders every page to PNG (and a small greyscale PGM to measure), reads its text. */
function inspect(name: string, report: PdfReportResponse): { text: string; pngs: string[]; inkShare: number[]; fonts: string } {
  const pdf = join(work, `${name}.pdf`);
  writeFileSync(pdf, Buffer.from(report.pdfBase64, 'base64'));
  execFileSync('pdftoppm', ['-png', '-r', '80', pdf, join(work, name)]);
  const pngs = readdirSync(work).filter((f) => f.startsWith(`${name}-`) && f.endsWith('.png')).sort();
  execFileSync('pdftoppm', ['-gray', '-r', '20', pdf, join(work, `${name}-g`)]);
  const inkShare = readdirSync(work)
    .filter((f) => f.startsWith(`${name}-g`) && f.endsWith('.pgm'))
    .sort()
    .map((f) => {
      const bytes = readFileSync(join(work, f));
      // P5 header: "P5\n<w> <h>\n255\n", then one byte per pixel.
      const header = /^P5\s+(\d+)\s+(\d+)\s+(\d+)\s/.exec(bytes.subarray(0, 40).toString('latin1'))!;
      const pixels = bytes.subarray(header[0].length);
      let dark = 0;
      for (const p of pixels) if (p < 200) dark++;
      return dark / pixels.length;
    });
  // -raw: in drawing order, so a wrapped table cell reads as one run of text.
  const text = execFileSync('pdftotext', ['-raw', pdf, '-']).toString('utf8');
  const fonts = execFileSync('pdffonts', [pdf]).toString('utf8');
  return { text, pngs, inkShare, fonts };
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'kumiyama-reports-'));
  demo = await startDemoServer(clock, 'kumiyama-server-reports-', { logIndexIntervalMs: 0 });
  seeded = await seedHistory(demo.server.db, { from: '2026-09-01', days: 60, clock });
  call = adminCaller(demo.server.url, demo.credential);
  manager = (await openSession(call, demo.credential, 'op-suzuki', demoCard(demo.dataDir, 'op-suzuki'))).token;
  sysadmin = (await openSession(call, demo.credential, 'op-takahashi', demoCard(demo.dataDir, 'op-takahashi'))).token;
  // The month's checks: a look at the explorer, a sample with verdicts, a confirmed card return.
  expect((await call('/log?from=2026-10-01&to=2026-10-31&type=resident.', { token: manager })).status).toBe(200);
  const sample = SampleResponseSchema.parse((await call('/samples', { token: manager, body: { from: '2026-10-01', to: '2026-10-31', size: 20, seed: 'oct-2026' } })).json);
  const [a, b] = sample.items;
  expect((await call(`/samples/${sample.sample.id}/verdicts`, { token: manager, body: { terminalId: a!.terminalId, seq: a!.seq, verdict: 'inappropriate', comment: '受付番号がなく、目的の説明もない。本人に事情を聴く。' } })).status).toBe(200);
  expect((await call(`/samples/${sample.sample.id}/verdicts`, { token: sysadmin, body: { terminalId: b!.terminalId, seq: b!.seq, verdict: 'appropriate' } })).status).toBe(200);
  const ledger = (await call('/card-ledger?from=2026-10-01&to=2026-10-31', { token: manager })).json as { lendings: { terminalId: string; lentSeq: number; open: boolean }[] };
  const ended = ledger.lendings.find((l) => !l.open)!;
  expect((await call('/card-ledger/returns', { token: manager, body: { terminalId: ended.terminalId, lentSeq: ended.lentSeq, note: '保管庫で確認' } })).status).toBe(200);
}, 120_000);

afterAll(async () => {
  await demo?.close();
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('GET /admin/reports/audit', () => {
  it('produces a PDF a person can read: headings, numbers, chart; pages not blank; font embedded', async () => {
    const started = Date.now();
    const reply = await call('/reports/audit?from=2026-10-01&to=2026-10-31', { token: manager });
    const elapsed = Date.now() - started;
    expect(reply.status, reply.text.slice(0, 300)).toBe(200);
    const report = PdfReportResponseSchema.parse(reply.json);
    expect(report.fileName).toBe('監査報告書_20261001-20261031.pdf');
    expect(Buffer.from(report.pdfBase64, 'base64').subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect(report.summary).toMatchObject({ samples: 1, verdictsInappropriate: 1, returnsConfirmed: 1, indexComplete: true });
    expect(report.summary.searches).toBeGreaterThan(500);
    expect(report.summary.findings).toBeGreaterThan(3);
    expect(report.summary.adminActivities).toBeGreaterThan(3);
    const { text, pngs, inkShare, fonts } = inspect('audit', report);
    expect(pngs).toHaveLength(report.pages);
    for (const heading of ['監査報告書', '対象期間', '令和8年10月1日', '1. 点検の実施状況', '2. 抜き取り点検と判定', '3. 指摘（所見）', '4. ログオン履歴', '5. 操作者用カードの貸与記録', '6. 操作者別・日別の住民検索件数', '凡例', '鈴木 一郎']) {
      expect(text, heading).toContain(heading);
    }
    const flat = text.replace(/\s+/g, ''); // table cells wrap
    expect(flat).toContain('受付番号がなく、目的の説明もない。本人に事情を聴く。');
    expect(flat).toContain('oct-2026');
    expect(flat).toContain('抜き取り点検の抽出'); // who checked what
    expect(flat).toContain('閲覧:操作ログの閲覧');
    for (const share of inkShare) expect(share).toBeGreaterThan(0.005); // every page has something on it
    expect(inkShare.at(-1)!).toBeGreaterThan(0.03); // the chart page is mostly picture
    expect(fonts).toMatch(/CJK|Gothic|IPA|Noto/i);
    expect(fonts).toMatch(/\byes\s+yes\s+yes\b/); // embedded, subset, with a Unicode map
    expect(elapsed).toBeLessThan(30_000);
    const event = listEvents(demo.server.db, { kind: 'audit-report-produced' }).at(-1)!;
    expect(event).toMatchObject({ operatorId: 'op-suzuki', detail: { report: 'audit', pages: report.pages, by: 'op-suzuki' } });
    // Every planted rule kind that falls in October appears in the findings section.
    const planted = seeded.plants.filter((p) => p.rows.length > 0).length;
    expect(planted).toBeGreaterThan(0);
  }, 60_000);

  it.each([
    ['', 400, 'bad-period'],
    ['from=2026-10-01', 400, 'bad-period'],
    ['from=2026-02-30&to=2026-03-01', 400, 'bad-period'],
    ['from=2026-10-31&to=2026-10-01', 400, 'bad-period'],
    ['from=2026-01-01&to=2026-10-31', 400, 'period-too-long'],
    ['from=2000-01-01&to=2199-12-31', 400, 'period-too-long'],
    [`from=${encodeURIComponent("2026-10-01' OR 1=1 --")}&to=2026-10-31`, 400, 'bad-period'],
    ['from=2026-10-01&to=2026-10-31&format=xlsx', 400, 'invalid-request'],
  ])('400 for %s', async (query, status, code) => {
    expectRefused(await call(`/reports/audit?${query}`, { token: manager }), status, code);
  });

  it('says clearly when no Japanese font is there', () => {
    expect(() => findReportFonts({ KUMIYAMA_REPORT_FONT: '/nowhere/font.ttf' })).toThrow(/日本語フォントが見つかりません/);
    expect(() => findReportFonts({}, () => false)).toThrow(expect.objectContaining({ statusCode: 503, code: 'report-font-missing' }));
    expect(findReportFonts({}).regular.path).toMatch(/\.(ttc|ttf|otf)$/);
  });
});

describe('GET /admin/reports/resident-accesses/:residentId', () => {
  it('lists every access to the resident with era date, terminal, operator and purpose', async () => {
    const residentId = demo.server.db.prepare('SELECT resident_id FROM log_index_residents GROUP BY resident_id ORDER BY count(*) DESC, resident_id LIMIT 1').pluck().get() as string;
    const accesses = ResidentAccessesResponseSchema.parse((await call(`/residents/${residentId}/accesses?limit=200`, { token: manager })).json).accesses;
    expect(accesses.length).toBeGreaterThan(0);
    const reply = await call(`/reports/resident-accesses/${residentId}`, { token: sysadmin });
    expect(reply.status, reply.text.slice(0, 300)).toBe(200);
    const report = PdfReportResponseSchema.parse(reply.json);
    expect(report.summary).toMatchObject({ residentId, accesses: accesses.length, truncated: false });
    expect(report.fileName).toMatch(/^閲覧履歴_\d{8}\.pdf$/);
    expect(report.fileName).not.toContain(residentId);
    const { text, inkShare } = inspect('who', report);
    expect(text).toContain('住民の記録の閲覧履歴（本人開示請求用）');
    expect(text).toContain('令和8年');
    expect(text).toContain('（2026年）');
    const name = demo.server.db.prepare('SELECT name FROM residents WHERE id = ?').pluck().get(residentId) as string | undefined;
    if (name) expect(text.replace(/\s+/g, '')).toContain(name.replace(/\s+/g, ''));
    for (const a of accesses) {
      expect(text).toContain(a.terminalId);
      if (a.operatorName) expect(text.replace(/\s+/g, '')).toContain(a.operatorName.replace(/\s+/g, ''));
    }
    for (const share of inkShare) expect(share).toBeGreaterThan(0.005);
    const event = listEvents(demo.server.db, { kind: 'audit-report-produced' }).at(-1)!;
    expect(event).toMatchObject({ operatorId: 'op-takahashi', detail: { report: 'resident-accesses', residentId, accesses: accesses.length } });
    expect(JSON.stringify(event.detail)).not.toContain(name ?? '\u0000'); // no resident data in server_events
  }, 60_000);

  it('404 for a resident nobody knows, 400 for a malformed id', async () => {
    expectRefused(await call('/reports/resident-accesses/R-NOBODY-0', { token: manager }), 404, 'unknown-resident');
    expectRefused(await call(`/reports/resident-accesses/${encodeURIComponent("R1' OR '1'='1")}`, { token: manager }), 400, 'bad-resident-id');
    expectRefused(await call(`/reports/resident-accesses/${'R'.repeat(41)}`, { token: manager }), 400, 'bad-resident-id');
  });
});
