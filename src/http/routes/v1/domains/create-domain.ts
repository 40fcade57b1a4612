import type { FastifyInstance } from 'fastify';
import { requireKey } from '../../../auth.js';
import type { HttpDeps } from '../../../deps.js';
import { authErrors, errorRef } from '../../../schemas/common.js';
import { domainSettingsProperties } from '../../../schemas/domain.js';
import type { NewDomainInput } from '../../../../services/domains.js';
import { domainView } from './view.js';

export function createDomainRoute(app: FastifyInstance, deps: HttpDeps): void {
  app.post<{ Body: NewDomainInput }>(
    '/v1/domains',
    {
      config: { role: 'admin' },
      schema: {
        summary: 'Add a sending domain (admin): generates its DKIM key and lists the DNS records to add',
        tags: ['domains'],
        body: {
          type: 'object',
          required: ['name'],
          additionalProperties: false,
          properties: {
            name: { type: 'string', minLength: 1, maxLength: 300, description: 'a registrable domain or a subdomain of one; IDN allowed' },
            custom_return_path: { type: 'string', minLength: 1, maxLength: 100, description: 'return-path label (default "send"): bounces go to <label>.<name>' },
            ...domainSettingsProperties,
          },
        },
        response: { 201: { $ref: 'Domain#' }, ...authErrors, 409: errorRef, 422: errorRef },
      },
    },
    async (request, reply) => {
      const { projectId } = requireKey(request);
      return reply.status(201).send(domainView(await deps.domains.create(projectId, request.body), deps.domains.targetWarnings));
    },
  );
}
