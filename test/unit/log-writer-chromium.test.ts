// The renderer's operation log (src/renderer/src/log) on real IndexedDB: Vite builds
// bench/log-append-page, node:http serves it on 127.0.0.1, Chromium runs it (playwright-core).
// Every call goes through `window.__log` by name (harness.ts), strict durability as in production.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import type { LogRecord } from '../../src/domain/log/log-record';
import type { Backlog, RecoverReport, VerifyReport } from '../../src/renderer/src/log/log-writer';
import type { LogHead } from '../../src/renderer/src/log/log-rules';
import { callInPage, startLogHarness, tryInPage, type LogHarness } from '../../bench/log-append-page/harness';

let harness: LogHarness;
let page: Page;
let dbCounter = 0;
const DAY = 86_400_000;

const event = (n: number) => ({ type: 'search.performed', outcome: 'success', operatorId: 'op-sato', cardKeyId: null, detail: { purpose: '転入届の確認', criteria: `name:${n}`, n } });

/** A fresh database in `page`, opened for terminal t-test. */
async function fresh(p: Page = page, terminalId = 't-test'): Promise<string> {
  const name = `log-test-${process.pid}-${++dbCounter}`;
  await callInPage(p, 'deleteDb', name);
  await callInPage(p, 'setClockShift', 0);
  const report = await callInPage<RecoverReport>(p, 'open', name, terminalId);
  expect(report.headCheck.kind).toBe('empty');
  expect(report.problems).toEqual([]);
  return name;
}

function expectGapFree(records: LogRecord[], from = 1): void {
  expect(records.map((r) => r.seq)).toEqual(Array.from({ length: records.length }, (_, i) => from + i));
  for (let i = 1; i < records.length; i++) expect(records[i]!.prevHash).toBe(records[i - 1]!.hash);
  expect(new Set(records.map((r) => r.hash)).size).toBe(records.length);
}

beforeAll(async () => {
  harness = await startLogHarness();
  page = await harness.newPage();
});

afterAll(async () => {
  await harness?.close();
});

