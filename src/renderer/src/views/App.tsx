import { observer } from 'mobx-react-lite';
import { useEffect } from 'react';
import { useStores } from '../stores/root-store';
import { StatusBar } from './StatusBar';
import { PasswordScreen } from './PasswordScreen';
import { ChangePasswordScreen } from './ChangePasswordScreen';
import { WorkScreen } from './WorkScreen';
import { MessageScreen } from './MessageScreen';
import { LockedScreen } from './LockedScreen';

export const App = observer(function App() {
  const root = useStores();
  const { session } = root;
  const snap = session.snapshot;

  useEffect(() => {
    const onActivity = () => root.activity();
    const events = ['keydown', 'pointerdown', 'pointermove', 'wheel'] as const;
    for (const e of events) window.addEventListener(e, onActivity, { passive: true });
    return () => {
      for (const e of events) window.removeEventListener(e, onActivity);
    };
  }, [root]);

  if (!snap) {
    return (
      <div className="app">
        <MessageScreen testId="screen-starting" icon="wait" title="起動しています" lines={[session.connected ? '端末の状態を取得しています。' : '端末サービスに接続しています。']} />
      </div>
    );
  }

  const screen = (() => {
    switch (snap.phase) {
      case 'starting':
        return <MessageScreen testId="screen-starting" icon="wait" title="起動しています" lines={['しばらくお待ちください。']} />;
      case 'no-reader':
        return <MessageScreen testId="screen-no-reader" icon="plug" title="カードリーダーが見つかりません" lines={['カードリーダーの接続を確認してください。', '接続されると自動で次へ進みます。']} tone="warning" />;
      case 'insert-card':
        return <MessageScreen testId="screen-insert-card" icon="card" title="職員用ICカードを挿入してください" lines={['カードを挿入すると、カードの確認のあとパスワードの入力に進みます。', '席を離れるときは必ずカードを抜いてください。']} />;
      case 'reading-card':
        return <MessageScreen testId="screen-reading-card" icon="search" title="カードを確認しています" lines={['カードを抜かずにお待ちください。']} />;
      case 'remove-card':
        return <MessageScreen testId="screen-remove-card" icon="warning" title="カードを抜いてください" lines={[snap.notice?.text ?? '']} tone="error" />;
      case 'password':
        return <PasswordScreen />;
      case 'change-password':
        return <ChangePasswordScreen />;
      case 'locked-out':
        return (
          <MessageScreen
            testId="screen-locked-out"
            icon="stop"
            title="ロックアウトされています"
            lines={['パスワードを3回間違えたため、この操作者はサインインできません。', '情報保護管理者に解除を依頼してください。カードを抜いてください。']}
            tone="error"
          />
        );
      case 'working':
        return <WorkScreen />;
      case 'locked':
        return <LockedScreen />;
      case 'closed':
        return (
          <MessageScreen
            testId="screen-closed"
            icon="moon"
            title="開庁時間外です"
            lines={[`${snap.hours.reason}`, snap.hours.nextChangeLabel, snap.lockCause ? (snap.notice?.text ?? '') : '', '業務端末は 8:30〜17:15（町の休日を除く）に利用できます。']}
            tone="warning"
          />
        );
      case 'stopped': {
        const stop = snap.emergencyStop;
        return (
          <MessageScreen
            testId="screen-stopped"
            icon="stop"
            title={stop?.scope === 'terminal' ? 'この端末は緊急停止中です' : '全端末が緊急停止中です'}
            lines={[
              stop ? `理由: ${stop.reason}` : '',
              stop ? `${stop.atLabel} ${stop.byName} が停止しました。` : '',
              snap.lockCause === 'emergency-stop' ? (snap.notice?.text ?? '') : '',
              '解除されるまで業務端末操作者はサインインできません。解除は情報保護管理者またはシステム管理者が行います（管理者のカードではサインインできます）。',
            ]}
            tone="error"
          />
        );
      }
      case 'clock-error':
        return <MessageScreen testId="screen-clock-error" icon="clock" title="端末の時刻を確認できません" lines={['端末の時計が以前の時刻より戻されています。', 'サーバーに接続して正しい時刻を取得するまで利用できません。システム管理者に連絡してください。']} tone="error" />;
    }
  })();

  return (
    <div className="app" data-phase={snap.phase}>
      {snap.phase !== 'working' && <StatusBar />}
      {screen}
    </div>
  );
});
