import { diwGroundTruth } from '../../src/simulator/simulator';
import { schedulerId } from '../../src/ingestion/ingestion.queue';
import { IngestionRunRepository, type IngestionRunRecord } from '../../src/ingestion/ingestion-run.repository';
import { redisTestUrl } from '../support/test-database';
import { startTestHub, type TestHub } from '../support/test-hub';
import { until } from '../support/until';

/**
 * The DIW source end to end on a real PostgreSQL and a real queue, with the feed served over HTTP by
 * the agency simulator: once per queue backend (Redis only when the suite is given one; .ci/run
 * makes it mandatory).
 */
const backends: ('postgres' | 'redis')[] = redisTestUrl() ? ['postgres', 'redis'] : ['postgres'];

describe.each(backends)('DIW ingestion with the %s queue backend', (queue) => {
  let t: TestHub;
  let runs: IngestionRunRepository;
  const scale = 2000; // firms: 400 factories
  const truth = () => diwGroundTruth(t.simulatorOptions);

  const factoryCount = async (): Promise<number> =>
    Number((await t.hub.database.dataSource.query('SELECT count(*)::int AS n FROM registry.factory'))[0].n);
  const snapshot = async (): Promise<string> =>
    (await t.hub.database.dataSource.query(`SELECT md5(string_agg(fid || row_hash || source_run_id, ',' ORDER BY fid)) AS h FROM registry.factory`))[0].h;
  const run = async (id: string): Promise<IngestionRunRecord> => (await runs.findById(id))!;

  beforeAll(async () => {
    // Fires every second, so the test sees a scheduled run without waiting for 02:00.
    t = await startTestHub({ queue, scale, env: { DIW_SCHEDULE: '* * * * * *' } });
    runs = new IngestionRunRepository(t.hub.database.dataSource);
  });
  afterAll(async () => {
    await t?.stop();
  });

  test('a scheduled run loads the simulator feed and quarantines its malformed rows with reasons', async () => {
    const scheduled = await until('a scheduled run to succeed', async () =>
      (await runs.list({ source: 'diw', limit: 10 })).find((r) => r.trigger === 'schedule' && r.status === 'succeeded'),
    );
    await t.hub.ingestionQueue.queue.removeJobScheduler(schedulerId('diw'));
    await until('scheduled DIW jobs to drain', async () => {
      const pending = await t.hub.ingestionQueue.queue.getJobs(['active', 'waiting', 'delayed']);
      return pending.some((job) => job.data.source === 'diw') ? undefined : true;
    });

    const { total, badRows } = truth();
    expect(badRows).toBeGreaterThan(0);
    const first = (await runs.list({ source: 'diw', limit: 100 })).filter((r) => r.status === 'succeeded').at(-1)!;
    expect(first.id).toBe(scheduled.id);
    expect(first).toMatchObject({ rowsRead: total, rowsRejected: badRows, rowsInserted: total - badRows, rowsUpdated: 0 });
    expect(await factoryCount()).toBe(total - badRows);

    const quarantined = await runs.quarantinedRows(first.id, 1000);
    expect(quarantined).toHaveLength(badRows);
    for (const row of quarantined) {
      expect(row.reason).toMatch(/FID/);
      expect(row.lineNo).toBeGreaterThan(1);
      expect(row.raw).toBeTruthy();
    }

    const [factory] = await t.hub.database.dataSource.query(`SELECT source, source_run_id::text AS run, fetched_at FROM registry.factory LIMIT 1`);
    expect(factory.source).toBe('diw');
    expect(factory.run).toBe(first.id);
  });

  test('running the same feed again changes nothing and says so', async () => {
    const before = await snapshot();
    const { runId, status } = await t.ingestNow('diw');
    expect(status).toBe('succeeded');
    const { total, badRows } = truth();
    expect(await run(runId)).toMatchObject({ rowsRead: total, rowsInserted: 0, rowsUpdated: 0, rowsUnchanged: total - badRows, rowsRejected: badRows });
    expect(await snapshot()).toBe(before);
  });

  test.each([
    ['fault=http500', 'transient', /HTTP 500/],
    ['fault=html', 'permanent', /HTML/],
    ['fault=truncate', 'transient', /./],
    ['fault=missing-column', 'permanent', /FNAME/],
  ])('a broken feed (%s) fails the run and leaves the earlier data as it was', async (fault, kind, message) => {
    const before = await snapshot();
    const count = await factoryCount();
    t.feed.set(fault);
    try {
      const { runId, status } = await t.ingestNow('diw');
      expect(status).toBe('failed');
      const failed = await run(runId);
      expect(failed.errorKind).toBe(kind);
      expect(failed.errorMessage).toMatch(message);
      expect(failed.finishedAt).not.toBeNull();
    } finally {
      t.feed.set('');
    }
    expect(await factoryCount()).toBe(count);
    expect(await snapshot()).toBe(before);
  });

  test('a changed feed updates only the rows that changed', async () => {
    // Another seed serves other factories: everything old stays, everything new is inserted.
    t.feed.set('seed=8&scale=250&badRowRate=0'); // 50 factories
    try {
      const { runId, status } = await t.ingestNow('diw');
      expect(status).toBe('succeeded');
      const changed = await run(runId);
      expect(changed.rowsRead).toBe(50);
      expect(changed.rowsInserted + changed.rowsUpdated + changed.rowsUnchanged + changed.rowsDuplicate).toBe(50);
      expect(changed.rowsInserted).toBeGreaterThan(0);
    } finally {
      t.feed.set('');
    }
  });
});
