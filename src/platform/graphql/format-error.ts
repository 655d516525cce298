import { unwrapResolverError } from '@apollo/server/errors';
import type { GraphQLFormattedError } from 'graphql';
import { ArgumentValidationError } from 'type-graphql';
import { DATABASE_RETRY_AFTER_SECONDS, DATABASE_UNAVAILABLE_MESSAGE, isDatabaseUnavailable } from '../database/database-unavailable';
import { isQueryTimeout, QueryTimeoutError } from '../database/request-deadline';
import { DomainError } from '../errors/domain-error';
import { originalOf } from './input-errors';

/** Codes that are safe to pass to the caller as they are: the error was meant for them. */
const CLIENT_CODES = new Set([
  'BAD_USER_INPUT',
  'NOT_FOUND',
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_REQUEST',
  'OPERATION_RESOLUTION_FAILURE',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
  'QUERY_TOO_COMPLEX',
  'RATE_LIMITED',
  'QUERY_TIMEOUT',
  'PAYLOAD_TOO_LARGE',
]);

/** graphql-js's message when the parser stops at QUERY_MAX_TOKENS ("more that" is its spelling). */
const TOO_MANY_TOKENS = /Document contains more th(?:an|at) (\d+) tokens/;

/** The timeout behind an error: ours, or PostgreSQL's, possibly wrapped by TypeORM (`driverError`). */
export function timeoutOf(error: unknown): { code: string } | undefined {
  const original = unwrapResolverError(error);
  if (isQueryTimeout(original)) return original;
  const driverError = (original as { driverError?: unknown } | undefined)?.driverError;
  return isQueryTimeout(driverError) ? driverError : undefined;
}

const INTERNAL_MESSAGE = 'Internal error. Quote the x-request-id response header when reporting it.';

/**
 * An error Apollo raised for a bad request without naming a code (an automatic persisted query of
 * an unknown version, or whose hash does not match its text): its HTTP status says it is the caller's.
 */
function isApolloBadRequest(error: unknown): boolean {
  const extensions = (error as { extensions?: { code?: unknown; http?: { status?: unknown } } } | undefined)?.extensions;
  const status = extensions?.http?.status;
  return extensions?.code === undefined && typeof status === 'number' && status >= 400 && status < 500;
}

/** True when an error was raised for the caller (bad input, auth); false for our own failures. */
export function isClientError(error: unknown, code?: unknown): boolean {
  const original = unwrapResolverError(error);
  if (original instanceof DomainError || original instanceof ArgumentValidationError) return true;
  if (timeoutOf(error)) return true;
  if (isApolloBadRequest(original)) return true;
  const ownCode = (original as { extensions?: { code?: unknown } } | undefined)?.extensions?.code ?? code;
  return typeof ownCode === 'string' && CLIENT_CODES.has(ownCode);
}

/**
 * The one place that maps errors to GraphQL errors. Domain errors keep their code, their reason
 * when they have one (`extensions.reason`), their details and message; anything unexpected is
 * masked (the logging plugin has logged it with the request ID), so no stack trace or SQL ever
 * reaches a client.
 */
export function formatGraphQLError(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
  const original = unwrapResolverError(error);
  const base = { message: formatted.message, locations: formatted.locations, path: formatted.path };
  if (original instanceof DomainError) {
    // Details first: no detail can overwrite the code or the reason.
    const reason = original.reason === undefined ? {} : { reason: original.reason };
    return { ...base, message: original.message, extensions: { ...original.details, code: original.code, ...reason } };
  }
  const timeout = timeoutOf(error);
  if (timeout) {
    const limit = timeout instanceof QueryTimeoutError ? { which: timeout.which, limitMs: timeout.limitMs } : {};
    const message = timeout instanceof QueryTimeoutError ? timeout.message : 'A database statement of this request ran too long and was cancelled.';
    return { ...base, message, extensions: { code: 'QUERY_TIMEOUT', ...limit } };
  }
  // The database down or restarting: the caller should retry, and nothing internal leaks.
  if (isDatabaseUnavailable(original)) {
    return { ...base, message: DATABASE_UNAVAILABLE_MESSAGE, extensions: { code: 'SERVICE_UNAVAILABLE', retryAfterSeconds: DATABASE_RETRY_AFTER_SECONDS } };
  }
  const tokens = TOO_MANY_TOKENS.exec(formatted.message);
  if (tokens && formatted.extensions?.['code'] === 'GRAPHQL_PARSE_FAILED') {
    const limit = Number(tokens[1]);
    return { ...base, message: `The document has more than ${limit} tokens; parsing stopped there.`, extensions: { code: 'QUERY_TOO_COMPLEX', measure: 'tokens', limit } };
  }
  // An input scalar refused a literal during validation (src/domains/scalars.ts): the input was bad,
  // whatever graphql-js calls its phase; its message says why.
  const refused = originalOf(error);
  const phaseCode = formatted.extensions?.['code'];
  if (refused instanceof DomainError && (phaseCode === 'GRAPHQL_VALIDATION_FAILED' || phaseCode === 'BAD_USER_INPUT')) {
    const argument = formatted.extensions?.['argument'];
    const named = typeof argument === 'string' ? { argument } : {};
    return { ...base, message: typeof argument === 'string' ? `${argument}: ${refused.message}` : refused.message, extensions: { code: refused.code, ...named } };
  }
  if (original instanceof ArgumentValidationError) {
    return { ...base, message: 'Invalid argument value', extensions: { code: 'BAD_USER_INPUT' } };
  }
  if (isApolloBadRequest(original)) return { ...base, extensions: { code: 'BAD_REQUEST' } };
  if (isClientError(error, formatted.extensions?.['code'])) {
    const { stacktrace: _stacktrace, http: _http, ...extensions } = formatted.extensions ?? {};
    return { ...base, extensions };
  }
  return { ...base, message: INTERNAL_MESSAGE, extensions: { code: 'INTERNAL_SERVER_ERROR' } };
}
