// 開庁カレンダー CLI (運用規程 第23条)
//   npm run calendar -- 2027                                  closed days of 2027, one per line, and a total
//   npm run calendar -- --at 2027-01-04T08:29:59+09:00        open/closed at that instant, why, next change
//   npm run calendar -- --at 2027-01-03T10:00 --exceptions exceptions.json
//   npm run calendar -- --help
// Exit codes: 0 ok, 2 bad input (message in Japanese on stderr), 1 unexpected failure.
import { readFileSync } from 'node:fs';
import {
  CalendarExceptionError,
  HOLIDAY_DATA_FIRST_YEAR,
  HOLIDAY_DATA_LAST_YEAR,
  closedDays,
  formatJst,
  hoursAt,
  parseJstInstant,
  validateCalendarExceptions,
  type CalendarException,
} from '../../domain/calendar/index';

const USAGE = `使い方:
  npm run calendar -- <西暦年>
      その年の閉庁日（土日・祝日・振替休日・国民の休日・年末年始）を一覧表示します。
      例: npm run calendar -- 2027
  npm run calendar -- --at <日時> [--exceptions <ファイル>]
      その日時（日本時間）に開庁しているか、理由、次に開庁／閉庁する日時を表示します。
      日時は ISO 8601 形式（例: 2027-01-04T08:29:59+09:00）。時差の指定がなければ日本時間とみなします。
      --exceptions には承認済みの例外（特別開庁・時間延長）の JSON 配列ファイルを指定できます:
        [{"id":"x1","date":"2027-03-28","opensAt":"09:00","closesAt":"12:00","reason":"転入繁忙期の日曜窓口","approvedBy":"企画財政課長"}]
  npm run calendar -- --help
      この説明を表示します。

開庁時間: 町の休日を除く日の 8:30〜17:15（日本時間）。
祝日データの対応範囲: ${HOLIDAY_DATA_FIRST_YEAR}年〜${HOLIDAY_DATA_LAST_YEAR}年。
終了コード: 0 正常、2 入力の誤り。`;

class UsageError extends Error {}

interface Options {
  help: boolean;
  year?: number;
  at?: string;
  exceptionsFile?: string;
}

function parseArgs(argv: readonly string[]): Options {
  const opts: Options = { help: false };
  const positional: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const [flag, inline] = arg.startsWith('--') && arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const value = (): string => {
      const v = inline ?? argv[++i];
      if (v === undefined || v === '') throw new UsageError(`${flag} には値を指定してください。`);
      return v;
    };
    if (flag === '--help' || flag === '-h') opts.help = true;
    else if (flag === '--at') opts.at = value();
    else if (flag === '--exceptions') opts.exceptionsFile = value();
    else if (arg.startsWith('-') && !/^-?\d+$/.test(arg)) throw new UsageError(`不明なオプションです: ${arg}`);
    else positional.push(arg);
  }
  if (opts.help) return opts;
  if (positional.length > 1) throw new UsageError(`引数が多すぎます: ${positional.join(' ')}`);
  const [yearArg] = positional;
  if (yearArg !== undefined && opts.at !== undefined) throw new UsageError('西暦年と --at は同時に指定できません。');
  if (yearArg === undefined && opts.at === undefined) throw new UsageError('西暦年か --at <日時> を指定してください。');
  if (opts.exceptionsFile !== undefined && opts.at === undefined) throw new UsageError('--exceptions は --at と一緒に指定してください。');
  if (yearArg !== undefined) {
    if (!/^\d{4}$/.test(yearArg)) throw new UsageError(`西暦年は4桁の数字で指定してください: ${yearArg}`);
    const year = Number(yearArg);
    if (year < HOLIDAY_DATA_FIRST_YEAR || year > HOLIDAY_DATA_LAST_YEAR) {
      throw new UsageError(`祝日データの範囲外の年です: ${yearArg}（対応範囲 ${HOLIDAY_DATA_FIRST_YEAR}年〜${HOLIDAY_DATA_LAST_YEAR}年）`);
    }
    opts.year = year;
  }
  return opts;
}

function loadExceptions(file: string): CalendarException[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new UsageError(`例外ファイルを読めません: ${file}（${(e as NodeJS.ErrnoException).code ?? String(e)}）`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw new UsageError(`例外ファイルが JSON として読めません: ${file}`);
  }
  if (!Array.isArray(data) || data.some((e) => typeof e !== 'object' || e === null)) {
    throw new UsageError(`例外ファイルは例外オブジェクトの JSON 配列にしてください: ${file}`);
  }
  const list = data as CalendarException[];
  const problems = validateCalendarExceptions(list);
  if (problems.length > 0) throw new UsageError(`例外ファイルに誤りがあります: ${file}\n  ${problems.join('\n  ')}`);
  return list;
}

function printYear(year: number): void {
  const days = closedDays(year);
  const lines = days.map((d) => `${d.date} (${d.weekday}) ${d.reason}`);
  lines.push(`合計: ${days.length}日（${year}年の閉庁日）`);
  process.stdout.write(`${lines.join('\n')}\n`);
}

function printAt(at: string, exceptions: readonly CalendarException[]): void {
  const t = parseJstInstant(at);
  if (t === null) throw new UsageError(`日時の形式が不正です: ${at}（例: 2027-01-04T08:29:59+09:00）`);
  const s = hoursAt(t, exceptions);
  const when = (ms: number): string => `${formatJst(ms, 'long')} (${formatJst(ms, 'iso')})`;
  const lines = [
    `日時: ${formatJst(t, 'long-seconds')} (${formatJst(t, t % 1000 === 0 ? 'iso' : 'iso-ms')})`,
    `状態: ${s.open ? '開庁' : '閉庁'}`,
    `理由: ${s.reason}`,
    `次の切替: ${when(s.nextChange)} ${s.open ? '閉庁' : '開庁'}`,
  ];
  if (s.exception && !s.open) lines.push(`例外: ${s.exception.opensAt}〜${s.exception.closesAt} ${s.exception.reason}（承認: ${s.exception.approvedBy}）`);
  if (!s.holidayDataCovered) lines.push(`注意: 祝日データの範囲外（${HOLIDAY_DATA_FIRST_YEAR}年〜${HOLIDAY_DATA_LAST_YEAR}年以外）のため、祝日は考慮されていません。`);
  process.stdout.write(`${lines.join('\n')}\n`);
}

function main(argv: readonly string[]): number {
  try {
    const opts = parseArgs(argv);
    if (opts.help) {
      process.stdout.write(`${USAGE}\n`);
      return 0;
    }
    if (opts.year !== undefined) printYear(opts.year);
    else printAt(opts.at as string, opts.exceptionsFile ? loadExceptions(opts.exceptionsFile) : []);
    return 0;
  } catch (e) {
    if (e instanceof UsageError || e instanceof CalendarExceptionError || e instanceof RangeError) {
      process.stderr.write(`エラー: ${e.message}\n（使い方は --help で表示します）\n`);
      return 2;
    }
    process.stderr.write(`予期しないエラー: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    return 1;
  }
}

process.exitCode = main(process.argv.slice(2));
