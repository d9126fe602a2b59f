// CSV for Excel (issue 5 item 6: exports that open correctly in Excel) and its reader.
//
// Writing: UTF-8 with a byte order mark (Excel reads a BOM-less file as Shift_JIS and garbles
// Japanese), CRLF between records, RFC 4180 quoting (a field holding a comma, a double quote, CR or
// LF is enclosed in double quotes, a double quote inside doubled). Line breaks inside a cell are kept
// (Excel shows them as breaks within the cell).
//
// Formula-injection guard (CWE-1236): Excel and LibreOffice treat a cell that starts with = + - @, a
// tab or a carriage return as a formula (`=HYPERLINK(…)`, `@SUM(…)`, `-2+3`). A text cell that starts
// with one of them — or with an apostrophe, so the guard is never ambiguous — is written with one
// apostrophe (') in front. Excel then shows the text with that apostrophe in front of it (as a visible
// character: opening a CSV, Excel does not treat it as its hidden text prefix), never evaluates it.
// How it is undone: decodeCsv (unguard, the default) removes exactly one leading apostrophe from a
// cell that has one, which gives back the original text of every cell, so writing and reading round-
// trip. A person reading the file in Excel sees `'=1+1` and knows the apostrophe is not part of the
// value (docs/server-api.md says so next to the exports). Numbers (a JS number, e.g. -5) are written
// as numbers, unguarded: they cannot be formulas.
export type CsvCell = string | number | boolean | null | undefined;

export interface CsvWriteOptions {
  /** Start with the UTF-8 byte order mark U+FEFF (default true: Excel needs it). */
  bom?: boolean;
  /** Apostrophe in front of text that Excel would read as a formula (default true). */
  guard?: boolean;
}

export interface CsvReadOptions {
  /** Remove the guard's apostrophe (default true). */
  unguard?: boolean;
}

export const CSV_BOM = '\uFEFF';
export const CSV_GUARD = "'";
const TRIGGERS = new Set(['=', '+', '-', '@', '\t', '\r', CSV_GUARD]);

export class CsvError extends Error {
  override name = 'CsvError';
  constructor(
    /** Japanese. */
    message: string,
    readonly line: number,
  ) {
    super(message);
  }
}

/** Whether the guard would prefix this text. */
export function needsGuard(text: string): boolean {
  return text.length > 0 && TRIGGERS.has(text[0]!);
}

function field(cell: CsvCell, guard: boolean): string {
  if (cell === null || cell === undefined) return '';
  let text: string;
  if (typeof cell === 'number') {
    if (!Number.isFinite(cell)) throw new RangeError('encodeCsv: a number cell must be finite');
    text = String(cell);
  } else if (typeof cell === 'boolean') {
    text = cell ? 'TRUE' : 'FALSE';
  } else {
    text = guard && needsGuard(cell) ? CSV_GUARD + cell : cell;
  }
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** One CSV text: the header, then the rows, each record ending in CRLF. */
export function encodeCsv(header: readonly string[], rows: Iterable<readonly CsvCell[]>, options: CsvWriteOptions = {}): string {
  const guard = options.guard ?? true;
  const out: string[] = [options.bom === false ? '' : CSV_BOM];
  const width = header.length;
  out.push(header.map((h) => field(h, guard)).join(','), '\r\n');
  let n = 0;
  for (const row of rows) {
    n++;
    if (row.length !== width) throw new RangeError(`encodeCsv: row ${n} has ${row.length} cells, the header ${width}`);
    out.push(row.map((c) => field(c, guard)).join(','), '\r\n');
  }
  return out.join('');
}

/**
 * Reads CSV (RFC 4180; a leading BOM is skipped; CRLF or LF between records; a final line break does
 * not make an empty record). Throws CsvError (Japanese) on a stray quote or an unterminated field.
 */
export function decodeCsv(text: string, options: CsvReadOptions = {}): string[][] {
  const unguard = options.unguard ?? true;
  const src = text.startsWith(CSV_BOM) ? text.slice(1) : text;
  const records: string[][] = [];
  let record: string[] = [];
  let cell = '';
  let quoted = false;
  let wasQuoted = false;
  let line = 1;
  let i = 0;
  const finishCell = () => {
    record.push(unguard && cell.startsWith(CSV_GUARD) ? cell.slice(1) : cell);
    cell = '';
    wasQuoted = false;
  };
  const finishRecord = () => {
    finishCell();
    records.push(record);
    record = [];
  };
  while (i < src.length) {
    const ch = src[i]!;
    if (quoted) {
      if (ch === '"') {
        if (src[i + 1] === '"') {
          cell += '"';
          i += 2;
          continue;
        }
        quoted = false;
        wasQuoted = true;
        i++;
        const next = src[i];
        if (next !== undefined && next !== ',' && next !== '\r' && next !== '\n') {
          throw new CsvError(`CSV の ${line} 行目: 引用符（"）で囲んだ値の後に「,」か改行がありません。`, line);
        }
        continue;
      }
      if (ch === '\n') line++;
      cell += ch;
      i++;
      continue;
    }
    if (ch === '"') {
      if (cell.length > 0 || wasQuoted) throw new CsvError(`CSV の ${line} 行目: 値の途中に引用符（"）があります（値全体を "…" で囲み、中の " は "" と書きます）。`, line);
      quoted = true;
      i++;
      continue;
    }
    if (ch === ',') {
      finishCell();
      i++;
      continue;
    }
    if (ch === '\r' || ch === '\n') {
      finishRecord();
      i += ch === '\r' && src[i + 1] === '\n' ? 2 : 1;
      line++;
      continue;
    }
    cell += ch;
    i++;
  }
  if (quoted) throw new CsvError(`CSV の ${line} 行目: 引用符（"）が閉じられていません。`, line);
  if (cell.length > 0 || wasQuoted || record.length > 0) finishRecord();
  return records;
}

/** The bytes of a CSV text (UTF-8). */
export function csvBytes(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}
