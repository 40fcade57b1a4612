import type { FastifyInstance } from 'fastify';
import type { HttpDeps } from '../../../deps.js';
import { ERRORS } from '../../../../core/errors.js';
import { errorBody } from '../../../errors.js';
import { errorRef } from '../../../schemas/common.js';

/**
 * Caddy's on-demand TLS asks here before it gets a certificate for a name: 200 for a tracking host
 * Waymark serves (verified now or before, domain not deleted), 404 for anything else, so nobody
 * can make the proxy request certificates for names that are not ours.
 */
export function tlsAskRoute(app: FastifyInstance, deps: HttpDeps): void {
  app.get<{ Querystring: { domain: string } }>(
    '/v1/tls/ask',
    {
      config: { public: true },
      schema: {
        summary: 'On-demand TLS check (public): 200 when Waymark serves tracking links on this host, 404 otherwise',
        tags: ['tls'],
        security: [],
        querystring: {
          type: 'object',
          required: ['domain'],
          properties: { domain: { type: 'string', minLength: 1, maxLength: 253 } },
        },
        response: {
          200: { type: 'object', properties: { domain: { type: 'string' }, serves: { type: 'boolean', const: true } } },
          404: { ...errorRef, description: 'Waymark does not serve tracking links on this host' },
        },
      },
    },
    async (request, reply) => {
      const host = request.query.domain.trim().toLowerCase().replace(/\.$/, '');
      if (await deps.trackingHosts.serves(host)) return reply.status(200).send({ domain: host, serves: true });
      return reply.status(ERRORS.not_found.status).send(errorBody('not_found', `Waymark does not serve ${host}`));
    },
  );
}
