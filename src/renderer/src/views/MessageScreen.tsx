import { Icon, type IconName } from './Icon';

export function MessageScreen(props: { testId: string; icon: IconName; title: string; lines: string[]; tone?: 'info' | 'warning' | 'error' }) {
  return (
    <main className={`panel panel-${props.tone ?? 'info'}`} data-testid={props.testId} role="status" aria-live="polite">
      <div className="panel-icon" aria-hidden="true">
        <Icon name={props.icon} />
      </div>
      <h1>{props.title}</h1>
      {props.lines
        .filter((line) => line)
        .map((line) => (
          <p key={line}>{line}</p>
        ))}
    </main>
  );
}
