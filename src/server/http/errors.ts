// Every error leaves the server as { error: { code, message } } JSON. No stack traces, SQL or
// internal messages reach a client; unexpected errors are logged on the server only.
import type { FastifyError, FastifyInstance } from 'fastify';
import type { ErrorResponse } from '../../shared/server-api';
import { AdminError } from '../admin/admin-error';
import { adminApiError } from './admin-errors';

export class ApiError extends Error {
  override name = 'ApiError';
  constructor(
    readonly statusCode: number,
    readonly code: string,
    /** Japanese: a person may read it on a terminal. */
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export function errorBody(code: string, message: string): ErrorResponse {
  return { error: { code, message } };
}

/** Client errors raised by fastify itself, mapped to stable codes and Japanese messages. */
const FASTIFY_CLIENT_ERRORS: Record<string, { code: string; message: string }> = {
  FST_ERR_CTP_BODY_TOO_LARGE: { code: 'body-too-large', message: 'リクエストの本文が大きすぎます。' },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { code: 'unsupported-media-type', message: 'リクエストの形式 (Content-Type) が対応していません。application/json で送信してください。' },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { code: 'bad-request', message: 'リクエストの長さ (Content-Length) が正しくありません。' },
  FST_ERR_CTP_EMPTY_JSON_BODY: { code: 'malformed-json', message: 'リクエストの本文が空です。' },
  FST_ERR_CTP_INVALID_JSON_BODY: { code: 'malformed-json', message: 'リクエストの本文が正しい JSON ではありません。' },
};

function clientError(error: FastifyError): { code: string; message: string } {
  const known = error.code ? FASTIFY_CLIENT_ERRORS[error.code] : undefined;
  if (known) return known;
  if (error instanceof SyntaxError) return FASTIFY_CLIENT_ERRORS.FST_ERR_CTP_INVALID_JSON_BODY!;
  if (error.statusCode === 413) return FASTIFY_CLIENT_ERRORS.FST_ERR_CTP_BODY_TOO_LARGE!;
  if (error.statusCode === 415) return FASTIFY_CLIENT_ERRORS.FST_ERR_CTP_INVALID_MEDIA_TYPE!;
  return { code: 'bad-request', message: 'リクエストが正しくありません。' };
}

export function installErrorHandlers(app: FastifyInstance): void {
  app.setErrorHandler((thrown: FastifyError, request, reply) => {
    // A refused admin action (shared with the CLI) over HTTP: src/server/http/admin-errors.ts.
    const error = thrown instanceof AdminError ? (adminApiError(thrown) as unknown as FastifyError) : thrown;
    if (error instanceof ApiError) {
      return reply.code(error.statusCode).headers(error.headers).send(errorBody(error.code, error.message));
    }
    if (error.validation) {
      // ajv's message names the field and the rule ("body/outcome must be equal to one of the allowed values"): safe to show.
      return reply.code(400).send(errorBody('invalid-request', `リクエストの内容が正しくありません (${error.message})。`));
    }
    const status = error.statusCode ?? 500;
    if (status >= 400 && status < 500) {
      const { code, message } = clientError(error);
      return reply.code(status).send(errorBody(code, message));
    }
    request.log.error({ err: error }, 'request failed');
    return reply.code(500).send(errorBody('internal', 'サーバー内部でエラーが発生しました。しばらくしてから再度お試しください。'));
  });
  app.setNotFoundHandler((request, reply) => {
    return reply.code(404).send(errorBody('not-found', `指定された URL はありません (${request.method} ${request.url.split('?')[0]?.slice(0, 200) ?? ''})。`));
  });
}
