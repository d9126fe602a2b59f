// Calendar exceptions on the central server (第23条 "原則として"): approval and withdrawal by an
// authorised person, one per date, logged in server_events; and a roster that still downloads when
// the calendar_exceptions table holds rows an old version or a person inserted by hand.
// Real SQLite in a temp dir, real HTTP on 127.0.0.1.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { adminError } from '../support/admin-error';
import { exceptionLabel, hoursAt } from '../../src/domain/calendar';
import {
  approveCalendarException,
  listCalendarExceptionsForAdmin,
  withdrawCalendarException,
} from '../../src/server/admin/calendar-exceptions';
import { startServer, type RunningServer } from '../../src/server/app';
import { seedDemoTown } from '../../src/server/demo/seed';
import { MAX_ROSTER_CALENDAR_EXCEPTIONS } from '../../src/server/services/roster';
import { listEvents } from '../../src/server/store/events';
import { RosterResponseSchema, TerminalCredentialSchema, type RosterResponse, type TerminalCredential } from '../../src/shared/server-api';

const START = Date.parse('2026-11-25T10:00:00+09:00'); // a Wednesday
const clock = { t: START, now(): number { return this.t; } };

let dataDir: string;
let server: RunningServer;
let credential: TerminalCredential;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'kumiyama-server-calendar-'));
  server = await startServer({ dataDir, port: 0, clock });
  await seedDemoTown(server.db, { dataDir, clock, serverUrl: server.url });
  credential = TerminalCredentialSchema.parse(JSON.parse(readFileSync(join(dataDir, 'demo-terminal.json'), 'utf8')));
});

