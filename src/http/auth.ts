import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ApiKey, ApiKeyRole } from '../core/model.js';
import type { Clock } from '../ports/clock.js';
import type { ApiKeyService, Authentication } from '../services/api-keys.js';
import { ApiError } from './errors.js';
import { SESSION_COOKIE, type SessionCodec, sameOrigin } from './session.js';

declare module 'fastify' {
  interface FastifyRequest {
    apiKey: ApiKey | null;
  }
  interface FastifyContextConfig {
    /** The role a route needs; member by default (a sending key is refused). */
    role?: Exclude<ApiKeyRole, 'sending'>;
    /** A sending key may call this route too. */
    sending?: boolean;
    /** Public routes (tracking, health) skip authentication. */
    public?: boolean;
  }
}

export interface SessionAuth {
  codec: SessionCodec;
  publicUrl: string;
  clock: Clock;
}

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * Authentication for every route not marked public: a Bearer key, or else the dashboard's session
 * cookie (whose writes must come from the dashboard's own origin). 401 without a valid key, 403
 * for a role that may not call the route.
 */
export function installAuth(app: FastifyInstance, keys: ApiKeyService, sessions: SessionAuth): void {
  app.decorateRequest('apiKey', null);
  app.addHook('onRequest', async (request) => {
    const config = request.routeOptions.config;
    // The API lives under /v1/; the rest is the dashboard's public assets.
    if (config.public || !request.routeOptions.url?.startsWith('/v1/')) return;
    const key = await authenticate(request, keys, sessions);
    if (key.role === 'sending' && !config.sending) throw new ApiError('forbidden', 'a sending key may only send email (POST /v1/emails)');
    if (config.role === 'admin' && key.role !== 'admin') throw new ApiError('forbidden', 'this route needs an admin key');
    request.apiKey = key;
  });
}

const SESSION_ENDED = 'the session has ended: sign in again';

/** The request's key, from its Bearer header or else its session cookie; 401 (or 403) otherwise. */
async function authenticate(request: FastifyRequest, keys: ApiKeyService, sessions: SessionAuth): Promise<ApiKey> {
  const header = request.headers.authorization;
  const cookie = request.cookies[SESSION_COOKIE];
  if (header === undefined && cookie !== undefined) {
    const keyId = sessions.codec.read(cookie, sessions.clock.now());
    if (keyId === null) throw new ApiError('unauthorized', SESSION_ENDED);
    if (UNSAFE.has(request.method) && !sameOrigin(request, sessions.publicUrl)) {
      throw new ApiError('forbidden', 'a cookie-authenticated change must come from the dashboard itself (Origin)');
    }
    return admitted(await keys.authenticateById(keyId), SESSION_ENDED);
  }
  const match = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
  if (!match) throw new ApiError('unauthorized', 'send an API key as "Authorization: Bearer <key>"');
  return keyForSecret(keys, match[1]!);
}

/** The key a secret names, or the 401 that says why not (the dashboard's sign-in uses it too). */
export async function keyForSecret(keys: ApiKeyService, secret: string): Promise<ApiKey> {
  return admitted(await keys.authenticate(secret), 'the API key is not valid');
}

function admitted(auth: Authentication, unknownMessage: string): ApiKey {
  if (auth.ok) return auth.key;
  throw new ApiError('unauthorized', auth.reason === 'expired' ? 'the API key has expired' : unknownMessage);
}

export function requireKey(request: FastifyRequest): ApiKey {
  if (!request.apiKey) throw new ApiError('unauthorized', 'send an API key as "Authorization: Bearer <key>"');
  return request.apiKey;
}
