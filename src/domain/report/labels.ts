// Japanese names used by the reports and the CSV exports: finding rules, severities, access kinds,
// event types that matter in an audit.
import type { RuleId, Severity } from '../audit/types';

export const RULE_LABELS: Readonly<Record<RuleId, string>> = {
  'purpose.missing-case': '受付番号のない検索',
  'purpose.unknown-case': '受付台帳にない受付番号',
  'purpose.vague-note': 'あいまいな検索目的',
  'purpose.repeated-note': '同じ目的メモの繰り返し',
  'resident.many-operators': '多数の操作者が同じ住民を検索',
  'relation.self': '本人の記録の検索',
  'relation.household': '同一世帯の記録の検索',
  'relation.colleague': '職員（同僚）の記録の検索',
  'relation.same-address': '同じ住所の記録の検索',
  'relation.same-surname': '同じ姓の記録の検索',
  'volume.unusual': '普段より多い検索',
  'hours.outside': '開庁時間外の操作',
  'hours.near-closing': '終業間際の操作',
  'hours.exception-day': '例外開庁日の操作',
  'signin.lockout': 'ロックアウト',
  'signin.repeated-failures': 'サインインの失敗の繰り返し',
  'signin.terminal-failures': '端末でのサインイン失敗の多発',
  'card.outside-lending': '貸与期間外のカード使用',
  'card.revoked-use': '失効したカードの使用',
  'log.integrity': '操作ログの完全性の警告',
  'sync.stale': '同期の止まった端末',
  'sync.refused': '同期を拒否された端末',
  'flagged.access': '注意指定の記録へのアクセス',
};

export function ruleLabel(rule: string): string {
  return (RULE_LABELS as Record<string, string>)[rule] ?? rule;
}

export const SEVERITY_LABELS: Readonly<Record<Severity, string>> = { high: '高', medium: '中', low: '低' };

export const ACCESS_KIND_LABELS: Readonly<Record<string, string>> = {
  search: '検索（一覧に表示）',
  view: '閲覧',
  'code-reveal': '住民票コードの表示',
  print: '印刷',
  other: 'その他',
};

export const OUTCOME_LABELS: Readonly<Record<string, string>> = { success: '成功', failure: '失敗', info: '情報' };

export const LENDING_END_LABELS: Readonly<Record<string, string>> = {
  'signed-out': 'サインアウト',
  'ended-by-roster': '名簿により終了',
  'app-stopped': 'アプリ終了',
  'next-sign-in': '次のサインイン',
};

export const yesNo = (value: boolean | null): string => (value === null ? '' : value ? 'あり' : 'なし');
