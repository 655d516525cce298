/**
 * Stable error codes a client can act on; they reach GraphQL clients as `extensions.code`.
 * Later issues add codes here (never rename one).
 */
export const ERROR_CODES = [
  'BAD_USER_INPUT',
  'NOT_FOUND',
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'INTERNAL_SERVER_ERROR',
  // Limits and protection (docs/limits.md).
  'QUERY_TOO_COMPLEX',
  'RATE_LIMITED',
  'QUERY_TIMEOUT',
  'BAD_REQUEST',
  'PAYLOAD_TOO_LARGE',
  // Answered before a request reaches the API's routes (Node's HTTP parser and timeouts).
  'REQUEST_HEADER_FIELDS_TOO_LARGE',
  'REQUEST_TIMEOUT',
  'PERSISTED_QUERY_NOT_FOUND',
  // The read audit could not record a read: nothing is served unrecorded (docs/access-and-audit.md).
  'SERVICE_UNAVAILABLE',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

/**
 * Finer, equally stable reasons beside a code, as `extensions.reason`, where a client must tell
 * one refusal from another: `CONSENT_REQUIRED` (FORBIDDEN) means the caller's role may read the
 * field but the data subject has not consented to it (see docs/consent.md). Add
 * reasons here; never rename one.
 */
export const ERROR_REASONS = ['CONSENT_REQUIRED', 'CONSENT_PURPOSE_MISMATCH', 'OUTSIDE_SCOPE'] as const;
export type ErrorReason = (typeof ERROR_REASONS)[number];

/** An error the domain raises on purpose; its message is safe to show to the caller. */
export class DomainError extends Error {
  override readonly name = 'DomainError';

  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: Record<string, unknown> = {},
    readonly reason?: ErrorReason,
  ) {
    super(message);
  }
}
