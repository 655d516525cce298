// @node-runtime: stalled sockets, feed timeouts (runs on every Node.js line .ci/run tests; docs/development.md#test-tiers)
import type { Job } from 'bullmq';
import { type ConfigEnv } from '../../src/config/config';
import { loadHubConfig } from '../../src/app/config';
import { IngestionEngine } from '../../src/ingestion/ingestion.engine';
import { PermanentIngestionError, SourceBusyError, TransientIngestionError } from '../../src/ingestion/ingestion-errors';
import { IngestionQueue, INGESTION_QUEUE, type IngestJobData } from '../../src/ingestion/ingestion.queue';
import { IngestionRunRepository, type IngestionRunRecord } from '../../src/ingestion/ingestion-run.repository';
import { SourceStatusService } from '../../src/ingestion/source-status.service';
import type { HubQueueEvents } from '../../src/platform/queue/queue-backend';
import { createRootLogger } from '../../src/platform/logging/logger';
import { dbdGroundTruth } from '../../src/simulator/simulator';
import { hubSources } from '../../src/sources/registry';
import { startTestHub, type TestHub } from '../support/test-hub';
import { until } from '../support/until';

/**
 * The engine's promises of issue 3 that no other test holds it to: one run per source at a time,
 * freshness by age, the failure classes of a stalled feed and of an HTTP 4xx, and idempotence of
 * the DBD financial statements (memory bounded whatever the feed's size: ingestion-memory.test.ts).
 * Real PostgreSQL, real queue, the agency simulator over HTTP; nothing stubbed.
 */

const ATTEMPTS = 5;
const BACKOFF_MS = 1000;
const STALL_MS = 3000;

