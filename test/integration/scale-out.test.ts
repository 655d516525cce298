import { randomBytes } from 'node:crypto';
import { loadHubConfig } from '../../src/app/config';
import { ApiClientRepository } from '../../src/access/api-client.repository';
import { ApiClientService } from '../../src/access/api-client.service';
import { INGESTION_QUEUE, type IngestJobData } from '../../src/ingestion/ingestion.queue';
import { IngestionRunRepository } from '../../src/ingestion/ingestion-run.repository';
import { openDatabase, type Database } from '../../src/platform/database/database';
import { createRootLogger } from '../../src/platform/logging/logger';
import { createQueueBackend } from '../../src/platform/queue/queue-backend';
import { startSimulator, type RunningSimulator } from '../../src/simulator/simulator';
import { hubSources } from '../../src/sources/registry';
import { freePort } from '../support/free-port';
import { HubProcess, NO_SCHEDULES } from '../support/hub-process';
import { createTestDatabase, redisTestUrl } from '../support/test-database';
import { until } from '../support/until';

/**
 * Issue 19, scale-out: two API processes and two worker processes on one PostgreSQL and one queue
 * (Redis, and BullMQ's PostgreSQL backend). Schedules are registered once however many workers
 * register them; each scheduled run happens once; loads triggered through either API run once; a
 * bank syncing the eligibility feed with successive calls on alternate APIs, while those loads
 * write events, receives each event exactly once; a revoked key is refused by both APIs; a
 * client's rate limit is one budget across them.
 */
const SCHEDULED = 'oie-mpi';
/** Every 10 seconds (BullMQ's six-field cron, seconds first). */
const EVERY_TEN_SECONDS = '*/10 * * * * *';
const LOADS = ['smed-products', 'exim-products', 'dbd-financials', 'dbd-companies'];

interface FeedLine {
  position?: string;
  cursor?: string;
  end?: { cursor: string | null; events: number; hasMore: boolean };
  error?: unknown;
}

