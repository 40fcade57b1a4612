import type { FastifyInstance } from 'fastify';
import { requireKey } from '../../../auth.js';
import type { HttpDeps } from '../../../deps.js';
import { authErrors, errorRef, idParams } from '../../../schemas/common.js';
import { domainView } from './view.js';

export function getDomainRoute(app: FastifyInstance, deps: HttpDeps): void {
  app.get<{ Params: { id: string } }>(
    '/v1/domains/:id',
    {
      schema: {
        summary: 'A domain: its status, each record with what was found, and every tracking host it has had',
        tags: ['domains'],
        params: idParams,
        response: { 200: { $ref: 'Domain#' }, ...authErrors, 404: errorRef, 422: errorRef },
      },
    },
    async (request) => {
      const { projectId } = requireKey(request);
      return domainView(await deps.domains.get(projectId, request.params.id), deps.domains.targetWarnings);
    },
  );
}
