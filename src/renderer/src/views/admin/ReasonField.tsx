// 理由: asked for every change (required, one line, ≤ 200 characters), logged with it.
import { REASON_MAX } from '../../stores/admin-store';

export function ReasonField(props: { value: string; onChange: (value: string) => void; error?: string; label?: string; placeholder?: string; testId?: string; autoFocus?: boolean }) {
  return (
    <label className="admin-field wide">
      <span>
        {props.label ?? '理由（必須・記録されます）'}
        <small className="counter">
          {props.value.length}/{REASON_MAX}
        </small>
      </span>
      <input
        value={props.value}
        maxLength={REASON_MAX}
        autoComplete="off"
        autoFocus={props.autoFocus}
        placeholder={props.placeholder ?? '例: 本人からの申出（受付番号 123）'}
        onChange={(e) => props.onChange(e.target.value)}
        aria-invalid={props.error ? true : undefined}
        data-testid={props.testId ?? 'admin-reason'}
      />
      {props.error && <em className="field-error">{props.error}</em>}
    </label>
  );
}
