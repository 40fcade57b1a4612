import type { FastifyInstance } from 'fastify';
import { requireKey } from '../../../auth.js';
import type { HttpDeps } from '../../../deps.js';
import { type PageQuery, authErrors, errorRef, listSchema, pageQueryProperties, paginate } from '../../../schemas/common.js';
import { webhookEndpointJson } from '../../../schemas/webhook.js';

export function listWebhooksRoute(app: FastifyInstance, deps: HttpDeps): void {
  app.get<{ Querystring: PageQuery }>(
    '/v1/webhooks',
    {
      schema: {
        summary: 'List webhook endpoints, newest first',
        tags: ['webhooks'],
        querystring: { type: 'object', additionalProperties: false, properties: pageQueryProperties },
        response: { 200: listSchema('WebhookEndpoint'), ...authErrors, 422: errorRef },
      },
    },
    async (request) => {
      const { projectId } = requireKey(request);
      const page = await paginate(request.query, (limit, after) => deps.webhooks.list(projectId, { limit, after }));
      const now = deps.webhooks.now();
      return { object: 'list', data: page.items.map((e) => webhookEndpointJson(e, now)), has_more: page.hasMore, next_cursor: page.nextCursor };
    },
  );
}
