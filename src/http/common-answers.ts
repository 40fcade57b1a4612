import type { RouteOptions } from 'fastify';
import { errorRef } from './schemas/common.js';

type Responses = Record<string, unknown>;

/**
 * Adds to a route's documented answers the ones every route of its kind can give, so that the
 * OpenAPI document lists each status a route really answers: 401 and 403 behind authentication;
 * 422 wherever there is input (the text rule and the schemas); 400, 413 and 415 with a body.
 */
export function documentCommonAnswers(route: RouteOptions): void {
  const schema = route.schema;
  if (schema === undefined || schema.hide) return;
  const config = (route.config ?? {}) as { public?: boolean; opaqueInput?: boolean };
  const responses = { ...((schema.response as Responses | undefined) ?? {}) };
  const add = (status: number, description: string) => {
    if (!(status in responses)) responses[status] = { ...errorRef, description };
  };
  if (!config.public) {
    add(401, 'no API key, or one that is not valid or has expired');
    add(403, "the key's role may not do this");
  }
  const hasInput = schema.body !== undefined || schema.querystring !== undefined || schema.params !== undefined;
  if (hasInput && !config.opaqueInput) add(422, 'a field is invalid (validation_failed names it)');
  if (schema.params !== undefined && !config.opaqueInput) add(400, 'the path is not valid percent-encoded UTF-8 (bad_request)');
  if (schema.body !== undefined) {
    add(400, 'the body is not valid JSON or not UTF-8 (invalid_json), or the path does not decode (bad_request)');
    add(413, 'the body is over WAYMARK_MAX_BODY_BYTES (payload_too_large)');
    add(415, 'the body is not application/json (unsupported_media_type)');
  }
  schema.response = responses;
}
