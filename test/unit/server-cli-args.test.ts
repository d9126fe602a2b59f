import { describe, expect, it } from 'vitest';
import { CliUsageError, parseCliArgs } from '../../src/server/cli/args';

const cwd = '/srv/town';

function usageError(argv: string[]): CliUsageError {
  try {
    parseCliArgs(argv, cwd);
  } catch (error) {
    if (error instanceof CliUsageError) return error;
    throw error;
  }
  throw new Error(`no error for ${argv.join(' ')}`);
}

describe('parseCliArgs', () => {
  it('defaults to serving on 127.0.0.1:8470 with ./.data/server', () => {
    expect(parseCliArgs([], cwd)).toEqual({ kind: 'serve', dataDir: '/srv/town/.data/server', host: '127.0.0.1', port: 8470, demo: false, passwordExpiryDays: 90 });
  });

  it('reads serve options', () => {
    expect(parseCliArgs(['--demo', '--port', '0', '--host', '::1', '--data-dir', '/tmp/x', '--password-expiry-days', '60'], cwd)).toEqual({
      kind: 'serve',
      dataDir: '/tmp/x',
      host: '::1',
      port: 0,
      demo: true,
      passwordExpiryDays: 60,
    });
  });

  it('accepts only loopback hosts', () => {
    for (const host of ['0.0.0.0', '192.168.1.10', 'localhost', '::']) {
      const error = usageError(['--host', host]);
      expect(error.japanese).toContain('ループバック');
      expect(error.english).toContain('loopback');
    }
  });

  it('refuses bad ports, unknown options, unknown subcommands and options of another command', () => {
    for (const port of ['-1', '65536', 'abc', '80.5', '']) expect(usageError(['--port', port]).english).toContain('--port');
    expect(usageError(['--nope']).english).toContain('bad arguments');
    expect(usageError(['frobnicate']).english).toContain('unknown subcommand');
    expect(usageError(['seed-demo', '--port', '1']).english).toContain('--port is not an option of seed-demo');
    expect(usageError(['--by', 'op-a']).english).toContain('--by is not an option of serve');
  });

  it('parses the subcommands', () => {
    expect(parseCliArgs(['seed-demo', '--data-dir', 'd'], cwd)).toEqual({ kind: 'seed-demo', dataDir: '/srv/town/d' });
    expect(parseCliArgs(['register-terminal', '--name', '住民課窓口3', '--out', 't.json'], cwd)).toEqual({
      kind: 'register-terminal',
      dataDir: '/srv/town/.data/server',
      name: '住民課窓口3',
      out: '/srv/town/t.json',
      serverUrl: 'http://127.0.0.1:8470',
    });
    expect(parseCliArgs(['register-terminal', '--name', 'x', '--out', 't.json', '--id', 'term-3', '--server-url', 'http://127.0.0.1:9000'], cwd)).toMatchObject({
      id: 'term-3',
      serverUrl: 'http://127.0.0.1:9000',
    });
    expect(parseCliArgs(['release-lockout', 'op-yamada', '--by', 'op-suzuki'], cwd)).toMatchObject({ kind: 'release-lockout', operatorId: 'op-yamada', by: 'op-suzuki' });
    expect(parseCliArgs(['set-temporary-password', 'op-sato', '--by', 'op-suzuki'], cwd)).toMatchObject({ kind: 'set-temporary-password', operatorId: 'op-sato', by: 'op-suzuki' });
    expect(parseCliArgs(['retire-terminal', 'term-demo-02'], cwd)).toMatchObject({ kind: 'retire-terminal', terminalId: 'term-demo-02' });
    expect(parseCliArgs(['--help'], cwd)).toEqual({ kind: 'help' });
  });

  it('parses the calendar exception commands', () => {
    expect(parseCliArgs(['approve-exception', '--date', '2027-03-28', '--opens', '08:30', '--closes', '12:00', '--reason', '転入転出の繁忙期の日曜窓口', '--by', 'op-suzuki'], cwd)).toEqual({
      kind: 'approve-exception',
      dataDir: '/srv/town/.data/server',
      date: '2027-03-28',
      opensAt: '08:30',
      closesAt: '12:00',
      reason: '転入転出の繁忙期の日曜窓口',
      by: 'op-suzuki',
      replace: false,
    });
    expect(parseCliArgs(['approve-exception', '--date', 'd', '--opens', 'o', '--closes', 'c', '--reason', ' ', '--by', 'op-suzuki', '--replace'], cwd)).toMatchObject({
      replace: true,
      reason: ' ', // the contents are judged by the command with the domain's rules and messages
    });
    expect(parseCliArgs(['withdraw-exception', '--date', '2027-03-28', '--reason', '中止', '--by', 'op-suzuki', '--data-dir', 'd'], cwd)).toEqual({
      kind: 'withdraw-exception',
      dataDir: '/srv/town/d',
      date: '2027-03-28',
      reason: '中止',
      by: 'op-suzuki',
    });
    expect(parseCliArgs(['withdraw-exception', '--id', 'old-1', '--reason', '削除', '--by', 'op-takahashi'], cwd)).toMatchObject({ id: 'old-1' });
    expect(parseCliArgs(['list-exceptions'], cwd)).toEqual({ kind: 'list-exceptions', dataDir: '/srv/town/.data/server' });
  });

  it('explains missing calendar exception arguments', () => {
    const full = ['approve-exception', '--date', '2027-03-28', '--opens', '08:30', '--closes', '12:00', '--reason', 'r', '--by', 'op-suzuki'];
    for (const option of ['--date', '--opens', '--closes', '--reason', '--by']) {
      const i = full.indexOf(option);
      expect(usageError([...full.slice(0, i), ...full.slice(i + 2)]).english).toBe(`approve-exception needs ${option}`);
    }
    expect(usageError([...full, 'extra']).english).toContain('unexpected arguments');
    expect(usageError(['withdraw-exception', '--reason', 'r', '--by', 'op-suzuki']).english).toContain('exactly one of --date and --id');
    expect(usageError(['withdraw-exception', '--date', 'd', '--id', 'i', '--reason', 'r', '--by', 'op-suzuki']).english).toContain('exactly one of --date and --id');
    expect(usageError(['withdraw-exception', '--date', '2027-03-28', '--by', 'op-suzuki']).english).toContain('needs --reason');
    expect(usageError(['list-exceptions', '--by', 'op-suzuki']).english).toContain('--by is not an option of list-exceptions');
    expect(usageError(['approve-exception', ...full.slice(1), '--id', 'x']).english).toContain('--id is not an option of approve-exception');
  });

  it('parses the purpose category commands', () => {
    expect(parseCliArgs(['set-purpose-category', '--id', 'moving-in', '--label', '転入届', '--needs-case-number', '--by', 'op-suzuki'], cwd)).toEqual({
      kind: 'set-purpose-category',
      dataDir: '/srv/town/.data/server',
      id: 'moving-in',
      label: '転入届',
      needsCaseNumber: true,
      by: 'op-suzuki',
    });
    expect(parseCliArgs(['set-purpose-category', '--id', 'passport', '--label', ' ', '--by', 'op-suzuki', '--reason', '旅券の照会を追加', '--data-dir', 'd'], cwd)).toEqual({
      kind: 'set-purpose-category',
      dataDir: '/srv/town/d',
      id: 'passport',
      label: ' ', // the label is judged by the command (NFC, length, control characters)
      needsCaseNumber: false,
      by: 'op-suzuki',
      reason: '旅券の照会を追加',
    });
    expect(parseCliArgs(['retire-purpose-category', '--id', 'moving-within', '--reason', '転入届に統合', '--by', 'op-suzuki'], cwd)).toEqual({
      kind: 'retire-purpose-category',
      dataDir: '/srv/town/.data/server',
      id: 'moving-within',
      reason: '転入届に統合',
      by: 'op-suzuki',
    });
    expect(parseCliArgs(['list-purpose-categories', '--data-dir', 'd'], cwd)).toEqual({ kind: 'list-purpose-categories', dataDir: '/srv/town/d' });
  });

  it('explains missing or malformed purpose category arguments', () => {
    const set = ['set-purpose-category', '--id', 'moving-in', '--label', '転入届', '--by', 'op-suzuki'];
    for (const option of ['--id', '--label', '--by']) {
      const i = set.indexOf(option);
      expect(usageError([...set.slice(0, i), ...set.slice(i + 2)]).english).toBe(`set-purpose-category needs ${option}`);
    }
    const retire = ['retire-purpose-category', '--id', 'moving-in', '--reason', '統合', '--by', 'op-suzuki'];
    for (const option of ['--id', '--reason', '--by']) {
      const i = retire.indexOf(option);
      expect(usageError([...retire.slice(0, i), ...retire.slice(i + 2)]).english).toBe(`retire-purpose-category needs ${option}`);
    }
    for (const id of ['Moving-In', '-x', 'a_b', 'a'.repeat(41), '転入']) {
      const error = usageError(['set-purpose-category', `--id=${id}`, '--label', 'x', '--by', 'op-suzuki']);
      expect(error.english).toContain('malformed category id for --id');
      expect(error.japanese).toContain('--id の区分IDの形式が正しくありません');
    }
    expect(usageError(['retire-purpose-category', '--id', 'A', '--reason', 'r', '--by', 'op-suzuki']).english).toContain('malformed category id');
    expect(usageError(['set-purpose-category', '--id', 'x', '--label', 'x', '--by', 'Op Suzuki']).english).toContain('malformed operator id for --by');
    expect(usageError([...set, 'extra']).english).toContain('unexpected arguments');
    expect(usageError([...retire, '--needs-case-number']).english).toContain('--needs-case-number is not an option of retire-purpose-category');
    expect(usageError([...retire, '--label', 'x']).english).toContain('--label is not an option of retire-purpose-category');
    expect(usageError(['list-purpose-categories', '--by', 'op-suzuki']).english).toContain('--by is not an option of list-purpose-categories');
    expect(usageError(['approve-exception', '--needs-case-number']).english).toContain('--needs-case-number is not an option of approve-exception');
  });

  it('parses the resident directory commands', () => {
    expect(parseCliArgs(['seed-residents', '--count', '1000000', '--data-dir', 'd'], cwd)).toEqual({
      kind: 'seed-residents',
      dataDir: '/srv/town/d',
      count: 1_000_000,
      seed: 1,
      replace: false,
    });
    expect(parseCliArgs(['seed-residents', '--count', '5', '--seed', '4294967295', '--replace'], cwd)).toMatchObject({ count: 5, seed: 4_294_967_295, replace: true });
    expect(parseCliArgs(['touch-residents', '--count', '10'], cwd)).toEqual({ kind: 'touch-residents', dataDir: '/srv/town/.data/server', count: 10 });
    expect(parseCliArgs(['touch-residents', '--count', '10', '--seed', '7'], cwd)).toMatchObject({ count: 10, seed: 7 });
    expect(usageError(['seed-residents']).english).toBe('seed-residents needs --count');
    expect(usageError(['touch-residents', '--seed', '1']).english).toBe('touch-residents needs --count');
    for (const count of ['0', '-1', 'abc', '1.5', '10000001', '']) expect(usageError(['seed-residents', '--count', count]).english).toContain('--count');
    expect(usageError(['touch-residents', '--count', '100001']).english).toContain('--count must be an integer 1-100000');
    expect(usageError(['seed-residents', '--count', '1', '--seed', '4294967296']).english).toContain('--seed');
    expect(usageError(['seed-residents', '--count', '1', 'extra']).english).toContain('unexpected arguments');
    expect(usageError(['touch-residents', '--count', '1', '--replace']).english).toContain('--replace is not an option of touch-residents');
    expect(usageError(['--count', '1']).english).toContain('--count is not an option of serve');
  });

  it('explains missing or malformed subcommand arguments', () => {
    expect(usageError(['register-terminal', '--out', 't.json']).japanese).toContain('--name');
    expect(usageError(['register-terminal', '--name', 'x']).english).toContain('--out');
    expect(usageError(['register-terminal', '--name', 'x', '--out', 'o', '--id', 'BAD ID']).english).toContain('--id');
    expect(usageError(['register-terminal', '--name', 'x', '--out', 'o', '--server-url', 'ftp://x']).english).toContain('--server-url');
    expect(usageError(['release-lockout', '--by', 'op-suzuki']).english).toContain('exactly one operator id');
    expect(usageError(['release-lockout', 'op-a', 'op-b', '--by', 'op-suzuki']).english).toContain('exactly one operator id');
    expect(usageError(['release-lockout', 'Op_A', '--by', 'op-suzuki']).english).toContain('malformed operator id');
    expect(usageError(['release-lockout', 'op-a']).english).toContain('--by');
    expect(usageError(['set-temporary-password', 'op-a', '--by', 'X Y']).english).toContain('--by');
  });
});
