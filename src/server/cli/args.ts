// Command-line parsing for `npm run server`. Pure apart from path resolution; errors carry a
// Japanese and an English text and end the process with exit code 2.
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { OperatorIdSchema, PurposeCategoryIdSchema, TerminalIdSchema } from '../../shared/server-api';
import { DEFAULT_HOST, DEFAULT_PORT, isLoopbackHost, LOOPBACK_HOSTS, type LoopbackHost } from '../loopback';
import { PASSWORD_EXPIRY_DAYS_DEFAULT } from '../../domain/password';
import { DEFAULT_CHECKPOINT_INTERVAL_MS } from '../services/log-checkpoints';
import { DEFAULT_LOG_RETENTION_DAYS, MAX_LOG_RETENTION_DAYS } from '../services/log-retention';
import { MAX_SEED_RESIDENTS } from '../admin/residents';

/** The synthetic town's seed when `seed-residents` is given none. */
export const DEFAULT_RESIDENT_SEED = 1;
/** Most residents one `touch-residents` moves. */
export const MAX_TOUCH_RESIDENTS = 100_000;
const MAX_SEED = 4_294_967_295;

export const DEFAULT_DATA_DIR = './.data/server';

export class CliUsageError extends Error {
  override name = 'CliUsageError';
  constructor(
    readonly japanese: string,
    readonly english: string,
  ) {
    super(`${japanese} (${english})`);
  }
}

export type CliCommand =
  | { kind: 'help' }
  | {
      kind: 'serve';
      dataDir: string;
      port: number;
      host: LoopbackHost;
      demo: boolean;
      passwordExpiryDays: number;
      /** Only when given (the server applies its defaults). */
      logRetentionDays?: number;
      checkpointIntervalSeconds?: number;
    }
  | { kind: 'verify'; dataDir: string; publicKeys: string[] }
  | { kind: 'index-log'; dataDir: string; rebuild: boolean }
  | { kind: 'seed-demo'; dataDir: string }
  | { kind: 'seed-history'; dataDir: string; from?: string; days?: number; terminals?: number; operators?: number; seed?: number; plantsOut?: string }
  | { kind: 'register-terminal'; dataDir: string; name: string; out: string; id?: string; serverUrl: string }
  | { kind: 'retire-terminal'; dataDir: string; terminalId: string }
  | { kind: 'release-lockout'; dataDir: string; operatorId: string; by: string }
  | { kind: 'set-temporary-password'; dataDir: string; operatorId: string; by: string }
  | { kind: 'approve-exception'; dataDir: string; date: string; opensAt: string; closesAt: string; reason: string; by: string; replace: boolean }
  | { kind: 'withdraw-exception'; dataDir: string; date?: string; id?: string; reason: string; by: string }
  | { kind: 'list-exceptions'; dataDir: string }
  | { kind: 'set-purpose-category'; dataDir: string; id: string; label: string; needsCaseNumber: boolean; by: string; reason?: string }
  | { kind: 'retire-purpose-category'; dataDir: string; id: string; reason: string; by: string }
  | { kind: 'list-purpose-categories'; dataDir: string }
  | { kind: 'seed-residents'; dataDir: string; count: number; seed: number; replace: boolean }
  | { kind: 'touch-residents'; dataDir: string; count: number; seed?: number };

