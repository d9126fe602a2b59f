// Operating calendar (運用規程 第23条). Every instant in this file is written with an explicit
// +09:00 offset and parsed with Date.parse, which is time-zone independent; the module under test
// never reads local time (asserted below by making the local getters throw). calendar-tz.test.ts
// runs this file again under TZ=UTC and TZ=America/New_York.
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  CalendarExceptionError,
  HOLIDAY_DATA_FIRST_YEAR,
  assertValidCalendarExceptions,
  HOLIDAY_DATA_LAST_YEAR,
  YEAR_END_REASON,
  closedDays,
  closedReason,
  formatJst,
  holidayDataCovers,
  hoursAt,
  isOpenAt,
  jstYmd,
  openingWindow,
  parseJstInstant,
  validateCalendarException,
  validateCalendarExceptions,
  type CalendarException,
} from '../../src/domain/calendar/index';

const jst = (s: string): number => {
  const ms = Date.parse(`${s}+09:00`);
  if (Number.isNaN(ms)) throw new Error(`bad test instant ${s}`);
  return ms;
};

const sundayOpening: CalendarException = {
  id: 'ex-2027-03-28',
  date: '2027-03-28', // Sunday
  opensAt: '09:00',
  closesAt: '12:00',
  reason: '転入繁忙期の日曜窓口',
  approvedBy: '企画財政課長',
};
const extendedHours: CalendarException = {
  id: 'ex-2027-03-29',
  date: '2027-03-29', // Monday
  opensAt: '08:30',
  closesAt: '19:00',
  reason: '年度末の時間延長',
  approvedBy: '住民課長',
};

describe('closedReason', () => {
  it.each([
    ['2027-01-05', null], // Tuesday
    ['2027-01-08', null], // Friday
    ['2027-01-09', '土曜日'],
    ['2027-01-10', '日曜日'],
    ['2027-01-11', '成人の日'],
    ['2027-01-01', '元日'], // national holiday wins over 年末年始
    ['2026-12-28', null], // Monday before the year end
    ['2026-12-29', YEAR_END_REASON],
    ['2026-12-30', YEAR_END_REASON],
    ['2026-12-31', YEAR_END_REASON],
    ['2027-01-02', YEAR_END_REASON], // Saturday: 年末年始 wins over 土曜日
    ['2027-01-03', YEAR_END_REASON],
    ['2027-01-04', null], // Monday after the year end
    ['2024-02-12', '振替休日'], // 建国記念の日 on Sunday
    ['2025-02-24', '振替休日'], // 天皇誕生日 on Sunday
    ['2026-05-06', '振替休日'], // 憲法記念日 on Sunday → first free weekday
    ['2026-05-04', 'みどりの日'],
    ['2026-09-22', '国民の休日'], // between 敬老の日 (21) and 秋分の日 (23)
    ['2026-09-21', '敬老の日'],
    ['2026-09-23', '秋分の日'],
    ['2019-05-01', '天皇の即位の日'],
    ['2019-04-30', '国民の休日'],
  ])('%s → %s', (date, reason) => {
    expect(closedReason(date)).toBe(reason);
  });

  it('rejects malformed and impossible dates', () => {
    for (const bad of ['2027-1-4', '2027-02-29', '2027-13-01', '20270104', '', '2027-01-04T00:00']) {
      expect(() => closedReason(bad), bad).toThrow(RangeError);
    }
    expect(closedReason('2028-02-29')).toBe(null); // leap day, Tuesday
  });
});

