import type { FastifyInstance } from 'fastify';
import { requireKey } from '../../../auth.js';
import type { HttpDeps } from '../../../deps.js';
import { authErrors, errorRef } from '../../../schemas/common.js';
import { exportJson } from '../../../schemas/export.js';

export function createExportRoute(app: FastifyInstance, deps: HttpDeps): void {
  app.post<{ Body: { resource: string; filters?: Record<string, string> } }>(
    '/v1/exports',
    {
      config: { role: 'admin' },
      schema: {
        summary: 'Export a resource as CSV (admin): up to 1,000 rows inline, more as a background job (202)',
        tags: ['exports'],
        body: {
          type: 'object',
          required: ['resource'],
          additionalProperties: false,
          properties: {
            resource: { type: 'string', minLength: 1, maxLength: 64 },
            filters: { type: 'object', additionalProperties: { type: 'string' }, default: {}, description: 'per resource: since, until, type, email_id, endpoint_id, status' },
          },
        },
        response: {
          200: { description: 'the CSV itself, when it has at most 1,000 rows (X-Export-Id names the export)', content: { 'text/csv': { schema: { type: 'string' } } } },
          202: { $ref: 'Export#' },
          ...authErrors,
          422: errorRef,
        },
      },
    },
    async (request, reply) => {
      const key = requireKey(request);
      const result = await deps.exports.create(key.projectId, key.id, request.body.resource, request.body.filters ?? {});
      if (result.kind === 'background') return reply.status(202).send(exportJson(result.job));
      return reply
        .status(200)
        .header('content-type', 'text/csv; charset=utf-8; header=present')
        .header('content-disposition', `attachment; filename="${result.job.resource}-${result.job.id}.csv"`)
        .header('x-export-id', result.job.id)
        .send(result.csv);
    },
  );
}