export const USAGE = `使い方 (usage):
  npm run server -- [--port N] [--host 127.0.0.1|::1] [--data-dir DIR] [--demo] [--password-expiry-days N]
                    [--log-retention-days N] [--checkpoint-interval-seconds N]
      中央サーバーを起動します (start the server; default port ${DEFAULT_PORT}, host ${DEFAULT_HOST}, data dir ${DEFAULT_DATA_DIR})
      --demo: データディレクトリが空ならデモ町を作成します (seed the demo town when the data dir is empty)
      --log-retention-days: 操作ログの保存日数 (operation log retention, default ${DEFAULT_LOG_RETENTION_DAYS} = 7年)
      --checkpoint-interval-seconds: 署名付きチェックポイントの間隔 (signed checkpoint interval, default ${DEFAULT_CHECKPOINT_INTERVAL_MS / 1000})
  npm run server -- verify [--data-dir DIR] [--public-key FILE]...
      保存済みの操作ログとチェックポイントを最初から検証します。問題なし: 終了コード 0、問題あり: 1
      (re-verify the stored operation log and checkpoints; --public-key: trust only these checkpoint keys)
  npm run server -- index-log [--rebuild] [--data-dir DIR]
      操作ログの検索用索引を最新にします。--rebuild: 索引を作り直します (サーバー停止中に実行してください)
      (bring the audit query index of the operation log up to date; --rebuild: build it again from scratch)
  npm run server -- seed-demo [--data-dir DIR]
  npm run server -- seed-history [--from YYYY-MM-DD] [--days N] [--terminals N] [--operators N] [--seed S] [--plants-out FILE] [--data-dir DIR]
      点検用の合成の操作履歴（不正利用の仕込みあり）を生成してサーバーに取り込みます（既定: 昨日までの91日、端末4台、操作者8人、
      シードはデモの町と同じ）。仕込んだ事例を --plants-out に JSON で書きます
      (generate a synthetic operation history with planted misuse into the server, as if ingested; planted cases to --plants-out)
      デモ町を作成して終了します (seed the demo town and exit)
  npm run server -- register-terminal --name 名前 --out FILE [--id term-xxx] [--server-url URL] [--data-dir DIR]
      端末を登録し資格情報ファイルを書き出します (register a terminal, write its credential file)
  npm run server -- retire-terminal <terminalId> [--data-dir DIR]
      端末を廃止します (retire a terminal: its credential stops working)
  npm run server -- release-lockout <operatorId> --by <adminOperatorId> [--data-dir DIR]
      ロックアウトを解除します (release a lockout; --by: 情報保護管理者 or システム管理者)
  npm run server -- set-temporary-password <operatorId> --by <adminOperatorId> [--data-dir DIR]
      仮パスワードを設定し一度だけ表示します (set a temporary password, printed once)
  npm run server -- approve-exception --date YYYY-MM-DD --opens HH:MM --closes HH:MM --reason 理由 --by <adminOperatorId> [--replace] [--data-dir DIR]
      開庁時間の例外 (特別開庁日・時間変更) を承認します。1日1件: 既にある日は --replace で置き換え
      (approve a special opening day or changed hours for one date; --by: 情報保護管理者 or システム管理者)
  npm run server -- withdraw-exception (--date YYYY-MM-DD | --id <exceptionId>) --reason 理由 --by <adminOperatorId> [--data-dir DIR]
      開庁時間の例外を取り下げます (withdraw an exception)
  npm run server -- list-exceptions [--data-dir DIR]
      開庁時間の例外を一覧表示します。端末に送信されない不正な例外も表示 (list exceptions, invalid ones flagged)
  npm run server -- set-purpose-category --id ID --label 名前 [--needs-case-number] --by <managerId> [--reason 理由] [--data-dir DIR]
      検索目的の区分を追加・変更します。既存のIDなら名前と受付番号の要否を書き換え、廃止済みなら再び有効に。
      --needs-case-number: 受付番号が必須 (付けなければ不要: 番号か目的の内容)。--by: 情報保護管理者のみ
      (add or change a search purpose category; --needs-case-number: a receipt/case number is required;
       --by: the information-protection manager only, not the system administrator)
  npm run server -- retire-purpose-category --id ID --reason 理由 --by <managerId> [--data-dir DIR]
      検索目的の区分を廃止します (IDは残り、過去の記録の意味は変わりません。最後の1件は廃止不可)
      (retire a category: its id stays for old records; the last active one cannot be retired)
  npm run server -- list-purpose-categories [--data-dir DIR]
      検索目的の区分を一覧表示します (廃止済みも表示) (list the purpose categories, retired ones too)
  npm run server -- seed-residents --count N [--seed S] [--replace] [--data-dir DIR]
      住民ディレクトリに合成データ (架空の町の架空の住民) を N 人登録します (1〜${MAX_SEED_RESIDENTS}、--seed 既定 ${DEFAULT_RESIDENT_SEED})。
      登録済みなら --replace で置き換え (新しいエポック: 端末の複製は作り直し)
      (fill the resident directory with N synthetic residents; --replace empties it first, new epoch)
  npm run server -- touch-residents --count N [--seed S] [--data-dir DIR]
      住民 N 人を町内で転居させます (合成データ、変更の配信の確認用。--seed 既定: 現在の最新版番号)
      (move N residents within the town: new versions for the change feed; for tests)`;

