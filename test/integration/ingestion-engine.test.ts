// @node-runtime: a worker process killed mid-run (runs on every Node.js line .ci/run tests; docs/development.md#test-tiers)
import { spawn } from 'node:child_process';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { startHub } from '../../src/app/hub';
import { loadHubConfig } from '../../src/app/config';
import { IngestionEngine } from '../../src/ingestion/ingestion.engine';
import { IngestionQueue } from '../../src/ingestion/ingestion.queue';
import { IngestionRunRepository, type IngestionRunRecord } from '../../src/ingestion/ingestion-run.repository';
import { createRootLogger } from '../../src/platform/logging/logger';
import { diwGroundTruth, startSimulator } from '../../src/simulator/simulator';
import { hubSources } from '../../src/sources/registry';
import { createMigratedDatabase } from '../support/template-database';
import { startTestHub, type TestHub } from '../support/test-hub';

/** The engine's promises, on the DIW source: snapshots, quarantine retry, drift, retries, failures. */
describe('ingestion engine', () => {
  let t: TestHub;
  let runs: IngestionRunRepository;
  const run = async (id: string): Promise<IngestionRunRecord> => (await runs.findById(id))!;
  const query = async <T = Record<string, unknown>>(sql: string, params: unknown[] = []): Promise<T[]> => t.hub.database.dataSource.query(sql, params);

  beforeAll(async () => {
    t = await startTestHub({ scale: 1500, env: { INGEST_ATTEMPTS: '3', INGEST_BACKOFF_MS: '200' } });
    runs = new IngestionRunRepository(t.hub.database.dataSource);
    expect((await t.ingestNow('diw')).status).toBe('succeeded');
  });
  afterAll(async () => {
    await t?.stop();
  });

  test('a smaller complete snapshot marks the missing factories absent without deleting them; the full one clears the marks', async () => {
    const total = diwGroundTruth(t.simulatorOptions).validRows;
    t.feed.set('scale=1000'); // the first 200 of the 300 factories
    try {
      const smaller = await run((await t.ingestNow('diw')).runId);
      const present = diwGroundTruth({ ...t.simulatorOptions, scale: 1000 }).validRows;
      expect(smaller).toMatchObject({ status: 'succeeded', rowsMarkedAbsent: total - present, rowsInserted: 0 });
      const [counts] = await query<{ all: number; absent: number }>(
        `SELECT count(*)::int AS all, count(*) FILTER (WHERE absent_since_run_id = $1)::int AS absent FROM registry.factory`,
        [smaller.id],
      );
      expect(counts).toEqual({ all: total, absent: total - present });
    } finally {
      t.feed.set('');
    }
    const full = await run((await t.ingestNow('diw')).runId);
    expect(full.rowsMarkedAbsent).toBe(0);
    expect(full.rowsUpdated).toBe(total - diwGroundTruth({ ...t.simulatorOptions, scale: 1000 }).validRows);
    expect((await query<{ n: number }>('SELECT count(*)::int AS n FROM registry.factory WHERE absent_since_run_id IS NOT NULL'))[0]!.n).toBe(0);
  });

  test('quarantined rows are listed with their reasons and can be retried once the cause is fixed', async () => {
    const open = await runs.openQuarantined({ source: 'diw', limit: 1000 });
    // Three runs so far rejected the same bad rows: each is open once, from the latest run.
    expect(open).toHaveLength(diwGroundTruth(t.simulatorOptions).badRows);
    expect(new Set(open.map((r) => r.runId)).size).toBe(1);
    for (const row of open) expect(row.reason).toMatch(/FID must be 14 digits/);

    // A row an older rule rejected although it is valid: the retry loads it and resolves it.
    const raw = await (await fetch(`${t.simulatorUrl}/diw/factories.csv?scale=5&quirkRate=0&badRowRate=0`)).text();
    const [header, first] = raw.split('\r\n');
    const row = Object.fromEntries(header!.split(',').map((name, i) => [name, first!.split(',')[i] ?? '']));
    row['FID'] = '99999999999999';
    await query(`INSERT INTO ingestion.quarantined_row (run_id, source, line_no, raw, reason) SELECT max(id), 'diw', 2, $1, 'rejected by an older rule' FROM ingestion.run`, [
      JSON.stringify(row),
    ]);

    const engine = new IngestionEngine(t.hub.database.dataSource, hubSources(), loadHubConfig({}), createRootLogger('silent'));
    const retried = await engine.retryQuarantined('diw');
    expect(retried).toMatchObject({ status: 'succeeded', trigger: 'retry', rowsRead: open.length + 1, rowsInserted: 1, rowsRejected: open.length });
    expect((await query('SELECT fid FROM registry.factory WHERE fid = $1', ['99999999999999'])).length).toBe(1);
    const stillOpen = await runs.openQuarantined({ source: 'diw', limit: 1000 });
    expect(stillOpen.map((r) => r.id).sort()).toEqual(open.map((r) => r.id).sort());
  });

  test('schema drift: a renamed column loads with a warning on the run; a missing one fails the run naming it', async () => {
    t.feed.set('fault=renamed-column');
    try {
      const renamed = await run((await t.ingestNow('diw')).runId);
      expect(renamed.status).toBe('succeeded');
      expect(renamed.warnings).toEqual(['column(s) read under another name: PROVINCE as FPROVNAME']);
    } finally {
      t.feed.set('');
    }
    t.feed.set('fault=missing-column');
    try {
      const missing = await run((await t.ingestNow('diw')).runId);
      expect(missing).toMatchObject({ status: 'failed', errorKind: 'permanent' });
      expect(missing.errorMessage).toBe('DIW feed is missing required column(s): FNAME');
    } finally {
      t.feed.set('');
    }
  });

  test('a flaky feed is retried with backoff until it answers; an unusable one is not retried', async () => {
    t.feed.failNext(2);
    const job = await t.hub.ingestionQueue.enqueue('diw', 'manual');
    const events = t.hub.queueBackend.createQueueEvents('ingestion');
    try {
      await events.waitUntilReady();
      await IngestionQueue.waitFor(job, events, 60_000);
      const attempts = await runs.findByJobId(String(job.id));
      expect(attempts.map((r) => [r.attempt, r.status, r.errorKind])).toEqual([
        [1, 'failed', 'transient'],
        [2, 'failed', 'transient'],
        [3, 'succeeded', null],
      ]);
      // Exponential backoff with jitter (so a feed's many failed jobs do not retry in step), as stored on the job.
      expect(job.opts.backoff).toMatchObject({ type: 'exponential', delay: 200 });
      expect((job.opts.backoff as { jitter?: number }).jitter).toBeGreaterThan(0);
      // The second wait is at least the first delay doubled (less jitter).
      const gap = (a: IngestionRunRecord, b: IngestionRunRecord) => b.startedAt.getTime() - a.finishedAt!.getTime();
      expect(gap(attempts[0]!, attempts[1]!)).toBeGreaterThanOrEqual(100);
      expect(gap(attempts[1]!, attempts[2]!)).toBeGreaterThanOrEqual(200);

      t.feed.set('fault=html');
      const html = await t.hub.ingestionQueue.enqueue('diw', 'manual');
      await expect(IngestionQueue.waitFor(html, events, 60_000)).rejects.toThrow(/HTML/);
      expect((await runs.findByJobId(String(html.id))).map((r) => r.attempt)).toEqual([1]);
    } finally {
      t.feed.set('');
      await events.close();
    }
  });
});

