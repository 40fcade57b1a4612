import type { FastifyInstance } from 'fastify';
import type { TrackingHandler } from '../../../tracking-handler.js';

const tokenParams = {
  type: 'object',
  required: ['token'],
  properties: { token: { type: 'string', description: 'signed tracking token' } },
} as const;

export function trackingRoutes(app: FastifyInstance, handler: TrackingHandler): void {
  app.get<{ Params: { token: string } }>(
    '/v1/track/open/:token',
    {
      config: { public: true, opaqueInput: true },
      schema: {
        summary: 'Open pixel: always 200 with a 43-byte GIF, never cached; records an open for a valid token',
        tags: ['tracking'],
        params: tokenParams,
        produces: ['image/gif'],
        response: { 200: { description: '1×1 transparent GIF', type: 'string' } },
      },
    },
    async (request, reply) => {
      reply.hijack();
      await handler.open(request.raw, reply.raw, request.params.token);
    },
  );
  app.get<{ Params: { token: string } }>(
    '/v1/track/click/:token',
    {
      config: { public: true, opaqueInput: true },
      schema: {
        summary: 'Tracked link: records the click, then 302 to the destination signed into the token',
        tags: ['tracking'],
        params: tokenParams,
        response: { 302: { description: 'redirect to the original URL', type: 'null' }, 404: { description: 'unknown or forged token', type: 'string' } },
      },
    },
    async (request, reply) => {
      reply.hijack();
      await handler.click(request.raw, reply.raw, request.params.token);
    },
  );
}
