// Display of instants in Japan time, independent of the machine's time zone.
import { jstParts, WEEKDAYS_JA, formatYmd } from './jst';

/**
 * 'long'        2027年1月4日(月) 8:30  ('datetime' is the same)
 * 'long-seconds' 2027年1月4日(月) 8:30:05
 * 'date'        2027年1月4日(月)
 * 'time'        8:30
 * 'ymd'         2027-01-04
 * 'iso'         2027-01-04T08:30:05+09:00
 * 'iso-ms'      2027-01-04T08:30:05.123+09:00
 */
export type JstFormatStyle = 'long' | 'datetime' | 'long-seconds' | 'date' | 'time' | 'ymd' | 'iso' | 'iso-ms';

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

export function formatJst(epochMs: number, style: JstFormatStyle = 'long'): string {
  const p = jstParts(epochMs);
  const date = `${p.year}年${p.month}月${p.day}日(${WEEKDAYS_JA[p.weekday]})`;
  const time = `${p.hour}:${pad(p.minute)}`;
  const isoBase = `${formatYmd(p.year, p.month, p.day)}T${pad(p.hour)}:${pad(p.minute)}:${pad(p.second)}`;
  switch (style) {
    case 'long':
    case 'datetime':
      return `${date} ${time}`;
    case 'long-seconds':
      return `${date} ${time}:${pad(p.second)}`;
    case 'date':
      return date;
    case 'time':
      return time;
    case 'ymd':
      return formatYmd(p.year, p.month, p.day);
    case 'iso':
      return `${isoBase}+09:00`;
    case 'iso-ms':
      return `${isoBase}.${pad(p.millisecond, 3)}+09:00`;
    default: {
      const never: never = style;
      throw new RangeError(`未知の表示形式です: ${String(never)}`);
    }
  }
}