describe('a worker killed in the middle of a run', () => {
  test('leaves no partial data; the job is retried by another worker and ends as a clean run would', async () => {
    const database = await createMigratedDatabase();
    const simulator = await startSimulator({ port: 0, host: '127.0.0.1', seed: 3, scale: 2000, quirkRate: 0.02, badRowRate: 0.01 });
    const env = {
      DATABASE_URL: database.url,
      QUEUE_PREFIX: `iiht_${randomBytes(4).toString('hex')}`,
      // The first request waits 3 s before sending anything: the run is surely in flight when killed.
      DIW_FEED_URL: `${simulator.url}/diw/factories.csv?fault=slow&delayMs=3000`,
      INGEST_ON_START: 'false',
      INGEST_ATTEMPTS: '3',
      INGEST_BACKOFF_MS: '100',
      WORKER_LOCK_MS: '2000',
      // Any free port (the default 4000 may be another hub's), and no consent schedule firing mid-test.
      PORT: '0',
      CONSENT_REGISTRY_SCHEDULE: '0 0 1 1 *',
      LOG_LEVEL: 'silent',
    };
    const logger = createRootLogger('silent');
    const api = await startHub(loadHubConfig(env), 'api', logger).catch(async (error: unknown) => {
      await simulator.close();
      await database.drop();
      throw error;
    });
    const runs = new IngestionRunRepository(api.database.dataSource);
    try {
      const worker = spawn(process.execPath, [path.resolve(__dirname, '../../dist/src/main.js'), '--role=worker'], {
        env: { ...process.env, ...env },
        stdio: 'ignore',
      });
      const job = await api.ingestionQueue.enqueue('diw', 'manual');
      const deadline = Date.now() + 30_000;
      while (!(await runs.findByJobId(String(job.id))).some((r) => r.status === 'running')) {
        if (Date.now() > deadline) throw new Error('the worker never started the run');
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      worker.kill('SIGKILL');
      await new Promise((resolve) => worker.once('exit', resolve));
      expect((await api.database.dataSource.query('SELECT count(*)::int AS n FROM registry.factory'))[0].n).toBe(0);

      // Another worker notices the stalled job and runs it again; the dead run is marked abandoned.
      const rescuer = await startHub(loadHubConfig({ ...env, DIW_FEED_URL: `${simulator.url}/diw/factories.csv` }), 'worker', logger);
      try {
        const events = api.queueBackend.createQueueEvents('ingestion');
        await events.waitUntilReady();
        await IngestionQueue.waitFor(job, events, 60_000);
        await events.close();
      } finally {
        await rescuer.stop();
      }
      const attempts = await runs.findByJobId(String(job.id));
      expect(attempts[0]).toMatchObject({ status: 'failed', errorMessage: expect.stringMatching(/^abandoned/) });
      expect(attempts.at(-1)).toMatchObject({ status: 'succeeded' });
      const truth = diwGroundTruth({ seed: 3, scale: 2000, quirkRate: 0.02, badRowRate: 0.01 });
      expect(attempts.at(-1)).toMatchObject({ rowsInserted: truth.validRows, rowsRejected: truth.badRows });
      expect((await api.database.dataSource.query('SELECT count(*)::int AS n FROM ingestion.quarantined_row'))[0].n).toBe(truth.badRows);
    } finally {
      await api.stop();
      await simulator.close();
      await database.drop();
    }
  }, 90_000);
});
