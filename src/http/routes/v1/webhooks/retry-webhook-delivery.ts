import type { FastifyInstance } from 'fastify';
import { requireKey } from '../../../auth.js';
import type { HttpDeps } from '../../../deps.js';
import { authErrors, errorRef } from '../../../schemas/common.js';
import { webhookDeliveryJson } from '../../../schemas/webhook.js';

export function retryWebhookDeliveryRoute(app: FastifyInstance, deps: HttpDeps): void {
  app.post<{ Params: { id: string; deliveryId: string } }>(
    '/v1/webhooks/:id/deliveries/:deliveryId/retry',
    {
      config: { role: 'admin' },
      schema: {
        summary: 'Send one delivery again now (admin), under the same webhook-id',
        tags: ['webhooks'],
        params: {
          type: 'object',
          required: ['id', 'deliveryId'],
          additionalProperties: false,
          properties: { id: { type: 'string', format: 'uuid' }, deliveryId: { type: 'string', format: 'uuid' } },
        },
        response: { 202: { $ref: 'WebhookDelivery#' }, ...authErrors, 404: errorRef, 422: errorRef },
      },
    },
    async (request, reply) => {
      const { projectId } = requireKey(request);
      const delivery = await deps.webhooks.retry(projectId, request.params.id, request.params.deliveryId);
      return reply.status(202).send(webhookDeliveryJson(delivery));
    },
  );
}
