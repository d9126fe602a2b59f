// Electron's keeper of the resident replica's key: the key is stored encrypted with safeStorage
// (the OS keychain / DPAPI / libsecret protects it for this app and user), in the app's data dir.
// Thin glue: the key's use is in src/node/terminal (ReplicaKeyStore).
import { safeStorage } from 'electron';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPLICA_KEY_BYTES, writePrivateFile, type ReplicaKeyStore } from '../node/terminal/replica-key';

export function safeStorageKeyStore(dataDir: string): ReplicaKeyStore {
  const path = join(dataDir, 'replica-key.safe');
  let cached: Buffer | null = null;
  return {
    key() {
      if (cached) return cached;
      if (!safeStorage.isEncryptionAvailable()) throw new Error('safeStorage is not available on this computer');
      if (existsSync(path)) {
        const key = Buffer.from(safeStorage.decryptString(readFileSync(path)), 'base64');
        if (key.length !== REPLICA_KEY_BYTES) throw new Error(`the replica key in ${path} is damaged`);
        cached = key;
        return key;
      }
      const fresh = randomBytes(REPLICA_KEY_BYTES);
      writePrivateFile(path, safeStorage.encryptString(fresh.toString('base64')));
      cached = fresh;
      return fresh;
    },
  };
}
