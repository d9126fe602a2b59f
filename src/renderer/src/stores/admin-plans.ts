// What each admin console form sends: the form's values checked (reason required, ≤ 200
// characters; dates and times well-formed) and turned into the action's input, with the words the
// confirmation and the result line use. Pure: main and the server check everything again.
import { reasonProblem, type AdminCardRow, type AdminExceptionRow, type AdminOperatorRow, type AdminStopRow, type AdminTerminalRow, type Built, type FieldErrors } from './admin-store';

export const ROLE_OPTIONS = [
  { id: 'operator', label: '業務端末の操作者' },
  { id: 'manager', label: '情報保護管理者' },
  { id: 'sysadmin', label: 'システム管理者' },
] as const;
export type RoleId = (typeof ROLE_OPTIONS)[number]['id'];

export function roleLabel(role: string): string {
  return ROLE_OPTIONS.find((r) => r.id === role)?.label ?? role;
}

export const REVOCATION_REASONS = [
  { id: 'lost', label: '紛失' },
  { id: 'stolen', label: '盗難' },
  { id: 'broken', label: 'き損' },
  { id: 'other', label: 'その他' },
] as const;
export type RevocationReason = (typeof REVOCATION_REASONS)[number]['id'];

const YMD = /^(\d{4})-(\d{2})-(\d{2})$/;
const HM = /^([01]\d|2[0-3]):[0-5]\d$/;
const OPERATOR_ID = /^[a-z0-9][a-z0-9-]{0,62}$/;
const TERMINAL_ID = OPERATOR_ID;

function isYmd(text: string): boolean {
  const m = YMD.exec(text);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.getUTCFullYear() === Number(m[1]) && d.getUTCMonth() === Number(m[2]) - 1 && d.getUTCDate() === Number(m[3]);
}

/** "2026-11-29", "2026/11/29", "2026.11.29", "20261129" (full-width digits too) → "2026-11-29"; null when not a real date. */
export function normalizeYmd(text: string): string | null {
  const t = toHalfWidth(text).trim();
  const m = /^(\d{4})[-/.年]?(\d{1,2})[-/.月]?(\d{1,2})日?$/.exec(t);
  if (!m) return null;
  const ymd = `${m[1]}-${m[2]!.padStart(2, '0')}-${m[3]!.padStart(2, '0')}`;
  return isYmd(ymd) ? ymd : null;
}

/** "8:30", "08:30", "0830" → "08:30"; null when not a time of day. */
export function normalizeHm(text: string): string | null {
  const t = toHalfWidth(text).trim();
  const m = /^(\d{1,2}):?(\d{2})$/.exec(t);
  if (!m) return null;
  const hm = `${m[1]!.padStart(2, '0')}:${m[2]}`;
  return HM.test(hm) ? hm : null;
}

function toHalfWidth(text: string): string {
  return text.replace(/[０-９：／－．]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0));
}

/** The start of a Japanese calendar day, as the roster stores it. */
export function jstDayStart(ymd: string): string {
  return `${ymd}T00:00:00+09:00`;
}

/** "Until and including this day" → the (exclusive) end the roster stores: the next day's 00:00 JST. */
export function jstDayEndExclusive(ymd: string): string {
  const [y, m, d] = ymd.split('-').map(Number) as [number, number, number];
  const next = new Date(Date.UTC(y, m - 1, d + 1));
  const p = (n: number) => String(n).padStart(2, '0');
  return `${next.getUTCFullYear()}-${p(next.getUTCMonth() + 1)}-${p(next.getUTCDate())}T00:00:00+09:00`;
}

function done(errors: FieldErrors): boolean {
  return Object.values(errors).every((e) => !e);
}

function withReason(reason: string, errors: FieldErrors = {}): FieldErrors {
  const problem = reasonProblem(reason);
  return problem ? { ...errors, reason: problem } : errors;
}

const who = (op: AdminOperatorRow) => `${op.name}（${op.id}）`;

export function releaseLockoutPlan(op: AdminOperatorRow, reason: string): Built {
  const errors = withReason(reason);
  if (!done(errors)) return { ok: false, errors };
  return {
    ok: true,
    plan: { action: 'password.release-lockout', target: op.id, input: { reason }, title: 'ロックアウトを解除します', summary: [who(op)], confirm: false, done: `${op.name} さんのロックアウトを解除しました。` },
  };
}