describe('closedDays', () => {
  it('lists 2027 in date order with weekday and reason', () => {
    const days = closedDays(2027);
    expect(days[0]).toEqual({ date: '2027-01-01', weekday: '金', reason: '元日' });
    expect(days.at(-1)).toEqual({ date: '2027-12-31', weekday: '金', reason: YEAR_END_REASON });
    expect(days.find((d) => d.date === '2027-03-22')).toEqual({ date: '2027-03-22', weekday: '月', reason: '振替休日' });
    // 52 Saturdays + 52 Sundays + 16 weekday national holidays + 12-29/30/31 (1-2 and 1-3 are a weekend)
    expect(days).toHaveLength(123);
    const dates = days.map((d) => d.date);
    expect([...dates].sort()).toEqual(dates);
    expect(new Set(dates).size).toBe(dates.length);
  });

  it('contains the substitute and citizens holidays of 2026', () => {
    const byDate = new Map(closedDays(2026).map((d) => [d.date, d]));
    expect(byDate.get('2026-05-06')).toEqual({ date: '2026-05-06', weekday: '水', reason: '振替休日' });
    expect(byDate.get('2026-09-22')).toEqual({ date: '2026-09-22', weekday: '火', reason: '国民の休日' });
    expect(byDate.has('2026-12-28')).toBe(false);
  });

  it('refuses years outside the bundled holiday data', () => {
    expect(HOLIDAY_DATA_FIRST_YEAR).toBe(1970);
    expect(HOLIDAY_DATA_LAST_YEAR).toBe(2050);
    expect(closedDays(2050).length).toBeGreaterThan(100);
    expect(() => closedDays(2051)).toThrow(/祝日データの範囲外/);
    expect(() => closedDays(1969)).toThrow(RangeError);
    expect(() => closedDays(2027.5)).toThrow(RangeError);
    expect(holidayDataCovers('2050-12-31')).toBe(true);
    expect(holidayDataCovers(2051)).toBe(false);
  });
});

describe('hoursAt on a regular working day (2027-01-04, Monday)', () => {
  it('is closed until 08:29:59.999 and opens at 08:30:00', () => {
    const before = hoursAt(jst('2027-01-04T08:29:59.999'));
    expect(before).toMatchObject({ open: false, reason: '開庁時間前（8:30から）', exception: null, closesAt: null });
    expect(before.nextOpen).toBe(jst('2027-01-04T08:30:00'));
    expect(before.nextChange).toBe(jst('2027-01-04T08:30:00'));

    const at = hoursAt(jst('2027-01-04T08:30:00'));
    expect(at).toMatchObject({ open: true, reason: '開庁時間内', exception: null, nextOpen: null });
    expect(at.closesAt).toBe(jst('2027-01-04T17:15:00'));
    expect(at.nextChange).toBe(jst('2027-01-04T17:15:00'));
  });

  it('is open until 17:14:59.999 and closed from 17:15:00', () => {
    expect(hoursAt(jst('2027-01-04T17:14:59.999'))).toMatchObject({ open: true, closesAt: jst('2027-01-04T17:15:00') });
    const after = hoursAt(jst('2027-01-04T17:15:00'));
    expect(after).toMatchObject({ open: false, reason: '閉庁時間（17:15以降）', closesAt: null });
    expect(after.nextOpen).toBe(jst('2027-01-05T08:30:00'));
    expect(after.nextChange).toBe(jst('2027-01-05T08:30:00'));
  });

  it('is closed at midnight and in the small hours', () => {
    expect(hoursAt(jst('2027-01-05T00:00:00'))).toMatchObject({ open: false, reason: '開庁時間前（8:30から）', nextOpen: jst('2027-01-05T08:30:00') });
    expect(hoursAt(jst('2027-01-04T23:59:59.999'))).toMatchObject({ open: false, nextOpen: jst('2027-01-05T08:30:00') });
  });

  it('isOpenAt agrees with hoursAt', () => {
    for (const s of ['2027-01-04T08:29:59.999', '2027-01-04T08:30:00', '2027-01-04T17:14:59.999', '2027-01-04T17:15:00', '2027-01-09T10:00:00']) {
      expect(isOpenAt(jst(s)), s).toBe(hoursAt(jst(s)).open);
    }
  });
});

