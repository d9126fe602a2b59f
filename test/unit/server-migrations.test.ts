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
      expect.arrayContaining([
        'operators',
        'cards',
        'terminals',
        'calendar_exceptions',
        'processed_requests',
        'server_events',
        'schema_migrations',
        'residents',
        'resident_directory',
        'purpose_categories',
      ]),
    );
    db.close();
  });

  it('starts the resident directory with an epoch and version 0; a changed record takes a new version from its counter', () => {
    const db = memoryDb();
    applyMigrations(db);
    expect(MIGRATIONS.map((m) => m.id)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13]);
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

  // Migration 5 copies DEFAULT_PURPOSE_CATEGORIES (src/domain/resident/purpose.ts) as it was when it
  // was written. The literal below is that list: if the domain's defaults change later, the migration
  // (and this expectation) stays as it is.
  const MIGRATION_5_CATEGORIES = [
    ['juminhyo-copy', '住民票の写し等の交付', 1],
    ['moving-in', '転入届', 1],
    ['moving-out', '転出届', 1],
    ['moving-within', '転居届', 1],
    ['household-change', '世帯変更届', 1],
    ['seal-registration', '印鑑登録・印鑑登録証明書の交付', 1],
    ['my-number-card', 'マイナンバーカードの交付・更新', 1],
    ['identity-check', '本人確認（窓口）', 0],
    ['family-register-inquiry', '戸籍関連の照会', 0],
    ['other-section-inquiry', '税・保険の照会（他課からの依頼）', 0],
  ];

  it('pre-fills the ten purpose categories, also on a database that was at migration 4; ids are checked, rows never deleted', () => {
    const db = memoryDb();
    expect(applyMigrations(db, MIGRATIONS.filter((m) => m.id <= 4))).toEqual([1, 2, 3, 4]);
    expect(applyMigrations(db)).toEqual([5, 6, 7, 8, 9, 10, 11, 12, 13]);
    const rows = db.prepare('SELECT id, label, needs_case_number AS n, active, sort_order AS sortOrder, changed_by AS changedBy FROM purpose_categories ORDER BY sort_order').all() as {
      id: string;
      label: string;
      n: number;
      active: number;
      sortOrder: number;
      changedBy: string;
    }[];
    expect(rows.map((r) => [r.id, r.label, r.n])).toEqual(MIGRATION_5_CATEGORIES);
    expect(rows.map((r) => r.sortOrder)).toEqual([10, 20, 30, 40, 50, 60, 70, 80, 90, 100]);
    expect(rows.every((r) => r.active === 1 && r.changedBy === 'migration-5')).toBe(true);

    const insert = db.prepare("INSERT INTO purpose_categories (id, label, needs_case_number, active, sort_order, changed_by, changed_at) VALUES (?, ?, 0, 1, 200, 'op-x', 0)");
    for (const id of ['', '-a', 'A', 'a_b', 'a b', 'ａ', 'a'.repeat(41)]) expect(() => insert.run(id, '区分'), JSON.stringify(id)).toThrow(/CHECK/);
    insert.run('a'.repeat(40), '区分');
    expect(() => insert.run('moving-in', '二重')).toThrow(/UNIQUE|PRIMARY/);
    expect(() => insert.run('b', '')).toThrow(/CHECK/);
    expect(() => insert.run('b', 'あ'.repeat(61))).toThrow(/CHECK/);
    expect(() => db.prepare("DELETE FROM purpose_categories WHERE id = 'moving-in'").run()).toThrow(/never deleted/);
    db.prepare("UPDATE purpose_categories SET active = 0 WHERE id = 'moving-in'").run();
    expect(() => db.prepare("UPDATE purpose_categories SET active = 2 WHERE id = 'moving-in'").run()).toThrow(/CHECK/);
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