export function temporaryPasswordPlan(op: AdminOperatorRow, reason: string): Built {
  const errors = withReason(reason);
  if (!done(errors)) return { ok: false, errors };
  return {
    ok: true,
    plan: {
      action: 'password.set-temporary',
      danger: true,
      target: op.id,
      input: { reason },
      title: '仮パスワードを発行します',
      summary: [who(op), 'いまのパスワードは使えなくなります。仮パスワードは次の画面で一度だけ表示されます。', `理由: ${reason}`],
      confirm: true,
      confirmLabel: '発行する',
      done: `${op.name} さんに仮パスワードを発行しました。`,
      secret: 'temporary-password',
      subject: who(op),
    },
  };
}

export function requireChangePlan(op: AdminOperatorRow, reason: string): Built {
  const errors = withReason(reason);
  if (!done(errors)) return { ok: false, errors };
  return {
    ok: true,
    plan: { action: 'password.require-change', target: op.id, input: { reason }, title: 'パスワードの変更を要求します', summary: [who(op)], confirm: false, done: `${op.name} さんに次回サインイン時のパスワード変更を要求しました。` },
  };
}

export function retireOperatorPlan(op: AdminOperatorRow, reason: string): Built {
  const errors = withReason(reason);
  if (!done(errors)) return { ok: false, errors };
  return {
    ok: true,
    plan: {
      action: 'roster.retire',
      danger: true,
      target: op.id,
      input: { reason },
      title: '操作者を退職として名簿から外します',
      summary: [who(op), 'この操作者はどの端末でもサインインできなくなります。サインイン中の端末は次の通信で終了します。', `理由: ${reason}`],
      confirm: true,
      confirmLabel: '退職にする',
      done: `${op.name} さんを退職として名簿から外しました。`,
    },
  };
}

export function revokeCardPlan(op: AdminOperatorRow, card: AdminCardRow, reason: RevocationReason | '', note: string): Built {
  const errors: FieldErrors = {};
  if (!reason) errors.revocation = '失効の理由を選んでください。';
  if (reason === 'other' || note.trim() !== '') {
    const problem = reasonProblem(note, reason === 'other' ? '「その他」の内容' : '補足');
    if (problem) errors.note = problem;
  }
  if (!done(errors) || !reason) return { ok: false, errors };
  const label = REVOCATION_REASONS.find((r) => r.id === reason)!.label;
  return {
    ok: true,
    plan: {
      action: 'cards.revoke',
      danger: true,
      target: card.keyId,
      input: note.trim() ? { reason, note } : { reason },
      title: 'カードを失効させます',
      summary: [
        `${who(op)} のカード（${card.keyId.slice(0, 12)}…）`,
        'このカードはどの端末でも使えなくなります。サインイン中の端末は次の通信で終了します。元に戻せません。',
        `理由: ${label}${note.trim() ? `（${note}）` : ''}`,
      ],
      confirm: true,
      confirmLabel: '失効させる',
      done: `${op.name} さんのカードを失効させました。各端末は次の通信で拒否します。`,
    },
  };
}

export interface OperatorForm {
  id: string;
  name: string;
  kana: string;
  role: RoleId | '';
  since: string;
  until: string;
  reason: string;
}

function nameProblems(form: Pick<OperatorForm, 'name' | 'kana'>, errors: FieldErrors): void {
  if (form.name.trim() === '') errors.name = '氏名を入力してください。';
  else if (form.name.length > 100 || CONTROL_OR_NL.test(form.name)) errors.name = '氏名は1行・100文字以内にしてください。';
  if (form.kana.length > 100 || CONTROL_OR_NL.test(form.kana)) errors.kana = 'カナは1行・100文字以内にしてください。';
}
const CONTROL_OR_NL = /[\u0000-\u001f\u007f]/;

export function addOperatorPlan(form: OperatorForm): Built {
  const errors: FieldErrors = withReason(form.reason);
  if (!OPERATOR_ID.test(form.id)) errors.id = '操作者IDは英小文字・数字・ハイフンで入力してください（例: op-tanaka）。';
  nameProblems(form, errors);
  if (!form.role) errors.role = '役割を選んでください。';
  const since = normalizeYmd(form.since);
  const untilDay = form.until.trim() === '' ? '' : normalizeYmd(form.until);
  if (!since) errors.since = '承認期間の開始日を「2026-12-01」の形で入力してください。';
  if (untilDay === null) errors.until = '終了日を「2027-03-31」の形で入力してください（定めがなければ空欄）。';
  else if (untilDay && since && untilDay < since) errors.until = '終了日は開始日以降にしてください。';
  if (!done(errors) || !form.role || !since || untilDay === null) return { ok: false, errors };
  const until = untilDay ? jstDayEndExclusive(untilDay) : null;
  return {
    ok: true,
    plan: {
      action: 'roster.add',
      input: { id: form.id, name: form.name.trim(), kana: form.kana.trim(), role: form.role, since: jstDayStart(since), until, reason: form.reason },
      title: '操作者を名簿に追加します',
      summary: [`${form.name.trim()}（${form.id}）・${roleLabel(form.role)}`, `承認期間: ${since} から${untilDay ? ` ${untilDay} まで` : '（終了日なし）'}`, '仮パスワードは次の画面で一度だけ表示されます。', `理由: ${form.reason}`],
      confirm: true,
      confirmLabel: '追加する',
      done: `${form.name.trim()} さんを名簿に追加しました。カードは「カード発行」で発行してください。`,
      secret: 'temporary-password',
      subject: `${form.name.trim()}（${form.id}）`,
    },
  };
}

