import { DailyEligibilityRecompute, DAILY_RECOMPUTE_SOURCE } from '../../src/eligibility/daily-recompute';
import { fullYearsSql } from '../../src/eligibility/daily-recompute.repository';
import {
  DAILY_RECOMPUTE_SCHEDULER_ID,
  ELIGIBILITY_QUEUE,
  ELIGIBILITY_RECOMPUTE_DEFAULT_SCHEDULE,
  enqueueDailyRecompute,
  type EligibilityJobData,
} from '../../src/eligibility/eligibility.queue';
import { bangkokDate } from '../../src/shared/calendar';
import { fullYearsBetween } from '../../src/eligibility/rules/evaluate';
import { createRootLogger } from '../../src/platform/logging/logger';
import { LOADED_HUB_TIMEOUT_MS, startLoadedHub } from '../support/loaded-hub';
import type { TestHub } from '../support/test-hub';

/**
 * The daily recompute of date-dependent rules (years since registration), with "today" under the
 * test's control: a firm's change reaches the event log on the day it happens, exactly once, through
 * the same commit-ordered event path as the ingestion runs. No sleeping: the clock is injected.
 */
describe('Daily recompute of date-dependent eligibility', () => {
  let t: TestHub;
  let admin: string;
  /** SME D Bank's revised small-firm loan asks for a year in business (`yearsSinceRegistration: { atLeast: 1 }`). */
  const PRODUCT = 'SMED-SMALL-1M';
  /** Runs the job as it would run on that day (noon in Bangkok). */
  const runOn = (day: string) =>
    new DailyEligibilityRecompute(t.hub.database.dataSource, createRootLogger('silent'), () => new Date(`${day}T12:00:00+07:00`)).run({ trigger: 'manual' });

  beforeAll(async () => {
    t = await startLoadedHub({ scale: 600 });
    admin = await t.createApiKey('admin');
    t.feed.set('edition=2');
    expect((await t.ingestNow('smed-products')).status).toBe('succeeded');
  }, LOADED_HUB_TIMEOUT_MS);
  afterAll(async () => {
    t?.feed.set('');
    await t?.stop();
  });

  const sql = <T>(text: string, params: unknown[] = []): Promise<T[]> => t.hub.database.dataSource.query(text, params);
  const addDays = (day: string, days: number): string => new Date(Date.parse(`${day}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
  const eventsOf = (juristicId: string) =>
    sql<{ position: string; kind: string; run_id: string }>(
      `SELECT e.position::text, e.kind, e.run_id::text FROM lending.eligibility_event e WHERE e.product_code = $1 AND e.juristic_id = $2 ORDER BY e.position`,
      [PRODUCT, juristicId],
    );
  const yearsStored = async (juristicId: string): Promise<number> => {
    const [row] = await sql<{ criteria: { kind: string; value: { years: number } | null }[] }>(`SELECT criteria FROM lending.eligibility_result WHERE product_code = $1 AND juristic_id = $2`, [PRODUCT, juristicId]);
    return row!.criteria.find((c) => c.kind === 'yearsSinceRegistration')!.value!.years;
  };
  const assertDense = async (): Promise<void> => {
    const positions = (await sql<{ position: string }>(`SELECT e.position::text FROM lending.eligibility_event e ORDER BY e.position`)).map((r) => r.position);
    expect(positions).toEqual(positions.map((_, i) => String(i + 1)));
  };

  test('the job has a stable scheduler on the named daily cron pattern, and a first run through the queue starts from the day results were computed', async () => {
    const queue = t.hub.queueBackend.createQueue<EligibilityJobData>(ELIGIBILITY_QUEUE);
    const events = t.hub.queueBackend.createQueueEvents(ELIGIBILITY_QUEUE);
    try {
      const scheduler = await queue.getJobScheduler(DAILY_RECOMPUTE_SCHEDULER_ID);
      expect(scheduler).toMatchObject({ key: DAILY_RECOMPUTE_SCHEDULER_ID, pattern: ELIGIBILITY_RECOMPUTE_DEFAULT_SCHEDULE, tz: 'Asia/Bangkok' });
      expect(await queue.getJobSchedulersCount()).toBe(1);

      await events.waitUntilReady();
      const before = await sql<{ n: number }>('SELECT count(*)::int AS n FROM lending.eligibility_event');
      const job = await enqueueDailyRecompute(queue, 'manual');
      const result = (await job.waitUntilFinished(events, 30_000)) as { status: string; runId: string; from: string; to: string; firms: number; events: number; dateDependentProducts: string[] };
      const realToday = bangkokDate();
      // Results were computed today, so nothing can have changed since.
      expect(result).toMatchObject({ status: 'succeeded', from: realToday, to: realToday, firms: 0, events: 0 });
      expect(result.dateDependentProducts).toEqual(expect.arrayContaining([`SMED/${PRODUCT}`, 'EXIM/EXIM-S-CURVE']));
      expect(await sql('SELECT count(*)::int AS n FROM lending.eligibility_event')).toEqual(before);
      const [run] = await sql<Record<string, unknown>>(`SELECT source, trigger, status, cursor_before, cursor_after, job_id FROM ingestion.run WHERE id = $1`, [result.runId]);
      expect(run).toEqual({ source: DAILY_RECOMPUTE_SOURCE, trigger: 'manual', status: 'succeeded', cursor_before: realToday, cursor_after: realToday, job_id: String(job.id) });
    } finally {
      await events.close();
      await queue.close();
    }
  });

  test('an eligible firm’s registration anniversary changes its stored years once: one DETAILS_CHANGED, on that day only', async () => {
    const start = bangkokDate();
    const [firm] = await sql<{ juristic_id: string; registered_on: string }>(
      `SELECT r.juristic_id, to_char(c.registered_on, 'YYYY-MM-DD') AS registered_on FROM lending.eligibility_result r JOIN registry.company c USING (juristic_id)
       WHERE r.product_code = $1 AND r.eligible ORDER BY r.juristic_id LIMIT 1`,
      [PRODUCT],
    );
    const { juristic_id: id, registered_on: registeredOn } = firm!;
    // Its next anniversary after today.
    let anniversary = `${start.slice(0, 4)}${registeredOn.slice(4)}`;
    if (anniversary <= start) anniversary = `${Number(start.slice(0, 4)) + 1}${registeredOn.slice(4)}`;
    const yearsBefore = await yearsStored(id);
    expect(yearsBefore).toBe(fullYearsBetween(registeredOn, start));
    const eventsBefore = await eventsOf(id);

    const dayBefore = await runOn(addDays(anniversary, -1));
    expect(dayBefore).toMatchObject({ status: 'succeeded', from: start, to: addDays(anniversary, -1) });
    expect(await eventsOf(id)).toEqual(eventsBefore);
    expect(await yearsStored(id)).toBe(yearsBefore);

    const onTheDay = await runOn(anniversary);
    expect(onTheDay).toMatchObject({ status: 'succeeded', from: addDays(anniversary, -1), to: anniversary });
    expect(onTheDay.firms).toBeGreaterThan(0);
    const after = await eventsOf(id);
    expect(after.slice(0, -1)).toEqual(eventsBefore);
    expect(after.at(-1)).toMatchObject({ kind: 'DETAILS_CHANGED', run_id: onTheDay.runId });
    expect(await yearsStored(id)).toBe(yearsBefore + 1);

    // The same day again, and the next day: nothing more for this firm.
    expect(await runOn(anniversary)).toMatchObject({ status: 'succeeded', firms: 0, events: 0 });
    await runOn(addDays(anniversary, 1));
    expect(await eventsOf(id)).toEqual(after);
    await assertDense();
  });

  test('a firm crossing the one-year threshold becomes eligible on its first anniversary, exactly once, and the feed carries it once', async () => {
    // A firm that is eligible once it has a year in business: set the clock to the eve of its first anniversary.
    const [firm] = await sql<{ juristic_id: string; registered_on: string }>(
      `SELECT r.juristic_id, to_char(c.registered_on, 'YYYY-MM-DD') AS registered_on FROM lending.eligibility_result r JOIN registry.company c USING (juristic_id)
       WHERE r.product_code = $1 AND r.eligible ORDER BY c.registered_on DESC, r.juristic_id LIMIT 1`,
      [PRODUCT],
    );
    const { juristic_id: id, registered_on: registeredOn } = firm!;
    const firstAnniversary = `${Number(registeredOn.slice(0, 4)) + 1}${registeredOn.slice(4)}`;
    const eve = addDays(firstAnniversary, -1);
    const eveRun = await runOn(eve);
    expect(eveRun.status).toBe('succeeded');
    expect((await eventsOf(id)).at(-1)).toMatchObject({ kind: 'NO_LONGER_ELIGIBLE', run_id: eveRun.runId });
    const [{ max }] = (await sql<{ max: string }>(`SELECT max(e.position)::text AS max FROM lending.eligibility_event e`)) as [{ max: string }];

    const dayRun = await runOn(firstAnniversary);
    expect(await runOn(firstAnniversary)).toMatchObject({ firms: 0, events: 0 });
    const crossed = (await eventsOf(id)).filter((e) => BigInt(e.position) > BigInt(max));
    expect(crossed).toEqual([{ position: expect.any(String), kind: 'BECAME_ELIGIBLE', run_id: dayRun.runId }]);
    const [result] = await sql<{ eligible: boolean }>(`SELECT eligible FROM lending.eligibility_result WHERE product_code = $1 AND juristic_id = $2`, [PRODUCT, id]);
    expect(result!.eligible).toBe(true);

    // The GraphQL feed, read from before the anniversary, carries it once, in commit order.
    const { body } = await t.graphql<{ eligibilityFeed: { edges: { node: { juristicId: string; productCode: string; kind: string; runId: string } }[] } }>(
      `query($after: String) { eligibilityFeed(first: 100, after: $after) { edges { node { juristicId productCode kind runId } } } }`,
      { after: Buffer.from(`eligibilityEvent:${max}`).toString('base64url') },
      admin,
    );
    expect(body.errors).toBeUndefined();
    const mine = body.data!.eligibilityFeed.edges.filter((e) => e.node.juristicId === id && e.node.productCode === PRODUCT);
    expect(mine.map((e) => e.node)).toEqual([{ juristicId: id, productCode: PRODUCT, kind: 'BECAME_ELIGIBLE', runId: dayRun.runId }]);
    await assertDense();
  });

  test('the SQL that picks the firms counts whole years exactly as the rule engine does, 29 February included', async () => {
    const registered = ['2020-02-29', '2021-02-28', '2021-03-01', '2019-12-31', '2024-01-01', '2023-06-15'];
    const days = ['2024-02-28', '2024-02-29', '2024-03-01', '2025-02-28', '2025-03-01', '2026-06-14', '2026-06-15', '2023-12-31', '2024-01-01', '2019-01-01'];
    const rows = await sql<{ r: string; d: string; years: number }>(
      `SELECT to_char(r, 'YYYY-MM-DD') AS r, to_char(d, 'YYYY-MM-DD') AS d, ${fullYearsSql('r', 'd')} AS years
       FROM unnest($1::date[]) AS a(r) CROSS JOIN unnest($2::date[]) AS b(d)`,
      [registered, days],
    );
    expect(rows).toHaveLength(registered.length * days.length);
    for (const row of rows) expect({ ...row, years: Number(row.years) }).toEqual({ ...row, years: fullYearsBetween(row.r, row.d) });
  });

  test('a failed run keeps nothing and does not move the window', async () => {
    const [state] = await sql<{ cursor: string }>(`SELECT cursor FROM ingestion.source_state WHERE source = $1`, [DAILY_RECOMPUTE_SOURCE]);
    const before = await sql<{ n: number }>('SELECT count(*)::int AS n FROM lending.eligibility_event');
    // Break the job inside its transaction, after it has listed the firms: their results cannot be written.
    await sql(`ALTER TABLE lending.eligibility_result RENAME TO eligibility_result_away`);
    try {
      await expect(runOn(addDays(state!.cursor, 200))).rejects.toThrow();
    } finally {
      await sql(`ALTER TABLE lending.eligibility_result_away RENAME TO eligibility_result`);
    }
    expect(await sql(`SELECT cursor FROM ingestion.source_state WHERE source = $1`, [DAILY_RECOMPUTE_SOURCE])).toEqual([{ cursor: state!.cursor }]);
    expect(await sql('SELECT count(*)::int AS n FROM lending.eligibility_event')).toEqual(before);
    const [run] = await sql<{ status: string; error_message: string }>(`SELECT status, error_message FROM ingestion.run WHERE source = $1 ORDER BY id DESC LIMIT 1`, [DAILY_RECOMPUTE_SOURCE]);
    expect(run).toMatchObject({ status: 'failed', error_message: expect.stringMatching(/eligibility_result/) });
    // The next run covers the days the failed one missed.
    expect(await runOn(addDays(state!.cursor, 200))).toMatchObject({ status: 'succeeded', from: state!.cursor });
  });
});
