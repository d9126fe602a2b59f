// Signed checkpoints over the whole operation log (issue 3 item 4). At a fixed interval — also when
// nothing arrived — the server writes {id, at, previousCheckpointHash, heads of every terminal,
// digest of server_events, keyId} and signs it with its Ed25519 key; each checkpoint is chained to
// the one before. Deleting or rewriting a stored record, a checkpoint or a server event afterwards
// is then detectable (`npm run server -- verify`, services/log-verify.ts).
import { createPrivateKey, createPublicKey, generateKeyPairSync, hash, sign, verify, type KeyObject } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { GENESIS_HASH } from '../../domain/log/log-record';
import { toIso } from '../clock';
import type { ServerDb } from '../db/open';
import { canonicalJson } from '../store/processed-requests';
import { listTerminals } from '../store/terminals';
import { logHead, terminalsWithLog } from '../store/log-records';

export const CHECKPOINT_KEY_FILE = 'log-checkpoint-key.pem';
export const CHECKPOINT_PUBLIC_KEY_FILE = 'log-checkpoint-key.pub.pem';
export const CHECKPOINT_FORMAT = 'kumiyama-log-checkpoint/1';
export const DEFAULT_CHECKPOINT_INTERVAL_MS = 5 * 60_000;

export interface CheckpointPublicKey {
  publicKey: KeyObject;
  /** SHA-256 (hex) of the public key's SPKI DER encoding: print it and keep it outside the server. */
  keyId: string;
}

export interface CheckpointSigningKey extends CheckpointPublicKey {
  privateKey: KeyObject;
}

export interface LogCheckpointHead {
  terminalId: string;
  seq: number;
  hash: string;
}

export interface LogCheckpoint {
  id: number;
  at: number;
  previousCheckpointHash: string;
  heads: LogCheckpointHead[];
  /** server_events up to lastId, folded into a running SHA-256 digest. */
  serverEvents: { lastId: number; digest: string };
  keyId: string;
  /** SHA-256 of the canonical payload (checkpointPayload). */
  hash: string;
  /** Ed25519 over the canonical payload, base64. */
  signature: string;
}

export function publicKeyId(publicKey: KeyObject): string {
  return hash('sha256', publicKey.export({ type: 'spki', format: 'der' }), 'hex');
}

export function checkpointPublicKeyFromPem(pem: string): CheckpointPublicKey {
  const publicKey = createPublicKey(pem);
  if (publicKey.asymmetricKeyType !== 'ed25519') throw new Error('checkpoint key must be Ed25519');
  return { publicKey, keyId: publicKeyId(publicKey) };
}

/**
 * The server's checkpoint signing key in DATA_DIR (private key 0600, public key next to it).
 * Created at first start; `created` tells the caller to record that.
 */
export function loadOrCreateCheckpointKey(dataDir: string): { key: CheckpointSigningKey; created: boolean } {
  const privateFile = join(dataDir, CHECKPOINT_KEY_FILE);
  const publicFile = join(dataDir, CHECKPOINT_PUBLIC_KEY_FILE);
  let created = false;
  let privateKey: KeyObject;
  if (existsSync(privateFile)) {
    chmodSync(privateFile, 0o600);
    privateKey = createPrivateKey(readFileSync(privateFile, 'utf8'));
    if (privateKey.asymmetricKeyType !== 'ed25519') throw new Error(`${privateFile} is not an Ed25519 private key`);
  } else {
    const pair = generateKeyPairSync('ed25519');
    privateKey = pair.privateKey;
    // 'wx': never overwrite a key another process has just written.
    writeFileSync(privateFile, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600, flag: 'wx' });
    created = true;
  }
  const publicKey = createPublicKey(privateKey);
  const publicPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
  if (!existsSync(publicFile) || readFileSync(publicFile, 'utf8') !== publicPem) writeFileSync(publicFile, publicPem, { mode: 0o644 });
  return { key: { privateKey, publicKey, keyId: publicKeyId(publicKey) }, created };
}

/** The public key to verify with, from DATA_DIR: derived from the private key when present. */
export function dataDirCheckpointPublicKey(dataDir: string): CheckpointPublicKey | null {
  const privateFile = join(dataDir, CHECKPOINT_KEY_FILE);
  if (existsSync(privateFile)) {
    const publicKey = createPublicKey(createPrivateKey(readFileSync(privateFile, 'utf8')));
    return { publicKey, keyId: publicKeyId(publicKey) };
  }
  const publicFile = join(dataDir, CHECKPOINT_PUBLIC_KEY_FILE);
  return existsSync(publicFile) ? checkpointPublicKeyFromPem(readFileSync(publicFile, 'utf8')) : null;
}

