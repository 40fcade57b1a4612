import type { RouteOptions } from 'fastify';
import { ERRORS, type ErrorCode } from '../core/errors.js';
import { errorRef } from './schemas/common.js';

type Responses = Record<string, unknown>;

/**
 * Adds to a route's documented answers the ones every route of its kind can give, so that the
 * OpenAPI document lists each status a route really answers: 401 and 403 behind authentication;
 * 422 wherever there is input (the text rule and the schemas); 400, 413 and 415 with a body.
 * Statuses and descriptions come from the error catalogue; a route's own description wins.
 */
export function documentCommonAnswers(route: RouteOptions): void {
  const schema = route.schema;
  if (schema === undefined || schema.hide) return;
  const config = (route.config ?? {}) as { public?: boolean; opaqueInput?: boolean };
  const codes: ErrorCode[] = [];
  if (!config.public) codes.push('unauthorized', 'forbidden');
  const hasInput = schema.body !== undefined || schema.querystring !== undefined || schema.params !== undefined;
  if (hasInput && !config.opaqueInput) codes.push('validation_failed');
  if (schema.body !== undefined) codes.push('invalid_json');
  if ((schema.params !== undefined && !config.opaqueInput) || schema.body !== undefined) codes.push('bad_request');
  if (schema.body !== undefined) codes.push('payload_too_large', 'unsupported_media_type');
  const responses = { ...((schema.response as Responses | undefined) ?? {}) };
  for (const [status, described] of Object.entries(byStatus(codes))) {
    if (!(status in responses) || responses[status] === errorRef) responses[status] = { ...errorRef, description: described };
  }
  schema.response = responses;
}

/** `code: meaning` of each code, joined per status. */
function byStatus(codes: ErrorCode[]): Record<number, string> {
  const out: Record<number, string> = {};
  for (const code of codes) {
    const { status, meaning } = ERRORS[code];
    const line = `${code}: ${meaning}`;
    out[status] = out[status] === undefined ? line : `${out[status]}; ${line}`;
  }
  return out;
}
