// A list of ids in an operation-log detail (e.g. the residents a search showed). A detail string holds
// at most 500 characters (src/shared/log-api.ts), and a list cut there could end in part of an id —
// which would attribute a record to the wrong resident ("who looked at my record", issue 5). So the
// list is split at id boundaries over `key`, `key2`, `key3` …, and `<key>Parts` says how many there are.

export const MAX_ID_LIST_CHARS = 500;

/** Detail entries for `ids` under `key` (comma-separated, never an id cut); at most `maxParts` parts, then `<key>Omitted`. */
export function packIdList(key: string, ids: readonly string[], maxParts = 5): Record<string, string | number> {
  const parts: string[] = [];
  let current = '';
  let omitted = 0;
  for (const id of ids) {
    if (id.length > MAX_ID_LIST_CHARS || id.includes(',')) {
      omitted++;
      continue;
    }
    const next = current ? `${current},${id}` : id;
    if (next.length <= MAX_ID_LIST_CHARS) {
      current = next;
      continue;
    }
    if (parts.length + 1 >= maxParts) {
      omitted++;
      continue;
    }
    parts.push(current);
    current = id;
  }
  if (current || parts.length === 0) parts.push(current);
  const out: Record<string, string | number> = { [`${key}Parts`]: parts.length };
  parts.forEach((part, i) => (out[i === 0 ? key : `${key}${i + 1}`] = part));
  if (omitted > 0) out[`${key}Omitted`] = omitted;
  return out;
}

/**
 * The ids packed by packIdList. A detail written before the parts marker existed holds one string cut
 * at 500 characters: its last id is dropped when the string is that long (it may be partial).
 */
export function unpackIdList(key: string, detail: Readonly<Record<string, unknown>>): string[] {
  const parts = detail[`${key}Parts`];
  const strings: string[] = [];
  if (typeof parts === 'number' && Number.isInteger(parts) && parts >= 1 && parts <= 20) {
    for (let i = 0; i < parts; i++) {
      const value = detail[i === 0 ? key : `${key}${i + 1}`];
      if (typeof value === 'string') strings.push(value);
    }
    return strings.flatMap((s) => (s === '' ? [] : s.split(',')));
  }
  const legacy = detail[key];
  if (typeof legacy !== 'string' || legacy === '') return [];
  const ids = legacy.split(',');
  if (legacy.length >= MAX_ID_LIST_CHARS) ids.pop();
  return ids;
}