/** Sends only what changed (name, kana, role, end of the approval period). */
export function changeOperatorPlan(op: AdminOperatorRow, form: OperatorForm, currentUntilYmd: string): Built {
  const errors: FieldErrors = withReason(form.reason);
  nameProblems(form, errors);
  const untilDay = form.until.trim() === '' ? '' : normalizeYmd(form.until);
  if (untilDay === null) errors.until = '終了日を「2027-03-31」の形で入力してください（定めがなければ空欄）。';
  const input: Record<string, unknown> = {};
  const lines: string[] = [];
  if (form.name.trim() !== op.name) {
    input.name = form.name.trim();
    lines.push(`氏名: ${op.name} → ${form.name.trim()}`);
  }
  if (form.kana.trim() !== op.kana) {
    input.kana = form.kana.trim();
    lines.push(`カナ: ${op.kana || '（なし）'} → ${form.kana.trim() || '（なし）'}`);
  }
  if (form.role && form.role !== op.role) {
    input.role = form.role;
    lines.push(`役割: ${roleLabel(op.role)} → ${roleLabel(form.role)}`);
  }
  if (untilDay !== null && untilDay !== currentUntilYmd) {
    input.until = untilDay ? jstDayEndExclusive(untilDay) : null;
    lines.push(`承認期間の終了日: ${currentUntilYmd || '（なし）'} → ${untilDay || '（なし）'}`);
  }
  if (done(errors) && lines.length === 0) errors.form = '変更する項目がありません。';
  if (!done(errors)) return { ok: false, errors };
  return {
    ok: true,
    plan: {
      action: 'roster.change',
      target: op.id,
      input: { ...input, reason: form.reason },
      title: '操作者の登録内容を変更します',
      summary: [who(op), ...lines, `理由: ${form.reason}`],
      confirm: true,
      confirmLabel: '変更する',
      done: `${op.name} さんの登録内容を変更しました。`,
    },
  };
}

export function issueCardPlan(op: AdminOperatorRow | undefined, reader: string, reason: string): Built {
  const errors = withReason(reason);
  if (!op) errors.operator = 'カードを発行する操作者を選んでください。';
  if (!reader) errors.reader = '新しいカードを挿したカードリーダーを選んでください。';
  if (!done(errors) || !op) return { ok: false, errors };
  return {
    ok: true,
    plan: {
      action: 'cards.issue',
      input: { operatorId: op.id, reader, reason },
      title: 'カードを発行します',
      summary: [`${who(op)} に、カードリーダー「${reader}」のカードを発行します。`, `理由: ${reason}`],
      confirm: false,
      done: `${op.name} さんにカードを発行しました。`,
    },
  };
}

export interface ExceptionForm {
  date: string;
  opensAt: string;
  closesAt: string;
  reason: string;
}

export function approveExceptionPlan(form: ExceptionForm): Built {
  const errors = withReason(form.reason);
  const date = normalizeYmd(form.date);
  const opensAt = normalizeHm(form.opensAt);
  const closesAt = normalizeHm(form.closesAt);
  if (!date) errors.date = '日付を「2026-11-29」の形で入力してください。';
  if (!opensAt) errors.opensAt = '開庁時刻を「08:30」の形で入力してください。';
  if (!closesAt) errors.closesAt = '閉庁時刻を「17:15」の形で入力してください。';
  else if (opensAt && closesAt <= opensAt) errors.closesAt = '閉庁時刻は開庁時刻より後にしてください。';
  if (!done(errors) || !date || !opensAt || !closesAt) return { ok: false, errors };
  return {
    ok: true,
    plan: {
      action: 'calendar.approve',
      input: { date, opensAt, closesAt, reason: form.reason },
      title: '開庁日の例外を承認します',
      summary: [`${date} ${opensAt}〜${closesAt}`, `理由: ${form.reason}`],
      confirm: false,
      done: `${date} の例外（${opensAt}〜${closesAt}）を承認しました。各端末は次の通信で反映します。`,
    },
  };
}

