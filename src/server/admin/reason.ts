// The reason an administrative act names (who, what, WHY): one line, 1–200 characters.
import { CONTROL_CHARS } from '../services/calendar-check';
import { AdminError } from './admin-error';

export const MAX_ADMIN_REASON_LENGTH = 200;

/** The reason trimmed; AdminError 'bad-reason' when it is empty, too long or not one line. */
export function checkedReason(reason: string, what: { ja: string; en: string } = { ja: '理由', en: 'the reason' }): string {
  const text = reason.normalize('NFC').trim();
  const problems: string[] = [];
  if (text === '') problems.push(`${what.ja}を記入してください。`);
  if (text.length > MAX_ADMIN_REASON_LENGTH) problems.push(`${what.ja}は${MAX_ADMIN_REASON_LENGTH}文字以内にしてください（${text.length}文字）。`);
  if (CONTROL_CHARS.test(text)) problems.push(`${what.ja}に改行や制御文字は使えません。`);
  if (problems.length > 0) throw new AdminError('bad-reason', problems.join('\n'), `${what.en} must be 1-${MAX_ADMIN_REASON_LENGTH} characters on one line`);
  return text;
}

/** An optional reason (CLI commands that had none): checked when given, null otherwise. */
export function optionalReason(reason: string | undefined): string | null {
  return reason === undefined ? null : checkedReason(reason);
}
