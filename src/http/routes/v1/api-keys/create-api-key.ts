import type { FastifyInstance } from 'fastify';
import { API_KEY_ROLES, type ApiKeyRole } from '../../../../core/model.js';
import { requireKey } from '../../../auth.js';
import type { HttpDeps } from '../../../deps.js';
import { apiKeyJson } from '../../../schemas/api-key.js';
import { authErrors, errorRef } from '../../../schemas/common.js';

interface CreateApiKeyBody {
  name: string;
  role?: ApiKeyRole;
  expires_at?: string;
  domain_id?: string;
}

export function createApiKeyRoute(app: FastifyInstance, deps: HttpDeps): void {
  app.post<{ Body: CreateApiKeyBody }>(
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
            role: {
              type: 'string',
              enum: [...API_KEY_ROLES],
              default: 'member',
              description: 'admin: everything; member: read everything; sending: only POST /v1/emails',
            },
            expires_at: { type: 'string', format: 'date-time', description: 'the key stops working then (default: never)' },
            domain_id: { type: 'string', format: 'uuid', description: 'a sending key may only send from this sending domain' },
          },
        },
        response: {
          201: {
            type: 'object',
            required: ['key', 'api_key', 'id', 'token'],
            properties: {
              key: { type: 'string' },
              api_key: { $ref: 'ApiKey#' },
              id: { type: 'string', format: 'uuid', description: 'api_key.id again, where Resend answers it' },
              token: { type: 'string', description: 'key again, under the name Resend gives it' },
            },
          },
          ...authErrors,
          422: errorRef,
        },
      },
    },
    async (request, reply) => {
      const caller = requireKey(request);
      const { name, role, expires_at: expiresAt, domain_id: domainId } = request.body;
      const issued = await deps.apiKeys.issue(caller.projectId, name, role ?? 'member', {
        expiresAt: expiresAt === undefined ? null : Date.parse(expiresAt),
        domainId: domainId ?? null,
      });
      return reply.status(201).send({ key: issued.secret, api_key: apiKeyJson(issued.apiKey), id: issued.apiKey.id, token: issued.secret });
    },
  );
}
