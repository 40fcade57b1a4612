import type { FastifyInstance } from 'fastify';
import { requireKey } from '../../../auth.js';
import type { HttpDeps } from '../../../deps.js';
import { apiKeyJson } from '../../../schemas/api-key.js';
import { authErrors } from '../../../schemas/common.js';

export function listApiKeysRoute(app: FastifyInstance, deps: HttpDeps): void {
  app.get(
    '/v1/api-keys',
    {
      config: { role: 'admin' },
      schema: {
        summary: "List this project's API keys (admin); secrets are never shown",
        tags: ['api-keys'],
        response: {
          200: { type: 'object', required: ['object', 'data'], properties: { object: { type: 'string' }, data: { type: 'array', items: { $ref: 'ApiKey#' } } } },
          ...authErrors,
        },
      },
    },
    async (request) => {
      const keys = await deps.apiKeys.list(requireKey(request).projectId);
      return { object: 'list', data: keys.map(apiKeyJson) };
    },
  );
}
