// The JSON body parser of POST /api/v1/log-batches (up to 8 MiB, up to 5000 records). It answers
// exactly as fastify's default JSON parser (secure-json-parse, __proto__ and constructor.prototype
// refused, a leading BOM skipped, an empty body refused) and, for most bodies, skips its slowest step:
// decoding the whole UTF-8 body into a JavaScript string.
//
// Fast decoding: when the body contains no "\u" escape, no "__proto__" and no "constructor" (checked
// on the bytes), it is read as Latin-1 — one character per byte, which stays a compact one-byte
// string — and parsed with JSON.parse. This yields the same JSON structure, numbers and ASCII strings
// (keys included) as decoding it as UTF-8 first: bytes ≥ 0x80 are legal in JSON only inside strings in
// either reading (elsewhere both readings fail to parse), never form '"', '\' or a control character,
// and an ASCII byte never continues a UTF-8 sequence, so every string token ends at the same byte.
// Only the content of non-ASCII strings differs: they hold the raw UTF-8 bytes. The batch check
// (src/server/services/log-batch-schema.ts, told by bodyStrings()) decodes exactly those strings the
// contract lets hold non-ASCII text and refuses non-ASCII everywhere else, as it would after UTF-8
// decoding. With an escape (\u…) a string could mix both readings: such bodies, and the two
// suspicious names whose check needs the decoded text, take the default path.
// test/unit/server-log-batch-check.test.ts compares both paths on random byte strings.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { FAST_CHECK_MATCHES_CONTRACT, type BodyStrings } from '../services/log-batch-schema';

type Done = (error: Error | null, body?: unknown) => void;

const LATIN1_BODIES = new WeakSet<object>();

/** How the strings of a body returned by this parser were decoded (see the top of this file). */
export function bodyStrings(body: unknown): BodyStrings {
  return typeof body === 'object' && body !== null && LATIN1_BODIES.has(body) ? 'latin1' : 'utf8';
}

/** Whether the body can be read as Latin-1 (see the top of this file). */
export function latin1Readable(body: Buffer): boolean {
  return body.indexOf('\\u') === -1 && body.indexOf('__proto__') === -1 && body.indexOf('constructor') === -1;
}

/**
 * The Latin-1 reading of a body: the parsed value, or undefined when it does not parse (the default
 * path then gives the error). A UTF-8 BOM is skipped, as the default parser skips U+FEFF.
 */
export function parseLatin1(body: Buffer): { value: unknown } | undefined {
  const start = body.length >= 3 && body[0] === 0xef && body[1] === 0xbb && body[2] === 0xbf ? 3 : 0;
  try {
    return { value: JSON.parse(body.toString('latin1', start)) as unknown };
  } catch {
    return undefined;
  }
}

/**
 * The parser for this route's scope (application/json, raw bytes up to `bodyLimit`). `read`, when
 * given, is tried first: a value it returns is the body (the route's fast reading of the wire form,
 * src/server/services/log-batch-scan.ts); null means "parse it as JSON" as below.
 */
export function installLogBatchBodyParser(scope: FastifyInstance, bodyLimit: number, read?: (request: FastifyRequest, body: Buffer) => object | null): void {
  const defaultParser = scope.getDefaultJsonParser('error', 'error') as (request: FastifyRequest, body: string, done: Done) => void;
  scope.removeContentTypeParser('application/json');
  scope.addContentTypeParser('application/json', { parseAs: 'buffer', bodyLimit }, (request, body: Buffer, done: Done) => {
    const fast = read?.(request, body);
    if (fast) {
      done(null, fast);
      return;
    }
    if (FAST_CHECK_MATCHES_CONTRACT && body.length > 0 && latin1Readable(body)) {
      const parsed = parseLatin1(body);
      if (parsed) {
        if (typeof parsed.value === 'object' && parsed.value !== null) LATIN1_BODIES.add(parsed.value);
        done(null, parsed.value);
        return;
      }
    }
    defaultParser(request, body.toString('utf8'), done);
  });
}
