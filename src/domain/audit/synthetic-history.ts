// A synthetic operation history for the findings engine's tests, the demo server and the benchmarks
// (issue 5): a town (synthetic-town.ts), a roster of operators who live in it, several terminals and
// months of working days with sign-ins, lunch locks, purposes, searches, views and prints — and,
// unless switched off, PLANTED misuse of every rule kind (synthetic-plants.ts), returned with the
// rows that constitute each case. NO REAL DATA. Deterministic in the options (seeded PRNG, JST
// arithmetic on epoch ms). Hash chains only when a SHA-256 function is passed (domain code has none).
import { openingWindow, type OpeningWindow } from '../calendar/hours';
import type { CalendarException } from '../calendar/exceptions';
import { addDays, jstAt, jstStartOfDay, jstYmd } from '../calendar/jst';
import type { LogRecord, Sha256Hex } from '../log/log-record';
import { packIdList } from '../log/id-list';
import { DEFAULT_PURPOSE_CATEGORIES, type PurposeCategory } from '../resident/purpose';
import { generateTown, type SyntheticHousehold, type SyntheticResident } from '../resident/synthetic-town';
import { addressKey, surnameShares } from './person-match';
import { plantMisuse, type PlantedCase } from './synthetic-plants';
import { HistoryRng } from './synthetic-rng';
import { pickOperators, type SyntheticOperator } from './synthetic-roster';
import { TerminalWriter } from './synthetic-writer';
import type { AuditContext, AuditResident, FlagLabel, IntegrityAlert } from './types';

export type { PlantedCase } from './synthetic-plants';
export type { SyntheticOperator } from './synthetic-roster';

export interface SyntheticHistoryOptions {
  seed: number;
  /** First JST day, YYYY-MM-DD. */
  from: string;
  /** Calendar days (default 91). */
  days?: number;
  terminals?: number;
  operators?: number;
  /** Town size in households (default 4000, about 10,000 residents). */
  households?: number;
  /** Cases per operator per working day on average (default 12). */
  casesPerDay?: number;
  /** Plant misuse of every rule kind (default true; needs ≥ 5 operators, ≥ 3 terminals, ≥ 28 days). */
  plant?: boolean;
  /** When given, records carry the real hash chain. */
  sha256?: Sha256Hex;
}

export interface SyntheticHistory {
  /** Every terminal's records, merged in time order (then terminal, seq). */
  records: LogRecord[];
  context: AuditContext;
  operators: SyntheticOperator[];
  terminalIds: string[];
  residents: Map<string, AuditResident>;
  planted: PlantedCase[];
}

/** One operator's day at one terminal, with what the planting adds to it. */
export interface SessionPlan {
  cases: ((s: Session) => void)[];
  /** At lunch (card out, session locked). */
  lunch: ((s: Session) => void)[];
  /** Just before closing (then the forced lock). */
  nearClose: ((s: Session) => void)[];
  /** After hours, after sign-out. */
  after: ((s: Session) => void)[];
  /** Before the session, at the terminal's start (before opening). */
  start: ((s: Session) => void)[];
  /** After opening, before the sign-in. */
  beforeSignIn: ((s: Session) => void)[];
  signInFailures: number;
  unlockFailures: number;
  cardKeyId: string | null;
}

export interface Session {
  sim: Simulation;
  w: TerminalWriter;
  op: SyntheticOperator;
  card: string;
  window: OpeningWindow;
  ymd: string;
}

export interface WorkDay {
  index: number;
  ymd: string;
  window: OpeningWindow;
  /** terminal index → operator id. */
  staffing: Map<number, string>;
}

const READER = 'Virtual PCD 00 00';
const CRITERIA = ['kana+birthDate', 'kana', 'name+birthDate', 'code', 'kana+address'];
const OFFICES = ['税務課', '保険年金課', '福祉課', '子育て支援課', '介護保険課'];

export class Simulation {
  readonly rng: HistoryRng;
  readonly receipts = new Set<string>();
  private receiptSerial = 0;
  readonly plans = new Map<string, SessionPlan>();
  readonly categories: readonly PurposeCategory[] = DEFAULT_PURPOSE_CATEGORIES;
  replicaVersion = 1000;
  private readonly householdById: Map<string, SyntheticHousehold>;

