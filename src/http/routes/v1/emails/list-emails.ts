import type { FastifyInstance } from 'fastify';
import type { EmailStatus } from '../../../../core/model.js';
import { requireKey } from '../../../auth.js';
import type { HttpDeps } from '../../../deps.js';
import { type PageQuery, authErrors, errorRef, listSchema, pageQueryProperties, paginate } from '../../../schemas/common.js';
import { emailJson } from '../../../schemas/email.js';

type Query = PageQuery & { status?: EmailStatus; since?: string; until?: string };

export function listEmailsRoute(app: FastifyInstance, deps: HttpDeps): void {
  app.get<{ Querystring: Query }>(
    '/v1/emails',
    {
      schema: {
        summary: 'List emails, newest first; filter by status and creation time',
        tags: ['emails'],
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            ...pageQueryProperties,
            status: { type: 'string', enum: ['queued', 'sent', 'captured', 'failed'] },
            since: { type: 'string', format: 'date-time', description: 'emails created at or after this time' },
            until: { type: 'string', format: 'date-time', description: 'emails created before this time' },
          },
        },
        response: { 200: listSchema('Email'), ...authErrors, 422: errorRef },
      },
    },
    async (request) => {
      const projectId = requireKey(request).projectId;
      const { status, since, until } = request.query;
      const filter = {
        ...(status !== undefined ? { status } : {}),
        ...(since !== undefined ? { since: Date.parse(since) } : {}),
        ...(until !== undefined ? { until: Date.parse(until) } : {}),
      };
      const page = await paginate(request.query, (limit, after) => deps.emails.list(projectId, { limit, after, ...filter }));
      return { object: 'list', data: page.items.map(emailJson), has_more: page.hasMore, next_cursor: page.nextCursor };
    },
  );
}
