// Password expiry (第18条1項(1), 第20条の2 3項(1)): every password has an expiry date.
export const PASSWORD_EXPIRY_DAYS_DEFAULT = 90;

const MS_PER_DAY = 24 * 60 * 60 * 1000;

function requireDays(expiryDays: number): void {
  if (!Number.isInteger(expiryDays) || expiryDays < 1) {
    throw new RangeError(`パスワードの有効期間（日数）は1以上の整数にしてください: ${String(expiryDays)}`);
  }
}

function requireEpoch(ms: number, what: string): void {
  if (!Number.isFinite(ms)) throw new RangeError(`${what}が不正です: ${String(ms)}`);
}

/** Epoch ms at which a password set at `setAtMs` expires (exactly expiryDays × 24h later). */
export function passwordExpiresAt(setAtMs: number, expiryDays: number = PASSWORD_EXPIRY_DAYS_DEFAULT): number {
  requireEpoch(setAtMs, 'パスワード設定日時');
  requireDays(expiryDays);
  return setAtMs + expiryDays * MS_PER_DAY;
}

/**
 * True from the expiry instant on (the expiry instant itself is expired). Takes the stored expiry
 * (e.g. Date.parse(operator.password.expiresAt)); for a set time use
 * isPasswordExpired(passwordExpiresAt(setAtMs, days), nowMs).
 */
export function isPasswordExpired(expiresAtMs: number, nowMs: number): boolean {
  requireEpoch(expiresAtMs, 'パスワードの有効期限');
  requireEpoch(nowMs, '現在日時');
  return nowMs >= expiresAtMs;
}

/** Whole days left before expiry, rounded up (0 when expired); for "あと3日で期限切れ" warnings. */
export function passwordDaysLeft(expiresAtMs: number, nowMs: number): number {
  requireEpoch(expiresAtMs, 'パスワードの有効期限');
  requireEpoch(nowMs, '現在日時');
  return Math.max(0, Math.ceil((expiresAtMs - nowMs) / MS_PER_DAY));
}