describe('hoursAt across weekends, holidays and the year end', () => {
  it('Friday evening → Tuesday, because Monday 2027-01-11 is 成人の日', () => {
    const fri = hoursAt(jst('2027-01-08T17:15:00'));
    expect(fri.nextOpen).toBe(jst('2027-01-12T08:30:00'));
    expect(hoursAt(jst('2027-01-09T12:00:00'))).toMatchObject({ open: false, reason: '土曜日', nextOpen: jst('2027-01-12T08:30:00') });
    expect(hoursAt(jst('2027-01-10T12:00:00'))).toMatchObject({ open: false, reason: '日曜日', nextChange: jst('2027-01-12T08:30:00') });
    expect(hoursAt(jst('2027-01-11T09:00:00'))).toMatchObject({ open: false, reason: '成人の日' });
  });

  it('plain weekend: Friday 2027-01-15 17:15 → Monday 2027-01-18 08:30', () => {
    expect(hoursAt(jst('2027-01-15T17:15:00')).nextChange).toBe(jst('2027-01-18T08:30:00'));
    expect(hoursAt(jst('2027-01-16T08:30:00'))).toMatchObject({ open: false, reason: '土曜日' });
  });

  it('year end: 12-28 open, 12-29…01-03 closed, 01-04 open', () => {
    expect(hoursAt(jst('2026-12-28T10:00:00'))).toMatchObject({ open: true, reason: '開庁時間内' });
    const lastDay = hoursAt(jst('2026-12-28T17:15:00'));
    expect(lastDay.open).toBe(false);
    expect(lastDay.nextOpen).toBe(jst('2027-01-04T08:30:00'));
    for (const d of ['2026-12-29', '2026-12-30', '2026-12-31', '2027-01-01', '2027-01-02', '2027-01-03']) {
      const s = hoursAt(jst(`${d}T12:00:00`));
      expect(s.open, d).toBe(false);
      expect(s.reason, d).toBe(d === '2027-01-01' ? '元日' : YEAR_END_REASON);
      expect(s.nextChange, d).toBe(jst('2027-01-04T08:30:00'));
    }
    expect(hoursAt(jst('2027-01-04T12:00:00')).open).toBe(true);
  });

  it('year end 2025→2026 crosses into a weekend: opens Monday 2026-01-05', () => {
    expect(hoursAt(jst('2025-12-26T17:15:00')).nextOpen).toBe(jst('2026-01-05T08:30:00'));
    expect(hoursAt(jst('2026-01-03T08:30:00'))).toMatchObject({ open: false, reason: YEAR_END_REASON });
  });

  it('substitute holidays are closed', () => {
    expect(hoursAt(jst('2024-02-12T10:00:00'))).toMatchObject({ open: false, reason: '振替休日', nextOpen: jst('2024-02-13T08:30:00') });
    expect(hoursAt(jst('2025-02-24T10:00:00'))).toMatchObject({ open: false, reason: '振替休日', nextOpen: jst('2025-02-25T08:30:00') });
    // Golden Week 2026: Fri 05-01 is a working day, then 05-02 … 05-06 closed.
    expect(hoursAt(jst('2026-05-01T17:15:00')).nextOpen).toBe(jst('2026-05-07T08:30:00'));
    expect(hoursAt(jst('2026-05-06T10:00:00'))).toMatchObject({ open: false, reason: '振替休日', nextOpen: jst('2026-05-07T08:30:00') });
  });

  it("citizens' holiday 2026-09-22 is closed (Silver Week 09-19 … 09-23)", () => {
    expect(hoursAt(jst('2026-09-18T17:15:00')).nextOpen).toBe(jst('2026-09-24T08:30:00'));
    expect(hoursAt(jst('2026-09-22T10:00:00'))).toMatchObject({ open: false, reason: '国民の休日', nextOpen: jst('2026-09-24T08:30:00') });
  });

  it('keeps working past the end of the holiday data, and says so', () => {
    const s = hoursAt(jst('2050-12-28T17:15:00'));
    expect(s.nextOpen).toBe(jst('2051-01-04T08:30:00')); // 2051-01-04 is a Wednesday
    expect(s.holidayDataCovered).toBe(false);
    expect(hoursAt(jst('2050-06-01T10:00:00')).holidayDataCovered).toBe(true);
  });
});

