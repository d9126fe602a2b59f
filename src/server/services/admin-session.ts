// Admin sessions opened by the operator card (issue 6). A registered terminal asks for a challenge;
// the information-protection manager's or system administrator's card signs
// adminSessionMessage(terminalId, challengeId, nonce) (src/shared/admin-session.ts); the server checks
// the challenge (this terminal's, unexpired, unused), the card (active, lent to that person), the
// signature (against the certificate stored when the card was issued) and the person (active, inside
// since–until, not locked out, manager or sysadmin). The session's token is returned once; only its
// SHA-256 is stored. Every use re-checks the person and the card, so a revoked card, a lockout, a
// retirement or a role change ends the session at its next use.
//
// The password is not part of this: it never leaves the terminal, which checks it at sign-in as for
// any operator (the server trusts a registered terminal for that, as it does for sign-in reports).
import { randomBytes, verify, X509Certificate } from 'node:crypto';
import {
  ADMIN_CHALLENGE_TTL_MS,
  ADMIN_SESSION_IDLE_MS,
  ADMIN_SESSION_MAX_MS,
  adminSessionMessage,
  AdminTokenSchema,
  type AdminChallengeResponse,
  type AdminSessionRequest,
  type AdminSessionResponse,
} from '../../shared/admin-session';
import { toIso } from '../clock';
import type { ServerDb } from '../db/open';
import { ApiError } from '../http/errors';
import { isAdminRole, permissionsOf } from '../admin/permissions';
import {
  adminSessionByToken,
  endAdminSession,
  getAdminChallenge,
  hashAdminToken,
  insertAdminChallenge,
  insertAdminSession,
  pruneAdminChallenges,
  touchAdminSession,
  useAdminChallenge,
  type AdminSession,
} from '../store/admin-sessions';
import { getCard } from '../store/cards';
import { recordEvent } from '../store/events';
import { getOperator, type Operator } from '../store/operators';

const DAY_MS = 86_400_000;

/** Refusals of session creation and use: stable code, Japanese message. */
const REFUSED = {
  'admin-challenge-invalid': [403, 'この認証要求 (チャレンジ) は無効です。もう一度やり直してください。'],
  'admin-challenge-used': [403, 'この認証要求 (チャレンジ) は使用済みです。もう一度やり直してください。'],
  'admin-challenge-expired': [403, '認証要求 (チャレンジ) の有効期限 (60秒) が切れました。もう一度やり直してください。'],
  'admin-card-unknown': [403, 'この操作者用ICカードは登録されていません。'],
  'admin-card-not-owned': [403, 'この操作者用ICカードは別の操作者に貸与されたものです。'],
  'admin-card-revoked': [403, 'この操作者用ICカードは失効しています。'],
  'admin-signature-invalid': [403, '操作者用ICカードの署名を確認できませんでした。カードを挿し直してもう一度やり直してください。'],
  'admin-operator-unknown': [403, 'この操作者は操作者名簿に登録されていません。'],
  'admin-operator-inactive': [403, 'この操作者は操作者名簿で有効ではありません（退職または承認期間外）。'],
  'admin-operator-locked-out': [403, 'この操作者はパスワードの誤入力によりロックアウトされています。別の権限者に解除を依頼してください。'],
  'admin-role-not-permitted': [403, '管理機能を使えるのは情報保護管理者とシステム管理者だけです。'],
  'admin-session-required': [401, '管理セッションがありません。管理者の操作者用ICカードで管理機能を開始してください。'],
  'admin-session-invalid': [401, '管理セッションが無効です。管理者の操作者用ICカードで管理機能を開始し直してください。'],
  'admin-session-expired': [401, '管理セッションの有効期限が切れました。管理者の操作者用ICカードで管理機能を開始し直してください。'],
  'admin-session-ended': [401, '管理セッションは終了しています。管理者の操作者用ICカードで管理機能を開始し直してください。'],
} as const satisfies Record<string, readonly [number, string]>;

export type AdminSessionRefusal = keyof typeof REFUSED;

export function adminSessionError(code: AdminSessionRefusal): ApiError {
  const [status, message] = REFUSED[code];
  return new ApiError(status, code, message);
}

