import type { FastifyInstance } from 'fastify';
import { requireKey } from '../../../auth.js';
import type { HttpDeps } from '../../../deps.js';
import { authErrors, errorRef, idParams } from '../../../schemas/common.js';

export function getEmailRawRoute(app: FastifyInstance, deps: HttpDeps): void {
  app.get<{ Params: { id: string } }>(
    '/v1/emails/:id/raw',
    {
      schema: {
        summary: 'The email as an RFC 5322 message (.eml), exactly as composed for delivery',
        tags: ['emails'],
        params: idParams,
        // Per status: only the message is message/rfc822; the errors are JSON like every other.
        response: { 200: { description: 'the message', content: { 'message/rfc822': { schema: { type: 'string' } } } }, ...authErrors, 404: errorRef },
      },
    },
    async (request, reply) => {
      const raw = await deps.emails.raw(requireKey(request).projectId, request.params.id);
      return reply.type('message/rfc822').send(raw);
    },
  );
}
