import type { FastifyInstance } from 'fastify';
import { requireKey } from '../../../auth.js';
import type { HttpDeps } from '../../../deps.js';
import { type PageQuery, authErrors, errorRef, listSchema, pageQueryProperties, paginate } from '../../../schemas/common.js';
import { domainView } from './view.js';

export function listDomainsRoute(app: FastifyInstance, deps: HttpDeps): void {
  app.get<{ Querystring: PageQuery }>(
    '/v1/domains',
    {
      schema: {
        summary: 'List sending domains, newest first',
        tags: ['domains'],
        querystring: { type: 'object', additionalProperties: false, properties: pageQueryProperties },
        response: { 200: listSchema('Domain'), ...authErrors, 422: errorRef },
      },
    },
    async (request) => {
      const { projectId } = requireKey(request);
      const page = await paginate(request.query, (limit, after) => deps.domains.list(projectId, { limit, after }));
      return { object: 'list', data: page.items.map((d) => domainView(d, deps.domains.targetWarnings)), has_more: page.hasMore, next_cursor: page.nextCursor };
    },
  );
}
