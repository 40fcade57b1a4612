import type { FastifyInstance } from 'fastify';
import type { HttpDeps } from '../../../deps.js';
import { exportSchema } from '../../../schemas/export.js';
import { createExportRoute } from './create-export.js';
import { downloadExportRoute } from './download-export.js';
import { listExportsRoute } from './list-exports.js';

/** The CSV export routes, registered with one line in app.ts. */
export function exportRoutes(app: FastifyInstance, deps: HttpDeps): void {
  app.addSchema(exportSchema);
  createExportRoute(app, deps);
  listExportsRoute(app, deps);
  downloadExportRoute(app, deps);
}
