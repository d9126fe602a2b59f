// Runs one parsed command. The server always uses the real clock.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createServerApp, listenOnLoopback } from '../app';
import { SPOT_CHECK_WARMUP } from '../audit/spot-check-warmup';
import { systemClock } from '../clock';
import { DB_FILE_NAME, openServerDb, type ServerDb } from '../db/open';
import { checkpointPublicKeyFromPem, dataDirCheckpointPublicKey, type CheckpointPublicKey } from '../services/log-checkpoints';
import { DEFAULT_LOG_RETENTION_DAYS } from '../services/log-retention';
import { verifyStoredLog } from '../services/log-verify';
import { indexLogFully, rebuildLogIndex } from '../services/log-indexer';
import { formatVerifyReport } from './verify-report';
import { registerTerminal, retireTerminal, writeCredentialFile } from '../admin/register-terminal';
import {
  approveCalendarException,
  dayLabel,
  listCalendarExceptionsForAdmin,
  regularDayLabel,
  withdrawCalendarException,
} from '../admin/calendar-exceptions';
import { releaseLockout } from '../admin/release-lockout';
import { describePurposeCategory, listPurposeCategoriesForAdmin, retirePurposeCategory, setPurposeCategory } from '../admin/purpose-categories';
import { formatJst } from '../../domain/calendar';
import { setTemporaryPassword } from '../admin/temporary-password';
import { seedDemoTown } from '../demo/seed';
import { formatDemoSummary } from '../demo/summary';
import { refreshDemoTerminalFiles } from '../demo/terminal-files';
import { seedHistory, writePlants } from '../demo/seed-history';
import { AdminError } from '../admin/admin-error';
import { moveResidents, seedResidents } from '../admin/residents';
import { residentDirectory } from '../store/residents';
import type { CliCommand } from './args';

export interface CliIo {
  out(line: string): void;
  err(line: string): void;
}

async function withDb<T>(dataDir: string, action: (db: ServerDb) => T | Promise<T>): Promise<T> {
  const { db } = openServerDb(dataDir);
  try {
    return await action(db);
  } finally {
    db.close();
  }
}

/** Starts the server and resolves once it listens; returns the close function. */
export async function runServe(command: Extract<CliCommand, { kind: 'serve' }>, io: CliIo): Promise<() => Promise<void>> {
  io.out(`データディレクトリ (data dir): ${command.dataDir}`);
  const server = await createServerApp({
    dataDir: command.dataDir,
    clock: systemClock,
    logger: false,
    passwordExpiryDays: command.passwordExpiryDays,
    ...(command.logRetentionDays === undefined ? {} : { logRetentionDays: command.logRetentionDays }),
    ...(command.checkpointIntervalSeconds === undefined ? {} : { checkpointIntervalMs: command.checkpointIntervalSeconds * 1000 }),
  });
  try {
    if (command.demo) {
      const result = await seedDemoTown(server.db, { dataDir: command.dataDir, clock: systemClock });
      io.out(formatDemoSummary(result));
    }
    const { url, port } = await listenOnLoopback(server.app, command.port, command.host);
    io.out(`ホスト (host): ${command.host}  ポート (port): ${port}`);
    io.out(`チェックポイント署名鍵 (checkpoint key id, keep a copy outside the server): ${server.log.checkpointKeyId}`);
    const retention = command.logRetentionDays ?? DEFAULT_LOG_RETENTION_DAYS;
    if (retention < DEFAULT_LOG_RETENTION_DAYS) {
      io.err(`注意: 操作ログの保存期間が7年 (${DEFAULT_LOG_RETENTION_DAYS}日) より短く設定されています: ${retention}日 (log retention shorter than 7 years)`);
    }
    if (command.demo) {
      for (const file of refreshDemoTerminalFiles(server.db, { dataDir: command.dataDir, serverUrl: url, clock: systemClock })) {
        io.out(`端末資格情報 (terminal credential): ${file}`);
      }
    }
    io.out(`中央サーバーを起動しました (server listening): ${url}`);
    void server.spotCheckWarmup.then((steps) => {
      if (steps.length < SPOT_CHECK_WARMUP.length) return; // closed before it finished
      const failed = steps.filter((step) => step.error !== undefined);
      const times = steps.map((step) => `${step.name} ${Math.round(step.ms)} ms`).join(', ');
      if (failed.length === 0) io.out(`スポットチェックの準備ができました (spot-check warm-up done): ${times}`);
      else io.err(`スポットチェックの準備の一部に失敗しました。初回の照会が遅くなるだけで、照会はできます (spot-check warm-up failed): ${failed.map((step) => `${step.name}: ${step.error}`).join('; ')}`);
    });
    return server.close;
  } catch (error) {
    await server.close();
    throw error;
  }
}

