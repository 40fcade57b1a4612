import type { FastifyInstance } from 'fastify';
import type { HttpDeps } from '../../../deps.js';
import { createDomainRoute } from './create-domain.js';
import { deleteDomainRoute } from './delete-domain.js';
import { getDomainRoute } from './get-domain.js';
import { listDomainsRoute } from './list-domains.js';
import { updateDomainRoute } from './update-domain.js';
import { verifyDomainRoute } from './verify-domain.js';

export function domainRoutes(app: FastifyInstance, deps: HttpDeps): void {
  createDomainRoute(app, deps);
  listDomainsRoute(app, deps);
  getDomainRoute(app, deps);
  updateDomainRoute(app, deps);
  verifyDomainRoute(app, deps);
  deleteDomainRoute(app, deps);
}
