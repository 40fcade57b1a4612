import type { FastifyError, FastifyInstance } from 'fastify';
import { ERRORS, type ErrorCode, ServiceError } from '../core/errors.js';
import { ApiError, errorBody } from './errors.js';

/** Every failure leaves as `{ error: { code, message } }` with its status; 5xx details stay in the log. */
export function installErrorHandlers(app: FastifyInstance, bodyLimitBytes: number): void {
  app.setErrorHandler((err: FastifyError, request, reply) => {
    const { code, message } = classify(err, bodyLimitBytes);
    const status = ERRORS[code].status;
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
}

export function tooLargeMessage(bodyLimitBytes: number): string {
  return `request body is too large (at most ${bodyLimitBytes} bytes)`;
}

function classify(err: FastifyError, bodyLimitBytes: number): { code: ErrorCode; message: string } {
  if (err instanceof ApiError) return { code: err.code, message: err.message };
  if (err instanceof ServiceError) return { code: err.code, message: err.message };
  if (err.validation) return { code: 'validation_failed', message: validationMessage(err) };
  switch (err.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return { code: 'payload_too_large', message: tooLargeMessage(bodyLimitBytes) };
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

type AjvError = NonNullable<FastifyError['validation']>[number];

/** What a field's list holds, for "at most 50 recipients". */
const ITEM_NOUNS: Record<string, string> = { to: 'recipients', cc: 'recipients', bcc: 'recipients', reply_to: 'recipients', tags: 'tags', events: 'event types' };
const FORMATS: Record<string, string> = {
  'date-time': 'an ISO 8601 date-time such as 2026-01-31T12:00:00Z',
  date: 'a date such as 2026-01-31',
  uuid: 'a UUID',
  email: 'an email address',
  uri: 'a URL',
};
const GENERIC = new Set(['type', 'anyOf', 'oneOf']);

/**
 * Ajv's errors phrased as one sentence about the field they concern. Of an `anyOf` (a string or a
 * list), the branch that got furthest speaks: "at most 50 recipients" rather than "must be string".
 */
function validationMessage(err: FastifyError): string {
  const errors = err.validation ?? [];
  if (errors.length === 0) return err.message;
  const depth = (e: AjvError) => (e.instancePath === '' ? 0 : e.instancePath.split('/').length);
  const deepest = Math.max(...errors.map(depth));
  const atDeepest = errors.filter((e) => depth(e) === deepest);
  const specific = atDeepest.find((e) => !GENERIC.has(e.keyword));
  const where = (e: AjvError) => `${err.validationContext ?? 'body'}${e.instancePath.replace(/\//g, '.')}`;
  if (specific === undefined) {
    const types = [...new Set(atDeepest.filter((e) => e.keyword === 'type').map((e) => String((e.params as { type: unknown }).type)))];
    if (types.length > 0) return `${where(atDeepest[0]!)} must be ${types.map(article).join(' or ')}`;
    return `${where(atDeepest[0]!)} ${atDeepest[0]!.message ?? 'is invalid'}`;
  }
  return phrase(specific, where(specific));
}

function phrase(e: AjvError, where: string): string {
  const params = e.params as Record<string, unknown>;
  const field = e.instancePath.split('/').pop() ?? '';
  switch (e.keyword) {
    case 'additionalProperties':
      return `unknown field "${String(params.additionalProperty)}" in ${where}`;
    case 'required':
      return `missing required field "${String(params.missingProperty)}" in ${where}`;
    case 'enum':
      return `${where} must be one of: ${(params.allowedValues as unknown[]).map((v) => (v === null ? 'null' : String(v))).join(', ')}`;
    case 'const':
      return `${where} must be ${JSON.stringify(params.allowedValue)}`;
    case 'maxItems':
      return `${where} must have at most ${String(params.limit)} ${ITEM_NOUNS[field] ?? 'items'}`;
    case 'minItems':
      return `${where} must have at least ${String(params.limit)} ${ITEM_NOUNS[field] ?? 'items'}`;
    case 'maxProperties':
      return `${where} must have at most ${String(params.limit)} entries`;
    case 'maxLength':
      return `${where} must be at most ${String(params.limit)} characters long`;
    case 'minLength':
      return Number(params.limit) === 1 ? `${where} must not be empty` : `${where} must be at least ${String(params.limit)} characters long`;
    case 'format':
      return `${where} must be ${FORMATS[String(params.format)] ?? `in the ${String(params.format)} format`}`;
    case 'type':
      return `${where} must be ${article(String(params.type))}`;
    default:
      return `${where} ${e.message ?? 'is invalid'}`;
  }
}

function article(type: string): string {
  switch (type) {
    case 'array':
      return 'an array';
    case 'object':
      return 'an object';
    case 'integer':
      return 'an integer';
    default:
      return `a ${type.replace(/,/g, ' or ')}`;
  }
}
