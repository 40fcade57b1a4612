/** Failures a use case reports to its caller; each edge maps them to its own form (HTTP status, exit code). */
export type ServiceErrorCode = 'validation_failed' | 'not_found' | 'idempotency_conflict';

export class ServiceError extends Error {
  constructor(
    readonly code: ServiceErrorCode,
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}