/** The exact bytes that are hashed and signed. */
export function checkpointPayload(checkpoint: Omit<LogCheckpoint, 'hash' | 'signature'>): Buffer {
  return Buffer.from(
    canonicalJson({
      format: CHECKPOINT_FORMAT,
      id: checkpoint.id,
      at: toIso(checkpoint.at),
      previousCheckpointHash: checkpoint.previousCheckpointHash,
      heads: checkpoint.heads.map((head) => ({ terminalId: head.terminalId, seq: head.seq, hash: head.hash })),
      serverEvents: { lastId: checkpoint.serverEvents.lastId, digest: checkpoint.serverEvents.digest },
      keyId: checkpoint.keyId,
    }),
    'utf8',
  );
}

export function checkpointHash(checkpoint: Omit<LogCheckpoint, 'hash' | 'signature'>): string {
  return hash('sha256', checkpointPayload(checkpoint), 'hex');
}

export function checkpointSignatureValid(checkpoint: LogCheckpoint, key: CheckpointPublicKey): boolean {
  try {
    return verify(null, checkpointPayload(checkpoint), key.publicKey, Buffer.from(checkpoint.signature, 'base64'));
  } catch {
    return false;
  }
}

export interface ServerEventRow {
  id: number;
  at: number;
  terminal_id: string | null;
  operator_id: string | null;
  kind: string;
  detail: string;
}

/** One step of the running digest over server_events (every column, as stored). */
export function serverEventsDigestStep(previousDigest: string, row: ServerEventRow): string {
  return hash('sha256', `${previousDigest}\n${JSON.stringify([row.id, row.at, row.terminal_id, row.operator_id, row.kind, row.detail])}`, 'hex');
}

interface CheckpointRow {
  id: number;
  at: number;
  previous_hash: string;
  heads: string;
  events_last_id: number;
  events_digest: string;
  key_id: string;
  hash: string;
  signature: string;
}

function fromRow(row: CheckpointRow): LogCheckpoint {
  return {
    id: row.id,
    at: row.at,
    previousCheckpointHash: row.previous_hash,
    heads: JSON.parse(row.heads) as LogCheckpointHead[],
    serverEvents: { lastId: row.events_last_id, digest: row.events_digest },
    keyId: row.key_id,
    hash: row.hash,
    signature: row.signature,
  };
}

export function latestCheckpoint(db: ServerDb): LogCheckpoint | undefined {
  const row = db.prepare('SELECT * FROM log_checkpoints ORDER BY id DESC LIMIT 1').get() as CheckpointRow | undefined;
  return row && fromRow(row);
}

/** Checkpoints with id > afterId in id order, at most `limit`. */
export function checkpointsAfter(db: ServerDb, afterId: number, limit: number): LogCheckpoint[] {
  return (db.prepare('SELECT * FROM log_checkpoints WHERE id > ? ORDER BY id LIMIT ?').all(afterId, limit) as CheckpointRow[]).map(fromRow);
}

export function listCheckpoints(db: ServerDb): LogCheckpoint[] {
  return checkpointsAfter(db, 0, Number.MAX_SAFE_INTEGER);
}

/** Every terminal's head: registered terminals (also those that never sent anything) and any with a stored log. */
export function currentHeads(db: ServerDb): LogCheckpointHead[] {
  const ids = new Set([...listTerminals(db).map((t) => t.id), ...terminalsWithLog(db)]);
  return [...ids].sort().map((terminalId) => ({ terminalId, ...logHead(db, terminalId) }));
}

/** Writes the next checkpoint (one immediate transaction) and returns it. */
export function writeCheckpoint(db: ServerDb, key: CheckpointSigningKey, now: number): LogCheckpoint {
  return db
    .transaction((): LogCheckpoint => {
      const previous = latestCheckpoint(db);
      let digest = previous?.serverEvents.digest ?? GENESIS_HASH;
      let lastId = previous?.serverEvents.lastId ?? 0;
      for (const row of db.prepare('SELECT id, at, terminal_id, operator_id, kind, detail FROM server_events WHERE id > ? ORDER BY id').iterate(lastId) as IterableIterator<ServerEventRow>) {
        digest = serverEventsDigestStep(digest, row);
        lastId = row.id;
      }
      const body = {
        id: (previous?.id ?? 0) + 1,
        at: now,
        previousCheckpointHash: previous?.hash ?? GENESIS_HASH,
        heads: currentHeads(db),
        serverEvents: { lastId, digest },
        keyId: key.keyId,
      };
      const payload = checkpointPayload(body);
      const checkpoint: LogCheckpoint = { ...body, hash: hash('sha256', payload, 'hex'), signature: sign(null, payload, key.privateKey).toString('base64') };
      db.prepare(
        `INSERT INTO log_checkpoints (id, at, previous_hash, heads, events_last_id, events_digest, key_id, hash, signature)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ).run(
        checkpoint.id,
        checkpoint.at,
        checkpoint.previousCheckpointHash,
        JSON.stringify(checkpoint.heads),
        lastId,
        digest,
        checkpoint.keyId,
        checkpoint.hash,
        checkpoint.signature,
      );
      return checkpoint;
    })
    .immediate();
}
