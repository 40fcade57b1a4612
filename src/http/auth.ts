import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ApiKey, ApiKeyRole } from '../core/model.js';
import type { ApiKeyService } from '../services/api-keys.js';
import { ApiError } from './errors.js';

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

/** Bearer authentication for every route not marked public; 401 without a valid key, 403 for the wrong role. */
export function installAuth(app: FastifyInstance, keys: ApiKeyService): void {
  app.decorateRequest('apiKey', null);
  app.addHook('onRequest', async (request) => {
    const config = request.routeOptions.config;
    if (config.public || request.routeOptions.url === undefined) return;
    const header = request.headers.authorization;
    const match = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
    if (!match) throw new ApiError('unauthorized', 'send an API key as "Authorization: Bearer <key>"');
    const auth = await keys.authenticate(match[1]!);
    if (!auth.ok) throw new ApiError('unauthorized', auth.reason === 'expired' ? 'the API key has expired' : 'the API key is not valid');
    const { key } = auth;
    if (key.role === 'sending' && !config.sending) throw new ApiError('forbidden', 'a sending key may only send email (POST /v1/emails)');
    if (config.role === 'admin' && key.role !== 'admin') throw new ApiError('forbidden', 'this route needs an admin key');
    request.apiKey = key;
  });
}

export function requireKey(request: FastifyRequest): ApiKey {
  if (!request.apiKey) throw new ApiError('unauthorized', 'send an API key as "Authorization: Bearer <key>"');
  return request.apiKey;
}
