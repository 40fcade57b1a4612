import type { FastifyInstance } from 'fastify';
import { requireKey } from '../../../auth.js';
import type { HttpDeps } from '../../../deps.js';
import { type AnalyticsFilterQuery, analyticsFilterProperties, analyticsQuery, countsJson, countsSchema } from '../../../schemas/analytics.js';
import { authErrors, errorRef, iso } from '../../../schemas/common.js';

type Query = AnalyticsFilterQuery & { interval: 'hour' | 'day'; tz: string };

export function getTimeseriesRoute(app: FastifyInstance, deps: HttpDeps): void {
  app.get<{ Querystring: Query }>(
    '/v1/analytics/timeseries',
    {
      schema: {
        summary: 'The summary counts per hour or per day (days in `tz`), non-empty buckets only',
        tags: ['analytics'],
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            ...analyticsFilterProperties,
            interval: { type: 'string', enum: ['hour', 'day'], default: 'day' },
            tz: { type: 'string', minLength: 1, maxLength: 64, default: 'UTC' },
          },
        },
        response: {
          200: {
            type: 'object',
            required: ['object', 'interval', 'tz', 'data'],
            properties: {
              object: { type: 'string', const: 'list' },
              interval: { type: 'string' },
              tz: { type: 'string' },
              data: {
                type: 'array',
                items: {
                  type: 'object',
                  required: ['start', ...countsSchema.required],
                  properties: { start: { type: 'string', format: 'date-time' }, ...countsSchema.properties },
                },
              },
            },
          },
          ...authErrors,
          422: errorRef,
        },
      },
    },
    async (request) => {
      const { interval, tz, ...filters } = request.query;
      const rows = await deps.analytics.timeseries(requireKey(request).projectId, analyticsQuery(filters), interval, tz);
      return { object: 'list', interval, tz, data: rows.map((r) => ({ start: iso(r.start), ...countsJson(r) })) };
    },
  );
}
