// One month of the town's operating calendar (第23条), as the closed-days calendar shows it: every
// day with its opening hours or why it is closed, and approved exceptions (a Sunday opening,
// extended hours) marked as such. Pure; the view only draws it.
import { closedReason } from './holidays';
import { exceptionLabel, openingWindow } from './hours';
import { usableCalendarExceptions, type CalendarException } from './exceptions';
import { formatMinutesOfDay, formatYmd, jstStartOfDay, weekdayJa, weekdayOf, type WeekdayJa } from './jst';

export interface CalendarDay {
  /** 'YYYY-MM-DD' */
  date: string;
  day: number;
  weekday: WeekdayJa;
  /** Open that day (regular hours or an exception). */
  open: boolean;
  /** 'HH:MM–HH:MM' when open. */
  hours: string | null;
  /** Why it is closed (土曜日, 祝日の名前, 年末年始…), when it is closed on the regular calendar. */
  closedReason: string | null;
  /** The approved exception of that day, with its label (特別開庁: 理由（承認: …）). */
  exception: { id: string; label: string } | null;
}

/** Days of the month in weeks from Sunday; `null` pads the first and last week. */
export interface CalendarMonth {
  year: number;
  month: number;
  weeks: (CalendarDay | null)[][];
}

export function calendarMonth(year: number, month: number, exceptions: readonly CalendarException[] = []): CalendarMonth {
  if (!Number.isInteger(year) || !Number.isInteger(month) || month < 1 || month > 12) throw new RangeError(`no such month: ${year}-${month}`);
  const usable = usableCalendarExceptions(exceptions).byDate;
  const days: CalendarDay[] = [];
  const lastDay = new Date(Date.UTC(year, month, 0)).getUTCDate();
  for (let day = 1; day <= lastDay; day++) {
    const date = formatYmd(year, month, day);
    const window = openingWindow(date, exceptions);
    const start = jstStartOfDay(date);
    const exception = usable.get(date) ?? null;
    days.push({
      date,
      day,
      weekday: weekdayJa(date),
      open: window !== null,
      hours: window ? `${formatMinutesOfDay(Math.round((window.opensAt - start) / 60_000))}–${formatMinutesOfDay(Math.round((window.closesAt - start) / 60_000))}` : null,
      closedReason: closedReason(date),
      exception: exception ? { id: exception.id, label: exceptionLabel(exception) } : null,
    });
  }
  const weeks: (CalendarDay | null)[][] = [];
  let week: (CalendarDay | null)[] = Array.from({ length: weekdayOf(days[0]!.date) }, () => null);
  for (const d of days) {
    week.push(d);
    if (week.length === 7) {
      weeks.push(week);
      week = [];
    }
  }
  if (week.length > 0) weeks.push([...week, ...Array.from({ length: 7 - week.length }, () => null)]);
  return { year, month, weeks };
}
