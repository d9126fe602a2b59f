// Filling and changing the resident directory with SYNTHETIC residents (src/domain/resident/
// synthetic-town.ts): the demo seeding, `seed-residents` for large directories (benchmarks) and
// `move-residents` to make changes for the feed to carry (tests). Never real personal data.
import { jstYmd } from '../../domain/calendar';
import { mulberry32, moveWithinTown, SYNTHETIC_TOWN_AS_OF, syntheticResidents, type SyntheticResident } from '../../domain/resident/synthetic-town';
import type { Resident } from '../../shared/resident-api';
import type { Clock } from '../clock';
import type { ServerDb } from '../db/open';
import { recordEvent } from '../store/events';
import {
  countResidents,
  currentResidentFromRowid,
  maxResidentRowid,
  resetResidentDirectory,
  residentDirectory,
  upsertResidents,
  type ResidentRecord,
} from '../store/residents';
import { AdminError } from './admin-error';

// The domain's synthetic resident and the wire record (without version) are the same shape: a field
// added to one and not the other stops the build here.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const sameShape: Same<SyntheticResident, ResidentRecord> = true;
void sameShape;

export function toResidentRecord(resident: SyntheticResident): ResidentRecord {
  return { ...resident, history: resident.history.map((entry) => ({ ...entry })) };
}

export const MAX_SEED_RESIDENTS = 10_000_000;
/** Residents written per transaction when seeding (fewer, larger transactions rewrite fewer index pages). */
export const SEED_BATCH = 50_000;

export interface SeedResidentsResult {
  count: number;
  seed: number;
  asOf: string;
  /** Residents removed first (--replace). */
  replaced: number;
  epoch: string;
  firstVersion: number;
  lastVersion: number;
}

/**
 * Writes `count` synthetic residents of the town of `seed` (as of SYNTHETIC_TOWN_AS_OF), in
 * transactions of SEED_BATCH. A directory that already holds residents is refused unless
 * `replace`: then it is emptied first and gets a new epoch (terminals rebuild their replicas).
 * Inside a caller's transaction (the demo seeding) everything is written in that transaction.
 */
export function seedResidents(
  db: ServerDb,
  options: { count: number; seed: number; replace?: boolean; clock: Clock; batch?: number; onProgress?: (written: number) => void },
): SeedResidentsResult {
  const { count, seed, clock } = options;
  if (!Number.isInteger(count) || count < 1 || count > MAX_SEED_RESIDENTS) {
    throw new AdminError('bad-count', `件数は1〜${MAX_SEED_RESIDENTS}で指定してください: ${count}`, `count must be 1-${MAX_SEED_RESIDENTS}: ${count}`);
  }
  const existing = countResidents(db);
  if (existing > 0 && !options.replace) {
    throw new AdminError(
      'directory-not-empty',
      `住民ディレクトリには既に${existing}人が登録されています。置き換える場合は --replace を指定してください (端末の複製は作り直しになります)。`,
      `the resident directory already holds ${existing} residents; use --replace to replace them (terminals rebuild their replicas)`,
    );
  }
  const now = clock.now();
  const epoch = existing > 0 ? resetResidentDirectory(db, now) : residentDirectory(db).epoch;
  let firstVersion = 0;
  let lastVersion = 0;
  let written = 0;
  let batch: ResidentRecord[] = [];
  const flush = (): void => {
    if (batch.length === 0) return;
    const versions = upsertResidents(db, batch, now);
    if (firstVersion === 0) firstVersion = versions.firstVersion;
    lastVersion = versions.lastVersion;
    written += batch.length;
    batch = [];
    options.onProgress?.(written);
  };
  for (const resident of syntheticResidents({ seed, count })) {
    batch.push(toResidentRecord(resident));
    if (batch.length >= (options.batch ?? SEED_BATCH)) flush();
  }
  flush();
  const result: SeedResidentsResult = { count: written, seed, asOf: SYNTHETIC_TOWN_AS_OF, replaced: existing, epoch, firstVersion, lastVersion };
  recordEvent(db, { at: now, kind: 'residents-seeded', detail: { ...result, synthetic: true } });
  return result;
}

/**
 * Moves `count` different current residents (status 'resident', picked pseudo-randomly from `seed`)
 * to a new address in the town, dated today (JST): each gets a new version, so the feed carries
 * exactly these. One transaction. Returns the moved records.
 */
export function moveResidents(db: ServerDb, options: { count: number; seed: number; clock: Clock }): Resident[] {
  const { count, seed, clock } = options;
  if (!Number.isInteger(count) || count < 1 || count > 100_000) {
    throw new AdminError('bad-count', `件数は1〜100000で指定してください: ${count}`, `count must be 1-100000: ${count}`);
  }
  const now = clock.now();
  const date = jstYmd(now);
  const moved = db
    .transaction((): Resident[] => {
      const maxRowid = maxResidentRowid(db);
      const random = mulberry32(seed);
      const picked = new Map<string, ResidentRecord>();
      for (let tries = 0; picked.size < count && tries < count * 20; tries++) {
        const found = currentResidentFromRowid(db, 1 + Math.floor(random() * maxRowid));
        if (!found || picked.has(found.id)) continue;
        const { version: _version, ...record } = found;
        picked.set(found.id, toResidentRecord(moveWithinTown(record, { seed, date })));
      }
      if (picked.size < count) {
        throw new AdminError(
          'not-enough-residents',
          `転居させる住民 (住所のある住民) が${count}人見つかりません (見つかったのは${picked.size}人)。`,
          `could not find ${count} current residents to move (found ${picked.size})`,
        );
      }
      const records = [...picked.values()];
      const { firstVersion } = upsertResidents(db, records, now);
      recordEvent(db, {
        at: now,
        kind: 'residents-moved',
        detail: { count: records.length, seed, date, firstVersion, ids: records.slice(0, 1000).map((r) => r.id), synthetic: true },
      });
      return records.map((record, i) => ({ ...record, version: firstVersion + i }));
    })
    .immediate();
  return moved;
}
