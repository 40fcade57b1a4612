import type { FastifyInstance } from 'fastify';
import { requireKey } from '../../../auth.js';
import type { HttpDeps } from '../../../deps.js';
import { ApiError } from '../../../errors.js';
import { authErrors, errorRef, idParams } from '../../../schemas/common.js';

export function downloadExportRoute(app: FastifyInstance, deps: HttpDeps): void {
  app.get<{ Params: { id: string } }>(
    '/v1/exports/:id/download',
    {
      config: { role: 'admin' },
      schema: {
        summary: 'Download an export as CSV (admin), for 7 days; 410 expired after that',
        tags: ['exports'],
        params: idParams,
        response: {
          200: { description: 'the CSV', content: { 'text/csv': { schema: { type: 'string' } } } },
          ...authErrors,
          404: errorRef,
          409: errorRef,
          410: errorRef,
          422: errorRef,
        },
      },
    },
    async (request, reply) => {
      const result = await deps.exports.download(requireKey(request).projectId, request.params.id);
      if (result.kind === 'expired') throw new ApiError('expired', 'this export expired: exports can be downloaded for 7 days');
      if (result.kind === 'not_ready') {
        throw new ApiError('export_not_ready', `this export is ${result.job.status}, not ready to download`);
      }
      return reply
        .header('content-type', 'text/csv; charset=utf-8; header=present')
        .header('content-length', String(result.size))
        .header('content-disposition', `attachment; filename="${result.job.resource}-${result.job.id}.csv"`)
        .send(result.stream);
    },
  );
}