describe('approved exceptions', () => {
  const exceptions = [sundayOpening, extendedHours];

  it('opens a Sunday for the approved hours only', () => {
    const before = hoursAt(jst('2027-03-28T08:59:59.999'), exceptions);
    expect(before).toMatchObject({ open: false, reason: '開庁時間前（9:00から）', exception: sundayOpening, nextOpen: jst('2027-03-28T09:00:00') });
    const at = hoursAt(jst('2027-03-28T09:00:00'), exceptions);
    expect(at).toMatchObject({
      open: true,
      reason: '特別開庁: 転入繁忙期の日曜窓口（承認: 企画財政課長）',
      exception: sundayOpening,
      closesAt: jst('2027-03-28T12:00:00'),
      nextChange: jst('2027-03-28T12:00:00'),
      nextOpen: null,
    });
    expect(hoursAt(jst('2027-03-28T11:59:59.999'), exceptions).open).toBe(true);
    const after = hoursAt(jst('2027-03-28T12:00:00'), exceptions);
    expect(after).toMatchObject({ open: false, reason: '閉庁時間（12:00以降）', exception: sundayOpening });
    expect(after.nextOpen).toBe(jst('2027-03-29T08:30:00'));
    // Without the exception the Sunday stays closed.
    expect(hoursAt(jst('2027-03-28T10:00:00'))).toMatchObject({ open: false, reason: '日曜日', exception: null });
  });

  it('a special opening day pulls nextOpen forward', () => {
    expect(hoursAt(jst('2027-03-26T17:15:00'), exceptions).nextOpen).toBe(jst('2027-03-28T09:00:00'));
    expect(hoursAt(jst('2027-03-27T12:00:00'), exceptions)).toMatchObject({ open: false, reason: '土曜日', exception: null, nextChange: jst('2027-03-28T09:00:00') });
    expect(hoursAt(jst('2027-03-26T17:15:00')).nextOpen).toBe(jst('2027-03-29T08:30:00'));
  });

  it('extends the hours of a working day', () => {
    const s = hoursAt(jst('2027-03-29T17:14:00'), exceptions);
    expect(s).toMatchObject({ open: true, reason: '特別開庁: 年度末の時間延長（承認: 住民課長）', exception: extendedHours });
    expect(s.closesAt).toBe(jst('2027-03-29T19:00:00'));
    expect(hoursAt(jst('2027-03-29T17:15:00'), exceptions).open).toBe(true);
    expect(hoursAt(jst('2027-03-29T18:59:59.999'), exceptions).open).toBe(true);
    const closed = hoursAt(jst('2027-03-29T19:00:00'), exceptions);
    expect(closed).toMatchObject({ open: false, reason: '閉庁時間（19:00以降）', nextOpen: jst('2027-03-30T08:30:00') });
    expect(hoursAt(jst('2027-03-29T08:29:59.999'), exceptions).open).toBe(false);
  });

  it('can shorten a working day and open a year-end day', () => {
    const shortened: CalendarException = { id: 's', date: '2027-03-30', opensAt: '10:00', closesAt: '12:00', reason: 'システム更新', approvedBy: '企画財政課長' };
    expect(hoursAt(jst('2027-03-30T09:00:00'), [shortened])).toMatchObject({ open: false, reason: '開庁時間前（10:00から）' });
    expect(hoursAt(jst('2027-03-30T13:00:00'), [shortened])).toMatchObject({ open: false, reason: '閉庁時間（12:00以降）' });
    const yearEnd: CalendarException = { id: 'y', date: '2026-12-29', opensAt: '08:30', closesAt: '12:00', reason: '年末の証明書交付', approvedBy: '住民課長' };
    expect(hoursAt(jst('2026-12-28T17:15:00'), [yearEnd]).nextOpen).toBe(jst('2026-12-29T08:30:00'));
    expect(hoursAt(jst('2026-12-29T12:00:00'), [yearEnd]).nextOpen).toBe(jst('2027-01-04T08:30:00'));
  });

  it('openingWindow reports the hours of one day', () => {
    expect(openingWindow('2027-03-28')).toBe(null);
    expect(openingWindow('2027-03-28', exceptions)).toEqual({ opensAt: jst('2027-03-28T09:00:00'), closesAt: jst('2027-03-28T12:00:00'), exception: sundayOpening });
    expect(openingWindow('2027-03-31')).toEqual({ opensAt: jst('2027-03-31T08:30:00'), closesAt: jst('2027-03-31T17:15:00'), exception: null });
  });
});

