// Operator IC cards (操作者用ICカード, 第17条). key_id = SHA-256 (hex) of the DER SubjectPublicKeyInfo.
import { createHash, X509Certificate } from 'node:crypto';
import type { ServerDb } from '../db/open';

export interface Card {
  keyId: string;
  certificateDer: Uint8Array;
  operatorId: string;
  status: 'active' | 'revoked';
  issuedAt: number;
  revokedAt: number | null;
  revokedReason: string | null;
}

interface CardRow {
  key_id: string;
  certificate_der: Buffer;
  operator_id: string;
  status: 'active' | 'revoked';
  issued_at: number;
  revoked_at: number | null;
  revoked_reason: string | null;
}

function fromRow(row: CardRow): Card {
  return {
    keyId: row.key_id,
    certificateDer: new Uint8Array(row.certificate_der),
    operatorId: row.operator_id,
    status: row.status,
    issuedAt: row.issued_at,
    revokedAt: row.revoked_at,
    revokedReason: row.revoked_reason,
  };
}

/** SHA-256 (hex) of the certificate's SubjectPublicKeyInfo (DER). */
export function keyIdOfCertificate(certificateDer: Uint8Array): string {
  const spki = new X509Certificate(certificateDer).publicKey.export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(spki).digest('hex');
}

export function getCard(db: ServerDb, keyId: string): Card | undefined {
  const row = db.prepare('SELECT * FROM cards WHERE key_id = ?').get(keyId) as CardRow | undefined;
  return row && fromRow(row);
}

/** Whether the operator holds an active (not revoked) card. */
export function hasActiveCard(db: ServerDb, operatorId: string): boolean {
  return db.prepare(`SELECT 1 FROM cards WHERE operator_id = ? AND status = 'active' LIMIT 1`).get(operatorId) !== undefined;
}

export function listCards(db: ServerDb): Card[] {
  return (db.prepare('SELECT * FROM cards ORDER BY operator_id, issued_at, key_id').all() as CardRow[]).map(fromRow);
}

/** Issues a card; the key id must match the certificate. Throws if the operator already has an active card. */
export function insertCard(db: ServerDb, card: { keyId: string; certificateDer: Uint8Array; operatorId: string; issuedAt: number }): void {
  if (keyIdOfCertificate(card.certificateDer) !== card.keyId) {
    throw new Error(`card key id ${card.keyId} does not match its certificate`);
  }
  db.prepare(`INSERT INTO cards (key_id, certificate_der, operator_id, status, issued_at) VALUES (?, ?, ?, 'active', ?)`).run(
    card.keyId,
    Buffer.from(card.certificateDer),
    card.operatorId,
    card.issuedAt,
  );
}

export function revokeCard(db: ServerDb, keyId: string, at: number, reason: string): boolean {
  return db.prepare(`UPDATE cards SET status = 'revoked', revoked_at = ?, revoked_reason = ? WHERE key_id = ? AND status = 'active'`).run(at, reason, keyId).changes === 1;
}
