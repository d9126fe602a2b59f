// Rule kind 7: a card used before it was lent (issuedAt), outside its operator's approval period,
// or after it was revoked (revokedAt) — e.g. on a terminal whose roster was stale — and attempts
// with a revoked card that the terminal refused.
import type { AuditRecord } from './audit-record';
import { rowOf, type AuditRule, type RuleEnv } from './rule-env';
import { operatorLabel, when } from './wording';

const USE_TYPES = new Set(['card.authenticated', 'signin.password-ok', 'session.signed-in', 'session.unlock-password']);

const ms = (iso: string | null | undefined): number | null => {
  if (!iso) return null;
  const v = Date.parse(iso);
  return Number.isFinite(v) ? v : null;
};

export class CardsRule implements AuditRule {
  constructor(private readonly env: RuleEnv) {}

  onRecord(r: AuditRecord): void {
    const rec = r.record;
    const refusedRevoked = rec.type === 'signin.refused' && rec.detail.reason === 'revoked-card';
    if (rec.cardKeyId === null || (!USE_TYPES.has(rec.type) && !refusedRevoked)) return;
    const entry = this.env.cards.get(rec.cardKeyId);
    if (!entry) return;
    const { card, operator } = entry;
    const { sink } = this.env;
    const issued = ms(card.issuedAt);
    const revoked = ms(card.revokedAt);
    const since = ms(operator.since);
    const until = ms(operator.until);
    let rule: 'card.revoked-use' | 'card.outside-lending' | null = null;
    let which = 0;
    if (revoked !== null && r.atMs >= revoked) {
      rule = 'card.revoked-use';
      which = 1;
    } else if (card.status === 'revoked' && revoked === null) {
      rule = 'card.revoked-use';
      which = 2;
    } else if (issued !== null && r.atMs < issued) {
      rule = 'card.outside-lending';
      which = 3;
    } else if ((since !== null && r.atMs < since) || (until !== null && r.atMs >= until)) {
      rule = 'card.outside-lending';
      which = 4;
    }
    if (rule === null || !sink.enabled(rule)) return;
    // Texts only for a finding (most card uses are in order).
    const cardText = `カード（鍵ID ${card.keyId.slice(0, 8)}…、${operatorLabel(this.env.operators, operator.id)} に貸与）`;
    const user = operatorLabel(this.env.operators, rec.operatorId ?? operator.id);
    const why =
      which === 1 ? `${when(card.revokedAt!)} に失効した${cardText}` :
      which === 2 ? `失効済みの${cardText}` :
      which === 3 ? `${when(card.issuedAt)} に貸与される前の${cardText}` :
      `操作者の承認期間外に${cardText}`;
    const verb = refusedRevoked ? 'でサインインしようとしました（端末が拒否）' : 'が使われました';
    const draft = sink.open(rule, `${card.keyId}:${r.ymd}`, rec.at, (d) =>
      `${when(d.firstAt)} に端末 ${[...d.terminalIds].join('、')} で、${why}${verb}（操作者 ${user}、${d.rowCount}件）。`);
    sink.addRow(draft, rowOf(r), rec.at);
    draft.operatorIds.add(rec.operatorId ?? operator.id);
  }

  finish(): void {}
}
