import type { FastifyInstance } from 'fastify';
import type { WebhookEventType } from '../../../../core/model.js';
import { requireKey } from '../../../auth.js';
import type { HttpDeps } from '../../../deps.js';
import { authErrors, errorRef, idParams } from '../../../schemas/common.js';
import { webhookEndpointJson, webhookEventsProperty, webhookUrlProperty } from '../../../schemas/webhook.js';

interface Patch {
  url?: string;
  events?: WebhookEventType[];
  description?: string | null;
  enabled?: boolean;
}

export function updateWebhookRoute(app: FastifyInstance, deps: HttpDeps): void {
  app.patch<{ Params: { id: string }; Body: Patch }>(
    '/v1/webhooks/:id',
    {
      config: { role: 'admin' },
      schema: {
        summary: 'Change an endpoint (admin): url, events, description, or enabled (true re-enables a disabled endpoint)',
        tags: ['webhooks'],
        params: idParams,
        body: {
          type: 'object',
          additionalProperties: false,
          minProperties: 1,
          properties: {
            url: webhookUrlProperty,
            events: webhookEventsProperty,
            description: { type: ['string', 'null'], maxLength: 500 },
            enabled: { type: 'boolean' },
          },
        },
        response: { 200: { $ref: 'WebhookEndpoint#' }, ...authErrors, 404: errorRef, 422: errorRef },
      },
    },
    async (request) => {
      const { projectId } = requireKey(request);
      return webhookEndpointJson(await deps.webhooks.update(projectId, request.params.id, request.body), deps.webhooks.now());
    },
  );
}
