// Password policy values the server enforces and hands to every terminal (第18条1項).

/** 第18条1項(3): three wrong passwords for the same user name lock it out. Fixed by regulation. */
export const MAX_FAILED_ATTEMPTS = 3;
// 第18条1項(1): every password expires; the default period (90 days) is the domain's
// PASSWORD_EXPIRY_DAYS_DEFAULT (src/domain/password), configurable per server.

export interface ServerPolicy {
  passwordExpiryDays: number;
  maxFailedAttempts: number;
  /** Longest period one audit-log query may span, in days (default: the 7-year retention). */
  auditMaxSpanDays?: number;
}
