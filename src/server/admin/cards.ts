// Operator IC cards (操作者用ICカード, 第17条): issuing a card to a person from the certificate read
// off the card (its key becomes the person's: key id = SHA-256 of the SPKI; one active card per
// person, 第17条3項・6項), and revoking one at once on loss, theft or damage (第17条10項(3)・11項).
// A revoked card is refused by every terminal at its next roster fetch, and ends an admin session
// opened with it at its next use. Every act is recorded with who, what and why.
import { X509Certificate } from 'node:crypto';
import { toIso, type Clock } from '../clock';
import type { ServerDb } from '../db/open';
import { recordEvent } from '../store/events';
import { getCard, insertCard, keyIdOfCertificate, listCards, revokeCard, type Card } from '../store/cards';
import { actorDetail, type AdminVia } from './actor';
import { AdminError } from './admin-error';
import { refuseSelf, requireOperator, requirePermitted } from './authorize';
import { checkedReason } from './reason';

export const CARD_REVOCATION_REASONS = { lost: '紛失', stolen: '盗難', broken: 'き損', other: 'その他' } as const;
export type CardRevocationReason = keyof typeof CARD_REVOCATION_REASONS;

/** The certificate's key when it is an EC P-256 key (what a PIV card-authentication key must be). */
function checkedCertificate(certificateDer: Uint8Array): void {
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(certificateDer);
  } catch {
    throw new AdminError('bad-certificate', 'カードの証明書を読み取れません (DER形式のX.509証明書ではありません)。', 'the certificate does not parse (DER X.509 expected)');
  }
  const key = cert.publicKey;
  if (key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
    throw new AdminError('bad-certificate', 'カードの鍵が対応していません (ECC P-256 の鍵が必要です)。', 'the card key must be EC P-256');
  }
}

export function issueCard(db: ServerDb, args: { operatorId: string; certificateDer: Uint8Array; reason: string; by: string; via?: AdminVia; clock: Clock }): Card {
  checkedCertificate(args.certificateDer);
  const keyId = keyIdOfCertificate(args.certificateDer);
  return db
    .transaction(() => {
      const admin = requirePermitted(db, args.by, 'cards.issue');
      const reason = checkedReason(args.reason);
      const operator = requireOperator(db, args.operatorId);
      refuseSelf(admin.id, operator.id);
      if (operator.status !== 'active') throw new AdminError('operator-retired', `${operator.name} (${operator.id}) は退職(無効)です`, `${operator.id} is retired`);
      const existing = getCard(db, keyId);
      if (existing) {
        throw new AdminError(
          'card-registered',
          existing.status === 'revoked'
            ? 'このカードは失効済みです。失効したカードは再発行できません。新しいカードを使用してください。'
            : `このカードは既に ${existing.operatorId} に貸与されています。`,
          `card ${keyId} is already registered (${existing.status}, ${existing.operatorId})`,
        );
      }
      const active = listCards(db).find((card) => card.operatorId === operator.id && card.status === 'active');
      if (active) {
        throw new AdminError(
          'card-already-issued',
          `${operator.name} (${operator.id}) には有効なカードが既にあります (1名につき1枚)。先に今のカードを失効させてください。`,
          `${operator.id} already holds an active card (${active.keyId}): one card per person`,
        );
      }
      const now = args.clock.now();
      insertCard(db, { keyId, certificateDer: args.certificateDer, operatorId: operator.id, issuedAt: now });
      recordEvent(db, {
        at: now,
        terminalId: args.via?.terminalId ?? null,
        operatorId: operator.id,
        kind: 'card-issued',
        detail: { keyId, operatorName: operator.name, reason, ...actorDetail(admin, args.via) },
      });
      return getCard(db, keyId)!;
    })
    .immediate();
}

/** The stored revocation reason: '紛失' or 'その他: <note>' (a note is required for 'other'). */
export function revocationText(reason: CardRevocationReason, note: string | undefined): string {
  const label = CARD_REVOCATION_REASONS[reason];
  if (note === undefined) {
    if (reason === 'other') throw new AdminError('bad-reason', '「その他」の場合は失効の理由を記入してください。', 'a note is required for reason other');
    return label;
  }
  return `${label}: ${checkedReason(note, { ja: '失効の理由', en: 'the note' })}`;
}

export function revokeOperatorCard(
  db: ServerDb,
  args: { keyId: string; reason: CardRevocationReason; note?: string; by: string; via?: AdminVia; clock: Clock },
): Card {
  const text = revocationText(args.reason, args.note);
  return db
    .transaction(() => {
      const admin = requirePermitted(db, args.by, 'cards.revoke');
      const card = getCard(db, args.keyId);
      if (!card) throw new AdminError('unknown-card', 'このカードは登録されていません。', `card ${args.keyId} is not registered`);
      const now = args.clock.now();
      if (!revokeCard(db, card.keyId, now, text)) {
        throw new AdminError('card-revoked', `このカードは既に失効しています (${card.revokedAt === null ? '' : toIso(card.revokedAt)})。`, `card ${card.keyId} is already revoked`);
      }
      recordEvent(db, {
        at: now,
        terminalId: args.via?.terminalId ?? null,
        operatorId: card.operatorId,
        kind: 'card-revoked',
        detail: { keyId: card.keyId, reason: text, reasonCode: args.reason, ...actorDetail(admin, args.via) },
      });
      return getCard(db, card.keyId)!;
    })
    .immediate();
}
