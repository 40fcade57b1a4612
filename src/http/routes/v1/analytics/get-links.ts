import type { FastifyInstance } from 'fastify';
import { requireKey } from '../../../auth.js';
import type { HttpDeps } from '../../../deps.js';
import { type AnalyticsFilterQuery, analyticsFilterProperties, analyticsQuery } from '../../../schemas/analytics.js';
import { authErrors, errorRef } from '../../../schemas/common.js';

export function getLinksRoute(app: FastifyInstance, deps: HttpDeps): void {
  app.get<{ Querystring: AnalyticsFilterQuery & { email_id?: string } }>(
    '/v1/analytics/links',
    {
      schema: {
        summary: 'Clicks and unique clicks (emails that clicked it at least once) per link',
        tags: ['analytics'],
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { ...analyticsFilterProperties, email_id: { type: 'string', format: 'uuid' } },
        },
        response: {
          200: {
            type: 'object',
            required: ['object', 'data'],
            properties: {
              object: { type: 'string', const: 'list' },
              data: {
                type: 'array',
                items: {
                  type: 'object',
                  required: ['url', 'label', 'index', 'clicks', 'unique_clicks', 'human_clicks', 'human_unique_clicks', 'machine_clicks'],
                  properties: {
                    url: { type: 'string' },
                    label: { type: 'string' },
                    index: { type: 'integer' },
                    clicks: { type: 'integer' },
                    unique_clicks: { type: 'integer' },
                    human_clicks: { type: 'integer', description: "clicks labelled a person's" },
                    human_unique_clicks: { type: 'integer', description: 'emails a person clicked it from' },
                    machine_clicks: { type: 'integer', description: "clicks labelled a machine's" },
                  },
                },
              },
            },
          },
          ...authErrors,
          404: errorRef,
          422: errorRef,
        },
      },
    },
    async (request) => {
      const links = await deps.analytics.links(requireKey(request).projectId, { ...analyticsQuery(request.query), emailId: request.query.email_id });
      return {
        object: 'list',
        data: links.map((l) => ({
          url: l.url,
          label: l.label,
          index: l.linkIndex,
          clicks: l.clicks,
          unique_clicks: l.uniqueClicks,
          human_clicks: l.humanClicks,
          human_unique_clicks: l.humanUniqueClicks,
          machine_clicks: l.clicks - l.humanClicks,
        })),
      };
    },
  );
}
