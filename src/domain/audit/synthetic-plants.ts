// The misuse planted in the synthetic history: at least one case of every rule kind, each written
// into an operator's ordinary working day (or the log/sync bookkeeping) and returned with the rows
// that constitute it. Positions are fractions of the period, so any period of 4 weeks or more works.
import { jstAt, jstYmd } from '../calendar/jst';
import type { LogRecord } from '../log/log-record';
import { NAME_SEPARATOR } from '../resident/synthetic-town';
import { addressKey, familyKana } from './person-match';
import type { Session, Simulation, WorkDay } from './synthetic-history';
import type { RowRef, RuleId } from './types';

export interface PlantedCase {
  id: string;
  /** The rule that must find it. */
  rule: RuleId;
  /** Other rules whose findings on these rows are expected too (not false alarms). */
  also: RuleId[];
  /** Japanese, for people reading the test output. */
  description: string;
  rows: RowRef[];
  operatorId?: string;
  terminalId?: string;
  residentId?: string;
}

interface Slot {
  day: WorkDay;
  terminal: number;
  operatorId: string;
}

export function plantMisuse(sim: Simulation, days: number): { cases: PlantedCase[]; selectors: Map<PlantedCase, (r: LogRecord) => boolean> } {
  const cases: PlantedCase[] = [];
  const selectors = new Map<PlantedCase, (r: LogRecord) => boolean>();
  const ops = sim.operators;
  const rng = sim.rng;
  if (ops.length < 5 || sim.terminalIds.length < 3 || days < 28) return { cases, selectors };
  const op = (i: number): (typeof ops)[number] => ops[i % ops.length]!;
  const rare = ops[ops.length - 1]!;

  const slot = (fraction: number, operatorId?: string, terminal?: number, skip: Set<string> = new Set()): Slot | null => {
    const from = Math.floor(days * fraction);
    for (const day of sim.workDays) {
      if (day.index < from || day.window.exception !== null) continue;
      for (const [t, o] of [...day.staffing].sort(([a], [b]) => a - b)) {
        if ((operatorId === undefined || o === operatorId) && (terminal === undefined || t === terminal) && !skip.has(`${day.ymd}|${o}`)) return { day, terminal: t, operatorId: o };
      }
    }
    return null;
  };
  const newCase = (rule: RuleId, description: string, extra: Partial<PlantedCase> = {}): PlantedCase => {
    const c: PlantedCase = { id: `P${String(cases.length + 1).padStart(2, '0')}`, rule, also: [], description, rows: [], ...extra };
    cases.push(c);
    return c;
  };
  const record = (c: PlantedCase, s: Session, write: () => void): void => {
    c.rows.push(...s.w.collect(write));
    c.terminalId ??= s.w.terminalId;
  };
  /** A case written at one of the operator's case slots on the first working day from `fraction`. */
  const atCase = (fraction: number, operatorId: string, c: PlantedCase, write: (s: Session) => void): Slot | null => {
    const at = slot(fraction, operatorId);
    if (!at) return null;
    sim.plan(at.day.ymd, operatorId).cases.push((s) => record(c, s, () => write(s)));
    return at;
  };
  const operatorFamilies = new Set(ops.map((o) => familyKana(o.kana)));
  const plainVisitor = (): string => {
    for (;;) {
      const v = sim.visitor();
      if (!operatorFamilies.has(familyKana(v.kana))) return v.id;
    }
  };
  const removeFromPool = (householdId: string): void => {
    sim.visitorPool = sim.visitorPool.filter((h) => h.id !== householdId);
  };

  // 1. purpose
  const a = op(0);
  atCase(0.05, a.id, newCase('purpose.missing-case', '受付番号が必要な「住民票の写し等の交付」で受付番号なしに検索・参照', { operatorId: a.id }), (s) =>
    sim.writeCase(s, { category: 'juminhyo-copy', caseNumber: null, note: null }, [plainVisitor()]));
  atCase(0.09, op(1).id, newCase('purpose.vague-note', '目的「確認のため」だけで検索・参照', { operatorId: op(1).id }), (s) =>
    sim.writeCase(s, { category: 'identity-check', caseNumber: null, note: '確認のため' }, [plainVisitor()]));
  const repeated = newCase('purpose.repeated-note', '同じ目的の文言を受付番号なしで何度も使う', { operatorId: op(2).id });
  {
    const used = new Set<string>();
    for (let i = 0; i < 3; i++) {
      const at = slot(0.12, op(2).id, undefined, used);
      if (!at) break;
      used.add(`${at.day.ymd}|${at.operatorId}`);
      for (let k = 0; k < 2; k++) {
        sim.plan(at.day.ymd, at.operatorId).cases.push((s) => record(repeated, s, () =>
          sim.writeCase(s, { category: 'other-section-inquiry', caseNumber: null, note: '住所異動の相談対応' }, [plainVisitor()])));
      }
    }
  }
  atCase(0.15, op(3).id, newCase('purpose.unknown-case', '受付台帳にない受付番号「0000」で検索・参照', { operatorId: op(3).id }), (s) =>
    sim.writeCase(s, { category: 'moving-in', caseNumber: '0000', note: null }, [plainVisitor()]));

  // 2. one resident, many operators within a few days
  {
    const target = plainVisitor();
    removeFromPool(sim.residents.get(target)!.householdId);
    const c = newCase('resident.many-operators', '同じ住民の記録を5人の操作者が数日のうちに参照', { residentId: target });
    const seen = new Set<string>();
    for (const day of sim.workDays) {
      if (day.index < Math.floor(days * 0.2) || day.window.exception !== null) continue;
      for (const [, o] of [...day.staffing].sort(([x], [y]) => x - y)) {
        if (seen.has(o) || seen.size >= 5) continue;
        seen.add(o);
        sim.plan(day.ymd, o).cases.push((s) => record(c, s, () =>
          sim.writeCase(s, { category: 'other-section-inquiry', caseNumber: null, note: sim.specificNote('other-section-inquiry') }, [target])));
      }
      if (seen.size >= 5) break;
    }
  }

  // 3. relations
  const self = op(4);
  atCase(0.25, self.id, newCase('relation.self', '自分自身の記録を参照', { operatorId: self.id, residentId: self.residentId }), (s) =>
    sim.writeCase(s, { category: 'identity-check', caseNumber: null, note: sim.specificNote('identity-check') }, [self.residentId]));
  {
    const b = op(1);
    const household = sim.households.find((h) => h.id === b.householdId)!;
    const member = household.members.find((m) => m.resident.id !== b.residentId)!.resident.id;
    atCase(0.28, b.id, newCase('relation.household', '同じ世帯の家族の記録を参照', { operatorId: b.id, residentId: member }), (s) =>
      sim.writeCase(s, { category: 'moving-within', caseNumber: sim.newReceipt(s.ymd), note: null }, [member]));
  }
  atCase(0.31, op(2).id, newCase('relation.colleague', '同僚の記録を参照', { operatorId: op(2).id, residentId: a.residentId }), (s) =>
    sim.writeCase(s, { category: 'identity-check', caseNumber: null, note: sim.specificNote('identity-check') }, [a.residentId]));
  {
    const d = op(3);
    const neighbour = sim.visitorPool.find((h) => h.members.length === 1 && !operatorFamilies.has(familyKana(h.familyKana)))!;
    removeFromPool(neighbour.id);
    const r = neighbour.members[0]!.resident;
    sim.residents.set(r.id, { id: r.id, name: r.name, kana: r.kana, address: d.address!, householdId: `HX${r.id.slice(1)}` });
    atCase(0.34, d.id, newCase('relation.same-address', '自分と同じ住所（別世帯）の人の記録を参照', { operatorId: d.id, residentId: r.id }), (s) =>
      sim.writeCase(s, { category: 'family-register-inquiry', caseNumber: null, note: sim.specificNote('family-register-inquiry') }, [r.id]));
  }
  {
    const family = familyKana(rare.kana);
    const other = sim.households.find((h) => h.id !== rare.householdId && familyKana(h.familyKana) === family && addressKey(h.address) !== addressKey(rare.address));
    if (other) {
      const r = other.members[0]!.resident;
      atCase(0.37, rare.id, newCase('relation.same-surname', `町内で少ない同じ姓（${rare.kana.split(NAME_SEPARATOR)[0]}）の人の記録を受付番号なしで参照`, { operatorId: rare.id, residentId: r.id }), (s) =>
        sim.writeCase(s, { category: 'identity-check', caseNumber: null, note: sim.specificNote('identity-check') }, [r.id]));
    }
  }

  // 10. flagged records (before the volume day, which moves the cursor a lot)
  const [dv, publicFigure] = [...sim.flagged].sort(([x], [y]) => (x < y ? -1 : 1)).reduce<[string, string]>(
    (acc, [id, label]) => [acc[0] || (label === 'dv-support' ? id : ''), acc[1] || (label === 'public-figure' ? id : '')], ['', '']);
  atCase(0.4, a.id, newCase('flagged.access', '支援措置（DV等）対象者の記録を受付番号付きで参照', { operatorId: a.id, residentId: dv }), (s) =>
    sim.writeCase(s, { category: 'moving-out', caseNumber: sim.newReceipt(s.ymd), note: null }, [dv], { print: true }));
  atCase(0.88, op(1).id, newCase('flagged.access', '著名人の記録を検索・参照', { operatorId: op(1).id, residentId: publicFigure }), (s) =>
    sim.writeCase(s, { category: 'identity-check', caseNumber: null, note: sim.specificNote('identity-check') }, [publicFigure]));

  // 4. one day of unusually many searches
  atCase(0.45, op(1).id, newCase('volume.unusual', '1日に普段の数倍の検索・参照（60件の案件）', { operatorId: op(1).id }), (s) => {
    for (let i = 0; i < 60; i++) {
      s.w.wait(rng.int(20_000, 60_000));
      sim.writeCase(s, { category: 'juminhyo-copy', caseNumber: sim.newReceipt(s.ymd), note: null }, [plainVisitor()], { quick: true });
    }
  });

  // 5. hours
  {
    const c = newCase('hours.outside', '閉庁後（18時台）にサインインして住民記録を参照', { operatorId: op(2).id });
    const at = slot(0.5, op(2).id);
    if (at) {
      sim.plan(at.day.ymd, op(2).id).after.push((s) => record(c, s, () => {
        sim.signIn(s, 0);
        sim.writeCase(s, { category: 'identity-check', caseNumber: null, note: sim.specificNote('identity-check') }, [plainVisitor()]);
        s.w.emit('session.signed-out', 'info', s.op.id, null, { reason: 'operator' });
      }));
    }
  }
  {
    const c = newCase('hours.near-closing', '閉庁直前に受付番号のない検索・参照を4件', { operatorId: op(3).id });
    const at = slot(0.53, op(3).id);
    if (at) {
      sim.plan(at.day.ymd, op(3).id).nearClose.push((s) => record(c, s, () => {
        for (let i = 0; i < 4; i++) sim.writeCase(s, { category: 'other-section-inquiry', caseNumber: null, note: sim.specificNote('other-section-inquiry') }, [plainVisitor()], { quick: true });
      }));
    }
  }
  if (sim.exceptions[0]) newCase('hours.exception-day', `特別開庁日（${sim.exceptions[0].date}）の業務`);

  // 6. sign-in failures
  {
    const e = op(4);
    const c = newCase('signin.lockout', 'パスワードを3回続けて誤りロックアウト', { operatorId: e.id });
    const at = slot(0.58, e.id);
    if (at) {
      sim.plan(at.day.ymd, e.id).beforeSignIn.push((s) => record(c, s, () => {
        s.w.emit('card.inserted', 'info', null, null, { reader: 'Virtual PCD 00 00' });
        s.w.emit('card.authenticated', 'success', e.id, s.card, { reader: 'Virtual PCD 00 00' });
        for (let i = 1; i <= 3; i++) s.w.wait(rng.int(5_000, 15_000)).emit('signin.failure', 'failure', e.id, s.card, { reason: 'wrong-password', failedAttempts: i, unlock: false });
        s.w.emit('signin.lockout', 'failure', e.id, s.card, { failedAttempts: 3 });
        s.w.emit('card.removed', 'info', null, null, { reader: 'Virtual PCD 00 00' });
      }));
      sim.plan(at.day.ymd, e.id).beforeSignIn.push((s) => {
        s.w.wait(rng.int(30, 50) * 60_000).emit('roster.lockout-released', 'info', e.id, null, { failedAttempts: 0 });
      });
    }
  }
  {
    const f = op(5);
    const at = slot(0.62, f.id);
    if (at) {
      const c = newCase('signin.repeated-failures', 'サインインで2回、昼の解除で1回パスワードを誤る（ロックアウトなし）', { operatorId: f.id });
      const plan = sim.plan(at.day.ymd, f.id);
      plan.signInFailures = 2;
      plan.unlockFailures = 1;
      selectors.set(c, (r) => r.type === 'signin.failure' && r.operatorId === f.id && jstYmd(Date.parse(r.at)) === at.day.ymd);
    }
  }
  {
    const at = slot(0.66, undefined, 1);
    if (at) {
      const c = newCase('signin.terminal-failures', '昼休みに登録されていないカードで5回サインインを試みる', { terminalId: sim.terminalIds[1] });
      sim.plan(at.day.ymd, at.operatorId).lunch.push((s) => record(c, s, () => {
        for (let i = 0; i < 5; i++) {
          s.w.wait(rng.int(30_000, 90_000)).emit('card.inserted', 'info', null, null, { reader: 'Virtual PCD 00 00' });
          s.w.emit('signin.refused', 'failure', null, rng.hex(64), { reason: 'unknown-card' });
          s.w.emit('card.removed', 'info', null, null, { reader: 'Virtual PCD 00 00' });
        }
      }));
    }
  }

  // 7. cards
  {
    const g = op(6);
    const revokeDay = slot(0.7, g.id);
    if (revokeDay) {
      const old = g.cards[0]!;
      const revokedAt = new Date(jstAt(revokeDay.day.ymd, 17 * 60 + 30)).toISOString();
      old.status = 'revoked';
      old.revokedAt = revokedAt;
      (g.cards as typeof g.cards[number][]).push({ keyId: rng.hex(64), status: 'active', issuedAt: new Date(Date.parse(revokedAt) + 14.5 * 3_600_000).toISOString(), revokedAt: null });
      const later = slot(0, g.id, undefined, new Set(sim.workDays.filter((d) => d.index <= revokeDay.day.index + 1).map((d) => `${d.ymd}|${g.id}`)));
      if (later) {
        const c = newCase('card.revoked-use', '失効したカードで（名簿が古い端末で）サインイン', { operatorId: g.id });
        sim.plan(later.day.ymd, g.id).cardKeyId = old.keyId;
        selectors.set(c, (r) => r.cardKeyId === old.keyId && r.at >= revokedAt);
      }
    }
  }
  {
    // Not on a day whose card is already chosen by another case (with few operators, op(6) is op(0)).
    const taken = new Set([...sim.plans].filter(([, p]) => p.cardKeyId !== null).map(([key]) => key));
    const at = slot(0.75, a.id, undefined, taken);
    if (at) {
      const spare = { keyId: rng.hex(64), status: 'active' as const, issuedAt: new Date(jstAt(at.day.ymd, 9 * 60) + 3 * 86_400_000).toISOString(), revokedAt: null };
      (a.cards as typeof a.cards[number][]).push(spare);
      const c = newCase('card.outside-lending', '貸与日より前にカードを使用', { operatorId: a.id });
      sim.plan(at.day.ymd, a.id).cardKeyId = spare.keyId;
      selectors.set(c, (r) => r.cardKeyId === spare.keyId && r.at < spare.issuedAt);
    }
  }

  // 8. integrity
  {
    const at = slot(0.78, undefined, 2);
    if (at) {
      const c = newCase('log.integrity', '端末の操作ログの検証で不整合（ハッシュ不一致）', { terminalId: sim.terminalIds[2] });
      sim.plan(at.day.ymd, at.operatorId).start.push((s) => record(c, s, () => {
        s.w.emit('app.start', 'info', null, null, { pendingLogEvents: 0, idleLockSeconds: 300, syncIntervalSeconds: 15 });
        s.w.emit('log.integrity-problem', 'failure', null, null, { head: 'ok', problem: 'hash-mismatch', seq: Math.max(1, s.w.seq - 40), summary: 'hash-mismatch at record' });
      }));
    }
  }
  {
    const at = slot(0.8, undefined, 0);
    if (at) {
      const c = newCase('log.integrity', '端末のログ保存領域が作り直された', { terminalId: sim.terminalIds[0] });
      sim.plan(at.day.ymd, at.operatorId).start.push((s) => record(c, s, () => {
        s.w.emit('log.store-replaced', 'failure', null, null, { serverSeq: s.w.seq, localRecords: 0, firstLocalAt: '', lastLocalAt: '' });
      }));
    }
  }
  {
    const at = slot(0.82, undefined, 1);
    if (at) {
      sim.integrityAlerts.push({ terminalId: sim.terminalIds[1]!, at: new Date(jstAt(at.day.ymd, 10 * 60)).toISOString(), kind: 'broken-link', seq: null });
      newCase('log.integrity', 'サーバーの検証で記録の連鎖切れ', { terminalId: sim.terminalIds[1] });
    }
  }

  // 9. sync
  newCase('sync.stale', '期間の終わりに同期しなくなった端末');
  {
    const at = slot(0.85, undefined, 0);
    if (at) {
      const c = newCase('sync.refused', 'ログの送信がサーバーに拒否された', { terminalId: sim.terminalIds[0] });
      sim.plan(at.day.ymd, at.operatorId).start.push((s) => record(c, s, () => {
        s.w.emit('log.sync-refused', 'failure', null, null, { code: 'log-conflict', message: 'サーバーの記録と一致しません。' });
      }));
    }
  }
  return { cases, selectors };
}
