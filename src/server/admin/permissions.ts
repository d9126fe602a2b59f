// Who may take which administrative action — THE table (docs/server-api.md copies it). Every admin
// route names its action and the server checks the session's role against this table before the
// route runs (src/server/routes/admin/admin-auth.ts); a refusal is recorded (admin-action-refused).
//
// From the operation rules (../shared/requirements.md, 第16–18条, 第20条の2, 第23条, 第35条):
// - the system administrator (システム管理者) approves who may operate (第17条6項: the roster is
//   approved by them, so adding, changing and retiring an operator is theirs), manages the OS side
//   and the systems (registering and retiring terminals), and reviews privileges (第20条の2 2項);
// - the information-protection manager (情報保護管理者) manages the terminals' operator cards and
//   passwords (第16条) — the system administrator lends cards, grants passwords and revokes lost cards
//   too (第17条1項・5項・11項, 第18条1項), so cards and passwords are open to both; nobody acts on their
//   own card, password or roster entry;
// - the list of search purpose categories is the manager's alone (第22条6項, the section's work);
// - both may run spot checks and read the roster, cards, terminals and histories (第17条14–16項):
//   the operation-log explorer, "who looked at a resident" and the card ledger (第17条17項) too;
//   they draw spot-check samples and judge them — never a search they performed themselves —,
//   confirm a card's physical return (never of their own lending) and produce the audit reports;
// - both approve exceptions to the hours (第23条 原則として) and may stop every terminal at once or
//   clear a stop (第35条: stop the damage fast; the security officer has no account in the app).
// - findings (anomaly rules) of a period are open to both (spot checks, 第17条14–16項); which records
//   are flagged (支援措置対象・著名人: any access is a finding) and the rules' thresholds are the
//   information-protection manager's alone: the manager heads the section that decides on support
//   measures and answers for the spot checks (第16条, 第22条6項); the system administrator runs the
//   systems and reads the flags and the configuration (to understand a finding) but does not decide
//   whose record is watched nor how strictly;
// A counter operator (業務端末の操作者) never gets an admin session at all.
import type { AdminRole } from '../../shared/admin-session';
import type { Role } from '../../shared/server-api';

const BOTH = ['manager', 'sysadmin'] as const;
const SYSADMIN = ['sysadmin'] as const;
const MANAGER = ['manager'] as const;

export const ADMIN_PERMISSIONS = {
  'session.view': BOTH,
  'roster.view': BOTH,
  'roster.add': SYSADMIN,
  'roster.change': SYSADMIN,
  'roster.retire': SYSADMIN,
  'privilege-review.view': BOTH,
  'cards.view': BOTH,
  'cards.issue': BOTH,
  'cards.revoke': BOTH,
  'password.release-lockout': BOTH,
  'password.set-temporary': BOTH,
  'password.require-change': BOTH,
  'calendar.view': BOTH,
  'calendar.approve': BOTH,
  'calendar.withdraw': BOTH,
  'purpose-categories.view': BOTH,
  'purpose-categories.set': MANAGER,
  'purpose-categories.retire': MANAGER,
  'emergency-stop.view': BOTH,
  'emergency-stop.set': BOTH,
  'emergency-stop.clear': BOTH,
  'terminals.view': BOTH,
  'terminals.register': SYSADMIN,
  'terminals.retire': SYSADMIN,
  'audit.log.view': BOTH,
  'audit.who-looked.view': BOTH,
  'audit.card-ledger.view': BOTH,
  'audit.findings.view': BOTH,
  'audit.flags.view': BOTH,
  'audit.flags.set': MANAGER,
  'audit.flags.withdraw': MANAGER,
  'audit.config.view': BOTH,
  'audit.config.set': MANAGER,
  'audit.samples.view': BOTH,
  'audit.samples.draw': BOTH,
  'audit.verdicts.record': BOTH,
  'audit.card-returns.confirm': BOTH,
  'audit.reports.produce': BOTH,
} as const satisfies Record<string, readonly AdminRole[]>;

export type AdminAction = keyof typeof ADMIN_PERMISSIONS;

export const ADMIN_ACTIONS = Object.keys(ADMIN_PERMISSIONS) as AdminAction[];

export function isAdminRole(role: Role): role is AdminRole {
  return role === 'manager' || role === 'sysadmin';
}

export function mayTake(role: Role, action: AdminAction): boolean {
  return (ADMIN_PERMISSIONS[action] as readonly Role[]).includes(role);
}

/** The actions a role may take, in table order. */
export function permissionsOf(role: Role): AdminAction[] {
  return ADMIN_ACTIONS.filter((action) => mayTake(role, action));
}

/** Japanese names of the actions, for refusals and the UI. */
export const ADMIN_ACTION_LABELS: Readonly<Record<AdminAction, string>> = {
  'session.view': '管理セッションの確認',
  'roster.view': '操作者名簿の閲覧',
  'roster.add': '操作者の追加',
  'roster.change': '操作者の変更',
  'roster.retire': '操作者の削除（退職）',
  'privilege-review.view': '権限の見直し報告',
  'cards.view': '操作者用ICカードの閲覧',
  'cards.issue': '操作者用ICカードの発行',
  'cards.revoke': '操作者用ICカードの失効',
  'password.release-lockout': 'ロックアウトの解除',
  'password.set-temporary': '仮パスワードの設定',
  'password.require-change': 'パスワード変更の強制',
  'calendar.view': '開庁時間の例外の閲覧',
  'calendar.approve': '開庁時間の例外の承認',
  'calendar.withdraw': '開庁時間の例外の取り下げ',
  'purpose-categories.view': '検索目的の区分の閲覧',
  'purpose-categories.set': '検索目的の区分の変更',
  'purpose-categories.retire': '検索目的の区分の廃止',
  'emergency-stop.view': '緊急停止の閲覧',
  'emergency-stop.set': '緊急停止',
  'emergency-stop.clear': '緊急停止の解除',
  'terminals.view': '端末の閲覧',
  'terminals.register': '端末の登録',
  'terminals.retire': '端末の廃止',
  'audit.log.view': '操作ログの閲覧',
  'audit.who-looked.view': '住民ごとの閲覧履歴の確認',
  'audit.card-ledger.view': 'ICカード貸与記録の閲覧',
  'audit.findings.view': '点検結果（不審な操作の検出）の閲覧',
  'audit.flags.view': '注意対象の記録の閲覧',
  'audit.flags.set': '注意対象の記録の登録',
  'audit.flags.withdraw': '注意対象の記録の取り下げ',
  'audit.config.view': '検出ルールの設定の閲覧',
  'audit.config.set': '検出ルールの設定の変更',
  'audit.samples.view': '抜き取り点検の閲覧',
  'audit.samples.draw': '抜き取り点検の抽出',
  'audit.verdicts.record': '抜き取り点検の判定',
  'audit.card-returns.confirm': 'ICカード返却の確認',
  'audit.reports.produce': '監査報告書の作成',
};
