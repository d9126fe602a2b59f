// The one contract between the renderer (untrusted UI) and the main side (trusted services).
// Two transports implement it: Electron IPC through the preload (src/preload, src/main/ipc.ts)
// and the second host's WebSocket (src/host). Main validates every payload with these schemas.
import { z } from 'zod';
import type { LogRecord } from '../domain/log/log-record';
import { LogBacklogReportSchema, LogRecordSchema, LogRecordsJsonSchema, MAX_BATCH_RECORDS } from './log-api';
import type { LogEvent } from './log-event';
import { MAX_RESIDENT_PAGE, type ResidentChangesResponse } from './resident-api';
import { AdminCallSchema, type AdminCallResult, type AdminOpenResult } from './admin-routes';

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
  | 'stopped' // an emergency stop is in force: only an authorised person may sign in (to lift it)
  | 'clock-error'; // the terminal cannot trust its clock

export type LockCause = 'card-removed' | 'idle' | 'unattended-card' | 'hours' | 'manual' | 'emergency-stop';

export interface Notice {
  kind: 'info' | 'warning' | 'error';
  text: string; // Japanese, for the counter staff
}

export interface OperatorView {
  id: string;
  name: string;
  /** manager / sysadmin see the admin console (the server checks every action again). */
  role: 'operator' | 'manager' | 'sysadmin';
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
  passwordChangeReason: 'temporary' | 'expired' | 'required' | null;
  lockCause: LockCause | null;
  /** Trusted time (server-anchored), epoch ms. */
  now: number;
  hours: HoursView;
  connection: ConnectionView;
  readers: string[];
  /** The reader holding the working operator's card (only while working), e.g. so a new card is not read there. */
  sessionReader: string | null;
  idleLockSeconds: number;
  /** Search results and the open record are cleared after this long without activity (第22条7項). */
  resultsClearSeconds: number;
  /** The purpose categories the information-protection manager maintains (from the roster; empty: none received). */
  purposeCategories: { id: string; label: string; needsCaseNumber: boolean }[];
  log: LogOutboxView;
  /** The emergency stop in force for this terminal (from the roster), or null. */
  emergencyStop: EmergencyStopView | null;
}

export interface EmergencyStopView {
  scope: 'all' | 'terminal';
  reason: string;
  byName: string;
  /** When it was set, Japanese label. */
  atLabel: string;
}

/** The main side's operation-log events waiting for the renderer to put them in the log. */
export interface LogOutboxView {
  /** Names main's event numbering (a new one if main's journal was lost or replaced). */
  epoch: string;
  /** Highest event id main has given out; the renderer takes events after the last one it applied. */
  lastEid: number;
  /** Events main holds that the renderer has not acknowledged yet. */
  pending: number;
  /** Increases when main wants the log synced now: sign-out, 17:15, the server reachable again. */
  syncRequest: number;
}

/** An event raised on the main side, journaled there until the renderer acknowledges it. */
export type PendingLogEvent = LogEvent & {
  /** 1, 2, 3 … per terminal, for ever. */
  eid: number;
  /** Trusted time of the event (ISO 8601 UTC) and the local clock's offset from it. */
  at: string;
  clockOffsetMs: number;
};

/** What main answers for the log sync calls (it speaks to the central server for the renderer). */
export type LogSyncResult =
  | { ok: true; ackSeq: number; ackHash: string }
  | {
      ok: false;
      /** True: keep the records and try again later (network, server down, credential, size). False: a refusal a person must look at. */
      retry: boolean;
      /** The server's error code (docs/log-protocol.md), or 'unreachable'. */
      code: string;
      /** Japanese, for the status bar. */
      message: string;
    };

export const MAX_TAKE_EVENTS = 500;

/** One page of the resident directory's change feed, fetched by main for the signed-in operator. */
export type ResidentFeedResult =
  | { ok: true; page: ResidentChangesResponse }
  | {
      ok: false;
      /** True: try again later (network, server down). False: this operator or terminal gets no updates now. */
      retry: boolean;
      code: string;
      /** Japanese, for the screen. */
      message: string;
    };

/** The key that encrypts the resident replica at rest (AES-256, base64), only while someone is signed in. */
export type ReplicaKeyResult = { ok: true; key: string } | { ok: false; message: string };

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
  takeLogEvents: z.object({ afterEid: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER) }).strict(),
  ackLogEvents: z.object({ epoch: z.string().max(64), eid: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER) }).strict(),
  // The renderer's backlog, relayed to the server for the administrators' terminal list ({} also accepted).
  getLogCursor: z.union([Empty, LogBacklogReportSchema]),
  // The records as objects, or (what the renderer sends) as the JSON text of the batch's `records` in the
  // wire form (src/shared/log-api.ts, wireRecordsJson): main forwards that text as it is and the central
  // server checks every record (LogBatchRequestSchema, the chain) — main never reads it.
  // `follows`: the batch was handed while the one before (ending at that seq) still travels; main
  // sends it only after that one was acknowledged up to exactly `follows` (src/node/terminal/log-push-queue.ts).
  pushLogBatch: z.union([
    z.object({ records: z.array(LogRecordSchema).min(1).max(MAX_BATCH_RECORDS) }).strict(),
    z.object({ recordsJson: LogRecordsJsonSchema, follows: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER).optional() }).strict(),
  ]),
  fetchResidentChanges: z.object({ after: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER), limit: z.number().int().min(1).max(MAX_RESIDENT_PAGE) }).strict(),
  getReplicaKey: Empty,
  adminOpen: Empty,
  adminCall: AdminCallSchema,
  adminClose: Empty,
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
  /** Main-side log events after `afterEid` (at most MAX_TAKE_EVENTS), oldest first. */
  takeLogEvents(input: MethodInput<'takeLogEvents'>): Promise<{ epoch: string; events: PendingLogEvent[] }>;
  /** The renderer's log has every main-side event up to `eid`, durably. */
  ackLogEvents(input: MethodInput<'ackLogEvents'>): Promise<CommandResult>;
  /** The central server's head of this terminal's log. */
  getLogCursor(input: MethodInput<'getLogCursor'>): Promise<LogSyncResult>;
  /**
   * Sends one batch of records (in seq order, chained) to the central server. One batch at a time
   * reaches the server; a batch with `follows` waits for the one before and is sent only when that
   * one was acknowledged up to exactly `follows` (else: not sent, retry).
   */
  pushLogBatch(input: { records: LogRecord[] } | { recordsJson: string; follows?: number }): Promise<LogSyncResult>;
  /** Resident directory changes after `after`, for the operator signed in now (refused otherwise). */
  fetchResidentChanges(input: MethodInput<'fetchResidentChanges'>): Promise<ResidentFeedResult>;
  /** The replica's encryption key, while an operator is signed in and working. */
  getReplicaKey(input: MethodInput<'getReplicaKey'>): Promise<ReplicaKeyResult>;
  /**
   * Opens the admin session of the manager / system administrator working here (issue 6): main has
   * their card sign the server's challenge. Refused to counter operators and when nobody is working.
   */
  adminOpen(input: MethodInput<'adminOpen'>): Promise<AdminOpenResult>;
  /** One admin action (src/shared/admin-routes.ts) through the open (or reopened) admin session. */
  adminCall(input: MethodInput<'adminCall'>): Promise<AdminCallResult>;
  /** Ends the admin session (also done by main at every lock and sign-out). */
  adminClose(input: MethodInput<'adminClose'>): Promise<CommandResult>;
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