describe('LogWriter in Chromium (IndexedDB, strict durability)', () => {
  it('200 concurrent appends (Promise.all) get gap-free seqs in call order and one chain', async () => {
    await fresh();
    const seqs = await callInPage<number[]>(page, 'appendConcurrently', 200);
    expect(seqs).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
    const records = await callInPage<LogRecord[]>(page, 'all');
    expectGapFree(records);
    expect(records[0]!.prevHash).toBe('0'.repeat(64));
    expect(records.map((r) => r.detail.n)).toEqual(Array.from({ length: 200 }, (_, i) => i));
    const verify = await callInPage<VerifyReport>(page, 'verify');
    expect(verify).toMatchObject({ ok: true, checked: 200, problem: null, head: { kind: 'ok' }, last: { seq: 200, hash: records[199]!.hash } });
    expect(await callInPage<LogHead>(page, 'head')).toEqual({ seq: 200, hash: records[199]!.hash, terminalId: 't-test' });
  });

  it('two writers on two connections, and two tabs, appending at once never share a seq or fork', async () => {
    const name = await fresh();
    await callInPage(page, 'appendConcurrently', 5);
    // Two LogWriters in one page, each with its own connection and queue: only IndexedDB orders them.
    const seqs = await callInPage<number[]>(page, 'appendConcurrentlyTwoConnections', name, 't-test', 200);
    expect([...seqs].sort((a, b) => a - b)).toEqual(Array.from({ length: 200 }, (_, i) => i + 6));
    // A second tab on the same database, both appending 150 at the same moment.
    const tab = await harness.newPage();
    try {
      await callInPage(tab, 'open', name, 't-test');
      const [a, b] = await Promise.all([callInPage<number[]>(page, 'appendConcurrently', 150, 1000), callInPage<number[]>(tab, 'appendConcurrently', 150, 2000)]);
      expect(new Set([...a, ...b]).size).toBe(300);
      expect([...a, ...b].sort((x, y) => x - y)).toEqual(Array.from({ length: 300 }, (_, i) => i + 206));
    } finally {
      await tab.close();
    }
    const records = await callInPage<LogRecord[]>(page, 'all');
    expect(records).toHaveLength(505);
    expectGapFree(records);
    expect(await callInPage<VerifyReport>(page, 'verify')).toMatchObject({ ok: true, checked: 505 });
    // Pruning more than one chunk (500) once all is acknowledged and old: everything but the newest.
    await callInPage(page, 'acknowledge', { ackSeq: 505, ackHash: records[504]!.hash });
    await callInPage(page, 'setClockShift', 2 * DAY);
    expect(await callInPage(page, 'prune', 505, 1)).toEqual({ deleted: 504, base: { seq: 504, hash: records[503]!.hash } });
    expect(await callInPage<VerifyReport>(page, 'verify')).toMatchObject({ ok: true, checked: 1 });
  });

  it('closing and reopening the database, and reloading the page, continue the same chain', async () => {
    const name = await fresh();
    await callInPage(page, 'appendConcurrently', 20);
    const before = await callInPage<LogHead>(page, 'head');
    await callInPage(page, 'close');
    const reopened = await callInPage<RecoverReport>(page, 'open', name, 't-test');
    expect(reopened).toMatchObject({ headCheck: { kind: 'ok' }, problems: [], reported: null, head: before, verification: { ok: true, checked: 20 } });
    const next = await callInPage<LogRecord>(page, 'append', event(1));
    expect(next).toMatchObject({ seq: 21, prevHash: before.hash, terminalId: 't-test' });

    await page.reload();
    await page.waitForFunction('document.getElementById("status")?.textContent === "ready"');
    const afterReload = await callInPage<RecoverReport>(page, 'open', name, 't-test');
    expect(afterReload).toMatchObject({ headCheck: { kind: 'ok' }, problems: [], head: { seq: 21, hash: next.hash } });
    expect(await callInPage<LogRecord>(page, 'append', event(2))).toMatchObject({ seq: 22, prevHash: next.hash });
    expectGapFree(await callInPage<LogRecord[]>(page, 'all'));
  });

  it('every append that resolved is still there after the browser is killed (SIGKILL) and restarted', async () => {
    const profile = await mkdtemp(join(tmpdir(), 'log-kill-profile-'));
    try {
      const first = await harness.persistentBrowser(profile);
      await callInPage(first.page, 'open', 'log-kill', 't-test');
      await callInPage(first.page, 'appendConcurrently', 50);
      const last = await callInPage<LogRecord>(first.page, 'append', event(50));
      // Appends still in flight when the browser dies may or may not have landed; these resolved.
      void tryInPage(first.page, 'appendConcurrently', 50, 100).catch(() => undefined);
      first.kill();
      await first.context.close().catch(() => undefined);

      const second = await harness.persistentBrowser(profile);
      try {
        const report = await callInPage<RecoverReport>(second.page, 'open', 'log-kill', 't-test');
        expect(report.problems).toEqual([]);
        expect(report.verification?.ok).toBe(true);
        const records = await callInPage<LogRecord[]>(second.page, 'all');
        expect(records.length).toBeGreaterThanOrEqual(51);
        expect(records[50]).toEqual(last);
        expectGapFree(records);
        expect(await callInPage<LogRecord>(second.page, 'append', event(1))).toMatchObject({ seq: records.length + 1, prevHash: records.at(-1)!.hash });
      } finally {
        await second.context.close();
      }
    } finally {
      await rm(profile, { recursive: true, force: true });
    }
  });

  it('an invalid event is refused with a clear error and nothing is written', async () => {
    await fresh();
    await callInPage(page, 'append', event(1));
    const head = await callInPage<LogHead>(page, 'head');
    const bad = [
      { ...event(2), type: 'Not A Type' },
      { ...event(2), outcome: 'perhaps' },
      { ...event(2), detail: { password: 'hunter2' } },
      { ...event(2), detail: { deep: { x: 1 } } },
      { ...event(2), cardKeyId: 'not-a-hash' },
      { ...event(2), sneaky: true },
      'not an event',
    ];
    for (const e of bad) {
      const result = await tryInPage(page, 'append', e);
      expect(result).toMatchObject({ ok: false, name: 'LogEventError' });
      if (!result.ok) expect(result.message).toMatch(/^invalid log event \(nothing was written\): /);
    }
    // A time the wire schema refuses (the clock is asked inside the transaction): nothing written either.
    await callInPage(page, 'setClockShift', 1e16);
    expect(await tryInPage(page, 'append', event(3))).toMatchObject({ ok: false });
    await callInPage(page, 'setClockShift', 0);
    expect(await callInPage(page, 'count')).toBe(1);
    expect(await callInPage<LogHead>(page, 'head')).toEqual(head);
    expect(await callInPage<LogRecord>(page, 'append', event(4))).toMatchObject({ seq: 2, prevHash: head.hash });
  });

  it('pruneSynced deletes only acknowledged records older than keepDays, never an unsynced one', async () => {
    await fresh();
    await callInPage(page, 'setClockShift', -60 * DAY);
    await callInPage(page, 'appendConcurrently', 50); // 60 days old
    await callInPage(page, 'setClockShift', 0);
    await callInPage(page, 'appendConcurrently', 10, 50); // today
    const records = await callInPage<LogRecord[]>(page, 'all');

    // Nothing acknowledged yet: nothing goes, whatever the caller claims.
    expect(await callInPage(page, 'prune', 60, 30)).toEqual({ deleted: 0, base: null });
    expect(await callInPage<Backlog>(page, 'backlog')).toEqual({ count: 60, oldestAt: records[0]!.at, ackSeq: 0 });

    // The server acknowledged 20: prune is capped by the stored checkpoint, not by its argument.
    await callInPage(page, 'acknowledge', { ackSeq: 20, ackHash: records[19]!.hash });
    expect(await callInPage(page, 'prune', 60, 30)).toEqual({ deleted: 20, base: { seq: 20, hash: records[19]!.hash } });
    expect(await callInPage<Backlog>(page, 'backlog')).toEqual({ count: 40, oldestAt: records[20]!.at, ackSeq: 20 });
    expect(await callInPage(page, 'count')).toBe(40);

    // All acknowledged: the old ones go, the recent ones (keepDays) stay.
    await callInPage(page, 'acknowledge', { ackSeq: 60, ackHash: records[59]!.hash });
    expect(await callInPage(page, 'prune', 60, 30)).toEqual({ deleted: 30, base: { seq: 50, hash: records[49]!.hash } });
    expect(await callInPage<Backlog>(page, 'backlog')).toEqual({ count: 0, oldestAt: null, ackSeq: 60 });
    // keepDays 0 a day later: everything acknowledged may go, except the newest record (the head's anchor).
    await callInPage(page, 'setClockShift', DAY);
    expect(await callInPage(page, 'prune', 60, 0)).toMatchObject({ deleted: 9 });
    expect((await callInPage<LogRecord[]>(page, 'all')).map((r) => r.seq)).toEqual([60]);

    // The remaining log still verifies from the pruned base and keeps chaining.
    expect(await callInPage<VerifyReport>(page, 'verify')).toMatchObject({ ok: true, checked: 1, base: { seq: 59, hash: records[58]!.hash } });
    expect(await callInPage<LogRecord>(page, 'append', event(61))).toMatchObject({ seq: 61, prevHash: records[59]!.hash });
    expect(await callInPage<RecoverReport>(page, 'recover')).toMatchObject({ problems: [], verification: { ok: true, checked: 2 } });
    expect(await callInPage<Backlog>(page, 'backlog')).toMatchObject({ count: 1, ackSeq: 60 });
  });

  it('pendingBatch returns the next records in order, capped by count and bytes, and never skips one', async () => {
    await fresh();
    await callInPage(page, 'appendConcurrently', 30);
    const records = await callInPage<LogRecord[]>(page, 'all');
    expect(await callInPage<LogRecord[]>(page, 'pendingBatch', 0, 10)).toEqual(records.slice(0, 10));
    expect(await callInPage<LogRecord[]>(page, 'pendingBatch', 25, 10)).toEqual(records.slice(25));
    expect(await callInPage<LogRecord[]>(page, 'pendingBatch', 30, 10)).toEqual([]);
    const size = JSON.stringify(records[0]).length;
    expect((await callInPage<LogRecord[]>(page, 'pendingBatch', 0, 30, size * 3.5)).length).toBe(3);
    expect((await callInPage<LogRecord[]>(page, 'pendingBatch', 0, 30, 1)).length).toBe(1);
    await callInPage(page, 'acknowledge', { ackSeq: 10, ackHash: records[9]!.hash });
    await callInPage(page, 'setClockShift', 10 * DAY);
    await callInPage(page, 'prune', 10, 1);
    expect(await tryInPage(page, 'pendingBatch', 5, 10)).toMatchObject({ ok: false, name: 'LogIntegrityError', message: expect.stringContaining('records 6–10 are not stored') });
  });

  it('acknowledge never moves back and refuses what does not match this terminal', async () => {
    await fresh();
    await callInPage(page, 'appendConcurrently', 5);
    const records = await callInPage<LogRecord[]>(page, 'all');
    expect(await callInPage(page, 'acknowledge', { ackSeq: 3, ackHash: records[2]!.hash })).toEqual({ ackSeq: 3, ackHash: records[2]!.hash });
    expect(await callInPage(page, 'acknowledge', { ackSeq: 2, ackHash: records[1]!.hash })).toEqual({ ackSeq: 3, ackHash: records[2]!.hash });
    expect(await tryInPage(page, 'acknowledge', { ackSeq: 4, ackHash: 'f'.repeat(64) })).toMatchObject({ ok: false, name: 'LogIntegrityError' });
    expect(await tryInPage(page, 'acknowledge', { ackSeq: 9, ackHash: records[4]!.hash })).toMatchObject({ ok: false, name: 'LogIntegrityError', message: expect.stringContaining('only 5 were written') });
    expect(await tryInPage(page, 'acknowledge', { ackSeq: 3, ackHash: records[3]!.hash })).toMatchObject({ ok: false, name: 'LogIntegrityError' });
    expect(await callInPage(page, 'acknowledge', { ackSeq: 5, ackHash: records[4]!.hash })).toEqual({ ackSeq: 5, ackHash: records[4]!.hash });
  });

  it('recover: a lost head blocks appends until it is rebuilt, and the problem is logged', async () => {
    await fresh();
    await callInPage(page, 'appendConcurrently', 10);
    const records = await callInPage<LogRecord[]>(page, 'all');
    await callInPage(page, 'tamper', 'delete-head');
    expect(await tryInPage(page, 'append', event(1))).toMatchObject({ ok: false, name: 'LogIntegrityError', message: expect.stringContaining('recover()') });
    expect(await callInPage(page, 'count')).toBe(10);
    const report = await callInPage<RecoverReport>(page, 'recover');
    expect(report.headCheck.kind).toBe('head-missing');
    expect(report.verification).toMatchObject({ ok: true, checked: 10 });
    expect(report.reported).toMatchObject({ seq: 11, prevHash: records[9]!.hash, type: 'log.integrity-problem', outcome: 'failure', detail: { head: 'head-missing' } });
    expect(report.head).toMatchObject({ seq: 11 });
    expectGapFree(await callInPage<LogRecord[]>(page, 'all'));
  });

  it('recover: a head set back (by hand) is moved forward, never reused', async () => {
    await fresh();
    await callInPage(page, 'appendConcurrently', 10);
    await callInPage(page, 'tamper', 'rewind-head', 4);
    // The next seq (5) exists: the primary key refuses it, nothing is written.
    expect(await tryInPage(page, 'append', event(1))).toMatchObject({ ok: false, name: 'LogIntegrityError' });
    const report = await callInPage<RecoverReport>(page, 'recover');
    expect(report).toMatchObject({ headCheck: { kind: 'head-behind', repairTo: { seq: 10 } }, reported: { seq: 11 } });
    expectGapFree(await callInPage<LogRecord[]>(page, 'all'));
  });

  it('verifyLocal finds an altered record and a deleted one; a missing tail keeps the head', async () => {
    await fresh();
    await callInPage(page, 'appendConcurrently', 12);
    await callInPage(page, 'tamper', 'alter-record', 7);
    expect(await callInPage<VerifyReport>(page, 'verify')).toMatchObject({ ok: false, checked: 6, last: { seq: 6 }, problem: { kind: 'hash-mismatch', seq: 7 }, head: null });
    const altered = await callInPage<RecoverReport>(page, 'recover');
    expect(altered.problems).toEqual(['record 7 was altered (hash mismatch)']);
    expect(altered.reported).toMatchObject({ seq: 13, detail: { problem: 'hash-mismatch', seq: 7 } });

    await fresh();
    await callInPage(page, 'appendConcurrently', 12);
    await callInPage(page, 'tamper', 'delete-record', 5);
    expect(await callInPage<VerifyReport>(page, 'verify')).toMatchObject({ ok: false, checked: 4, problem: { kind: 'gap', seq: 6, expected: 5 } });

    await fresh();
    await callInPage(page, 'appendConcurrently', 12);
    const head = await callInPage<LogHead>(page, 'head');
    await callInPage(page, 'tamper', 'delete-record', 12);
    const tail = await callInPage<RecoverReport>(page, 'recover');
    expect(tail.headCheck).toEqual({ kind: 'tail-missing', head, lastStored: 11 });
    expect(tail.problems).toEqual(['records 12–12 are missing at the end of the log']);
    // The chain goes on from the head (seq 12's hash), not from record 11: no second record 12.
    expect(tail.reported).toMatchObject({ seq: 13, prevHash: head.hash });
  });

  it('a log written by another terminal id is refused, not continued', async () => {
    const name = await fresh();
    await callInPage(page, 'appendConcurrently', 3);
    const report = await callInPage<RecoverReport>(page, 'open', name, 't-other');
    expect(report.verification).toMatchObject({ ok: false, problem: { kind: 'wrong-terminal', seq: 1 } });
    expect(report.reported).toBeNull();
    expect(report.problems).toContain('record 1 belongs to another terminal');
    expect(report.problems.at(-1)).toMatch(/^the problem could not be logged: the stored log belongs to terminal t-test/);
    expect(await tryInPage(page, 'append', event(1))).toMatchObject({ ok: false, name: 'LogIntegrityError', message: expect.stringContaining('belongs to terminal t-test') });
    expect(await callInPage(page, 'count')).toBe(3);
  });

  it("Dexie live queries (a UI's record count and backlog) see every append", async () => {
    await fresh();
    await callInPage(page, 'appendConcurrently', 3);
    await callInPage(page, 'watch');
    await page.waitForFunction('JSON.stringify(window.__log.watched()) === JSON.stringify({ count: 3, backlog: 3 })');
    await callInPage(page, 'append', event(1));
    await callInPage(page, 'appendConcurrently', 5);
    await page.waitForFunction('JSON.stringify(window.__log.watched()) === JSON.stringify({ count: 9, backlog: 9 })', undefined, { timeout: 5000 });
  });

  it('a full disk (quota) refuses the append with a Japanese error and writes nothing of it', async () => {
    // Its own browser context: Chromium's IndexedDB keeps the quota it saw at the origin's first
    // write, so the (DevTools) quota override must come before any write of that origin.
    const { page: tab, context } = await harness.newIsolatedPage();
    const cdp = await context.newCDPSession(tab);
    const origin = new URL(harness.url).origin;
    try {
      const { usage } = await cdp.send('Storage.getUsageAndQuota', { origin });
      await cdp.send('Storage.overrideQuotaForOrigin', { origin, quotaSize: usage + 1024 * 1024 });
      await fresh(tab);
      await callInPage(tab, 'appendConcurrently', 5);
      // Random kanji: LevelDB compresses repeated text to nothing.
      const text = () => Array.from({ length: 160 }, () => String.fromCharCode(0x4e00 + Math.floor(Math.random() * 20_000))).join('');
      const big = (n: number) => ({ ...event(n), detail: Object.fromEntries(Array.from({ length: 32 }, (_, i) => [`f${i}`, text()])) });
      let refused: { ok: false; name: string; message: string } | null = null;
      let accepted = 0;
      for (let i = 0; i < 1000 && !refused; i++) {
        const r = await tryInPage(tab, 'append', big(i));
        if (r.ok) accepted++;
        else refused = r;
      }
      expect(refused).toEqual({ ok: false, name: 'LogStorageFullError', message: '端末の記録領域が満杯のため、操作記録を保存できませんでした。直ちにシステム管理者に連絡してください。' });
      expect(accepted).toBeGreaterThan(10);
      expect(await callInPage<LogHead>(tab, 'head')).toMatchObject({ seq: 5 + accepted });
      expect(await callInPage(tab, 'count')).toBe(5 + accepted);
      expect(await callInPage<VerifyReport>(tab, 'verify')).toMatchObject({ ok: true, checked: 5 + accepted });
    } finally {
      await context.close();
    }
  });

  it('a week offline (35,000 records): backlog, a full batch and verification stay usable', async () => {
    await fresh();
    await callInPage(page, 'seed', 35_000);
    const t = await callInPage<{ backlog: Backlog; backlogMs: number; batchLength: number; batchMs: number; verifyOk: boolean; verifyChecked: number; verifyMs: number; appendMs: number }>(page, 'timeCalls', 0);
    console.log(`35,000 records: backlog ${t.backlogMs.toFixed(0)} ms, batch of ${t.batchLength} ${t.batchMs.toFixed(0)} ms, verifyLocal ${t.verifyMs.toFixed(0)} ms, next append ${t.appendMs.toFixed(1)} ms`);
    expect(t.backlog).toMatchObject({ count: 35_000, ackSeq: 0 });
    expect(t.batchLength).toBe(5000);
    expect(t.verifyOk).toBe(true);
    expect(t.verifyChecked).toBe(35_000);
    expect(t.backlogMs).toBeLessThan(2000);
    expect(t.batchMs).toBeLessThan(3000);
    expect(await callInPage<LogHead>(page, 'head')).toMatchObject({ seq: 35_001 });
  }, 120_000);

  it('asks for persistent storage and reports the storage use', async () => {
    await fresh();
    const r = await callInPage<{ persisted: boolean; status: { level: string; usage: number | null; quota: number | null } }>(page, 'storage');
    expect(typeof r.persisted).toBe('boolean');
    expect(['ok', 'warn', 'critical', 'unknown']).toContain(r.status.level);
    expect(r.status.quota).toBeGreaterThan(0);
  });
});