  constructor(
    seed: number,
    readonly operators: SyntheticOperator[],
    readonly terminalIds: string[],
    readonly workDays: WorkDay[],
    readonly households: SyntheticHousehold[],
    /** Households normal traffic draws its visitors from. */
    public visitorPool: SyntheticHousehold[],
    readonly residents: Map<string, AuditResident>,
    readonly flagged: Map<string, FlagLabel>,
    readonly exceptions: CalendarException[],
    readonly integrityAlerts: IntegrityAlert[],
  ) {
    this.rng = new HistoryRng(seed);
    this.householdById = new Map(households.map((h) => [h.id, h] as const));
  }

  plan(ymd: string, operatorId: string): SessionPlan {
    const key = `${ymd}|${operatorId}`;
    let p = this.plans.get(key);
    if (!p) {
      p = { cases: [], lunch: [], nearClose: [], after: [], start: [], beforeSignIn: [], signInFailures: 0, unlockFailures: 0, cardKeyId: null };
      this.plans.set(key, p);
    }
    return p;
  }

  newReceipt(ymd: string): string {
    this.receiptSerial += 1;
    const n = `${ymd.slice(2, 4)}-${String(this.receiptSerial).padStart(5, '0')}`;
    this.receipts.add(n);
    return n;
  }

  specificNote(category: string): string {
    const n = this.rng.int(1, 99999);
    if (category === 'identity-check') return `来庁者の本人確認（整理券${n}番）`;
    if (category === 'family-register-inquiry') return `本籍地からの戸籍照会（照会番号K${n}）`;
    return `${this.rng.pick(OFFICES)}からの依頼（文書番号${n}）`;
  }

  visitor(): SyntheticResident {
    const h = this.rng.pick(this.visitorPool);
    const living = h.members.filter((m) => m.resident.status === 'resident');
    return this.rng.pick(living.length > 0 ? living : h.members).resident;
  }

  /** A purpose, a search showing `shown`, views of `views`, maybe a print, and the end of the case. */
  writeCase(
    s: Session,
    purpose: { category: string; caseNumber: string | null; note: string | null },
    views: readonly string[],
    extra: { shown?: readonly string[]; print?: boolean; reveal?: boolean; quick?: boolean } = {},
  ): void {
    const { w, op, rng } = { ...s, rng: this.rng };
    const p = { purposeCategory: purpose.category, caseNumber: purpose.caseNumber };
    const slow = extra.quick ? 0.2 : 1;
    w.emit('purpose.stated', 'info', op.id, null, { ...p, note: purpose.note });
    w.wait(rng.int(15_000, 60_000) * slow);
    const shown = [...new Set(extra.shown ?? views)];
    this.replicaVersion += rng.int(0, 3);
    w.emit('resident.search', 'success', op.id, null, {
      ...p, criteria: rng.pick(CRITERIA), hits: shown.length, truncated: false, source: 'replica', replicaVersion: this.replicaVersion, ...packIdList('shownIds', shown),
    });
    for (const id of views) {
      w.wait(rng.int(8_000, 40_000) * slow);
      w.emit('resident.viewed', 'success', op.id, null, { ...p, residentId: id });
    }
    const target = views[0];
    if (target && extra.reveal) w.emit('resident.code-revealed', 'info', op.id, null, { ...p, residentId: target });
    if (target && extra.print) {
      w.wait(rng.int(20_000, 90_000) * slow);
      w.emit('resident.printed', 'info', op.id, null, { ...p, residentId: target, reason: 'juminhyo-copy', note: null, contents: 'name,address,birthDate,household', codeMasked: true });
    }
    w.wait(rng.int(30_000, 180_000) * slow);
    w.emit('purpose.ended', 'info', op.id, null, p);
  }

