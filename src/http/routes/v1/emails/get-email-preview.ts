import type { FastifyInstance } from 'fastify';
import { requireKey } from '../../../auth.js';
import type { HttpDeps } from '../../../deps.js';
import { ApiError } from '../../../errors.js';
import { authErrors, errorRef, idParams } from '../../../schemas/common.js';

/**
 * The preview's own document policy: no script at all (sandboxed even when opened directly),
 * the message's inline styles and remote images allowed, framed only by the dashboard.
 */
export const PREVIEW_CSP = [
  "default-src 'none'",
  "img-src https: http: data:",
  "style-src 'unsafe-inline' https: http:",
  "font-src https: http: data:",
  'sandbox',
  "frame-ancestors 'self'",
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');

export function getEmailPreviewRoute(app: FastifyInstance, deps: HttpDeps): void {
  app.get<{ Params: { id: string }; Querystring: { click_map: boolean } }>(
    '/v1/emails/:id/preview',
    {
      schema: {
        summary: 'The HTML part as a page to look at: its pixel never loads and its links record nothing; with click_map, each tracked link shows its clicks',
        tags: ['emails'],
        params: idParams,
        querystring: { type: 'object', additionalProperties: false, properties: { click_map: { type: 'boolean', default: false } } },
        response: {
          200: { description: 'the preview page', content: { 'text/html': { schema: { type: 'string' } } } },
          ...authErrors,
          404: { ...errorRef, description: 'no such email, or it has no HTML part' },
        },
      },
    },
    async (request, reply) => {
      const { projectId } = requireKey(request);
      const clickMap = request.query.click_map
        ? (await deps.analytics.links(projectId, { emailId: request.params.id })).map((l) => ({ index: l.linkIndex, clicks: l.clicks, uniqueClicks: l.uniqueClicks }))
        : undefined;
      const html = await deps.emails.preview(projectId, request.params.id, clickMap);
      if (html === null) throw new ApiError('not_found', 'this email has no HTML part');
      return reply
        .type('text/html; charset=utf-8')
        .header('content-security-policy', PREVIEW_CSP)
        .header('x-content-type-options', 'nosniff')
        .header('referrer-policy', 'no-referrer')
        .header('cache-control', 'no-store')
        .send(html);
    },
  );
}
