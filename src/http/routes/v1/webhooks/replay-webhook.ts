import type { FastifyInstance } from 'fastify';
import { requireKey } from '../../../auth.js';
import type { HttpDeps } from '../../../deps.js';
import { authErrors, errorRef, idParams } from '../../../schemas/common.js';
import { MAX_REPLAY } from '../../../../services/webhooks.js';

export function replayWebhookRoute(app: FastifyInstance, deps: HttpDeps): void {
  app.post<{ Params: { id: string }; Body: { since: string } }>(
    '/v1/webhooks/:id/replay',
    {
      config: { role: 'admin' },
      schema: {
        summary: `Send again every email event since a time that the endpoint subscribes to (admin; at most ${MAX_REPLAY}, oldest first)`,
        tags: ['webhooks'],
        params: idParams,
        body: {
          type: 'object',
          required: ['since'],
          additionalProperties: false,
          properties: { since: { type: 'string', format: 'date-time' } },
        },
        response: { 202: { type: 'object', required: ['queued'], properties: { queued: { type: 'integer' } } }, ...authErrors, 404: errorRef, 422: errorRef },
      },
    },
    async (request, reply) => {
      const { projectId } = requireKey(request);
      const queued = await deps.webhooks.replay(projectId, request.params.id, Date.parse(request.body.since));
      return reply.status(202).send({ queued });
    },
  );
}
