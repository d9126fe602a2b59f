// Whether a text is exactly one JSON array of 1..max objects — the answer JSON.parse and a look at
// the parsed value would give, without building the value. Main checks every batch the renderer
// hands it for delivery this way (log-api.ts LogRecordsJsonSchema: up to 5000 records, ~2 MiB):
// parsing it built 5000 objects per batch only to drop them (~20 ms a batch, a tenth of the delivery
// bench's time in the host). test/unit/json-array-check.test.ts holds it equal to JSON.parse on
// mutated and random texts.
//
// The grammar is RFC 8259 as JSON.parse reads it: whitespace is space, tab, LF, CR only (no BOM); a
// string holds no raw control character (< U+0020) and only the escapes \" \\ \/ \b \f \n \r \t
// \uXXXX; numbers are -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?. Nesting is followed with an
// explicit stack, so a deeply nested text cannot exhaust the call stack.

const SPACE = 0x20;
const TAB = 0x09;
const LF = 0x0a;
const CR = 0x0d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const MINUS = 0x2d;
const PLUS = 0x2b;
const DOT = 0x2e;
const ZERO = 0x30;
const NINE = 0x39;
const BRACKET_OPEN = 0x5b;
const BRACKET_CLOSE = 0x5d;
const BRACE_OPEN = 0x7b;
const BRACE_CLOSE = 0x7d;

function skipWhitespace(t: string, i: number): number {
  for (;;) {
    const c = t.charCodeAt(i);
    if (c !== SPACE && c !== LF && c !== CR && c !== TAB) return i;
    i++;
  }
}

function isDigit(c: number): boolean {
  return c >= ZERO && c <= NINE;
}

function isHexDigit(c: number): boolean {
  return isDigit(c) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);
}

/** The index after the string starting with the quote at i, or -1. */
function skipString(t: string, i: number): number {
  const n = t.length;
  let j = i + 1;
  while (j < n) {
    const c = t.charCodeAt(j);
    if (c === QUOTE) return j + 1;
    if (c < SPACE) return -1;
    if (c === BACKSLASH) {
      const e = t.charCodeAt(j + 1);
      if (e === 0x75 /* u */) {
        if (!(isHexDigit(t.charCodeAt(j + 2)) && isHexDigit(t.charCodeAt(j + 3)) && isHexDigit(t.charCodeAt(j + 4)) && isHexDigit(t.charCodeAt(j + 5)))) return -1;
        j += 6;
        continue;
      }
      // " \ / b f n r t
      if (e !== QUOTE && e !== BACKSLASH && e !== 0x2f && e !== 0x62 && e !== 0x66 && e !== 0x6e && e !== 0x72 && e !== 0x74) return -1;
      j += 2;
      continue;
    }
    j++;
  }
  return -1;
}

/** The index after the number starting at i, or -1. */
function skipNumber(t: string, i: number): number {
  if (t.charCodeAt(i) === MINUS) i++;
  const first = t.charCodeAt(i);
  if (first === ZERO) i++;
  else if (isDigit(first)) while (isDigit(t.charCodeAt(i))) i++;
  else return -1;
  if (t.charCodeAt(i) === DOT) {
    i++;
    if (!isDigit(t.charCodeAt(i))) return -1;
    while (isDigit(t.charCodeAt(i))) i++;
  }
  const e = t.charCodeAt(i);
  if (e === 0x65 || e === 0x45) {
    i++;
    const sign = t.charCodeAt(i);
    if (sign === PLUS || sign === MINUS) i++;
    if (!isDigit(t.charCodeAt(i))) return -1;
    while (isDigit(t.charCodeAt(i))) i++;
  }
  return i;
}

/** After an object's '{' or ',' (whitespace skipped): a key and its colon; the index of what follows, or -1. */
function skipKey(t: string, i: number): number {
  if (t.charCodeAt(i) !== QUOTE) return -1;
  i = skipString(t, i);
  if (i < 0) return -1;
  i = skipWhitespace(t, i);
  return t.charCodeAt(i) === COLON ? i + 1 : -1;
}

/** The index after the JSON value starting at i (no whitespace before it), or -1. */
function skipValue(t: string, i: number): number {
  // The closers still owed, innermost last.
  const open: number[] = [];
  for (;;) {
    i = skipWhitespace(t, i);
    const c = t.charCodeAt(i);
    if (c === BRACE_OPEN) {
      i = skipWhitespace(t, i + 1);
      if (t.charCodeAt(i) === BRACE_CLOSE) i++;
      else {
        open.push(BRACE_CLOSE);
        i = skipKey(t, i);
        if (i < 0) return -1;
        continue;
      }
    } else if (c === BRACKET_OPEN) {
      i = skipWhitespace(t, i + 1);
      if (t.charCodeAt(i) === BRACKET_CLOSE) i++;
      else {
        open.push(BRACKET_CLOSE);
        continue;
      }
    } else if (c === QUOTE) i = skipString(t, i);
    else if (c === MINUS || isDigit(c)) i = skipNumber(t, i);
    else if (t.startsWith('true', i) || t.startsWith('null', i)) i += 4;
    else if (t.startsWith('false', i)) i += 5;
    else return -1;
    if (i < 0) return -1;
    // After a value: close what ends here; a comma leads to the next value (in an object, its key first).
    for (;;) {
      const closer = open[open.length - 1];
      if (closer === undefined) return i;
      i = skipWhitespace(t, i);
      const d = t.charCodeAt(i);
      if (d === closer) {
        open.pop();
        i++;
        continue;
      }
      if (d !== COMMA) return -1;
      i++;
      if (closer === BRACE_CLOSE) {
        i = skipKey(t, skipWhitespace(t, i));
        if (i < 0) return -1;
      }
      break;
    }
  }
}

/** Whether `text` is one JSON array (whitespace around it allowed) of 1..maxItems objects. */
export function isJsonArrayOfObjects(text: string, maxItems: number): boolean {
  let i = skipWhitespace(text, 0);
  if (text.charCodeAt(i) !== BRACKET_OPEN) return false;
  let items = 0;
  i++;
  for (;;) {
    i = skipWhitespace(text, i);
    if (text.charCodeAt(i) !== BRACE_OPEN) return false;
    i = skipValue(text, i);
    if (i < 0 || ++items > maxItems) return false;
    i = skipWhitespace(text, i);
    const c = text.charCodeAt(i);
    if (c === BRACKET_CLOSE) return skipWhitespace(text, i + 1) === text.length;
    if (c !== COMMA) return false;
    i++;
  }
}
