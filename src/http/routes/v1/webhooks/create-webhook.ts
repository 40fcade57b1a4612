import type { FastifyInstance } from 'fastify';
import type { WebhookEventType } from '../../../../core/model.js';
import { requireKey } from '../../../auth.js';
import { ApiError } from '../../../errors.js';
import type { HttpDeps } from '../../../deps.js';
import { authErrors, errorRef } from '../../../schemas/common.js';
import { webhookEventsProperty, webhookSecretJson, webhookSecretSchema, webhookUrlProperty } from '../../../schemas/webhook.js';

export function createWebhookRoute(app: FastifyInstance, deps: HttpDeps): void {
  app.post<{ Body: { url?: string; endpoint?: string; events?: WebhookEventType[]; description?: string; human_only?: boolean } }>(
    '/v1/webhooks',
    {
      config: { role: 'admin' },
      schema: {
        summary: 'Create a webhook endpoint (admin). Its signing secret is in the response, this once.',
        tags: ['webhooks'],
        body: {
          type: 'object',
          additionalProperties: false,
          anyOf: [{ required: ['url'] }, { required: ['endpoint'] }],
          properties: {
            url: { ...webhookUrlProperty, description: 'where deliveries go (this or endpoint is required)' },
            endpoint: { ...webhookUrlProperty, description: "url under the name Resend's API gives it" },
            events: { ...webhookEventsProperty, description: 'the event types to receive (default: every type)' },
            description: { type: 'string', maxLength: 500 },
            human_only: { type: 'boolean', description: "send opens and clicks only when labelled a person's (default false)" },
          },
        },
        response: {
          201: webhookSecretSchema,
          ...authErrors,
          422: errorRef,
        },
      },
    },
    async (request, reply) => {
      const { projectId } = requireKey(request);
      const { human_only: humanOnly, url, endpoint: alias, ...body } = request.body;
      if (url !== undefined && alias !== undefined && url !== alias) throw new ApiError('validation_failed', 'body.url and body.endpoint name two different URLs: give one');
      const endpoint = await deps.webhooks.create(projectId, { ...body, url: (url ?? alias)!, ...(humanOnly !== undefined && { humanOnly }) });
      return reply.status(201).send(webhookSecretJson(endpoint, deps.webhooks.now()));
    },
  );
}
