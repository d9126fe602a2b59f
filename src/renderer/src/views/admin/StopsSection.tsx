// 緊急停止 (第35条): the stops in force and their history; stop every terminal or one, with the
// reason, after a confirmation; clear one with a reason. Terminals apply it at their next contact.
import { observer } from 'mobx-react-lite';
import { useState, type FormEvent } from 'react';
import { useStores } from '../../stores/root-store';
import { setStopPlan } from '../../stores/admin-plans';
import { ReasonField } from './ReasonField';
import { dateTime } from './admin-format';

export const StopsSection = observer(function StopsSection() {
  const { admin } = useStores();
  const stops = admin.stops ?? [];
  const inForce = stops.filter((s) => s.clearedAt === null);
  const history = stops.filter((s) => s.clearedAt !== null).slice(0, 8);
  const terminalName = (id: string | null) => (id === null ? '全端末' : (admin.terminals?.find((t) => t.id === id)?.name ?? id));
  return (
    <div className="admin-split" data-testid="admin-stops">
      <div className="admin-main">
        <h4>停止中</h4>
        {admin.stops && inForce.length === 0 && (
          <p className="sub" data-testid="no-stop">
            緊急停止はありません。
          </p>
        )}
        {inForce.map((s) => (
          <div key={s.id} className="stop-card" data-testid={`stop-${s.scope}`}>
            <div>
              <strong>{terminalName(s.terminalId)}を停止中</strong>
              <p>理由: {s.reason}</p>
              <p className="sub">
                {dateTime(s.at)} {s.byName}
              </p>
            </div>
            {admin.may('emergency-stop.clear') && (
              <button onClick={() => admin.openDialog({ kind: 'clear-stop', stop: s })} data-testid={`clear-stop-${s.scope}`}>
                解除…
              </button>
            )}
          </div>
        ))}
        {history.length > 0 && (
          <>
            <h4>解除済み（新しい順）</h4>
            <table className="admin-table">
              <thead>
                <tr>
                  <th>範囲</th>
                  <th>停止</th>
                  <th>解除</th>
                </tr>
              </thead>
              <tbody>
                {history.map((s) => (
                  <tr key={s.id}>
                    <td>{terminalName(s.terminalId)}</td>
                    <td>
                      {dateTime(s.at)} {s.byName}
                      <span className="sub">理由: {s.reason}</span>
                    </td>
                    <td>
                      {dateTime(s.clearedAt)} {s.clearedBy}
                      <span className="sub">理由: {s.clearReason}</span>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </>
        )}
      </div>
      {admin.may('emergency-stop.set') && <SetStopForm key={admin.completed} />}
    </div>
  );
});

const SetStopForm = observer(function SetStopForm() {
  const { admin } = useStores();
  const [scope, setScope] = useState<'all' | 'terminal' | ''>('');
  const [terminalId, setTerminalId] = useState('');
  const [reason, setReason] = useState('');
  const e = admin.formErrors;
  const terminals = (admin.terminals ?? []).filter((t) => t.retiredAt === null);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    void admin.propose(
      setStopPlan(
        scope,
        terminals.find((t) => t.id === terminalId),
        reason,
      ),
    );
  };
  return (
    <aside className="admin-side admin-side-danger">
      <form className="admin-form" onSubmit={submit} noValidate data-testid="set-stop">
        <h4 className="wide">緊急停止する</h4>
        <p className="wide sub">不正な操作や情報漏えいのおそれがあるとき、業務端末の操作者を直ちに締め出します。端末は次の通信（十数秒以内）で停止し、オフラインの端末は次に接続したときに停止します。</p>
        <fieldset className="admin-field wide">
          <legend>範囲</legend>
          <label className="radio">
            <input type="radio" name="scope" checked={scope === 'all'} onChange={() => setScope('all')} data-testid="stop-scope-all" />
            全端末
          </label>
          <label className="radio">
            <input type="radio" name="scope" checked={scope === 'terminal'} onChange={() => setScope('terminal')} data-testid="stop-scope-terminal" />
            次の端末だけ:
            <select
              value={terminalId}
              onChange={(ev) => {
                setTerminalId(ev.target.value);
                setScope('terminal');
              }}
              data-testid="stop-terminal"
            >
              <option value="">選択してください</option>
              {terminals.map((t) => (
                <option key={t.id} value={t.id}>
                  {t.name}（{t.id}）
                </option>
              ))}
            </select>
          </label>
          {(e.scope || e.terminal) && <em className="field-error">{e.scope ?? e.terminal}</em>}
        </fieldset>
        <ReasonField value={reason} onChange={setReason} error={e.reason} placeholder="例: 不正な照会の疑い（課長指示）" />
        <div className="search-actions wide">
          <button type="submit" className="danger" disabled={admin.busy} data-testid="stop-submit">
            緊急停止…
          </button>
        </div>
      </form>
    </aside>
  );
});
