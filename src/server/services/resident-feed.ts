// The resident directory's change feed (issue 4): GET /api/v1/residents/changes serves, page by
// page, the records changed after a version, to a registered terminal on behalf of the operator
// signed in there (header X-Operator-Id). Contract: src/shared/resident-api.ts.
//
// Who may receive resident data (本人確認情報): only the people who operate a service terminal —
// 業務端末の操作者 (role `operator`) and 情報保護管理者 (`manager`) — 第17条8項 ("情報保護管理者又は業務端末の
// 操作者以外の者は、業務端末を操作してはならない") and 第22条5項–9項, which bind exactly those two to the
// searching and display of resident data. The システム管理者 (`sysadmin`) administers the system (OS,
// histories, roster approval: 第16条) and has no counter duty that needs resident data (第22条1項・5項),
// so the feed refuses that role. The operator must also be usable for a sign-in right now: on the
// roster, active, inside since–until, holding an active card, and not locked out (a locked-out
// operator cannot be signed in anywhere, so nothing is served on their behalf). Removing any of
// these stops further replica updates at the next page.
//
// Every page served is recorded (recordServed, before the answer leaves): terminal, operator,
// after, limit, count, the versions served, next, latest, epoch. Refusals are recorded too
// (`resident-changes-refused`, with the reason).
import type { Role } from '../../shared/server-api';
import type { ServerDb } from '../db/open';
import { hasActiveCard } from '../store/cards';
import { recordEvent } from '../store/events';
import { getOperator } from '../store/operators';
import { residentDirectory, residentRowJson, residentRowsAfter, utf8Bound } from '../store/residents';
import { refusal, type Answer } from './answers';
import { recordServed } from './served';

/** The roles that may search residents and so receive the directory (第17条8項, 第22条5項–9項). */
export const RESIDENT_DATA_ROLES: readonly Role[] = ['operator', 'manager'];

/**
 * A page stops early (before `limit`) when its JSON would exceed about this many bytes: the
 * terminal refuses answers over 16 MiB, and the contract lets a record carry 50 history entries.
 */
export const MAX_RESIDENT_PAGE_BYTES = 8 * 1024 * 1024;

const ROLE_JA: Record<Role, string> = { operator: '業務端末の操作者', manager: '情報保護管理者', sysadmin: 'システム管理者' };

export type ResidentAccessRefusalReason = 'operator-unknown' | 'operator-inactive' | 'operator-not-permitted' | 'operator-without-card' | 'operator-locked-out';

/** 403 answers of the feed, by reason (the code is the reason). Japanese: shown on the terminal. */
export const RESIDENT_ACCESS_REFUSALS: Record<ResidentAccessRefusalReason, (role?: Role) => Answer<never>> = {
  'operator-unknown': () => refusal(403, 'operator-unknown', 'この操作者は操作者名簿に登録されていないため、住民情報を取得できません。'),
  'operator-inactive': () =>
    refusal(403, 'operator-inactive', 'この操作者は操作者名簿で有効ではない（退職または承認期間外の）ため、住民情報を取得できません。'),
  'operator-not-permitted': (role) =>
    refusal(
      403,
      'operator-not-permitted',
      `この操作者の役割（${role ? ROLE_JA[role] : '不明'}）には住民情報の検索・表示が認められていません（第17条8項・第22条）。`,
    ),
  'operator-without-card': () =>
    refusal(403, 'operator-without-card', 'この操作者には有効な操作者用ICカードが貸与されていないため、住民情報を取得できません。'),
  'operator-locked-out': () =>
    refusal(403, 'operator-locked-out', 'この操作者はパスワードの誤入力によりロックアウトされているため、住民情報を取得できません。情報保護管理者に解除を依頼してください。'),
};

/** Null when the operator may receive resident data now; otherwise the refusal and its reason. */
export function residentAccessRefusal(db: ServerDb, operatorId: string, now: number): { reason: ResidentAccessRefusalReason; answer: Answer<never> } | null {
  const operator = getOperator(db, operatorId);
  const refuse = (reason: ResidentAccessRefusalReason) => ({ reason, answer: RESIDENT_ACCESS_REFUSALS[reason](operator?.role) });
  if (!operator) return refuse('operator-unknown');
  if (operator.status !== 'active' || !(now >= operator.since) || (operator.until !== null && !(now < operator.until))) return refuse('operator-inactive');
  if (!RESIDENT_DATA_ROLES.includes(operator.role)) return refuse('operator-not-permitted');
  if (!hasActiveCard(db, operator.id)) return refuse('operator-without-card');
  if (operator.lockedOut) return refuse('operator-locked-out');
  return null;
}

export interface ResidentChangesRequest {
  terminalId: string;
  operatorId: string;
  now: number;
  after: number;
  limit: number;
}

/** What a page held (recorded, and handy for tests): never the data itself. */
export interface ServedResidentPage {
  after: number;
  limit: number;
  count: number;
  firstVersion: number | null;
  next: number;
  latest: number;
  epoch: string;
}

/**
 * A page is answered as ready JSON text (a ResidentChangesResponse): the stored history is spliced in
 * as it is, instead of parsing 5000 histories only to serialise them again. Refusals are Answers.
 */
export type ResidentFeedAnswer = { status: 200; json: string; page: ServedResidentPage } | (Answer<never> & { json?: undefined });

/**
 * One page of the feed: the records with version > after in version order (at most `limit`, fewer
 * when about `maxBytes` of UTF-8 is reached, at least one), `next` = the last version in the page (or
 * `after` when empty), `latest` and `epoch` of the directory — all from one read snapshot.
 */
export function serveResidentChanges(db: ServerDb, request: ResidentChangesRequest, maxBytes = MAX_RESIDENT_PAGE_BYTES): ResidentFeedAnswer {
  const { terminalId, operatorId, now, after, limit } = request;
  const refused = residentAccessRefusal(db, operatorId, now);
  if (refused) {
    recordEvent(db, { at: now, terminalId, operatorId, kind: 'resident-changes-refused', detail: { reason: refused.reason, after, limit } });
    return refused.answer;
  }
  // One read transaction: the page, latest and epoch agree even while a writer (the CLI) is busy.
  const { json, page } = db.transaction(() => {
    const rows = residentRowsAfter(db, after, limit);
    const { latestVersion: latest, epoch } = residentDirectory(db);
    const parts: string[] = [];
    let bytes = 0;
    for (const row of rows) {
      const text = residentRowJson(row);
      bytes += utf8Bound(text) + 1;
      if (parts.length > 0 && bytes > maxBytes) break;
      parts.push(text);
    }
    const count = parts.length;
    const next = count > 0 ? rows[count - 1]![10] : after;
    const served: ServedResidentPage = { after, limit, count, firstVersion: count > 0 ? rows[0]![10] : null, next, latest, epoch };
    return { json: `{"residents":[${parts.join(',')}],"next":${next},"latest":${latest},"epoch":${JSON.stringify(epoch)}}`, page: served };
  })();
  // Recorded before the answer leaves (issue 3 item 5; see services/served.ts): what, not the data.
  recordServed(db, { at: now, terminalId, operatorId, data: 'resident-changes', detail: { ...page } });
  return { status: 200, json, page };
}
