// Japanese wording shared by the rules' explanations: who, when, where. Only roster names and ids;
// never a detail value typed by an operator except the short purpose note the vague-note rule quotes.
import { formatJst } from '../calendar/format';
import type { AuditOperator } from './types';

export function operatorLabel(operators: ReadonlyMap<string, AuditOperator>, id: string | null): string {
  if (id === null) return '操作者不明';
  const op = operators.get(id);
  return op ? `${op.name.replace(/\u3000/gu, ' ')}（${id}）` : `操作者 ${id}`;
}

export const when = (iso: string): string => formatJst(Date.parse(iso), 'long');
export const day = (iso: string): string => formatJst(Date.parse(iso), 'date');
export const clock = (iso: string): string => formatJst(Date.parse(iso), 'time');

/** `a、b、c` with at most `max` items, then `ほか n 件`. */
export function listJa(items: readonly string[], max = 5): string {
  const shown = items.slice(0, max).join('、');
  return items.length > max ? `${shown} ほか${items.length - max}件` : shown;
}

/** A note quoted in an explanation: at most 20 characters. */
export function quoteNote(note: string | null): string {
  if (note === null) return '（記入なし）';
  const chars = [...note];
  return `「${chars.length > 20 ? `${chars.slice(0, 20).join('')}…` : note}」`;
}
