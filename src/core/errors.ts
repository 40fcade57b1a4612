/**
 * The one catalogue of error codes: each code's HTTP status and when it is used. Use cases raise
 * ServiceError with one of them, the HTTP edge answers with its status, and the OpenAPI document
 * lists them with their meaning.
 */
export const ERRORS = {
  invalid_json: { status: 400, meaning: 'the body is not valid JSON, is empty, or is not UTF-8' },
  bad_request: { status: 400, meaning: 'the request is malformed: a path that does not decode, a repeated Idempotency-Key header, another fault of the HTTP request' },
  unauthorized: { status: 401, meaning: 'no API key or session, or one that is not valid or has expired' },
  forbidden: { status: 403, meaning: "the key's role or sending domain may not do this, or a cookie-authenticated change came from elsewhere" },
  not_found: { status: 404, meaning: 'no such resource in this project, no such route, or a host Waymark does not serve' },
  method_not_allowed: { status: 405, meaning: 'the route does not take this method' },
  idempotency_conflict: { status: 409, meaning: 'the Idempotency-Key was already used with a different request body' },
  conflict: { status: 409, meaning: "the thing already exists, or the change would lock the project out (its last admin key)" },
  domain_in_use: { status: 409, meaning: 'deleting the domain would break the tracked links of mail already sent; repeat with force=true' },
  export_not_ready: { status: 409, meaning: 'the export is still running, or failed' },
  expired: { status: 410, meaning: 'the export is past its 7 days and its file is gone' },
  payload_too_large: { status: 413, meaning: 'the body is over WAYMARK_MAX_BODY_BYTES' },
  unsupported_media_type: { status: 415, meaning: 'the body is not application/json' },
  validation_failed: { status: 422, meaning: 'a field, query parameter or path parameter is invalid; the message names it' },
  rate_limited: { status: 429, meaning: 'allowed again later: retry_after (and the Retry-After header) says when' },
  internal_error: { status: 500, meaning: 'an unexpected failure; the details are in the server log' },
  not_built: { status: 503, meaning: 'the dashboard was not built with this installation (npm run build)' },
} as const satisfies Record<string, { status: number; meaning: string }>;

export type ErrorCode = keyof typeof ERRORS;

/** The codes a use case may raise; the others belong to the HTTP edge (parsing, authentication, routing). */
export const SERVICE_ERROR_CODES = [
  'validation_failed',
  'forbidden',
  'not_found',
  'idempotency_conflict',
  'conflict',
  'rate_limited',
  'domain_in_use',
] as const satisfies readonly ErrorCode[];

export type ServiceErrorCode = (typeof SERVICE_ERROR_CODES)[number];

export interface ServiceErrorExtra {
  /** Seconds until the request may be repeated (rate_limited). */
  retryAfter?: number;
  /** Machine-readable facts about the failure, returned beside code and message. */
  details?: Record<string, unknown>;
}

export interface ServiceErrorOptions extends ServiceErrorExtra {
  /** The input field at fault, in the API's own name. */
  field?: string;
}

/** A failure a use case reports to its caller; each edge gives it its own form (HTTP status, exit code). */
export class ServiceError extends Error {
  readonly field: string | undefined;
  readonly extra: ServiceErrorExtra;
  constructor(
    readonly code: ServiceErrorCode,
    message: string,
    { field, ...extra }: ServiceErrorOptions = {},
  ) {
    super(message);
    this.field = field;
    this.extra = extra;
  }
}
