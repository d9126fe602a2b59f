// 権限の見直し (第20条の2 2項): every operator with role, cards, last sign-in and approver; those
// unused for the chosen number of days are marked for review.
import { observer } from 'mobx-react-lite';
import { useState, type FormEvent } from 'react';
import { useStores } from '../../stores/root-store';
import { dateOnly, dateTime, periodLabel, ROLE_SHORT, shortDateTime, STATUS_LABEL } from './admin-format';

export const ReviewSection = observer(function ReviewSection() {
  const { admin } = useStores();
  const [days, setDays] = useState(String(admin.unusedDays));
  const [problem, setProblem] = useState<string | null>(null);
  const report = admin.review;
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const n = Number(days);
    if (!/^\d{1,4}$/.test(days) || n < 1 || n > 3650) {
      setProblem('1〜3650 の日数を入力してください。');
      return;
    }
    setProblem(null);
    admin.setUnusedDays(n);
    void admin.load();
  };
  const unused = report?.operators.filter((op) => op.unused).length ?? 0;
  return (
    <div data-testid="admin-review">
      <form className="admin-toolbar" onSubmit={submit} noValidate>
        <label className="inline-field">
          <span>未使用とみなす日数</span>
          <input type="number" min={1} max={3650} value={days} onChange={(e) => setDays(e.target.value)} data-testid="unused-days" />
          <span>日以上サインインなし</span>
        </label>
        <button type="submit" className="secondary" data-testid="review-reload">
          再表示
        </button>
        {problem && <em className="field-error">{problem}</em>}
        {report && (
          <span className="admin-count">
            {dateTime(report.generatedAt)} 現在・{report.operators.length}人中 <strong className={unused > 0 ? 'warn-text' : ''}>{unused}人が要見直し</strong>（{report.unusedDays}日基準）
          </span>
        )}
      </form>
      {report && (
        <div className="table-scroll">
          <table className="admin-table">
            <thead>
              <tr>
                <th>氏名</th>
                <th>役割</th>
                <th>状態</th>
                <th>カード</th>
                <th>最終サインイン</th>
                <th>未使用</th>
                <th>承認者・承認期間</th>
              </tr>
            </thead>
            <tbody>
              {report.operators.map((op) => (
                <tr key={op.id} className={`${op.unused ? 'unused' : ''} ${op.status === 'retired' ? 'retired' : ''}`} data-testid={`review-row-${op.id}`}>
                  <td>
                    <strong>{op.name}</strong>
                    <span className="sub">{op.id}</span>
                  </td>
                  <td className="nowrap">{ROLE_SHORT[op.role]}</td>
                  <td className="nowrap">{STATUS_LABEL[op.status]}</td>
                  <td>
                    {op.cards.map((c) => (
                      <span key={c.keyId} className={`pill ${c.status === 'active' ? 'pill-ok' : ''}`}>
                        {c.status === 'active' ? '有効' : '失効'} {dateOnly(c.issuedAt)}
                      </span>
                    ))}
                    {op.cards.length === 0 && '—'}
                  </td>
                  <td className="nowrap">{shortDateTime(op.lastSignInAt)}</td>
                  <td>
                    {op.daysUnused === null ? '—' : `${op.daysUnused}日`}
                    {op.unused && <span className="pill pill-warn">要見直し</span>}
                  </td>
                  <td>
                    {op.approvedBy}
                    <span className="sub">{periodLabel(op)}</span>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
});
