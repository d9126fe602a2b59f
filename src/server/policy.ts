// Password policy values the server enforces and hands to every terminal (第18条1項).

/** 第18条1項(3): three wrong passwords for the same user name lock it out. Fixed by regulation. */
export const MAX_FAILED_ATTEMPTS = 3;
/** 第18条1項(1): every password expires. Configurable per server. */
export const DEFAULT_PASSWORD_EXPIRY_DAYS = 90;

export interface ServerPolicy {
  passwordExpiryDays: number;
  maxFailedAttempts: number;
}
