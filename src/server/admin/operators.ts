// The operator roster (操作者名簿, 第17条9項): adding, changing and retiring operators. Approving who
// may operate a terminal is the system administrator's (第17条6項; permissions.ts), so `by` becomes
// the operator's approver. Nobody changes or retires their own entry. Every act is recorded in
// server_events with who, what (before/after) and why; terminals learn it at their next roster fetch.
import { parsePasswordHash } from '../../node/password/scrypt';
import type { Role } from '../../shared/server-api';
import { toIso, type Clock } from '../clock';
import type { ServerDb } from '../db/open';
import { recordEvent } from '../store/events';
import { getOperator, insertOperator, retireOperatorEntry, updateOperatorEntry, type Operator } from '../store/operators';
import { actorDetail, type AdminVia } from './actor';
import { AdminError } from './admin-error';
import { ROLE_LABELS, refuseSelf, requireOperator, requirePermitted } from './authorize';
import { checkedReason } from './reason';

/** What the roster shows of a person in events and answers: never the password hash. */
function entryDetail(op: Pick<Operator, 'name' | 'kana' | 'role' | 'since' | 'until' | 'status' | 'approvedBy'>): Record<string, unknown> {
  return { name: op.name, kana: op.kana, role: op.role, since: toIso(op.since), until: op.until === null ? null : toIso(op.until), status: op.status, approvedBy: op.approvedBy };
}

function checkedName(name: string, field: { ja: string; en: string }, allowEmpty: boolean): string {
  const text = name.normalize('NFC').trim();
  if ((!allowEmpty && text === '') || text.length > 100 || /[\u0000-\u001f\u007f]/.test(text)) {
    throw new AdminError('bad-operator-entry', `${field.ja}は1〜100文字の1行で指定してください。`, `${field.en} must be 1-100 characters on one line`);
  }
  return text;
}

function checkedPeriod(since: number, until: number | null): void {
  if (!Number.isFinite(since) || (until !== null && !Number.isFinite(until))) {
    throw new AdminError('bad-operator-entry', '承認期間の日時が正しくありません。', 'since/until must be valid times');
  }
  if (until !== null && until <= since) {
    throw new AdminError('bad-operator-entry', '承認期間の終了 (until) は開始 (since) より後にしてください。', 'until must be after since');
  }
}

export interface AddOperatorArgs {
  id: string;
  name: string;
  kana: string;
  role: Role;
  since: number;
  until: number | null;
  /** scrypt hash of the initial password (temporary: changed at first sign-in). Never the password. */
  temporaryPasswordHash: string;
  reason: string;
  by: string;
  via?: AdminVia;
  clock: Clock;
  /** The operator's own record in the resident directory (findings: relation rules). */
  residentId?: string | null;
}

/** The operator's own directory record (operators.resident_id, migration 9). */
export function residentIdOf(db: ServerDb, operatorId: string): string | null {
  return (db.prepare('SELECT resident_id FROM operators WHERE id = ?').pluck().get(operatorId) as string | null | undefined) ?? null;
}

function linkResident(db: ServerDb, operatorId: string, residentId: string | null): void {
  if (residentId !== null && db.prepare('SELECT 1 FROM residents WHERE id = ?').get(residentId) === undefined) {
    throw new AdminError('unknown-resident', `住民「${residentId}」は住民ディレクトリにありません（本人の住民記録として結び付けられません）。`, `resident ${residentId} is not in the directory`);
  }
  db.prepare('UPDATE operators SET resident_id = ? WHERE id = ?').run(residentId, operatorId);
}

