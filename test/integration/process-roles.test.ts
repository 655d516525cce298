// @node-runtime: graceful stop on SIGTERM of separate API and worker roles (runs on every Node.js line .ci/run tests; docs/development.md#test-tiers)
import { randomBytes } from 'node:crypto';
import { startHub, type RunningHub } from '../../src/app/hub';
import { type HubConfig } from '../../src/config/config';
import { loadHubConfig } from '../../src/app/config';
import { IngestionRunRepository } from '../../src/ingestion/ingestion-run.repository';
import { createRootLogger } from '../../src/platform/logging/logger';
import { startSimulator } from '../../src/simulator/simulator';
import { redisTestUrl, type TestDatabase } from '../support/test-database';
import { createMigratedDatabase } from '../support/template-database';

/**
 * The production shape: the API and the worker as separate processes (roles) sharing the servers
 * in DATABASE_URL and REDIS_URL (Redis when the suite has one, else BullMQ's PostgreSQL backend).
 * Also graceful shutdown: a worker told to stop in the middle of a run lets it finish.
 */
describe('API and worker as separate roles', () => {
  let database: TestDatabase;
  let simulator: { url: string; close(): Promise<void> };
  let config: HubConfig;
  const started: RunningHub[] = [];
  const logger = createRootLogger(process.env['TEST_LOG_LEVEL'] ?? 'silent');

  beforeAll(async () => {
    database = await createMigratedDatabase();
    simulator = await startSimulator({ port: 0, host: '127.0.0.1', seed: 11, scale: 2500, quirkRate: 0.02, badRowRate: 0 });
    config = loadHubConfig({
      DATABASE_URL: database.url,
      REDIS_URL: redisTestUrl(),
      QUEUE_PREFIX: `iiht_${randomBytes(4).toString('hex')}`,
      PORT: '0',
      // A slow feed (2 s before the first byte), so a run is surely in flight when the worker stops.
      DIW_FEED_URL: `${simulator.url}/diw/factories.csv?fault=slow&delayMs=2000`,
      INGEST_ON_START: 'false',
      INGEST_ATTEMPTS: '1',
      LOG_LEVEL: 'silent',
    });
  });
  afterAll(async () => {
    for (const hub of started) await hub.stop().catch(() => undefined);
    await simulator?.close();
    await database?.drop();
  });

  test('an admin triggers a run through the API role and the worker role loads it', async () => {
    const api = await startHub(config, 'api', logger);
    started.push(api);
    const worker = await startHub(config, 'worker', logger);
    started.push(worker);
    expect(api.apiUrl).toBeDefined();
    expect(worker.apiUrl).toBeUndefined();

    const { key } = await api.services.clients.create({ name: 'ops', role: 'admin' });
    const graphql = async (query: string) => {
      const response = await fetch(`${api.apiUrl}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
        body: JSON.stringify({ query }),
      });
      return (await response.json()) as { data?: Record<string, { jobId?: string; totalCount?: number }>; errors?: unknown };
    };
    const triggered = await graphql('mutation { triggerIngestion(source: "diw") { jobId } }');
    expect(triggered.errors).toBeUndefined();
    const jobId = triggered.data!['triggerIngestion']!.jobId!;

    const runs = new IngestionRunRepository(api.database.dataSource);
    // Stop the worker while the run waits on the slow feed: the in-flight job must finish first.
    const running = async () => (await runs.findByJobId(jobId)).find((r) => r.status === 'running');
    for (let i = 0; i < 100 && !(await running()); i += 1) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await running()).toBeDefined();
    await worker.stop();
    started.splice(started.indexOf(worker), 1);

    const [run] = await runs.findByJobId(jobId);
    expect(run).toMatchObject({ status: 'succeeded', rowsRead: 500, rowsInserted: 500 });
    const counted = await graphql('{ factories(first: 1) { totalCount } }');
    expect(counted.data!['factories']!.totalCount).toBe(500);
  });
});
