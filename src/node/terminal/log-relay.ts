// Main speaks to the central server for the renderer's log sync (the terminal credential never
// reaches the renderer). This turns the server client's outcome into the contract's LogSyncResult:
// whether the renderer should keep the records and retry, or stop and show a refusal.
import type { LogSyncResult } from '../../shared/contract';
import type { LogBatchResponse } from '../../shared/log-api';
import { ServerRejectedError, ServerUnavailableError } from './server-client';

const UNREACHABLE = '中央サーバーに接続できません。操作記録は端末に保存されており、接続が戻りしだい送信されます。';
const UNAUTHORIZED = '中央サーバーがこの端末を認証しませんでした。操作記録は端末に保存されています。システム管理者に連絡してください。';

/** Codes after which the same records can be sent again (after reading the cursor, or in smaller batches). */
const RETRYABLE_CODES = new Set(['log-gap', 'body-too-large', 'terminal-unauthorized']);

export async function relayLogCall(call: () => Promise<LogBatchResponse>): Promise<LogSyncResult> {
  try {
    const answer = await call();
    return { ok: true, ackSeq: answer.ackSeq, ackHash: answer.ackHash };
  } catch (error) {
    if (error instanceof ServerRejectedError) {
      if (error.status === 401) return { ok: false, retry: true, code: 'terminal-unauthorized', message: UNAUTHORIZED };
      return { ok: false, retry: RETRYABLE_CODES.has(error.code) || error.status === 413, code: error.code, message: error.message };
    }
    if (error instanceof ServerUnavailableError) return { ok: false, retry: true, code: 'unreachable', message: UNREACHABLE };
    return { ok: false, retry: true, code: 'unreachable', message: `${UNREACHABLE} (${(error as Error).message})` };
  }
}
