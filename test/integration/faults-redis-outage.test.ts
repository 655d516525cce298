import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { startHub, type RunningHub } from '../../src/app/hub';
import { loadHubConfig } from '../../src/app/config';
import type { ConfigEnv } from '../../src/config/config';
import { DAILY_RECOMPUTE_SOURCE } from '../../src/eligibility/daily-recompute';
import { lockEventWriters } from '../../src/eligibility/eligibility.repository';
import { ELIGIBILITY_QUEUE, enqueueDailyRecompute, type EligibilityJobData } from '../../src/eligibility/eligibility.queue';
import { IngestionEngine } from '../../src/ingestion/ingestion.engine';
import { IngestionRunRepository } from '../../src/ingestion/ingestion-run.repository';
import { openDatabase, type Database } from '../../src/platform/database/database';
import { createRootLogger } from '../../src/platform/logging/logger';
import type { HubQueue } from '../../src/platform/queue/queue-backend';
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
 * recompute holds it) for as long as the outages and the stalled check take, then let go. It lasts
 * through two outages: BullMQ fails a job handed out more than `maxStalledCount` times, and the
 * hub raises that bound because a second delivery is harmless (src/ingestion/run-lock.ts).
 *
 * Then the daily eligibility recompute's job, held the same way through an outage: it goes through
 * the same lock as the source runs, so its second delivery (on the other worker) waits for the
 * first and reports its run, and the recompute runs once.
 */
/** BullMQ's lock on a job; Redis is away for 2.5 times as long. */
const LOCK_MS = 2000;
/** A worker waiting for an advisory lock (the eligibility writers' lock, which the test holds). */
const WAITING_FOR_ADVISORY_LOCK = `SELECT pid FROM pg_stat_activity
  WHERE datname = current_database() AND application_name = 'i-industry-hub-worker' AND wait_event_type = 'Lock' AND wait_event = 'advisory'`;
const OUTAGE_MS = 5000;

