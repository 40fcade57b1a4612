import type { FastifyInstance } from 'fastify';
import { requireKey } from '../../../auth.js';
import type { HttpDeps } from '../../../deps.js';
import { authErrors, errorRef, idParams } from '../../../schemas/common.js';
import { domainSettingsProperties } from '../../../schemas/domain.js';
import type { DomainTlsMode } from '../../../../core/model.js';
import type { DomainPatchInput } from '../../../../services/domains.js';
import { domainView } from './view.js';

interface UpdateDomainBody {
  open_tracking?: boolean;
  click_tracking?: boolean;
  trap_link?: boolean;
  aggregate_only?: boolean;
  tls?: DomainTlsMode;
  tracking_subdomain?: string | null;
}

export function updateDomainRoute(app: FastifyInstance, deps: HttpDeps): void {
  app.patch<{ Params: { id: string }; Body: UpdateDomainBody }>(
    '/v1/domains/:id',
    {
      config: { role: 'admin' },
      schema: {
        summary:
          'Change tracking settings or the tracking subdomain (admin). The subdomain can change once per 24 h (429 sooner) and never be removed; new emails use a new one once it is verified',
        tags: ['domains'],
        params: idParams,
        body: {
          type: 'object',
          additionalProperties: false,
          minProperties: 1,
          properties: {
            ...domainSettingsProperties,
            tracking_subdomain: { type: ['string', 'null'], maxLength: 63, description: 'one label, e.g. "links" for links.<name>' },
          },
        },
        response: { 200: { $ref: 'Domain#' }, ...authErrors, 404: errorRef, 422: errorRef, 429: errorRef },
      },
    },
    async (request) => {
      const { projectId } = requireKey(request);
      const body = request.body;
      const patch: DomainPatchInput = {
        openTracking: body.open_tracking,
        clickTracking: body.click_tracking,
        trapLink: body.trap_link,
        aggregateOnly: body.aggregate_only,
        tls: body.tls,
        trackingSubdomain: body.tracking_subdomain,
      };
      return domainView(await deps.domains.update(projectId, request.params.id, patch), deps.domains.targetWarnings);
    },
  );
}
