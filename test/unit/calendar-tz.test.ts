// Runs calendar.test.ts again in child processes whose machine time zone is not Japan, to prove the
// operating calendar does not depend on it (第23条: hours are Japan time wherever the clock is set).
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));

function childEnv(tz: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    // Do not let the child vitest think it is a worker of this run.
    if (!k.startsWith('VITEST') && k !== 'NODE_OPTIONS' && k !== 'TEST') env[k] = v;
  }
  env.TZ = tz;
  env.NO_COLOR = '1';
  env.FORCE_COLOR = '0';
  return env;
}

function run(cmd: string, args: string[], tz: string): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: root, env: childEnv(tz), stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    child.stderr.on('data', (b: Buffer) => (out += b.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, out }));
  });
}

describe.each([
  ['UTC', 0],
  ['America/New_York', 300], // EST in January; the zone has DST, Japan does not
])('calendar tests under TZ=%s', (tz, januaryOffset) => {
  it('the child process really runs in that zone', async () => {
    const r = await run(process.execPath, ['-e', 'console.log(new Date(Date.UTC(2027,0,4)).getTimezoneOffset())'], tz);
    expect(r.code).toBe(0);
    expect(Number(r.out.trim())).toBe(januaryOffset);
  });

  it('test/unit/calendar.test.ts passes', { timeout: 120_000 }, async () => {
    const r = await run('npx', ['vitest', 'run', '--reporter=verbose', 'test/unit/calendar.test.ts'], tz);
    expect(r.code, r.out).toBe(0);
    expect(r.out).toMatch(/Tests\s+\d+ passed/);
    expect(r.out).not.toMatch(/failed/);
    expect(r.out).toContain(`(TZ=${tz})`); // the child's tests saw this zone
  });
});
