import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { startHub, type RunningHub } from '../../src/app/hub';
import { loadHubConfig } from '../../src/app/config';
import type { ConfigEnv } from '../../src/config/config';
import { lockEventWriters } from '../../src/eligibility/eligibility.repository';
import { IngestionEngine } from '../../src/ingestion/ingestion.engine';
import { IngestionRunRepository } from '../../src/ingestion/ingestion-run.repository';
import { openDatabase, type Database } from '../../src/platform/database/database';
import { createRootLogger } from '../../src/platform/logging/logger';
import { startSimulator, type RunningSimulator } from '../../src/simulator/simulator';
import { hubSources } from '../../src/sources/registry';
import { HubProcess } from '../support/hub-process';
import { describeWithRedisServer, RedisServer } from '../support/redis-server';
import { contents, succeededRuns, WAITING_WORKER, type Contents } from '../support/table-contents';
import { createMigratedDatabase } from '../support/template-database';
import { type TestDatabase } from '../support/test-database';
import { until } from '../support/until';
import { FAULT_SOURCE as SOURCE, FAULT_WORLD as WORLD, faultRunEnv, TODAY_EPOCH, YESTERDAY } from '../support/fault-world';

/**
 * Issue 19: Redis away for longer than BullMQ's lock duration during a run. The worker cannot renew
 * its job's lock while Redis is away; when Redis is back (from its append-only file) the lock has
 * expired, so BullMQ's stalled-job check hands the job out again while the first attempt is still
 * running. The second attempt must not run the source beside the first (the source's advisory lock
 * already forbids that) nor fail the job, nor run it again once the first has finished: it waits
 * for the first and reports its run. In the end: one run, succeeded; the job completed once; the
 * tables and the eligibility feed exactly as a clean run leaves them.
 *
 * The run is held at its last phase (the eligibility writers' lock, held by the test, as the daily
 * recompute holds it) for as long as the outage and the stalled check take, then let go.
 */
/** BullMQ's lock on a job; Redis is away for 2.5 times as long. */
const LOCK_MS = 2000;
const OUTAGE_MS = 5000;

