// カード発行 (第17条): the new card goes into a reader of this terminal; main reads its certificate
// there and the server binds its key to the operator (one active card per person).
import { observer } from 'mobx-react-lite';
import { useState, type FormEvent } from 'react';
import { useStores } from '../../stores/root-store';
import { issueCardPlan } from '../../stores/admin-plans';
import { ReasonField } from './ReasonField';
import { dateOnly, shortKey } from './admin-format';

export const CardIssueSection = observer(function CardIssueSection() {
  const { admin } = useStores();
  const cards = (admin.roster ?? []).flatMap((op) => op.cards.map((card) => ({ op, card }))).sort((a, b) => b.card.issuedAt.localeCompare(a.card.issuedAt));
  return (
    <div className="admin-split" data-testid="admin-cards">
      <IssueCardForm key={admin.completed} />
      <aside className="admin-side">
        <h4>発行済みのカード</h4>
        <ul className="admin-cards">
          {cards.map(({ op, card }) => (
            <li key={card.keyId} className={card.status}>
              <span>{op.name}</span>
              <span className="code">{shortKey(card.keyId)}</span>
              {card.status === 'active' ? <span className="pill pill-ok">有効</span> : <span className="pill">失効</span>}
              <span className="sub">{dateOnly(card.issuedAt)}</span>
            </li>
          ))}
        </ul>
      </aside>
    </div>
  );
});

const IssueCardForm = observer(function IssueCardForm() {
  const { admin, session } = useStores();
  // The reader holding the signed-in person's own card is not offered (main refuses it too).
  const readers = (session.snapshot?.readers ?? []).filter((r) => r !== session.snapshot?.sessionReader);
  const own = session.snapshot?.operator?.id;
  const candidates = (admin.roster ?? []).filter((op) => op.status === 'active' && op.id !== own);
  const [operatorId, setOperatorId] = useState('');
  const [reader, setReader] = useState('');
  const [reason, setReason] = useState('');
  const e = admin.formErrors;
  const submit = (event: FormEvent) => {
    event.preventDefault();
    void admin.propose(
      issueCardPlan(
        candidates.find((op) => op.id === operatorId),
        reader,
        reason,
      ),
    );
  };
  return (
      <form className="admin-main admin-form card-issue" onSubmit={submit} noValidate>
        <p className="wide">
          新しいカードをカードリーダーに挿してから、発行先とそのリーダーを選んでください。カードの証明書を読み取り、その鍵を操作者に登録します（1人1枚。古いカードは先に失効させてください）。
        </p>
        <label className="admin-field">
          <span>発行先の操作者</span>
          <select value={operatorId} onChange={(ev) => setOperatorId(ev.target.value)} data-testid="issue-operator">
            <option value="">選択してください</option>
            {candidates.map((op) => (
              <option key={op.id} value={op.id}>
                {op.name}（{op.id}）{op.cards.some((c) => c.status === 'active') ? ' ※有効なカードあり' : ''}
              </option>
            ))}
          </select>
          {e.operator && <em className="field-error">{e.operator}</em>}
        </label>
        <label className="admin-field">
          <span>新しいカードを挿したカードリーダー</span>
          <select value={reader} onChange={(ev) => setReader(ev.target.value)} data-testid="issue-reader">
            <option value="">選択してください</option>
            {readers.map((r) => (
              <option key={r} value={r}>
                {r}
              </option>
            ))}
          </select>
          {readers.length === 0 && <small className="sub">ご自身のカード以外のカードリーダーがありません。2台目のリーダーを接続してください。</small>}
          {e.reader && <em className="field-error">{e.reader}</em>}
        </label>
        <ReasonField value={reason} onChange={setReason} error={e.reason} placeholder="例: 新規配属 / 紛失による再発行" />
        <div className="search-actions">
          <button type="submit" disabled={admin.busy || !admin.may('cards.issue')} data-testid="issue-card">
            {admin.busy ? 'カードを読み取り中…' : 'カードを読み取って発行'}
          </button>
        </div>
      </form>
  );
});
