/**
 * Whether an error means the database cannot be reached right now (down, restarting, refusing
 * connections, the connection cut), as opposed to a bad statement: the API answers the first
 * SERVICE_UNAVAILABLE (HTTP 503, Retry-After) and keeps running, and serves again on its own once
 * the pool reconnects. TypeORM wraps driver errors (`driverError`); node-postgres raises Node's
 * socket errors and its own messages for a connection that ended.
 */
const SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);
// admin_shutdown, crash_shutdown, cannot_connect_now (starting up, shutting down, in recovery), too many connections.
const SERVER_CODES = new Set(['57P01', '57P02', '57P03', '53300']);
const CONNECTION_MESSAGES = /Connection terminated|connection timeout|timeout exceeded when trying to connect|Client has encountered a connection error|Connection refused/i;

export function isDatabaseUnavailable(error: unknown, depth = 0): boolean {
  if (!error || typeof error !== 'object' || depth > 4) return false;
  const { code, message, driverError, cause, errors } = error as { code?: unknown; message?: unknown; driverError?: unknown; cause?: unknown; errors?: unknown };
  if (typeof code === 'string' && (SOCKET_CODES.has(code) || SERVER_CODES.has(code) || code.startsWith('08'))) return true;
  if (typeof message === 'string' && CONNECTION_MESSAGES.test(message)) return true;
  // AggregateError (a host name resolving to several addresses, each refused).
  if (Array.isArray(errors) && errors.some((inner) => isDatabaseUnavailable(inner, depth + 1))) return true;
  return isDatabaseUnavailable(driverError, depth + 1) || isDatabaseUnavailable(cause, depth + 1);
}

/** The message clients get: what happened and what to do, never the driver's text. */
export const DATABASE_UNAVAILABLE_MESSAGE = 'The database is not reachable right now. Retry in a few seconds.';
/** Seconds a client is asked to wait (Retry-After). */
export const DATABASE_RETRY_AFTER_SECONDS = 5;
