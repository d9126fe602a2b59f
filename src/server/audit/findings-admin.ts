// What the information-protection manager sets for the findings: flagged records (resident_flags:
// any access from started_at on is a finding; withdrawn, never deleted) and the rules' configuration
// (audit_config: overrides of DEFAULT_AUDIT_CONFIG, checked against AuditConfigSchema). Every change
// is recorded in server_events (resident-flag-set / -withdrawn, audit-config-changed) with the
// session it came through.
import { randomUUID } from 'node:crypto';
import { DEFAULT_AUDIT_CONFIG, type AuditConfig } from '../../domain/audit/config';
import { AuditConfigPatchSchema, FLAG_LABEL_TEXT, type ResidentFlag, type SetResidentFlagRequest } from '../../shared/findings-api';
import { toIso, type Clock } from '../clock';
import type { ServerDb } from '../db/open';
import { ApiError } from '../http/errors';
import { recordEvent } from '../store/events';
import { storedAuditConfig } from './findings-context';

interface Via {
  terminalId: string;
  sessionId: string;
}

interface FlagRow {
  id: string;
  resident_id: string;
  label: 'dv-support' | 'public-figure' | 'other';
  reason: string;
  started_at: number;
  set_by: string;
  set_at: number;
  withdrawn_by: string | null;
  withdrawn_at: number | null;
  withdraw_reason: string | null;
}

function wire(row: FlagRow, now: number): ResidentFlag {
  return {
    id: row.id,
    residentId: row.resident_id,
    label: row.label,
    reason: row.reason,
    startedAt: toIso(row.started_at),
    setBy: row.set_by,
    setAt: toIso(row.set_at),
    withdrawnBy: row.withdrawn_by,
    withdrawnAt: row.withdrawn_at === null ? null : toIso(row.withdrawn_at),
    withdrawReason: row.withdraw_reason,
    active: row.withdrawn_at === null || row.withdrawn_at > now,
  };
}

export function listResidentFlags(db: ServerDb, now: number): ResidentFlag[] {
  return (db.prepare('SELECT * FROM resident_flags ORDER BY set_at DESC, id').all() as FlagRow[]).map((r) => wire(r, now));
}

export function setResidentFlag(db: ServerDb, request: SetResidentFlagRequest, by: { operatorId: string; via: Via; clock: Clock }): ResidentFlag {
  const now = by.clock.now();
  const startedAt = request.startedAt === undefined ? now : Date.parse(request.startedAt);
  if (!Number.isFinite(startedAt)) throw new ApiError(400, 'bad-started-at', '開始日時（startedAt）を解釈できません。');
  return db.transaction(() => {
    if (db.prepare('SELECT 1 FROM residents WHERE id = ?').get(request.residentId) === undefined) {
      throw new ApiError(404, 'unknown-resident', `住民「${request.residentId}」は住民ディレクトリにありません。`);
    }
    const active = db.prepare('SELECT id FROM resident_flags WHERE resident_id = ? AND label = ? AND withdrawn_at IS NULL').get(request.residentId, request.label) as { id: string } | undefined;
    if (active) {
      throw new ApiError(409, 'flag-exists', `住民「${request.residentId}」は既に「${FLAG_LABEL_TEXT[request.label]}」として登録されています（${active.id}）。`);
    }
    const id = `flag-${randomUUID()}`;
    db.prepare('INSERT INTO resident_flags (id, resident_id, label, reason, started_at, set_by, set_at) VALUES (?, ?, ?, ?, ?, ?, ?)').run(
      id, request.residentId, request.label, request.reason, startedAt, by.operatorId, now,
    );
    recordEvent(db, {
      at: now,
      terminalId: by.via.terminalId,
      operatorId: by.operatorId,
      kind: 'resident-flag-set',
      detail: { flagId: id, residentId: request.residentId, label: request.label, reason: request.reason, startedAt: toIso(startedAt), sessionId: by.via.sessionId },
    });
    return wire(db.prepare('SELECT * FROM resident_flags WHERE id = ?').get(id) as FlagRow, now);
  }).immediate();
}