  /** An ordinary case: a visitor (and maybe a household member) under a purpose. */
  normalCase(s: Session): void {
    const rng = this.rng;
    const needsCase = rng.chance(0.7);
    const categories = this.categories.filter((c) => c.needsCaseNumber === needsCase);
    const category = rng.pick(categories).id;
    const caseNumber = needsCase ? this.newReceipt(s.ymd) : null;
    const note = needsCase ? (rng.chance(0.3) ? '窓口申請' : null) : this.specificNote(category);
    const target = this.visitor();
    const views = [target.id];
    const household = this.householdById.get(target.householdId);
    if (household && household.members.length > 1 && rng.chance(0.3)) {
      const other = rng.pick(household.members).resident;
      if (other.id !== target.id) views.push(other.id);
    }
    const shown = rng.chance(0.2) ? [...views, this.visitor().id] : views;
    this.writeCase(s, { category, caseNumber, note }, views, { shown, print: needsCase && rng.chance(0.35), reveal: rng.chance(0.05) });
  }

  signIn(s: Session, failures: number): void {
    const { w, op, card } = s;
    w.emit('card.inserted', 'info', null, null, { reader: READER });
    w.emit('card.authenticated', 'success', op.id, card, { reader: READER });
    for (let i = 1; i <= failures; i++) {
      w.wait(this.rng.int(5_000, 20_000));
      w.emit('signin.failure', 'failure', op.id, card, { reason: 'wrong-password', failedAttempts: i, unlock: false });
    }
    w.wait(this.rng.int(5_000, 20_000));
    w.emit('signin.password-ok', 'success', op.id, card, { mustChange: null });
    w.emit('session.signed-in', 'success', op.id, card);
  }
}

/** The JST instant `minutes` after midnight of `ymd`. */
export const atMinutes = (ymd: string, minutes: number): number => jstAt(ymd, minutes);

function runSession(sim: Simulation, w: TerminalWriter, op: SyntheticOperator, day: WorkDay, casesPerDay: number): void {
  const rng = sim.rng;
  const plan = sim.plans.get(`${day.ymd}|${op.id}`);
  const card = plan?.cardKeyId ?? currentCard(op, day.window.opensAt);
  const s: Session = { sim, w, op, card, window: day.window, ymd: day.ymd };
  const { opensAt, closesAt } = day.window;
  w.at(opensAt - rng.int(10, 25) * 60_000);
  for (const f of plan?.start ?? []) f(s);
  w.at(opensAt + rng.int(1, 15) * 60_000);
  for (const f of plan?.beforeSignIn ?? []) f(s);
  sim.signIn(s, plan?.signInFailures ?? (rng.chance(0.03) ? 1 : 0));

  const lunchStart = atMinutes(day.ymd, 12 * 60);
  const hasLunch = opensAt < lunchStart && closesAt > lunchStart + 90 * 60_000;
  const season = day.ymd.slice(5) >= '03-20' && day.ymd.slice(5) <= '04-10' ? 1.4 : 1;
  const n = Math.max(1, Math.round(casesPerDay * season * (0.7 + rng.next() * 0.6)));
  const endWork = closesAt - rng.int(20, 35) * 60_000;
  const workMs = endWork - w.cursor - (hasLunch ? 3_600_000 : 0);
  const planted = [...(plan?.cases ?? [])];
  const plantSlots = new Map<number, (s: Session) => void>();
  planted.forEach((f, i) => plantSlots.set(Math.min(n - 1, 1 + i * 2), f));
  let lunchDone = !hasLunch;
  for (let i = 0; i < n + planted.length; i++) {
    const slotStart = w.cursor + (workMs / (n + 1)) * (0.5 + rng.next() * 0.5);
    if (!lunchDone && slotStart >= lunchStart) {
      lunchDone = true;
      lunch(sim, s, plan);
    }
    if (slotStart >= endWork) break;
    w.at(slotStart);
    const f = plantSlots.get(i);
    if (f) {
      plantSlots.delete(i);
      f(s);
    } else sim.normalCase(s);
  }
  for (const f of plantSlots.values()) f(s);
  if (!lunchDone && w.cursor < lunchStart + 3_600_000) lunch(sim, s, plan);
  if (plan && plan.nearClose.length > 0) {
    w.at(closesAt - 9 * 60_000);
    for (const f of plan.nearClose) f(s);
    w.at(closesAt - 5 * 60_000).emit('hours.warning', 'info', op.id, null, { minutesLeft: 5 });
    w.at(closesAt).emit('hours.forced-lock', 'info', op.id, null);
    w.emit('session.locked', 'info', op.id, null, { cause: 'hours' });
    w.wait(60_000).emit('card.removed', 'info', null, null, { reader: READER });
  } else {
    w.at(Math.min(w.cursor + rng.int(2, 10) * 60_000, closesAt - 16 * 60_000));
    w.emit('session.signed-out', 'info', op.id, null, { reason: 'operator' });
    w.emit('card.removed', 'info', null, null, { reader: READER });
  }
  if (plan && plan.after.length > 0) {
    w.at(closesAt + rng.int(60, 120) * 60_000);
    for (const f of plan.after) f(s);
  }
}

