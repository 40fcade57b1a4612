import type { FastifyInstance } from 'fastify';
import { requireKey } from '../../../auth.js';
import type { HttpDeps } from '../../../deps.js';
import { type PageQuery, authErrors, errorRef, listSchema, pageQueryProperties, paginate } from '../../../schemas/common.js';
import { emailJson } from '../../../schemas/email.js';

export function listEmailsRoute(app: FastifyInstance, deps: HttpDeps): void {
  app.get<{ Querystring: PageQuery }>(
    '/v1/emails',
    {
      schema: {
        summary: 'List emails, newest first',
        tags: ['emails'],
        querystring: { type: 'object', additionalProperties: false, properties: pageQueryProperties },
        response: { 200: listSchema('Email'), ...authErrors, 422: errorRef },
      },
    },
    async (request) => {
      const projectId = requireKey(request).projectId;
      const page = await paginate(request.query, (limit, after) => deps.emails.list(projectId, { limit, after }));
      return { object: 'list', data: page.items.map(emailJson), has_more: page.hasMore, next_cursor: page.nextCursor };
    },
  );
}