export function issueAdminChallenge(db: ServerDb, terminalId: string, now: number): AdminChallengeResponse {
  const id = randomBytes(16).toString('hex');
  const nonce = randomBytes(32);
  const expiresAt = now + ADMIN_CHALLENGE_TTL_MS;
  db.transaction(() => {
    pruneAdminChallenges(db, now - DAY_MS);
    insertAdminChallenge(db, { id, terminalId, nonce, createdAt: now, expiresAt });
  }).immediate();
  return { challengeId: id, nonce: nonce.toString('base64'), expiresAt: toIso(expiresAt) };
}

/** Why a person cannot hold an admin session now; null when they can. */
function holderProblem(operator: Operator | undefined, now: number): AdminSessionRefusal | null {
  if (!operator) return 'admin-operator-unknown';
  if (operator.status !== 'active' || now < operator.since || (operator.until !== null && now > operator.until)) return 'admin-operator-inactive';
  if (operator.lockedOut) return 'admin-operator-locked-out';
  if (!isAdminRole(operator.role)) return 'admin-role-not-permitted';
  return null;
}

function signatureValid(certificateDer: Uint8Array, message: Uint8Array, signature: Buffer): boolean {
  try {
    const key = new X509Certificate(certificateDer).publicKey;
    if (key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== 'prime256v1') return false;
    return verify('sha256', message, { key, dsaEncoding: 'der' }, signature);
  } catch {
    return false;
  }
}

export function openAdminSession(db: ServerDb, terminalId: string, now: number, request: AdminSessionRequest): AdminSessionResponse {
  const refuse = (reason: AdminSessionRefusal): ApiError => {
    recordEvent(db, {
      at: now,
      terminalId,
      operatorId: request.operatorId,
      kind: 'admin-session-refused',
      detail: { reason, challengeId: request.challengeId, cardKeyId: request.cardKeyId },
    });
    return adminSessionError(reason);
  };
  const token = randomBytes(32).toString('base64url');
  const sessionId = randomBytes(16).toString('hex');
  // One immediate transaction: the challenge is consumed exactly once even under concurrent requests.
  // Refusals are returned (and recorded after it) so that consuming the challenge is kept.
  const outcome = db
    .transaction((): { refused: AdminSessionRefusal } | { session: AdminSession; operator: Operator } => {
      const challenge = getAdminChallenge(db, request.challengeId);
      if (!challenge || challenge.terminalId !== terminalId) return { refused: 'admin-challenge-invalid' };
      if (challenge.usedAt !== null) return { refused: 'admin-challenge-used' };
      useAdminChallenge(db, challenge.id, now);
      if (now >= challenge.expiresAt) return { refused: 'admin-challenge-expired' };
      const card = getCard(db, request.cardKeyId);
      if (!card) return { refused: 'admin-card-unknown' };
      if (card.operatorId !== request.operatorId) return { refused: 'admin-card-not-owned' };
      if (card.status !== 'active') return { refused: 'admin-card-revoked' };
      const message = adminSessionMessage(terminalId, challenge.id, challenge.nonce);
      if (!signatureValid(card.certificateDer, message, Buffer.from(request.signature, 'base64'))) return { refused: 'admin-signature-invalid' };
      const operator = getOperator(db, request.operatorId);
      const problem = holderProblem(operator, now);
      if (problem || !operator || !isAdminRole(operator.role)) return { refused: problem ?? 'admin-role-not-permitted' };
      const session: AdminSession = {
        id: sessionId,
        terminalId,
        operatorId: operator.id,
        cardKeyId: card.keyId,
        role: operator.role,
        challengeId: challenge.id,
        createdAt: now,
        lastUsedAt: now,
        idleExpiresAt: Math.min(now + ADMIN_SESSION_IDLE_MS, now + ADMIN_SESSION_MAX_MS),
        expiresAt: now + ADMIN_SESSION_MAX_MS,
        endedAt: null,
        endReason: null,
      };
      insertAdminSession(db, { ...session, tokenSha256: hashAdminToken(token) });
      recordEvent(db, {
        at: now,
        terminalId,
        operatorId: operator.id,
        kind: 'admin-session-opened',
        detail: { sessionId, role: operator.role, byName: operator.name, cardKeyId: card.keyId, challengeId: challenge.id, expiresAt: toIso(session.expiresAt) },
      });
      return { session, operator };
    })
    .immediate();
  if ('refused' in outcome) throw refuse(outcome.refused);
  const { session, operator } = outcome;
  return {
    token,
    sessionId: session.id,
    operator: { id: operator.id, name: operator.name },
    role: session.role,
    expiresAt: toIso(session.expiresAt),
    idleExpiresAt: toIso(session.idleExpiresAt),
    permissions: permissionsOf(session.role),
  };
}

