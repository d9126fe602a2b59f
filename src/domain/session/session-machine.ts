// The sign-in / lock state machine (第17条12項, 第18条, 第22条7項) as a pure reducer.
// The terminal service feeds it events from the card reader, the password check and the
// timers; everything it decides is visible in the returned state, so it is tested alone.

export type LockCause = 'card-removed' | 'idle' | 'unattended-card' | 'hours' | 'manual' | 'emergency-stop';

/** Why a password must be changed before work: temporary (issued by an administrator), expired, or a change required by an administrator. */
export type PasswordChangeReason = 'temporary' | 'expired' | 'required';

/** A signed-in operator; survives a lock, ends at sign-out. */
export interface Session {
  operatorId: string;
  cardKeyId: string;
  signedInAt: number;
}

export type Step =
  | { kind: 'waiting' } // no card being handled
  | { kind: 'reading'; reader: string } // proving the card and looking up its operator
  | { kind: 'remove-card'; reader: string; message: string } // card refused or session ended: take it out
  | { kind: 'password'; reader: string; cardKeyId: string; operatorId: string } // new sign-in
  | { kind: 'unlock'; reader: string } // locked session, its card is in: password resumes it
  | { kind: 'change-password'; reader: string; cardKeyId: string; operatorId: string; reason: PasswordChangeReason }
  | { kind: 'locked-out'; reader: string; operatorId: string }
  | { kind: 'working'; reader: string };

export interface SessionState {
  step: Step;
  session: Session | null;
  lock: { cause: LockCause; at: number } | null;
}

export type CardLookup =
  | { ok: true; operatorId: string; lockedOut: boolean }
  | { ok: false; message: string };

export type SessionEvent =
  | { type: 'card-inserted'; reader: string }
  | { type: 'card-removed'; reader: string; at: number }
  | { type: 'card-verified'; reader: string; cardKeyId: string; lookup: CardLookup }
  | { type: 'card-failed'; reader: string; message: string }
  | { type: 'password-accepted'; at: number; mustChange: PasswordChangeReason | null }
  | { type: 'password-rejected'; lockedOut: boolean }
  | { type: 'password-changed'; at: number }
  | { type: 'idle-timeout'; at: number }
  | { type: 'card-unattended'; at: number }
  | { type: 'hours-closed'; at: number }
  | { type: 'manual-lock'; at: number }
  /** An emergency stop reached the terminal and keeps this operator out (see emergency-stop.ts). */
  | { type: 'emergency-stop'; at: number; message: string }
  | { type: 'sign-out'; reason?: 'operator' | 'roster' };

/** Side effects the service must carry out (audit, server reports). */
export type SessionEffect =
  | { type: 'locked'; cause: LockCause; operatorId: string }
  | { type: 'unlocked'; operatorId: string }
  | { type: 'signed-in'; operatorId: string; cardKeyId: string }
  | { type: 'signed-out'; operatorId: string; reason: 'operator' | 'other-card' | 'roster' };

export interface Transition {
  state: SessionState;
  effects: SessionEffect[];
}

export const initialSessionState: SessionState = { step: { kind: 'waiting' }, session: null, lock: null };

function readerOf(step: Step): string | null {
  return step.kind === 'waiting' ? null : step.reader;
}

function lockNow(state: SessionState, cause: LockCause, at: number, nextStep: Step): Transition {
  if (!state.session || state.lock) return { state, effects: [] };
  return {
    state: { step: nextStep, session: state.session, lock: { cause, at } },
    effects: [{ type: 'locked', cause, operatorId: state.session.operatorId }],
  };
}

