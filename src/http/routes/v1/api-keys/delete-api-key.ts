import type { FastifyInstance } from 'fastify';
import { requireKey } from '../../../auth.js';
import type { HttpDeps } from '../../../deps.js';
import { authErrors, errorRef, idParams } from '../../../schemas/common.js';

export function deleteApiKeyRoute(app: FastifyInstance, deps: HttpDeps): void {
  app.delete<{ Params: { id: string } }>(
    '/v1/api-keys/:id',
    {
      config: { role: 'admin' },
      schema: {
        summary: 'Revoke an API key (admin): it is refused from the next request on, on every node',
        tags: ['api-keys'],
        params: idParams,
        response: {
          200: { type: 'object', properties: { id: { type: 'string' }, object: { type: 'string' }, deleted: { type: 'boolean' } } },
          ...authErrors,
          404: errorRef,
          409: { ...errorRef, description: "the project's last admin key" },
          422: errorRef,
        },
      },
    },
    async (request) => {
      const revoked = await deps.apiKeys.revoke(requireKey(request).projectId, request.params.id);
      return { id: revoked.id, object: 'api_key', deleted: true };
    },
  );
}
