// A modal panel over the admin console (forms, confirmations, the one-time secret).
import type { ReactNode } from 'react';

export function Modal(props: { title: string; testId: string; tone?: 'info' | 'danger' | 'secret'; children: ReactNode; layer?: 'form' | 'confirm' }) {
  return (
    <div className={`modal-backdrop ${props.layer === 'confirm' ? 'modal-top' : ''}`}>
      <div className={`modal modal-${props.tone ?? 'info'}`} role="dialog" aria-modal="true" aria-label={props.title} data-testid={props.testId}>
        <h3>{props.title}</h3>
        {props.children}
      </div>
    </div>
  );
}
