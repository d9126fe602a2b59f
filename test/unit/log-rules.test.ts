// Pure rules of the renderer's operation log (src/renderer/src/log/log-rules.ts). The Dexie side
// is tested in Chromium: log-writer-chromium.test.ts.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { GENESIS_HASH, sealRecord, verifyChain, type LogRecord } from '../../src/domain/log/log-record';
import { checkHead, describeProblem, LogEventError, prunablePrefix, recordProblems, storageStatus, validateEvent, type LogEvent } from '../../src/renderer/src/log/log-rules';
import { sha256Hex } from '../../src/renderer/src/log/sha256';

const nodeSha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

const good: LogEvent = { type: 'signin.failure', outcome: 'failure', operatorId: 'op-yamada', cardKeyId: 'a'.repeat(64), detail: { reason: 'wrong-password', attemptsLeft: 2 } };

function chain(n: number, t0 = Date.parse('2026-01-05T00:00:00Z')): LogRecord[] {
  const out: LogRecord[] = [];
  let prev = GENESIS_HASH;
  for (let seq = 1; seq <= n; seq++) {
    const rec = sealRecord({ terminalId: 't1', seq, prevHash: prev, at: new Date(t0 + seq * 86_400_000).toISOString(), clockOffsetMs: 0, ...good }, nodeSha);
    out.push(rec);
    prev = rec.hash;
  }
  return out;
}

function problemsOf(event: unknown): string[] {
  try {
    validateEvent(event);
    return [];
  } catch (e) {
    expect(e).toBeInstanceOf(LogEventError);
    expect((e as Error).message).toMatch(/^invalid log event \(nothing was written\)/);
    return [...(e as LogEventError).problems];
  }
}

describe('validateEvent', () => {
  it('accepts an event that fits the wire schema and returns a clean copy', () => {
    expect(validateEvent(good)).toEqual(good);
    expect(validateEvent({ ...good, operatorId: null, cardKeyId: null, detail: {} })).toEqual({ ...good, operatorId: null, cardKeyId: null, detail: {} });
  });

  it('NFC-normalises strings, so the stored record is exactly what was hashed', () => {
    const e = validateEvent({ ...good, detail: { purpose: 'が'.normalize('NFD') } });
    expect(e.detail.purpose).toBe('が');
    expect((e.detail.purpose as string).length).toBe(1);
  });

  it('names every problem of an invalid event', () => {
    expect(problemsOf(null)).toEqual(['the event must be an object']);
    expect(problemsOf([good])).toEqual(['the event must be an object']);
    const p = problemsOf({ type: 'Sign In', outcome: 'maybe', operatorId: 7, cardKeyId: 'xyz', detail: { ok: 1 } });
    expect(p.map((s) => s.split(':')[0])).toEqual(['type', 'outcome', 'operatorId', 'cardKeyId']);
    expect(problemsOf({ ...good, extra: 1 })[0]).toMatch(/extra/);
    expect(problemsOf({ ...good, detail: undefined })[0]).toMatch(/^detail/);
  });

  it('enforces the detail limits of the wire schema', () => {
    expect(problemsOf({ ...good, detail: { n: Number.NaN } })).not.toEqual([]);
    expect(problemsOf({ ...good, detail: { n: Infinity } })).not.toEqual([]);
    expect(problemsOf({ ...good, detail: { s: 'x'.repeat(501) } })).not.toEqual([]);
    expect(problemsOf({ ...good, detail: { nested: { a: 1 } } })).not.toEqual([]);
    expect(problemsOf({ ...good, detail: { list: [1] } })).not.toEqual([]);
    expect(problemsOf({ ...good, detail: { __proto__x: 1 } })).not.toEqual([]);
    expect(problemsOf({ ...good, detail: { '1a': 1 } })).not.toEqual([]);
    expect(problemsOf({ ...good, detail: Object.fromEntries(Array.from({ length: 33 }, (_, i) => [`k${i}`, i])) })).toEqual(['detail: too many detail fields']);
    expect(problemsOf({ ...good, detail: Object.fromEntries(Array.from({ length: 32 }, (_, i) => [`k${i}`, i])) })).toEqual([]);
    expect(problemsOf({ ...good, type: 'x'.repeat(65) })).not.toEqual([]);
  });

  it('refuses detail fields named like a secret', () => {
    expect(problemsOf({ ...good, detail: { password: 'hunter2' } })).toEqual(['detail.password: secrets are never logged']);
    expect(problemsOf({ ...good, detail: { newPassword: 'x', PIN: '1234' } })).toHaveLength(2);
    expect(problemsOf({ ...good, detail: { passwordChangeReason: 'expired' } })).toEqual([]);
  });
});

describe('recordProblems', () => {
  it('passes a sealed record and names what the server would refuse', () => {
    const [r] = chain(1);
    expect(recordProblems(r!)).toEqual([]);
    expect(recordProblems({ ...r!, at: 'yesterday' })[0]).toMatch(/^at/);
    expect(recordProblems({ ...r!, clockOffsetMs: 1.5 })[0]).toMatch(/^clockOffsetMs/);
    expect(recordProblems({ ...r!, terminalId: 'T 1' })[0]).toMatch(/^terminalId/);
  });

  it('the renderer SHA-256 (noble) chains like node:crypto', () => {
    const records = chain(5);
    expect(verifyChain(records, null, 't1', sha256Hex)).toBeNull();
  });
});