/** The person behind an admin request: the session (already extended) and the operator as now on the roster. */
export interface AdminPrincipal {
  session: AdminSession;
  operator: Operator;
}

/** Why a live session must end now that its holder or card changed; null when it may go on. */
function endCause(db: ServerDb, session: AdminSession, operator: Operator | undefined, now: number): string | null {
  const problem = holderProblem(operator, now);
  if (problem === 'admin-operator-unknown' || problem === 'admin-operator-inactive') return 'operator-inactive';
  if (problem === 'admin-operator-locked-out') return 'operator-locked-out';
  if (problem === 'admin-role-not-permitted' || operator?.role !== session.role) return 'role-changed';
  if (getCard(db, session.cardKeyId)?.status !== 'active') return 'card-revoked';
  return null;
}

/**
 * Checks the X-Admin-Session header for the authenticated terminal and extends the session's idle
 * time. Throws 401 (admin-session-required / -invalid / -expired / -ended); every refusal of a token
 * that names a session is recorded, and a session whose holder lost the right is ended for good.
 */
export function authenticateAdminSession(db: ServerDb, header: unknown, terminalId: string, now: number, route: string): AdminPrincipal {
  if (typeof header !== 'string' || !AdminTokenSchema.safeParse(header).success) throw adminSessionError('admin-session-required');
  const session = adminSessionByToken(db, header);
  if (!session) throw adminSessionError('admin-session-invalid');
  const refuse = (reason: string, code: AdminSessionRefusal): ApiError => {
    recordEvent(db, { at: now, terminalId, operatorId: session.operatorId, kind: 'admin-session-refused', detail: { reason, sessionId: session.id, route } });
    return adminSessionError(code);
  };
  const end = (reason: string): void => {
    if (endAdminSession(db, session.id, now, reason)) {
      recordEvent(db, { at: now, terminalId: session.terminalId, operatorId: session.operatorId, kind: 'admin-session-ended', detail: { sessionId: session.id, reason } });
    }
  };
  // A token presented by another terminal is refused without ending the session (it is not that terminal's to end).
  if (session.terminalId !== terminalId) throw refuse('other-terminal', 'admin-session-invalid');
  if (session.endedAt !== null) throw refuse(`ended:${session.endReason ?? ''}`, 'admin-session-ended');
  if (now >= session.expiresAt || now >= session.idleExpiresAt) {
    end(now >= session.expiresAt ? 'max-age' : 'idle-timeout');
    throw refuse('expired', 'admin-session-expired');
  }
  const operator = getOperator(db, session.operatorId);
  const cause = endCause(db, session, operator, now);
  if (cause !== null || !operator) {
    end(cause ?? 'operator-inactive');
    throw refuse(cause ?? 'operator-inactive', 'admin-session-ended');
  }
  const idleExpiresAt = Math.min(now + ADMIN_SESSION_IDLE_MS, session.expiresAt);
  touchAdminSession(db, session.id, now, idleExpiresAt);
  return { session: { ...session, lastUsedAt: now, idleExpiresAt }, operator };
}

/** Sign-out of the admin session (DELETE /admin/sessions/current). */
export function closeAdminSession(db: ServerDb, principal: AdminPrincipal, now: number): void {
  if (endAdminSession(db, principal.session.id, now, 'signed-out')) {
    recordEvent(db, {
      at: now,
      terminalId: principal.session.terminalId,
      operatorId: principal.operator.id,
      kind: 'admin-session-ended',
      detail: { sessionId: principal.session.id, reason: 'signed-out', byName: principal.operator.name, byRole: principal.operator.role },
    });
  }
}
