// Town operating calendar (運用規程 第23条). Pure: no Node, DOM or Electron APIs; Japan time by
// construction (epoch ms + 9h read with UTC getters), whatever the machine's time zone.
export {
  JST_OFFSET_MS,
  MS_PER_DAY,
  WEEKDAYS_JA,
  type WeekdayJa,
  type JstParts,
  type Ymd,
  jstParts,
  jstYmd,
  jstStartOfDay,
  jstAt,
  addDays,
  weekdayOf,
  weekdayJa,
  parseYmd,
  isValidYmd,
  parseHhmm,
  formatMinutesOfDay,
  parseJstInstant,
} from './jst';
export {
  HOLIDAY_DATA_FIRST_YEAR,
  HOLIDAY_DATA_LAST_YEAR,
  YEAR_END_REASON,
  SUBSTITUTE_HOLIDAY_REASON,
  CITIZENS_HOLIDAY_REASON,
  type ClosedDay,
  holidayDataCovers,
  nationalHolidayName,
  isYearEndHoliday,
  closedReason,
  isTownWorkingDay,
  closedDays,
} from './holidays';
export {
  type CalendarException,
  type IgnoredCalendarException,
  CalendarExceptionError,
  validateCalendarException,
  validateCalendarExceptions,
  assertValidCalendarExceptions,
  usableCalendarExceptions,
} from './exceptions';
export {
  DEFAULT_OPENS_AT,
  DEFAULT_CLOSES_AT,
  NEXT_CHANGE_SEARCH_DAYS,
  type HoursStatus,
  type OpeningWindow,
  openingWindow,
  exceptionLabel,
  hoursAt,
  isOpenAt,
} from './hours';
export { type JstFormatStyle, formatJst } from './format';
export { type CalendarDay, type CalendarMonth, calendarMonth } from './month';
