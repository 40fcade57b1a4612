import type { FastifyInstance } from 'fastify';
import { requireKey } from '../../../auth.js';
import type { HttpDeps } from '../../../deps.js';
import { type PageQuery, authErrors, errorRef, listSchema, pageQueryProperties, paginate } from '../../../schemas/common.js';
import { exportJson } from '../../../schemas/export.js';

export function listExportsRoute(app: FastifyInstance, deps: HttpDeps): void {
  app.get<{ Querystring: PageQuery }>(
    '/v1/exports',
    {
      schema: {
        summary: 'List exports, newest first (members may list)',
        tags: ['exports'],
        querystring: { type: 'object', additionalProperties: false, properties: pageQueryProperties },
        response: { 200: listSchema('Export'), ...authErrors, 422: errorRef },
      },
    },
    async (request) => {
      const projectId = requireKey(request).projectId;
      const page = await paginate(request.query, (limit, after) => deps.exports.list(projectId, { limit, after }));
      return { object: 'list', data: page.items.map(exportJson), has_more: page.hasMore, next_cursor: page.nextCursor };
    },
  );
}
