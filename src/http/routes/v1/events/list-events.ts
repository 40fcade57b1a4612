import type { FastifyInstance } from 'fastify';
import { requireKey } from '../../../auth.js';
import type { HttpDeps } from '../../../deps.js';
import { authErrors, errorRef, listSchema, paginate } from '../../../schemas/common.js';
import { type EventFilterQuery, eventFilter, eventFilterQueryProperties, eventJson } from '../../../schemas/event.js';

export function listEventsRoute(app: FastifyInstance, deps: HttpDeps): void {
  app.get<{ Querystring: EventFilterQuery & { email_id?: string } }>(
    '/v1/events',
    {
      schema: {
        summary: 'List events across emails, newest first',
        tags: ['events'],
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { ...eventFilterQueryProperties, email_id: { type: 'string', format: 'uuid' } },
        },
        response: { 200: listSchema('Event'), ...authErrors, 404: errorRef, 422: errorRef },
      },
    },
    async (request) => {
      const projectId = requireKey(request).projectId;
      const filter = { ...eventFilter(request.query), emailId: request.query.email_id };
      const page = await paginate(request.query, (limit, after) => deps.emails.events(projectId, { ...filter, limit, after }));
      return { object: 'list', data: page.items.map(eventJson), has_more: page.hasMore, next_cursor: page.nextCursor };
    },
  );
}
