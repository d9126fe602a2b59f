// The terminal's HTTP client for the central server. Every answer is parsed with the shared
// schemas: a server (or something pretending to be one) cannot push malformed data inward.
import type { z } from 'zod';
import {
  API_PREFIX,
  APP_VERSION_HEADER,
  ErrorResponseSchema,
  PasswordChangeResponseSchema,
  RosterResponseSchema,
  SignInAttemptResponseSchema,
  TERMINAL_AUTH_SCHEME,
  TimeResponseSchema,
  type PasswordChangeRequest,
  type PasswordChangeResponse,
  type RosterResponse,
  type SignInAttemptRequest,
  type SignInAttemptResponse,
  type TerminalCredential,
  type TimeResponse,
} from '../../shared/server-api';
import { LOG_BACKLOG_HEADER, LOG_BACKLOG_OLDEST_HEADER, logBatchBodyJson, LogBatchResponseSchema, LogCursorResponseSchema, wireRecordsJson, type LogBacklogReport, type LogBatchResponse } from '../../shared/log-api';
import type { LogRecord } from '../../domain/log/log-record';
import { OPERATOR_HEADER, RESIDENT_CHANGES_PATH, parseResidentChangesResponse, type ResidentChangesResponse } from '../../shared/resident-api';
import { ADMIN_SESSION_HEADER } from '../../shared/admin-session';
import { rememberJsonText } from '../../shared/json-text';

/** The server could not be reached or answered nonsense: retry later. */
export class ServerUnavailableError extends Error {
  override name = 'ServerUnavailableError';
}

