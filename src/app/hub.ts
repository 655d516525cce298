import type { HubConfig } from '../config/config';
import { DailyEligibilityRecompute } from '../eligibility/daily-recompute';
import { createEligibilityWorker, ELIGIBILITY_QUEUE, upsertDailyRecomputeSchedule, type EligibilityJobData } from '../eligibility/eligibility.queue';
import { IngestionEngine } from '../ingestion/ingestion.engine';
import { createIngestionWorker, INGESTION_QUEUE, IngestionQueue, type IngestJobData } from '../ingestion/ingestion.queue';
import { IngestionRunRepository } from '../ingestion/ingestion-run.repository';
import { FirstLoads } from '../ingestion/first-loads';
import { openDatabase, openReadReplica, type Database, type ReadReplica } from '../platform/database/database';
import { buildHubSchema } from './api/schema';
import { GRAPHIQL_PATH, startApiServer, type ApiServer } from './api/api-server';
import type { Logger } from '../platform/logging/logger';
import { createQueueBackend, type HubQueue, type HubWorker, type QueueBackend } from '../platform/queue/queue-backend';
import { startSimulator } from '../simulator/simulator';
import { hubSources } from '../sources/registry';
import { createServices, servicesOnReplica, type HubServices } from './services';
import { ApiClientChangeListener } from '../access/api-client-changes';
import { ClientRateLimits, openRateLimitStore } from '../access/rate-limits';
import { SourceStatusService } from '../ingestion/source-status.service';
import { HubMetrics } from '../platform/metrics/metrics';
import { startMetricsServer } from '../platform/metrics/metrics-server';
import { registerHubMetrics } from './hub-metrics';
import { AlertMonitor } from './alerts';
import { readRoutingPlugin } from './read-routing';

/** `all` runs API, worker and (when enabled) the simulator in one process: the embedded default. */
export type HubRole = 'all' | 'api' | 'worker';
export const HUB_ROLES: readonly HubRole[] = ['all', 'api', 'worker'];

export interface RunningHub {
  role: HubRole;
  apiUrl: string | undefined;
  simulatorUrl: string | undefined;
  database: Database;
  /** The API's read replica (DATABASE_READ_URL), when one is configured. */
  readReplica: ReadReplica | undefined;
  queueBackend: QueueBackend;
  ingestionQueue: IngestionQueue;
  services: HubServices;
  /** The process's Prometheus registry (GET /metrics). */
  metrics: HubMetrics;
  /** The METRICS_PORT listener's URL, when one is configured. */
  metricsUrl: string | undefined;
  /** The alert monitor, in processes that run the worker. */
  alerts: AlertMonitor | undefined;
  stop(): Promise<void>;
}

/**
 * Starts the hub in the given role. Stopping is graceful: the HTTP server drains, the worker lets
 * its in-flight job finish (a job it cannot finish is rolled back and returned to the queue), then
 * the queue and database close.
 */