describe('checkHead', () => {
  const records = chain(3);
  const last = records[2]!;
  const headOf = (r: LogRecord) => ({ seq: r.seq, hash: r.hash, terminalId: r.terminalId });

  it('empty log, and a head that matches the last record', () => {
    expect(checkHead(null, null, null)).toEqual({ kind: 'empty' });
    expect(checkHead(headOf(last), last, null)).toEqual({ kind: 'ok' });
  });

  it('a lost, lagging or mismatched head is rebuilt from the last record', () => {
    expect(checkHead(null, last, null)).toEqual({ kind: 'head-missing', repairTo: headOf(last) });
    expect(checkHead(headOf(records[1]!), last, null)).toEqual({ kind: 'head-behind', repairTo: headOf(last) });
    expect(checkHead({ ...headOf(last), hash: 'f'.repeat(64) }, last, null)).toEqual({ kind: 'head-mismatch', repairTo: headOf(last) });
    expect(checkHead({ ...headOf(last), terminalId: 't2' }, last, null)).toEqual({ kind: 'head-mismatch', repairTo: headOf(last) });
  });

  it('a head ahead of the records is kept (never rewound: that would fork the chain)', () => {
    expect(checkHead(headOf(last), records[1]!, null)).toEqual({ kind: 'tail-missing', head: headOf(last), lastStored: 2 });
    expect(checkHead(headOf(last), null, null)).toEqual({ kind: 'tail-missing', head: headOf(last), lastStored: null });
    // Everything pruned down to the head is fine (the writer never prunes the newest record, though).
    expect(checkHead(headOf(last), null, { seq: last.seq, hash: last.hash })).toEqual({ kind: 'ok' });
  });
});

describe('prunablePrefix', () => {
  const records = chain(10); // one a day from 2026-01-06
  const cutoff = Date.parse(records[5]!.at); // records 1..5 are older

  it('only acknowledged AND old records, as a prefix, never the newest', () => {
    expect(prunablePrefix(records, 10, cutoff, 10)).toBe(5);
    expect(prunablePrefix(records, 3, cutoff, 10)).toBe(3); // unsynced records stay whatever their age
    expect(prunablePrefix(records, 0, cutoff, 10)).toBe(0);
    expect(prunablePrefix(records, 10, Date.parse('2030-01-01T00:00:00Z'), 10)).toBe(9); // the newest anchors the head
    expect(prunablePrefix(records, 10, Date.parse('2000-01-01T00:00:00Z'), 10)).toBe(0);
  });

  it('stops at the first record that must stay, even if later ones are older (clock set back)', () => {
    const jumbled = records.map((r, i) => (i === 2 ? { ...r, at: '2031-01-01T00:00:00Z' } : r));
    expect(prunablePrefix(jumbled, 10, cutoff, 10)).toBe(2);
    const unreadable = records.map((r, i) => (i === 1 ? { ...r, at: 'garbage' } : r));
    expect(prunablePrefix(unreadable, 10, cutoff, 10)).toBe(1);
  });
});

describe('storageStatus', () => {
  it('warns in Japanese from 80 %, critical from 95 %, never suggests dropping records', () => {
    expect(storageStatus({ usage: 10, quota: 100 }, true)).toMatchObject({ level: 'ok', ratio: 0.1, message: null });
    const warn = storageStatus({ usage: 85, quota: 100 }, true);
    expect(warn.level).toBe('warn');
    expect(warn.message).toContain('使用率 85%');
    expect(warn.message).toContain('未送信の操作記録は削除されません');
    const critical = storageStatus({ usage: 99, quota: 100 }, true);
    expect(critical.level).toBe('critical');
    expect(critical.message).toContain('直ちにシステム管理者に連絡してください');
  });

  it('says when persistence was refused or the browser gives no figures', () => {
    expect(storageStatus({ usage: 1, quota: 100 }, false).message).toContain('永続化が許可されていません');
    expect(storageStatus(null, null)).toMatchObject({ level: 'unknown', message: null, ratio: null });
    expect(storageStatus({ usage: 5 }, false)).toMatchObject({ level: 'unknown' });
    expect(storageStatus({ usage: 5, quota: 0 }, null)).toMatchObject({ level: 'unknown' });
  });
});

describe('describeProblem', () => {
  it('one line per kind', () => {
    expect(describeProblem({ kind: 'gap', seq: 7, expected: 5 })).toBe('record 5 is missing (found 7)');
    expect(describeProblem({ kind: 'hash-mismatch', seq: 3 })).toMatch(/altered/);
    expect(describeProblem({ kind: 'broken-link', seq: 3 })).toMatch(/link/);
    expect(describeProblem({ kind: 'wrong-terminal', seq: 3 })).toMatch(/another terminal/);
  });
});
