// The one contract between the renderer (untrusted UI) and the main side (trusted services).
// Two transports implement it: Electron IPC through the preload (src/preload, src/main/ipc.ts)
// and the second host's WebSocket (src/host). Main validates every payload with these schemas.
import { z } from 'zod';

/** What the terminal is doing; the renderer shows exactly one screen per phase. */
export type Phase =
  | 'starting'
  | 'no-reader' // no card reader connected
  | 'insert-card' // waiting for an operator card
  | 'reading-card' // proving the card is genuine and finding its operator
  | 'remove-card' // card refused (not genuine, not on the roster, revoked, closed) or session ended: pull it out
  | 'password' // card accepted, waiting for the password
  | 'change-password' // temporary or expired password must be changed now
  | 'locked-out' // 3 wrong passwords: an authorised person must release it
  | 'working' // signed in
  | 'locked' // session locked: same card + password to resume
  | 'closed' // outside operating hours
  | 'clock-error'; // the terminal cannot trust its clock

export type LockCause = 'card-removed' | 'idle' | 'unattended-card' | 'hours' | 'manual';

export interface Notice {
  kind: 'info' | 'warning' | 'error';
  text: string; // Japanese, for the counter staff
}

export interface OperatorView {
  id: string;
  name: string;
  roleLabel: string;
}

export interface HoursView {
  open: boolean;
  reason: string;
  /** Epoch ms of the next opening (when closed) or closing (when open). */
  nextChangeAt: number | null;
  nextChangeLabel: string;
  /** Whole minutes left until closing, when open. */
  minutesLeft: number | null;
  /** From 15 minutes before closing while a session is open (stronger from 5 minutes). */
  closingWarning: string | null;
  exceptionLabel: string | null;
}

export interface ConnectionView {
  online: boolean;
  lastContactAt: number | null;
  rosterAgeLabel: string;
}

export interface TerminalSnapshot {
  /** Increases with every snapshot; the renderer ignores older ones. */
  seq: number;
  phase: Phase;
  notice: Notice | null;
  terminal: { id: string; name: string };
  /** Only in password / change-password / working. Never in locked or other phases. */
  operator: OperatorView | null;
  attemptsLeft: number | null;
  /** True when a password typed now is checked (sign-in, or resuming a locked session whose card is in). */
  awaitingPassword: boolean;
  passwordChangeReason: 'temporary' | 'expired' | null;
  lockCause: LockCause | null;
  /** Trusted time (server-anchored), epoch ms. */
  now: number;
  hours: HoursView;
  connection: ConnectionView;
  readers: string[];
  idleLockSeconds: number;
}

export type CommandResult = { ok: true } | { ok: false; message: string };

const Password = z.string().min(1).max(256);
const Empty = z.object({}).strict();

/** Every callable method: its name and the schema of its one argument. */
export const terminalMethods = {
  getSnapshot: Empty,
  submitPassword: z.object({ password: Password }).strict(),
  changePassword: z.object({ current: Password, next: Password, confirm: Password }).strict(),
  lock: Empty,
  signOut: Empty,
  reportActivity: Empty,
} as const;

export type MethodName = keyof typeof terminalMethods;
export type MethodInput<M extends MethodName> = z.infer<(typeof terminalMethods)[M]>;

export interface TerminalApi {
  getSnapshot(input: MethodInput<'getSnapshot'>): Promise<TerminalSnapshot>;
  submitPassword(input: MethodInput<'submitPassword'>): Promise<CommandResult>;
  changePassword(input: MethodInput<'changePassword'>): Promise<CommandResult>;
  lock(input: MethodInput<'lock'>): Promise<CommandResult>;
  signOut(input: MethodInput<'signOut'>): Promise<CommandResult>;
  reportActivity(input: MethodInput<'reportActivity'>): Promise<CommandResult>;
}

/** Events pushed from main to the renderer. */
export interface TerminalEvents {
  snapshot: TerminalSnapshot;
}

/** What the renderer holds: the API plus a subscription to snapshots. */
export interface TerminalClient extends TerminalApi {
  onSnapshot(listener: (snapshot: TerminalSnapshot) => void): () => void;
}

export const methodNames = Object.keys(terminalMethods) as MethodName[];

export function isMethodName(name: unknown): name is MethodName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(terminalMethods, name);
}

export const INVALID_REQUEST_MESSAGE = '要求の形式が正しくありません。';

/**
 * The single entry point both transports call: validates the untrusted payload, then invokes.
 * Anything malformed is answered with a plain error result and never reaches the service.
 */
export async function dispatch(api: TerminalApi, method: unknown, payload: unknown): Promise<unknown> {
  if (!isMethodName(method)) return { ok: false, message: INVALID_REQUEST_MESSAGE } satisfies CommandResult;
  const parsed = terminalMethods[method].safeParse(payload ?? {});
  if (!parsed.success) return { ok: false, message: INVALID_REQUEST_MESSAGE } satisfies CommandResult;
  const call = api[method] as (input: unknown) => Promise<unknown>;
  return call.call(api, parsed.data);
}