export async function startHub(config: HubConfig, role: HubRole, logger: Logger): Promise<RunningHub> {
  const closers: (() => Promise<void>)[] = [];
  const stopAll = async (): Promise<void> => {
    for (const close of closers.reverse()) {
      await close().catch((error: unknown) => logger.error({ err: error }, 'error while stopping'));
    }
  };
  try {
    let simulatorUrl: string | undefined;
    if (role === 'all' && config.simulator.inProcess) {
      const simulator = await startSimulator({ ...config.simulator });
      simulatorUrl = simulator.url;
      closers.push(() => simulator.close());
      logger.info({ url: simulator.url, scale: config.simulator.scale, seed: config.simulator.seed }, 'agency simulator started in-process');
    }

    const database = await openDatabase(config, logger, { migrate: true, owner: 'hub', applicationName: `i-industry-hub-${role}` });
    closers.push(() => database.close());

    const queueBackend = createQueueBackend({ redisUrl: config.redisUrl, databaseUrl: database.url, prefix: config.queuePrefix, logger });
    closers.push(() => queueBackend.close());
    const queue: HubQueue<IngestJobData> = queueBackend.createQueue<IngestJobData>(INGESTION_QUEUE);
    closers.push(() => queue.close());
    const sources = hubSources();
    const ingestionQueue = new IngestionQueue(queue, sources, config, logger.child({ component: 'scheduler' }));
    const services = createServices(database.dataSource, sources, config, ingestionQueue);
    logger.info({ queue: queueBackend.kind, database: config.databaseUrl ? 'DATABASE_URL' : 'embedded' }, 'storage ready');
    const eligibilityQueue = queueBackend.createQueue<EligibilityJobData>(ELIGIBILITY_QUEUE);
    closers.push(() => eligibilityQueue.close());

    const metrics = new HubMetrics(logger.child({ component: 'metrics' }));
    registerHubMetrics(metrics, {
      dataSource: database.dataSource,
      sourceStatus: new SourceStatusService(new IngestionRunRepository(database.dataSource), sources, config),
      queues: [
        { name: INGESTION_QUEUE, queue },
        { name: ELIGIBILITY_QUEUE, queue: eligibilityQueue },
      ],
    });
    let metricsUrl: string | undefined;
    if (config.metrics.port !== undefined) {
      const metricsServer = await startMetricsServer({ metrics, host: config.metrics.host, port: config.metrics.port, logger });
      metricsUrl = metricsServer.url;
      closers.push(() => metricsServer.close());
    }

    // /readyz answers 503 until every part of this role has started.
    let started = false;
    let api: ApiServer | undefined;
    let readReplica: ReadReplica | undefined;
    if (role === 'all' || role === 'api') {
      // Registry reads on a standby when one is configured (docs/scale-out.md); the rest on the primary.
      readReplica = await openReadReplica(config, database.dataSource, logger, `i-industry-hub-${role}`);
      const replica = readReplica;
      if (replica) closers.push(() => replica.close());
      const plugins = replica
        ? [readRoutingPlugin({ replica: servicesOnReplica(services, replica.dataSource, replica.reader, sources, config, ingestionQueue), monitor: replica.monitor, metrics })]
        : [];
      const keyChanges = ApiClientChangeListener.forDataSource(database.dataSource, logger.child({ component: 'api' }));
      await keyChanges.start();
      closers.push(() => keyChanges.stop());
      services.clients.useChangeListener(keyChanges);
      // Per-client budgets shared by every API process: Redis when REDIS_URL is set, else PostgreSQL.
      const rateLimitStore = openRateLimitStore({ redisUrl: config.redisUrl, databaseUrl: database.url });
      closers.push(() => rateLimitStore.close());
      const rateLimits = new ClientRateLimits(rateLimitStore.store, config.limits, logger.child({ component: 'rate-limits' }), config.queuePrefix);
      api = await startApiServer({
        limits: config.limits,
        rateLimits,
        schema: await buildHubSchema(),
        services,
        logger,
        host: config.host,
        port: config.port,
        eligibilityFeedBatchSize: config.eligibilityFeedBatchSize,
        graphqlExecutor: config.graphqlExecutor,
        readPlans: config.readPlans,
        metrics,
        dashboardQueues: [queue, eligibilityQueue],
        plugins,
        readiness: [
          {
            name: 'startup',
            check: async () => {
              if (!started) throw new Error('still starting');
            },
          },
          { name: 'database', check: async () => void (await database.dataSource.query('SELECT 1')) },
          { name: 'queue', check: async () => void (await queue.getJobCounts('waiting')) },
        ],
      });
      closers.push(() => api!.close());
    }

    let alerts: AlertMonitor | undefined;
    if (role === 'all' || role === 'worker') {
      const engine = new IngestionEngine(database.dataSource, sources, config, logger.child({ component: 'ingestion' }));
      let firstLoads: FirstLoads | undefined;
      // After the worker has stopped (closers run in reverse), a check it asked for ends before the queue closes.
      closers.push(async () => firstLoads?.settled());
      const worker: HubWorker<IngestJobData> = createIngestionWorker(queueBackend, engine, logger.child({ component: 'worker' }), { lockMs: config.workerLockMs });
      closers.push(() => worker.close());
      const schedules = await ingestionQueue.upsertSchedules();
      // Eligibility that changes with the date alone (years since registration), once a day.
      const recompute = new DailyEligibilityRecompute(database.dataSource, logger.child({ component: 'eligibility' }));
      const eligibilityWorker = createEligibilityWorker(queueBackend, recompute, logger.child({ component: 'worker' }), { lockMs: config.workerLockMs });
      closers.push(() => eligibilityWorker.close());
      await upsertDailyRecomputeSchedule(eligibilityQueue, { pattern: config.eligibilityRecomputeSchedule, tz: config.scheduleTimezone }, logger.child({ component: 'scheduler' }));
      schedules.push({ source: 'eligibility-recompute', pattern: config.eligibilityRecomputeSchedule });
      logger.child({ component: 'scheduler' }).info(
        { tz: config.scheduleTimezone, schedules: Object.fromEntries(schedules.map((s) => [s.source, s.pattern])) },
        `${schedules.length} schedules set (${config.scheduleTimezone}): ${schedules.map((s) => `${s.source} "${s.pattern}"`).join(', ')}`,
      );
      if (config.ingestOnStart) {
        // A fresh hub's first loads, registers first (each source's `after`); the rest as runs end.
        const loads = new FirstLoads(ingestionQueue, new IngestionRunRepository(database.dataSource), sources.ids(), logger.child({ component: 'scheduler' }));
        firstLoads = loads;
        worker.on('completed', () => loads.runEnded());
        worker.on('failed', () => loads.runEnded());
        await loads.start();
      }
      alerts = new AlertMonitor(database.dataSource, sources, config, logger.child({ component: 'alerts' }));
      alerts.start();
      const monitor = alerts;
      closers.push(() => monitor.stop());
    }

    // The banner is written before /readyz turns 200, so whoever waits for readiness finds it logged.
    if (api) {
      logger.info(
        { graphiql: `${api.url}${GRAPHIQL_PATH}`, graphql: `${api.url}/graphql` },
        `i-Industry Hub is up. GraphiQL: ${api.url}${GRAPHIQL_PATH} — get an API key with: npm run hub -- client:create --name <you> --role analyst`,
      );
    }
    started = true;
    return {
      role,
      apiUrl: api?.url,
      simulatorUrl,
      database,
      readReplica,
      queueBackend,
      ingestionQueue,
      services,
      metrics,
      metricsUrl,
      alerts,
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}
