import type { FastifyInstance } from 'fastify';
import { requireKey } from '../../../auth.js';
import type { HttpDeps } from '../../../deps.js';
import { authErrors, errorRef, idParams } from '../../../schemas/common.js';
import { webhookEndpointJson } from '../../../schemas/webhook.js';

export function getWebhookRoute(app: FastifyInstance, deps: HttpDeps): void {
  app.get<{ Params: { id: string } }>(
    '/v1/webhooks/:id',
    {
      schema: {
        summary: 'A webhook endpoint: its URL, events, and whether it is enabled (and if not, why)',
        tags: ['webhooks'],
        params: idParams,
        response: { 200: { $ref: 'WebhookEndpoint#' }, ...authErrors, 404: errorRef, 422: errorRef },
      },
    },
    async (request) => {
      const { projectId } = requireKey(request);
      return webhookEndpointJson(await deps.webhooks.get(projectId, request.params.id), deps.webhooks.now());
    },
  );
}
