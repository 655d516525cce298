// @node-runtime: worker processes killed with SIGKILL mid-run (runs on every Node.js line .ci/run tests; docs/development.md#test-tiers)
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import fs from 'node:fs';
import path from 'node:path';
import { Client } from 'pg';
import { startHub, type RunningHub } from '../../src/app/hub';
import { type ConfigEnv } from '../../src/config/config';
import { loadHubConfig } from '../../src/app/config';
import { lockEventWriters } from '../../src/eligibility/eligibility.repository';
import { IngestionEngine } from '../../src/ingestion/ingestion.engine';
import { IngestionQueue } from '../../src/ingestion/ingestion.queue';
import { IngestionRunRepository } from '../../src/ingestion/ingestion-run.repository';
import { openDatabase, type Database } from '../../src/platform/database/database';
import { createRootLogger } from '../../src/platform/logging/logger';
import { dbdGroundTruth, startSimulator, type RunningSimulator } from '../../src/simulator/simulator';
import { hubSources } from '../../src/sources/registry';
import { createTestDatabase, redisTestUrl, type TestDatabase } from '../support/test-database';
import { createMigratedDatabase } from '../support/template-database';
import { contents, succeededRuns, WAITING_WORKER, type Contents } from '../support/table-contents';
import { until } from '../support/until';
import { FAULT_SOURCE as SOURCE, FAULT_WORLD as WORLD, faultRunEnv, PAGE_SIZE, TODAY_EPOCH, YESTERDAY } from '../support/fault-world';

/**
 * Issue 3: "A worker killed mid-run leaves no partial data visible; the retried run finishes the
 * job", tested as "a killed worker (SIGKILL during a run, then the retry: final tables equal a clean
 * run's)", with the kill in the run's database phase.
 *
 * Database A (per queue backend): yesterday's loads (bank products, DIW factories, DBD statements
 * and companies; done once, each A is a copy), then today's incremental DBD company run in a worker process, taken from the queue, reading the agency
 * simulator over HTTP. The test holds the eligibility writers' lock (as the daily eligibility
 * recompute does), so the run stops at its last derived phase (eligibility) with today's companies
 * upserted, bad rows quarantined, factory links redone, profiles recomputed and the statistics
 * aggregate rebuilt, all uncommitted; there the worker is SIGKILLed. Its backend must end although the lock it waits
 * for is still held (else it would keep the source locked and the retries would find it busy); a
 * second worker retries the job.
 * Database B: the same loads from the same simulator, done on their own, today's run uninterrupted.
 * Every table of the hub's schemas must read as yesterday's while the run is blocked, once it is
 * killed, and while the retry is blocked; and A's must equal B's in the end.
 */

