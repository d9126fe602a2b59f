// zod (src/shared/server-api.ts, the single source of truth) → JSON Schema for fastify's ajv
// (request validation), fast-json-stringify (responses) and @fastify/swagger (OpenAPI 3.1).
// Draft-07 output is used: ajv's default dialect, and for these schemas identical to what
// OpenAPI 3.1 (JSON Schema 2020-12) reads. The "$schema" key is dropped (ajv would try to
// resolve it and OpenAPI does not want it inside an operation).
import { z } from 'zod';

export type JsonSchema = Record<string, unknown>;

export function toJsonSchema(schema: z.ZodType, io: 'input' | 'output' = 'output', description?: string): JsonSchema {
  const { $schema: _ignored, ...jsonSchema } = z.toJSONSchema(schema, { target: 'draft-7', io, unrepresentable: 'throw' }) as JsonSchema;
  return description ? { description, ...jsonSchema } : jsonSchema;
}
