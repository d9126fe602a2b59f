// The admin console's store (renderer, issue 6): offers only what the session permits, asks before a
// destructive change, shows every answer, keeps a temporary password only while its dialog is open,
// and forgets everything at a lock / sign-out / change of operator.
import { describe, expect, it } from 'vitest';
import { AdminStore, type AdminOperatorRow } from '../../src/renderer/src/stores/admin-store';
import { approveExceptionPlan, normalizeHm, normalizeYmd, releaseLockoutPlan, revokeCardPlan, temporaryPasswordPlan } from '../../src/renderer/src/stores/admin-plans';
import type { AdminCallResult, AdminOpenResult } from '../../src/shared/admin-routes';
import type { TerminalSnapshot } from '../../src/shared/contract';

const T = '2026-11-24T01:00:00.000Z';
const yamada: AdminOperatorRow = {
  id: 'op-yamada',
  name: '山田 花子',
  kana: 'ヤマダ ハナコ',
  role: 'operator',
  status: 'active',
  approvedBy: '高橋 美咲',
  since: T,
  until: null,
  cards: [{ keyId: 'a'.repeat(64), operatorId: 'op-yamada', status: 'active', issuedAt: T, revokedAt: null, revokedReason: null }],
  lastSignInAt: null,
  lastSignInTerminalId: null,
  failedAttempts: 3,
  lockedOut: true,
  password: { setAt: T, temporary: false, expiresAt: '2027-02-22T01:00:00.000Z', changeRequiredAt: null },
};

function fakeApi(permissions: string[]) {
  const calls: { action: string; target?: string; input?: unknown }[] = [];
  let closed = 0;
  const api = {
    adminOpen: async (): Promise<AdminOpenResult> => ({ ok: true, session: { operatorName: '鈴木 一郎', role: 'manager', roleLabel: '情報保護管理者', permissions, expiresAt: T } }),
    adminClose: async () => {
      closed++;
      return { ok: true as const };
    },
    adminCall: async (call: { action: string; target?: string; input?: unknown }): Promise<AdminCallResult> => {
      calls.push(call);
      if (call.action === 'roster.view') return { ok: true, data: { generatedAt: T, operators: [yamada] } };
      if (call.action === 'password.set-temporary') return { ok: true, data: { ok: true }, temporaryPassword: 'Kari-Pass-1234' };
      if (call.action === 'password.release-lockout') return { ok: false, code: 'admin-not-permitted', message: '権限がありません。' };
      return { ok: true, data: { ok: true } };
    },
  };
  return { api, calls, closedCount: () => closed };
}

const snap = (phase: TerminalSnapshot['phase'], operator: TerminalSnapshot['operator']) => ({ phase, operator }) as TerminalSnapshot;
const suzuki = { id: 'op-suzuki', name: '鈴木 一郎', role: 'manager' as const, roleLabel: '情報保護管理者' };

describe('AdminStore', () => {
  it('is offered to managers and system administrators only', () => {
    expect(AdminStore.offeredTo(snap('working', suzuki))).toBe(true);
    expect(AdminStore.offeredTo(snap('working', { ...suzuki, role: 'operator' }))).toBe(false);
    expect(AdminStore.offeredTo(snap('locked', null))).toBe(false);
  });

  it('opens the session, shows only permitted sections, keeps the temporary password only until its dialog closes, forgets all at a lock', async () => {
    const { api, calls } = fakeApi(['roster.view', 'password.set-temporary', 'password.release-lockout', 'calendar.view']);
    const store = new AdminStore({ api });
    store.receive(snap('working', suzuki));
    await store.show();
    expect(store.session?.operatorName).toBe('鈴木 一郎');
    expect(store.sections.map((s) => s.id)).toEqual(['roster', 'calendar']);
    expect(store.roster?.[0]?.id).toBe('op-yamada');

    // Destructive: asked first, nothing sent until "yes".
    const before = calls.length;
    await store.propose(temporaryPasswordPlan(yamada, 'パスワード失念'));
    expect(store.pending?.title).toBe('仮パスワードを発行します');
    expect(calls.length).toBe(before);
    await store.confirmPending();
    expect(calls.some((c) => c.action === 'password.set-temporary' && c.target === 'op-yamada')).toBe(true);
    expect(store.secret?.value).toBe('Kari-Pass-1234');
    expect(store.outcome?.text).not.toContain('Kari-Pass-1234');
    store.dismissSecret();
    expect(JSON.stringify(store)).not.toContain('Kari-Pass-1234');

    // The server's refusal is shown as it is.
    store.openDialog({ kind: 'release-lockout', operator: yamada });
    await store.propose(releaseLockoutPlan(yamada, '本人確認済み'));
    expect(store.actionError).toBe('権限がありません。');
    expect(store.outcome).toEqual({ ok: false, text: '権限がありません。' });

    store.receive(snap('locked', null));
    expect(store.session).toBeNull();
    expect(store.roster).toBeNull();
    expect(store.visible).toBe(false);
    expect(store.dialog).toBeNull();
  });

  it('drops everything when another operator works here', async () => {
    const { api } = fakeApi(['roster.view']);
    const store = new AdminStore({ api });
    store.receive(snap('working', suzuki));
    await store.show();
    expect(store.roster).not.toBeNull();
    store.receive(snap('working', { ...suzuki, id: 'op-takahashi', role: 'sysadmin' }));
    expect(store.roster).toBeNull();
    expect(store.session).toBeNull();
  });

  it('asks for a reason for every change and checks the forms', () => {
    expect(releaseLockoutPlan(yamada, '  ')).toMatchObject({ ok: false, errors: { reason: '理由を入力してください。' } });
    expect(releaseLockoutPlan(yamada, 'x'.repeat(201))).toMatchObject({ ok: false });
    expect(revokeCardPlan(yamada, yamada.cards[0]!, '', '')).toMatchObject({ ok: false, errors: { revocation: expect.any(String) } });
    expect(revokeCardPlan(yamada, yamada.cards[0]!, 'other', '')).toMatchObject({ ok: false, errors: { note: expect.any(String) } });
    expect(revokeCardPlan(yamada, yamada.cards[0]!, 'lost', '')).toMatchObject({ ok: true, plan: { input: { reason: 'lost' }, confirm: true } });
    expect(approveExceptionPlan({ date: '2026/11/29', opensAt: '9:00', closesAt: '12:00', reason: '休日窓口' })).toMatchObject({
      ok: true,
      plan: { input: { date: '2026-11-29', opensAt: '09:00', closesAt: '12:00' } },
    });
    expect(approveExceptionPlan({ date: '2026-02-30', opensAt: '12:00', closesAt: '09:00', reason: 'x' })).toMatchObject({ ok: false, errors: { date: expect.any(String), closesAt: expect.any(String) } });
    expect(normalizeYmd('２０２６年１１月２９日')).toBe('2026-11-29');
    expect(normalizeHm('0830')).toBe('08:30');
    expect(normalizeHm('24:00')).toBeNull();
  });
});
