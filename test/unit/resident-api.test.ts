// The feed page check of the terminal's server client (parseResidentChangesResponse) gives the
// schema's answers: what it accepts directly, the schema accepts unchanged; everything else is the
// schema's to decide.
import { describe, expect, it } from 'vitest';
import { parseResidentChangesResponse, ResidentChangesResponseSchema } from '../../src/shared/resident-api';
import { syntheticResidents } from '../../src/domain/resident/synthetic-town';

const residents = [...syntheticResidents({ seed: 42, count: 300 })].map((r, i) => ({ ...r, version: i + 1 }));
const page = () => JSON.parse(JSON.stringify({ residents, next: 300, latest: 900, epoch: 'e-1' })) as Record<string, unknown> & { residents: Record<string, unknown>[] };

function same(json: unknown): void {
  const fast = parseResidentChangesResponse(json);
  const schema = ResidentChangesResponseSchema.safeParse(json);
  expect(fast.success).toBe(schema.success);
  if (fast.success && schema.success) expect(fast.data).toEqual(schema.data);
}

describe('parseResidentChangesResponse', () => {
  it('accepts a well-formed page as it is', () => {
    const json = page();
    const fast = parseResidentChangesResponse(json);
    expect(fast.success && fast.data).toBe(json);
    same(json);
  });

  const mutations: [string, (p: ReturnType<typeof page>) => void][] = [
    ['an extra field on a record (the schema strips it)', (p) => (p.residents[3]!.extra = 1)],
    ['an extra field on the page', (p) => (p.extra = 'x')],
    ['an extra field in a history entry', (p) => ((p.residents[5]!.history as Record<string, unknown>[])[0]!.x = 1)],
    ['a missing field', (p) => delete p.residents[7]!.address],
    ['a bad id', (p) => (p.residents[0]!.id = 'R 1')],
    ['a long id', (p) => (p.residents[0]!.id = 'R'.repeat(41))],
    ['a 10-digit code', (p) => (p.residents[1]!.code = '1234567890')],
    ['an empty name', (p) => (p.residents[2]!.name = '')],
    ['a name of 101 characters', (p) => (p.residents[2]!.name = '山'.repeat(101))],
    ['a name of 100 characters', (p) => (p.residents[2]!.name = '山'.repeat(100))],
    ['a bad date', (p) => (p.residents[4]!.birthDate = '1970-1-01')],
    ['an unknown sex', (p) => (p.residents[4]!.sex = 'other')],
    ['an unknown status', (p) => (p.residents[4]!.status = 'gone')],
    ['a household id of 41 characters', (p) => (p.residents[4]!.householdId = 'H'.repeat(41))],
    ['version 0', (p) => (p.residents[6]!.version = 0)],
    ['a fractional version', (p) => (p.residents[6]!.version = 1.5)],
    ['a version as text', (p) => (p.residents[6]!.version = '7')],
    ['51 history entries', (p) => (p.residents[8]!.history = Array.from({ length: 51 }, () => ({ date: '2000-01-01', kind: 'corrected', note: '' })))],
    ['an unknown history kind', (p) => ((p.residents[8]!.history as Record<string, unknown>[])[0]!.kind = 'born')],
    ['a history note of 201 characters', (p) => ((p.residents[8]!.history as Record<string, unknown>[])[0]!.note = 'あ'.repeat(201))],
    ['a record that is an array', (p) => (p.residents[9] = [] as unknown as Record<string, unknown>)],
    ['a null record', (p) => (p.residents[9] = null as unknown as Record<string, unknown>)],
    ['a negative next', (p) => (p.next = -1)],
    ['an empty epoch', (p) => (p.epoch = '')],
    ['an epoch of 65 characters', (p) => (p.epoch = 'e'.repeat(65))],
    ['5001 records', (p) => (p.residents = Array.from({ length: 5001 }, (_, i) => residents[i % residents.length]!))],
    ['no records', (p) => (p.residents = [])],
  ];
  for (const [what, mutate] of mutations) {
    it(`answers as the schema does: ${what}`, () => {
      const json = page();
      mutate(json);
      same(json);
    });
  }

  it('answers as the schema does for what is not a page', () => {
    for (const json of [null, 1, 'x', [], {}, { residents: null, next: 0, latest: 0, epoch: 'e' }]) same(json);
  });
});