afterAll(async () => {
  await server?.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

beforeEach(() => {
  clock.t = START;
  server.db.prepare('DELETE FROM calendar_exceptions').run();
});

async function fetchRoster(): Promise<{ status: number; roster: RosterResponse }> {
  const response = await fetch(`${server.url}/api/v1/roster`, { headers: { authorization: `Terminal ${credential.terminalId}:${credential.secret}` } });
  const body: unknown = await response.json();
  return { status: response.status, roster: RosterResponseSchema.parse(body) };
}

function insertRow(row: { id: string; date: string; opensAt?: string; closesAt?: string; reason?: string; approvedBy?: string }): void {
  server.db
    .prepare('INSERT INTO calendar_exceptions (id, date, opens_at, closes_at, reason, approved_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)')
    .run(row.id, row.date, row.opensAt ?? '09:00', row.closesAt ?? '12:00', row.reason ?? '手入力', row.approvedBy ?? '住民課長', clock.now());
}


const SUNDAY = { date: '2027-03-28', opensAt: '08:30', closesAt: '12:00', reason: '転入転出の繁忙期の日曜窓口' };

describe('approve-exception', () => {
  it('stores the approver by role and name, logs who/what/why, and the roster sends it', async () => {
    const { exception, replaced, past } = approveCalendarException(server.db, { ...SUNDAY, by: 'op-suzuki', clock });
    expect(exception).toMatchObject({ ...SUNDAY, approvedBy: '情報保護管理者 鈴木 一郎' });
    expect(exception.id).toMatch(/^exc-2027-03-28-[0-9a-f]{6}$/);
    expect(replaced).toEqual([]);
    expect(past).toBe(false);

    const event = listEvents(server.db, { kind: 'calendar-exception-approved' }).at(-1);
    expect(event).toMatchObject({
      at: START,
      operatorId: 'op-suzuki',
      detail: { exceptionId: exception.id, ...SUNDAY, approvedBy: '情報保護管理者 鈴木 一郎', by: 'op-suzuki', byName: '鈴木 一郎', byRole: 'manager', regularDay: '日曜日のため閉庁', replaced: [] },
    });

    const { status, roster } = await fetchRoster();
    expect(status).toBe(200);
    expect(roster.calendarExceptions).toEqual([exception]);
    // What the terminal makes of it.
    const at = Date.parse('2027-03-28T10:00:00+09:00');
    expect(hoursAt(at, roster.calendarExceptions)).toMatchObject({ open: true, reason: exceptionLabel(exception) });
    expect(exceptionLabel(exception)).toBe('特別開庁: 転入転出の繁忙期の日曜窓口（承認: 情報保護管理者 鈴木 一郎）');
  });

  it('allows the system administrator; refuses operators, retired and unknown people', () => {
    expect(approveCalendarException(server.db, { ...SUNDAY, by: 'op-takahashi', clock }).exception.approvedBy).toBe('システム管理者 高橋 美咲');
    server.db.prepare('DELETE FROM calendar_exceptions').run();
    const before = listEvents(server.db, { kind: 'calendar-exception-approved' }).length;
    expect(adminError(() => approveCalendarException(server.db, { ...SUNDAY, by: 'op-yamada', clock })).code).toBe('not-authorised');
    expect(adminError(() => approveCalendarException(server.db, { ...SUNDAY, by: 'op-retired', clock })).code).toBe('admin-retired');
    expect(adminError(() => approveCalendarException(server.db, { ...SUNDAY, by: 'op-nobody', clock })).code).toBe('unknown-admin');
    expect(listCalendarExceptionsForAdmin(server.db)).toEqual([]);
    expect(listEvents(server.db, { kind: 'calendar-exception-approved' })).toHaveLength(before);
  });

  it("refuses bad input with the domain's Japanese messages and stores nothing", () => {
    const error = adminError(() =>
      approveCalendarException(server.db, { date: '2027-02-30', opensAt: '12:00', closesAt: '8:00', reason: ' ', by: 'op-suzuki', clock }),
    );
    expect(error.code).toBe('invalid-exception');
    expect(error.japanese).toContain('日付はYYYY-MM-DD形式の実在する日付にしてください（2027-02-30）');
    expect(error.japanese).toContain('閉庁時刻はHH:MM形式（00:00〜23:59）にしてください（8:00）');
    expect(error.japanese).toContain('理由を記入してください');
    expect(adminError(() => approveCalendarException(server.db, { ...SUNDAY, opensAt: '12:00', closesAt: '08:30', by: 'op-suzuki', clock })).japanese).toContain(
      '閉庁時刻（08:30）は開庁時刻（12:00）より後にしてください',
    );
    expect(adminError(() => approveCalendarException(server.db, { ...SUNDAY, reason: 'あ'.repeat(201), by: 'op-suzuki', clock })).japanese).toContain('200文字以内');
    expect(adminError(() => approveCalendarException(server.db, { ...SUNDAY, reason: '一行目\n二行目', by: 'op-suzuki', clock })).japanese).toContain('改行');
    expect(listCalendarExceptionsForAdmin(server.db)).toEqual([]);
  });

  it('allows one exception per date: a second is refused unless --replace, which logs what it replaced', async () => {
    const first = approveCalendarException(server.db, { ...SUNDAY, by: 'op-suzuki', clock }).exception;
    const refused = adminError(() => approveCalendarException(server.db, { ...SUNDAY, closesAt: '15:00', by: 'op-takahashi', clock }));
    expect(refused.code).toBe('exception-exists');
    expect(refused.japanese).toContain('2027-03-28（日） には既に例外があります');
    expect(refused.japanese).toContain('--replace');
    expect(refused.english).toContain('--replace');

    clock.t += 60_000;
    const second = approveCalendarException(server.db, { ...SUNDAY, closesAt: '15:00', by: 'op-takahashi', replace: true, clock });
    expect(second.replaced.map((r) => r.id)).toEqual([first.id]);
    expect(listCalendarExceptionsForAdmin(server.db).map((l) => l.row.id)).toEqual([second.exception.id]);
    expect(listEvents(server.db, { kind: 'calendar-exception-approved' }).at(-1)?.detail).toMatchObject({
      closesAt: '15:00',
      by: 'op-takahashi',
      replaced: [expect.objectContaining({ id: first.id, closesAt: '12:00', approvedBy: '情報保護管理者 鈴木 一郎' })],
    });
    expect((await fetchRoster()).roster.calendarExceptions).toEqual([second.exception]);
  });
});

describe('withdraw-exception', () => {
  it('removes the exception of a date and logs who withdrew what and why', async () => {
    const { exception } = approveCalendarException(server.db, { ...SUNDAY, by: 'op-suzuki', clock });
    expect(adminError(() => withdrawCalendarException(server.db, { date: SUNDAY.date, reason: '中止', by: 'op-sato', clock })).code).toBe('not-authorised');
    expect(adminError(() => withdrawCalendarException(server.db, { date: SUNDAY.date, reason: '  ', by: 'op-suzuki', clock })).japanese).toContain('取り下げの理由を記入してください');
    expect(adminError(() => withdrawCalendarException(server.db, { date: '2027-03-29', reason: '中止', by: 'op-suzuki', clock })).code).toBe('no-exception');

    clock.t += 3_600_000;
    const { withdrawn } = withdrawCalendarException(server.db, { date: SUNDAY.date, reason: '応援職員を確保できないため中止', by: 'op-takahashi', clock });
    expect(withdrawn.map((r) => r.id)).toEqual([exception.id]);
    expect(listEvents(server.db, { kind: 'calendar-exception-withdrawn' }).at(-1)).toMatchObject({
      at: START + 3_600_000,
      operatorId: 'op-takahashi',
      detail: {
        exceptionId: exception.id,
        ...SUNDAY,
        approvedBy: '情報保護管理者 鈴木 一郎',
        approvedAt: new Date(START).toISOString(),
        withdrawReason: '応援職員を確保できないため中止',
        by: 'op-takahashi',
        byName: '高橋 美咲',
        byRole: 'sysadmin',
      },
    });
    expect((await fetchRoster()).roster.calendarExceptions).toEqual([]);
  });

  it('removes a malformed row by its id', () => {
    insertRow({ id: 'old-1', date: '2027-4-4' });
    expect(listCalendarExceptionsForAdmin(server.db)[0]?.problems.join('')).toContain('実在する日付');
    withdrawCalendarException(server.db, { id: 'old-1', reason: '不正な行の削除', by: 'op-suzuki', clock });
    expect(listCalendarExceptionsForAdmin(server.db)).toEqual([]);
  });
});

describe('roster with bad calendar rows', () => {
  it('still downloads: invalid rows are left out and recorded once each as an integrity problem', async () => {
    const good = approveCalendarException(server.db, { ...SUNDAY, by: 'op-suzuki', clock }).exception;
    insertRow({ id: 'long-reason', date: '2027-04-04', reason: 'x'.repeat(201) }); // the terminal's schema would refuse the whole roster
    insertRow({ id: 'bad-date', date: '2027-02-30' });
    insertRow({ id: 'bad-time', date: '2027-04-11', opensAt: '25:00' });
    insertRow({ id: 'backwards', date: '2027-04-18', opensAt: '12:00', closesAt: '09:00' });
    insertRow({ id: 'blank-approver', date: '2027-04-25', approvedBy: '   ' });
    insertRow({ id: 'x'.repeat(65), date: '2027-05-02' });
    insertRow({ id: 'twin-a', date: '2027-05-09' }); // two on one date: neither applies (domain rule)
    insertRow({ id: 'twin-b', date: '2027-05-09', closesAt: '16:00' });
    const badIds = ['long-reason', 'bad-date', 'bad-time', 'backwards', 'blank-approver', 'x'.repeat(65), 'twin-a', 'twin-b'];
    const integrityBefore = listEvents(server.db, { kind: 'integrity-problem' }).length;

    const first = await fetchRoster();
    expect(first.status).toBe(200);
    expect(first.roster.operators.length).toBeGreaterThan(0);
    expect(first.roster.calendarExceptions).toEqual([good]);

    const problems = listEvents(server.db, { kind: 'integrity-problem' }).slice(integrityBefore);
    expect(problems.map((e) => e.detail.exceptionId).sort()).toEqual([...badIds].sort());
    for (const event of problems) {
      expect(event.terminalId).toBe(credential.terminalId);
      expect(event.detail).toMatchObject({ table: 'calendar_exceptions', rowid: expect.any(Number), problems: [expect.any(String)] });
    }
    expect(problems.find((e) => e.detail.exceptionId === 'twin-a')?.detail.problems).toEqual([expect.stringContaining('2027-05-09 に例外が複数あります')]);

    // Not again on the next fetches of this process.
    await fetchRoster();
    await fetchRoster();
    expect(listEvents(server.db, { kind: 'integrity-problem' })).toHaveLength(integrityBefore + badIds.length);
    // A row that changes is a new problem.
    server.db.prepare("UPDATE calendar_exceptions SET reason = 'y' || reason WHERE id = 'long-reason'").run();
    await fetchRoster();
    expect(listEvents(server.db, { kind: 'integrity-problem' })).toHaveLength(integrityBefore + badIds.length + 1);

    // The admin list shows every row, the invalid ones with their reasons.
    const listed = listCalendarExceptionsForAdmin(server.db);
    expect(listed).toHaveLength(badIds.length + 1);
    expect(listed.filter((l) => l.problems.length === 0).map((l) => l.row.id)).toEqual([good.id]);
  });

  it('sends the exceptions from yesterday (JST) on, nearest first, at most the contract allows', async () => {
    clock.t = Date.parse('2027-03-28T00:30:00+09:00'); // just after midnight: yesterday may still matter
    insertRow({ id: 'long-ago', date: '2027-03-20' });
    insertRow({ id: 'yesterday', date: '2027-03-27' });
    insertRow({ id: 'today', date: '2027-03-28' });
    const insert = server.db.transaction(() => {
      for (let i = 1; i <= MAX_ROSTER_CALENDAR_EXCEPTIONS; i++) {
        const date = new Date(Date.UTC(2027, 2, 28 + i)).toISOString().slice(0, 10);
        insertRow({ id: `future-${String(i).padStart(4, '0')}`, date });
      }
    });
    insert();
    const { status, roster } = await fetchRoster();
    expect(status).toBe(200);
    expect(roster.calendarExceptions).toHaveLength(MAX_ROSTER_CALENDAR_EXCEPTIONS);
    expect(roster.calendarExceptions.slice(0, 3).map((e) => e.id)).toEqual(['yesterday', 'today', 'future-0001']);
    expect(roster.calendarExceptions.at(-1)?.id).toBe(`future-${String(MAX_ROSTER_CALENDAR_EXCEPTIONS - 2).padStart(4, '0')}`);
    const overflow = listEvents(server.db, { kind: 'integrity-problem' }).filter((e) => String(e.detail.exceptionId).startsWith('future-'));
    expect(overflow.map((e) => e.detail.exceptionId)).toEqual([
      `future-${String(MAX_ROSTER_CALENDAR_EXCEPTIONS - 1).padStart(4, '0')}`,
      `future-${String(MAX_ROSTER_CALENDAR_EXCEPTIONS).padStart(4, '0')}`,
    ]);
  });
});
