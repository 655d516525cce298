import {
  createPostgresBackend,
  Queue,
  QueueEvents,
  SchemaMigrationRequiredError,
  SchemaVersionMismatchError,
  Worker,
  type JobProgress,
  type Processor,
  type WorkerOptions,
} from 'bullmq';
import IORedis, { type Redis } from 'ioredis';
import type { EventEmitter } from 'node:events';
import type { Logger } from '../logging/logger';

// BullMQ types each class by its backend; callers of this module must not care which one runs,
// so the backend and connection type parameters are erased here.
/* eslint-disable @typescript-eslint/no-explicit-any */
export type HubQueue<Data> = Queue<Data, unknown, string, Data, unknown, string, any, any>;
export type HubWorker<Data> = Worker<Data, unknown, string, any, JobProgress, any>;
export type HubQueueEvents = QueueEvents<unknown, any, any>;
/* eslint-enable @typescript-eslint/no-explicit-any */

/**
 * Builds BullMQ queues, workers and queue-event listeners for either backend:
 * Redis (REDIS_URL set; the production shape) or BullMQ's PostgreSQL backend in the hub's own
 * database (the embedded default). Callers never see which one is in use.
 */
export interface QueueBackend {
  kind: 'redis' | 'postgres';
  createQueue<Data>(name: string): HubQueue<Data>;
  createWorker<Data>(name: string, processor: Processor<Data>, options?: WorkerTuning): HubWorker<Data>;
  createQueueEvents(name: string): HubQueueEvents;
  /** Closes the connections this backend opened itself (queues and workers are closed by their owners). */
  close(): Promise<void>;
}

export type WorkerTuning = Pick<WorkerOptions, 'concurrency' | 'lockDuration' | 'stalledInterval' | 'maxStalledCount'>;

export function createQueueBackend(options: {
  redisUrl: string | undefined;
  databaseUrl: string;
  prefix: string;
  logger: Logger;
}): QueueBackend {
  return options.redisUrl
    ? redisBackend(options.redisUrl, options.prefix, options.logger)
    : postgresBackend(options.databaseUrl, `${options.prefix}_queue`, options.logger);
}

function redisBackend(url: string, prefix: string, logger: Logger): QueueBackend {
  const log = logger.child({ component: 'queue' });
  const connections: Redis[] = [];
  // While Redis is away (restarting, say) every client reports every reconnection attempt; BullMQ
  // writes an error without a listener to the console. One warning per outage, one line when back.
  let down = false;
  const reportError = (error: Error): void => {
    if (down) return;
    down = true;
    log.warn({ err: error.message }, 'Redis unreachable: queued jobs wait in Redis, running ones keep their locks until it is back');
  };
  // BullMQ requires maxRetriesPerRequest: null on connections used for blocking commands.
  const connect = (): Redis => {
    const connection = new IORedis(url, { maxRetriesPerRequest: null, lazyConnect: false });
    connection.on('error', reportError);
    connection.on('ready', () => {
      if (!down) return;
      down = false;
      log.info('Redis reachable again');
    });
    connections.push(connection);
    return connection;
  };
  const listened = <T extends EventEmitter>(client: T): T => {
    client.on('error', reportError);
    return client;
  };
  const shared = connect();
  return {
    kind: 'redis',
    createQueue: <Data>(name: string) => listened(new Queue(name, { connection: shared, prefix })) as HubQueue<Data>,
    createWorker: <Data>(name: string, processor: Processor<Data>, workerOptions: WorkerTuning = {}) =>
      listened(new Worker(name, processor, { ...workerOptions, connection: connect(), prefix })) as HubWorker<Data>,
    createQueueEvents: (name) => listened(new QueueEvents(name, { connection: connect(), prefix })) as HubQueueEvents,
    close: async () => {
      await Promise.all(connections.map((c) => c.quit().catch(() => c.disconnect())));
    },
  };
}

function postgresBackend(connectionString: string, schema: string, logger: Logger): QueueBackend {
  // `migrate: true` creates BullMQ's tables on a fresh database; without it the backend retries
  // SchemaMigrationRequiredError forever.
  const connection = { connectionString, schema, migrate: true, max: 4 };
  const log = logger.child({ component: 'queue' });
  // Once its owner closes a client (or the whole backend), the connections it still had open end
  // when the database stops, each with an error event: expected, not worth a stack trace.
  let backendClosed = false;
  const guard = (client: { close(): Promise<void> }): void => {
    const emitter = client as unknown as EventEmitter;
    let clientClosed = false;
    const close = client.close.bind(client);
    client.close = () => {
      clientClosed = true;
      return close();
    };
    // A schema the backend cannot use will never heal by retrying: log it once, loudly, and stop.
    let reported = false;
    emitter.on('error', (error: Error) => {
      if (error instanceof SchemaMigrationRequiredError || error instanceof SchemaVersionMismatchError) {
        if (!reported) log.fatal({ err: error }, 'BullMQ PostgreSQL schema unusable; closing this queue client');
        reported = true;
        void client.close();
        return;
      }
      if (clientClosed || backendClosed) {
        log.debug({ err: error }, 'queue connection ended after its client closed');
        return;
      }
      // 57P01: the server is shutting down; one line says so, the stack adds nothing.
      if ((error as { code?: unknown }).code === ADMIN_SHUTDOWN) {
        log.warn({ code: ADMIN_SHUTDOWN }, 'queue connection ended: the database is shutting down');
        return;
      }
      log.error({ err: error }, 'queue error');
    });
  };
  return {
    kind: 'postgres',
    createQueue: (name: string) => {
      const queue = new Queue(name, { connection }, createPostgresBackend);
      guard(queue);
      return queue;
    },
    createWorker: <Data>(name: string, processor: Processor<Data>, workerOptions: WorkerTuning = {}) => {
      const worker = new Worker(name, processor as Processor, { ...workerOptions, connection }, createPostgresBackend);
      guard(worker);
      return worker;
    },
    createQueueEvents: (name) => {
      const events = new QueueEvents(name, { connection }, createPostgresBackend);
      guard(events);
      return events;
    },
    close: async () => {
      backendClosed = true;
    },
  };
}

/** PostgreSQL's SQLSTATE for "terminating connection due to administrator command". */
const ADMIN_SHUTDOWN = '57P01';
