import { randomBytes } from 'node:crypto';
import { startHub, type RunningHub } from '../../src/app/hub';
import { type ConfigEnv, type HubConfig } from '../../src/config/config';
import { loadHubConfig } from '../../src/app/config';
import { IngestionQueue } from '../../src/ingestion/ingestion.queue';
import { IngestionRunRepository } from '../../src/ingestion/ingestion-run.repository';
import { createRootLogger, type Logger } from '../../src/platform/logging/logger';
import { startSimulator, type SimulatorOptions } from '../../src/simulator/simulator';
import { startFeedSwitch, type FeedSwitch } from './feed-switch';
import { migratedTemplate } from './template-database';
import { createTestDatabase, redisTestUrl, type TestDatabase } from './test-database';

/**
 * Starts the whole hub in-process (API, worker) against a fresh database of the test server, its
 * own queue prefix, and its own agency simulator, for integration and browser tests.
 */
export type TestRole = 'admin' | 'ministry' | 'analyst' | 'bank';

export interface TestHubOptions {
  /** Queue backend: PostgreSQL (default) or Redis (needs TEST_REDIS_URL). */
  queue?: 'postgres' | 'redis';
  /** Firms in the simulated world (default 1500: 300 factories). */
  scale?: number;
  /** Quirk and bad-row rates of the simulator (default 0.05 and 0.01: more than real feeds). */
  simulator?: Partial<Pick<SimulatorOptions, 'quirkRate' | 'badRowRate' | 'seed'>>;
  /** Extra configuration variables. */
  env?: ConfigEnv;
  /** The hub's logger (default: the hub's own, at TEST_LOG_LEVEL or silent); tests that read logs pass one. */
  logger?: Logger;
  /**
   * The database to run on (default: a copy of the migrated template: the hub's own migration run
   * then finds nothing to do); `stop()` drops it unless `keepDatabase`.
   */
  database?: TestDatabase;
  keepDatabase?: boolean;
  /** The queue's prefix (default: a fresh one); a copy of a loaded database keeps its queue's. */
  queuePrefix?: string;
}

export interface TestHub {
  /** e.g. http://127.0.0.1:41234 */
  baseUrl: string;
  /** baseUrl + '/graphql' */
  graphqlUrl: string;
  /** Base URL of this hub's agency simulator. */
  simulatorUrl: string;
  /** What the simulator serves (for ground truth). */
  simulatorOptions: SimulatorOptions;
  /** Every source's feed goes through this switch: `feed.set('fault=http500')` breaks the next runs. */
  feed: FeedSwitch;
  hub: RunningHub;
  /** The hub's configuration (a second API process on the same database and queue starts from it). */
  config: HubConfig;
  database: TestDatabase;
  /** Creates a client with the role and returns its API key (for `Authorization: Bearer <key>`). */
  createApiKey(role: TestRole, bankCode?: 'SMED' | 'EXIM'): Promise<string>;
  /** One key per kind of caller: admin, ministry, analyst, and each partner bank. */
  createApiKeys(): Promise<{ admin: string; ministry: string; analyst: string; smed: string; exim: string }>;
  /** Runs a source now through the queue and resolves with the finished run's id and status. */
  ingestNow(source: string, options?: { full?: boolean }): Promise<{ runId: string; status: string }>;
  /** POSTs a GraphQL request with the key. */
  graphql<T = unknown>(query: string, variables?: Record<string, unknown>, key?: string): Promise<{ status: number; body: GraphQLBody<T> }>;
  /** The same, expecting no error: returns `data`. */
  graphqlData<T = unknown>(query: string, variables?: Record<string, unknown>, key?: string): Promise<T>;
  /** Runs SQL on the hub's database (tests compare the API's answers with it). */
  sql<T = Record<string, unknown>>(text: string, params?: unknown[]): Promise<T[]>;
  stop(): Promise<void>;
}

export interface GraphQLBody<T> {
  data?: T;
  errors?: { message: string; extensions?: { code?: string } & Record<string, unknown>; path?: string[] }[];
}

/** The world a test hub's simulator serves unless a test asks for another. */
export const DEFAULT_WORLD = { scale: 1500, simulator: { seed: 7, quirkRate: 0.05, badRowRate: 0.01 } } as const;

