// A generated operation history on the server (issue 5: the findings' tests, the manager's e2e and
// demos): generateSyntheticHistory (src/domain/audit/) with the real hash chain, put into the
// server database AS IF INGESTED — each terminal's records of a day sent through ingestLogBatch
// (verified like any batch, received a few minutes after the day's last record), so `npm run server
// -- verify` passes — then indexed. Its terminals and operators are registered (operators with
// cards, approval periods and the link to their own directory record), its residents put into the
// directory (or linked to the same residents already there: the demo town's directory is the same
// synthetic town for the same seed), its flagged records, calendar exception and server integrity
// alert stored. Returns (and the CLI writes) the planted cases: rule, rows, operator, resident and a
// plain description. NO REAL DATA. Coexists with the demo town (different operator and terminal ids).
import { createHash, randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { generateTown } from '../../domain/resident/synthetic-town';
import { generateSyntheticHistory, type PlantedCase } from '../../domain/audit/synthetic-history';
import { addDays, jstStartOfDay, jstYmd } from '../../domain/calendar/jst';
import { GENESIS_HASH, sealRecord, type LogRecord } from '../../domain/log/log-record';
import { createCardFile } from '../../node/card/virtual-card-file';
import { hashPassword } from '../../node/password/scrypt';
import { AdminError } from '../admin/admin-error';
import { toResidentRecord } from '../admin/residents';
import { DAY_MS, type Clock } from '../clock';
import type { ServerDb } from '../db/open';
import { loadOrCreateCheckpointKey, writeCheckpoint } from '../services/log-checkpoints';
import { indexLogFully } from '../services/log-indexer';
import { ingestLogBatch } from '../services/log-ingest';
import { insertCalendarException } from '../store/calendar';
import { insertCard } from '../store/cards';
import { recordEvent } from '../store/events';
import { recordIntegrityAlert } from '../store/integrity-alerts';
import { insertOperator } from '../store/operators';
import { getResident, updateResident, upsertResidents, type ResidentRecord } from '../store/residents';
import { generateTerminalSecret, insertTerminal } from '../store/terminals';
import { DEMO_RESIDENTS } from './demo-town';

export interface SeedHistoryOptions {
  /** First JST day (YYYY-MM-DD). Default: `days` days before today (the history ends yesterday). */
  from?: string;
  days?: number;
  terminals?: number;
  operators?: number;
  /** Default: the demo town's seed, so the history's residents are the demo directory's. */
  seed?: number;
  clock: Clock;
  /** The server's data directory: a signed checkpoint of the new heads is written (as the running server would). */
  dataDir?: string;
}

export interface SeededPlant {
  id: string;
  rule: PlantedCase['rule'];
  also: PlantedCase['also'];
  description: string;
  operatorId: string | null;
  terminalId: string | null;
  residentId: string | null;
  rows: { terminalId: string; seq: number }[];
}

export interface SeedHistoryResult {
  seed: number;
  from: string;
  to: string;
  days: number;
  records: number;
  terminals: string[];
  operators: { id: string; name: string; role: string; residentId: string; password: string }[];
  residentsAdded: number;
  residentsLinked: number;
  flags: number;
  plants: SeededPlant[];
}

export const HISTORY_DEFAULTS = { days: 91, terminals: 4, operators: 8 } as const;
const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');
const fail = (code: string, japanese: string, english: string): AdminError => new AdminError(code, japanese, english);

/** Checks the options (Japanese + English errors, as the CLI shows them). */
function checked(options: SeedHistoryOptions): { from: string; days: number; terminals: number; operators: number; seed: number } {
  const days = options.days ?? HISTORY_DEFAULTS.days;
  const terminals = options.terminals ?? HISTORY_DEFAULTS.terminals;
  const operators = options.operators ?? HISTORY_DEFAULTS.operators;
  const seed = options.seed ?? DEMO_RESIDENTS.seed;
  if (!Number.isInteger(days) || days < 28 || days > 731) throw fail('bad-days', `日数（--days）は28〜731で指定してください: ${days}`, `--days must be 28-731: ${days}`);
  if (!Number.isInteger(terminals) || terminals < 3 || terminals > 20) throw fail('bad-terminals', `端末数（--terminals）は3〜20で指定してください: ${terminals}`, `--terminals must be 3-20: ${terminals}`);
  if (!Number.isInteger(operators) || operators < 5 || operators > 60) throw fail('bad-operators', `操作者数（--operators）は5〜60で指定してください: ${operators}`, `--operators must be 5-60: ${operators}`);
  if (!Number.isInteger(seed) || seed < 0 || seed > 4_294_967_295) throw fail('bad-seed', `シード（--seed）は0〜4294967295の整数で指定してください: ${seed}`, `--seed must be 0-4294967295: ${seed}`);
  const today = jstYmd(options.clock.now());
  const from = options.from ?? addDays(today, -days);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(from) || addDays(from, 0) !== from) throw fail('bad-from', `開始日（--from）は実在する日付 YYYY-MM-DD で指定してください: ${from}`, `--from must be a real date YYYY-MM-DD: ${from}`);
  if (addDays(from, days) > today) {
    throw fail('history-in-future', `生成する履歴（${from} から${days}日間）が今日（${today}）より後まで続きます。開始日か日数を変えてください。`, `the history would reach today or later`);
  }
  return { from, days, terminals, operators, seed };
}

