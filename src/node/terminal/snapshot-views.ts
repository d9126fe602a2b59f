// Japanese labels for what the snapshot shows. Kept apart from the service so the wording
// is in one place.
import type { EmergencyStopView, HoursView, LockCause } from '../../shared/contract';
import type { EmergencyStopWire } from '../../shared/server-api';
import type { Role } from '../../shared/server-api';
import type { HoursStatus } from '../../domain/calendar/hours';
import { formatJst } from '../../domain/calendar/format';

const ROLE_LABELS: Record<Role, string> = {
  operator: '業務端末操作者',
  manager: '情報保護管理者',
  sysadmin: 'システム管理者',
};

export function roleLabel(role: Role): string {
  return ROLE_LABELS[role];
}

const LOCK_LABELS: Record<LockCause, string> = {
  'card-removed': 'カードが抜かれたためロックしました。',
  idle: '一定時間操作がなかったためロックしました。',
  'unattended-card': '操作がないままカードが差し込まれていたためロックしました。席を離れるときはカードを抜いてください。',
  hours: '閉庁時刻になったためロックしました。',
  manual: '操作者がロックしました。',
  'emergency-stop': '緊急停止のためロックしました。解除されるまで再開できません。',
};

export function lockCauseLabel(cause: LockCause): string {
  return LOCK_LABELS[cause];
}

export function buildHoursView(hours: HoursStatus, now: number, sessionOpen: boolean): HoursView {
  const minutesLeft = hours.open && hours.closesAt !== null ? Math.max(0, Math.ceil((hours.closesAt - now) / 60_000)) : null;
  let closingWarning: string | null = null;
  if (sessionOpen && minutesLeft !== null && minutesLeft <= 15) {
    closingWarning = minutesLeft <= 5 ? `まもなく閉庁です（残り${minutesLeft}分）。作業を終えてください。時刻になると自動でロックします。` : `閉庁まで残り${minutesLeft}分です。`;
  }
  const nextChangeAt = hours.open ? hours.closesAt : hours.nextOpen;
  return {
    open: hours.open,
    reason: hours.reason,
    nextChangeAt,
    nextChangeLabel: nextChangeAt === null ? '' : hours.open ? `閉庁 ${formatJst(nextChangeAt, 'time')}` : `次の開庁 ${formatJst(nextChangeAt, 'datetime')}`,
    minutesLeft,
    closingWarning,
    exceptionLabel: hours.exception ? `特別開庁: ${hours.exception.reason}（承認: ${hours.exception.approvedBy}）` : null,
  };
}

export function rosterAgeLabel(receivedAt: number | null, now: number): string {
  if (receivedAt === null) return '操作者名簿: 未受信';
  const minutes = Math.max(0, Math.floor((now - receivedAt) / 60_000));
  if (minutes < 1) return '操作者名簿: 最新';
  if (minutes < 60) return `操作者名簿: ${minutes}分前に受信`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `操作者名簿: ${hours}時間前に受信`;
  return `操作者名簿: ${Math.floor(hours / 24)}日前に受信（失効情報が古い可能性があります）`;
}

export function stopView(stop: EmergencyStopWire | null): EmergencyStopView | null {
  if (!stop) return null;
  return { scope: stop.scope, reason: stop.reason, byName: stop.byName, atLabel: formatJst(Date.parse(stop.at), 'datetime') };
}
