// The wire contract of the resident directory (issue 4): the central server holds 本人確認情報
// (name, kana, date of birth, sex, address, 住民票コード, and the record's change history) and a
// change feed; each terminal keeps a local replica, fetched incrementally in pages.
//
// GET /api/v1/residents/changes?after=<version>&limit=<n>
//   Authorization: Terminal <terminalId>:<secret>   (the terminal's registration)
//   X-Operator-Id: <operatorId>                      (the operator signed in at that terminal)
// The operator must be active on the roster with a role that may search residents; a retired
// terminal or an operator without the right gets no further updates (401 / 403 JSON errors).
// Every page served is recorded on the server (what was served, to whom, how many records).
import { z } from 'zod';
import { OperatorIdSchema } from './server-api';

export const RESIDENT_CHANGES_PATH = '/residents/changes';
export const OPERATOR_HEADER = 'x-operator-id';
export const MAX_RESIDENT_PAGE = 5000;

export const ResidentIdSchema = z.string().regex(/^[A-Za-z0-9-]{1,40}$/);
export const ResidentCodeSchema = z.string().regex(/^\d{11}$/);
export const IsoDateSchema = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);

/** One entry of a record's change history (異動履歴). */
export const ResidentHistoryEntrySchema = z.object({
  date: IsoDateSchema,
  kind: z.enum(['birth', 'moved-in', 'moved-within', 'name-changed', 'code-changed', 'moved-out', 'deceased', 'corrected']),
  /** A short description of the change, e.g. the previous address (Japanese). */
  note: z.string().max(200),
});
export type ResidentHistoryEntry = z.infer<typeof ResidentHistoryEntrySchema>;

export const ResidentSchema = z.object({
  id: ResidentIdSchema,
  code: ResidentCodeSchema,
  /** Name in kanji (or as registered), family and given name separated by one full-width space. */
  name: z.string().min(1).max(100),
  /** Name in katakana, separated like `name`. */
  kana: z.string().min(1).max(100),
  birthDate: IsoDateSchema,
  sex: z.enum(['male', 'female']),
  address: z.string().min(1).max(200),
  householdId: z.string().max(40),
  status: z.enum(['resident', 'moved-out', 'deceased']),
  history: z.array(ResidentHistoryEntrySchema).max(50),
  /** The change-feed position of this version of the record. */
  version: z.number().int().min(1),
});
export type Resident = z.infer<typeof ResidentSchema>;

export const ResidentChangesQuerySchema = z.object({
  after: z.coerce.number().int().min(0).default(0),
  limit: z.coerce.number().int().min(1).max(MAX_RESIDENT_PAGE).default(MAX_RESIDENT_PAGE),
});

export const ResidentChangesResponseSchema = z.object({
  /** Changes with version > after, in version order (a record changed twice appears once, as its latest). */
  residents: z.array(ResidentSchema).max(MAX_RESIDENT_PAGE),
  /** Where the next page starts (the last version in this page, or `after` when empty). */
  next: z.number().int().min(0),
  /** The directory's latest version: the replica is current when `next` reaches it. */
  latest: z.number().int().min(0),
  /** Changes when the directory was rebuilt from scratch: a replica of another epoch must be rebuilt. */
  epoch: z.string().min(1).max(64),
});
export type ResidentChangesResponse = z.infer<typeof ResidentChangesResponseSchema>;

export const OperatorHeaderSchema = OperatorIdSchema;

// A feed page holds up to 5000 records: checking each with the schema above costs as much as
// parsing the JSON. `parseResidentChangesResponse` first tries a direct check of the same rules,
// written out — it accepts only what the schema accepts unchanged (exactly the contract's fields,
// each within its bounds), and returns the value itself; anything else (an extra field, a bound
// crossed, a wrong type) goes to the schema, which decides and gives its usual error.
// test/unit/resident-api.test.ts holds the two together.
const ID = /^[A-Za-z0-9-]{1,40}$/;
const CODE = /^\d{11}$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const HISTORY_KINDS: ReadonlySet<unknown> = new Set(ResidentHistoryEntrySchema.shape.kind.options);
const SEXES: ReadonlySet<unknown> = new Set(ResidentSchema.shape.sex.options);
const STATUSES: ReadonlySet<unknown> = new Set(ResidentSchema.shape.status.options);
const RESIDENT_FIELDS = Object.keys(ResidentSchema.shape).length;

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isText = (v: unknown, min: number, max: number): v is string => typeof v === 'string' && v.length >= min && v.length <= max;
const isCount = (v: unknown, min: number): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= min;
const fieldCount = (o: Record<string, unknown>): number => Object.keys(o).length;

function isPlainResident(v: unknown): boolean {
  if (!isRecord(v) || fieldCount(v) !== RESIDENT_FIELDS) return false;
  const { id, code, name, kana, birthDate, sex, address, householdId, status, history, version } = v;
  if (!(typeof id === 'string' && ID.test(id) && typeof code === 'string' && CODE.test(code) && typeof birthDate === 'string' && DATE.test(birthDate))) return false;
  if (!(isText(name, 1, 100) && isText(kana, 1, 100) && isText(address, 1, 200) && isText(householdId, 0, 40))) return false;
  if (!(SEXES.has(sex) && STATUSES.has(status) && isCount(version, 1) && Array.isArray(history) && history.length <= 50)) return false;
  for (const h of history as unknown[]) {
    if (!isRecord(h) || fieldCount(h) !== 3) return false;
    if (!(typeof h.date === 'string' && DATE.test(h.date) && HISTORY_KINDS.has(h.kind) && isText(h.note, 0, 200))) return false;
  }
  return true;
}

/** ResidentChangesResponseSchema.safeParse, with the direct check first (see above). */
export function parseResidentChangesResponse(json: unknown): { success: true; data: ResidentChangesResponse } | { success: false; error: unknown } {
  if (isRecord(json) && fieldCount(json) === 4 && Array.isArray(json.residents) && json.residents.length <= MAX_RESIDENT_PAGE) {
    if (isCount(json.next, 0) && isCount(json.latest, 0) && isText(json.epoch, 1, 64) && json.residents.every(isPlainResident)) {
      return { success: true, data: json as ResidentChangesResponse };
    }
  }
  return ResidentChangesResponseSchema.safeParse(json);
}