export function withdrawResidentFlag(db: ServerDb, id: string, reason: string, by: { operatorId: string; via: Via; clock: Clock }): ResidentFlag {
  const now = by.clock.now();
  return db.transaction(() => {
    const row = db.prepare('SELECT * FROM resident_flags WHERE id = ?').get(id) as FlagRow | undefined;
    if (!row) throw new ApiError(404, 'unknown-flag', `注意対象の登録「${id.length > 64 ? `${id.slice(0, 64)}…` : id}」はありません。`);
    if (row.withdrawn_at !== null) throw new ApiError(409, 'flag-withdrawn', `この登録は ${toIso(row.withdrawn_at)} に取り下げ済みです。`);
    db.prepare('UPDATE resident_flags SET withdrawn_by = ?, withdrawn_at = ?, withdraw_reason = ? WHERE id = ?').run(by.operatorId, now, reason, id);
    recordEvent(db, {
      at: now,
      terminalId: by.via.terminalId,
      operatorId: by.operatorId,
      kind: 'resident-flag-withdrawn',
      detail: { flagId: id, residentId: row.resident_id, label: row.label, reason, sessionId: by.via.sessionId },
    });
    return wire(db.prepare('SELECT * FROM resident_flags WHERE id = ?').get(id) as FlagRow, now);
  }).immediate();
}

const KEY_LABELS: Partial<Record<keyof AuditConfig, string>> = {
  disabledRules: '無効にするルール',
  severity: '重要度',
  maxRowsPerFinding: '1件の検出に載せる記録の上限',
  manyOperatorsMin: '多数の操作者とみなす人数',
  volumeFactor: '普段の何倍で多いとみなすか',
  volumeFloor: '1日の件数の下限',
  staleSyncOpenHours: '同期していないとみなす開庁時間',
};

/** Checks a PUT body's config (a part of AuditConfig) with Japanese messages; returns the overrides to store. */
export function checkAuditConfig(input: Record<string, unknown>): Partial<AuditConfig> {
  const known = new Set(Object.keys(DEFAULT_AUDIT_CONFIG));
  const unknown = Object.keys(input).filter((k) => !known.has(k));
  if (unknown.length > 0) {
    const shown = unknown.slice(0, 5).map((k) => `「${k.replace(/[\u0000-\u001f\u007f-\u009f]/g, '?').slice(0, 40)}」`).join('、');
    throw new ApiError(400, 'unknown-config-key', `検出ルールの設定に存在しない項目があります: ${shown}。使える項目は ${[...known].join('、')} です。`);
  }
  const parsed = AuditConfigPatchSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const key = String(issue.path[0] ?? '');
    const label = KEY_LABELS[key as keyof AuditConfig];
    const where = label ? `${key}（${label}）` : key;
    const range =
      issue.code === 'too_small' ? `${String((issue as { minimum?: unknown }).minimum)} 以上にしてください` :
      issue.code === 'too_big' ? `${String((issue as { maximum?: unknown }).maximum)} 以下にしてください` :
      issue.code === 'invalid_type' ? `型が正しくありません（${String((issue as { expected?: unknown }).expected)} で指定してください）` :
      issue.code === 'invalid_value' || issue.code === 'invalid_key' ? '使えない値（ルールIDや重要度 high・medium・low 以外）が含まれています' :
      '値が正しくありません';
    throw new ApiError(400, 'bad-config-value', `検出ルールの設定 ${where} の値が範囲外か正しくありません: ${range}。`);
  }
  return parsed.data as Partial<AuditConfig>;
}

export function auditConfigView(db: ServerDb): { config: AuditConfig; overrides: Partial<AuditConfig>; defaults: AuditConfig; changedBy: string | null; changedAt: string | null } {
  const stored = storedAuditConfig(db);
  return {
    config: { ...DEFAULT_AUDIT_CONFIG, ...stored.config },
    overrides: stored.config,
    defaults: DEFAULT_AUDIT_CONFIG,
    changedBy: stored.changedBy,
    changedAt: stored.changedAt === null ? null : toIso(stored.changedAt),
  };
}

/** Replaces the stored overrides (the whole set: a key left out goes back to its default). */
export function setAuditConfig(db: ServerDb, overrides: Partial<AuditConfig>, reason: string, by: { operatorId: string; via: Via; clock: Clock }): void {
  const now = by.clock.now();
  db.transaction(() => {
    const before = storedAuditConfig(db).config;
    db.prepare(
      `INSERT INTO audit_config (id, config, changed_by, changed_at) VALUES (1, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET config = excluded.config, changed_by = excluded.changed_by, changed_at = excluded.changed_at`,
    ).run(JSON.stringify(overrides), by.operatorId, now);
    recordEvent(db, {
      at: now,
      terminalId: by.via.terminalId,
      operatorId: by.operatorId,
      kind: 'audit-config-changed',
      detail: { before, after: overrides, reason, sessionId: by.via.sessionId },
    });
  }).immediate();
}
