import { ERRORS, type ErrorCode } from '../../core/errors.js';

export const errorSchema = {
  $id: 'Error',
  type: 'object',
  required: ['error', 'name', 'message', 'statusCode'],
  properties: {
    name: { type: 'string', description: "Resend's name for the error where it has one (validation_error, invalid_api_key, restricted_api_key, invalid_idempotent_request, rate_limit_exceeded, application_error), otherwise error.code" },
    message: { type: 'string', description: 'error.message again' },
    statusCode: { type: 'integer', description: 'the HTTP status' },
    error: {
      type: 'object',
      required: ['code', 'message'],
      // Some errors carry facts of their own beside code and message; they must not be dropped.
      additionalProperties: true,
      properties: {
        code: {
          type: 'string',
          enum: Object.keys(ERRORS) as ErrorCode[],
          description: Object.entries(ERRORS)
            .map(([code, { status, meaning }]) => `- ${code} (${status}): ${meaning}`)
            .join('\n'),
        },
        message: { type: 'string' },
        retry_after: { type: 'integer', description: 'rate_limited: seconds until the request may be repeated (also the Retry-After header)' },
        emails_with_broken_links: { type: 'integer', description: 'domain_in_use: emails whose tracked links deleting the domain would break' },
      },
    },
  },
} as const;

export const errorRef = { $ref: 'Error#' } as const;

/** Error responses every authenticated route can give. */
export const authErrors = { 401: errorRef, 403: errorRef } as const;

export const idParams = {
  type: 'object',
  required: ['id'],
  additionalProperties: false,
  properties: { id: { type: 'string', format: 'uuid' } },
} as const;

export const pageQueryProperties = {
  limit: { type: 'integer', minimum: 1, maximum: 100, default: 20 },
  after: { type: 'string', format: 'uuid', description: 'id of the last item of the previous page' },
} as const;

export interface PageQuery {
  limit: number;
  after?: string;
}

export function listSchema(itemRef: string) {
  return {
    type: 'object',
    required: ['object', 'data', 'has_more', 'next_cursor'],
    properties: {
      object: { type: 'string', const: 'list' },
      data: { type: 'array', items: { $ref: `${itemRef}#` } },
      has_more: { type: 'boolean' },
      next_cursor: { type: ['string', 'null'], description: 'pass as `after` for the next page' },
    },
  } as const;
}

/** Fetches one item more than asked, to know whether another page exists. */
export async function paginate<T>(
  page: PageQuery,
  fetch: (limit: number, after?: string) => Promise<T[]>,
  cursorOf: (item: T) => string = (item) => (item as { id: string }).id,
): Promise<{ items: T[]; hasMore: boolean; nextCursor: string | null }> {
  const rows = await fetch(page.limit + 1, page.after);
  const hasMore = rows.length > page.limit;
  const items = hasMore ? rows.slice(0, page.limit) : rows;
  return { items, hasMore, nextCursor: hasMore ? cursorOf(items[items.length - 1]!) : null };
}

export { isoTime as iso } from '../../core/time.js';
