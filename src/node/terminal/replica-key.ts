// The key that encrypts the resident replica's record payloads at rest (issue 4 item 6, 第22条4項,
// 第28条). The renderer keeps the replica in IndexedDB; main keeps its key where the operating
// system protects it for the app: Electron's safeStorage (src/main/safe-storage-key.ts), or — in
// the second host, which has no keychain — a file readable only by the user running the terminal.
// What this protects against and what not: docs/architecture.md "Resident replica at rest".
import { randomBytes } from 'node:crypto';
import { chmodSync, closeSync, existsSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { join } from 'node:path';

export const REPLICA_KEY_BYTES = 32;

export interface ReplicaKeyStore {
  /** The key (created on first use, then the same for ever on this terminal). */
  key(): Buffer;
}

/** Writes `bytes` to `path` atomically (temp file, fsync, rename), readable only by this user. */
export function writePrivateFile(path: string, bytes: Uint8Array): void {
  const temp = `${path}.${process.pid}.tmp`;
  const fd = openSync(temp, 'w', 0o600);
  try {
    writeSync(fd, bytes);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  chmodSync(temp, 0o600);
  renameSync(temp, path);
}

/** The second host's key: `<dataDir>/replica-key` (32 random bytes, mode 0600). */
export class FileReplicaKeyStore implements ReplicaKeyStore {
  private cached: Buffer | null = null;
  readonly path: string;

  constructor(dataDir: string) {
    this.path = join(dataDir, 'replica-key');
  }

  key(): Buffer {
    if (this.cached) return this.cached;
    if (existsSync(this.path)) {
      const bytes = readFileSync(this.path);
      if (bytes.length !== REPLICA_KEY_BYTES) throw new Error(`住民データの暗号鍵ファイルが壊れています: ${this.path}`);
      this.cached = bytes;
      return bytes;
    }
    const fresh = randomBytes(REPLICA_KEY_BYTES);
    writePrivateFile(this.path, fresh);
    this.cached = fresh;
    return fresh;
  }
}
