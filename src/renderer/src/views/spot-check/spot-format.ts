// How 点検 writes files and small facts: CSV (the shared encoder, UTF-8 with BOM) and PDF blobs, file
// names without personal data (what, period or date, time of export), chain marks, severities.
import { csvBytes, encodeCsv } from '../../../../domain/report/csv';
import type { CsvTable } from '../../../../shared/audit-csv';
import { formatJst } from '../../../../domain/calendar/format';

export function csvBlob(table: CsvTable): Blob {
  return new Blob([csvBytes(encodeCsv(table.header, table.rows)) as BlobPart], { type: 'text/csv;charset=utf-8' });
}

export function pdfBlob(base64: string): Blob {
  const binary = atob(base64);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return new Blob([bytes as BlobPart], { type: 'application/pdf' });
}

/** "20261124-1005": when the file was made (JST). */
export function stamp(nowMs: number): string {
  return formatJst(nowMs, 'iso').slice(0, 16).replace(/[-:]/g, '').replace('T', '-');
}

/** A file name: kind, a tag (period), the export time. Only ASCII letters, digits, '-' and '_' besides the Japanese kind. */
export function fileName(kind: string, tag: string, nowMs: number, ext: 'csv' | 'pdf'): string {
  return `${kind}_${tag.replace(/[^0-9A-Za-z-]/g, '')}_${stamp(nowMs)}.${ext}`;
}

export const SEVERITY_TEXT: Readonly<Record<string, string>> = { high: '高', medium: '中', low: '低' };

export function severityClass(severity: string): string {
  return severity === 'high' ? 'pill-error' : severity === 'medium' ? 'pill-warn' : 'pill-ok';
}