function trustedCheckpointKeys(command: Extract<CliCommand, { kind: 'verify' }>): { keys: CheckpointPublicKey[]; sources: string[] } {
  if (command.publicKeys.length > 0) {
    const keys = command.publicKeys.map((file) => {
      try {
        return checkpointPublicKeyFromPem(readFileSync(file, 'utf8'));
      } catch (error) {
        const detail = error instanceof Error ? error.message : String(error);
        throw new AdminError('bad-public-key', `公開鍵を読めません: ${file} (${detail})`, `cannot read the public key ${file}: ${detail}`);
      }
    });
    return { keys, sources: command.publicKeys.map((file) => `--public-key ${file}`) };
  }
  const key = dataDirCheckpointPublicKey(command.dataDir);
  return key ? { keys: [key], sources: ['データディレクトリの鍵 (data dir key)'] } : { keys: [], sources: [] };
}

/** Runs a one-shot command; returns the process exit code (verify: 1 when a problem is found). */
export async function runCommand(command: Exclude<CliCommand, { kind: 'serve' | 'help' }>, io: CliIo): Promise<number> {
  const clock = systemClock;
  switch (command.kind) {
    case 'verify': {
      const database = join(command.dataDir, DB_FILE_NAME);
      if (!existsSync(database)) {
        throw new AdminError('no-database', `データベースがありません: ${database}`, `no server database at ${database}`);
      }
      const { keys, sources } = trustedCheckpointKeys(command);
      const report = await withDb(command.dataDir, (db) => verifyStoredLog(db, { trustedKeys: keys }));
      for (const line of formatVerifyReport(report, { database, keySources: sources })) io.out(line);
      return report.problems.length === 0 ? 0 : 1;
    }
    case 'index-log': {
      const database = join(command.dataDir, DB_FILE_NAME);
      if (!existsSync(database)) {
        throw new AdminError('no-database', `データベースがありません: ${database}`, `no server database at ${database}`);
      }
      const started = Date.now();
      const result = await withDb(command.dataDir, (db) => (command.rebuild ? rebuildLogIndex(db, clock.now()) : indexLogFully(db, clock.now(), 50_000)));
      io.out(`操作ログの索引を${command.rebuild ? '作り直しました' : '更新しました'}: ${result.indexed} 件 (${Date.now() - started} ms) (log index ${command.rebuild ? 'rebuilt' : 'updated'}: ${result.indexed} records)`);
      return 0;
    }
    case 'seed-demo':
      await withDb(command.dataDir, async (db) => {
        const result = await seedDemoTown(db, { dataDir: command.dataDir, clock });
        io.out(formatDemoSummary(result));
      });
      return 0;
    case 'seed-history': {
      const started = performance.now();
      const result = await withDb(command.dataDir, async (db) => {
        const seeded = await seedHistory(db, {
          clock,
          dataDir: command.dataDir,
          ...(command.from === undefined ? {} : { from: command.from }),
          ...(command.days === undefined ? {} : { days: command.days }),
          ...(command.terminals === undefined ? {} : { terminals: command.terminals }),
          ...(command.operators === undefined ? {} : { operators: command.operators }),
          ...(command.seed === undefined ? {} : { seed: command.seed }),
        });
        if (command.plantsOut) writePlants(command.plantsOut, seeded);
        return seeded;
      });
      const seconds = ((performance.now() - started) / 1000).toFixed(1);
      io.out(
        `合成の操作履歴を取り込みました: ${result.from}〜${result.to}、記録 ${result.records} 件、端末 ${result.terminals.join('・')}、操作者 ${result.operators.length} 人、仕込んだ事例 ${result.plants.length} 件 (${seconds} s)` +
          ` (generated history stored and indexed: ${result.records} records, ${result.plants.length} planted cases)`,
      );
      for (const op of result.operators) io.out(`  ${op.id} ${op.name} (${op.role}) 本人の住民ID ${op.residentId}`);
      if (command.plantsOut) io.out(`仕込んだ事例: ${command.plantsOut} (planted cases written)`);
      return 0;
    }
    case 'register-terminal':
      if (existsSync(command.out)) {
        throw new AdminError('output-exists', `出力先のファイルが既にあります (上書きしません): ${command.out}`, `output file already exists (not overwritten): ${command.out}`);
      }
      await withDb(command.dataDir, (db) => {
        const credential = registerTerminal(db, { name: command.name, serverUrl: command.serverUrl, clock, ...(command.id ? { id: command.id } : {}) });
        writeCredentialFile(command.out, credential, { exclusive: true });
        io.out(`端末を登録しました (terminal registered): ${credential.terminalId} ${credential.terminalName}`);
        io.out(`資格情報ファイル (credential file, keep it secret): ${command.out}`);
      });
      return 0;
    case 'retire-terminal':
      await withDb(command.dataDir, (db) => retireTerminal(db, { terminalId: command.terminalId, clock }));
      io.out(`端末を廃止しました (terminal retired): ${command.terminalId}`);
      return 0;
    case 'release-lockout':
      await withDb(command.dataDir, (db) => releaseLockout(db, { operatorId: command.operatorId, by: command.by, clock }));
      io.out(`ロックアウトを解除しました (lockout released): ${command.operatorId} (by ${command.by})`);
      io.out('端末は次回の名簿取得時に反映します (terminals apply it at their next roster fetch).');
      return 0;
    case 'set-temporary-password': {
      const { password, lockedOut } = await withDb(command.dataDir, (db) =>
        setTemporaryPassword(db, { operatorId: command.operatorId, by: command.by, clock }),
      );
      io.out(`仮パスワードを設定しました (temporary password set): ${command.operatorId} (by ${command.by})`);
      io.out(`仮パスワード (shown once): ${password}`);
      io.out('最初のログオン時に変更が必要です (must be changed at first logon).');
      if (lockedOut) io.out('注意: この操作者はロックアウト中です。release-lockout で解除してください (the operator is locked out).');
      return 0;
    }
    case 'approve-exception': {
      const { exception, approver, replaced, past } = await withDb(command.dataDir, (db) =>
        approveCalendarException(db, { date: command.date, opensAt: command.opensAt, closesAt: command.closesAt, reason: command.reason, by: command.by, replace: command.replace, clock }),
      );
      io.out(`開庁時間の例外を承認しました (calendar exception approved): ${exception.id}`);
      io.out(`  日付 (date):   ${dayLabel(exception.date)}  通常は${regularDayLabel(exception.date)}`);
      io.out(`  時間 (hours):  ${exception.opensAt}〜${exception.closesAt}`);
      io.out(`  理由 (reason): ${exception.reason}`);
      io.out(`  承認 (approved by): ${exception.approvedBy} (${approver.id})`);
      for (const row of replaced) io.out(`  置き換え (replaced): ${row.id} ${row.opensAt}〜${row.closesAt} 理由: ${row.reason} 承認: ${row.approvedBy}`);
      if (past) io.out('注意: 過去の日付です。端末の動作は変わりません (the date is in the past).');
      io.out('端末は次回の名簿取得時に反映します (terminals apply it at their next roster fetch).');
      return 0;
    }
    case 'withdraw-exception': {
      const { withdrawn } = await withDb(command.dataDir, (db) =>
        withdrawCalendarException(db, {
          ...(command.date === undefined ? {} : { date: command.date }),
          ...(command.id === undefined ? {} : { id: command.id }),
          reason: command.reason,
          by: command.by,
          clock,
        }),
      );
      for (const row of withdrawn) {
        io.out(`開庁時間の例外を取り下げました (calendar exception withdrawn): ${row.id} ${dayLabel(row.date)} ${row.opensAt}〜${row.closesAt} 理由: ${row.reason}`);
      }
      io.out('端末は次回の名簿取得時に反映します (terminals apply it at their next roster fetch).');
      return 0;
    }
    case 'set-purpose-category': {
      const { action, category, before, manager } = await withDb(command.dataDir, (db) =>
        setPurposeCategory(db, {
          id: command.id,
          label: command.label,
          needsCaseNumber: command.needsCaseNumber,
          by: command.by,
          ...(command.reason === undefined ? {} : { reason: command.reason }),
          clock,
        }),
      );
      const headline = {
        added: '検索目的の区分を追加しました (purpose category added)',
        changed: '検索目的の区分を変更しました (purpose category changed)',
        reactivated: '廃止済みの検索目的の区分を再び有効にしました (retired purpose category active again)',
        unchanged: '変更はありません。同じ内容の区分が既に有効です (nothing changed: the category is already so)',
      }[action];
      io.out(`${headline}: ${describePurposeCategory(category)}`);
      if (before && action !== 'unchanged') io.out(`  変更前 (before): ${describePurposeCategory(before)}${before.active ? '' : ' [廃止済み retired]'}`);
      if (before && before.needsCaseNumber && !category.needsCaseNumber) {
        io.out('  注意: 受付番号が必須でなくなりました (--needs-case-number を付けていません) (note: a case number is no longer required)');
      }
      if (action !== 'unchanged') {
        io.out(`  変更者 (by): 情報保護管理者 ${manager.name} (${manager.id})`);
        io.out('端末は次回の名簿取得時に反映します (terminals apply it at their next roster fetch).');
      }
      return 0;
    }
    case 'retire-purpose-category': {
      const { category, activeRemaining, manager } = await withDb(command.dataDir, (db) =>
        retirePurposeCategory(db, { id: command.id, reason: command.reason, by: command.by, clock }),
      );
      io.out(`検索目的の区分を廃止しました (purpose category retired): ${describePurposeCategory(category)}`);
      io.out(`  理由 (reason): ${command.reason.trim()}  変更者 (by): 情報保護管理者 ${manager.name} (${manager.id})`);
      io.out(`  有効な区分 (active categories): 残り${activeRemaining}件`);
      io.out('端末は次回の名簿取得時に反映します (terminals apply it at their next roster fetch).');
      return 0;
    }
    case 'list-purpose-categories': {
      const listed = await withDb(command.dataDir, (db) => listPurposeCategoriesForAdmin(db));
      const active = listed.filter((l) => l.row.active).length;
      io.out(`検索目的の区分 (purpose categories): 有効 ${active}件 / 廃止 ${listed.length - active}件 (active / retired)`);
      for (const { row, problems } of listed) {
        const state = row.active ? '有効' : '廃止';
        io.out(`[${state}] ${describePurposeCategory(row)}  順序: ${row.sortOrder}  変更: ${formatJst(row.changedAt, 'datetime')} ${row.changedBy}`);
        if (row.active && problems.length > 0) {
          io.out('  ⚠ 不正のため端末に送信していません (invalid: not sent to terminals; set-purpose-category で書き直せます):');
          for (const problem of problems) io.out(`    ${problem}`);
        }
      }
      return 0;
    }
    case 'seed-residents': {
      const started = performance.now();
      io.out(`合成住民を登録します (seeding synthetic residents): ${command.count}人 seed ${command.seed}${command.replace ? ' (--replace)' : ''}`);
      const result = await withDb(command.dataDir, (db) => {
        // Bulk loading: a larger page cache, and fsync at checkpoints only (WAL, synchronous=NORMAL);
        // the final checkpoint below makes everything durable. This connection only.
        db.pragma('cache_size = -262144');
        db.pragma('synchronous = NORMAL');
        const seeded = seedResidents(db, {
          count: command.count,
          seed: command.seed,
          replace: command.replace,
          clock,
          onProgress: (written) => {
            if (written % 100_000 === 0 && written < command.count) io.out(`  ${written}人…`);
          },
        });
        db.pragma('wal_checkpoint(TRUNCATE)');
        return seeded;
      });
      const seconds = ((performance.now() - started) / 1000).toFixed(1);
      if (result.replaced > 0) io.out(`置き換え前の住民 (replaced): ${result.replaced}人 — 新しいエポック (new epoch): 端末の複製は作り直しになります`);
      io.out(`登録しました (seeded): ${result.count}人 (基準日 as of ${result.asOf})  版番号 (versions) ${result.firstVersion}〜${result.lastVersion}  エポック (epoch) ${result.epoch}  ${seconds}秒`);
      io.out('合成データです。実在の人物ではありません (synthetic: no real persons).');
      return 0;
    }
    case 'touch-residents': {
      const moved = await withDb(command.dataDir, (db) =>
        moveResidents(db, { count: command.count, seed: command.seed ?? residentDirectory(db).latestVersion, clock }),
      );
      const versions = moved.map((r) => r.version);
      io.out(`町内で転居させました (moved within the town): ${moved.length}人  版番号 (versions) ${Math.min(...versions)}〜${Math.max(...versions)}`);
      io.out('端末は次回の変更取得で反映します (terminals get them with their next change fetch).');
      return 0;
    }
    case 'list-exceptions': {
      const listed = await withDb(command.dataDir, (db) => listCalendarExceptionsForAdmin(db));
      if (listed.length === 0) {
        io.out('開庁時間の例外はありません (no calendar exceptions).');
        return 0;
      }
      io.out(`開庁時間の例外 (calendar exceptions): ${listed.length}件`);
      for (const { row, problems } of listed) {
        const regular = regularDayLabel(row.date);
        io.out(`${dayLabel(row.date)} ${row.opensAt}〜${row.closesAt}${regular ? `  (通常は${regular})` : ''}`);
        io.out(`  理由: ${row.reason}  承認: ${row.approvedBy}  登録: ${formatJst(row.createdAt, 'datetime')}  ID: ${row.id}`);
        if (problems.length > 0) {
          io.out('  ⚠ 不正のため端末に送信していません (invalid: not sent to terminals; withdraw-exception --id で削除できます):');
          for (const problem of problems) io.out(`    ${problem}`);
        }
      }
      return 0;
    }
  }
}
