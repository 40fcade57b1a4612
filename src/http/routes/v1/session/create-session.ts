import type { FastifyInstance } from 'fastify';
import { keyForSecret } from '../../../auth.js';
import type { HttpDeps } from '../../../deps.js';
import { ApiError } from '../../../errors.js';
import { apiKeyJson } from '../../../schemas/api-key.js';
import { errorRef, iso } from '../../../schemas/common.js';
import { SESSION_COOKIE, SESSION_TTL_MS, type SessionCodec, sameOrigin } from '../../../session.js';

export interface SessionRouteOptions {
  codec: SessionCodec;
  publicUrl: string;
  now: () => number;
}

export function createSessionRoute(app: FastifyInstance, deps: HttpDeps, options: SessionRouteOptions): void {
  app.post<{ Body: { key: string } }>(
    '/v1/session',
    {
      config: { public: true },
      schema: {
        summary: 'Sign in to the dashboard with an API key: sets an HttpOnly session cookie for 12 hours',
        tags: ['session'],
        security: [],
        body: {
          type: 'object',
          required: ['key'],
          additionalProperties: false,
          properties: { key: { type: 'string', minLength: 1, maxLength: 200 } },
        },
        response: {
          200: { type: 'object', required: ['api_key', 'expires_at'], properties: { api_key: { $ref: 'ApiKey#' }, expires_at: { type: 'string', format: 'date-time' } } },
          401: errorRef,
          403: { ...errorRef, description: 'a sending key, or a request from another origin' },
        },
      },
    },
    async (request, reply) => {
      if (!sameOrigin(request, options.publicUrl)) throw new ApiError('forbidden', 'sign in from the dashboard itself (Origin)');
      const key = await keyForSecret(deps.apiKeys, request.body.key);
      if (key.role === 'sending') throw new ApiError('forbidden', 'a sending key may only send email; sign in with an admin or member key');
      const now = options.now();
      const expiresAt = Math.min(now + SESSION_TTL_MS, key.expiresAt ?? Number.POSITIVE_INFINITY);
      void reply.setCookie(SESSION_COOKIE, options.codec.issue(key.id, expiresAt), {
        path: '/',
        httpOnly: true,
        sameSite: 'strict',
        secure: request.protocol === 'https',
        // Max-Age, not Expires: the browser counts from its own clock.
        maxAge: Math.floor((expiresAt - now) / 1000),
      });
      return { api_key: apiKeyJson(key), expires_at: iso(expiresAt) };
    },
  );
}
