// Opens (creating if needed) dataDir/server.sqlite: WAL, synchronous=FULL, foreign keys on,
// then applies the pending migrations.
import { chmodSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { applyMigrations } from './migrate';

export type ServerDb = Database.Database;

export const DB_FILE_NAME = 'server.sqlite';

export function openServerDb(dataDir: string, now: number = Date.now()): { db: ServerDb; appliedMigrations: number[] } {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const file = join(dataDir, DB_FILE_NAME);
  const db = new Database(file);
  try {
    // Password hashes live here: owner only (the WAL files inherit the mode on creation).
    chmodSync(file, 0o600);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    const appliedMigrations = applyMigrations(db, undefined, now);
    return { db, appliedMigrations };
  } catch (error) {
    db.close();
    throw error;
  }
}
