// What a caller may put in the operation log: an event (type, outcome, operator, card, detail),
// checked against the wire schema before anything is written. Shared by the renderer's log writer
// and the main side's outbox, so an event main raises can never be refused later by the writer.
import type { LogRecordBody } from '../domain/log/log-record';
import { LogRecordSchema } from './log-api';

/** What a caller hands to `LogWriter.append`; the writer adds terminal, seq, time and the chain. */
export type LogEvent = Pick<LogRecordBody, 'type' | 'outcome' | 'operatorId' | 'cardKeyId' | 'detail'>;

/** The event must fit the wire schema (the server refuses anything else), field by field. */
const EventSchema = LogRecordSchema.pick({ type: true, outcome: true, operatorId: true, cardKeyId: true, detail: true });

/** Detail keys that name a secret: such a value must never reach a record kept 7 years and sent to the server. */
const FORBIDDEN_DETAIL_KEY = /^(password|passwd|pass|pwd|newPassword|currentPassword|oldPassword|confirm|secret|pin|pinCode|otp)$/i;

export class LogEventError extends Error {
  override readonly name = 'LogEventError';
  constructor(readonly problems: readonly string[]) {
    super(`invalid log event (nothing was written): ${problems.join('; ')}`);
  }
}

function nfc<T>(value: T): T {
  return (typeof value === 'string' ? value.normalize('NFC') : value) as T;
}

/**
 * Checks an event against the wire schema and returns a clean copy (strings NFC-normalised, as the
 * hash sees them, so what is stored is exactly what was hashed). Throws LogEventError otherwise.
 */
export function validateEvent(event: unknown): LogEvent {
  if (typeof event !== 'object' || event === null || Array.isArray(event)) throw new LogEventError(['the event must be an object']);
  const raw = event as Record<string, unknown>;
  const detail = raw.detail;
  const normalised = {
    ...raw,
    operatorId: nfc(raw.operatorId),
    detail:
      typeof detail === 'object' && detail !== null && !Array.isArray(detail)
        ? Object.fromEntries(Object.entries(detail as Record<string, unknown>).map(([k, v]) => [k, nfc(v)]))
        : detail,
  };
  const parsed = EventSchema.safeParse(normalised);
  if (!parsed.success) {
    throw new LogEventError(parsed.error.issues.map((i) => `${i.path.join('.') || '(event)'}: ${i.message}`));
  }
  const secretKeys = Object.keys(parsed.data.detail).filter((k) => FORBIDDEN_DETAIL_KEY.test(k));
  if (secretKeys.length > 0) throw new LogEventError(secretKeys.map((k) => `detail.${k}: secrets are never logged`));
  return parsed.data;
}
