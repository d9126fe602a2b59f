// The demo town: who is on the roster, with which role, password and card state. Demo only —
// these passwords are published on purpose.
import type { Role } from '../../shared/server-api';

export interface DemoOperatorSpec {
  id: string;
  name: string;
  kana: string;
  role: Role;
  /** Shown in the summary: the post the person holds. */
  post: string;
  password: string;
  temporary: boolean;
  retired: boolean;
  cardRevoked: boolean;
}

export const DEMO_SYSADMIN_NAME = '高橋 美咲';

export const DEMO_OPERATORS: readonly DemoOperatorSpec[] = [
  { id: 'op-yamada', name: '山田 花子', kana: 'ヤマダ ハナコ', role: 'operator', post: '住民課 窓口担当', password: 'Hanako#Kumi2026', temporary: false, retired: false, cardRevoked: false },
  { id: 'op-sato', name: '佐藤 健', kana: 'サトウ ケン', role: 'operator', post: '住民課 窓口担当 (仮パスワード)', password: 'Kari#Sato2026', temporary: true, retired: false, cardRevoked: false },
  { id: 'op-suzuki', name: '鈴木 一郎', kana: 'スズキ イチロウ', role: 'manager', post: '住民課長 (情報保護管理者)', password: 'Ichiro#Suzu2026', temporary: false, retired: false, cardRevoked: false },
  { id: 'op-takahashi', name: DEMO_SYSADMIN_NAME, kana: 'タカハシ ミサキ', role: 'sysadmin', post: '企画財政課長 (システム管理者)', password: 'Misaki#Taka2026', temporary: false, retired: false, cardRevoked: false },
  { id: 'op-retired', name: '中村 誠', kana: 'ナカムラ マコト', role: 'operator', post: '元 住民課 窓口担当 (退職)', password: 'Makoto#Naka2026', temporary: false, retired: true, cardRevoked: false },
  { id: 'op-revoked', name: '小林 由美', kana: 'コバヤシ ユミ', role: 'operator', post: '住民課 窓口担当 (カード失効)', password: 'Yumi#Koba2026', temporary: false, retired: false, cardRevoked: true },
];

export interface DemoTerminalSpec {
  id: string;
  name: string;
  /** Credential file name inside the data dir. */
  file: string;
}

export const DEMO_TERMINALS: readonly DemoTerminalSpec[] = [
  { id: 'term-demo-01', name: '住民課窓口1', file: 'demo-terminal.json' },
  { id: 'term-demo-02', name: '住民課窓口2', file: 'demo-terminal-02.json' },
];

/**
 * The demo's resident directory: a SYNTHETIC town (src/domain/resident/synthetic-town.ts), fixed
 * seed. Seed 232 happens to show most of what searching must cope with in 2,000 residents: all four
 * eras, variant kanji (髙橋, 山﨑, 渡邊, 渡邉, 齊藤, 澤田, 濱田 …), kana with long vowel marks, births on era
 * boundaries. Larger directories: `npm run server -- seed-residents`.
 */
export const DEMO_RESIDENTS = { count: 2000, seed: 232 } as const;

export const DEMO_CARDS_DIR = 'demo-cards';
/** The summary table (with the demo passwords) written at seeding. */
export const DEMO_SUMMARY_FILE = 'demo-summary.txt';
export const DEFAULT_DEMO_SERVER_URL = 'http://127.0.0.1:8470';
