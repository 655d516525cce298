import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { startHub, type RunningHub } from '../../src/app/hub';
import { loadHubConfig } from '../../src/app/config';
import type { ConfigEnv } from '../../src/config/config';
import { lockEventWriters } from '../../src/eligibility/eligibility.repository';
import { IngestionEngine } from '../../src/ingestion/ingestion.engine';
import { IngestionRunRepository } from '../../src/ingestion/ingestion-run.repository';
import { openDatabase } from '../../src/platform/database/database';
import { createRootLogger } from '../../src/platform/logging/logger';
import { dbdGroundTruth, startSimulator, type RunningSimulator } from '../../src/simulator/simulator';
import { hubSources } from '../../src/sources/registry';
import { HubProcess } from '../support/hub-process';
import { describeWithPostgresServer, PgServer } from '../support/pg-server';
import { contents, succeededRuns, WAITING_WORKER, type Contents } from '../support/table-contents';
import { until } from '../support/until';
import { FAULT_SOURCE as SOURCE, FAULT_WORLD as WORLD, faultRunEnv, PAGE_SIZE, TODAY_EPOCH, YESTERDAY } from '../support/fault-world';

/**
 * Issue 19: PostgreSQL restarted during a DBD run. As in killed-worker.test.ts, today's incremental
 * DBD company run is held at its last phase (the eligibility writers' lock, held by the test) with
 * everything else written and uncommitted; then the server itself is restarted (pg_ctl stop -m fast,
 * start): every session ends, the queue's too (BullMQ's PostgreSQL backend lives in the same
 * database). The run must fail cleanly (nothing of it visible, its record failed, not left
 * running), the job must be retried once the server is back, and the end must be what a clean run
 * gives: the same tables and the same cursor, advanced once.
 */

describeWithPostgresServer('PostgreSQL restarted during a DBD run', () => {
  const logger = createRootLogger('silent');
  const cleanups: (() => Promise<unknown>)[] = [];
  let server: PgServer;
  let simulator: RunningSimulator;

  const env = (database: string, epoch: number): ConfigEnv => faultRunEnv(server.url(database), simulator.url, epoch);
  const probeOf = async (database: string): Promise<Client> => {
    const client = new Client({ connectionString: server.url(database), application_name: 'restart-test' });
    // The probe's connection dies with the server; its error must not end the test process.
    client.on('error', () => undefined);
    await client.connect();
    cleanups.push(() => client.end());
    return client;
  };
  const loadYesterday = async (database: string): Promise<void> => {
    await server.query(`CREATE DATABASE ${database}`);
    const hub = await openDatabase(loadHubConfig(env(database, 0)), logger, { migrate: true, owner: 'cli' });
    try {
      const engine = new IngestionEngine(hub.dataSource, hubSources(), loadHubConfig(env(database, 0)), logger);
      for (const source of YESTERDAY) expect({ source, status: (await engine.run({ source, trigger: 'manual' })).status }).toEqual({ source, status: 'succeeded' });
    } finally {
      await hub.close();
    }
  };

  beforeAll(async () => {
    server = await PgServer.primary();
    cleanups.push(() => server.destroy());
    simulator = await startSimulator({ ...WORLD, port: 0, host: '127.0.0.1' });
    cleanups.push(() => simulator.close());
    await Promise.all([loadYesterday('clean'), loadYesterday('restarted')]);
  }, 120_000);
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  });

  test('the run fails cleanly, and its retry ends as a clean run would', async () => {
    // ---- The clean run, undisturbed.
    const cleanProbe = await probeOf('clean');
    const cleanHub = await openDatabase(loadHubConfig(env('clean', TODAY_EPOCH)), logger, { migrate: false, owner: 'cli' });
    const yesterday: Contents = await contents(cleanProbe);
    try {
      const today = await new IngestionEngine(cleanHub.dataSource, hubSources(), loadHubConfig(env('clean', TODAY_EPOCH)), logger).run({ source: SOURCE, trigger: 'manual' });
      expect(today.status).toBe('succeeded');
    } finally {
      await cleanHub.close();
    }
    const clean = { today: await contents(cleanProbe), runs: await succeededRuns(cleanProbe) };
    await cleanProbe.end();

    // ---- The same run in a worker process, through the queue (BullMQ on PostgreSQL, in the same database).
    const envA = {
      ...env('restarted', TODAY_EPOCH),
      QUEUE_PREFIX: `iihpr_${randomBytes(4).toString('hex')}`,
      PORT: '0',
      INGEST_ATTEMPTS: '5',
      INGEST_BACKOFF_MS: '1000',
      WORKER_LOCK_MS: '5000',
    };
    const api: RunningHub = await startHub(loadHubConfig(envA), 'api', logger);
    cleanups.push(() => api.stop());
    const worker = await HubProcess.start('worker', { ...envA, LOG_LEVEL: 'info' });
    cleanups.push(() => worker.stop('SIGKILL'));
    const probe = await probeOf('restarted');
    expect(await contents(probe)).toEqual(yesterday);

    const holder = await probeOf('restarted');
    await holder.query('BEGIN');
    await lockEventWriters(holder);
    const job = await api.ingestionQueue.enqueue(SOURCE, 'manual');
    await until('the run to wait for the eligibility writers\' lock', async () => {
      if (!worker.alive) throw new Error(`the worker exited: ${worker.output}`);
      return (await probe.query(WAITING_WORKER)).rows[0];
    }, 30_000);
    const runs = new IngestionRunRepository(api.database.dataSource);
    const [interrupted] = await runs.findByJobId(String(job.id));
    expect(interrupted).toMatchObject({ status: 'running', source: SOURCE });
    expect(await contents(probe)).toEqual(yesterday);

    // ---- The restart: every session ends, the held lock with it.
    await server.restart();

    // The worker process survives it, the job is retried once the server answers, and succeeds.
    const attempts = await until('the retried run to succeed', async () => {
      if (!worker.alive) throw new Error(`the worker exited: ${worker.output}`);
      const found = await runs.findByJobId(String(job.id)).catch(() => undefined);
      return found?.some((run) => run.status === 'succeeded') ? found : undefined;
    }, 60_000, 250);
    // Every earlier attempt is failed (none left running), as a transient failure; one succeeded.
    expect(attempts.at(-1)!.status).toBe('succeeded');
    expect(attempts.slice(0, -1).map((run) => [run.status, run.errorKind])).toEqual(attempts.slice(0, -1).map(() => ['failed', 'transient']));
    expect(attempts[0]!.id).toBe(interrupted!.id);
    // The retry read from yesterday's cursor: the interrupted run advanced nothing.
    const truth = dbdGroundTruth(WORLD, TODAY_EPOCH, { updatedSince: interrupted!.cursorBefore!, pageSize: PAGE_SIZE }).companies;
    expect(attempts.at(-1)).toMatchObject({ cursorBefore: interrupted!.cursorBefore, cursorAfter: truth.latestUpdatedAt, rowsRead: truth.items, rowsInserted: 0 });

    // The end is the clean run's, table by table, with the same succeeded runs (cursor advanced once).
    const probeAfter = await probeOf('restarted');
    const final = await contents(probeAfter);
    for (const table of Object.keys(clean.today)) expect({ table, ...final[table] }).toEqual({ table, ...clean.today[table] });
    expect(await succeededRuns(probeAfter)).toEqual(clean.runs);
    expect((await probeAfter.query(`SELECT 1 FROM pg_class WHERE relname = 'ingest_staging'`)).rows).toEqual([]);
  }, 150_000);
});
