import { createHash } from 'node:crypto';
import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import { describe, expect, it } from 'vitest';
import { canonicalEncoding, GENESIS_HASH, sealRecord, verifyChain, type LogRecord, type LogRecordBody } from '../../src/domain/log/log-record';

const nodeSha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const jsSha = (b: Uint8Array) => bytesToHex(nobleSha256(b));

function chain(n: number, terminalId = 't1'): LogRecord[] {
  const out: LogRecord[] = [];
  let prev = GENESIS_HASH;
  for (let seq = 1; seq <= n; seq++) {
    const body: LogRecordBody = { terminalId, seq, prevHash: prev, at: new Date(1_800_000_000_000 + seq).toISOString(), clockOffsetMs: 0, type: 'card.inserted', outcome: 'info', operatorId: null, cardKeyId: null, detail: { reader: 'R', n: seq } };
    const rec = sealRecord(body, nodeSha);
    out.push(rec);
    prev = rec.hash;
  }
  return out;
}

describe('log record chain', () => {
  it('canonical encoding ignores key order and normalises strings; both SHA-256 implementations agree', () => {
    const a = chain(1)[0]!;
    const { detail: _d, ...rest } = a;
    const reordered = { detail: { n: 1, reader: 'R' }, ...rest };
    expect(canonicalEncoding(reordered)).toEqual(canonicalEncoding(a));
    expect(jsSha(canonicalEncoding(a))).toBe(a.hash);
    const nfd = { ...a, detail: { name: 'が'.normalize('NFD') } };
    const nfc = { ...a, detail: { name: 'が' } };
    expect(canonicalEncoding(nfd)).toEqual(canonicalEncoding(nfc));
  });

  it('verifies an intact chain, from the start and from a checkpoint', () => {
    const records = chain(10);
    expect(verifyChain(records, null, 't1', nodeSha)).toBeNull();
    expect(verifyChain(records.slice(5), { seq: 5, hash: records[4]!.hash }, 't1', jsSha)).toBeNull();
  });

  it('detects altered, deleted, reordered, foreign and truncated-at-start records', () => {
    const records = chain(6);
    const altered = records.map((r) => (r.seq === 3 ? { ...r, detail: { ...r.detail, reader: 'X' } } : r));
    expect(verifyChain(altered, null, 't1', nodeSha)).toEqual({ kind: 'hash-mismatch', seq: 3 });
    const deleted = records.filter((r) => r.seq !== 4);
    expect(verifyChain(deleted, null, 't1', nodeSha)).toEqual({ kind: 'gap', seq: 5, expected: 4 });
    const swapped = [records[0]!, records[2]!, records[1]!];
    expect(verifyChain(swapped, null, 't1', nodeSha)).toEqual({ kind: 'gap', seq: 3, expected: 2 });
    const renumbered = [records[0]!, { ...records[2]!, seq: 2 }];
    expect(verifyChain(renumbered, null, 't1', nodeSha)?.kind).toBe('broken-link');
    expect(verifyChain(records.slice(2), null, 't1', nodeSha)).toEqual({ kind: 'gap', seq: 3, expected: 1 });
    expect(verifyChain(records, null, 't2', nodeSha)).toEqual({ kind: 'wrong-terminal', seq: 1 });
  });

  it('refuses values that have no canonical form', () => {
    const body = { ...chain(1)[0]!, detail: { x: Number.NaN } };
    expect(() => canonicalEncoding(body)).toThrow(TypeError);
  });
});
