import type { FastifyInstance } from 'fastify';
import { requireKey } from '../../../auth.js';
import type { HttpDeps } from '../../../deps.js';
import { type AnalyticsFilterQuery, analyticsFilterProperties, analyticsQuery, countsJson, countsSchema } from '../../../schemas/analytics.js';
import { authErrors, errorRef } from '../../../schemas/common.js';

export function getSummaryRoute(app: FastifyInstance, deps: HttpDeps): void {
  app.get<{ Querystring: AnalyticsFilterQuery }>(
    '/v1/analytics/summary',
    {
      schema: {
        summary: 'Sent, opened, clicked and their rates, from the rollups (by send cohort)',
        tags: ['analytics'],
        querystring: { type: 'object', additionalProperties: false, properties: analyticsFilterProperties },
        response: { 200: countsSchema, ...authErrors, 422: errorRef },
      },
    },
    async (request) => countsJson(await deps.analytics.summary(requireKey(request).projectId, analyticsQuery(request.query))),
  );
}