describeWithRedisServer('Redis away for longer than the worker lock during a run', () => {
  const logger = createRootLogger('silent');
  const cleanups: (() => Promise<unknown>)[] = [];
  let simulator: RunningSimulator;
  let redis: RedisServer;
  let clean: { today: Contents; runs: unknown[]; events: number };
  let yesterday: Contents;
  let outage: TestDatabase;
  let api: RunningHub;
  let workers: HubProcess[];

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

    // The hub on A: an API (for its queues) and two workers, so a job handed out again while its
    // first attempt runs is taken at once even by the eligibility worker (one job at a time each).
    const envA = {
      ...env(outage, TODAY_EPOCH),
      REDIS_URL: redis.url,
      QUEUE_PREFIX: `iihro_${randomBytes(4).toString('hex')}`,
      PORT: '0',
      INGEST_ATTEMPTS: '3',
      INGEST_BACKOFF_MS: '200',
      WORKER_LOCK_MS: String(LOCK_MS),
    };
    api = await startHub(loadHubConfig(envA), 'api', logger);
    cleanups.push(() => api.stop());
    workers = await Promise.all([1, 2].map(() => HubProcess.start('worker', { ...envA, LOG_LEVEL: 'info' })));
    for (const worker of workers) cleanups.push(() => worker.stop('SIGKILL'));
  }, 180_000);
  /** Holders of the eligibility writers' lock: let go after each test, passed or not. */
  const holders: Client[] = [];
  const holdEventWriters = async (): Promise<Client> => {
    const holder = await probeOf(outage);
    await holder.query('BEGIN');
    await lockEventWriters(holder);
    holders.push(holder);
    return holder;
  };
  afterEach(async () => {
    for (const holder of holders.splice(0)) await holder.query('ROLLBACK').catch(() => undefined);
  });
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  });

  /** Redis away for OUTAGE_MS, then back from its append-only file: the locks taken before have expired. */
  const outageOfRedis = async (): Promise<void> => {
    await redis.stop();
    await new Promise((resolve) => setTimeout(resolve, OUTAGE_MS));
    await redis.start();
  };
  const alive = (): void => {
    for (const worker of workers) if (!worker.alive) throw new Error(`a worker exited: ${worker.output}`);
  };
  /** Until BullMQ's stalled check has handed the job out `times` times in all. */
  const handedOut = (queue: HubQueue<unknown>, jobId: string, times: number) =>
    until(`the job to be taken ${times} times`, async () => {
      alive();
      const state = await queue.getJob(jobId).catch(() => undefined);
      return (state?.attemptsStarted ?? 0) >= times ? true : undefined;
    }, 30_000, 100);
  const ended = (queue: HubQueue<unknown>, jobId: string) =>
    until('the job to end', async () => {
      alive();
      const current = await queue.getJobState(jobId);
      return current === 'completed' || current === 'failed' ? current : undefined;
    }, 60_000, 200);

  test('a run through two outages ends once, its job completes once, and the tables and feed equal a clean run\'s', async () => {
    const queue = api.ingestionQueue.queue as HubQueue<unknown>;
    const probe = await probeOf(outage);
    expect(await contents(probe)).toEqual(yesterday);
    const eventsBefore = await events(probe);
    const runs = new IngestionRunRepository(api.database.dataSource);

    const holder = await holdEventWriters();
    const job = await api.ingestionQueue.enqueue(SOURCE, 'manual');
    const jobId = String(job.id);
    await until('the run to wait for the eligibility writers\' lock', async () => {
      alive();
      return (await probe.query(WAITING_WORKER)).rows[0];
    }, 30_000);

    // ---- Two outages, each 2.5 lock periods: BullMQ's stalled check hands the job out after each,
    // while the first attempt still runs. (BullMQ's default maxStalledCount, 1, failed it after the second.)
    await outageOfRedis();
    await handedOut(queue, jobId, 2);
    await outageOfRedis();
    await handedOut(queue, jobId, 3);
    // The later attempts run nothing beside the first, and do not give up while it runs:
    // a few lock periods later the only run of the job is the first, still running.
    await new Promise((resolve) => setTimeout(resolve, 3 * LOCK_MS));
    expect((await runs.findByJobId(jobId)).map((run) => run.status)).toEqual(['running']);
    expect(await queue.getJobState(jobId)).toBe('active');

    // ---- The first attempt goes on and commits.
    await holder.query('ROLLBACK');
    expect(await ended(queue, jobId)).toBe('completed');
    const [run, ...others] = await runs.findByJobId(jobId);
    expect(others).toEqual([]);
    expect(run).toMatchObject({ status: 'succeeded', source: SOURCE });
    const finished = await queue.getJob(jobId);
    expect(finished?.returnvalue).toEqual({ runId: run!.id, status: 'succeeded' });

    // Nothing runs it again later (a retry after a backoff would): one run, still.
    await new Promise((resolve) => setTimeout(resolve, 3 * LOCK_MS));
    expect((await runs.findByJobId(jobId)).length).toBe(1);
    expect(await queue.getJobCounts('failed', 'waiting', 'active', 'delayed')).toMatchObject({ failed: 0, waiting: 0, active: 0 });

    // The end is the clean run's, table by table (the eligibility feed's events included), cursor advanced once.
    const final = await contents(probe);
    for (const table of Object.keys(clean.today)) expect({ table, ...final[table] }).toEqual({ table, ...clean.today[table] });
    expect(await succeededRuns(probe)).toEqual(clean.runs);
    expect(await events(probe)).toBe(clean.events);
    expect(clean.events).toBeGreaterThan(eventsBefore);
    alive();
  }, 180_000);

  test('the daily eligibility recompute held through an outage: the second delivery waits, the job completes once, the recompute runs once', async () => {
    const queue = api.queueBackend.createQueue<EligibilityJobData>(ELIGIBILITY_QUEUE);
    cleanups.push(() => queue.close());
    const probe = await probeOf(outage);
    // A window of 400 days (the first run starts from the day results were computed): every firm's
    // years since registration changed in it, so the recompute has every firm to re-evaluate.
    await probe.query(`UPDATE lending.eligibility_result SET computed_at = computed_at - interval '400 days'`);
    const recomputeRuns = async (): Promise<{ id: string; status: string; job_id: string | null }[]> =>
      (await probe.query<{ id: string; status: string; job_id: string | null }>(`SELECT id::text, status, job_id FROM ingestion.run WHERE source = $1 ORDER BY id`, [DAILY_RECOMPUTE_SOURCE])).rows;
    expect(await recomputeRuns()).toEqual([]);
    const eventsBefore = await events(probe);

    // Held inside its transaction, at the eligibility writers' lock, as a long recompute would be.
    const holder = await holdEventWriters();
    const job = await enqueueDailyRecompute(queue, 'manual');
    const jobId = String(job.id);
    await until('the recompute to wait for the eligibility writers\' lock', async () => {
      alive();
      const waiting = (await probe.query(WAITING_FOR_ADVISORY_LOCK)).rows[0];
      return waiting && (await recomputeRuns()).length === 1 ? true : undefined;
    }, 30_000);

    await outageOfRedis();
    // The other worker takes it while the first attempt still runs, and waits for that attempt.
    await handedOut(queue as HubQueue<unknown>, jobId, 2);
    await until('the second delivery to wait for the first', async () => {
      alive();
      return workers.some((worker) => worker.output.includes('waiting for it instead of recomputing again')) ? true : undefined;
    }, 30_000, 100);
    await new Promise((resolve) => setTimeout(resolve, 3 * LOCK_MS));
    expect((await recomputeRuns()).map((run) => [run.status, run.job_id])).toEqual([['running', jobId]]);
    expect(await queue.getJobState(jobId)).toBe('active');

    // ---- The first attempt goes on and commits; the waiting one reports its run.
    await holder.query('ROLLBACK');
    expect(await ended(queue as HubQueue<unknown>, jobId)).toBe('completed');
    const [run, ...others] = await recomputeRuns();
    expect(others).toEqual([]);
    expect(run).toEqual({ id: run!.id, status: 'succeeded', job_id: jobId });
    const finished = await queue.getJob(jobId);
    expect(finished?.returnvalue).toMatchObject({ status: 'succeeded', runId: run!.id, firms: expect.any(Number) });
    const result = finished!.returnvalue as { firms: number; results: number; events: number };
    expect(result.firms).toBeGreaterThan(1000);
    expect(result.results).toBeGreaterThan(0);
    // The results were current, so the one recompute wrote no event; the feed has what its run wrote.
    const [{ n }] = (await probe.query<{ n: number }>('SELECT count(*)::int AS n FROM lending.eligibility_event WHERE run_id = $1', [run!.id])).rows as [{ n: number }];
    expect(result.events).toBe(n);
    expect(await events(probe)).toBe(eventsBefore + n);

    // Nothing recomputes again later: one run, the job done, none failed.
    await new Promise((resolve) => setTimeout(resolve, 3 * LOCK_MS));
    expect((await recomputeRuns()).length).toBe(1);
    expect(await queue.getJobCounts('failed', 'waiting', 'active', 'delayed')).toMatchObject({ failed: 0, waiting: 0, active: 0 });
    alive();
  }, 120_000);
});
