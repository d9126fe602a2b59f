import { describe, expect, it } from 'vitest';
import { initialSessionState, reduceSession, type SessionEvent, type SessionState } from '../../src/domain/session/session-machine';

const R = 'Reader A';
const KEY_A = 'a'.repeat(64);
const KEY_B = 'b'.repeat(64);

function run(events: SessionEvent[], from: SessionState = initialSessionState) {
  let state = from;
  const effects = [];
  for (const event of events) {
    const t = reduceSession(state, event);
    state = t.state;
    effects.push(...t.effects);
  }
  return { state, effects };
}

const signIn = (key = KEY_A, op = 'op-a'): SessionEvent[] => [
  { type: 'card-inserted', reader: R },
  { type: 'card-verified', reader: R, cardKeyId: key, lookup: { ok: true, operatorId: op, lockedOut: false } },
  { type: 'password-accepted', at: 1000, mustChange: null },
];

describe('session machine', () => {
  it('signs in with card then password', () => {
    const { state, effects } = run(signIn());
    expect(state.step.kind).toBe('working');
    expect(state.session).toEqual({ operatorId: 'op-a', cardKeyId: KEY_A, signedInAt: 1000 });
    expect(effects).toEqual([{ type: 'signed-in', operatorId: 'op-a', cardKeyId: KEY_A }]);
  });

  it('locks at once when the card is pulled, and resumes only with the same card and its password', () => {
    let { state } = run([...signIn(), { type: 'card-removed', reader: R, at: 2000 }]);
    expect(state.step.kind).toBe('waiting');
    expect(state.lock).toEqual({ cause: 'card-removed', at: 2000 });
    ({ state } = run([{ type: 'card-inserted', reader: R }, { type: 'card-verified', reader: R, cardKeyId: KEY_A, lookup: { ok: true, operatorId: 'op-a', lockedOut: false } }], state));
    expect(state.step.kind).toBe('unlock');
    expect(state.lock).not.toBeNull();
    const t = reduceSession(state, { type: 'password-accepted', at: 3000, mustChange: null });
    expect(t.state.step.kind).toBe('working');
    expect(t.state.lock).toBeNull();
    expect(t.state.session?.signedInAt).toBe(1000);
    expect(t.effects).toEqual([{ type: 'unlocked', operatorId: 'op-a' }]);
  });

  it('a different card at the lock screen signs the first operator out', () => {
    const { state, effects } = run([
      ...signIn(),
      { type: 'card-removed', reader: R, at: 2000 },
      { type: 'card-inserted', reader: R },
      { type: 'card-verified', reader: R, cardKeyId: KEY_B, lookup: { ok: true, operatorId: 'op-b', lockedOut: false } },
    ]);
    expect(effects).toContainEqual({ type: 'signed-out', operatorId: 'op-a', reason: 'other-card' });
    expect(state.session).toBeNull();
    expect(state.step).toMatchObject({ kind: 'password', operatorId: 'op-b' });
  });

  it('idle → locked; the card left in the reader after that is recorded as unattended; password resumes', () => {
    const idle = run([...signIn(), { type: 'idle-timeout', at: 5000 }]);
    expect(idle.state.lock?.cause).toBe('idle');
    expect(idle.state.step.kind).toBe('unlock');
    expect(idle.effects.at(-1)).toEqual({ type: 'locked', cause: 'idle', operatorId: 'op-a' });
    const left = reduceSession(idle.state, { type: 'card-unattended', at: 9000 });
    expect(left.state.lock).toEqual({ cause: 'unattended-card', at: 9000 });
    expect(left.effects).toEqual([{ type: 'locked', cause: 'unattended-card', operatorId: 'op-a' }]);
    // Only once, and never from a manual lock or without a session.
    expect(reduceSession(left.state, { type: 'card-unattended', at: 9500 }).effects).toEqual([]);
    const manual = run([...signIn(), { type: 'manual-lock', at: 1 }]).state;
    expect(reduceSession(manual, { type: 'card-unattended', at: 2 }).state).toBe(manual);
    const resumed = reduceSession(left.state, { type: 'password-accepted', at: 10_000, mustChange: null });
    expect(resumed.state.step.kind).toBe('working');
  });

  it('closing time locks a working session and aborts a sign-in in progress', () => {
    expect(run([...signIn(), { type: 'hours-closed', at: 9 }]).state.lock?.cause).toBe('hours');
    const midway = run([signIn()[0]!, signIn()[1]!, { type: 'hours-closed', at: 9 }]).state;
    expect(midway.step.kind).toBe('remove-card');
    expect(midway.session).toBeNull();
  });

  it('temporary password goes through change-password before working', () => {
    let { state } = run([signIn()[0]!, signIn()[1]!, { type: 'password-accepted', at: 1, mustChange: 'temporary' }]);
    expect(state.step).toMatchObject({ kind: 'change-password', reason: 'temporary' });
    expect(state.session).toBeNull();
    ({ state } = run([{ type: 'card-removed', reader: R, at: 2 }], state));
    expect(state.step.kind).toBe('waiting');
    expect(state.session).toBeNull();
    const done = run([signIn()[0]!, signIn()[1]!, { type: 'password-accepted', at: 1, mustChange: 'expired' }, { type: 'password-changed', at: 3 }]);
    expect(done.state.step.kind).toBe('working');
  });

  it('a refused card or unknown card never reaches the password step', () => {
    const { state } = run([
      { type: 'card-inserted', reader: R },
      { type: 'card-verified', reader: R, cardKeyId: KEY_A, lookup: { ok: false, message: '失効' } },
    ]);
    expect(state.step).toEqual({ kind: 'remove-card', reader: R, message: '失効' });
    const failed = run([{ type: 'card-inserted', reader: R }, { type: 'card-failed', reader: R, message: '読めません' }]).state;
    expect(failed.step.kind).toBe('remove-card');
    // A password arriving now is ignored.
    expect(reduceSession(failed, { type: 'password-accepted', at: 1, mustChange: null }).state).toBe(failed);
  });

  it('lockout: at the password step and when resuming a locked session', () => {
    const out = run([signIn()[0]!, signIn()[1]!, { type: 'password-rejected', lockedOut: false }, { type: 'password-rejected', lockedOut: true }]).state;
    expect(out.step.kind).toBe('locked-out');
    const locked = run([...signIn(), { type: 'manual-lock', at: 5 }, { type: 'password-rejected', lockedOut: true }]);
    expect(locked.state.step.kind).toBe('locked-out');
    expect(locked.state.session).toBeNull();
    expect(locked.effects).toContainEqual({ type: 'signed-out', operatorId: 'op-a', reason: 'operator' });
  });

  it('ignores events from another reader and a second card while busy', () => {
    const busy = run([{ type: 'card-inserted', reader: R }]).state;
    expect(reduceSession(busy, { type: 'card-inserted', reader: 'Reader B' }).state).toBe(busy);
    const working = run(signIn()).state;
    expect(reduceSession(working, { type: 'card-removed', reader: 'Reader B', at: 1 }).state).toBe(working);
  });

  it('sign-out ends the session and asks for the card', () => {
    const { state, effects } = run([...signIn(), { type: 'sign-out' }]);
    expect(state.session).toBeNull();
    expect(state.step.kind).toBe('remove-card');
    expect(effects.at(-1)).toEqual({ type: 'signed-out', operatorId: 'op-a', reason: 'operator' });
  });

  describe('emergency stop', () => {
    const stop: SessionEvent = { type: 'emergency-stop', at: 5000, message: '緊急停止中' };

    it('locks a working session with its cause, keeps the session (whose work was stopped), once', () => {
      const { state, effects } = run([...signIn(), stop, stop]);
      expect(state.step).toEqual({ kind: 'unlock', reader: R });
      expect(state.lock).toEqual({ cause: 'emergency-stop', at: 5000 });
      expect(state.session?.operatorId).toBe('op-a');
      expect(effects.filter((e) => e.type === 'locked')).toEqual([{ type: 'locked', cause: 'emergency-stop', operatorId: 'op-a' }]);
    });

    it('an already locked session (idle, card pulled) takes the stop as its cause', () => {
      const idle = run([...signIn(), { type: 'idle-timeout', at: 2000 }, stop]);
      expect(idle.state.lock?.cause).toBe('emergency-stop');
      const pulled = run([...signIn(), { type: 'card-removed', reader: R, at: 2000 }, stop]);
      expect(pulled.state.step.kind).toBe('waiting');
      expect(pulled.state.lock?.cause).toBe('emergency-stop');
    });

    it('a sign-in at the password or change-password step is asked to pull the card with the message', () => {
      const atPassword = run([{ type: 'card-inserted', reader: R }, { type: 'card-verified', reader: R, cardKeyId: KEY_A, lookup: { ok: true, operatorId: 'op-a', lockedOut: false } }, stop]);
      expect(atPassword.state.step).toEqual({ kind: 'remove-card', reader: R, message: '緊急停止中' });
      const atChange = run([{ type: 'card-inserted', reader: R }, { type: 'card-verified', reader: R, cardKeyId: KEY_A, lookup: { ok: true, operatorId: 'op-a', lockedOut: false } }, { type: 'password-accepted', at: 1000, mustChange: 'required' }, stop]);
      expect(atChange.state.step.kind).toBe('remove-card');
      expect(atChange.state.session).toBeNull();
    });

    it('nothing to stop when nobody is signed in', () => {
      expect(run([stop]).state).toEqual(initialSessionState);
    });
  });
});