function lunch(sim: Simulation, s: Session, plan: SessionPlan | undefined): void {
  const { w, op, card } = s;
  w.at(atMinutes(s.ymd, 12 * 60) + sim.rng.int(0, 5) * 60_000);
  w.emit('session.locked', 'info', op.id, null, { cause: 'card-removed' });
  w.emit('card.removed', 'info', null, null, { reader: READER });
  w.wait(sim.rng.int(10, 20) * 60_000);
  for (const f of plan?.lunch ?? []) f(s);
  w.at(atMinutes(s.ymd, 13 * 60) - sim.rng.int(0, 5) * 60_000);
  w.emit('card.inserted', 'info', null, null, { reader: READER });
  w.emit('card.authenticated', 'success', op.id, card, { reader: READER });
  for (let i = 1; i <= (plan?.unlockFailures ?? 0); i++) {
    w.wait(sim.rng.int(5_000, 15_000)).emit('signin.failure', 'failure', op.id, card, { reason: 'wrong-password', failedAttempts: i, unlock: true });
  }
  w.emit('session.unlock-password', 'success', op.id, card, { mustChange: null });
  w.emit('session.unlocked', 'info', op.id, null);
}

/** The operator's card in use at an instant: the one lent latest among those lent and not revoked then. */
function currentCard(op: SyntheticOperator, atMs: number): string {
  const usable = op.cards.filter((c) => Date.parse(c.issuedAt) <= atMs && (c.revokedAt === null || Date.parse(c.revokedAt) > atMs));
  const card = usable.sort((a, b) => Date.parse(b.issuedAt) - Date.parse(a.issuedAt))[0] ?? op.cards[0]!;
  return card.keyId;
}