describeWithRedisServer('Redis away for longer than the worker lock during a run', () => {
  const logger = createRootLogger('silent');
  const cleanups: (() => Promise<unknown>)[] = [];
  let simulator: RunningSimulator;
  let redis: RedisServer;
  let clean: { today: Contents; runs: unknown[]; events: number };
  let yesterday: Contents;
  let outage: TestDatabase;

  const env = (database: TestDatabase, epoch: number): ConfigEnv => faultRunEnv(database.url, simulator.url, epoch);
  const probeOf = async (database: TestDatabase): Promise<Client> => {
    const client = new Client({ connectionString: database.url, application_name: 'redis-outage-test' });
    await client.connect();
    cleanups.push(() => client.end());
    return client;
  };
  const events = async (probe: Client): Promise<number> => (await probe.query<{ n: number }>('SELECT count(*)::int AS n FROM lending.eligibility_event')).rows[0]!.n;
  const loadYesterday = async (): Promise<{ database: TestDatabase; hub: Database }> => {
    const database = await createMigratedDatabase();
    cleanups.push(() => database.drop());
    const hub = await openDatabase(loadHubConfig(env(database, 0)), logger, { migrate: true, owner: 'cli' });
    cleanups.push(() => hub.close());
    const engine = new IngestionEngine(hub.dataSource, hubSources(), loadHubConfig(env(database, 0)), logger);
    for (const source of YESTERDAY) expect({ source, status: (await engine.run({ source, trigger: 'manual' })).status }).toEqual({ source, status: 'succeeded' });
    return { database, hub };
  };

  beforeAll(async () => {
    redis = await RedisServer.start();
    cleanups.push(() => redis.destroy());
    simulator = await startSimulator({ ...WORLD, port: 0, host: '127.0.0.1' });
    cleanups.push(() => simulator.close());
    const [b, a] = await Promise.all([loadYesterday(), loadYesterday()]);
    await a.hub.close();
    outage = a.database;
    // B: today's run, undisturbed.
    const probe = await probeOf(b.database);
    yesterday = await contents(probe);
    const today = await new IngestionEngine(b.hub.dataSource, hubSources(), loadHubConfig(env(b.database, TODAY_EPOCH)), logger).run({ source: SOURCE, trigger: 'manual' });
    expect(today.status).toBe('succeeded');
    clean = { today: await contents(probe), runs: await succeededRuns(probe), events: await events(probe) };
  }, 120_000);
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  });

  test('the run ends once, its job completes once, and the tables and feed equal a clean run\'s', async () => {
    const envA = {
      ...env(outage, TODAY_EPOCH),
      REDIS_URL: redis.url,
      QUEUE_PREFIX: `iihro_${randomBytes(4).toString('hex')}`,
      PORT: '0',
      INGEST_ATTEMPTS: '3',
      INGEST_BACKOFF_MS: '200',
      WORKER_LOCK_MS: String(LOCK_MS),
    };
    const api: RunningHub = await startHub(loadHubConfig(envA), 'api', logger);
    cleanups.push(() => api.stop());
    const worker = await HubProcess.start('worker', { ...envA, LOG_LEVEL: 'info' });
    cleanups.push(() => worker.stop('SIGKILL'));
    const probe = await probeOf(outage);
    expect(await contents(probe)).toEqual(yesterday);
    const eventsBefore = await events(probe);
    const runs = new IngestionRunRepository(api.database.dataSource);

    const holder = await probeOf(outage);
    await holder.query('BEGIN');
    await lockEventWriters(holder);
    const job = await api.ingestionQueue.enqueue(SOURCE, 'manual');
    await until('the run to wait for the eligibility writers\' lock', async () => {
      if (!worker.alive) throw new Error(`the worker exited: ${worker.output}`);
      return (await probe.query(WAITING_WORKER)).rows[0];
    }, 30_000);

    // ---- Redis away for 2.5 lock periods, then back from its append-only file: the job's lock has expired.
    await redis.stop();
    await new Promise((resolve) => setTimeout(resolve, OUTAGE_MS));
    await redis.start();

    // BullMQ's stalled check hands the job out a second time while the first attempt still runs.
    await until('the job to be taken a second time', async () => {
      if (!worker.alive) throw new Error(`the worker exited: ${worker.output}`);
      const state = await api.ingestionQueue.queue.getJob(String(job.id)).catch(() => undefined);
      return (state?.attemptsStarted ?? 0) >= 2 ? true : undefined;
    }, 30_000, 100);
    // The second attempt runs nothing beside the first, and does not give up while it runs:
    // a few lock periods later the only run of the job is the first, still running.
    await new Promise((resolve) => setTimeout(resolve, 3 * LOCK_MS));
    expect((await runs.findByJobId(String(job.id))).map((run) => run.status)).toEqual(['running']);
    expect(await api.ingestionQueue.queue.getJobState(String(job.id))).toBe('active');

    // ---- The first attempt goes on and commits.
    await holder.query('ROLLBACK');
    const state = await until('the job to end', async () => {
      if (!worker.alive) throw new Error(`the worker exited: ${worker.output}`);
      const current = await api.ingestionQueue.queue.getJobState(String(job.id));
      return current === 'completed' || current === 'failed' ? current : undefined;
    }, 60_000, 200);
    expect(state).toBe('completed');
    const [run, ...others] = await runs.findByJobId(String(job.id));
    expect(others).toEqual([]);
    expect(run).toMatchObject({ status: 'succeeded', source: SOURCE });
    const finished = await api.ingestionQueue.queue.getJob(String(job.id));
    expect(finished?.returnvalue).toEqual({ runId: run!.id, status: 'succeeded' });

    // Nothing runs it again later (a retry after a backoff would): one run, still.
    await new Promise((resolve) => setTimeout(resolve, 3 * LOCK_MS));
    expect((await runs.findByJobId(String(job.id))).length).toBe(1);
    expect(await api.ingestionQueue.queue.getJobCounts('failed', 'waiting', 'active', 'delayed')).toMatchObject({ failed: 0, waiting: 0, active: 0 });

    // The end is the clean run's, table by table (the eligibility feed's events included), cursor advanced once.
    const final = await contents(probe);
    for (const table of Object.keys(clean.today)) expect({ table, ...final[table] }).toEqual({ table, ...clean.today[table] });
    expect(await succeededRuns(probe)).toEqual(clean.runs);
    expect(await events(probe)).toBe(clean.events);
    expect(clean.events).toBeGreaterThan(eventsBefore);
    expect(worker.alive).toBe(true);
  }, 180_000);
});
