// 開庁日の例外 (第23条): approve a special opening day or changed hours for one date (with the
// reason; the approver is the person signed in), or withdraw one. Terminals apply it at their next contact.
import { observer } from 'mobx-react-lite';
import { useState, type FormEvent } from 'react';
import { useStores } from '../../stores/root-store';
import { approveExceptionPlan, normalizeYmd, type ExceptionForm } from '../../stores/admin-plans';
import { ReasonField } from './ReasonField';
import { dateTime, ymdLabel } from './admin-format';
import { ClosedDaysCalendar } from '../ClosedDaysCalendar';
import { jstParts } from '../../../../domain/calendar';

export const CalendarSection = observer(function CalendarSection() {
  const { admin, session } = useStores();
  const list = admin.exceptions;
  const today = jstParts(session.snapshot?.now ?? Date.now());
  return (
    <div className="admin-split" data-testid="admin-calendar">
      <div className="admin-main">
        {list && list.length === 0 && <p className="sub">承認済みの例外はありません。</p>}
        {list && list.length > 0 && (
          <div className="table-scroll">
            <table className="admin-table">
              <thead>
                <tr>
                  <th>日付</th>
                  <th>開庁時間</th>
                  <th>理由</th>
                  <th>承認</th>
                  <th />
                </tr>
              </thead>
              <tbody>
                {list.map((e) => (
                  <tr key={e.id} data-testid={`exception-row-${e.date}`} className={e.problems.length > 0 ? 'unused' : ''}>
                    <td>
                      <strong>{ymdLabel(e.date)}</strong>
                    </td>
                    <td>
                      {e.opensAt}〜{e.closesAt}
                    </td>
                    <td>
                      {e.reason}
                      {e.problems.map((p) => (
                        <span key={p} className="field-error block">
                          {p}
                        </span>
                      ))}
                    </td>
                    <td>
                      {e.approvedBy}
                      <span className="sub">{dateTime(e.approvedAt)}</span>
                    </td>
                    <td>
                      {admin.may('calendar.withdraw') && (
                        <button className="small secondary" onClick={() => admin.openDialog({ kind: 'withdraw-exception', exception: e })} data-testid={`withdraw-${e.date}`}>
                          取り下げ
                        </button>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        {list && (
          // What the terminals will apply: only exceptions without problems (the roster leaves the others out).
          <ClosedDaysCalendar exceptions={list.filter((e) => e.problems.length === 0)} initialYear={today.year} initialMonth={today.month} />
        )}
      </div>
      {admin.may('calendar.approve') && <ApproveForm key={admin.completed} />}
    </div>
  );
});

const ApproveForm = observer(function ApproveForm() {
  const { admin } = useStores();
  const [form, setForm] = useState<ExceptionForm>({ date: '', opensAt: '08:30', closesAt: '17:15', reason: '' });
  const e = admin.formErrors;
  const set = (patch: Partial<ExceptionForm>) => setForm({ ...form, ...patch });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    void admin.propose(approveExceptionPlan(form));
  };
  return (
    <aside className="admin-side">
      <form className="admin-form" onSubmit={submit} noValidate data-testid="approve-exception">
        <h4 className="wide">例外を承認する</h4>
        <p className="wide sub">日曜・休日の臨時開庁や、開庁時間の延長・短縮を1日単位で承認します。承認者としてあなたの名前が記録されます。</p>
        <label className="admin-field wide">
          <span>日付</span>
          <input value={form.date} maxLength={12} inputMode="numeric" placeholder="2026-11-29" autoComplete="off" onChange={(ev) => set({ date: ev.target.value })} data-testid="exception-date" />
          {normalizeYmd(form.date) && <small className="sub">{ymdLabel(normalizeYmd(form.date)!)}</small>}
          {e.date && <em className="field-error">{e.date}</em>}
        </label>
        <label className="admin-field">
          <span>開庁</span>
          <input value={form.opensAt} maxLength={5} inputMode="numeric" placeholder="08:30" autoComplete="off" onChange={(ev) => set({ opensAt: ev.target.value })} data-testid="exception-opens" />
          {e.opensAt && <em className="field-error">{e.opensAt}</em>}
        </label>
        <label className="admin-field">
          <span>閉庁</span>
          <input value={form.closesAt} maxLength={5} inputMode="numeric" placeholder="17:15" autoComplete="off" onChange={(ev) => set({ closesAt: ev.target.value })} data-testid="exception-closes" />
          {e.closesAt && <em className="field-error">{e.closesAt}</em>}
        </label>
        <ReasonField value={form.reason} onChange={(reason) => set({ reason })} error={e.reason} placeholder="例: 転入転出の繁忙期の休日窓口" />
        <div className="search-actions wide">
          <button type="submit" disabled={admin.busy} data-testid="approve-submit">
            承認する
          </button>
        </div>
      </form>
    </aside>
  );
});