/** Generates the history and stores it (see the file comment). Refuses when its ids are taken. */
export async function seedHistory(db: ServerDb, options: SeedHistoryOptions): Promise<SeedHistoryResult> {
  const { from, days, terminals, operators: operatorCount, seed } = checked(options);
  const now = options.clock.now();
  const history = generateSyntheticHistory({ seed, from, days, terminals, operators: operatorCount, sha256 });
  const { context } = history;

  const taken = (table: 'operators' | 'terminals', id: string): boolean => db.prepare(`SELECT 1 FROM ${table} WHERE id = ?`).get(id) !== undefined;
  for (const op of history.operators) if (taken('operators', op.id)) throw fail('history-exists', `操作者「${op.id}」は既に名簿にあります（生成した履歴は一度だけ入れられます）。`, `operator ${op.id} already exists`);
  for (const t of history.terminalIds) if (taken('terminals', t)) throw fail('history-exists', `端末「${t}」は既に登録されています（生成した履歴は一度だけ入れられます）。`, `terminal ${t} already exists`);

  // Residents: the town of the history (generateSyntheticHistory's default size), linked when the
  // directory already holds the same person under the id, refused when it holds someone else.
  // The plants move a few residents (e.g. a neighbour at an operator's address): the history's
  // version of each resident is what goes into the directory.
  const town = generateTown({ seed, households: 4000 });
  const add: ResidentRecord[] = [];
  const change: ResidentRecord[] = [];
  let linked = 0;
  const same = (a: { name: string; kana: string; address: string; householdId: string }, b: typeof a): boolean =>
    a.name === b.name && a.kana === b.kana && a.address === b.address && a.householdId === b.householdId;
  for (const resident of town.residents) {
    const planted = history.residents.get(resident.id);
    const wanted: ResidentRecord = planted ? { ...toResidentRecord(resident), address: planted.address, householdId: planted.householdId } : toResidentRecord(resident);
    const existing = getResident(db, resident.id);
    if (!existing) add.push(wanted);
    else if (same(existing, wanted)) linked += 1;
    else if (same(existing, resident)) change.push(wanted);
    else {
      throw fail(
        'directory-conflict',
        `住民ディレクトリの住民ID「${resident.id}」は、生成する履歴の町（シード ${seed}）の住民と別人です。デモの町と合わせるには --seed ${DEMO_RESIDENTS.seed} を指定するか、空のディレクトリで実行してください。`,
        `resident ${resident.id} in the directory differs from the history's town (seed ${seed})`,
      );
    }
  }

  const passwords = await Promise.all(history.operators.map((op) => hashPassword(op.demoPassword)));
  // Real card certificates (the roster and the console read them): each generated key id is replaced
  // by the key id of a new virtual card's certificate, in the records too (chains sealed again).
  const cards = new Map<string, { keyId: string; certificateDer: Uint8Array }>();
  for (const op of history.operators) {
    for (const card of op.cards) {
      const created = await createCardFile({ label: `${op.name}（生成履歴）`, operatorId: op.id });
      cards.set(card.keyId, { keyId: created.keyId, certificateDer: created.certificateDer });
    }
  }
  const records = resealed(history.records, (keyId) => cards.get(keyId)?.keyId ?? keyId);
  const startMs = jstStartOfDay(from);
  const manager = history.operators.find((o) => o.role === 'manager') ?? history.operators[0]!;

  db.transaction(() => {
    for (let i = 0; i < add.length; i += 5000) upsertResidents(db, add.slice(i, i + 5000), now);
    for (const record of change) updateResident(db, record.id, () => record, now);
    history.operators.forEach((op, i) => {
      const since = Date.parse(op.since ?? new Date(startMs - 200 * DAY_MS).toISOString());
      insertOperator(db, {
        id: op.id,
        name: op.name,
        kana: op.kana,
        role: op.role,
        approvedBy: '生成した履歴（合成データ）',
        since,
        until: op.until ? Date.parse(op.until) : null,
        status: 'active',
        passwordHash: passwords[i]!,
        passwordSetAt: now,
        passwordTemporary: false,
      });
      db.prepare('UPDATE operators SET resident_id = ? WHERE id = ?').run(op.residentId, op.id);
      recordEvent(db, { at: now, operatorId: op.id, kind: 'operator-added', detail: { role: op.role, residentId: op.residentId, generatedHistory: true } });
      // One active card per operator (第17条3項): a further card the plants lent (a spare used before
      // it was lent) is stored as lent and returned a day later.
      // A card the plants lent while an earlier one was still out (the history's operators then use
      // the newer one) replaces it: the earlier card is returned when the newer one is lent.
      const unrevoked = op.cards.filter((c) => c.revokedAt === null).sort((x, y) => Date.parse(x.issuedAt) - Date.parse(y.issuedAt));
      const plan = op.cards.map((card) => {
        const i = unrevoked.indexOf(card);
        const next = i >= 0 ? unrevoked[i + 1] : undefined;
        // Returned at the end of the day the next one is lent (that day's session began with it).
        const returned = next ? jstStartOfDay(addDays(jstYmd(Date.parse(next.issuedAt)), 1)) : null;
        return { card, real: cards.get(card.keyId)!, revokedAt: card.revokedAt ? Date.parse(card.revokedAt) : returned };
      });
      // Returned cards first: one active card per operator at any time.
      for (const { card, real, revokedAt } of [...plan].sort((a, b) => (a.revokedAt === null ? 1 : 0) - (b.revokedAt === null ? 1 : 0))) {
        insertCard(db, { keyId: real.keyId, certificateDer: real.certificateDer, operatorId: op.id, issuedAt: Date.parse(card.issuedAt) });
        if (revokedAt !== null) {
          db.prepare("UPDATE cards SET status = 'revoked', revoked_at = ?, revoked_reason = ? WHERE key_id = ?").run(revokedAt, card.revokedAt ? '紛失届による失効（生成した履歴）' : '新しいカードとの交換による返却（生成した履歴）', real.keyId);
        }
        recordEvent(db, { at: now, operatorId: op.id, kind: 'card-issued', detail: { keyId: real.keyId, generatedHistory: true } });
      }
    });
    for (const terminalId of history.terminalIds) {
      insertTerminal(db, { id: terminalId, name: `生成履歴の端末 ${terminalId}`, secret: generateTerminalSecret(), registeredAt: startMs - 30 * DAY_MS });
      recordEvent(db, { at: now, terminalId, kind: 'terminal-registered', detail: { generatedHistory: true } });
    }
    for (const e of context.calendarExceptions) {
      if (db.prepare('SELECT 1 FROM calendar_exceptions WHERE date = ?').get(e.date) !== undefined) continue;
      insertCalendarException(db, e, startMs);
    }
    let flagNo = 0;
    for (const [residentId, label] of [...(history.context.flagged as Map<string, string>)].sort(([a], [b]) => (a < b ? -1 : 1))) {
      flagNo += 1;
      const id = `flag-history-${seed}-${flagNo}`;
      const reason = label === 'dv-support' ? '支援措置の申出（生成した履歴）' : label === 'public-figure' ? '報道で注目されている人（生成した履歴）' : '注意（生成した履歴）';
      db.prepare('INSERT INTO resident_flags (id, resident_id, label, reason, started_at, set_by, set_at) VALUES (?, ?, ?, ?, ?, ?, ?)').run(
        id, residentId, label === 'dv-support' || label === 'public-figure' ? label : 'other', reason, startMs - DAY_MS, manager.id, startMs - DAY_MS,
      );
      recordEvent(db, { at: now, operatorId: manager.id, kind: 'resident-flag-set', detail: { flagId: id, residentId, label, generatedHistory: true } });
    }
    for (const alert of context.integrityAlerts) {
      recordIntegrityAlert(db, { at: Date.parse(alert.at), terminalId: alert.terminalId, kind: `log-${alert.kind}` as 'log-broken-link', seq: alert.seq ?? null, detail: { generatedHistory: true } });
    }
  }).immediate();

  // The log, terminal by terminal, one batch per JST day, received 5 minutes after its last record.
  const byTerminal = new Map<string, LogRecord[]>();
  for (const r of records) {
    const list = byTerminal.get(r.terminalId) ?? [];
    list.push(r);
    byTerminal.set(r.terminalId, list);
  }
  let lastReceived = new Map<string, number>();
  for (const [terminalId, records] of byTerminal) {
    records.sort((a, b) => a.seq - b.seq);
    let start = 0;
    while (start < records.length) {
      const day = jstYmd(Date.parse(records[start]!.at));
      let end = start;
      while (end < records.length && jstYmd(Date.parse(records[end]!.at)) === day) end++;
      const batch = records.slice(start, end);
      const receivedAt = Date.parse(batch.at(-1)!.at) + 5 * 60_000;
      const answer = ingestLogBatch(db, { terminalId, now: receivedAt }, { batchId: randomUUID(), records: batch } as never);
      if (answer.status !== 200) throw new Error(`generated history refused by ingest: ${JSON.stringify(answer.body)}`);
      lastReceived.set(terminalId, receivedAt);
      start = end;
    }
  }
  for (const [terminalId, at] of lastReceived) db.prepare('UPDATE terminals SET last_contact_at = ? WHERE id = ?').run(at, terminalId);
  lastReceived = new Map();
  indexLogFully(db, now, 50_000);
  if (options.dataDir !== undefined) writeCheckpoint(db, loadOrCreateCheckpointKey(options.dataDir).key, now);
  recordEvent(db, { at: now, kind: 'demo-seeded', detail: { generatedHistory: { seed, from, days, terminals, operators: operatorCount, records: records.length, plants: history.planted.length } } });

  return {
    seed,
    from,
    to: addDays(from, days - 1),
    days,
    records: history.records.length,
    terminals: history.terminalIds,
    operators: history.operators.map((o) => ({ id: o.id, name: o.name, role: o.role, residentId: o.residentId, password: o.demoPassword })),
    residentsAdded: add.length,
    residentsLinked: linked,
    flags: (history.context.flagged as Map<string, string>).size,
    plants: history.planted.map((p) => ({
      id: p.id,
      rule: p.rule,
      also: p.also,
      description: p.description,
      operatorId: p.operatorId ?? null,
      terminalId: p.terminalId ?? null,
      residentId: p.residentId ?? null,
      rows: p.rows,
    })),
  };
}

/** The records with card key ids replaced, each terminal's chain sealed again (time order kept). */
function resealed(records: readonly LogRecord[], keyIdOf: (keyId: string) => string): LogRecord[] {
  const prev = new Map<string, string>();
  const out: LogRecord[] = [];
  for (const r of [...records].sort((a, b) => (a.terminalId < b.terminalId ? -1 : a.terminalId > b.terminalId ? 1 : a.seq - b.seq))) {
    const { hash: _old, ...body } = r;
    const sealed = sealRecord({ ...body, prevHash: prev.get(r.terminalId) ?? GENESIS_HASH, cardKeyId: r.cardKeyId === null ? null : keyIdOf(r.cardKeyId) }, sha256);
    prev.set(r.terminalId, sealed.hash);
    out.push(sealed);
  }
  return out;
}

/** Writes the planted cases as JSON (for the e2e and people checking the console). */
export function writePlants(file: string, result: SeedHistoryResult): void {
  const { plants, ...summary } = result;
  writeFileSync(file, `${JSON.stringify({ ...summary, operators: summary.operators.map(({ password: _p, ...o }) => o), plants }, null, 2)}\n`, { mode: 0o600 });
}
