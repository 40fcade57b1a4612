import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { ERRORS } from '../core/errors.js';
import { errorBody } from './errors.js';

/** Where `npm ci` (vite build) puts the dashboard: `dist/web`, from `src/http` and `dist/http` alike. */
export const WEB_ROOT = fileURLToPath(new URL('../../dist/web/', import.meta.url));

/**
 * The dashboard's pages: no inline script or style, nothing from elsewhere, never framed. Email
 * previews are a separate document with their own policy (see the preview route).
 */
export const DASHBOARD_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "frame-src 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "object-src 'none'",
].join('; ');

const SECURITY_HEADERS = {
  'content-security-policy': DASHBOARD_CSP,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
};

/** Serves the dashboard at `/`: its hashed assets, and index.html for every page path outside /v1/. */
export async function installDashboard(app: FastifyInstance): Promise<void> {
  const built = existsSync(`${WEB_ROOT}index.html`);
  if (built) {
    await app.register(fastifyStatic, {
      root: WEB_ROOT,
      prefix: '/',
      wildcard: false,
      index: false,
      setHeaders(res, path) {
        for (const [name, value] of Object.entries(SECURITY_HEADERS)) res.setHeader(name, value);
        res.setHeader('cache-control', /\/assets\//.test(path) ? 'public, max-age=31536000, immutable' : 'no-cache');
      },
    });
  }
  const page = (reply: FastifyReply) => {
    if (!built) {
      return reply.status(ERRORS.not_built.status).send(errorBody('not_built', 'the dashboard is not built: run npm run build'));
    }
    return reply.headers(SECURITY_HEADERS).header('cache-control', 'no-cache').sendFile('index.html');
  };
  app.get('/', { config: { public: true }, schema: { hide: true } }, (_request, reply) => page(reply));
  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0]!;
    if (request.method === 'GET' && !path.startsWith('/v1/') && path !== '/healthz' && !/\.[a-z0-9]+$/i.test(path)) return page(reply);
    return reply.status(ERRORS.not_found.status).send(errorBody('not_found', `no route for ${request.method} ${path}`));
  });
}
