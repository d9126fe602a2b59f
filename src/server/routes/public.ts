// Routes without terminal authentication: health, time, OpenAPI document.
import type { FastifyInstance } from 'fastify';
import packageJson from '../../../package.json' with { type: 'json' };
import { API_PREFIX, type TimeResponse } from '../../shared/server-api';
import { toIso } from '../clock';
import type { RouteContext } from './context';
import { errorResponses, SCHEMAS } from './schemas';

export function registerPublicRoutes(app: FastifyInstance, { clock }: RouteContext): void {
  app.get('/healthz', {
    schema: { summary: 'Health check', tags: ['public'], response: { 200: SCHEMAS.health, ...errorResponses(500) } },
    handler: async () => ({ status: 'ok' as const, version: packageJson.version, time: toIso(clock.now()) }),
  });

  app.get(`${API_PREFIX}/time`, {
    schema: { summary: 'Server time (terminals check their clock against it)', tags: ['public'], response: { 200: SCHEMAS.time, ...errorResponses(500) } },
    handler: async (): Promise<TimeResponse> => {
      const now = clock.now();
      return { epochMs: now, iso: toIso(now) };
    },
  });

  app.get('/openapi.json', {
    schema: {
      summary: 'This OpenAPI 3.1 document',
      tags: ['public'],
      response: { 200: { description: 'OpenAPI 3.1 document', type: 'object', additionalProperties: true } },
    },
    handler: async () => app.swagger(),
  });
}