const COMMANDS = [
  'verify',
  'index-log',
  'seed-demo',
  'seed-history',
  'register-terminal',
  'retire-terminal',
  'release-lockout',
  'set-temporary-password',
  'approve-exception',
  'withdraw-exception',
  'list-exceptions',
  'set-purpose-category',
  'retire-purpose-category',
  'list-purpose-categories',
  'seed-residents',
  'touch-residents',
] as const;

const OPTIONS = {
  port: { type: 'string' },
  host: { type: 'string' },
  'data-dir': { type: 'string' },
  demo: { type: 'boolean' },
  'password-expiry-days': { type: 'string' },
  'log-retention-days': { type: 'string' },
  'checkpoint-interval-seconds': { type: 'string' },
  'public-key': { type: 'string', multiple: true },
  name: { type: 'string' },
  out: { type: 'string' },
  id: { type: 'string' },
  'server-url': { type: 'string' },
  by: { type: 'string' },
  date: { type: 'string' },
  opens: { type: 'string' },
  closes: { type: 'string' },
  reason: { type: 'string' },
  replace: { type: 'boolean' },
  rebuild: { type: 'boolean' },
  label: { type: 'string' },
  'needs-case-number': { type: 'boolean' },
  count: { type: 'string' },
  seed: { type: 'string' },
  from: { type: 'string' },
  days: { type: 'string' },
  terminals: { type: 'string' },
  operators: { type: 'string' },
  'plants-out': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

type Values = {
  [K in keyof typeof OPTIONS]?: (typeof OPTIONS)[K] extends { multiple: true } ? string[] : (typeof OPTIONS)[K]['type'] extends 'boolean' ? boolean : string;
};

const ALLOWED: Record<string, (keyof typeof OPTIONS)[]> = {
  serve: ['port', 'host', 'data-dir', 'demo', 'password-expiry-days', 'log-retention-days', 'checkpoint-interval-seconds'],
  verify: ['data-dir', 'public-key'],
  'index-log': ['data-dir', 'rebuild'],
  'seed-demo': ['data-dir'],
  'seed-history': ['data-dir', 'from', 'days', 'terminals', 'operators', 'seed', 'plants-out'],
  'register-terminal': ['data-dir', 'name', 'out', 'id', 'server-url'],
  'retire-terminal': ['data-dir'],
  'release-lockout': ['data-dir', 'by'],
  'set-temporary-password': ['data-dir', 'by'],
  'approve-exception': ['data-dir', 'date', 'opens', 'closes', 'reason', 'by', 'replace'],
  'withdraw-exception': ['data-dir', 'date', 'id', 'reason', 'by'],
  'list-exceptions': ['data-dir'],
  'set-purpose-category': ['data-dir', 'id', 'label', 'needs-case-number', 'by', 'reason'],
  'retire-purpose-category': ['data-dir', 'id', 'reason', 'by'],
  'list-purpose-categories': ['data-dir'],
  'seed-residents': ['data-dir', 'count', 'seed', 'replace'],
  'touch-residents': ['data-dir', 'count', 'seed'],
};

function integer(value: string, option: string, min: number, max: number): number {
  if (!/^\d{1,10}$/.test(value) || Number(value) < min || Number(value) > max) {
    throw new CliUsageError(`${option} は ${min}〜${max} の整数で指定してください: ${value}`, `${option} must be an integer ${min}-${max}: ${value}`);
  }
  return Number(value);
}

function required(values: Values, option: 'name' | 'out' | 'by' | 'date' | 'reason' | 'id', command: string): string {
  const value = values[option];
  if (typeof value !== 'string' || value.trim() === '') {
    throw new CliUsageError(`${command} には --${option} が必要です`, `${command} needs --${option}`);
  }
  return value.trim();
}

/** The option must be there; its content (even blank) is for the command to judge. */
function given(values: Values, option: 'date' | 'opens' | 'closes' | 'reason' | 'label', command: string): string {
  const value = values[option];
  if (typeof value !== 'string') throw new CliUsageError(`${command} には --${option} が必要です`, `${command} needs --${option}`);
  return value;
}

function onePositional(positionals: string[], command: string, what: { ja: string; en: string }, schema: typeof OperatorIdSchema): string {
  if (positionals.length !== 1) {
    throw new CliUsageError(`${command} には${what.ja}を1つ指定してください`, `${command} takes exactly one ${what.en}`);
  }
  const value = positionals[0]!;
  if (!schema.safeParse(value).success) {
    throw new CliUsageError(`${what.ja}の形式が正しくありません: ${value}`, `malformed ${what.en}: ${value}`);
  }
  return value;
}

function noPositionals(rest: string[]): void {
  if (rest.length > 0) throw new CliUsageError(`余分な引数があります: ${rest.join(' ')}`, `unexpected arguments: ${rest.join(' ')}`);
}

function purposeCategoryIdOption(values: Values, command: string): string {
  const id = required(values, 'id', command);
  if (!PurposeCategoryIdSchema.safeParse(id).success) {
    throw new CliUsageError(
      `--id の区分IDの形式が正しくありません (英小文字・数字・ハイフン、40文字以内、先頭は英小文字か数字): ${id}`,
      `malformed category id for --id (lowercase letters, digits, hyphens; at most 40; not starting with a hyphen): ${id}`,
    );
  }
  return id;
}

function operatorIdOption(value: string): string {
  if (!OperatorIdSchema.safeParse(value).success) throw new CliUsageError(`--by の操作者IDの形式が正しくありません: ${value}`, `malformed operator id for --by: ${value}`);
  return value;
}

export function parseCliArgs(argv: readonly string[], cwd: string = process.cwd()): CliCommand {
  let parsed: { values: Values; positionals: string[] };
  try {
    parsed = parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: true, strict: true }) as { values: Values; positionals: string[] };
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    throw new CliUsageError(`引数が正しくありません: ${detail}`, `bad arguments: ${detail}`);
  }
  const { values } = parsed;
  if (values.help) return { kind: 'help' };
  const [first, ...rest] = parsed.positionals;
  const command = first === undefined ? 'serve' : (COMMANDS as readonly string[]).includes(first) ? first : null;
  if (command === null) throw new CliUsageError(`不明なサブコマンドです: ${first}`, `unknown subcommand: ${first}`);
  const allowed = ALLOWED[command]!;
  for (const key of Object.keys(values) as (keyof typeof OPTIONS)[]) {
    if (!allowed.includes(key)) {
      throw new CliUsageError(`--${key} は ${command} では使えません`, `--${key} is not an option of ${command}`);
    }
  }
  const dataDirValue = values['data-dir'] ?? DEFAULT_DATA_DIR;
  if (dataDirValue.trim() === '') throw new CliUsageError('--data-dir が空です', '--data-dir is empty');
  const dataDir = resolve(cwd, dataDirValue);

  switch (command) {
    case 'serve': {
      if (rest.length > 0) throw new CliUsageError(`余分な引数があります: ${rest.join(' ')}`, `unexpected arguments: ${rest.join(' ')}`);
      const host = values.host ?? DEFAULT_HOST;
      if (!isLoopbackHost(host)) {
        throw new CliUsageError(
          `--host にはループバックアドレス (${LOOPBACK_HOSTS.join(' / ')}) のみ指定できます: ${host}`,
          `--host accepts only a loopback address (${LOOPBACK_HOSTS.join(', ')}): ${host}`,
        );
      }
      return {
        kind: 'serve',
        dataDir,
        host,
        port: values.port === undefined ? DEFAULT_PORT : integer(values.port, '--port', 0, 65535),
        demo: values.demo === true,
        passwordExpiryDays:
          values['password-expiry-days'] === undefined ? PASSWORD_EXPIRY_DAYS_DEFAULT : integer(values['password-expiry-days'], '--password-expiry-days', 1, 3650),
        ...(values['log-retention-days'] === undefined
          ? {}
          : { logRetentionDays: integer(values['log-retention-days'], '--log-retention-days', 1, MAX_LOG_RETENTION_DAYS) }),
        ...(values['checkpoint-interval-seconds'] === undefined
          ? {}
          : { checkpointIntervalSeconds: integer(values['checkpoint-interval-seconds'], '--checkpoint-interval-seconds', 1, 86_400) }),
      };
    }
    case 'verify': {
      noPositionals(rest);
      const publicKeys = (values['public-key'] ?? []).map((file) => {
        if (file.trim() === '') throw new CliUsageError('--public-key が空です', '--public-key is empty');
        return resolve(cwd, file);
      });
      return { kind: 'verify', dataDir, publicKeys };
    }
    case 'index-log':
      noPositionals(rest);
      return { kind: 'index-log', dataDir, rebuild: values.rebuild === true };
    case 'seed-demo':
      if (rest.length > 0) throw new CliUsageError(`余分な引数があります: ${rest.join(' ')}`, `unexpected arguments: ${rest.join(' ')}`);
      return { kind: 'seed-demo', dataDir };
    case 'seed-history': {
      noPositionals(rest);
      if (values.from !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(values.from)) {
        throw new CliUsageError(`--from は YYYY-MM-DD で指定してください: ${values.from}`, `--from must be YYYY-MM-DD: ${values.from}`);
      }
      if (values['plants-out'] !== undefined && values['plants-out'].trim() === '') throw new CliUsageError('--plants-out が空です', '--plants-out is empty');
      return {
        kind: 'seed-history',
        dataDir,
        ...(values.from === undefined ? {} : { from: values.from }),
        ...(values.days === undefined ? {} : { days: integer(values.days, '--days', 28, 731) }),
        ...(values.terminals === undefined ? {} : { terminals: integer(values.terminals, '--terminals', 3, 20) }),
        ...(values.operators === undefined ? {} : { operators: integer(values.operators, '--operators', 5, 60) }),
        ...(values.seed === undefined ? {} : { seed: integer(values.seed, '--seed', 0, MAX_SEED) }),
        ...(values['plants-out'] === undefined ? {} : { plantsOut: resolve(cwd, values['plants-out']) }),
      };
    }
    case 'register-terminal': {
      if (rest.length > 0) throw new CliUsageError(`余分な引数があります: ${rest.join(' ')}`, `unexpected arguments: ${rest.join(' ')}`);
      const name = required(values, 'name', command);
      if ([...name].length > 100) throw new CliUsageError('--name は100文字以内で指定してください', '--name must be at most 100 characters');
      const id = values.id;
      if (id !== undefined && !TerminalIdSchema.safeParse(id).success) {
        throw new CliUsageError(`--id の形式が正しくありません (英小文字・数字・ハイフン): ${id}`, `malformed --id (lowercase letters, digits, hyphens): ${id}`);
      }
      const serverUrl = values['server-url'] ?? `http://${DEFAULT_HOST}:${DEFAULT_PORT}`;
      if (!URL.canParse(serverUrl) || !/^https?:$/.test(new URL(serverUrl).protocol)) {
        throw new CliUsageError(`--server-url が正しい URL ではありません: ${serverUrl}`, `--server-url is not an http(s) URL: ${serverUrl}`);
      }
      return { kind: 'register-terminal', dataDir, name, out: resolve(cwd, required(values, 'out', command)), serverUrl, ...(id === undefined ? {} : { id }) };
    }
    case 'retire-terminal':
      return { kind: 'retire-terminal', dataDir, terminalId: onePositional(rest, command, { ja: '端末ID', en: 'terminal id' }, TerminalIdSchema) };
    case 'release-lockout':
    case 'set-temporary-password':
      return {
        kind: command,
        dataDir,
        operatorId: onePositional(rest, command, { ja: '操作者ID', en: 'operator id' }, OperatorIdSchema),
        by: operatorIdOption(required(values, 'by', command)),
      };
    case 'approve-exception':
      noPositionals(rest);
      // The contents (real date, HH:MM, closing after opening, reason) are checked by the command
      // itself with the domain's rules, so that every caller gets the same checks and messages.
      return {
        kind: command,
        dataDir,
        date: given(values, 'date', command),
        opensAt: given(values, 'opens', command),
        closesAt: given(values, 'closes', command),
        reason: given(values, 'reason', command),
        by: operatorIdOption(required(values, 'by', command)),
        replace: values.replace === true,
      };
    case 'withdraw-exception': {
      noPositionals(rest);
      const date = values.date === undefined ? undefined : required(values, 'date', command);
      const id = values.id === undefined ? undefined : values.id.trim();
      if ((date === undefined) === (id === undefined) || id === '') {
        throw new CliUsageError(`${command} には --date か --id のどちらか一方を指定してください`, `${command} needs exactly one of --date and --id`);
      }
      return {
        kind: command,
        dataDir,
        ...(date === undefined ? {} : { date }),
        ...(id === undefined ? {} : { id }),
        reason: required(values, 'reason', command),
        by: operatorIdOption(required(values, 'by', command)),
      };
    }
    case 'list-exceptions':
    case 'list-purpose-categories':
      noPositionals(rest);
      return { kind: command, dataDir };
    case 'set-purpose-category':
      noPositionals(rest);
      // The label (NFC, length, control characters) is judged by the command itself.
      return {
        kind: command,
        dataDir,
        id: purposeCategoryIdOption(values, command),
        label: given(values, 'label', command),
        needsCaseNumber: values['needs-case-number'] === true,
        by: operatorIdOption(required(values, 'by', command)),
        ...(values.reason === undefined ? {} : { reason: values.reason }),
      };
    case 'retire-purpose-category':
      noPositionals(rest);
      return {
        kind: command,
        dataDir,
        id: purposeCategoryIdOption(values, command),
        reason: given(values, 'reason', command),
        by: operatorIdOption(required(values, 'by', command)),
      };
    case 'seed-residents':
    case 'touch-residents': {
      noPositionals(rest);
      if (values.count === undefined) throw new CliUsageError(`${command} には --count が必要です`, `${command} needs --count`);
      const count = integer(values.count, '--count', 1, command === 'seed-residents' ? MAX_SEED_RESIDENTS : MAX_TOUCH_RESIDENTS);
      const seed = values.seed === undefined ? undefined : integer(values.seed, '--seed', 0, MAX_SEED);
      if (command === 'seed-residents') return { kind: command, dataDir, count, seed: seed ?? DEFAULT_RESIDENT_SEED, replace: values.replace === true };
      return { kind: command, dataDir, count, ...(seed === undefined ? {} : { seed }) };
    }
    default:
      throw new CliUsageError(`不明なサブコマンドです: ${command}`, `unknown subcommand: ${command}`);
  }
}
