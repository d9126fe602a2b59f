// The main side's log outbox on a real disk: every event survives until acknowledged, eids never
// repeat (also across compaction and restarts), a torn or damaged journal loses nothing readable.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { appendFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LogOutbox, OUTBOX_FILE } from '../../src/node/terminal/log-outbox';
import { LogEventError, type LogEvent } from '../../src/shared/log-event';

let dir: string;
const time = { at: Date.parse('2026-11-24T01:00:00Z'), clockOffsetMs: 12.4 };
const event = (n: number): LogEvent => ({ type: 'card.inserted', outcome: 'info', operatorId: null, cardKeyId: null, detail: { n } });

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'outbox-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('LogOutbox', () => {
  it('numbers events, hands them out in order and forgets them only when acknowledged', () => {
    const outbox = new LogOutbox(dir);
    const first = outbox.record(event(1), time);
    outbox.record(event(2), time);
    outbox.record(event(3), time);
    expect(outbox.epoch).toMatch(/^[0-9a-f-]{36}$/);
    expect(first).toMatchObject({ eid: 1, at: '2026-11-24T01:00:00.000Z', clockOffsetMs: 12, type: 'card.inserted', detail: { n: 1 } });
    expect(outbox.take(0, 2).map((e) => e.eid)).toEqual([1, 2]);
    expect(outbox.take(2, 10).map((e) => e.eid)).toEqual([3]);
    expect(outbox.acknowledge(2)).toBe(true);
    expect(outbox.take(0, 10).map((e) => e.eid)).toEqual([3]);
    expect(outbox.acknowledge(1)).toBe(true); // old: harmless
    expect(outbox.acknowledge(4)).toBe(false); // never given out
    expect(outbox.acknowledge(-1)).toBe(false);
    expect(outbox.pendingCount).toBe(1);
    outbox.close();
  });

  it('keeps unacknowledged events across a restart, and eids keep increasing', () => {
    const a = new LogOutbox(dir);
    for (let i = 1; i <= 5; i++) a.record(event(i), time);
    a.acknowledge(3);
    // No close(): as after a crash.
    const b = new LogOutbox(dir);
    expect(b.epoch).toBe(a.epoch);
    expect(b.take(0, 10).map((e) => [e.eid, e.detail.n])).toEqual([
      [4, 4],
      [5, 5],
    ]);
    expect(b.record(event(6), time).eid).toBe(6);
    b.acknowledge(6);
    b.close();
    const c = new LogOutbox(dir);
    expect(c.pendingCount).toBe(0);
    expect(c.record(event(7), time).eid).toBe(7);
    expect(c.epoch).toBe(a.epoch);
    c.close();
    // A lost journal starts a new numbering under a new epoch (so the renderer takes its events).
    rmSync(join(dir, OUTBOX_FILE));
    const d = new LogOutbox(dir);
    expect(d.epoch).not.toBe(a.epoch);
    expect(d.record(event(1), time).eid).toBe(1);
    d.close();
  });

  it('drops a torn last line (its write never completed, so nobody was told it was recorded) and appends cleanly after it', () => {
    const a = new LogOutbox(dir);
    a.record(event(1), time);
    a.close();
    appendFileSync(join(dir, OUTBOX_FILE), '{"eid":2,"at":"2026-11-24T01:0');
    const b = new LogOutbox(dir);
    expect(b.openReport.tornTail).toBe(true);
    expect(b.openReport.damaged).toBeNull();
    expect(b.record(event(2), time).eid).toBe(2);
    b.close();
    const c = new LogOutbox(dir);
    expect(c.take(0, 10).map((e) => e.eid)).toEqual([1, 2]);
    expect(c.openReport.tornTail).toBe(false);
    c.close();
  });

  it('keeps a damaged journal aside, reports it, and keeps every readable event', () => {
    const a = new LogOutbox(dir);
    a.record(event(1), time);
    a.record(event(2), time);
    a.close();
    const path = join(dir, OUTBOX_FILE);
    const lines = readFileSync(path, 'utf8').split('\n');
    lines.splice(2, 0, 'garbage', JSON.stringify({ eid: 9, at: 'not a time', clockOffsetMs: 0, type: 'x' }), JSON.stringify({ eid: 10, at: '2026-11-24T01:00:00.000Z', clockOffsetMs: 0, type: 'Bad Type', outcome: 'info', operatorId: null, cardKeyId: null, detail: {} }));
    writeFileSync(path, lines.join('\n'));
    const b = new LogOutbox(dir);
    expect(b.openReport.damaged?.lines).toBe(3);
    expect(existsSync(b.openReport.damaged!.copy)).toBe(true);
    expect(readFileSync(b.openReport.damaged!.copy, 'utf8')).toContain('garbage');
    expect(b.take(0, 10).map((e) => e.eid)).toEqual([1, 2]);
    b.close();
  });

  it('refuses an event the log would refuse, writing nothing', () => {
    const outbox = new LogOutbox(dir);
    expect(() => outbox.record({ ...event(1), detail: { password: 'x' } }, time)).toThrow(LogEventError);
    expect(() => outbox.record({ ...event(1), type: 'No Spaces' }, time)).toThrow(LogEventError);
    expect(outbox.lastEventId).toBe(0);
    expect(outbox.take(0, 10)).toEqual([]);
    outbox.close();
  });

  it('compacts the journal once everything in it is acknowledged, without reusing eids', () => {
    const outbox = new LogOutbox(dir);
    const big = 'あ'.repeat(400);
    let last = 0;
    for (let i = 0; i < 1200; i++) last = outbox.record({ ...event(i), detail: { text: big } }, time).eid;
    const before = statSync(join(dir, OUTBOX_FILE)).size;
    expect(before).toBeGreaterThan(1024 * 1024);
    outbox.acknowledge(last);
    expect(statSync(join(dir, OUTBOX_FILE)).size).toBeLessThan(200);
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    expect(outbox.record(event(0), time).eid).toBe(last + 1);
    outbox.close();
    expect(new LogOutbox(dir).take(0, 10).map((e) => e.eid)).toEqual([last + 1]);
  });
});
