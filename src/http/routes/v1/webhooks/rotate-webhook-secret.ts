import type { FastifyInstance } from 'fastify';
import { requireKey } from '../../../auth.js';
import type { HttpDeps } from '../../../deps.js';
import { authErrors, errorRef, idParams } from '../../../schemas/common.js';
import { webhookEndpointJson } from '../../../schemas/webhook.js';

export function rotateWebhookSecretRoute(app: FastifyInstance, deps: HttpDeps): void {
  app.post<{ Params: { id: string } }>(
    '/v1/webhooks/:id/rotate-secret',
    {
      config: { role: 'admin' },
      schema: {
        summary: 'Make a new signing secret (admin), shown this once. For 24 h both secrets sign every delivery.',
        tags: ['webhooks'],
        params: idParams,
        response: {
          200: { type: 'object', required: ['secret', 'endpoint'], properties: { secret: { type: 'string' }, endpoint: { $ref: 'WebhookEndpoint#' } } },
          ...authErrors,
          404: errorRef,
          422: errorRef,
        },
      },
    },
    async (request) => {
      const { projectId } = requireKey(request);
      const endpoint = await deps.webhooks.rotateSecret(projectId, request.params.id);
      return { secret: endpoint.secret, endpoint: webhookEndpointJson(endpoint, deps.webhooks.now()) };
    },
  );
}
