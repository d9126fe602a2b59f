// The roster as the administrators see it (操作者名簿, 第17条9項) and the privilege review report
// (第20条の2 2項: 権限の定期的な見直し): every operator with role, cards, approver, approval period, last
// sign-in; operators unused for a number of days are flagged for review. Never a password hash.
import type { AdminCard, AdminOperator, PrivilegeReviewResponse } from '../../shared/admin-api';
import { DAY_MS, toIso } from '../clock';
import type { ServerDb } from '../db/open';
import type { ServerPolicy } from '../policy';
import { effectivePasswordExpiry } from '../services/roster';
import { listCards, type Card } from '../store/cards';
import { listOperators } from '../store/operators';

export const DEFAULT_UNUSED_DAYS = 90;

export function adminCard(card: Card): AdminCard {
  return {
    keyId: card.keyId,
    operatorId: card.operatorId,
    status: card.status,
    issuedAt: toIso(card.issuedAt),
    revokedAt: card.revokedAt === null ? null : toIso(card.revokedAt),
    revokedReason: card.revokedReason,
  };
}

/** The last successful sign-in the server was told of, per operator (from the sign-in reports in server_events). */
export function lastSignIns(db: ServerDb): Map<string, { at: number; terminalId: string | null }> {
  const rows = db
    .prepare(
      `SELECT operator_id AS operatorId, terminal_id AS terminalId, max(at) AS at FROM server_events
       WHERE kind = 'signin-attempt' AND detail ->> '$.outcome' = 'success' AND operator_id IS NOT NULL GROUP BY operator_id`,
    )
    .all() as { operatorId: string; terminalId: string | null; at: number }[];
  return new Map(rows.map((row) => [row.operatorId, { at: row.at, terminalId: row.terminalId }]));
}

export function adminOperators(db: ServerDb, policy: ServerPolicy): AdminOperator[] {
  const cards = new Map<string, AdminCard[]>();
  for (const card of listCards(db)) cards.set(card.operatorId, [...(cards.get(card.operatorId) ?? []), adminCard(card)]);
  const signIns = lastSignIns(db);
  const residentIds = new Map(db.prepare('SELECT id, resident_id FROM operators').raw().all() as [string, string | null][]);
  return listOperators(db).map((op) => {
    const last = signIns.get(op.id);
    return {
      id: op.id,
      name: op.name,
      kana: op.kana,
      role: op.role,
      status: op.status,
      approvedBy: op.approvedBy,
      since: toIso(op.since),
      until: op.until === null ? null : toIso(op.until),
      cards: cards.get(op.id) ?? [],
      residentId: residentIds.get(op.id) ?? null,
      lastSignInAt: last ? toIso(last.at) : null,
      lastSignInTerminalId: last?.terminalId ?? null,
      failedAttempts: op.failedAttempts,
      lockedOut: op.lockedOut,
      password: {
        setAt: toIso(op.passwordSetAt),
        temporary: op.passwordTemporary,
        expiresAt: toIso(effectivePasswordExpiry(op, policy.passwordExpiryDays)),
        changeRequiredAt: op.passwordChangeRequiredAt === null ? null : toIso(op.passwordChangeRequiredAt),
      },
    };
  });
}

/**
 * Every operator with the days since their last sign-in (since their approval when they never
 * signed in); an active operator unused for at least `unusedDays` is flagged `unused`.
 */
export function privilegeReview(db: ServerDb, policy: ServerPolicy, now: number, unusedDays: number): PrivilegeReviewResponse {
  const operators = adminOperators(db, policy).map((op) => {
    if (op.status !== 'active') return { ...op, daysUnused: null, unused: false };
    const from = Date.parse(op.lastSignInAt ?? op.since);
    const daysUnused = Math.max(0, Math.floor((now - from) / DAY_MS));
    return { ...op, daysUnused, unused: daysUnused >= unusedDays };
  });
  return { generatedAt: toIso(now), unusedDays, operators };
}
