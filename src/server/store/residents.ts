// The resident directory as stored (migration 4): one row per resident (current or removed), each
// with the version of its latest change, and one resident_directory row holding the epoch and the
// last version handed out. Every write takes new versions from that counter inside its transaction,
// so versions are unique and increasing, and "changes after v" is a range scan in version order.
// Statements are prepared once per database connection.
import { randomBytes } from 'node:crypto';
import { ResidentSchema, type Resident } from '../../shared/resident-api';
import type { ServerDb } from '../db/open';

/** A resident as written: everything but the version, which the directory assigns. */
export type ResidentRecord = Omit<Resident, 'version'>;

/** The contract's record without its version: every write is checked against it. */
const ResidentRecordSchema = ResidentSchema.omit({ version: true }).strict();

export interface ResidentDirectoryState {
  /** Changes when the directory is rebuilt from scratch (a replica of another epoch must be rebuilt). */
  epoch: string;
  /** The last version handed out (0 before the first write). */
  latestVersion: number;
  /** When this epoch began (null: the epoch created with the table, before any rebuild). */
  epochStartedAt: number | null;
}

interface ResidentRow {
  id: string;
  code: string;
  name: string;
  kana: string;
  birth_date: string;
  sex: Resident['sex'];
  address: string;
  household_id: string;
  status: Resident['status'];
  history: string;
  version: number;
}

const COLUMNS = 'id, code, name, kana, birth_date, sex, address, household_id, status, history, version';

/** Rows per INSERT statement when writing many (one statement per row costs a third more). */
const UPSERT_ROWS = 50;

function upsertSql(rows: number): string {
  const values = Array.from({ length: rows }, () => '(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)').join(', ');
  // A later row with the same id (in this statement or after) replaces the earlier one: the latest wins.
  return `INSERT INTO residents (${COLUMNS}, updated_at) VALUES ${values}
    ON CONFLICT (id) DO UPDATE SET code = excluded.code, name = excluded.name, kana = excluded.kana, birth_date = excluded.birth_date,
      sex = excluded.sex, address = excluded.address, household_id = excluded.household_id, status = excluded.status,
      history = excluded.history, version = excluded.version, updated_at = excluded.updated_at`;
}

function prepareStatements(db: ServerDb) {
  return {
    directory: db.prepare('SELECT epoch, latest_version AS latestVersion, epoch_started_at AS epochStartedAt FROM resident_directory WHERE id = 1'),
    advance: db.prepare('UPDATE resident_directory SET latest_version = latest_version + ? WHERE id = 1 RETURNING latest_version').pluck(),
    upsert: db.prepare(upsertSql(1)),
    upsertMany: db.prepare(upsertSql(UPSERT_ROWS)),
    get: db.prepare(`SELECT ${COLUMNS} FROM residents WHERE id = ?`),
    changesAfter: db.prepare(`SELECT ${COLUMNS} FROM residents WHERE version > ? ORDER BY version LIMIT ?`).raw(),
    count: db.prepare('SELECT count(*) FROM residents').pluck(),
    maxRowid: db.prepare('SELECT coalesce(max(rowid), 0) FROM residents').pluck(),
    currentFrom: db.prepare(`SELECT ${COLUMNS} FROM residents WHERE rowid >= ? AND status = 'resident' ORDER BY rowid LIMIT 1`),
  };
}

const statements = new WeakMap<ServerDb, ReturnType<typeof prepareStatements>>();

function stmts(db: ServerDb): ReturnType<typeof prepareStatements> {
  let prepared = statements.get(db);
  if (!prepared) statements.set(db, (prepared = prepareStatements(db)));
  return prepared;
}

function fromRow(row: ResidentRow): Resident {
  return {
    id: row.id,
    code: row.code,
    name: row.name,
    kana: row.kana,
    birthDate: row.birth_date,
    sex: row.sex,
    address: row.address,
    householdId: row.household_id,
    status: row.status,
    history: JSON.parse(row.history) as Resident['history'],
    version: row.version,
  };
}

/** Runs `work` in an immediate transaction, or inside the caller's. */
function inTransaction<T>(db: ServerDb, work: () => T): T {
  return db.inTransaction ? work() : db.transaction(work).immediate();
}

export function residentDirectory(db: ServerDb): ResidentDirectoryState {
  return stmts(db).directory.get() as ResidentDirectoryState;
}

export function latestResidentVersion(db: ServerDb): number {
  return residentDirectory(db).latestVersion;
}

export function countResidents(db: ServerDb): number {
  return stmts(db).count.get() as number;
}

/** Throws a RangeError naming the resident and the problem when a record does not fit the contract. */
export function checkResidentRecord(record: ResidentRecord): ResidentRecord {
  const parsed = ResidentRecordSchema.safeParse(record);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const id = typeof (record as { id?: unknown }).id === 'string' ? (record as { id: string }).id : '?';
    throw new RangeError(`resident ${id} does not fit the contract: ${issue ? `${issue.path.join('.')} ${issue.message}` : 'invalid'}`);
  }
  return parsed.data;
}

/**
 * Writes residents (new ones inserted, existing ones by id replaced), each with the next version,
 * in the order given, in one transaction (the caller's if there is one). Every record is checked
 * against the contract first; a code used by another resident violates the UNIQUE constraint.
 * Returns the versions handed out (firstVersion > lastVersion when `records` is empty).
 */
