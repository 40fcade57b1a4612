/** Failures a use case reports to its caller; each edge maps them to its own form (HTTP status, exit code). */
export type ServiceErrorCode =
  | 'validation_failed'
  /** The caller's key may not do this. */
  | 'forbidden'
  | 'not_found'
  | 'idempotency_conflict'
  /** The thing already exists (a domain name). */
  | 'conflict'
  /** Allowed again after `retryAfter` seconds. */
  | 'rate_limited'
  /** Deleting would break links in mail already sent; needs force. */
  | 'domain_in_use';

export interface ServiceErrorExtra {
  /** Seconds until the request may be repeated (rate_limited). */
  retryAfter?: number;
  /** Machine-readable facts about the failure, returned beside code and message. */
  details?: Record<string, unknown>;
}

export class ServiceError extends Error {
  constructor(
    readonly code: ServiceErrorCode,
    message: string,
    readonly field?: string,
    readonly extra: ServiceErrorExtra = {},
  ) {
    super(message);
  }
}
