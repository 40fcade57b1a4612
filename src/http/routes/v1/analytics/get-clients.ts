import type { FastifyInstance } from 'fastify';
import { requireKey } from '../../../auth.js';
import type { HttpDeps } from '../../../deps.js';
import { type AnalyticsFilterQuery, analyticsFilterProperties, analyticsQuery } from '../../../schemas/analytics.js';
import { authErrors, errorRef } from '../../../schemas/common.js';

const named = {
  type: 'array',
  items: {
    type: 'object',
    required: ['name', 'opens'],
    properties: { name: { type: 'string' }, opens: { type: 'integer' } },
  },
} as const;

export function getClientsRoute(app: FastifyInstance, deps: HttpDeps): void {
  app.get<{ Querystring: AnalyticsFilterQuery }>(
    '/v1/analytics/clients',
    {
      schema: {
        summary: 'Opens by email client, device type and OS, parsed from the user agents',
        tags: ['analytics'],
        querystring: { type: 'object', additionalProperties: false, properties: analyticsFilterProperties },
        response: {
          200: {
            type: 'object',
            required: ['opens', 'clients', 'devices', 'os'],
            properties: { opens: { type: 'integer' }, clients: named, devices: named, os: named },
          },
          ...authErrors,
          422: errorRef,
        },
      },
    },
    async (request) => deps.analytics.clients(requireKey(request).projectId, analyticsQuery(request.query)),
  );
}
