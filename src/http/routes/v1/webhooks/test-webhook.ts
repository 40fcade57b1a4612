import type { FastifyInstance } from 'fastify';
import { requireKey } from '../../../auth.js';
import type { HttpDeps } from '../../../deps.js';
import { authErrors, errorRef, idParams } from '../../../schemas/common.js';

export function testWebhookRoute(app: FastifyInstance, deps: HttpDeps): void {
  app.post<{ Params: { id: string } }>(
    '/v1/webhooks/:id/test',
    {
      config: { role: 'admin' },
      schema: {
        summary: 'Send an event.test to the endpoint (admin); follow it in the delivery log',
        tags: ['webhooks'],
        params: idParams,
        response: { 202: { type: 'object', required: ['delivery_id'], properties: { delivery_id: { type: 'string' } } }, ...authErrors, 404: errorRef, 422: errorRef },
      },
    },
    async (request, reply) => {
      const { projectId } = requireKey(request);
      const messageId = await deps.webhooks.sendTest(projectId, request.params.id);
      return reply.status(202).send({ delivery_id: messageId });
    },
  );
}
