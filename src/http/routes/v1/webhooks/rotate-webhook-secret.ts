import type { FastifyInstance } from 'fastify';
import { requireKey } from '../../../auth.js';
import type { HttpDeps } from '../../../deps.js';
import { authErrors, errorRef, idParams } from '../../../schemas/common.js';
import { webhookSecretJson, webhookSecretSchema } from '../../../schemas/webhook.js';

/** Waymark's path, and the one Resend's API and SDK use. */
const PATHS = ['/v1/webhooks/:id/rotate-secret', '/v1/webhooks/:id/signing-secret/rotate'] as const;

export function rotateWebhookSecretRoute(app: FastifyInstance, deps: HttpDeps): void {
  for (const path of PATHS) {
    app.post<{ Params: { id: string } }>(
      path,
      {
        config: { role: 'admin' },
        schema: {
          summary: 'Make a new signing secret (admin), shown this once. For 24 h both secrets sign every delivery.',
          tags: ['webhooks'],
          params: idParams,
          response: {
            200: webhookSecretSchema,
            ...authErrors,
            404: errorRef,
            422: errorRef,
          },
        },
      },
      async (request) => {
        const { projectId } = requireKey(request);
        const endpoint = await deps.webhooks.rotateSecret(projectId, request.params.id);
        return webhookSecretJson(endpoint, deps.webhooks.now());
      },
    );
  }
}
