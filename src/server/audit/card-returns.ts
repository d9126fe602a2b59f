// Confirmation of a card's physical return (第17条17項: カードの貸与・返却の記録; issue 5 item 5,
// migration 10). A lending is the sign-in (session.signed-in) at terminal/lentSeq in the card ledger
// (card-ledger.ts); a manager or system administrator who sees the card back records it once: who,
// when, an optional note. Never their own lending. Also recorded in server_events.
import type { ReturnConfirmed } from '../../shared/spot-check-api';
import { toIso } from '../clock';
import type { ServerDb } from '../db/open';
import { ApiError } from '../http/errors';
import { findTermId } from '../store/log-index';
import { recordEvent } from '../store/events';
import { operatorNames } from './index-rows';
import type { Actor } from './samples';

const END_TYPES = ['session.signed-out', 'session.ended-by-roster', 'app.stop', 'session.signed-in'];

interface ConfirmationRow {
  terminal_id: string;
  lent_seq: number;
  confirmed_by: string;
  confirmed_at: number;
  note: string | null;
}

/** The confirmations of these lendings (terminal, lentSeq), by `${terminal}#${seq}`. */
export function returnConfirmations(db: ServerDb, lendings: readonly { terminalId: string; seq: number }[]): Map<string, ReturnConfirmed> {
  if (lendings.length === 0) return new Map();
  const rows = db
    .prepare(
      `SELECT c.terminal_id, c.lent_seq, c.confirmed_by, c.confirmed_at, c.note FROM card_return_confirmations c
       JOIN json_each(?) j ON c.terminal_id = j.value ->> '$[0]' AND c.lent_seq = j.value ->> '$[1]'`,
    )
    .all(JSON.stringify(lendings.map((l) => [l.terminalId, l.seq]))) as ConfirmationRow[];
  const names = operatorNames(db, rows.map((r) => r.confirmed_by));
  return new Map(rows.map((r) => [`${r.terminal_id}#${r.lent_seq}`, { by: r.confirmed_by, byName: names.get(r.confirmed_by) ?? null, at: toIso(r.confirmed_at), note: r.note }]));
}

export function confirmCardReturn(
  db: ServerDb,
  input: { terminalId: string; lentSeq: number; note: string | null; actor: Actor; now: number },
): { operatorId: string | null; returnConfirmed: ReturnConfirmed } {
  const { actor } = input;
  const note = input.note === null ? null : input.note.trim() || null;
  if (note !== null && /[\u0000-\u001f\u007f]/.test(note)) throw new ApiError(400, 'bad-note', 'メモに使えない制御文字（改行を含む）が含まれています。');
  const terminal = findTermId(db, 'terminal', input.terminalId);
  const signedIn = findTermId(db, 'type', 'session.signed-in');
  const lent =
    terminal === undefined || signedIn === undefined
      ? undefined
      : (db.prepare('SELECT r.at_ms, r.operator, r.card FROM log_index_records r WHERE r.terminal = ? AND r.seq = ? AND r.type = ?').get(terminal, input.lentSeq, signedIn) as
          | { at_ms: number; operator: number | null; card: number | null }
          | undefined);
  if (!lent) {
    throw new ApiError(404, 'unknown-lending', `端末「${input.terminalId}」の連番 ${input.lentSeq} にカードの貸与（サインイン）の記録はありません。貸与記録簿の「貸与の連番」を指定してください。`);
  }
  const value = (id: number | null) => (id === null ? null : ((db.prepare('SELECT value FROM log_index_terms WHERE id = ?').pluck().get(id) as string | undefined) ?? null));
  const operatorId = value(lent.operator);
  const cardKeyId = value(lent.card);
  if (operatorId === actor.id) {
    recordEvent(db, {
      at: input.now,
      terminalId: actor.terminalId,
      operatorId: actor.id,
      kind: 'admin-action-refused',
      detail: { action: 'audit.card-returns.confirm', reason: 'self-service', lending: `${input.terminalId}#${input.lentSeq}`, byName: actor.name, role: actor.role, sessionId: actor.sessionId },
    });
    throw new ApiError(403, 'self-service', '自分に貸与されたカードの返却を自分で確認することはできません。別の情報保護管理者またはシステム管理者に確認を依頼してください。');
  }
  const endIds = END_TYPES.map((t) => findTermId(db, 'type', t)).filter((id): id is number => id !== undefined);
  const logEnded =
    db.prepare('SELECT 1 FROM log_index_records r WHERE r.terminal = ? AND r.seq > ? AND r.type IN (SELECT value FROM json_each(?)) LIMIT 1').get(terminal, input.lentSeq, JSON.stringify(endIds)) !==
    undefined;
  db.transaction(() => {
    const existing = db.prepare('SELECT confirmed_by, confirmed_at FROM card_return_confirmations WHERE terminal_id = ? AND lent_seq = ?').get(input.terminalId, input.lentSeq) as
      | { confirmed_by: string; confirmed_at: number }
      | undefined;
    if (existing) {
      const name = operatorNames(db, [existing.confirmed_by]).get(existing.confirmed_by) ?? existing.confirmed_by;
      throw new ApiError(409, 'return-already-confirmed', `この貸与のカードの返却は、${name} さんが ${toIso(existing.confirmed_at)} に確認済みです（確認は一度だけ記録します）。`);
    }
    db.prepare(
      `INSERT INTO card_return_confirmations (terminal_id, lent_seq, lent_at_ms, operator_id, card_key_id, confirmed_by, confirmed_at, note, log_ended, via_terminal, session_id)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(input.terminalId, input.lentSeq, lent.at_ms, operatorId, cardKeyId, actor.id, input.now, note, logEnded ? 1 : 0, actor.terminalId, actor.sessionId);
    recordEvent(db, {
      at: input.now,
      terminalId: actor.terminalId,
      operatorId: actor.id,
      kind: 'card-return-confirmed',
      detail: {
        lending: { terminalId: input.terminalId, lentSeq: input.lentSeq, lentAt: toIso(lent.at_ms), operatorId, cardKeyId },
        logEnded,
        note,
        by: actor.id,
        byName: actor.name,
        byRole: actor.role,
        sessionId: actor.sessionId,
        via: 'http',
      },
    });
  })();
  return { operatorId, returnConfirmed: { by: actor.id, byName: actor.name, at: toIso(input.now), note } };
}
