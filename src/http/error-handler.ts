import type { FastifyError, FastifyInstance } from 'fastify';
import { ServiceError } from '../services/service-errors.js';
import { ApiError, ERROR_STATUS, type ErrorCode, errorBody } from './errors.js';

const SERVICE_CODES: Record<ServiceError['code'], ErrorCode> = {
  validation_failed: 'validation_failed',
  forbidden: 'forbidden',
  not_found: 'not_found',
  idempotency_conflict: 'idempotency_conflict',
  conflict: 'conflict',
  rate_limited: 'rate_limited',
  domain_in_use: 'domain_in_use',
};

/** Every failure leaves as `{ error: { code, message } }` with its status; 5xx details stay in the log. */
export function installErrorHandlers(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError, request, reply) => {
    const { code, message } = classify(err);
    const status = ERROR_STATUS[code];
    if (status >= 500) request.log.error({ err }, 'request failed');
    const extra: Record<string, unknown> = {};
    if (err instanceof ServiceError) {
      Object.assign(extra, err.extra.details);
      if (err.extra.retryAfter !== undefined) {
        extra.retry_after = err.extra.retryAfter;
        void reply.header('retry-after', String(err.extra.retryAfter));
      }
    }
    void reply.status(status).header('cache-control', 'no-store').send(errorBody(code, message, extra));
  });
  app.setNotFoundHandler((request, reply) => {
    void reply.status(404).send(errorBody('not_found', `no route for ${request.method} ${request.url.split('?')[0]}`));
  });
}

function classify(err: FastifyError): { code: ErrorCode; message: string } {
  if (err instanceof ApiError) return { code: err.code, message: err.message };
  if (err instanceof ServiceError) return { code: SERVICE_CODES[err.code], message: err.message };
  if (err.validation) return { code: 'validation_failed', message: validationMessage(err) };
  switch (err.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return { code: 'payload_too_large', message: 'request body is too large' };
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return { code: 'unsupported_media_type', message: 'send the body as application/json' };
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return { code: 'invalid_json', message: 'the JSON body is empty' };
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return { code: 'invalid_json', message: 'the body is not valid JSON' };
  }
  if (err instanceof SyntaxError && err.statusCode === 400) return { code: 'invalid_json', message: 'the body is not valid JSON' };
  if (err.statusCode === 405) return { code: 'method_not_allowed', message: err.message };
  if (err.statusCode !== undefined && err.statusCode >= 400 && err.statusCode < 500) {
    return { code: 'bad_request', message: err.message };
  }
  return { code: 'internal_error', message: 'internal error' };
}

/** Ajv's first error, phrased with the field it concerns. */
function validationMessage(err: FastifyError): string {
  const first = err.validation?.[0];
  if (!first) return err.message;
  const where = `${err.validationContext ?? 'body'}${first.instancePath.replace(/\//g, '.')}`;
  const params = first.params as Record<string, unknown>;
  if (first.keyword === 'additionalProperties') return `unknown field "${String(params.additionalProperty)}" in ${where}`;
  if (first.keyword === 'required') return `missing required field "${String(params.missingProperty)}" in ${where}`;
  return `${where} ${first.message ?? 'is invalid'}`;
}
