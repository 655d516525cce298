import { randomBytes } from 'node:crypto';
import { startHub, type RunningHub } from '../../src/app/hub';
import { loadHubConfig } from '../../src/app/config';
import { IngestionRunRepository } from '../../src/ingestion/ingestion-run.repository';
import { createRootLogger } from '../../src/platform/logging/logger';
import { startSimulator, type RunningSimulator } from '../../src/simulator/simulator';
import { HubProcess, NO_SCHEDULES } from '../support/hub-process';
import { describeWithRedisServer, RedisServer } from '../support/redis-server';
import { createTestDatabase, type TestDatabase } from '../support/test-database';
import { until } from '../support/until';

/**
 * Issue 19: Redis restarted during a run. A worker process takes four jobs from BullMQ on a Redis
 * server of the test's own (append-only file, as docker-compose.yml runs it); while the first, a
 * DIW load and an OIE load whose feeds start slowly, are running and the others wait, Redis is
 * restarted. No job is
 * lost, none runs twice, every one ends succeeded once Redis is back, and the worker keeps running.
 */
describeWithRedisServer('Redis restarted during a run', () => {
  const logger = createRootLogger('silent');
  const cleanups: (() => Promise<unknown>)[] = [];
  let redis: RedisServer;
  let database: TestDatabase;
  let simulator: RunningSimulator;

  beforeAll(async () => {
    redis = await RedisServer.start();
    cleanups.push(() => redis.destroy());
    database = await createTestDatabase();
    cleanups.push(() => database.drop());
    simulator = await startSimulator({ port: 0, host: '127.0.0.1', seed: 3, scale: 1000, quirkRate: 0.02, badRowRate: 0 });
    cleanups.push(() => simulator.close());
  });
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  });

  test('no job is lost or run twice, and the runs complete once Redis is back', async () => {
    const env = {
      DATABASE_URL: database.url,
      REDIS_URL: redis.url,
      QUEUE_PREFIX: `iihrr_${randomBytes(4).toString('hex')}`,
      PORT: '0',
      SIMULATOR_URL: simulator.url,
      // The DIW feed waits 4 s before its first byte: the run is surely in flight during the restart.
      DIW_FEED_URL: `${simulator.url}/diw/factories.csv?fault=slow&delayMs=4000`,
      // So does the OIE feed: the worker's two slots are busy and the bank products wait in Redis.
      OIE_MPI_FEED_URL: `${simulator.url}/oie/mpi.csv?fault=slow&delayMs=4000`,
      INGEST_ON_START: 'false',
      INGEST_ATTEMPTS: '3',
      INGEST_BACKOFF_MS: '500',
      LOG_LEVEL: 'silent',
      ...NO_SCHEDULES,
    };
    const api: RunningHub = await startHub(loadHubConfig(env), 'api', logger);
    cleanups.push(() => api.stop());
    const worker = await HubProcess.start('worker', { ...env, LOG_LEVEL: 'info' });
    cleanups.push(() => worker.stop('SIGKILL'));
    const runs = new IngestionRunRepository(api.database.dataSource);

    const sources = ['diw', 'oie-mpi', 'smed-products', 'exim-products'];
    const jobs: Awaited<ReturnType<typeof api.ingestionQueue.enqueue>>[] = [];
    for (const source of sources) jobs.push(await api.ingestionQueue.enqueue(source, 'manual'));
    await until('the DIW run to be in flight', async () => ((await runs.findByJobId(String(jobs[0]!.id))).some((run) => run.status === 'running') ? true : undefined), 20_000);

    // Down for a second and a half, as a restart of a real server takes; then back with its append-only file.
    const restartedAt = new Date();
    await redis.stop();
    await new Promise((resolve) => setTimeout(resolve, 1500));
    await redis.start();

    const finished = await until('every job to end', async () => {
      if (!worker.alive) throw new Error(`the worker exited: ${worker.output}`);
      const all = await Promise.all(jobs.map(async (job) => ({ source: job.data.source, runs: await runs.findByJobId(String(job.id)) })));
      return all.every((job) => job.runs.some((run) => run.status !== 'running')) ? all : undefined;
    }, 60_000, 250);
    // One run per job, succeeded: none lost, none doubled, none retried.
    expect(finished.map((job) => [job.source, job.runs.map((run) => run.status)])).toEqual(sources.map((source) => [source, ['succeeded']]));
    expect((await runs.findByJobId(String(jobs[0]!.id)))[0]).toMatchObject({ rowsRead: 200, rowsInserted: 200 });
    // The bank products were still waiting in Redis when it went down: they survived the restart.
    for (const job of finished.slice(2)) expect(job.runs[0]!.startedAt.getTime()).toBeGreaterThan(restartedAt.getTime());
    // And the queue, on the restarted Redis, agrees: every job completed, none failed or waiting.
    await until('the queue to record the completions', async () => {
      const counts = await api.ingestionQueue.queue.getJobCounts('completed', 'failed', 'waiting', 'active', 'delayed');
      return counts['completed'] === jobs.length ? counts : undefined;
    }, 20_000, 200);
    expect(await api.ingestionQueue.queue.getJobCounts('failed', 'waiting', 'active')).toEqual({ failed: 0, waiting: 0, active: 0 });
    // What is delayed is each source's next scheduled run, one per source: the schedules survived too.
    const delayed = await api.ingestionQueue.queue.getDelayed();
    expect(delayed.every((job) => job.repeatJobKey !== undefined)).toBe(true);
    expect(new Set(delayed.map((job) => job.data.source)).size).toBe(delayed.length);
    // Nothing the worker did twice: one run record per job in the whole log.
    const [logged] = await api.database.dataSource.query<{ count: number }[]>('SELECT count(*)::int AS count FROM ingestion.run');
    expect(logged!.count).toBe(jobs.length);
    expect(worker.alive).toBe(true);
    // The outage is one structured warning and one line when Redis is back, not a stack per retry.
    expect(worker.output.match(/Redis unreachable/g)?.length).toBe(1);
    expect(worker.output).toContain('Redis reachable again');
  }, 120_000);
});
