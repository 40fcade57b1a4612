import type { FastifyInstance } from 'fastify';
import { requireKey } from '../../../auth.js';
import type { HttpDeps } from '../../../deps.js';
import { authErrors, errorRef, idParams } from '../../../schemas/common.js';

export function deleteWebhookRoute(app: FastifyInstance, deps: HttpDeps): void {
  app.delete<{ Params: { id: string } }>(
    '/v1/webhooks/:id',
    {
      config: { role: 'admin' },
      schema: {
        summary: 'Delete an endpoint and its delivery log (admin); nothing more is sent to it',
        tags: ['webhooks'],
        params: idParams,
        response: {
          // A body, as for domains and API keys: Resend's SDK reads one from every DELETE.
          200: {
            type: 'object',
            required: ['id', 'object', 'deleted'],
            properties: { id: { type: 'string', format: 'uuid' }, object: { type: 'string', enum: ['webhook'] }, deleted: { type: 'boolean', const: true } },
          },
          ...authErrors,
          404: errorRef,
          422: errorRef,
        },
      },
    },
    async (request) => {
      const { projectId } = requireKey(request);
      await deps.webhooks.remove(projectId, request.params.id);
      return { id: request.params.id.toLowerCase(), object: 'webhook', deleted: true };
    },
  );
}
