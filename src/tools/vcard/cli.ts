// 仮想職員カード (virtual PIV card) for the counter terminal, through the real PC/SC stack (pcscd + vpcd).
//
//   npm run vcard -- new <card.json> --label 名前 --operator op-x [--force]
//   npm run vcard -- insert <card.json> [--port 35963] [--host 127.0.0.1] [--behaviour normal]
//   npm run vcard -- remove [--port 35963]
//
// insert stays in the foreground until Ctrl+C / SIGTERM (then takes the card off the reader) and writes
// its pid to <tmpdir>/kumiyama-vcard-<port>.pid, which `remove` uses to signal it.
// Exit codes: 0 ok, 1 failure, 2 bad input.

import { parseArgs } from 'node:util';
import { existsSync } from 'node:fs';
import { readFile, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CardFileError, createCardFile, readCardFile, writeCardFile } from '../../node/card/virtual-card-file';
import { DEFAULT_VPCD_HOST, DEFAULT_VPCD_PORT, VIRTUAL_CARD_BEHAVIOURS, VirtualCard, VirtualCardError, type VirtualCardBehaviour } from './virtual-card';

const USAGE = `仮想職員カード (PIV) — pcscd の仮想リーダー (vpcd) にカードを出し入れします。

使い方:
  npm run vcard -- new <カードファイル.json> --label <氏名> --operator <職員ID> [--force]
      新しいカードファイル (ECC P-256 鍵と自己署名証明書) を作ります。keyId を表示します。
  npm run vcard -- insert <カードファイル.json> [--port ${DEFAULT_VPCD_PORT}] [--host ${DEFAULT_VPCD_HOST}] [--behaviour normal]
      カードをリーダーに置きます。Ctrl+C (または remove) で取り出すまで動き続けます。
      ポート ${DEFAULT_VPCD_PORT} = "Virtual PCD 00 00", ${DEFAULT_VPCD_PORT + 1} = "Virtual PCD 00 01"。
      --behaviour (試験用): ${VIRTUAL_CARD_BEHAVIOURS.join(' | ')}
  npm run vcard -- remove [--port ${DEFAULT_VPCD_PORT}]
      insert で置いたカードを取り出します。
  npm run vcard -- --help

終了コード: 0 成功 / 1 失敗 / 2 入力の誤り
`;

class UsageError extends Error {}

function fail(message: string, code: number): never {
  process.stderr.write(`${message}\n`);
  process.exit(code);
}

function pidFile(port: number): string {
  return join(tmpdir(), `kumiyama-vcard-${port}.pid`);
}

function readerName(port: number): string {
  const slot = port - DEFAULT_VPCD_PORT;
  return slot >= 0 && slot < 2 ? `"Virtual PCD 00 0${slot}"` : `ポート ${port} の仮想リーダー`;
}