describe('ingestion engine guarantees', () => {
  let t: TestHub;
  let runs: IngestionRunRepository;
  let events: HubQueueEvents;
  const query = async <T = Record<string, unknown>>(sql: string, params: unknown[] = []): Promise<T[]> => t.hub.database.dataSource.query(sql, params);
  const run = async (id: string): Promise<IngestionRunRecord> => (await runs.findById(id))!;
  const ingest = async (source: string, options?: { full?: boolean }): Promise<IngestionRunRecord> => run((await t.ingestNow(source, options)).runId);
  const enqueue = (source: string): Promise<Job<IngestJobData>> => t.hub.ingestionQueue.enqueue(source, 'manual');
  const finish = (job: Job<IngestJobData>) => IngestionQueue.waitFor(job, events, 60_000);
  /** An engine of its own on the hub's database (a second worker, as it were), reading the feeds it is given. */
  const engineWith = (env: ConfigEnv = {}): IngestionEngine =>
    new IngestionEngine(t.hub.database.dataSource, hubSources(), loadHubConfig({ SIMULATOR_URL: t.simulatorUrl, FEED_TIMEOUT_MS: '10000', ...env }), createRootLogger('silent'));
  /** Every row of a table as JSON, less the columns that say which run wrote it and when. */
  const digest = async (table: string, order: string): Promise<string> =>
    (
      await query<{ h: string | null }>(
        `SELECT md5(string_agg((to_jsonb(t) - 'source_run_id' - 'fetched_at' - 'created_at' - 'updated_at' - 'absent_since_run_id')::text, E'\\n' ORDER BY ${order})) AS h
         FROM ${table} t`,
      )
    )[0]!.h ?? 'empty';
  const sourceState = async (source: string) => (await query('SELECT * FROM ingestion.source_state WHERE source = $1', [source]))[0];

  beforeAll(async () => {
    t = await startTestHub({ scale: 1500, env: { INGEST_ATTEMPTS: String(ATTEMPTS), INGEST_BACKOFF_MS: String(BACKOFF_MS), FEED_TIMEOUT_MS: String(STALL_MS) } });
    runs = new IngestionRunRepository(t.hub.database.dataSource);
    events = t.hub.queueBackend.createQueueEvents(INGESTION_QUEUE);
    await events.waitUntilReady();
  });
  afterAll(async () => {
    await events?.close();
    await t?.stop();
  });
  afterEach(() => t.feed.set(''));

  describe('one run per source at a time', () => {
    test('a second run of a busy source is refused as busy and leaves no run record; another source runs meanwhile', async () => {
      const before = await runs.count({ source: 'diw' });
      // The DIW feed answers after 2 s: the first run holds the source's lock that long at least.
      const slow = engineWith({ DIW_FEED_URL: `${t.simulatorUrl}/diw/factories.csv?fault=slow&delayMs=2000` });
      const first = slow.run({ source: 'diw', trigger: 'manual' });
      first.catch(() => undefined);
      await until('the first run to start', async () => ((await runs.list({ source: 'diw', limit: 1 }))[0]?.status === 'running' && (await runs.count({ source: 'diw' })) > before) || undefined);

      // From another engine (another worker) and from the same one: refused at once, clearly.
      for (const engine of [engineWith(), slow]) {
        const refused = engine.run({ source: 'diw', trigger: 'manual' });
        await expect(refused).rejects.toThrow(SourceBusyError);
        await expect(refused).rejects.toThrow('another run of diw is in progress');
        // Busy is transient: the queue retries it later (below).
        await expect(refused).rejects.toBeInstanceOf(TransientIngestionError);
      }
      // A different source is not held up by it.
      const other = await engineWith().run({ source: 'oie-mpi', trigger: 'manual' });
      const done = await first;

      expect(done.status).toBe('succeeded');
      expect(other.status).toBe('succeeded');
      expect(other.startedAt.getTime()).toBeLessThan(done.finishedAt!.getTime());
      expect(done.startedAt.getTime()).toBeLessThan(other.finishedAt!.getTime());
      // The refused runs left nothing: one new DIW run, the one that held the lock.
      expect(await runs.count({ source: 'diw' })).toBe(before + 1);
      // The lock went with the run: the next one proceeds.
      expect((await engineWith().run({ source: 'diw', trigger: 'manual' })).status).toBe('succeeded');
    });

    test('two queued jobs of one source never overlap: the one that finds it busy is retried with backoff and runs after', async () => {
      t.feed.set('fault=slow&delayMs=1500');
      const jobs = await Promise.all([enqueue('diw'), enqueue('diw')]);
      await Promise.all(jobs.map(finish));

      const [a, b] = await Promise.all(jobs.map((job) => runs.findByJobId(String(job.id))));
      // Each job ran once: its busy attempts left no run record.
      expect(a).toHaveLength(1);
      expect(b).toHaveLength(1);
      const [earlier, later] = [a![0]!, b![0]!].sort((x, y) => x.startedAt.getTime() - y.startedAt.getTime());
      expect([earlier!.status, later!.status]).toEqual(['succeeded', 'succeeded']);
      expect(later!.startedAt.getTime()).toBeGreaterThanOrEqual(earlier!.finishedAt!.getTime());
      // Both were taken together (the worker runs two jobs at once): the later one was refused and
      // retried, and its job says why.
      expect(earlier!.attempt).toBe(1);
      expect(later!.attempt).toBeGreaterThan(1);
      const laterJob = (await t.hub.ingestionQueue.queue.getJob(later!.jobId!))!;
      expect(laterJob.attemptsMade).toBe(later!.attempt);
      expect((laterJob.stacktrace ?? []).join('\n')).toMatch(/another run of diw is in progress/);
    });
  });

  describe('freshness', () => {
    /** Moves the source's last success (and the run that made it) `hours` into the past. */
    const age = async (source: string, hours: number): Promise<Date> => {
      const [state] = await query<{ at: Date }>(
        `WITH s AS (UPDATE ingestion.source_state SET last_success_at = now() - $2 * interval '1 hour' WHERE source = $1
                    RETURNING last_success_run_id, last_success_at),
              r AS (UPDATE ingestion.run r SET started_at = s.last_success_at, finished_at = s.last_success_at + (r.finished_at - r.started_at)
                    FROM s WHERE r.id = s.last_success_run_id RETURNING r.id)
         SELECT s.last_success_at AS at FROM s JOIN r ON r.id = s.last_success_run_id`,
        [source, hours],
      );
      return state!.at;
    };
    const statuses = async () => new Map((await new SourceStatusService(runs, hubSources(), loadHubConfig({})).list()).map((s) => [s.id, s]));
    let key: string;
    const dataSources = async (stale?: boolean) => {
      const { body } = await t.graphql<{ dataSources: { id: string; stale: boolean; staleAfterHours: number; lastSuccessAt: string | null; lastSuccessRunId: string | null }[] }>(
        'query ($stale: Boolean) { dataSources(stale: $stale) { id stale staleAfterHours lastSuccessAt lastSuccessRunId } }',
        stale === undefined ? {} : { stale },
        key,
      );
      expect(body.errors).toBeUndefined();
      return body.data!.dataSources;
    };
    const graphqlStatus = async (id: string) => (await dataSources()).find((s) => s.id === id)!;

    beforeAll(async () => {
      key = await t.createApiKey('analyst');
    });

    test('fresh after a run, stale once older than the source allows, stale when never loaded; a failed run refreshes nothing', async () => {
      const diw = await ingest('diw');
      const oie = await ingest('oie-mpi');
      expect([diw.status, oie.status]).toEqual(['succeeded', 'succeeded']);

      let now = await statuses();
      expect(now.get('diw')).toMatchObject({ staleAfterHours: 48, stale: false, lastSuccessRunId: diw.id });
      // A source that never loaded is stale.
      expect(now.get('tisi-standards')).toMatchObject({ lastSuccessAt: null, stale: true });
      expect((await dataSources(true)).map((s) => s.id)).toContain('tisi-standards');
      expect((await dataSources(true)).map((s) => s.id)).not.toContain('diw');
      expect((await dataSources(false)).map((s) => s.id)).toContain('diw');
      expect(await graphqlStatus('tisi-standards')).toMatchObject({ stale: true, lastSuccessAt: null, lastSuccessRunId: null });

      // Just inside its 48 hours: still fresh.
      await age('diw', 47);
      expect((await statuses()).get('diw')!.stale).toBe(false);
      expect(await graphqlStatus('diw')).toMatchObject({ stale: false, lastSuccessRunId: diw.id });

      // 49 hours: too old for DIW (48), not for OIE's monthly index (40 days), aged alike.
      const agedAt = await age('diw', 49);
      await age('oie-mpi', 49);
      now = await statuses();
      expect(now.get('diw')).toMatchObject({ stale: true, lastSuccessRunId: diw.id, lastSuccessAt: agedAt });
      expect(now.get('oie-mpi')).toMatchObject({ stale: false, staleAfterHours: 960 });
      const stale = await dataSources(true);
      expect(stale.map((s) => s.id)).toContain('diw');
      expect(stale.map((s) => s.id)).not.toContain('oie-mpi');
      expect(stale.every((s) => s.stale)).toBe(true);
      const diwStatus = stale.find((s) => s.id === 'diw')!;
      expect(Date.parse(diwStatus.lastSuccessAt!)).toBe(agedAt.getTime());
      expect((await dataSources(false)).map((s) => s.id)).toContain('oie-mpi');

      // A failed run is no load: still stale, the last success unchanged.
      const failing = engineWith({ DIW_FEED_URL: `${t.simulatorUrl}/diw/factories.csv?fault=http500` });
      await expect(failing.run({ source: 'diw', trigger: 'manual' })).rejects.toThrow(/HTTP 500/);
      expect((await statuses()).get('diw')).toMatchObject({ stale: true, lastSuccessRunId: diw.id, lastSuccessAt: agedAt });

      // Retrying quarantined rows reads no feed: no fresher either.
      const retried = await engineWith().retryQuarantined('diw');
      expect(retried.status).toBe('succeeded');
      expect((await statuses()).get('diw')).toMatchObject({ stale: true, lastSuccessRunId: diw.id, lastSuccessAt: agedAt });
      // And a source that never loaded cannot be loaded by a retry (it would count as a first load of nothing).
      await expect(engineWith().retryQuarantined('tisi-standards')).rejects.toThrow('source tisi-standards has never loaded');
      expect((await statuses()).get('tisi-standards')).toMatchObject({ lastSuccessAt: null, stale: true });

      // A good run makes it fresh again.
      const again = await ingest('diw');
      expect((await statuses()).get('diw')).toMatchObject({ stale: false, lastSuccessRunId: again.id });
      expect(await graphqlStatus('diw')).toMatchObject({ stale: false, lastSuccessRunId: again.id });
    });
  });

  describe('failure classes', () => {
    test('a feed that stalls past the stall timeout is transient: retried, and the job succeeds once the feed answers', async () => {
      // Nothing for a minute: each attempt gives up after STALL_MS.
      t.feed.set('fault=slow&delayMs=60000');
      const job = await enqueue('diw');
      await until('the first attempt to fail', async () => (await runs.findByJobId(String(job.id))).find((r) => r.status === 'failed'));
      t.feed.set('');
      await finish(job);

      const attempts = await runs.findByJobId(String(job.id));
      expect(attempts.length).toBeGreaterThanOrEqual(2);
      expect(attempts.map((r) => r.attempt)).toEqual(attempts.map((_, i) => i + 1));
      expect(attempts.at(-1)).toMatchObject({ status: 'succeeded', errorKind: null });
      for (const failed of attempts.slice(0, -1)) {
        expect(failed).toMatchObject({ status: 'failed', errorKind: 'transient', errorMessage: `feed stalled: nothing received for ${STALL_MS} ms` });
        // It waited for the stall timeout, not for the feed's minute.
        const waited = failed.finishedAt!.getTime() - failed.startedAt.getTime();
        expect(waited).toBeGreaterThanOrEqual(STALL_MS - 100);
        expect(waited).toBeLessThan(30_000);
      }
    });

    test('an HTTP 4xx fails at once as unrecoverable: one attempt, no retry, data untouched, the status named', async () => {
      if (!(await runs.hasSucceeded('diw'))) expect((await ingest('diw')).status).toBe('succeeded');
      const data = await digest('registry.factory', 'fid');
      const state = await sourceState('diw');
      const requests = t.feed.requests();

      // A query the agency's server rejects: 400 Bad Request.
      t.feed.set('scale=-1');
      const job = await enqueue('diw');
      await expect(finish(job)).rejects.toThrow(/^HTTP 400 Bad Request from /);
      expect(await job.getState()).toBe('failed');
      const attempts = await runs.findByJobId(String(job.id));
      expect(attempts).toHaveLength(1);
      expect(attempts[0]).toMatchObject({ attempt: 1, status: 'failed', errorKind: 'permanent', rowsRead: 0, rowsInserted: 0 });
      expect(attempts[0]!.errorMessage).toMatch(/^HTTP 400 Bad Request from http:\/\/127\.0\.0\.1:\d+\/diw\/factories\.csv$/);
      expect((await t.hub.ingestionQueue.queue.getJob(String(job.id)))!.attemptsMade).toBe(1);
      // The agency was asked once: no retry, with INGEST_ATTEMPTS at 5.
      expect(t.feed.requests() - requests).toBe(1);
      expect(await digest('registry.factory', 'fid')).toBe(data);
      expect(await sourceState('diw')).toEqual(state);

      // A feed that is not there (404) is permanent too.
      const missing = engineWith({ DIW_FEED_URL: `${t.simulatorUrl}/diw/no-such-feed.csv` }).run({ source: 'diw', trigger: 'manual' });
      await expect(missing).rejects.toBeInstanceOf(PermanentIngestionError);
      await expect(missing).rejects.toThrow(/^HTTP 404 Not Found from /);
      const [last] = await runs.list({ source: 'diw', limit: 1 });
      expect(last).toMatchObject({ status: 'failed', errorKind: 'permanent', errorMessage: `HTTP 404 Not Found from ${t.simulatorUrl}/diw/no-such-feed.csv` });
      expect(await digest('registry.factory', 'fid')).toBe(data);
      expect(await sourceState('diw')).toEqual(state);
    });
  });

  describe('idempotence', () => {
    test('dbd-financials: the same data loaded again changes nothing and counts every row unchanged', async () => {
      const truth = dbdGroundTruth(t.simulatorOptions).financials;
      const first = await ingest('dbd-financials');
      expect(first).toMatchObject({ status: 'succeeded', rowsInserted: truth.validRecords, rowsRejected: truth.badRecords, rowsDuplicate: truth.duplicates });
      const content = await digest('registry.financial_statement', 'juristic_id, fiscal_year');
      const provenance = await query<{ runs: string[]; latest: Date }>('SELECT array_agg(DISTINCT source_run_id::text) AS runs, max(updated_at) AS latest FROM registry.financial_statement');
      const openQuarantined = await runs.countOpenQuarantined({ source: 'dbd-financials' });
      expect(openQuarantined).toBe(truth.badRecords);

      // Read in full again (an incremental run would read nothing new).
      const second = await ingest('dbd-financials', { full: true });
      expect(second).toMatchObject({
        status: 'succeeded',
        fullRefresh: true,
        rowsRead: first.rowsRead,
        rowsInserted: 0,
        rowsUpdated: 0,
        rowsUnchanged: truth.validRecords,
        rowsRejected: truth.badRecords,
        rowsDuplicate: truth.duplicates,
        rowsMarkedAbsent: 0,
        cursorAfter: first.cursorAfter,
      });
      expect(await digest('registry.financial_statement', 'juristic_id, fiscal_year')).toBe(content);
      // Unchanged rows are not rewritten: they still name the first run, with their old update time.
      expect(await query('SELECT array_agg(DISTINCT source_run_id::text) AS runs, max(updated_at) AS latest FROM registry.financial_statement')).toEqual(provenance);
      expect(provenance[0]!.runs).toEqual([first.id]);
      // The bad rows are open once each, not once per run.
      expect(await runs.countOpenQuarantined({ source: 'dbd-financials' })).toBe(openQuarantined);
    });
  });
});
