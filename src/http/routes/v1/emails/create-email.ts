import type { FastifyInstance } from 'fastify';
import { requireKey } from '../../../auth.js';
import type { HttpDeps } from '../../../deps.js';
import { ApiError } from '../../../errors.js';
import { authErrors, errorRef } from '../../../schemas/common.js';
import { type SendEmailBody, sendEmailBody, sendEmailInput } from '../../../schemas/email.js';

export function createEmailRoute(app: FastifyInstance, deps: HttpDeps): void {
  app.post<{ Body: SendEmailBody; Headers: { 'idempotency-key'?: string } }>(
    '/v1/emails',
    {
      config: { sending: true },
      schema: {
        summary: 'Send an email',
        description:
          'Instruments the message (tracking is opt-in per email) and delivers it through the SMTP relay, or keeps it as `captured` when none is configured. Honours `Idempotency-Key`.',
        tags: ['emails'],
        body: sendEmailBody,
        headers: { type: 'object', properties: { 'idempotency-key': { type: 'string', minLength: 1, maxLength: 256 } } },
        response: {
          201: { type: 'object', required: ['id'], properties: { id: { type: 'string' } } },
          200: { type: 'object', required: ['id'], properties: { id: { type: 'string' } }, description: 'an Idempotency-Key replay' },
          ...authErrors,
          403: { ...errorRef, description: 'a sending key limited to another domain' },
          409: errorRef,
          413: errorRef,
          422: errorRef,
        },
      },
    },
    async (request, reply) => {
      const key = requireKey(request);
      const idempotencyKey = request.headers['idempotency-key'];
      if (Array.isArray(idempotencyKey)) throw new ApiError('bad_request', 'send one Idempotency-Key header');
      const result = await deps.emails.send(key.projectId, sendEmailInput(request.body), { idempotencyKey, onlyDomainId: key.domainId });
      return reply.status(result.replayed ? 200 : 201).send({ id: result.id });
    },
  );
}
