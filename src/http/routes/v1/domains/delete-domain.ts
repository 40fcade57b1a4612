import type { FastifyInstance } from 'fastify';
import { requireKey } from '../../../auth.js';
import type { HttpDeps } from '../../../deps.js';
import { authErrors, errorRef, idParams } from '../../../schemas/common.js';

export function deleteDomainRoute(app: FastifyInstance, deps: HttpDeps): void {
  app.delete<{ Params: { id: string }; Querystring: { force: boolean } }>(
    '/v1/domains/:id',
    {
      config: { role: 'admin' },
      schema: {
        summary:
          'Delete a domain (admin). Its tracking hosts then answer 404, so if they carried links in the last 90 days this needs ?force=true (409 without it, saying how many emails)',
        tags: ['domains'],
        params: idParams,
        querystring: { type: 'object', additionalProperties: false, properties: { force: { type: 'boolean', default: false } } },
        response: {
          200: {
            type: 'object',
            properties: {
              id: { type: 'string' },
              object: { type: 'string', const: 'domain' },
              deleted: { type: 'boolean', const: true },
              emails_with_broken_links: { type: 'integer', description: 'emails whose tracked links and pixel stopped working' },
            },
          },
          ...authErrors,
          404: errorRef,
          409: errorRef,
          422: errorRef,
        },
      },
    },
    async (request) => {
      const { projectId } = requireKey(request);
      const result = await deps.domains.remove(projectId, request.params.id, request.query.force);
      return { id: request.params.id.toLowerCase(), object: 'domain', deleted: true, emails_with_broken_links: result.emailsWithBrokenLinks };
    },
  );
}
