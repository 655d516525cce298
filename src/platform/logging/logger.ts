import { isatty } from 'node:tty';
import pino, { type Logger } from 'pino';
import pinoPretty from 'pino-pretty';

export type { Logger };

/** `auto`: human-readable lines on a terminal, JSON lines otherwise (files, pipes, log collectors). */
export type LogFormat = 'auto' | 'json' | 'pretty';
export const LOG_FORMATS: readonly LogFormat[] = ['auto', 'json', 'pretty'];

export interface LogOutput {
  format?: LogFormat;
  /** 1: standard output (the hub's processes); 2: standard error (the CLI, whose results go to standard output). */
  fd?: 1 | 2;
}

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

/**
 * Structured logs. Each component gets a child logger carrying its name; request and run IDs are
 * added by the code that owns them (GraphQL context, ingestion run). JSON by default off a terminal;
 * on a terminal, pino-pretty prints one readable line per entry (time, level, component, message,
 * then the entry's fields), synchronously, so nothing is lost when the process exits.
 */
export function createRootLogger(level: string, destination?: pino.DestinationStream | LogOutput): Logger {
  const options = {
    level,
    serializers: { err: errSerializer },
    base: { service: 'i-industry-hub' },
    timestamp: pino.stdTimeFunctions.isoTime,
    // Every field of every line is bounded too: a client can put 400 KB in an operation name.
    formatters: { level: (label: string) => ({ level: label }), log: (object: Record<string, unknown>) => boundedForLog(object) as Record<string, unknown> },
  };
  // A destination stream is for tests that read what the hub logged: always JSON.
  if (destination && 'write' in destination) return pino(options, destination);
  const fd = destination?.fd ?? 1;
  const format = destination?.format ?? 'auto';
  const pretty = format === 'pretty' || (format === 'auto' && isatty(fd));
  if (!pretty) return fd === 1 ? pino(options) : pino(options, pino.destination({ fd, sync: true }));
  return pino(
    options,
    pinoPretty({
      destination: fd,
      sync: true,
      colorize: isatty(fd),
      translateTime: 'SYS:HH:MM:ss',
      ignore: 'pid,hostname,service,component,role',
      messageFormat: '{if component}{component}: {end}{msg}',
      singleLine: true,
    }),
  );
}

export function componentLogger(root: Logger, component: string): Logger {
  return root.child({ component });
}
