// Who may act on passwords and lockouts: the information-protection manager (情報保護管理者,
// 第16条: 業務端末の操作者用ICカード及びパスワード) and the system administrator (第17条1項).
// The same two approve exceptions to the operating hours (第23条: 原則として). The list of search
// purpose categories is the manager's alone (requireManager).
import type { Role } from '../../shared/server-api';
import type { ServerDb } from '../db/open';
import { getOperator, type Operator } from '../store/operators';
import { AdminError } from './admin-error';
import { ADMIN_ACTION_LABELS, mayTake, type AdminAction } from './permissions';

export const ROLE_LABELS: Readonly<Record<Role, string>> = { operator: '操作者', manager: '情報保護管理者', sysadmin: 'システム管理者' };

export function requireOperator(db: ServerDb, operatorId: string): Operator {
  const operator = getOperator(db, operatorId);
  if (!operator) throw new AdminError('unknown-operator', `操作者 ${operatorId} は名簿にありません`, `operator ${operatorId} is not on the roster`);
  return operator;
}

/** `--by`: an active information-protection manager or system administrator. */
export function requireAuthorisedPerson(db: ServerDb, adminId: string): Operator {
  const admin = getOperator(db, adminId);
  if (!admin) throw new AdminError('unknown-admin', `--by の ${adminId} は名簿にありません`, `--by ${adminId} is not on the roster`);
  if (admin.status !== 'active') throw new AdminError('admin-retired', `--by の ${adminId} は退職(無効)です`, `--by ${adminId} is retired`);
  if (admin.role !== 'manager' && admin.role !== 'sysadmin') {
    throw new AdminError(
      'not-authorised',
      `${admin.name} (${adminId}) には権限がありません。情報保護管理者またはシステム管理者を --by に指定してください`,
      `${adminId} is not the information-protection manager or the system administrator`,
    );
  }
  return admin;
}

/**
 * `--by` for what is the information-protection manager's alone (not the system administrator's):
 * the list of search purpose categories (第22条6項: the search conditions of the section's work,
 * 第16条: the manager runs the access management of the service terminals). `what` names the act in
 * the message, e.g. { ja: '検索目的の区分を変更', en: 'change the search purpose categories' }.
 */
export function requireManager(db: ServerDb, managerId: string, what: { ja: string; en: string }): Operator {
  const manager = getOperator(db, managerId);
  if (!manager) throw new AdminError('unknown-admin', `--by の ${managerId} は名簿にありません`, `--by ${managerId} is not on the roster`);
  if (manager.status !== 'active') throw new AdminError('admin-retired', `--by の ${managerId} は退職(無効)です`, `--by ${managerId} is retired`);
  if (manager.role !== 'manager') {
    throw new AdminError(
      'not-manager',
      `${ROLE_LABELS[manager.role]} ${manager.name} (${managerId}) には${what.ja}する権限がありません。` +
        `${what.ja}できるのは情報保護管理者だけです。--by に情報保護管理者を指定してください`,
      `${managerId} (${manager.role}) may not ${what.en}: only the information-protection manager (情報保護管理者) may`,
    );
  }
  return manager;
}

export function requirePasswordAdmin(db: ServerDb, adminId: string, targetId: string): Operator {
  const admin = requireAuthorisedPerson(db, adminId);
  refuseSelf(adminId, targetId);
  return admin;
}

/**
 * `by` for an action of the permission table (permissions.ts): on the roster, active, and of a role
 * the table allows. The HTTP routes check the same table before they run; this is for the shared
 * functions, whoever calls them.
 */
export function requirePermitted(db: ServerDb, adminId: string, action: AdminAction): Operator {
  const admin = getOperator(db, adminId);
  if (!admin) throw new AdminError('unknown-admin', `実行者 ${adminId} は名簿にありません`, `${adminId} is not on the roster`);
  if (admin.status !== 'active') throw new AdminError('admin-retired', `実行者 ${adminId} は退職(無効)です`, `${adminId} is retired`);
  if (!mayTake(admin.role, action)) {
    throw new AdminError(
      'not-permitted',
      `${ROLE_LABELS[admin.role]} ${admin.name} (${adminId}) には「${ADMIN_ACTION_LABELS[action]}」の権限がありません。`,
      `${adminId} (${admin.role}) may not ${action}`,
    );
  }
  return admin;
}

/** Nobody acts on their own account, card or roster entry: another authorised person must. */
export function refuseSelf(adminId: string, targetId: string): void {
  if (adminId === targetId) {
    throw new AdminError('self-service', '自分自身に対しては実行できません。別の権限者が実行してください', 'an administrator cannot act on their own account');
  }
}