describe('exception validation', () => {
  const ok: CalendarException = { ...sundayOpening };
  it.each<[string, Partial<CalendarException>, RegExp]>([
    ['impossible date', { date: '2027-02-30' }, /日付/],
    ['malformed date', { date: '2027/03/28' }, /日付/],
    ['opensAt after closesAt', { opensAt: '13:00', closesAt: '12:00' }, /より後/],
    ['opensAt equal to closesAt', { opensAt: '12:00', closesAt: '12:00' }, /より後/],
    ['HH:MM without leading zero', { opensAt: '9:00' }, /開庁時刻/],
    ['hour 24', { closesAt: '24:00' }, /閉庁時刻/],
    ['minute 60', { closesAt: '12:60' }, /閉庁時刻/],
    ['no reason', { reason: ' ' }, /理由/],
    ['no approver', { approvedBy: '' }, /承認者/],
    ['no id', { id: '' }, /ID/],
  ])('%s: reported by validation, thrown by assert, ignored by hoursAt', (_name, patch, message) => {
    const e = { ...ok, ...patch };
    const problems = validateCalendarException(e);
    expect(problems.join('\n')).toMatch(message);
    expect(() => assertValidCalendarExceptions([e])).toThrow(CalendarExceptionError);
    // hoursAt must not throw (it runs on a timer with server data): the day follows the regular calendar.
    const s = hoursAt(jst('2027-03-28T10:00:00'), [e]);
    expect(s).toMatchObject({ open: false, reason: '日曜日', exception: null });
    expect(s.ignoredExceptions).toEqual([{ exception: e, problems }]);
  });

  it('accepts a valid list', () => {
    expect(validateCalendarException(ok)).toEqual([]);
    expect(validateCalendarExceptions([sundayOpening, extendedHours])).toEqual([]);
    expect(() => assertValidCalendarExceptions([sundayOpening, extendedHours])).not.toThrow();
    expect(hoursAt(jst('2027-03-28T10:00:00'), [sundayOpening, extendedHours]).ignoredExceptions).toEqual([]);
  });

  it('rejects duplicate ids and two exceptions on one date; hoursAt applies neither of the two', () => {
    const rival: CalendarException = { ...sundayOpening, id: 'other', opensAt: '13:00', closesAt: '16:00' };
    expect(validateCalendarExceptions([sundayOpening, rival]).join()).toMatch(/既に例外/);
    expect(validateCalendarExceptions([sundayOpening, { ...extendedHours, id: sundayOpening.id }]).join()).toMatch(/重複/);
    try {
      assertValidCalendarExceptions([sundayOpening, rival]);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(CalendarExceptionError);
      expect((e as CalendarExceptionError).problems.length).toBeGreaterThan(0);
      expect((e as Error).message).toMatch(/開庁時間の例外設定が不正です/);
    }
    const s = hoursAt(jst('2027-03-28T10:00:00'), [sundayOpening, rival, extendedHours]);
    expect(s).toMatchObject({ open: false, reason: '日曜日', exception: null });
    expect(s.ignoredExceptions.map((i) => i.exception.id)).toEqual(['ex-2027-03-28', 'other']);
    expect(s.ignoredExceptions[0]?.problems.join()).toMatch(/複数/);
    expect(s.nextOpen).toBe(jst('2027-03-29T08:30:00'));
    expect(isOpenAt(jst('2027-03-29T18:00:00'), [sundayOpening, rival, extendedHours])).toBe(true); // the valid one still applies
    expect(openingWindow('2027-03-28', [sundayOpening, rival])).toBe(null);
  });
});

