/** What every simulated agency's routes share: the route shape, JSON replies, query validation. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { z } from 'zod';
import type { SimulatorOptions } from './simulator-options';

export interface RouteContext {
  req: IncomingMessage;
  res: ServerResponse;
  query: URLSearchParams;
  /** Server options with this request's overrides (seed, scale, quirkRate, badRowRate) applied. */
  options: SimulatorOptions;
}

export interface Route {
  path: string;
  description: string;
  handle(context: RouteContext): Promise<void> | void;
}

/** A query the route cannot serve; answered with 400. */
export class BadRequestError extends Error {
  constructor(readonly issues: string[]) {
    super(`bad query: ${issues.join('; ')}`);
  }
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

export function parseQuery<S extends z.ZodType>(schema: S, query: URLSearchParams): z.output<S> {
  const result = schema.safeParse(Object.fromEntries(query));
  if (!result.success) throw new BadRequestError(result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`));
  return result.data;
}
