import { ERRORS, type ErrorCode } from '../core/errors.js';

/** An error the HTTP edge raises itself; its status comes from the catalogue in core/errors. */
export class ApiError extends Error {
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
    this.status = ERRORS[code].status;
  }
}

/**
 * Every error answer's shape: `error` holds the code, the message and any facts of the error. The
 * same message, the status and a name sit beside it for code written against Resend's API, which
 * reads `name`, `message` and `statusCode` at the top level.
 */
export interface ErrorBody {
  error: { code: ErrorCode; message: string; retry_after?: number; [detail: string]: unknown };
  name: string;
  message: string;
  statusCode: number;
}

/** Resend's name for an error where Resend has one that means the same; otherwise the code itself. */
const RESEND_NAMES: Partial<Record<ErrorCode, string>> = {
  invalid_json: 'validation_error',
  validation_failed: 'validation_error',
  unauthorized: 'invalid_api_key',
  forbidden: 'restricted_api_key',
  idempotency_conflict: 'invalid_idempotent_request',
  rate_limited: 'rate_limit_exceeded',
  internal_error: 'application_error',
};

export function errorBody(code: ErrorCode, message: string, extra: Record<string, unknown> = {}): ErrorBody {
  return { error: { ...extra, code, message }, name: RESEND_NAMES[code] ?? code, message, statusCode: ERRORS[code].status };
}