export function withdrawExceptionPlan(e: AdminExceptionRow, reason: string): Built {
  const errors = withReason(reason);
  if (!done(errors)) return { ok: false, errors };
  return {
    ok: true,
    plan: {
      action: 'calendar.withdraw',
      danger: true,
      target: e.id,
      input: { reason },
      title: '開庁日の例外を取り下げます',
      summary: [`${e.date} ${e.opensAt}〜${e.closesAt}（${e.reason}）`, 'この日は通常の開庁時間に戻ります。', `理由: ${reason}`],
      confirm: true,
      confirmLabel: '取り下げる',
      done: `${e.date} の例外を取り下げました。`,
    },
  };
}

export function setStopPlan(scope: 'all' | 'terminal' | '', terminal: AdminTerminalRow | undefined, reason: string): Built {
  const errors = withReason(reason);
  if (!scope) errors.scope = '停止する範囲を選んでください。';
  if (scope === 'terminal' && !terminal) errors.terminal = '停止する端末を選んでください。';
  if (!done(errors) || !scope) return { ok: false, errors };
  const where = scope === 'all' ? '全端末' : `端末 ${terminal!.name}（${terminal!.id}）`;
  return {
    ok: true,
    plan: {
      action: 'emergency-stop.set',
      danger: true,
      input: scope === 'all' ? { scope, reason } : { scope, terminalId: terminal!.id, reason },
      title: `${where}を緊急停止します`,
      summary: [
        `${where}で、業務端末の操作者は次の通信（十数秒以内）でロックされ、解除されるまでサインインできません。`,
        '情報保護管理者とシステム管理者はサインインできます（解除のため）。',
        `理由: ${reason}`,
      ],
      confirm: true,
      confirmLabel: '緊急停止する',
      done: `${where}を緊急停止しました。`,
    },
  };
}

export function clearStopPlan(stop: AdminStopRow, reason: string, terminalName: string): Built {
  const errors = withReason(reason);
  if (!done(errors)) return { ok: false, errors };
  const where = stop.scope === 'all' ? '全端末' : `端末 ${terminalName}`;
  return {
    ok: true,
    plan: {
      action: 'emergency-stop.clear',
      target: stop.id,
      input: { reason },
      title: `${where}の緊急停止を解除します`,
      summary: [`停止の理由: ${stop.reason}`, '解除すると、操作者は次の通信からサインインできます。', `解除の理由: ${reason}`],
      confirm: true,
      confirmLabel: '解除する',
      done: `${where}の緊急停止を解除しました。`,
    },
  };
}

export function registerTerminalPlan(form: { id: string; name: string; reason: string }): Built {
  const errors = withReason(form.reason);
  if (form.name.trim() === '' || form.name.length > 100) errors.name = '端末名を100文字以内で入力してください。';
  if (form.id !== '' && !TERMINAL_ID.test(form.id)) errors.id = '端末IDは英小文字・数字・ハイフンで入力してください（空欄なら自動）。';
  if (!done(errors)) return { ok: false, errors };
  return {
    ok: true,
    plan: {
      action: 'terminals.register',
      input: { ...(form.id ? { id: form.id } : {}), name: form.name.trim(), reason: form.reason },
      title: '端末を登録します',
      summary: [`${form.name.trim()}${form.id ? `（${form.id}）` : ''}`, '認証情報は次の画面で一度だけ表示されます。', `理由: ${form.reason}`],
      confirm: true,
      confirmLabel: '登録する',
      done: `端末 ${form.name.trim()} を登録しました。`,
      secret: 'credential',
    },
  };
}

export function retireTerminalPlan(t: AdminTerminalRow, reason: string): Built {
  const errors = withReason(reason);
  if (!done(errors)) return { ok: false, errors };
  return {
    ok: true,
    plan: {
      action: 'terminals.retire',
      danger: true,
      target: t.id,
      input: { reason },
      title: '端末を廃止します',
      summary: [`${t.name}（${t.id}）`, 'この端末の認証情報は使えなくなり、端末は中央サーバーに接続できなくなります。元に戻せません。', `理由: ${reason}`],
      confirm: true,
      confirmLabel: '廃止する',
      done: `端末 ${t.name} を廃止しました。`,
    },
  };
}
