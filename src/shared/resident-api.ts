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
