import type { FastifyInstance } from 'fastify';
import { requireKey } from '../../../auth.js';
import type { HttpDeps } from '../../../deps.js';
import { type AnalyticsFilterQuery, analyticsFilterProperties, analyticsQuery } from '../../../schemas/analytics.js';
import { authErrors, errorRef } from '../../../schemas/common.js';
import type { NamedOpens } from '../../../../services/analytics.js';

const named = {
  type: 'array',
  items: {
    type: 'object',
    required: ['name', 'opens', 'human_opens', 'machine_opens'],
    properties: { name: { type: 'string' }, opens: { type: 'integer' }, human_opens: { type: 'integer' }, machine_opens: { type: 'integer' } },
  },
} as const;

export function getClientsRoute(app: FastifyInstance, deps: HttpDeps): void {
  app.get<{ Querystring: AnalyticsFilterQuery }>(
    '/v1/analytics/clients',
    {
      schema: {
        summary: 'Opens by email client, device type and OS, parsed from the user agents',
        tags: ['analytics'],
        querystring: { type: 'object', additionalProperties: false, properties: analyticsFilterProperties },
        response: {
          200: {
            type: 'object',
            required: ['opens', 'human_opens', 'machine_opens', 'clients', 'devices', 'os'],
            properties: {
              opens: { type: 'integer' },
              human_opens: { type: 'integer', description: "opens labelled a person's" },
              machine_opens: { type: 'integer', description: "opens labelled a machine's" },
              clients: named,
              devices: named,
              os: named,
            },
          },
          ...authErrors,
          422: errorRef,
        },
      },
    },
    async (request) => {
      const c = await deps.analytics.clients(requireKey(request).projectId, analyticsQuery(request.query));
      const named = (list: NamedOpens[]) => list.map((n) => ({ name: n.name, opens: n.opens, human_opens: n.humanOpens, machine_opens: n.opens - n.humanOpens }));
      return {
        opens: c.opens,
        human_opens: c.humanOpens,
        machine_opens: c.opens - c.humanOpens,
        clients: named(c.clients),
        devices: named(c.devices),
        os: named(c.os),
      };
    },
  );
}
