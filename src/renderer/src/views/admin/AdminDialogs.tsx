// The modal the console has open (at most one), then the confirmation and the one-time secret above it.
import { observer } from 'mobx-react-lite';
import { useStores } from '../../stores/root-store';
import { clearStopPlan, releaseLockoutPlan, requireChangePlan, retireOperatorPlan, retireTerminalPlan, temporaryPasswordPlan, withdrawExceptionPlan } from '../../stores/admin-plans';
import { ReasonDialog } from './ReasonDialog';
import { RevokeCardDialog } from './RevokeCardDialog';
import { OperatorFormDialog } from './OperatorFormDialog';
import { RegisterTerminalDialog } from './RegisterTerminalDialog';
import { ConfirmDialog } from './ConfirmDialog';
import { SecretDialog } from './SecretDialog';
import { ymdLabel } from './admin-format';

const OpenDialog = observer(function OpenDialog() {
  const { admin } = useStores();
  const d = admin.dialog;
  if (!d) return null;
  switch (d.kind) {
    case 'release-lockout':
      return (
        <ReasonDialog
          title={`ロックアウト解除: ${d.operator.name}`}
          testId="dialog-release-lockout"
          lines={['本人であることと、パスワードを間違えた事情を確認してから解除してください。解除すると本人はすぐにサインインできます。']}
          submitLabel="解除する"
          build={(reason) => releaseLockoutPlan(d.operator, reason)}
        />
      );
    case 'set-temporary':
      return (
        <ReasonDialog
          title={`仮パスワード発行: ${d.operator.name}`}
          testId="dialog-set-temporary"
          lines={['いまのパスワードは使えなくなります。仮パスワードは発行後に一度だけ表示されます。本人は最初のサインインで変更を求められます。']}
          submitLabel="発行する…"
          danger
          build={(reason) => temporaryPasswordPlan(d.operator, reason)}
        />
      );
    case 'require-change':
      return (
        <ReasonDialog
          title={`パスワード変更を要求: ${d.operator.name}`}
          testId="dialog-require-change"
          lines={['本人は次にサインインしたとき、新しいパスワードへの変更を求められます。']}
          submitLabel="要求する"
          build={(reason) => requireChangePlan(d.operator, reason)}
        />
      );
    case 'retire-operator':
      return (
        <ReasonDialog
          title={`退職: ${d.operator.name}`}
          testId="dialog-retire-operator"
          lines={['名簿から外し、どの端末でもサインインできないようにします。記録は残ります。']}
          submitLabel="退職にする…"
          danger
          build={(reason) => retireOperatorPlan(d.operator, reason)}
        />
      );
    case 'change-operator':
      return <OperatorFormDialog operator={d.operator} />;
    case 'add-operator':
      return <OperatorFormDialog operator={null} />;
    case 'revoke-card':
      return <RevokeCardDialog operator={d.operator} card={d.card} />;
    case 'withdraw-exception':
      return (
        <ReasonDialog
          title={`例外の取り下げ: ${ymdLabel(d.exception.date)}`}
          testId="dialog-withdraw-exception"
          lines={[`${d.exception.opensAt}〜${d.exception.closesAt}（${d.exception.reason}）を取り下げ、通常の開庁時間に戻します。`]}
          submitLabel="取り下げる…"
          danger
          build={(reason) => withdrawExceptionPlan(d.exception, reason)}
        />
      );
    case 'clear-stop': {
      const terminal = admin.terminals?.find((t) => t.id === d.stop.terminalId);
      const name = terminal?.name ?? d.stop.terminalId ?? '';
      return (
        <ReasonDialog
          title={d.stop.scope === 'all' ? '緊急停止の解除（全端末）' : `緊急停止の解除（${name}）`}
          testId="dialog-clear-stop"
          lines={[`停止の理由: ${d.stop.reason}`, '原因への対処が済んだことを確認してから解除してください。']}
          submitLabel="解除する…"
          build={(reason) => clearStopPlan(d.stop, reason, name)}
        />
      );
    }
    case 'register-terminal':
      return <RegisterTerminalDialog />;
    case 'retire-terminal':
      return (
        <ReasonDialog
          title={`端末の廃止: ${d.terminal.name}`}
          testId="dialog-retire-terminal"
          lines={['この端末の認証情報を無効にします。端末は中央サーバーに接続できなくなり、端末内の住民データは次の接続で消去されます。']}
          submitLabel="廃止する…"
          danger
          build={(reason) => retireTerminalPlan(d.terminal, reason)}
        />
      );
  }
});

export function AdminDialogs() {
  return (
    <>
      <OpenDialog />
      <ConfirmDialog />
      <SecretDialog />
    </>
  );
}