function parsePort(value: string | undefined): number {
  if (value === undefined) return DEFAULT_VPCD_PORT;
  if (!/^\d{1,5}$/.test(value) || Number(value) < 1 || Number(value) > 65535) throw new UsageError(`ポート番号が正しくありません: ${value}`);
  return Number(value);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function readPid(path: string): Promise<number | null> {
  try {
    const text = (await readFile(path, 'utf8')).trim();
    return /^\d+$/.test(text) ? Number(text) : null;
  } catch {
    return null;
  }
}

async function cmdNew(positionals: string[], values: Record<string, string | boolean | undefined>): Promise<void> {
  const [out, ...rest] = positionals;
  if (!out || rest.length > 0) throw new UsageError('new には出力ファイルを1つ指定してください。');
  const label = values.label;
  const operator = values.operator;
  if (typeof label !== 'string' || typeof operator !== 'string') throw new UsageError('new には --label と --operator が必要です。');
  if (existsSync(out) && values.force !== true) throw new UsageError(`ファイルが既にあります: ${out} (上書きするには --force)`);
  let created;
  try {
    created = await createCardFile({ label, operatorId: operator });
  } catch (e) {
    if (e instanceof CardFileError) throw new UsageError(e.message);
    throw e;
  }
  await writeCardFile(out, created.file);
  process.stdout.write(
    `カードファイルを作りました: ${out}\n  氏名: ${label}\n  職員ID: ${operator}\n  keyId: ${created.keyId}\n  証明書シリアル: ${created.file.serial}\n`,
  );
}

async function cmdInsert(positionals: string[], values: Record<string, string | boolean | undefined>): Promise<void> {
  const [path, ...rest] = positionals;
  if (!path || rest.length > 0) throw new UsageError('insert にはカードファイルを1つ指定してください。');
  const port = parsePort(values.port as string | undefined);
  const host = (values.host as string | undefined) ?? DEFAULT_VPCD_HOST;
  const behaviour = (values.behaviour as string | undefined) ?? 'normal';
  if (!(VIRTUAL_CARD_BEHAVIOURS as readonly string[]).includes(behaviour)) {
    throw new UsageError(`--behaviour は ${VIRTUAL_CARD_BEHAVIOURS.join(' / ')} のいずれかです: ${behaviour}`);
  }
  let file;
  try {
    file = await readCardFile(path);
  } catch (e) {
    if (e instanceof CardFileError) throw new UsageError(e.message);
    throw e;
  }

  const pidPath = pidFile(port);
  const other = await readPid(pidPath);
  if (other !== null && other !== process.pid && isAlive(other)) {
    fail(`${readerName(port)} には既にカードが置かれています (pid ${other})。先に remove してください。`, 1);
  }

  const card = new VirtualCard(file, { host, port, behaviour: behaviour as VirtualCardBehaviour });
  try {
    await card.insert();
  } catch (e) {
    fail(e instanceof VirtualCardError ? e.message : `カードを置けませんでした: ${(e as Error).message}`, 1);
  }
  await writeFile(pidPath, `${process.pid}\n`, { mode: 0o644 });
  const behaviourNote = behaviour === 'normal' ? '' : ` [試験用の振る舞い: ${behaviour}]`;
  process.stdout.write(`カードを置きました: ${file.label} (${file.operatorId}) → ${readerName(port)}${behaviourNote}\nCtrl+C で取り出します。\n`);

  let leaving = false;
  const cleanup = async () => {
    if ((await readPid(pidPath)) === process.pid) await unlink(pidPath).catch(() => undefined);
  };
  const leave = async (signal: string) => {
    if (leaving) return;
    leaving = true;
    await card.remove();
    await cleanup();
    process.stdout.write(`カードを取り出しました (${signal})。\n`);
    process.exit(0);
  };
  process.on('SIGINT', () => void leave('SIGINT'));
  process.on('SIGTERM', () => void leave('SIGTERM'));
  process.on('SIGHUP', () => void leave('SIGHUP'));

  // vpcd accepts one card per port; a second one would wait unseen in the listen queue.
  const check = setTimeout(() => {
    if (card.inserted && card.lastPolledAt === null) {
      process.stderr.write(
        `注意: pcscd がカードを読みに来ません。${readerName(port)} に別のカードが置かれていないか確認してください。\n`,
      );
    }
  }, 2000);

  await card.whenRemoved();
  clearTimeout(check);
  if (!leaving) {
    await cleanup();
    fail('リーダーとの接続が切れました (pcscd が停止した可能性があります)。カードは取り出された扱いになります。', 1);
  }
}

async function cmdRemove(positionals: string[], values: Record<string, string | boolean | undefined>): Promise<void> {
  if (positionals.length > 0) throw new UsageError('remove には --port 以外の引数は要りません。');
  const port = parsePort(values.port as string | undefined);
  const pidPath = pidFile(port);
  const pid = await readPid(pidPath);
  if (pid === null) fail(`${readerName(port)} に置かれたカードはありません (${pidPath} がありません)。`, 1);
  if (!isAlive(pid)) {
    await unlink(pidPath).catch(() => undefined);
    fail(`${readerName(port)} のカードのプロセス (pid ${pid}) は既に終了しています。`, 1);
  }
  process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + 5000;
  while (isAlive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  if (isAlive(pid)) fail(`カードのプロセス (pid ${pid}) が終了しません。`, 1);
  process.stdout.write(`カードを取り出しました: ${readerName(port)}\n`);
}

async function main(argv: string[]): Promise<void> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        help: { type: 'boolean', short: 'h' },
        port: { type: 'string', short: 'p' },
        host: { type: 'string' },
        behaviour: { type: 'string' },
        label: { type: 'string' },
        operator: { type: 'string' },
        force: { type: 'boolean' },
      },
    });
  } catch (e) {
    fail(`引数が正しくありません: ${(e as Error).message}\n\n${USAGE}`, 2);
  }
  const { values, positionals } = parsed;
  const [command, ...rest] = positionals;
  if (values.help || command === 'help') {
    process.stdout.write(USAGE);
    return;
  }
  try {
    switch (command) {
      case 'new':
        return await cmdNew(rest, values);
      case 'insert':
        return await cmdInsert(rest, values);
      case 'remove':
        return await cmdRemove(rest, values);
      default:
        throw new UsageError(command ? `知らないコマンドです: ${command}` : 'コマンドを指定してください。');
    }
  } catch (e) {
    if (e instanceof UsageError) fail(`${e.message}\n\n${USAGE}`, 2);
    throw e;
  }
}

main(process.argv.slice(2)).catch((e: unknown) => fail(`エラー: ${e instanceof Error ? e.message : String(e)}`, 1));
