import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { applyMigrations, MigrationError } from '../../src/server/db/migrate';
import { MIGRATIONS, type Migration } from '../../src/server/db/migrations';

function memoryDb(): Database.Database {
  const db = new Database(':memory:');
  db.pragma('foreign_keys = ON');
  return db;
}

describe('applyMigrations', () => {
  it('applies every migration once; a second run is a no-op', () => {
    const db = memoryDb();
    expect(applyMigrations(db)).toEqual(MIGRATIONS.map((m) => m.id));
    expect(applyMigrations(db)).toEqual([]);
    const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as { name: string }[]).map((t) => t.name);
    expect(tables).toEqual(
      expect.arrayContaining(['operators', 'cards', 'terminals', 'calendar_exceptions', 'processed_requests', 'server_events', 'schema_migrations', 'residents', 'resident_directory']),
    );
    db.close();
  });

  it('starts the resident directory with an epoch and version 0; a changed record takes a new version from its counter', () => {
    const db = memoryDb();
    applyMigrations(db);
    expect(MIGRATIONS.map((m) => m.id)).toEqual([1, 2, 3, 4]);
    const directory = db.prepare('SELECT epoch, latest_version AS latest FROM resident_directory').all() as { epoch: string; latest: number }[];
    expect(directory).toHaveLength(1);
    expect(directory[0]!.epoch).toMatch(/^[0-9a-f]{32}$/);
    expect(directory[0]!.latest).toBe(0);
    const insert = db.prepare(
      `INSERT INTO residents (id, code, name, kana, birth_date, sex, address, household_id, status, history, version, updated_at)
       VALUES (?, ?, '組山　花子', 'クミヤマ　ハナコ', '1990-01-01', 'female', '組山町中央一丁目1番1号', 'H1', 'resident', '[]', ?, 0)`,
    );
    db.prepare('UPDATE resident_directory SET latest_version = 2').run();
    insert.run('R1', '12345678901', 1);
    expect(() => insert.run('R2', '12345678901', 2)).toThrow(/UNIQUE/);
    expect(() => insert.run('R2', '12345678902', 1)).toThrow(/UNIQUE/);
    expect(() => db.prepare("UPDATE residents SET address = 'x' WHERE id = 'R1'").run()).toThrow(/new version/);
    expect(() => db.prepare('UPDATE residents SET version = 3 WHERE id = ?').run('R1')).toThrow(/new version/);
    db.prepare('UPDATE residents SET version = 2 WHERE id = ?').run('R1');
    expect(() => db.prepare('UPDATE resident_directory SET latest_version = 1').run()).toThrow(/never goes back/);
    expect(() => db.prepare('DELETE FROM resident_directory').run()).toThrow(/never deleted/);
    expect(() => insert.run('R3', '1234567890', 2)).toThrow(/CHECK/);
    db.close();
  });

  it('refuses a changed migration and a database from a newer server', () => {
    const db = memoryDb();
    applyMigrations(db);
    const edited: Migration[] = MIGRATIONS.map((m) => (m.id === 1 ? { ...m, sql: `${m.sql}\n-- edited` } : m));
    expect(() => applyMigrations(db, edited)).toThrow(MigrationError);
    expect(() => applyMigrations(db, [])).toThrow(/newer server/);
    db.close();
  });

  it('applies pending migrations in one transaction: a failing one leaves nothing behind', () => {
    const db = memoryDb();
    const broken: Migration[] = [...MIGRATIONS, { id: 900, name: 'ok', sql: 'CREATE TABLE t900 (x INTEGER)' }, { id: 901, name: 'broken', sql: 'CREATE TABLE oops (' }];
    expect(() => applyMigrations(db, broken)).toThrow();
    expect(db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE name IN ('operators', 't900')").get()).toEqual({ n: 0 });
    expect(db.prepare('SELECT count(*) AS n FROM schema_migrations').get()).toEqual({ n: 0 });
    expect(applyMigrations(db)).toEqual(MIGRATIONS.map((m) => m.id));
    db.close();
  });

  it('enforces one active card per operator and append-only events', () => {
    const db = memoryDb();
    applyMigrations(db);
    db.prepare(
      `INSERT INTO operators (id, name, role, approved_by, since, status, password_hash, password_set_at, password_temporary)
       VALUES ('op-a', 'A', 'operator', 'X', 0, 'active', 'h', 0, 0)`,
    ).run();
    const card = db.prepare("INSERT INTO cards (key_id, certificate_der, operator_id, status, issued_at, revoked_at) VALUES (?, x'00', 'op-a', ?, 0, ?)");
    card.run('a'.repeat(64), 'active', null);
    expect(() => card.run('b'.repeat(64), 'active', null)).toThrow(/UNIQUE/);
    card.run('c'.repeat(64), 'revoked', 1);
    expect(() => card.run('d'.repeat(64), 'active', null)).toThrow(/UNIQUE/);
    expect(() => card.run('e'.repeat(64), 'active', null)).toThrow();
    expect(() => db.prepare("INSERT INTO cards (key_id, certificate_der, operator_id, status, issued_at) VALUES (?, x'00', 'op-nobody', 'revoked', 0)").run('f'.repeat(64))).toThrow();
    db.prepare("INSERT INTO server_events (at, kind, detail) VALUES (0, 'lockout', '{}')").run();
    expect(() => db.prepare('DELETE FROM server_events').run()).toThrow(/append-only/);
    db.close();
  });
});
