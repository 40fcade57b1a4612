import type { FastifyInstance } from 'fastify';
import { requireKey } from '../../../auth.js';
import type { HttpDeps } from '../../../deps.js';
import { authErrors, errorRef, idParams, listSchema, paginate } from '../../../schemas/common.js';
import { type EventFilterQuery, eventFilter, eventFilterQueryProperties, eventJson } from '../../../schemas/event.js';

export function listEmailEventsRoute(app: FastifyInstance, deps: HttpDeps): void {
  app.get<{ Params: { id: string }; Querystring: EventFilterQuery }>(
    '/v1/emails/:id/events',
    {
      schema: {
        summary: "List one email's events, newest first",
        tags: ['events'],
        params: idParams,
        querystring: { type: 'object', additionalProperties: false, properties: eventFilterQueryProperties },
        response: { 200: listSchema('Event'), ...authErrors, 404: errorRef, 422: errorRef },
      },
    },
    async (request) => {
      const projectId = requireKey(request).projectId;
      const filter = { ...eventFilter(request.query), emailId: request.params.id };
      const page = await paginate(request.query, (limit, after) => deps.emails.events(projectId, { ...filter, limit, after }));
      return { object: 'list', data: page.items.map(eventJson), has_more: page.hasMore, next_cursor: page.nextCursor };
    },
  );
}
