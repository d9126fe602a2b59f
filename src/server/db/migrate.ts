// Applies pending migrations in one transaction at start. Re-running on an up-to-date database
// is a no-op. Refuses a database written by a newer server or whose applied migrations changed.
import { createHash } from 'node:crypto';
import type { Database } from 'better-sqlite3';
import { MIGRATIONS, type Migration } from './migrations';

export class MigrationError extends Error {
  override name = 'MigrationError';
}

export function migrationChecksum(migration: Migration): string {
  return createHash('sha256').update(migration.sql).digest('hex');
}

/** Returns the ids of the migrations applied now (empty when the schema was already current). */
export function applyMigrations(db: Database, migrations: readonly Migration[] = MIGRATIONS, now: number = Date.now()): number[] {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    checksum TEXT NOT NULL,
    applied_at INTEGER NOT NULL
  ) STRICT`);
  const run = db.transaction((): number[] => {
    const applied = db.prepare('SELECT id, name, checksum FROM schema_migrations ORDER BY id').all() as { id: number; name: string; checksum: string }[];
    const known = new Map(migrations.map((m) => [m.id, m]));
    for (const row of applied) {
      const migration = known.get(row.id);
      if (!migration) {
        throw new MigrationError(`database has migration ${row.id} (${row.name}) unknown to this server: a newer server wrote it`);
      }
      if (migrationChecksum(migration) !== row.checksum) {
        throw new MigrationError(`migration ${row.id} (${row.name}) was changed after it was applied: add a new migration instead`);
      }
    }
    const done = new Set(applied.map((row) => row.id));
    const insert = db.prepare('INSERT INTO schema_migrations (id, name, checksum, applied_at) VALUES (?, ?, ?, ?)');
    const newlyApplied: number[] = [];
    for (const migration of [...migrations].sort((a, b) => a.id - b.id)) {
      if (done.has(migration.id)) continue;
      db.exec(migration.sql);
      insert.run(migration.id, migration.name, migrationChecksum(migration), now);
      newlyApplied.push(migration.id);
    }
    return newlyApplied;
  });
  return run.immediate();
}
