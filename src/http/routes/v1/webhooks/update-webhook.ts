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
  human_only?: boolean;
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
            human_only: { type: 'boolean', description: "send opens and clicks only when labelled a person's" },
          },
        },
        response: { 200: { $ref: 'WebhookEndpoint#' }, ...authErrors, 404: errorRef, 422: errorRef },
      },
    },
    async (request) => {
      const { projectId } = requireKey(request);
      const { human_only: humanOnly, ...patch } = request.body;
      const updated = await deps.webhooks.update(projectId, request.params.id, { ...patch, ...(humanOnly !== undefined && { humanOnly }) });
      return webhookEndpointJson(updated, deps.webhooks.now());
    },
  );
}
