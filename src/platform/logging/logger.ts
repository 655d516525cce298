import pino, { type Logger } from 'pino';

export type { Logger };

/**
 * Structured JSON logs on standard output. Each component gets a child logger carrying its name;
 * request and run IDs are added by the code that owns them (GraphQL context, ingestion run).
 */
export function createRootLogger(level: string, destination?: pino.DestinationStream): Logger {
  const options = {
    level,
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
