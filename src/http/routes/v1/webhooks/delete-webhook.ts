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
        response: { 204: { type: 'null' }, ...authErrors, 404: errorRef, 422: errorRef },
      },
    },
    async (request, reply) => {
      const { projectId } = requireKey(request);
      await deps.webhooks.remove(projectId, request.params.id);
      return reply.status(204).send();
    },
  );
}