describe('two APIs and two workers on one database and one queue', () => {
  const logger = createRootLogger('silent');
  let simulator: RunningSimulator;
  beforeAll(async () => {
    simulator = await startSimulator({ port: 0, host: '127.0.0.1', seed: 13, scale: 800, quirkRate: 0.02, badRowRate: 0 });
  });
  afterAll(async () => {
    await simulator?.close();
  });

  const backends = redisTestUrl() ? (['postgres', 'redis'] as const) : (['postgres'] as const);
  test.each(backends)('(%s queue) every run once, schedules once, the feed exactly once, one key table and one budget', async (backend) => {
    const cleanups: (() => Promise<unknown>)[] = [];
    try {
      const database = await createTestDatabase();
      cleanups.push(() => database.drop());
      const env = {
        DATABASE_URL: database.url,
        ...(backend === 'redis' ? { REDIS_URL: redisTestUrl() } : {}),
        QUEUE_PREFIX: `iihso_${randomBytes(4).toString('hex')}`,
        SIMULATOR_URL: simulator.url,
        INGEST_ON_START: 'false',
        INGEST_ATTEMPTS: '3',
        INGEST_BACKOFF_MS: '500',
        LOG_LEVEL: 'info',
        ...NO_SCHEDULES,
        OIE_MPI_SCHEDULE: EVERY_TEN_SECONDS,
      };
      // The first API migrates the fresh database; then the rest start together.
      const [firstPort, secondPort] = [await freePort(), await freePort()];
      const apis = [await HubProcess.start('api', env, { port: firstPort })];
      cleanups.push(() => apis[0]!.stop());
      const [second, ...workers] = await Promise.all([HubProcess.start('api', env, { port: secondPort }), HubProcess.start('worker', env), HubProcess.start('worker', env)]);
      apis.push(second);
      for (const started of [second, ...workers]) cleanups.push(() => started.stop());
      const schedulesFrom = Date.now();

      const db: Database = await openDatabase(loadHubConfig(env), logger, { migrate: false, owner: 'cli' });
      cleanups.push(() => db.close());
      const clients = new ApiClientService(new ApiClientRepository(db.dataSource));
      const admin = (await clients.create({ name: 'ops', role: 'admin' })).key;
      const smed = (await clients.create({ name: 'smed-sync', role: 'bank', bankCode: 'SMED' })).key;
      const runs = new IngestionRunRepository(db.dataSource);
      const queueBackend = createQueueBackend({ redisUrl: env.REDIS_URL, databaseUrl: database.url, prefix: env.QUEUE_PREFIX, logger });
      cleanups.push(() => queueBackend.close());
      const queue = queueBackend.createQueue<IngestJobData>(INGESTION_QUEUE);
      cleanups.push(() => queue.close());

      // ---- Schedules: both workers registered every source's; the queue holds one of each.
      const schedulers = await queue.getJobSchedulers();
      expect(schedulers.map((s) => s.key).sort()).toEqual([...new Set(schedulers.map((s) => s.key))].sort());
      expect(schedulers).toHaveLength(hubSources().ids().length);

      const graphql = async (api: HubProcess, key: string, query: string) => {
        const response = await fetch(`${api.url}/graphql`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
          body: JSON.stringify({ query }),
        });
        return { status: response.status, body: (await response.json()) as { data?: Record<string, { jobId?: string }>; errors?: { extensions?: { code?: string } }[] } };
      };

      // ---- Loads triggered through alternate APIs, run by whichever worker takes them.
      const jobIds: string[] = [];
      for (const [i, source] of LOADS.entries()) {
        const triggered = await graphql(apis[i % 2]!, admin, `mutation { triggerIngestion(source: "${source}") { jobId } }`);
        expect(triggered.body.errors).toBeUndefined();
        jobIds.push(triggered.body.data!['triggerIngestion']!.jobId!);
      }

      // ---- The bank syncs meanwhile, each call on the other API, resuming from its cursor.
      const received: string[] = [];
      let cursor: string | undefined;
      let call = 0;
      const syncOnce = async (): Promise<FeedLine['end']> => {
        const api = apis[call++ % 2]!;
        const params = new URLSearchParams({ limit: '40', trailer: '1', ...(cursor ? { after: cursor } : {}) });
        const response = await fetch(`${api.url}/feeds/eligibility?${params.toString()}`, { headers: { authorization: `Bearer ${smed}` } });
        expect(response.status).toBe(200);
        const lines = (await response.text()).trim().split('\n').filter(Boolean).map((line) => JSON.parse(line) as FeedLine);
        const end = lines.at(-1)?.end;
        expect(end).toBeDefined();
        for (const line of lines.slice(0, -1)) received.push(line.position!);
        if (end!.cursor) cursor = end!.cursor;
        return end;
      };
      const loadsDone = async (): Promise<boolean> => {
        const all = await Promise.all(jobIds.map((id) => runs.findByJobId(id)));
        return all.every((attempts) => attempts.some((run) => run.status === 'succeeded'));
      };
      await until('the loads to end, the bank synced to the end', async () => {
        const done = await loadsDone();
        const end = await syncOnce();
        return done && !end!.hasMore && end!.events === 0 ? true : undefined;
      }, 90_000, 100);
      // Every load ran once.
      for (const id of jobIds) expect((await runs.findByJobId(id)).map((run) => run.status)).toEqual(['succeeded']);
      // Each event once, in order, and every one of the bank's (a bank's feed is numbered in its own sequence).
      const logged = (await db.dataSource.query<{ position: string }[]>(`SELECT bank_position::text AS position FROM lending.eligibility_event WHERE bank_code = 'SMED' ORDER BY bank_position`)).map((r) => r.position);
      expect(logged.length).toBeGreaterThan(40);
      expect(received).toEqual(logged);
      expect(call).toBeGreaterThan(2);

      // ---- The scheduled source: one run per firing, though two workers hold its schedule.
      await until('two scheduled runs', async () => {
        const scheduled = (await runs.list({ source: SCHEDULED, limit: 100 })).filter((run) => run.trigger === 'schedule' && run.status !== 'running');
        return scheduled.length >= 2 && Date.now() - schedulesFrom > 20_000 ? scheduled : undefined;
      }, 60_000, 500);
      const scheduled = (await runs.list({ source: SCHEDULED, limit: 100 })).filter((run) => run.trigger === 'schedule');
      const byJob = new Map<string, number>();
      for (const run of scheduled) byJob.set(run.jobId!, (byJob.get(run.jobId!) ?? 0) + 1);
      expect([...byJob.values()].every((n) => n === 1)).toBe(true);
      // A firing is one job (its ID ends with the firing's time): never two jobs, so never two runs, for one time.
      const firings = [...byJob.keys()].map((id) => /:(\d+)$/.exec(id)?.[1]);
      expect(firings.every(Boolean)).toBe(true);
      expect(new Set(firings).size).toBe(firings.length);
      const elapsedSlots = Math.ceil((Date.now() - schedulesFrom) / 10_000) + 1;
      expect(scheduled.length).toBeLessThanOrEqual(elapsedSlots);

      // ---- A revoked key is refused by both APIs; a rate limit is one budget across them.
      const analyst = (await clients.create({ name: 'analyst', role: 'analyst', rateLimitPerMinute: 6 })).key;
      const statuses: number[] = [];
      for (let i = 0; i < 8; i += 1) statuses.push((await graphql(apis[i % 2]!, analyst, '{ factories(first: 1) { totalCount } }')).status);
      expect(statuses).toEqual([200, 200, 200, 200, 200, 200, 429, 429]);
      await clients.revoke('analyst');
      for (const api of apis) {
        await until(`API ${api.url} to refuse the revoked key`, async () => ((await graphql(api, analyst, '{ __typename }')).status === 401 ? true : undefined), 5_000, 50);
      }
      for (const worker of workers) expect(worker.alive).toBe(true);
    } finally {
      for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
    }
  }, 180_000);
});
