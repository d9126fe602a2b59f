// Display helpers for the renderer; Japan time regardless of the PC's time zone.
const JST_OFFSET_MS = 9 * 3600_000;
const WEEKDAYS = ['日', '月', '火', '水', '木', '金', '土'];

export function formatClock(epochMs: number): string {
  const d = new Date(epochMs + JST_OFFSET_MS);
  const hh = String(d.getUTCHours()).padStart(2, '0');
  const mm = String(d.getUTCMinutes()).padStart(2, '0');
  return `${d.getUTCFullYear()}年${d.getUTCMonth() + 1}月${d.getUTCDate()}日(${WEEKDAYS[d.getUTCDay()]}) ${hh}:${mm}`;
}

/** "14:05", or "11月24日 14:05" when not today (Japan time). */
export function formatTime(epochMs: number, nowMs: number = Date.now()): string {
  const d = new Date(epochMs + JST_OFFSET_MS);
  const today = new Date(nowMs + JST_OFFSET_MS);
  const hhmm = `${String(d.getUTCHours()).padStart(2, '0')}:${String(d.getUTCMinutes()).padStart(2, '0')}`;
  const sameDay = d.getUTCFullYear() === today.getUTCFullYear() && d.getUTCMonth() === today.getUTCMonth() && d.getUTCDate() === today.getUTCDate();
  return sameDay ? hhmm : `${d.getUTCMonth() + 1}月${d.getUTCDate()}日 ${hhmm}`;
}
