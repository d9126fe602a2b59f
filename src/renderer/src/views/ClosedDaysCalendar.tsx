// The closed-days calendar (開庁カレンダー, 第23条): one month, closed days greyed with why, approved
// exceptions (a Sunday opening, extended hours) marked with their hours and who approved them.
import { useState } from 'react';
import { calendarMonth, type CalendarException } from '../../../domain/calendar';

export function ClosedDaysCalendar(props: { exceptions: readonly CalendarException[]; initialYear: number; initialMonth: number }) {
  const [ym, setYm] = useState({ year: props.initialYear, month: props.initialMonth });
  const month = calendarMonth(ym.year, ym.month, props.exceptions);
  const step = (delta: number) =>
    setYm(({ year, month: m }) => {
      const index = year * 12 + (m - 1) + delta;
      return { year: Math.floor(index / 12), month: (index % 12) + 1 };
    });
  return (
    <section className="month-calendar" data-testid="closed-days-calendar" aria-label="開庁カレンダー">
      <header className="month-calendar-head">
        <button type="button" className="small secondary" onClick={() => step(-1)} aria-label="前の月">
          ‹ 前月
        </button>
        <h3 data-testid="calendar-month-label">
          {month.year}年{month.month}月
        </h3>
        <button type="button" className="small secondary" onClick={() => step(1)} aria-label="次の月">
          次月 ›
        </button>
      </header>
      <table>
        <thead>
          <tr>
            {['日', '月', '火', '水', '木', '金', '土'].map((w) => (
              <th key={w}>{w}</th>
            ))}
          </tr>
        </thead>
        <tbody>
          {month.weeks.map((week, i) => (
            <tr key={i}>
              {week.map((day, j) =>
                day === null ? (
                  <td key={j} className="day-pad" />
                ) : (
                  <td
                    key={day.date}
                    className={`day ${day.exception ? 'day-exception' : day.open ? 'day-open' : 'day-closed'}`}
                    data-date={day.date}
                    title={day.exception?.label ?? day.closedReason ?? day.hours ?? ''}
                  >
                    <span className="day-number">{day.day}</span>
                    <span className="day-note">{day.exception ? `特別 ${day.hours}` : day.open ? '' : (day.closedReason ?? '閉庁')}</span>
                  </td>
                ),
              )}
            </tr>
          ))}
        </tbody>
      </table>
      <p className="month-calendar-legend">灰色: 閉庁日（土日・祝日・年末年始）　緑: 承認済みの特別開庁・時間延長（時刻つき）</p>
    </section>
  );
}