export async function startTestHub(options: TestHubOptions = {}): Promise<TestHub> {
  const database = options.database ?? (await createTestDatabase({ template: await migratedTemplate() }));
  const dropDatabase = async (): Promise<void> => {
    if (!options.keepDatabase) await database.drop();
  };
  const scale = options.scale ?? DEFAULT_WORLD.scale;
  const simulatorOptions: SimulatorOptions = { ...DEFAULT_WORLD.simulator, scale, ...options.simulator };
  const simulator = await startSimulator({ ...simulatorOptions, port: 0, host: '127.0.0.1' });
  const feed = await startFeedSwitch(simulator.url);
  const redisUrl = options.queue === 'redis' ? redisTestUrl() : undefined;
  if (options.queue === 'redis' && !redisUrl) throw new Error('a Redis test hub needs TEST_REDIS_URL');
  const config = loadHubConfig({
    DATABASE_URL: database.url,
    REDIS_URL: redisUrl,
    QUEUE_PREFIX: options.queuePrefix ?? `iiht_${randomBytes(4).toString('hex')}`,
    PORT: '0',
    SIMULATOR_IN_PROCESS: 'false',
    // Every source's default URL is on the simulator's host and port: point them at the switch.
    SIMULATOR_HOST: '127.0.0.1',
    SIMULATOR_PORT: new URL(feed.url).port,
    INGEST_ON_START: 'false',
    INGEST_ATTEMPTS: '1',
    INGEST_BACKOFF_MS: '100',
    FEED_TIMEOUT_MS: '10000',
    // Its default (every 15 minutes) would fire inside test runs; tests run the source themselves.
    CONSENT_REGISTRY_SCHEDULE: '0 0 1 1 *',
    LOG_LEVEL: process.env['TEST_LOG_LEVEL'] ?? 'silent',
    ...options.env,
  });
  let hub: Awaited<ReturnType<typeof startHub>>;
  try {
    hub = await startHub(config, 'all', options.logger ?? createRootLogger(config.logLevel));
  } catch (error) {
    // A hub that failed to start (a migration failing, say) must not leave servers that keep jest running.
    await feed.close();
    await simulator.close();
    await dropDatabase().catch(() => undefined);
    throw error;
  }
  const baseUrl = hub.apiUrl!;
  const events = hub.queueBackend.createQueueEvents('ingestion');
  await events.waitUntilReady();

  const createApiKey = async (role: TestRole, bankCode?: 'SMED' | 'EXIM'): Promise<string> => (await hub.services.clients.create({ name: `test-${role}`, role, bankCode })).key;
  const graphql = async <T>(query: string, variables?: Record<string, unknown>, key?: string) => {
    const response = await fetch(`${baseUrl}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) },
      body: JSON.stringify({ query, variables }),
    });
    return { status: response.status, body: (await response.json()) as GraphQLBody<T> };
  };
  return {
    baseUrl,
    graphqlUrl: `${baseUrl}/graphql`,
    simulatorUrl: simulator.url,
    simulatorOptions,
    feed,
    hub,
    config,
    database,
    createApiKey,
    createApiKeys: async () => {
      const [admin, ministry, analyst, smed, exim] = await Promise.all([
        createApiKey('admin'),
        createApiKey('ministry'),
        createApiKey('analyst'),
        createApiKey('bank', 'SMED'),
        createApiKey('bank', 'EXIM'),
      ]);
      return { admin, ministry, analyst, smed, exim };
    },
    ingestNow: async (source, ingestOptions) => {
      const job = await hub.ingestionQueue.enqueue(source, 'manual', ingestOptions);
      await IngestionQueue.waitFor(job, events, 60_000).catch(() => undefined);
      const runs = await new IngestionRunRepository(hub.database.dataSource).findByJobId(String(job.id));
      const run = runs.at(-1);
      if (!run) throw new Error(`job ${job.id} finished without a run record`);
      return { runId: run.id, status: run.status };
    },
    graphql,
    graphqlData: async <T>(query: string, variables: Record<string, unknown> = {}, key?: string): Promise<T> => {
      const { body } = await graphql<T>(query, variables, key);
      expect(body.errors).toBeUndefined();
      return body.data!;
    },
    sql: <T>(text: string, params: unknown[] = []): Promise<T[]> => hub.database.dataSource.query(text, params),
    stop: async () => {
      await events.close();
      await hub.stop();
      await feed.close();
      await simulator.close();
      await dropDatabase();
    },
  };
}