/** The server understood and refused (4xx): retrying the same request will not help. */
export class ServerRejectedError extends Error {
  override name = 'ServerRejectedError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const MAX_RESPONSE_BYTES = 16 * 1024 * 1024;

/** A request body that is JSON text already (sent as it is). */
class RawJson {
  constructor(readonly text: string) {}
}

/** What an answer is checked with: a zod schema, or a function with the same answers (parseResidentChangesResponse). */
interface AnswerCheck<T> {
  safeParse(json: unknown): { success: true; data: T } | { success: false };
}

/** The feed page's check: the schema's rules, written out for speed (a page holds up to 5000 records). */
const RESIDENT_CHANGES_CHECK: AnswerCheck<ResidentChangesResponse> = { safeParse: parseResidentChangesResponse };

export interface ServerClient {
  time(): Promise<{ response: TimeResponse; sentMono: number; receivedMono: number }>;
  roster(): Promise<RosterResponse>;
  signInAttempt(request: SignInAttemptRequest): Promise<SignInAttemptResponse>;
  passwordChange(request: PasswordChangeRequest): Promise<PasswordChangeResponse>;
  logBatch(batchId: string, records: readonly LogRecord[]): Promise<LogBatchResponse>;
  /** The same with `records` given as JSON text (wireRecordsJson), sent as it is. */
  logBatchJson(batchId: string, recordsJson: string): Promise<LogBatchResponse>;
  /** With what this terminal still holds unsent, when known (shown in the administrators' terminal list). */
  logCursor(backlog?: LogBacklogReport): Promise<LogBatchResponse>;
  /** One page of the resident directory's change feed, for the operator signed in here. */
  residentChanges(operatorId: string, after: number, limit: number): Promise<ResidentChangesResponse>;
  /**
   * An admin route (/api/v1/admin…, issue 6): with the terminal credential and, except for opening a
   * session, the admin session's token. The answer is parsed with `schema`.
   */
  admin<S extends z.ZodTypeAny>(method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE', path: string, schema: S, options?: { body?: unknown; token?: string }): Promise<z.infer<S>>;
}

export function createServerClient(credential: TerminalCredential, options: { timeoutMs?: number; monoNow: () => number; appVersion?: string }): ServerClient {
  const base = credential.serverUrl.replace(/\/+$/, '');
  const auth = `${TERMINAL_AUTH_SCHEME} ${credential.terminalId}:${credential.secret}`;
  const timeoutMs = options.timeoutMs ?? 5000;

  /** `body`: a value (sent as JSON), or JSON text already written (RawJson). */
  async function call<T>(method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE', path: string, schema: AnswerCheck<T>, body?: unknown, timeout = timeoutMs, extraHeaders: Record<string, string> = {}): Promise<T> {
    let response: Response;
    try {
      response = await fetch(base + path, {
        method,
        headers: { authorization: auth, ...(options.appVersion ? { [APP_VERSION_HEADER]: options.appVersion } : {}), ...extraHeaders, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        // RawJson as UTF-8 bytes: fetch would first scan a string body of megabytes for lone surrogates.
        body: body === undefined ? undefined : body instanceof RawJson ? Buffer.from(body.text, 'utf8') : JSON.stringify(body),
        signal: AbortSignal.timeout(timeout),
        redirect: 'error',
      });
    } catch (error) {
      throw new ServerUnavailableError(`サーバーに接続できません (${(error as Error).message})`);
    }
    const length = Number(response.headers.get('content-length') ?? 0);
    if (length > MAX_RESPONSE_BYTES) throw new ServerUnavailableError('サーバーの応答が大きすぎます。');
    let json: unknown;
    let text: string;
    try {
      text = await response.text();
      if (text.length > MAX_RESPONSE_BYTES) throw new Error('too large');
      json = JSON.parse(text);
    } catch {
      throw new ServerUnavailableError(`サーバーの応答を読み取れません (HTTP ${response.status})`);
    }
    if (response.status >= 400 && response.status < 500) {
      const parsed = ErrorResponseSchema.safeParse(json);
      const code = parsed.success ? parsed.data.error.code : 'unknown';
      const message = parsed.success ? parsed.data.error.message : `HTTP ${response.status}`;
      throw new ServerRejectedError(response.status, code, message);
    }
    if (!response.ok) throw new ServerUnavailableError(`サーバーでエラーが発生しました (HTTP ${response.status})`);
    const parsed = schema.safeParse(json);
    if (!parsed.success) throw new ServerUnavailableError('サーバーの応答の形式が正しくありません。');
    // Accepted as it is (the check returned the parsed value itself, not a copy it made): the text
    // may travel on instead of the value serialised again (json-text.ts).
    if (parsed.data === json && typeof json === 'object' && json !== null) rememberJsonText(json, text);
    return parsed.data;
  }

  return {
    async time() {
      const sentMono = options.monoNow();
      const response = await call('GET', `${API_PREFIX}/time`, TimeResponseSchema);
      return { response, sentMono, receivedMono: options.monoNow() };
    },
    roster: () => call('GET', `${API_PREFIX}/roster`, RosterResponseSchema),
    signInAttempt: (request) => call('POST', `${API_PREFIX}/signin-attempts`, SignInAttemptResponseSchema, request),
    passwordChange: (request) => call('POST', `${API_PREFIX}/password-changes`, PasswordChangeResponseSchema, request),
    // A batch of up to 5000 records: the server verifies and commits it durably before answering. The
    // records go in the wire form (src/shared/log-api.ts), which the server reads fastest; a record that
    // has no canonical encoding goes as it is (the server refuses it with a clear answer).
    logBatch: (batchId, records) => {
      let recordsJson: string | null = null;
      try {
        recordsJson = wireRecordsJson(records);
      } catch {
        recordsJson = null;
      }
      return recordsJson === null
        ? call('POST', `${API_PREFIX}/log-batches`, LogBatchResponseSchema, { batchId, records }, Math.max(timeoutMs, 30_000))
        : call('POST', `${API_PREFIX}/log-batches`, LogBatchResponseSchema, new RawJson(logBatchBodyJson(batchId, recordsJson)), Math.max(timeoutMs, 30_000));
    },
    logBatchJson: (batchId, recordsJson) =>
      call('POST', `${API_PREFIX}/log-batches`, LogBatchResponseSchema, new RawJson(logBatchBodyJson(batchId, recordsJson)), Math.max(timeoutMs, 30_000)),
    logCursor: (backlog) =>
      call('GET', `${API_PREFIX}/log-cursor`, LogCursorResponseSchema, undefined, timeoutMs, backlog ? { [LOG_BACKLOG_HEADER]: String(backlog.backlog), ...(backlog.oldestPendingAt ? { [LOG_BACKLOG_OLDEST_HEADER]: backlog.oldestPendingAt } : {}) } : {}),
    admin: (method, path, schema, { body, token } = {}) =>
      call(method, `${API_PREFIX}/admin${path}`, schema, body, Math.max(timeoutMs, 15_000), token === undefined ? {} : { [ADMIN_SESSION_HEADER]: token }),
    residentChanges: (operatorId, after, limit) =>
      call('GET', `${API_PREFIX}${RESIDENT_CHANGES_PATH}?after=${after}&limit=${limit}`, RESIDENT_CHANGES_CHECK, undefined, Math.max(timeoutMs, 30_000), { [OPERATOR_HEADER]: operatorId }),
  };
}
