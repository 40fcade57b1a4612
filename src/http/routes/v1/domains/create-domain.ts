import type { FastifyInstance } from 'fastify';
import { requireKey } from '../../../auth.js';
import type { HttpDeps } from '../../../deps.js';
import { authErrors, errorRef } from '../../../schemas/common.js';
import { domainSettingsProperties } from '../../../schemas/domain.js';
import type { DomainTlsMode } from '../../../../core/model.js';
import type { NewDomainInput } from '../../../../services/domains.js';
import { domainView } from './view.js';

interface CreateDomainBody {
  name: string;
  custom_return_path?: string;
  open_tracking?: boolean;
  click_tracking?: boolean;
  trap_link?: boolean;
  aggregate_only?: boolean;
  tls?: DomainTlsMode;
}

export function createDomainRoute(app: FastifyInstance, deps: HttpDeps): void {
  app.post<{ Body: CreateDomainBody }>(
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
      const body = request.body;
      const input: NewDomainInput = {
        name: body.name,
        returnPath: body.custom_return_path,
        openTracking: body.open_tracking,
        clickTracking: body.click_tracking,
        trapLink: body.trap_link,
        aggregateOnly: body.aggregate_only,
        tls: body.tls,
      };
      return reply.status(201).send(domainView(await deps.domains.create(projectId, input), deps.domains.targetWarnings));
    },
  );
}
