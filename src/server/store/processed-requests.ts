// Idempotency by request id: the answer given the first time is stored and replayed on resend.
import { createHash } from 'node:crypto';
import type { ServerDb } from '../db/open';

export interface StoredAnswer {
  status: number;
  body: unknown;
}

export interface ProcessedRequest extends StoredAnswer {
  requestId: string;
  kind: string;
  terminalId: string;
  bodySha256: string;
}

/** JSON with object keys sorted, so the same request hashes the same whatever its key order. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

export function requestFingerprint(body: unknown): string {
  return createHash('sha256').update(canonicalJson(body)).digest('hex');
}

export function findProcessedRequest(db: ServerDb, requestId: string): ProcessedRequest | undefined {
  const row = db.prepare('SELECT * FROM processed_requests WHERE request_id = ?').get(requestId) as
    | { request_id: string; kind: string; terminal_id: string; body_sha256: string; status_code: number; response_json: string }
    | undefined;
  if (!row) return undefined;
  return {
    requestId: row.request_id,
    kind: row.kind,
    terminalId: row.terminal_id,
    bodySha256: row.body_sha256,
    status: row.status_code,
    body: JSON.parse(row.response_json) as unknown,
  };
}

export function saveProcessedRequest(db: ServerDb, request: ProcessedRequest, at: number): void {
  db.prepare(
    'INSERT INTO processed_requests (request_id, kind, terminal_id, body_sha256, status_code, response_json, processed_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
  ).run(request.requestId, request.kind, request.terminalId, request.bodySha256, request.status, JSON.stringify(request.body), at);
}
