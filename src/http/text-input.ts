import type { FastifyInstance } from 'fastify';
import { findUnstorableText } from '../core/text.js';
import { ApiError } from './errors.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The route reads its input as opaque bytes (signed tokens): no text rule applies. */
    opaqueInput?: boolean;
  }
}

/**
 * One rule for every text field and filter, on both backends: a NUL or an unpaired surrogate is
 * refused with 422 naming the field, before validation and before anything is stored or queried.
 */
export function installTextRule(app: FastifyInstance): void {
  app.addHook('preValidation', async (request) => {
    if (request.routeOptions.config.opaqueInput) return;
    // Only what the route declares it reads: input it ignores is never stored or queried.
    const schema = request.routeOptions.schema ?? {};
    const found =
      (schema.params ? findUnstorableText(request.params, 'params') : null) ??
      (schema.querystring ? findUnstorableText(request.query, 'query') : null) ??
      (schema.body ? findUnstorableText(request.body, 'body') : null);
    if (found) throw new ApiError('validation_failed', `${found.path} ${found.problem}`);
  });
}
