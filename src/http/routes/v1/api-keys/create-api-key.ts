import type { FastifyInstance } from 'fastify';
import type { ApiKeyRole } from '../../../../core/model.js';
import { requireKey } from '../../../auth.js';
import type { HttpDeps } from '../../../deps.js';
import { apiKeyJson } from '../../../schemas/api-key.js';
import { authErrors, errorRef } from '../../../schemas/common.js';

export function createApiKeyRoute(app: FastifyInstance, deps: HttpDeps): void {
  app.post<{ Body: { name: string; role?: ApiKeyRole } }>(
    '/v1/api-keys',
    {
      config: { role: 'admin' },
      schema: {
        summary: 'Create an API key in this project (admin). The key is in the response, once.',
        tags: ['api-keys'],
        body: {
          type: 'object',
          required: ['name'],
          additionalProperties: false,
          properties: {
            name: { type: 'string', minLength: 1, maxLength: 100 },
            role: { type: 'string', enum: ['admin', 'member'], default: 'member' },
          },
        },
        response: {
          201: {
            type: 'object',
            properties: { key: { type: 'string' }, api_key: { $ref: 'ApiKey#' } },
          },
          ...authErrors,
          422: errorRef,
        },
      },
    },
    async (request, reply) => {
      const caller = requireKey(request);
      const issued = await deps.apiKeys.issue(caller.projectId, request.body.name, request.body.role ?? 'member');
      return reply.status(201).send({ key: issued.secret, api_key: apiKeyJson(issued.apiKey) });
    },
  );
}
