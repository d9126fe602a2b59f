// The calendar CLI (npm run calendar), run as a child process through `npx tsx`.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const tmp = mkdtempSync(join(tmpdir(), 'calendar-cli-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

function cli(args: string[], tz = 'Asia/Tokyo'): Promise<Result> {
  return new Promise((resolve, reject) => {
    const child = spawn('npx', ['tsx', 'src/tools/calendar/cli.ts', ...args], {
      cwd: root,
      env: { ...process.env, TZ: tz, NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('calendar CLI', { timeout: 60_000 }, () => {
  it('lists the closed days of a year with a total', async () => {
    const r = await cli(['2027']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe('2027-01-01 (金) 元日');
    expect(lines).toContain('2027-01-02 (土) 年末年始（12月29日〜1月3日）');
    expect(lines).toContain('2027-03-22 (月) 振替休日');
    expect(lines).toContain('2027-01-09 (土) 土曜日');
    expect(lines).toContain('2027-12-31 (金) 年末年始（12月29日〜1月3日）');
    expect(lines.at(-1)).toBe('合計: 123日（2027年の閉庁日）');
    expect(lines).toHaveLength(124);
    for (const line of lines.slice(0, -1)) expect(line).toMatch(/^\d{4}-\d{2}-\d{2} \([日月火水木金土]\) \S+$/);
  });

  it("shows the citizens' holiday of 2026", async () => {
    const r = await cli(['2026']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('2026-09-22 (火) 国民の休日\n');
    expect(r.stdout).toContain('2026-05-06 (水) 振替休日\n');
  });

  it('--at before opening: closed, reason and next change', async () => {
    const r = await cli(['--at', '2027-01-04T08:29:59+09:00']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe(
      [
        '日時: 2027年1月4日(月) 8:29:59 (2027-01-04T08:29:59+09:00)',
        '状態: 閉庁',
        '理由: 開庁時間前（8:30から）',
        '次の切替: 2027年1月4日(月) 8:30 (2027-01-04T08:30:00+09:00) 開庁',
        '',
      ].join('\n'),
    );
  });

  it('--at is the same instant whatever the machine time zone', async () => {
    const r = await cli(['--at=2027-01-04T08:30:00+09:00'], 'America/New_York');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('状態: 開庁\n理由: 開庁時間内\n次の切替: 2027年1月4日(月) 17:15 (2027-01-04T17:15:00+09:00) 閉庁');
    const noOffset = await cli(['--at', '2027-01-04T17:15'], 'UTC');
    expect(noOffset.stdout).toContain('日時: 2027年1月4日(月) 17:15:00');
    expect(noOffset.stdout).toContain('状態: 閉庁\n理由: 閉庁時間（17:15以降）\n次の切替: 2027年1月5日(火) 8:30');
  });

  it('--at on the year end points to the first working day', async () => {
    const r = await cli(['--at', '2026-12-31T10:00:00+09:00']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('理由: 年末年始（12月29日〜1月3日）');
    expect(r.stdout).toContain('次の切替: 2027年1月4日(月) 8:30 (2027-01-04T08:30:00+09:00) 開庁');
  });

  it('--at with an exceptions file opens a Sunday', async () => {
    const file = join(tmp, 'ok.json');
    writeFileSync(file, JSON.stringify([{ id: 'x1', date: '2027-03-28', opensAt: '09:00', closesAt: '12:00', reason: '転入繁忙期の日曜窓口', approvedBy: '企画財政課長' }]));
    const r = await cli(['--at', '2027-03-28T10:00:00+09:00', '--exceptions', file]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('状態: 開庁\n理由: 特別開庁: 転入繁忙期の日曜窓口（承認: 企画財政課長）');
    expect(r.stdout).toContain('次の切替: 2027年3月28日(日) 12:00');
  });

  it('--help prints usage and exits 0', async () => {
    const r = await cli(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('使い方');
    expect(r.stdout).toContain('--at');
  });

  it.each([
    [['abcd'], /西暦年は4桁/],
    [['27'], /西暦年は4桁/],
    [['2051'], /祝日データの範囲外/],
    [['1969'], /祝日データの範囲外/],
    [[], /西暦年か --at/],
    [['2027', '2028'], /引数が多すぎます/],
    [['--at'], /--at には値を指定/],
    [['--at', 'tomorrow'], /日時の形式が不正/],
    [['--at', '2027-02-30T10:00'], /日時の形式が不正/],
    [['--at', '2027-01-04T08:30', '2027'], /同時に指定できません/],
    [['--bogus'], /不明なオプション/],
    [['2027', '--exceptions', 'x.json'], /--at と一緒に/],
  ])('bad input %j → Japanese error on stderr, exit 2', async (args, message) => {
    const r = await cli(args);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^エラー: /);
    expect(r.stderr).toMatch(message);
  });

  it('a missing, malformed or invalid exceptions file → exit 2', async () => {
    const missing = await cli(['--at', '2027-03-28T10:00', '--exceptions', join(tmp, 'nope.json')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/例外ファイルを読めません/);

    const notJson = join(tmp, 'bad.json');
    writeFileSync(notJson, '{oops');
    const bad = await cli(['--at', '2027-03-28T10:00', '--exceptions', notJson]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/JSON として読めません/);

    const invalid = join(tmp, 'invalid.json');
    writeFileSync(invalid, JSON.stringify([{ id: 'x', date: '2027-03-28', opensAt: '13:00', closesAt: '12:00', reason: 'r', approvedBy: 'a' }]));
    const inv = await cli(['--at', '2027-03-28T10:00', '--exceptions', invalid]);
    expect(inv.code).toBe(2);
    expect(inv.stderr).toMatch(/閉庁時刻（12:00）は開庁時刻（13:00）より後/);
  });
});
