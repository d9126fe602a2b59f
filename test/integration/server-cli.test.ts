// `npm run server` as a process: argument errors, seeding, start on port 0, clean shutdown.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { TerminalCredentialSchema } from '../../src/shared/server-api';

const CLI = ['--import', 'tsx', 'src/server/cli.ts'];
const dirs: string[] = [];

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'kumiyama-server-cli-'));
  dirs.push(dir);
  return dir;
}

function run(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [...CLI, ...args], { encoding: 'utf8', timeout: 60_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe('server CLI', () => {
  it('exits 2 with a Japanese and an English message on bad arguments', () => {
    for (const args of [['--host', '0.0.0.0'], ['--port', 'x'], ['--bogus'], ['release-lockout', 'op-a']]) {
      const result = run(args);
      expect(result.status, args.join(' ')).toBe(2);
      expect(result.stderr).toMatch(/エラー: .+\nerror: .+/);
    }
  });

  it('seeds once, registers a terminal, administers operators', () => {
    const dataDir = tempDir();
    const first = run(['seed-demo', '--data-dir', dataDir]);
    expect(first.status).toBe(0);
    expect(first.stdout).toContain('デモ町を作成しました');
    expect(first.stdout).toContain('Hanako#Kumi2026');
    expect(existsSync(join(dataDir, 'demo-cards', 'op-yamada.json'))).toBe(true);
    const second = run(['seed-demo', '--data-dir', dataDir]);
    expect(second.status).toBe(0);
    expect(second.stdout).toContain('作成済み');

    const out = join(dataDir, 'term3.json');
    expect(run(['register-terminal', '--name', '住民課窓口3', '--id', 'term-3', '--out', out, '--data-dir', dataDir]).status).toBe(0);
    expect(TerminalCredentialSchema.parse(JSON.parse(readFileSync(out, 'utf8')))).toMatchObject({ terminalId: 'term-3', terminalName: '住民課窓口3' });
    const again = run(['register-terminal', '--name', 'x', '--out', out, '--data-dir', dataDir]);
    expect(again.status).toBe(2);
    expect(again.stderr).toContain('already exists');

    const temp = run(['set-temporary-password', 'op-yamada', '--by', 'op-suzuki', '--data-dir', dataDir]);
    expect(temp.status).toBe(0);
    expect(temp.stdout).toMatch(/仮パスワード \(shown once\): \S{12}\n/);
    const refused = run(['release-lockout', 'op-yamada', '--by', 'op-sato', '--data-dir', dataDir]);
    expect(refused.status).toBe(2);
    expect(refused.stderr).toContain('権限');
  });

  it('approves, lists and withdraws calendar exceptions (第23条)', () => {
    const dataDir = tempDir();
    expect(run(['seed-demo', '--data-dir', dataDir]).status).toBe(0);
    const approve = (...extra: string[]) =>
      run(['approve-exception', '--date', '2027-03-28', '--opens', '08:30', '--closes', '12:00', '--reason', '転入転出の繁忙期の日曜窓口', '--data-dir', dataDir, ...extra]);

    const ok = approve('--by', 'op-suzuki');
    expect(ok.status, ok.stderr).toBe(0);
    expect(ok.stdout).toContain('calendar exception approved');
    expect(ok.stdout).toContain('2027-03-28（日）  通常は日曜日のため閉庁');
    expect(ok.stdout).toContain('承認 (approved by): 情報保護管理者 鈴木 一郎 (op-suzuki)');

    const again = approve('--by', 'op-takahashi');
    expect(again.status).toBe(2);
    expect(again.stderr).toMatch(/エラー: 2027-03-28（日） には既に例外があります.*--replace/);
    expect(again.stderr).toContain('error: 2027-03-28 already has a calendar exception');
    const replaced = approve('--by', 'op-takahashi', '--replace');
    expect(replaced.status, replaced.stderr).toBe(0);
    expect(replaced.stdout).toContain('置き換え (replaced)');

    const notAllowed = approve('--by', 'op-yamada', '--replace');
    expect(notAllowed.status).toBe(2);
    expect(notAllowed.stderr).toContain('権限がありません');

    const bad = run(['approve-exception', '--date', '2027-02-30', '--opens', '12:00', '--closes', '09:00', '--reason', '', '--by', 'op-suzuki', '--data-dir', dataDir]);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('日付はYYYY-MM-DD形式の実在する日付にしてください（2027-02-30）');
    expect(bad.stderr).toContain('閉庁時刻（09:00）は開庁時刻（12:00）より後にしてください');
    expect(bad.stderr).toContain('理由を記入してください');
    expect(bad.stderr).toContain('error: invalid calendar exception');

    const list = run(['list-exceptions', '--data-dir', dataDir]);
    expect(list.status).toBe(0);
    expect(list.stdout).toContain('開庁時間の例外 (calendar exceptions): 1件');
    expect(list.stdout).toContain('2027-03-28（日） 08:30〜12:00  (通常は日曜日のため閉庁)');
    expect(list.stdout).toContain('承認: システム管理者 高橋 美咲');

    const withdraw = run(['withdraw-exception', '--date', '2027-03-28', '--reason', '中止', '--by', 'op-suzuki', '--data-dir', dataDir]);
    expect(withdraw.status, withdraw.stderr).toBe(0);
    expect(withdraw.stdout).toContain('calendar exception withdrawn');
    expect(run(['withdraw-exception', '--date', '2027-03-28', '--reason', '中止', '--by', 'op-suzuki', '--data-dir', dataDir]).status).toBe(2);
    expect(run(['list-exceptions', '--data-dir', dataDir]).stdout).toContain('no calendar exceptions');
  });

  it('starts with --demo on port 0, writes the real URL into demo-terminal.json, stops cleanly on SIGTERM', async () => {
    const dataDir = tempDir();
    const child = spawn(process.execPath, [...CLI, '--demo', '--port', '0', '--data-dir', dataDir], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`server did not start:\n${stdout}`)), 30_000);
      child.stdout.on('data', () => {
        const match = /server listening\): (http:\/\/127\.0\.0\.1:\d+)/.exec(stdout);
        if (match) {
          clearTimeout(timer);
          resolve(match[1]!);
        }
      });
    });
    try {
      expect(stdout).toContain(`データディレクトリ (data dir): ${dataDir}`);
      const credential = TerminalCredentialSchema.parse(JSON.parse(readFileSync(join(dataDir, 'demo-terminal.json'), 'utf8')));
      expect(credential.serverUrl).toBe(url);
      const roster = await fetch(`${url}/api/v1/roster`, { headers: { authorization: `Terminal ${credential.terminalId}:${credential.secret}` } });
      expect(roster.status).toBe(200);
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
    expect(stdout).toContain('database closed');
  });
});
