import pino, { type Logger } from 'pino';

export type { Logger };

/**
 * Structured JSON logs on standard output. Each component gets a child logger carrying its name;
 * request and run IDs are added by the code that owns them (GraphQL context, ingestion run).
 */
export function createRootLogger(level: string): Logger {
  return pino({
    level,
    base: { service: 'i-industry-hub' },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
  });
}

export function componentLogger(root: Logger, component: string): Logger {
  return root.child({ component });
}
