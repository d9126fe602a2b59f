// Admin sessions (issue 6): the information-protection manager or the system administrator opens
// one at a registered terminal by letting their operator card sign a server challenge. The message
// the card signs is defined HERE, once, for the server (which verifies) and the terminal (which has
// the card sign it): see adminSessionMessage.
import { z } from 'zod';
import { CardKeyIdSchema, IsoTime, OperatorIdSchema } from './server-api';

/** Roles that can hold an admin session (a counter operator never can). */
export const AdminRoleSchema = z.enum(['manager', 'sysadmin']);
export type AdminRole = z.infer<typeof AdminRoleSchema>;

/** Header every admin route needs next to `Authorization: Terminal …`. */
export const ADMIN_SESSION_HEADER = 'x-admin-session';

/** Domain separation: a signature for an admin session is never a valid signature for anything else. */
export const ADMIN_SESSION_SIGNING_DOMAIN = 'kumiyama-admin-session';

export const ADMIN_CHALLENGE_TTL_MS = 60_000;
/** An admin session ends after this long without use… */
export const ADMIN_SESSION_IDLE_MS = 15 * 60_000;
/** …and at the latest this long after it was opened. */
export const ADMIN_SESSION_MAX_MS = 8 * 60 * 60_000;

const utf8 = new TextEncoder();

/**
 * The bytes the card signs to open an admin session:
 * UTF-8 `"kumiyama-admin-session\n" + terminalId + "\n" + challengeId + "\n"` followed by the 32
 * nonce bytes. The card's PIV GENERAL AUTHENTICATE (key 9E, ECC P-256) gets SHA-256 of these bytes as
 * its challenge and answers an ECDSA signature (DER) — exactly what `verify('sha256', message, …)`
 * checks on the server. Bound to the terminal and to the single-use challenge.
 */
export function adminSessionMessage(terminalId: string, challengeId: string, nonce: Uint8Array): Uint8Array {
  const head = utf8.encode(`${ADMIN_SESSION_SIGNING_DOMAIN}\n${terminalId}\n${challengeId}\n`);
  const message = new Uint8Array(head.length + nonce.length);
  message.set(head, 0);
  message.set(nonce, head.length);
  return message;
}

export const AdminChallengeIdSchema = z.string().regex(/^[0-9a-f]{32}$/);
/** Standard base64 (with padding). */
export const Base64Schema = (maxLength: number) => z.string().max(maxLength).regex(/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/);
/** An admin session's bearer token: 32 random bytes, base64url without padding. */
export const AdminTokenSchema = z.string().regex(/^[A-Za-z0-9_-]{43}$/);

export const AdminChallengeResponseSchema = z.object({
  challengeId: AdminChallengeIdSchema,
  /** 32 random bytes, base64. */
  nonce: Base64Schema(44),
  expiresAt: IsoTime,
});
export type AdminChallengeResponse = z.infer<typeof AdminChallengeResponseSchema>;

export const AdminSessionRequestSchema = z
  .object({
    challengeId: AdminChallengeIdSchema,
    operatorId: OperatorIdSchema,
    cardKeyId: CardKeyIdSchema,
    /** ECDSA P-256 signature (DER, base64) over SHA-256 of adminSessionMessage(). */
    signature: Base64Schema(200),
  })
  .strict();
export type AdminSessionRequest = z.infer<typeof AdminSessionRequestSchema>;

export const AdminSessionResponseSchema = z.object({
  token: AdminTokenSchema,
  sessionId: z.string().regex(/^[0-9a-f]{32}$/),
  operator: z.object({ id: OperatorIdSchema, name: z.string().max(100) }),
  role: AdminRoleSchema,
  /** The session ends at the latest then (each use moves idleExpiresAt on, never past this). */
  expiresAt: IsoTime,
  idleExpiresAt: IsoTime,
  /** The actions this role may take (src/server/admin/permissions.ts), for the UI to offer. */
  permissions: z.array(z.string().max(60)).max(100),
});
export type AdminSessionResponse = z.infer<typeof AdminSessionResponseSchema>;
