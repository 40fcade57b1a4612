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

/** Every error answer's shape. */
export interface ErrorBody {
  error: { code: ErrorCode; message: string; retry_after?: number; [detail: string]: unknown };
}

export function errorBody(code: ErrorCode, message: string, extra: Record<string, unknown> = {}): ErrorBody {
  return { error: { ...extra, code, message } };
}
