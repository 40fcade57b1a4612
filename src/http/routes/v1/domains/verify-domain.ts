import type { FastifyInstance } from 'fastify';
import { requireKey } from '../../../auth.js';
import type { HttpDeps } from '../../../deps.js';
import { authErrors, errorRef, idParams } from '../../../schemas/common.js';
import { domainView } from './view.js';

export function verifyDomainRoute(app: FastifyInstance, deps: HttpDeps): void {
  app.post<{ Params: { id: string } }>(
    '/v1/domains/:id/verify',
    {
      config: { role: 'admin' },
      schema: {
        summary: 'Start (or restart) verification and check every record now (admin); re-checks then run on their own',
        tags: ['domains'],
        params: idParams,
        response: { 200: { $ref: 'Domain#' }, ...authErrors, 404: errorRef, 422: errorRef },
      },
    },
    async (request) => {
      const { projectId } = requireKey(request);
      return domainView(await deps.domains.verify(projectId, request.params.id), deps.domains.targetWarnings);
    },
  );
}
