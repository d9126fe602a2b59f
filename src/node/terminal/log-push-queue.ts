// The renderer may hand main the next log batch while the one before still travels, so that reading,
// encoding and carrying it to main overlap with the central server's work on the one before. The
// server's protocol stays one batch in flight per terminal (docs/log-protocol.md, resume step 3):
// this queue sends the batches one at a time, in the order they were handed, and a batch marked
// `follows` only when the batch sent just before it was acknowledged up to exactly that seq. Sent
// anyway, it would reach the server after a batch that was refused or lost: a gap, refused and
// recorded as an integrity alert for records that are only late.
import type { LogSyncResult } from '../../shared/contract';

export const LOG_BATCH_NOT_SENT: LogSyncResult = {
  ok: false,
  retry: true,
  code: 'log-batch-not-sent',
  message: '直前の操作記録の送信が確認できなかったため、続きの記録は送信していません。記録は端末に保存されており、あらためて送信されます。',
};

export class LogPushQueue {
  /** The outcome of the batch handed last (null: none yet, or its send failed unexpectedly). */
  private last: Promise<LogSyncResult | null> = Promise.resolve(null);

  /** Sends after every batch handed before; a batch with `follows` only when the one before was acknowledged up to exactly it. */
  push(follows: number | undefined, send: () => Promise<LogSyncResult>): Promise<LogSyncResult> {
    const result = this.last.then((before) => (follows !== undefined && !(before?.ok === true && before.ackSeq === follows) ? LOG_BATCH_NOT_SENT : send()));
    this.last = result.then(
      (outcome) => outcome,
      () => null,
    );
    return result;
  }
}
