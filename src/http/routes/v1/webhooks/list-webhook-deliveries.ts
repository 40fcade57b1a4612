import type { FastifyInstance } from 'fastify';
import { requireKey } from '../../../auth.js';
import type { HttpDeps } from '../../../deps.js';
import { type PageQuery, authErrors, errorRef, idParams, listSchema, pageQueryProperties, paginate } from '../../../schemas/common.js';
import { webhookDeliveryJson } from '../../../schemas/webhook.js';

export function listWebhookDeliveriesRoute(app: FastifyInstance, deps: HttpDeps): void {
  app.get<{ Params: { id: string }; Querystring: PageQuery }>(
    '/v1/webhooks/:id/deliveries',
    {
      schema: {
        summary: "An endpoint's delivery log, newest first: status, attempts, last answer and next attempt",
        tags: ['webhooks'],
        params: idParams,
        querystring: { type: 'object', additionalProperties: false, properties: pageQueryProperties },
        response: { 200: listSchema('WebhookDelivery'), ...authErrors, 404: errorRef, 422: errorRef },
      },
    },
    async (request) => {
      const { projectId } = requireKey(request);
      const page = await paginate(request.query, (limit, after) => deps.webhooks.deliveries(projectId, request.params.id, { limit, after }), (d) => d.messageId);
      return { object: 'list', data: page.items.map(webhookDeliveryJson), has_more: page.hasMore, next_cursor: page.nextCursor };
    },
  );
}
