import type { FastifyInstance } from 'fastify';
import type { WebhookEventType } from '../../../../core/model.js';
import { requireKey } from '../../../auth.js';
import type { HttpDeps } from '../../../deps.js';
import { authErrors, errorRef } from '../../../schemas/common.js';
import { webhookEndpointJson, webhookEventsProperty, webhookUrlProperty } from '../../../schemas/webhook.js';

export function createWebhookRoute(app: FastifyInstance, deps: HttpDeps): void {
  app.post<{ Body: { url: string; events?: WebhookEventType[]; description?: string; human_only?: boolean } }>(
    '/v1/webhooks',
    {
      config: { role: 'admin' },
      schema: {
        summary: 'Create a webhook endpoint (admin). Its signing secret is in the response, this once.',
        tags: ['webhooks'],
        body: {
          type: 'object',
          required: ['url'],
          additionalProperties: false,
          properties: {
            url: webhookUrlProperty,
            events: { ...webhookEventsProperty, description: 'the event types to receive (default: every type)' },
            description: { type: 'string', maxLength: 500 },
            human_only: { type: 'boolean', description: "send opens and clicks only when labelled a person's (default false)" },
          },
        },
        response: {
          201: {
            type: 'object',
            required: ['secret', 'endpoint'],
            properties: { secret: { type: 'string', description: 'whsec_…, for Standard Webhooks verification' }, endpoint: { $ref: 'WebhookEndpoint#' } },
          },
          ...authErrors,
          422: errorRef,
        },
      },
    },
    async (request, reply) => {
      const { projectId } = requireKey(request);
      const { human_only: humanOnly, ...body } = request.body;
      const endpoint = await deps.webhooks.create(projectId, { ...body, ...(humanOnly !== undefined && { humanOnly }) });
      return reply.status(201).send({ secret: endpoint.secret, endpoint: webhookEndpointJson(endpoint, deps.webhooks.now()) });
    },
  );
}
