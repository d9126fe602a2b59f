import { describe, expect, it } from 'vitest';
import { calendarMonth } from '../../src/domain/calendar';

const sunday = { id: 'x1', date: '2026-12-06', opensAt: '09:00', closesAt: '12:00', reason: '選挙のため臨時開庁', approvedBy: '情報保護管理者 鈴木 一郎' };

describe('calendarMonth (the closed-days calendar)', () => {
  it('lays out December 2026 from Sunday, with weekends, the year-end days and regular hours', () => {
    const m = calendarMonth(2026, 12);
    expect(m.weeks[0]!.slice(0, 2)).toEqual([null, null]); // 2026-12-01 is a Tuesday
    const days = m.weeks.flat().filter((d) => d !== null);
    expect(days).toHaveLength(31);
    expect(m.weeks.every((w) => w.length === 7)).toBe(true);
    const first = days[0]!;
    expect(first).toMatchObject({ date: '2026-12-01', weekday: '火', open: true, hours: '8:30–17:15', closedReason: null, exception: null });
    expect(days.find((d) => d.date === '2026-12-06')).toMatchObject({ open: false, hours: null, weekday: '日' });
    expect(days.find((d) => d.date === '2026-12-29')).toMatchObject({ open: false });
    expect(days.find((d) => d.date === '2026-12-29')!.closedReason).toMatch(/年末/);
  });

  it('shows an approved Sunday opening with its hours and label', () => {
    const d = calendarMonth(2026, 12, [sunday]).weeks.flat().find((x) => x?.date === '2026-12-06')!;
    expect(d).toMatchObject({ open: true, hours: '9:00–12:00', exception: { id: 'x1', label: '特別開庁: 選挙のため臨時開庁（承認: 情報保護管理者 鈴木 一郎）' } });
    expect(d.closedReason).toBe('日曜日');
  });

  it('a national holiday is closed with its name; bad months are refused', () => {
    const d = calendarMonth(2026, 11).weeks.flat().find((x) => x?.date === '2026-11-23')!;
    expect(d.open).toBe(false);
    expect(d.closedReason).toContain('勤労感謝の日');
    expect(() => calendarMonth(2026, 13)).toThrow(RangeError);
  });
});
