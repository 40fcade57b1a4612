import type { FastifyInstance } from 'fastify';
import { requireKey } from '../../../auth.js';
import type { HttpDeps } from '../../../deps.js';
import { authErrors, errorRef, idParams } from '../../../schemas/common.js';
import { emailJson } from '../../../schemas/email.js';

export function getEmailRoute(app: FastifyInstance, deps: HttpDeps): void {
  app.get<{ Params: { id: string } }>(
    '/v1/emails/:id',
    {
      schema: {
        summary: 'Get an email as sent, with its tracking status',
        tags: ['emails'],
        params: idParams,
        response: { 200: { $ref: 'Email#' }, ...authErrors, 404: errorRef },
      },
    },
    async (request) => emailJson(await deps.emails.get(requireKey(request).projectId, request.params.id)),
  );
}
