// The short Japanese summary printed after seeding (demo only: it shows the passwords).
import type { DemoSeedResult } from './seed';

const ROLE_JA = { operator: '操作者', manager: '情報保護管理者', sysadmin: 'システム管理者' } as const;

function width(text: string): number {
  let w = 0;
  for (const ch of text) w += /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/.test(ch) ? 2 : 1;
  return w;
}

function pad(text: string, to: number): string {
  return text + ' '.repeat(Math.max(0, to - width(text)));
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, col) => Math.max(...rows.map((row) => width(row[col] ?? ''))));
  return rows.map((row) => row.map((cell, col) => pad(cell, widths[col]!)).join('  ').trimEnd()).join('\n');
}

export function formatDemoSummary(result: DemoSeedResult): string {
  const operatorRows = [
    ['操作者ID', '氏名', '役割', '状態', 'パスワード', 'カードファイル'],
    ...result.operators.map((op) => [
      op.id,
      op.name,
      ROLE_JA[op.role],
      op.retired ? '退職' : op.cardRevoked ? 'カード失効' : op.temporary ? '仮パスワード' : '有効',
      op.password,
      op.cardFile,
    ]),
  ];
  const terminalRows = [['端末ID', '端末名', '資格情報ファイル'], ...result.terminals.map((t) => [t.id, t.name, t.credentialFile])];
  return [
    result.seeded ? 'デモ町を作成しました (デモ専用: パスワードを表示しています)。' : 'デモ町は作成済みです (変更はありません)。',
    '',
    table(operatorRows),
    '',
    table(terminalRows),
    '',
    `住民 (合成データ・実在の人物ではありません): ${result.residents}人`,
  ].join('\n');
}
