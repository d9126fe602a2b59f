// JSON text that can travel on as it is. Main checks every feed page from the central server
// (parseResidentChangesResponse); when the check accepts the parsed value unchanged, the value
// remembers the text it was parsed from, and the second host's WebSocket splices that text into its
// message instead of serialising 5000 records again (ws-protocol.ts serverMessageJson). The value
// must not be changed after it is registered (nothing in main changes a page it relays).
const texts = new WeakMap<object, string>();

/** `value` was parsed from `text` and checked as it is. */
export function rememberJsonText<T extends object>(value: T, text: string): T {
  texts.set(value, text);
  return value;
}

/** The text `value` was parsed from, when it was registered. */
export function jsonTextOf(value: unknown): string | undefined {
  return typeof value === 'object' && value !== null ? texts.get(value) : undefined;
}
