// `npm run server -- …`: the central server and its administrative subcommands.
import { AdminError } from './admin/admin-error';
import { CliUsageError, parseCliArgs, USAGE, type CliCommand } from './cli/args';
import { runCommand, runServe, type CliIo } from './cli/run';

const io: CliIo = { out: (line) => process.stdout.write(`${line}\n`), err: (line) => process.stderr.write(`${line}\n`) };

function fail(error: unknown): never {
  if (error instanceof CliUsageError || error instanceof AdminError) {
    io.err(`エラー: ${error.japanese}\nerror: ${error.english}`);
    if (error instanceof CliUsageError) io.err(`\n${USAGE}`);
    process.exit(2);
  }
  const message = error instanceof Error ? error.message : String(error);
  io.err(`エラー: 実行に失敗しました (failed): ${message}`);
  process.exit(1);
}

async function main(): Promise<void> {
  let command: CliCommand;
  try {
    command = parseCliArgs(process.argv.slice(2));
  } catch (error) {
    fail(error);
  }
  if (command.kind === 'help') {
    io.out(USAGE);
    return;
  }
  if (command.kind !== 'serve') {
    process.exitCode = await runCommand(command, io);
    return;
  }
  const close = await runServe(command, io);
  let closing = false;
  const shutdown = (signal: NodeJS.Signals): void => {
    if (closing) {
      io.err('強制終了します (forced exit)');
      process.exit(1);
    }
    closing = true;
    io.out(`${signal} を受信しました。終了します (shutting down)…`);
    close().then(
      () => {
        io.out('データベースを閉じました (database closed).');
        process.exit(0);
      },
      (error: unknown) => {
        io.err(`終了処理に失敗しました (shutdown failed): ${error instanceof Error ? error.message : String(error)}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
}

main().catch(fail);
