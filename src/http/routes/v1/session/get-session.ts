import type { FastifyInstance } from 'fastify';
import { requireKey } from '../../../auth.js';
import { apiKeyJson } from '../../../schemas/api-key.js';

export function getSessionRoute(app: FastifyInstance): void {
  app.get(
    '/v1/session',
    {
      schema: {
        summary: 'The key this request is authenticated with (the dashboard reads its role here)',
        tags: ['session'],
        response: { 200: { type: 'object', required: ['api_key'], properties: { api_key: { $ref: 'ApiKey#' } } } },
      },
    },
    async (request) => ({ api_key: apiKeyJson(requireKey(request)) }),
  );
}