const WORKER_ENTRY = path.resolve(__dirname, '../../dist/src/main.js');
describe('a worker killed in the database phase of an incremental run', () => {
  const logger = createRootLogger('silent');
  /** Closed in reverse order after all tests (each test adds its own, run after it). */
  const cleanups: (() => Promise<unknown>)[] = [];
  let simulator: RunningSimulator;
  /** Database B, the clean run's: yesterday's tables, today's, and its succeeded runs. */
  let clean: { yesterday: Contents; today: Contents; runs: unknown[] };
  /** Yesterday's loads, done once more: each killed run's database is a copy. */
  let yesterdayTemplate: TestDatabase;

  const env = (database: TestDatabase, epoch: number): ConfigEnv => faultRunEnv(database.url, simulator.url, epoch);
  const closeLater = <T>(value: T, close: (value: T) => Promise<unknown>, list = cleanups): T => {
    list.push(() => close(value));
    return value;
  };
  const probeOf = async (database: TestDatabase, list = cleanups): Promise<Client> => {
    const client = new Client({ connectionString: database.url, application_name: 'killed-worker-test' });
    await client.connect();
    return closeLater(client, (c) => c.end(), list);
  };
  const runYesterday = async (hub: Database, database: TestDatabase): Promise<void> => {
    const engine = new IngestionEngine(hub.dataSource, hubSources(), loadHubConfig(env(database, 0)), logger);
    for (const source of YESTERDAY) expect({ source, status: (await engine.run({ source, trigger: 'manual' })).status }).toEqual({ source, status: 'succeeded' });
  };

  beforeAll(async () => {
    if (!fs.existsSync(WORKER_ENTRY)) throw new Error(`${WORKER_ENTRY} is missing: build first (npm run build; npm test does)`);
    simulator = closeLater(await startSimulator({ ...WORLD, port: 0, host: '127.0.0.1' }), (s) => s.close());
    const loadYesterday = async (): Promise<{ database: TestDatabase; hub: Database }> => {
      const database = closeLater(await createMigratedDatabase(), (d) => d.drop());
      const hub = closeLater(await openDatabase(loadHubConfig(env(database, 0)), logger, { migrate: true, owner: 'cli' }), (h) => h.close());
      await runYesterday(hub, database);
      return { database, hub };
    };
    // Database B, and the template of the killed runs' databases: the same loads, independently.
    const [b, template] = await Promise.all([loadYesterday(), loadYesterday()]);
    await template.hub.close();
    yesterdayTemplate = template.database;
    // B: today's run uninterrupted, in this process.
    const probe = await probeOf(b.database);
    const yesterday = await contents(probe);
    const today = await new IngestionEngine(b.hub.dataSource, hubSources(), loadHubConfig(env(b.database, TODAY_EPOCH)), logger).run({ source: SOURCE, trigger: 'manual' });
    expect(today.status).toBe('succeeded');
    clean = { yesterday, today: await contents(probe), runs: await succeededRuns(probe) };
    // Today's run changes companies, profiles, the aggregate, the quarantine and the cursor.
    const changed = Object.keys(clean.today).filter((table) => clean.today[table]!.md5 !== yesterday[table]!.md5);
    expect(changed).toEqual(
      expect.arrayContaining(['registry.company', 'registry.company_profile', 'stats.company_aggregate', 'ingestion.quarantined_row', 'ingestion.source_state']),
    );
  }, 90_000);
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  });

  const queues = redisTestUrl() ? (['postgres', 'redis'] as const) : (['postgres'] as const);
  test.each(queues)('(%s queue) leaves yesterday\'s data as it was until the retried job ends, with the tables a clean run gives', async (queue) => {
    const after: (() => Promise<unknown>)[] = [];
    try {
      // ---- Database A: yesterday's loads (a copy), then today's run in a worker process, through the queue.
      const database = closeLater(await createTestDatabase({ template: yesterdayTemplate }), (d) => d.drop(), after);
      const envA = {
        ...env(database, TODAY_EPOCH),
        ...(queue === 'redis' ? { REDIS_URL: redisTestUrl() } : {}),
        QUEUE_PREFIX: `iihkw_${randomBytes(4).toString('hex')}`,
        PORT: '0',
        INGEST_ATTEMPTS: '3',
        INGEST_BACKOFF_MS: '100',
        // A dead worker's job is noticed as stalled within about this long.
        WORKER_LOCK_MS: '2000',
      };
      const api: RunningHub = closeLater(await startHub(loadHubConfig(envA), 'api', logger), (h) => h.stop(), after);
      const probe = await probeOf(database, after);
      const before = await contents(probe);
      expect(before).toEqual(clean.yesterday);
      const events = closeLater(api.queueBackend.createQueueEvents('ingestion'), (e) => e.close(), after);
      await events.waitUntilReady();
      const runs = new IngestionRunRepository(api.database.dataSource);

      // The eligibility writers' lock, held as the daily recompute holds it: the run will wait for
      // it after everything else it writes.
      const holder = await probeOf(database, after);
      await holder.query('BEGIN');
      await lockEventWriters(holder);

      let stderr = '';
      const worker: ChildProcess = spawn(process.execPath, [WORKER_ENTRY, '--role=worker'], { env: { ...process.env, ...envA }, stdio: ['ignore', 'ignore', 'pipe'] });
      worker.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      const exited = once(worker, 'exit');
      after.push(async () => {
        if (worker.exitCode === null && worker.signalCode === null) worker.kill('SIGKILL');
        await exited;
      });
      const job = await api.ingestionQueue.enqueue(SOURCE, 'manual');

      const blocked = await until(
        'the worker to wait for the eligibility writers\' lock',
        async () => {
          if (worker.exitCode !== null) throw new Error(`the worker exited (${worker.exitCode}): ${stderr}`);
          return (await probe.query<{ pid: number; xid: string }>(WAITING_WORKER)).rows[0];
        },
        30_000,
      );
      // What the run's transaction has written (besides rows it inserted, such as today's bad rows
      // in quarantine): the versions of rows it updated or deleted, still the visible ones, carry
      // its transaction ID as xmax. Companies upserted, profiles recomputed, the aggregate rebuilt.
      const writtenBy = async (table: string): Promise<{ written: number; all: number }> =>
        (await probe.query<{ written: number; all: number }>(`SELECT count(*) FILTER (WHERE xmax::text = $1)::int AS written, count(*)::int AS all FROM ${table}`, [blocked.xid]))
          .rows[0]!;
      const companies = await writtenBy('registry.company');
      expect(companies.written).toBeGreaterThan(0);
      expect((await writtenBy('registry.company_profile')).written).toBeGreaterThan(0);
      const aggregate = await writtenBy('stats.company_aggregate');
      expect(aggregate.written).toBe(aggregate.all);
      expect(aggregate.all).toBeGreaterThan(0);
      const [killed] = await runs.findByJobId(String(job.id));
      expect(killed).toMatchObject({ status: 'running', source: SOURCE });
      // None of it is visible.
      expect(await contents(probe)).toEqual(before);

      worker.kill('SIGKILL');
      await exited;
      // Its backend notices the worker is gone and ends, though the lock it waits for is still
      // held: all rolled back (yesterday's data, cursor included), no staging table, no source lock.
      await until(
        'the killed worker\'s backend to end',
        async () => ((await probe.query('SELECT 1 FROM pg_stat_activity WHERE pid = $1', [blocked.pid])).rows.length === 0 ? true : undefined),
        10_000,
      );
      expect(await contents(probe)).toEqual(before);
      expect((await probe.query(`SELECT 1 FROM pg_class WHERE relname = 'ingest_staging'`)).rows).toEqual([]);
      const sourceLocks = await probe.query(
        `SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
           AND objsubid = 1 AND objid::bigint = (hashtext($1)::bigint & 4294967295)`,
        [`ingest:${SOURCE}`],
      );
      expect(sourceLocks.rows).toEqual([]);

      // Another worker notices the stalled job and runs it again: it marks the dead run abandoned
      // and gets as far as the first, to wait for the same lock, still showing nothing. Then the
      // lock is released and the job ends.
      const rescuer = await startHub(loadHubConfig(envA), 'worker', logger);
      try {
        const retrying = await until('the retry to wait for the lock', async () => (await probe.query<{ pid: number }>(WAITING_WORKER)).rows[0], 30_000);
        expect(retrying.pid).not.toBe(blocked.pid);
        expect((await runs.findByJobId(String(job.id))).map((r) => r.status)).toEqual(['failed', 'running']);
        expect(await contents(probe)).toEqual(before);
        await holder.query('ROLLBACK');
        expect(await IngestionQueue.waitFor(job, events, 60_000)).toMatchObject({ status: 'succeeded' });
      } finally {
        await rescuer.stop();
      }
      const attempts = await runs.findByJobId(String(job.id));
      expect(attempts.map((r) => [r.id === killed!.id, r.status, r.errorKind])).toEqual([
        [true, 'failed', 'transient'],
        [false, 'succeeded', null],
      ]);
      expect(attempts[0]!.errorMessage).toMatch(/^abandoned/);
      // The retry read from yesterday's cursor (the killed run moved nothing), what the feed had.
      const truth = dbdGroundTruth(WORLD, TODAY_EPOCH, { updatedSince: killed!.cursorBefore!, pageSize: PAGE_SIZE }).companies;
      expect(attempts[1]).toMatchObject({
        fullRefresh: false,
        cursorBefore: killed!.cursorBefore,
        cursorAfter: truth.latestUpdatedAt,
        rowsRead: truth.items,
        rowsRejected: truth.badRecords,
        rowsDuplicate: truth.duplicates,
      });
      // The killed run had upserted the rows the retry did (updated or unchanged: none is new).
      expect(attempts[1]!.rowsInserted).toBe(0);
      expect(companies.written).toBe(attempts[1]!.rowsUpdated + attempts[1]!.rowsUnchanged);

      // A ends with B's tables, table by table, and the same succeeded runs.
      const final = await contents(probe);
      expect(Object.keys(final)).toEqual(Object.keys(clean.today));
      for (const table of Object.keys(clean.today)) expect({ table, ...final[table] }).toEqual({ table, ...clean.today[table] });
      expect(await succeededRuns(probe)).toEqual(clean.runs);
    } finally {
      for (const cleanup of after.reverse()) await cleanup().catch(() => undefined);
    }
  }, 90_000);
});