export function reduceSession(state: SessionState, event: SessionEvent): Transition {
  const { step } = state;
  const same = (s: SessionState): Transition => ({ state: s, effects: [] });

  switch (event.type) {
    case 'card-inserted':
      // One card at a time: a second card elsewhere is ignored until this one is handled.
      if (step.kind !== 'waiting') return same(state);
      return same({ ...state, step: { kind: 'reading', reader: event.reader } });

    case 'card-removed': {
      if (readerOf(step) !== event.reader) return same(state);
      if (step.kind === 'working') return lockNow(state, 'card-removed', event.at, { kind: 'waiting' });
      return same({ ...state, step: { kind: 'waiting' } });
    }

    case 'card-failed':
      if (step.kind !== 'reading' || step.reader !== event.reader) return same(state);
      return same({ ...state, step: { kind: 'remove-card', reader: event.reader, message: event.message } });

    case 'card-verified': {
      if (step.kind !== 'reading' || step.reader !== event.reader) return same(state);
      const effects: SessionEffect[] = [];
      let base = state;
      if (state.session) {
        if (state.session.cardKeyId === event.cardKeyId && state.lock) {
          return same({ ...state, step: { kind: 'unlock', reader: event.reader } });
        }
        // A different card at the lock screen signs the first operator out (第17条13項: no handing over).
        effects.push({ type: 'signed-out', operatorId: state.session.operatorId, reason: 'other-card' });
        base = { ...state, session: null, lock: null };
      }
      const { lookup } = event;
      if (!lookup.ok) return { state: { ...base, step: { kind: 'remove-card', reader: event.reader, message: lookup.message } }, effects };
      if (lookup.lockedOut) return { state: { ...base, step: { kind: 'locked-out', reader: event.reader, operatorId: lookup.operatorId } }, effects };
      return {
        state: { ...base, step: { kind: 'password', reader: event.reader, cardKeyId: event.cardKeyId, operatorId: lookup.operatorId } },
        effects,
      };
    }

    case 'password-accepted': {
      if (step.kind === 'unlock' && state.session && state.lock) {
        return {
          state: { step: { kind: 'working', reader: step.reader }, session: state.session, lock: null },
          effects: [{ type: 'unlocked', operatorId: state.session.operatorId }],
        };
      }
      if (step.kind !== 'password') return same(state);
      if (event.mustChange) {
        return same({ ...state, step: { kind: 'change-password', reader: step.reader, cardKeyId: step.cardKeyId, operatorId: step.operatorId, reason: event.mustChange } });
      }
      const session: Session = { operatorId: step.operatorId, cardKeyId: step.cardKeyId, signedInAt: event.at };
      return {
        state: { step: { kind: 'working', reader: step.reader }, session, lock: null },
        effects: [{ type: 'signed-in', operatorId: session.operatorId, cardKeyId: session.cardKeyId }],
      };
    }

    case 'password-rejected': {
      if (!event.lockedOut) return same(state);
      if (step.kind === 'password') return same({ ...state, step: { kind: 'locked-out', reader: step.reader, operatorId: step.operatorId } });
      if (step.kind === 'unlock' && state.session) {
        // A locked-out operator's locked session cannot be resumed: it ends.
        return {
          state: { step: { kind: 'locked-out', reader: step.reader, operatorId: state.session.operatorId }, session: null, lock: null },
          effects: [{ type: 'signed-out', operatorId: state.session.operatorId, reason: 'operator' }],
        };
      }
      return same(state);
    }

    case 'password-changed': {
      if (step.kind !== 'change-password') return same(state);
      const session: Session = { operatorId: step.operatorId, cardKeyId: step.cardKeyId, signedInAt: event.at };
      return {
        state: { step: { kind: 'working', reader: step.reader }, session, lock: null },
        effects: [{ type: 'signed-in', operatorId: session.operatorId, cardKeyId: session.cardKeyId }],
      };
    }

    case 'idle-timeout':
      if (step.kind !== 'working') return same(state);
      return lockNow(state, 'idle', event.at, { kind: 'unlock', reader: step.reader });

    case 'card-unattended': {
      // Still idle and the card still in the reader after an idle lock: the operator walked away
      // without pulling the card (第17条12項). Recorded as such; the lock stays.
      if (step.kind !== 'unlock' || !state.session || state.lock?.cause !== 'idle') return same(state);
      return {
        state: { ...state, lock: { cause: 'unattended-card', at: event.at } },
        effects: [{ type: 'locked', cause: 'unattended-card', operatorId: state.session.operatorId }],
      };
    }

    case 'manual-lock':
      if (step.kind !== 'working') return same(state);
      return lockNow(state, 'manual', event.at, { kind: 'unlock', reader: step.reader });

    case 'hours-closed': {
      if (step.kind === 'working') return lockNow(state, 'hours', event.at, { kind: 'unlock', reader: step.reader });
      if (step.kind === 'password' || step.kind === 'change-password') {
        return same({ ...state, step: { kind: 'remove-card', reader: step.reader, message: '開庁時間外のためサインインできません。' } });
      }
      return same(state);
    }

    case 'emergency-stop': {
      // The session is kept (locked, card still in) so the log shows whose work was stopped; it
      // cannot be resumed until the stop is lifted (the service refuses the password meanwhile).
      if (step.kind === 'working') return lockNow(state, 'emergency-stop', event.at, { kind: 'unlock', reader: step.reader });
      // Already locked (idle, card pulled…): the cause becomes the stop, so the screen says why it stays locked.
      if (state.session && state.lock && state.lock.cause !== 'emergency-stop') {
        return {
          state: { ...state, lock: { cause: 'emergency-stop', at: event.at } },
          effects: [{ type: 'locked', cause: 'emergency-stop', operatorId: state.session.operatorId }],
        };
      }
      if (step.kind === 'password' || step.kind === 'change-password') {
        return same({ ...state, step: { kind: 'remove-card', reader: step.reader, message: event.message } });
      }
      return same(state);
    }

    case 'sign-out': {
      if (!state.session) return same(state);
      const reader = readerOf(step);
      const nextStep: Step = reader ? { kind: 'remove-card', reader, message: 'サインアウトしました。カードを抜いてください。' } : { kind: 'waiting' };
      return {
        state: { step: nextStep, session: null, lock: null },
        effects: [{ type: 'signed-out', operatorId: state.session.operatorId, reason: event.reason ?? 'operator' }],
      };
    }
  }
}
