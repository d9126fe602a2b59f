// The operator roster (操作者名簿, 第17条9項) as stored on the server.
import type { Role } from '../../shared/server-api';
import type { ServerDb } from '../db/open';

export interface Operator {
  id: string;
  name: string;
  kana: string;
  role: Role;
  approvedBy: string;
  since: number;
  until: number | null;
  status: 'active' | 'retired';
  passwordHash: string;
  passwordSetAt: number;
  passwordTemporary: boolean;
  failedAttempts: number;
  lockedOut: boolean;
  lockedOutAt: number | null;
  /** Set by an authorised person to force a password change at the next sign-in (cleared by a new password). */
  passwordChangeRequiredAt: number | null;
}

interface OperatorRow {
  id: string;
  name: string;
  kana: string;
  role: Role;
  approved_by: string;
  since: number;
  until: number | null;
  status: 'active' | 'retired';
  password_hash: string;
  password_set_at: number;
  password_temporary: number;
  failed_attempts: number;
  locked_out: number;
  locked_out_at: number | null;
  password_change_required_at: number | null;
}

function fromRow(row: OperatorRow): Operator {
  return {
    id: row.id,
    name: row.name,
    kana: row.kana,
    role: row.role,
    approvedBy: row.approved_by,
    since: row.since,
    until: row.until,
    status: row.status,
    passwordHash: row.password_hash,
    passwordSetAt: row.password_set_at,
    passwordTemporary: row.password_temporary === 1,
    failedAttempts: row.failed_attempts,
    lockedOut: row.locked_out === 1,
    lockedOutAt: row.locked_out_at,
    passwordChangeRequiredAt: row.password_change_required_at,
  };
}

export function getOperator(db: ServerDb, id: string): Operator | undefined {
  const row = db.prepare('SELECT * FROM operators WHERE id = ?').get(id) as OperatorRow | undefined;
  return row && fromRow(row);
}

export function listOperators(db: ServerDb): Operator[] {
  return (db.prepare('SELECT * FROM operators ORDER BY id').all() as OperatorRow[]).map(fromRow);
}

export function countOperators(db: ServerDb): number {
  return (db.prepare('SELECT count(*) AS n FROM operators').get() as { n: number }).n;
}

export type NewOperator = Omit<Operator, 'failedAttempts' | 'lockedOut' | 'lockedOutAt' | 'passwordChangeRequiredAt'>;

export function insertOperator(db: ServerDb, op: NewOperator): void {
  db.prepare(
    `INSERT INTO operators (id, name, kana, role, approved_by, since, until, status, password_hash, password_set_at, password_temporary)
     VALUES (@id, @name, @kana, @role, @approvedBy, @since, @until, @status, @passwordHash, @passwordSetAt, @passwordTemporary)`,
  ).run({ ...op, passwordTemporary: op.passwordTemporary ? 1 : 0 });
}

export function setFailedAttempts(db: ServerDb, id: string, failedAttempts: number, lockedOutAt: number | null): void {
  db.prepare('UPDATE operators SET failed_attempts = ?, locked_out = ?, locked_out_at = ? WHERE id = ?').run(
    failedAttempts,
    lockedOutAt === null ? 0 : 1,
    lockedOutAt,
    id,
  );
}

/** A new password (temporary or chosen) also ends a forced change. */
export function setPassword(db: ServerDb, id: string, hash: string, setAt: number, temporary: boolean): void {
  db.prepare('UPDATE operators SET password_hash = ?, password_set_at = ?, password_temporary = ?, password_change_required_at = NULL WHERE id = ?').run(
    hash,
    setAt,
    temporary ? 1 : 0,
    id,
  );
}

export function requirePasswordChange(db: ServerDb, id: string, at: number): void {
  db.prepare('UPDATE operators SET password_change_required_at = ? WHERE id = ?').run(at, id);
}

/** Name, kana, role and until of the roster entry (approval changes, personnel moves). */
export function updateOperatorEntry(db: ServerDb, id: string, entry: Pick<Operator, 'name' | 'kana' | 'role' | 'until'>): void {
  db.prepare('UPDATE operators SET name = @name, kana = @kana, role = @role, until = @until WHERE id = @id').run({ ...entry, id });
}

/** Retired: kept on the roster (terminals refuse them), with until = the retirement time unless earlier. */
export function retireOperatorEntry(db: ServerDb, id: string, at: number): boolean {
  return (
    db.prepare(`UPDATE operators SET status = 'retired', until = CASE WHEN until IS NOT NULL AND until < @at THEN until ELSE @at END WHERE id = @id AND status = 'active'`).run({ id, at })
      .changes === 1
  );
}
