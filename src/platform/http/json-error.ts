import type { ServerResponse } from 'node:http';
import type { Request } from 'express';
import { DomainError } from '../errors/domain-error';

/**
 * The one shape of every error answer of the hub, on GraphQL and on every other route (feeds,
 * exports, /metrics, the run dashboard): GraphQL's own, `{"errors":[{"message","extensions":{"code"}}]}`,
 * so a client reads one shape wherever it calls (docs/integrators.md#errors).
 */
export function errorBody(code: string, message: string, extensions: Record<string, unknown> = {}): { errors: { message: string; extensions: Record<string, unknown> }[] } {
  return { errors: [{ message, extensions: { code, ...extensions } }] };
}

/**
 * The line that ends an NDJSON stream (feeds, exports) which failed after its first byte: the same
 * shape, `{"errors":[{"message","extensions":{"code","requestId"}}]}`, and beside it, for sync jobs
 * written against the first format, `"error":{"code","message","requestId"}` (deprecated; see
 * docs/integrators.md#errors). One line, so a client testing either member sees the failure.
 */
export function ndjsonErrorLine(error: { code: string; message: string; requestId: string }): string {
  const { code, message, requestId } = error;
  return `${JSON.stringify({ ...errorBody(code, message, { requestId }), error: { code, message, requestId } })}\n`;
}

/**
 * Answers an error in that shape (before the first byte; after it, the connection is closed).
 * Written straight to the response, not through Express's `send` (which hashes every body for an
 * ETag an error never needs): a flooding client gets thousands of refusals a second, each on the
 * one event loop that serves everyone else. Headers set before (Retry-After) go with it.
 */
export function sendJsonError(res: ServerResponse, status: number, code: string, message: string, extensions: Record<string, unknown> = {}): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const body = Buffer.from(JSON.stringify(errorBody(code, message, extensions)));
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': body.length });
  res.end(body);
}

/**
 * A query parameter given at most once, as text: `limit=1&limit=2` (an array to Express) and
 * `limit[a]=1` (an object) are refused, not silently read as the default.
 */
export function queryText(req: Request, name: string): string | undefined {
  const value = req.query[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw new DomainError('BAD_USER_INPUT', `${name} is given once, as text`, { argument: name });
  return value;
}

/**
 * A whole number parameter between 1 and `max`, written as plain decimal digits: `1e3`, `0x10`,
 * `+5`, `-1`, `1.0`, ` 7` and numbers beyond `max` are refused (Number() would accept most of them).
 */
export function positiveIntParam(req: Request, name: string, fallback: number, max: number): number {
  const text = queryText(req, name);
  if (text === undefined) return fallback;
  const value = /^[1-9]\d{0,15}$/.test(text) ? Number(text) : NaN;
  if (!(value >= 1 && value <= max)) throw new DomainError('BAD_USER_INPUT', `${name} must be a whole number from 1 to ${max}, written in digits; got "${text.slice(0, 40)}"`, { argument: name });
  return value;
}