export function addOperator(db: ServerDb, args: AddOperatorArgs): Operator {
  return db
    .transaction(() => {
      const admin = requirePermitted(db, args.by, 'roster.add');
      const reason = checkedReason(args.reason);
      if (getOperator(db, args.id)) throw new AdminError('operator-exists', `操作者ID ${args.id} は既に名簿にあります`, `operator ${args.id} is already on the roster`);
      const name = checkedName(args.name, { ja: '氏名', en: 'name' }, false);
      const kana = checkedName(args.kana, { ja: 'フリガナ', en: 'kana' }, true);
      checkedPeriod(args.since, args.until);
      if (!parsePasswordHash(args.temporaryPasswordHash)) {
        throw new AdminError('weak-password-hash', 'パスワードハッシュの形式またはパラメータが基準を満たしていません。', 'the password hash is malformed or too weak');
      }
      const now = args.clock.now();
      insertOperator(db, {
        id: args.id,
        name,
        kana,
        role: args.role,
        approvedBy: admin.name,
        since: args.since,
        until: args.until,
        status: 'active',
        passwordHash: args.temporaryPasswordHash,
        passwordSetAt: now,
        passwordTemporary: true,
      });
      if (args.residentId != null) linkResident(db, args.id, args.residentId);
      const added = requireOperator(db, args.id);
      recordEvent(db, {
        at: now,
        terminalId: args.via?.terminalId ?? null,
        operatorId: added.id,
        kind: 'operator-added',
        detail: { ...entryDetail(added), ...(args.residentId != null ? { residentId: args.residentId } : {}), approvedBy: admin.name, reason, ...actorDetail(admin, args.via) },
      });
      return added;
    })
    .immediate();
}

export interface ChangeOperatorArgs {
  operatorId: string;
  name?: string;
  kana?: string;
  role?: Role;
  /** undefined: unchanged; null: no end. */
  until?: number | null;
  /** undefined: unchanged; null: unlink the operator's own directory record. */
  residentId?: string | null;
  reason: string;
  by: string;
  via?: AdminVia;
  clock: Clock;
}

export function changeOperator(db: ServerDb, args: ChangeOperatorArgs): Operator {
  return db
    .transaction(() => {
      const admin = requirePermitted(db, args.by, 'roster.change');
      const reason = checkedReason(args.reason);
      const before = requireOperator(db, args.operatorId);
      refuseSelf(admin.id, before.id);
      if (before.status !== 'active') throw new AdminError('operator-retired', `${before.name} (${before.id}) は退職(無効)です`, `${before.id} is retired`);
      const after = {
        name: args.name === undefined ? before.name : checkedName(args.name, { ja: '氏名', en: 'name' }, false),
        kana: args.kana === undefined ? before.kana : checkedName(args.kana, { ja: 'フリガナ', en: 'kana' }, true),
        role: args.role ?? before.role,
        until: args.until === undefined ? before.until : args.until,
      };
      checkedPeriod(before.since, after.until);
      const changed: string[] = (['name', 'kana', 'role', 'until'] as const).filter((key) => after[key] !== before[key]);
      const residentBefore = residentIdOf(db, before.id);
      if (args.residentId !== undefined && args.residentId !== residentBefore) changed.push('residentId');
      if (changed.length === 0) throw new AdminError('nothing-changed', '変更する項目がありません。', 'nothing to change');
      const now = args.clock.now();
      updateOperatorEntry(db, before.id, after);
      if (changed.includes('residentId')) linkResident(db, before.id, args.residentId ?? null);
      const updated = requireOperator(db, before.id);
      recordEvent(db, {
        at: now,
        terminalId: args.via?.terminalId ?? null,
        operatorId: before.id,
        kind: 'operator-changed',
        detail: {
          changed,
          before: { ...entryDetail(before), ...(changed.includes('residentId') ? { residentId: residentBefore } : {}) },
          after: { ...entryDetail(updated), ...(changed.includes('residentId') ? { residentId: args.residentId ?? null } : {}) },
          roleChange: after.role === before.role ? null : `${ROLE_LABELS[before.role]} → ${ROLE_LABELS[after.role]}`,
          reason,
          ...actorDetail(admin, args.via),
        },
      });
      return updated;
    })
    .immediate();
}

export function retireOperator(db: ServerDb, args: { operatorId: string; reason: string; by: string; via?: AdminVia; clock: Clock }): Operator {
  return db
    .transaction(() => {
      const admin = requirePermitted(db, args.by, 'roster.retire');
      const reason = checkedReason(args.reason);
      const before = requireOperator(db, args.operatorId);
      refuseSelf(admin.id, before.id);
      const now = args.clock.now();
      if (!retireOperatorEntry(db, before.id, now)) {
        throw new AdminError('operator-retired', `${before.name} (${before.id}) は既に退職(無効)です`, `${before.id} is already retired`);
      }
      const retired = requireOperator(db, before.id);
      recordEvent(db, {
        at: now,
        terminalId: args.via?.terminalId ?? null,
        operatorId: before.id,
        kind: 'operator-retired',
        detail: { before: entryDetail(before), after: entryDetail(retired), reason, ...actorDetail(admin, args.via) },
      });
      return retired;
    })
    .immediate();
}
