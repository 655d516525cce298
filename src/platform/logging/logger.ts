import pino, { type Logger } from 'pino';

export type { Logger };

/**
 * Structured JSON logs on standard output. Each component gets a child logger carrying its name;
 * request and run IDs are added by the code that owns them (GraphQL context, ingestion run).
 */
/** Longest text a log line keeps of any one value (SQL statements can be megabytes). */
export const MAX_LOGGED_TEXT = 4096;
const MAX_LOGGED_ITEMS = 20;

/** A copy of a value small enough to log: texts cut, arrays and objects shortened, depth bounded. */
export function boundedForLog(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return value.length > MAX_LOGGED_TEXT ? `${value.slice(0, MAX_LOGGED_TEXT)}… (${value.length} characters)` : value;
  if (value === null || typeof value !== 'object') return value;
  if (depth >= 4) return '[…]';
  if (Array.isArray(value)) {
    const items = value.slice(0, MAX_LOGGED_ITEMS).map((item) => boundedForLog(item, depth + 1));
    return value.length > MAX_LOGGED_ITEMS ? [...items, `… (${value.length} items)`] : items;
  }
  const entries = Object.entries(value as Record<string, unknown>);
  const copy: Record<string, unknown> = {};
  for (const [key, inner] of entries.slice(0, 50)) copy[key] = boundedForLog(inner, depth + 1);
  return copy;
}

/** pino's error serializer, bounded: a failed statement's SQL and parameters are cut to a few KB. */
const errSerializer = (error: unknown): unknown => boundedForLog(pino.stdSerializers.err(error as Error));

export function createRootLogger(level: string, destination?: pino.DestinationStream): Logger {
  const options = {
    level,
    serializers: { err: errSerializer },
    base: { service: 'i-industry-hub' },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label: string) => ({ level: label }) },
  };
  // A destination other than standard output is for tests that read what the hub logged.
  return destination ? pino(options, destination) : pino(options);
}

export function componentLogger(root: Logger, component: string): Logger {
  return root.child({ component });
}