describe('formatting and parsing Japan time', () => {
  it('formats in the Japanese style and as ISO with +09:00', () => {
    const t = jst('2027-01-04T08:30:05.123');
    expect(formatJst(t, 'long')).toBe('2027年1月4日(月) 8:30');
    expect(formatJst(t)).toBe('2027年1月4日(月) 8:30');
    expect(formatJst(t, 'datetime')).toBe('2027年1月4日(月) 8:30');
    expect(formatJst(t, 'long-seconds')).toBe('2027年1月4日(月) 8:30:05');
    expect(formatJst(t, 'date')).toBe('2027年1月4日(月)');
    expect(formatJst(t, 'time')).toBe('8:30');
    expect(formatJst(t, 'ymd')).toBe('2027-01-04');
    expect(formatJst(t, 'iso')).toBe('2027-01-04T08:30:05+09:00');
    expect(formatJst(t, 'iso-ms')).toBe('2027-01-04T08:30:05.123+09:00');
  });

  it('uses the JST day even when UTC is still on the previous day', () => {
    const t = Date.parse('2027-01-03T15:00:00Z'); // 2027-01-04 00:00 JST
    expect(formatJst(t)).toBe('2027年1月4日(月) 0:00');
    expect(jstYmd(t)).toBe('2027-01-04');
    expect(jstYmd(t - 1)).toBe('2027-01-03');
    expect(formatJst(jst('2027-12-31T17:15:00'), 'long')).toBe('2027年12月31日(金) 17:15');
  });

  it('parses instants; no offset means JST', () => {
    expect(parseJstInstant('2027-01-04T08:29:59+09:00')).toBe(jst('2027-01-04T08:29:59'));
    expect(parseJstInstant('2027-01-04T08:29:59')).toBe(jst('2027-01-04T08:29:59'));
    expect(parseJstInstant('2027-01-04T08:30')).toBe(jst('2027-01-04T08:30:00'));
    expect(parseJstInstant('2027-01-03T23:30:00Z')).toBe(jst('2027-01-04T08:30:00'));
    expect(parseJstInstant('2027-01-03T18:30:00-05:00')).toBe(jst('2027-01-04T08:30:00'));
    expect(parseJstInstant('2027-01-04T08:30:00.5+0900')).toBe(jst('2027-01-04T08:30:00.500'));
    expect(parseJstInstant('2027-01-04')).toBe(jst('2027-01-04T00:00:00'));
    for (const bad of ['', 'tomorrow', '2027-01-04T25:00', '2027-02-30T10:00', '2027-01-04T08:60', '2027-01-04T08:30+25:00']) {
      expect(parseJstInstant(bad), bad).toBe(null);
    }
  });
});

describe('independence from the machine time zone, by construction', () => {
  const localGetters = [
    'getFullYear', 'getMonth', 'getDate', 'getDay', 'getHours', 'getMinutes', 'getSeconds',
    'getMilliseconds', 'getTimezoneOffset', 'toLocaleString', 'toLocaleDateString', 'toLocaleTimeString',
    'toString', 'toDateString', 'toTimeString',
  ] as const;
  afterEach(() => vi.restoreAllMocks());

  it('never reads local time', () => {
    for (const name of localGetters) {
      vi.spyOn(Date.prototype, name).mockImplementation(() => {
        throw new Error(`local-time getter Date#${name} used`);
      });
    }
    const exceptions = [sundayOpening, extendedHours];
    expect(closedDays(2026).length).toBeGreaterThan(100);
    expect(closedReason('2026-09-22')).toBe('国民の休日');
    for (const s of ['2027-01-04T08:29:59.999', '2027-01-04T12:00', '2027-03-28T10:00', '2026-12-28T17:15', '2027-03-29T18:00']) {
      hoursAt(parseJstInstant(s) as number, exceptions);
    }
    expect(formatJst(jst('2027-01-04T08:30:00'), 'long')).toBe('2027年1月4日(月) 8:30');
    expect(formatJst(jst('2027-01-04T08:30:00'), 'iso')).toBe('2027-01-04T08:30:00+09:00');
  });

  it(`records the time zone this run used (TZ=${process.env.TZ ?? '(unset)'})`, () => {
    // Informational: calendar-tz.test.ts checks that the child runs really have a different offset.
    expect(typeof new Date(0).getTimezoneOffset()).toBe('number');
  });
});
