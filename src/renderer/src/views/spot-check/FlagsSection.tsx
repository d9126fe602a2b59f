// 要注意記録: residents whose every access is a finding (支援措置対象（DV等）, 著名人 …): the list, a new
// flag (resident id, label, reason) and withdrawing one with its reason.
import { observer } from 'mobx-react-lite';
import { useState, type FormEvent } from 'react';
import { useStores } from '../../stores/root-store';
import { FLAG_LABELS, FLAG_LABEL_TEXT } from '../../../../shared/findings-api';
import type { ResidentFlag } from '../../stores/spot-check-store';
import { shortDateTime } from '../admin/admin-format';
import { FieldMessage } from './SpotCheckSection';

export const FlagsSection = observer(function FlagsSection() {
  const { spot } = useStores();
  const list = spot.flags;
  const active = list?.filter((f) => f.active) ?? [];
  const past = list?.filter((f) => !f.active) ?? [];
  return (
    <div className="admin-split" data-testid="spot-flags">
      <div className="admin-main">
        {spot.flagOutcome && (
          <p className="admin-outcome ok" role="status" data-testid="flag-outcome">
            {spot.flagOutcome}
          </p>
        )}
        {list && active.length === 0 && <p className="sub">登録中の要注意記録はありません。</p>}
        {active.length > 0 && (
          <table className="admin-table spot-table" data-testid="flag-table">
            <thead>
              <tr>
                <th>住民ID</th>
                <th>区分</th>
                <th>理由</th>
                <th>対象期間の開始</th>
                <th>登録</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {active.map((f) => (
                <FlagRow key={f.id} flag={f} />
              ))}
            </tbody>
          </table>
        )}
        {past.length > 0 && (
          <details className="flag-past">
            <summary>取り下げた記録（{past.length}件）</summary>
            <ul>
              {past.map((f) => (
                <li key={f.id}>
                  {f.residentId}・{FLAG_LABEL_TEXT[f.label]}・{shortDateTime(f.withdrawnAt)} 取り下げ（{f.withdrawReason}）
                </li>
              ))}
            </ul>
          </details>
        )}
      </div>
      {spot.may('audit.resident-flags.set') && <FlagForm key={active.length} />}
    </div>
  );
});

const FlagRow = observer(function FlagRow({ flag: f }: { flag: ResidentFlag }) {
  const { spot } = useStores();
  const [reason, setReason] = useState('');
  const [asking, setAsking] = useState(false);
  const error = spot.flagErrors[`withdraw-${f.id}`];
  return (
    <tr data-testid={`flag-${f.residentId}`}>
      <td>{f.residentId}</td>
      <td>
        <span className={`pill ${f.label === 'dv-support' ? 'pill-error' : 'pill-warn'}`}>{FLAG_LABEL_TEXT[f.label]}</span>
      </td>
      <td>{f.reason}</td>
      <td className="nowrap">{shortDateTime(f.startedAt)}</td>
      <td>
        {f.setBy}
        <span className="sub">{shortDateTime(f.setAt)}</span>
      </td>
      <td>
        {spot.may('audit.resident-flags.withdraw') &&
          (asking ? (
            <div className="return-confirm">
              <input value={reason} maxLength={250} placeholder="取り下げの理由" onChange={(ev) => setReason(ev.target.value)} data-testid={`flag-withdraw-reason-${f.residentId}`} />
              <button className="small danger" disabled={spot.busy} onClick={() => void spot.withdrawFlag(f.id, reason)} data-testid={`flag-withdraw-${f.residentId}`}>
                取り下げる
              </button>
              {error && <em className="field-error block">{error}</em>}
            </div>
          ) : (
            <button className="small secondary" onClick={() => setAsking(true)}>
              取り下げ…
            </button>
          ))}
      </td>
    </tr>
  );
});

const FlagForm = observer(function FlagForm() {
  const { spot } = useStores();
  const [form, setForm] = useState({ residentId: '', label: '', reason: '' });
  const e = spot.flagErrors;
  const submit = (event: FormEvent) => {
    event.preventDefault();
    void spot.setFlag(form);
  };
  return (
    <aside className="admin-side">
      <form className="admin-form" onSubmit={submit} noValidate data-testid="flag-form">
        <h4 className="wide">要注意記録を登録する</h4>
        <p className="wide sub">登録した住民の記録へのアクセスは、受付番号があってもすべて所見として示します。</p>
        <label className="admin-field wide">
          <span>住民ID</span>
          <input value={form.residentId} maxLength={60} onChange={(ev) => setForm({ ...form, residentId: ev.target.value })} data-testid="flag-resident" />
          <FieldMessage text={e.residentId} testId="flag-error-resident" />
        </label>
        <label className="admin-field wide">
          <span>区分</span>
          <select value={form.label} onChange={(ev) => setForm({ ...form, label: ev.target.value })} data-testid="flag-label">
            <option value="">選択してください</option>
            {FLAG_LABELS.map((l) => (
              <option key={l} value={l}>
                {FLAG_LABEL_TEXT[l]}
              </option>
            ))}
          </select>
          <FieldMessage text={e.label} testId="flag-error-label" />
        </label>
        <label className="admin-field wide">
          <span>理由</span>
          <input value={form.reason} maxLength={250} onChange={(ev) => setForm({ ...form, reason: ev.target.value })} data-testid="flag-reason" />
          <FieldMessage text={e.reason} testId="flag-error-reason" />
        </label>
        <div className="wide">
          <FieldMessage text={e.form} testId="flag-error-form" />
        </div>
        <div className="search-actions wide">
          <button type="submit" disabled={spot.busy} data-testid="flag-submit">
            登録する
          </button>
        </div>
      </form>
    </aside>
  );
});
