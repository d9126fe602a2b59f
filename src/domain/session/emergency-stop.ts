// The emergency stop (緊急停止, 第35条: stop the damage fast when fraud is suspected; issue 6).
// An authorised person sets it on the central server for every terminal or for one; a terminal
// applies it at its next contact. While it holds, counter operators can neither sign in nor resume
// a locked session. The information-protection manager and the system administrator still can:
// someone has to be able to sign in to lift it (and to look at what happened).
// Pure: the terminal service feeds it the stop from its roster copy and the operator's role.

export interface EmergencyStop {
  id: string;
  scope: 'all' | 'terminal';
  reason: string;
  byName: string;
  /** ISO time the stop was set. */
  at: string;
}

export type StopRole = 'operator' | 'manager' | 'sysadmin';

/** Whether a stop in force keeps this role out. */
export function stopBlocks(stop: EmergencyStop | null | undefined, role: StopRole): boolean {
  return !!stop && role === 'operator';
}

/** What the counter sees on the card-refused screen (Japanese). */
export function emergencyStopMessage(stop: EmergencyStop): string {
  const where = stop.scope === 'all' ? '全端末' : 'この端末';
  return `緊急停止中のため${where}は使用できません（理由: ${stop.reason}）。解除は情報保護管理者またはシステム管理者が行います。`;
}
