// Keeps the replica current (issue 4 item 1): pages of the server's change feed, through main (which
// adds the signed-in operator and the terminal credential), each page sealed and stored in one
// transaction together with the feed position — an interrupted load resumes from the last page
// stored. A page of another epoch (the directory was rebuilt on the server) clears the replica
// and loads it again from the start.
import type { ResidentFeedResult } from '../../../shared/contract';
import { MAX_RESIDENT_PAGE } from '../../../shared/resident-api';
import { residentKeys } from '../../../domain/resident/search-query';
import type { ReplicaCrypto } from './replica-crypto';
import type { FeedState, ReplicaDb, ReplicaRow } from './replica-db';

export type FetchChanges = (after: number, limit: number) => Promise<ResidentFeedResult>;

export type ReplicaSyncResult =
  | { kind: 'current'; received: number; state: FeedState }
  | { kind: 'failed'; received: number; retry: boolean; code: string; message: string };

export async function syncReplica(db: ReplicaDb, sealer: ReplicaCrypto, fetch: FetchChanges, now: () => number, options: { pageSize?: number; onProgress?: (state: FeedState) => void } = {}): Promise<ReplicaSyncResult> {
  const pageSize = Math.min(MAX_RESIDENT_PAGE, options.pageSize ?? MAX_RESIDENT_PAGE);
  let received = 0;
  let state: FeedState | undefined = await db.state.get('feed');
  for (;;) {
    const answer = await fetch(state?.next ?? 0, pageSize);
    if (!answer.ok) return { kind: 'failed', received, retry: answer.retry, code: answer.code, message: answer.message };
    const page = answer.page;
    if (state && page.epoch !== state.epoch) {
      // Rebuilt on the server: what is here belongs to another numbering.
      await db.transaction('rw', db.residents, db.state, async () => {
        await db.residents.clear();
        await db.state.delete('feed');
      });
      state = undefined;
      continue; // from the start of the new numbering
    }
    const rows: ReplicaRow[] = await Promise.all(
      page.residents.map(async (resident): Promise<ReplicaRow> => {
        const keys = residentKeys(resident);
        return { id: resident.id, kanaKey: keys.kanaKey, nameKey: keys.nameKey, birthDate: resident.birthDate, codeKey: await sealer.codeKey(resident.code), version: resident.version, sealed: await sealer.seal(resident) };
      }),
    );
    const next: FeedState = { key: 'feed', epoch: page.epoch, next: page.next, latest: page.latest, updatedAt: now() };
    await db.transaction('rw', db.residents, db.state, async () => {
      if (rows.length > 0) await db.residents.bulkPut(rows);
      await db.state.put(next);
    });
    received += rows.length;
    state = next;
    options.onProgress?.(next);
    if (page.residents.length === 0 || page.next >= page.latest) return { kind: 'current', received, state };
  }
}