export function upsertResidents(db: ServerDb, records: readonly ResidentRecord[], updatedAt: number): { firstVersion: number; lastVersion: number } {
  const checked = records.map(checkResidentRecord);
  const { advance, upsert, upsertMany } = stmts(db);
  return inTransaction(db, () => {
    const lastVersion = advance.get(checked.length) as number;
    let version = lastVersion - checked.length;
    const firstVersion = version + 1;
    // Whole groups of UPSERT_ROWS in one statement each, the rest one by one; in order either way.
    const grouped = checked.length - (checked.length % UPSERT_ROWS);
    const params: unknown[] = [];
    for (let i = 0; i < checked.length; i++) {
      const r = checked[i]!;
      version += 1;
      params.push(r.id, r.code, r.name, r.kana, r.birthDate, r.sex, r.address, r.householdId, r.status, JSON.stringify(r.history), version, updatedAt);
      if (i >= grouped) upsert.run(params);
      else if (params.length < 12 * UPSERT_ROWS) continue;
      else upsertMany.run(params);
      params.length = 0;
    }
    return { firstVersion, lastVersion };
  });
}

export function upsertResident(db: ServerDb, record: ResidentRecord, updatedAt: number): number {
  return upsertResidents(db, [record], updatedAt).lastVersion;
}

export function getResident(db: ServerDb, id: string): Resident | undefined {
  const row = stmts(db).get.get(id) as ResidentRow | undefined;
  return row && fromRow(row);
}

/**
 * Changes a resident: `change` gets the current record (without its version) and returns the new
 * one (same id), stored with a new version. Undefined when there is no such resident.
 */
export function updateResident(db: ServerDb, id: string, change: (current: ResidentRecord) => ResidentRecord, updatedAt: number): Resident | undefined {
  return inTransaction(db, () => {
    const current = getResident(db, id);
    if (!current) return undefined;
    const { version: _old, ...record } = current;
    const next = change(record);
    if (next.id !== id) throw new RangeError(`updateResident: the id of ${id} cannot change`);
    const version = upsertResident(db, next, updatedAt);
    return { ...checkResidentRecord(next), version };
  });
}

/** A stored row as SQLite returns it in raw mode, in the order of COLUMNS. */
export type ResidentRowValues = [
  id: string,
  code: string,
  name: string,
  kana: string,
  birthDate: string,
  sex: Resident['sex'],
  address: string,
  householdId: string,
  status: Resident['status'],
  history: string,
  version: number,
];

function fromValues(v: ResidentRowValues): Resident {
  return {
    id: v[0],
    code: v[1],
    name: v[2],
    kana: v[3],
    birthDate: v[4],
    sex: v[5],
    address: v[6],
    householdId: v[7],
    status: v[8],
    history: JSON.parse(v[9]) as Resident['history'],
    version: v[10],
  };
}

/** Up to `limit` stored rows with version > `after`, in version order, as SQLite returns them. */
export function residentRowsAfter(db: ServerDb, after: number, limit: number): ResidentRowValues[] {
  return stmts(db).changesAfter.all(after, limit) as ResidentRowValues[];
}

/**
 * The wire JSON of a stored row (the contract's Resident, keys in its order). The history is
 * spliced in as stored: it was written by upsertResidents (checked against the contract, then
 * JSON.stringify) and the table refuses text that is not a JSON array of at most 50 entries.
 */
export function residentRowJson(v: ResidentRowValues): string {
  const s = JSON.stringify;
  return (
    `{"id":${s(v[0])},"code":${s(v[1])},"name":${s(v[2])},"kana":${s(v[3])},"birthDate":${s(v[4])},"sex":${s(v[5])},` +
    `"address":${s(v[6])},"householdId":${s(v[7])},"status":${s(v[8])},"history":${v[9]},"version":${v[10]}}`
  );
}

/**
 * The records changed after version `after`, in version order: at most `limit`, and — when
 * `maxBytes` is given — stopping before the page's JSON would grow beyond that many bytes of UTF-8
 * (always at least one record). Each record appears once, as its latest version.
 */
export function residentChangesAfter(db: ServerDb, after: number, limit: number, maxBytes = Number.POSITIVE_INFINITY): Resident[] {
  return pageOfRows(residentRowsAfter(db, after, limit), maxBytes).map(fromValues);
}

/** UTF-8 takes at most 3 bytes per UTF-16 unit: a bound on a JSON text's size without encoding it. */
export const utf8Bound = (text: string): number => 3 * text.length;

/** The leading rows whose JSON stays within maxBytes (by utf8Bound), at least one. */
export function pageOfRows(rows: ResidentRowValues[], maxBytes: number): ResidentRowValues[] {
  if (maxBytes === Number.POSITIVE_INFINITY) return rows;
  let bytes = 0;
  for (let i = 0; i < rows.length; i++) {
    bytes += utf8Bound(residentRowJson(rows[i]!)) + 1;
    if (i > 0 && bytes > maxBytes) return rows.slice(0, i);
  }
  return rows;
}

/** A current resident (status 'resident') at or after this rowid, for picking residents to change in tests. */
export function currentResidentFromRowid(db: ServerDb, rowid: number): Resident | undefined {
  const row = stmts(db).currentFrom.get(rowid) as ResidentRow | undefined;
  return row && fromRow(row);
}

export function maxResidentRowid(db: ServerDb): number {
  return stmts(db).maxRowid.get() as number;
}

/**
 * Empties the directory and starts a new epoch (terminals holding a replica of the old epoch
 * rebuild theirs). Versions keep counting up. Returns the new epoch.
 */
export function resetResidentDirectory(db: ServerDb, at: number): string {
  const epoch = randomBytes(16).toString('hex');
  inTransaction(db, () => {
    db.prepare('UPDATE resident_directory SET epoch = ?, epoch_started_at = ? WHERE id = 1').run(epoch, at);
    db.prepare('DELETE FROM residents').run();
  });
  return epoch;
}
