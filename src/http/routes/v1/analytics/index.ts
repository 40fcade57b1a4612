import type { FastifyInstance } from 'fastify';
import type { HttpDeps } from '../../../deps.js';
import { getClientsRoute } from './get-clients.js';
import { getLinksRoute } from './get-links.js';
import { getSummaryRoute } from './get-summary.js';
import { getTimeseriesRoute } from './get-timeseries.js';

/** The analytics routes, registered with one line in app.ts. */
export function analyticsRoutes(app: FastifyInstance, deps: HttpDeps): void {
  getSummaryRoute(app, deps);
  getTimeseriesRoute(app, deps);
  getLinksRoute(app, deps);
  getClientsRoute(app, deps);
}
