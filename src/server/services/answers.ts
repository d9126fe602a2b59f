// A decided answer to a terminal request: an HTTP status and a JSON body. Refusals are answers,
// not exceptions, so that what was recorded in the same transaction is kept.
import type { ErrorResponse } from '../../shared/server-api';

export interface Answer<T = unknown> {
  status: number;
  body: T | ErrorResponse;
}

export function ok<T>(body: T): Answer<T> {
  return { status: 200, body };
}

export function refusal(status: number, code: string, message: string): Answer<never> {
  return { status, body: { error: { code, message } } };
}

export const REFUSALS = {
  unknownOperator: () => refusal(404, 'unknown-operator', '操作者が名簿に登録されていません。'),
  operatorRetired: () => refusal(409, 'operator-retired', 'この操作者は名簿上 退職(無効) となっています。'),
  unknownCard: () => refusal(403, 'unknown-card', 'この操作者用ICカードは登録されていません。'),
  cardNotOwned: () => refusal(403, 'card-not-owned', 'この操作者用ICカードは別の操作者に貸与されたものです。'),
  cardRevoked: () => refusal(403, 'card-revoked', 'この操作者用ICカードは失効しています。'),
  lockedOut: () => refusal(409, 'locked-out', 'パスワードを3回間違えたためロックアウトされています。情報保護管理者に解除を依頼してください。'),
  weakPasswordHash: () => refusal(400, 'weak-password-hash', 'パスワードハッシュの形式またはパラメータが基準を満たしていません。'),
  requestIdReused: () => refusal(409, 'request-id-reused', '同じリクエストIDで異なる内容が送信されました。'),
} as const;