export function generateSyntheticHistory(options: SyntheticHistoryOptions): SyntheticHistory {
  const days = options.days ?? 91;
  const terminalCount = options.terminals ?? 4;
  const operatorCount = options.operators ?? 8;
  const casesPerDay = options.casesPerDay ?? 12;
  const seed = options.seed >>> 0;
  if (!(days >= 1 && terminalCount >= 1 && operatorCount >= 1)) throw new RangeError('days, terminals and operators must be at least 1');
  const rng = new HistoryRng(seed ^ 0x5a17);
  const town = generateTown({ seed, households: options.households ?? 4000 });
  const shares = surnameShares(town.residents);
  const start = jstStartOfDay(options.from);
  const before = new Date(start - 200 * 86_400_000).toISOString();
  const operators = pickOperators(rng, town.households, operatorCount, shares, before, before);
  const terminalIds = Array.from({ length: terminalCount }, (_, i) => `t-${String(i + 1).padStart(2, '0')}`);
  const residents = new Map<string, AuditResident>(town.residents.map((r) => [r.id, { id: r.id, name: r.name, kana: r.kana, address: r.address, householdId: r.householdId }]));

  // Households normal traffic never touches: the operators' own and any at an operator's address.
  const opHouseholds = new Set(operators.map((o) => o.householdId));
  const opAddresses = new Set(operators.map((o) => addressKey(o.address)));
  let pool = town.households.filter((h) => !opHouseholds.has(h.id) && !opAddresses.has(addressKey(h.address)));
  const flagged = new Map<string, FlagLabel>();
  for (const label of ['dv-support', 'dv-support', 'dv-support', 'dv-support', 'public-figure', 'public-figure'] as const) {
    const h = rng.pick(pool);
    pool = pool.filter((x) => x !== h);
    flagged.set(h.members[0]!.resident.id, label);
  }

  const plant = options.plant ?? true;
  const exceptions: CalendarException[] = [];
  if (plant) {
    // A special Sunday opening about two thirds into the period.
    let d = addDays(options.from, Math.floor(days * 0.65));
    for (let i = 0; i < 7 && new Date(jstStartOfDay(d) + 9 * 3_600_000).getUTCDay() !== 0; i++) d = addDays(d, 1);
    exceptions.push({ id: 'ex-sunday-1', date: d, opensAt: '09:00', closesAt: '12:00', reason: '繁忙期の日曜開庁', approvedBy: '情報保護管理者' });
  }

  const workDays: WorkDay[] = [];
  const staleTerminal = plant && terminalCount >= 3 ? terminalCount - 1 : -1;
  const staleFrom = Math.floor(days * 0.9);
  for (let i = 0, d = options.from; i < days; i++, d = addDays(d, 1)) {
    const window = openingWindow(d, exceptions);
    if (!window) continue;
    const exceptionDay = window.exception !== null;
    const staffing = new Map<number, string>();
    const order = rng.shuffle(operators.map((o) => o.id));
    for (let t = 0; t < terminalCount && t < order.length; t++) {
      if (t === staleTerminal && i >= staleFrom) continue;
      if (exceptionDay && t >= 2) continue;
      staffing.set(t, order[t]!);
    }
    workDays.push({ index: i, ymd: d, window, staffing });
  }

  const sim = new Simulation(seed ^ 0x1157, operators, terminalIds, workDays, town.households, pool, residents, flagged, exceptions, []);
  const planting = plant ? plantMisuse(sim, days) : null;
  const planted = planting?.cases ?? [];

  const records: LogRecord[] = [];
  const writers = terminalIds.map((id, i) => new TerminalWriter(id, ((seed + i * 7919) % 1600) - 800, records, options.sha256));
  const opById = new Map(operators.map((o) => [o.id, o] as const));
  for (const day of workDays) {
    for (const [t, opId] of [...day.staffing].sort(([a], [b]) => a - b)) runSession(sim, writers[t]!, opById.get(opId)!, day, casesPerDay);
  }
  records.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : a.terminalId < b.terminalId ? -1 : a.terminalId > b.terminalId ? 1 : a.seq - b.seq));

  const lastAt = new Map<string, string>();
  for (const r of records) lastAt.set(r.terminalId, r.at);
  const endDay = addDays(options.from, days - 1);
  const asOfMs = jstStartOfDay(endDay) + 86_400_000 - 1000;
  const context: AuditContext = {
    operators,
    residents,
    surnameShare: shares,
    flagged,
    calendarExceptions: exceptions,
    purposeCategories: DEFAULT_PURPOSE_CATEGORIES,
    receipts: sim.receipts,
    terminals: terminalIds.map((terminalId) => {
      const last = lastAt.get(terminalId);
      return { terminalId, lastSyncAt: last ? new Date(Date.parse(last) + 5 * 60_000).toISOString() : null };
    }),
    integrityAlerts: sim.integrityAlerts,
    asOf: new Date(asOfMs).toISOString(),
  };
  // Cases whose rows are known only once everything is written.
  for (const p of planted) if (p.rule === 'sync.stale') p.terminalId = terminalIds[staleTerminal];
  for (const [p, select] of planting?.selectors ?? []) {
    for (const r of records) if (select(r)) p.rows.push({ terminalId: r.terminalId, seq: r.seq });
    if (!p.terminalId && p.rows[0]) p.terminalId = p.rows[0].terminalId;
  }
  for (const p of planted) if (p.rule === 'hours.exception-day' && exceptions[0]) {
    const date = exceptions[0].date;
    for (const r of records) if (jstYmd(Date.parse(r.at)) === date) p.rows.push({ terminalId: r.terminalId, seq: r.seq });
  }
  return { records, context, operators, terminalIds, residents, planted };
}
