import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { startHub, type RunningHub } from '../../src/app/hub';
import { loadHubConfig } from '../../src/app/config';
import { IngestionRunRepository } from '../../src/ingestion/ingestion-run.repository';
import { createRootLogger } from '../../src/platform/logging/logger';
import { startSimulator, type RunningSimulator } from '../../src/simulator/simulator';
import { HubProcess, NO_SCHEDULES } from '../support/hub-process';
import { createTestDatabase, redisTestUrl, type TestDatabase } from '../support/test-database';
import { until } from '../support/until';

/**
 * Issue 19: a worker killed while it holds a source's lock and another worker wants the same source.
 * Two worker processes; two DIW jobs. One worker takes the first and holds the source's lock while
 * its run waits for the factory table, which the test holds locked (a slow feed was not enough: on a
 * busy machine the run ended before the test got to kill it); the second job finds the source busy
 * (it is retried later).
 * The lock holder is SIGKILLed. Its session ends, so the lock is released with its transaction; the
 * surviving worker runs the second job and, once the first is noticed as stalled, the first: each
 * job ends with one succeeded run, the table holds the feed's rows once, and no run is left running.
 */
describe('a worker killed while it holds a source\'s lock', () => {
  const logger = createRootLogger('silent');
  const cleanups: (() => Promise<unknown>)[] = [];
  let database: TestDatabase;
  let simulator: RunningSimulator;
  beforeAll(async () => {
    database = await createTestDatabase();
    cleanups.push(() => database.drop());
    simulator = await startSimulator({ port: 0, host: '127.0.0.1', seed: 17, scale: 1000, quirkRate: 0.02, badRowRate: 0 });
    cleanups.push(() => simulator.close());
  });
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  });

  test('the other worker runs both jobs once each, nothing doubled', async () => {
    const env = {
      DATABASE_URL: database.url,
      REDIS_URL: redisTestUrl(),
      QUEUE_PREFIX: `iihkl_${randomBytes(4).toString('hex')}`,
      PORT: '0',
      SIMULATOR_URL: simulator.url,
      INGEST_ON_START: 'false',
      INGEST_ATTEMPTS: '10',
      INGEST_BACKOFF_MS: '500',
      WORKER_LOCK_MS: '2000',
      LOG_LEVEL: 'info',
      ...NO_SCHEDULES,
    };
    const api: RunningHub = await startHub(loadHubConfig({ ...env, LOG_LEVEL: 'silent' }), 'api', logger);
    cleanups.push(() => api.stop());
    // The holder starts alone, so it is the one that takes the first job.
    const holder = await HubProcess.start('worker', env);
    cleanups.push(() => holder.stop('SIGKILL'));
    const runs = new IngestionRunRepository(api.database.dataSource);
    // The first run writes nothing until the test lets go of the table.
    const tableHolder = new Client({ connectionString: database.url });
    await tableHolder.connect();
    cleanups.push(() => tableHolder.end());
    await tableHolder.query('BEGIN; LOCK TABLE registry.factory IN ACCESS EXCLUSIVE MODE');
    const first = await api.ingestionQueue.enqueue('diw', 'manual');
    await until('the first run to hold the source', async () => (await runs.findByJobId(String(first.id))).find((run) => run.status === 'running'), 20_000);
    const [lock] = await api.database.dataSource.query<{ holders: number }[]>(
      `SELECT count(*)::int AS holders FROM pg_locks WHERE locktype = 'advisory' AND objsubid = 1 AND granted
         AND database = (SELECT oid FROM pg_database WHERE datname = current_database()) AND objid::bigint = (hashtext($1)::bigint & 4294967295)`,
      ['ingest:diw'],
    );
    expect(lock!.holders).toBe(1);
    const survivor = await HubProcess.start('worker', env);
    cleanups.push(() => survivor.stop('SIGKILL'));
    const second = await api.ingestionQueue.enqueue('diw', 'manual');
    // The second job finds the source busy (before any run record): a failed attempt, retried later.
    await until('the second job to find the source busy', async () => {
      const job = await api.ingestionQueue.queue.getJob(String(second.id));
      return job && job.attemptsMade >= 1 ? true : undefined;
    }, 20_000);
    expect(await runs.findByJobId(String(second.id))).toEqual([]);

    await holder.stop('SIGKILL');
    await tableHolder.query('COMMIT');

    const ended = await until('both jobs to end succeeded', async () => {
      if (!survivor.alive) throw new Error(`the surviving worker exited: ${survivor.output}`);
      const both = await Promise.all([first, second].map((job) => runs.findByJobId(String(job.id))));
      return both.every((attempts) => attempts.some((run) => run.status === 'succeeded')) ? both : undefined;
    }, 60_000, 250);
    for (const attempts of ended) {
      expect(attempts.filter((run) => run.status === 'succeeded')).toHaveLength(1);
      expect(attempts.some((run) => run.status === 'running')).toBe(false);
    }
    // The killed run wrote nothing; the two succeeded ones loaded the same feed: 200 factories, once.
    const [{ count } = { count: 0 }] = await api.database.dataSource.query<{ count: number }[]>('SELECT count(*)::int AS count FROM registry.factory');
    expect(count).toBe(200);
    const succeeded = ended.flat().filter((run) => run.status === 'succeeded');
    expect(succeeded.map((run) => run.rowsRead)).toEqual([200, 200]);
    expect(succeeded.map((run) => run.rowsInserted).sort()).toEqual([0, 200]);
  }, 120_000);
});
