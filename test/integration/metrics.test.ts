// @node-runtime: the metrics HTTP listener (runs on every Node.js line .ci/run tests; docs/development.md#test-tiers)
import { MAX_OPERATION_LABELS } from '../../src/platform/metrics/metrics';
import { startTestHub, type TestHub } from '../support/test-hub';

/**
 * GET /metrics: Prometheus text for admin keys (and, on METRICS_PORT, for whoever reaches that
 * private port); the series move after a GraphQL request and after an ingestion run.
 */
describe('metrics', () => {
  let t: TestHub;
  let keys: Awaited<ReturnType<TestHub['createApiKeys']>>;

  beforeAll(async () => {
    t = await startTestHub({ scale: 300, env: { METRICS_PORT: '0' } });
    keys = await t.createApiKeys();
  }, 120_000);
  afterAll(async () => {
    await t?.stop();
  });

  async function scrape(key = keys.admin): Promise<string> {
    const response = await fetch(`${t.baseUrl}/metrics`, { headers: { authorization: `Bearer ${key}` } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    return response.text();
  }

  /** The value of one series, or undefined when the scrape has no such line. */
  function value(text: string, series: string): number | undefined {
    const line = text.split('\n').find((l) => l.startsWith(`${series} `));
    return line === undefined ? undefined : Number(line.slice(series.length + 1));
  }

  test('only admin keys read it on the API port; the browser is asked for a key', async () => {
    const none = await fetch(`${t.baseUrl}/metrics`);
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toMatch(/^Basic realm=/);
    expect(((await none.json()) as { errors: { extensions: { code: string } }[] }).errors[0]!.extensions.code).toBe('UNAUTHENTICATED');
    const analyst = await fetch(`${t.baseUrl}/metrics`, { headers: { authorization: `Bearer ${keys.analyst}` } });
    expect(analyst.status).toBe(403);
    expect(await analyst.text()).not.toMatch(/hub_/);
    // The key as a Basic password, as a browser or a scraper's basic_auth sends it.
    const basic = await fetch(`${t.baseUrl}/metrics`, { headers: { authorization: `Basic ${Buffer.from(`ops:${keys.admin}`).toString('base64')}` } });
    expect(basic.status).toBe(200);
  });

  test('process, pool, queue, source and feed series are there before anything ran', async () => {
    const text = await scrape();
    expect(text).toMatch(/^process_cpu_user_seconds_total /m);
    expect(text).toMatch(/^nodejs_eventloop_lag_seconds /m);
    expect(value(text, 'hub_db_pool_connections{state="max"}')).toBeGreaterThan(0);
    expect(value(text, 'hub_queue_jobs{queue="ingestion",state="waiting"}')).toBe(0);
    expect(value(text, 'hub_queue_jobs{queue="eligibility",state="failed"}')).toBe(0);
    expect(value(text, 'hub_source_stale{source="diw"}')).toBe(1);
    expect(value(text, 'hub_source_last_success_timestamp_seconds{source="diw"}')).toBeUndefined();
    expect(value(text, 'hub_eligibility_feed_position{bank="SMED"}')).toBe(0);
    expect(value(text, 'hub_eligibility_feed_position{bank="EXIM"}')).toBe(0);
  });

  test('a GraphQL request moves the request counter and the latency histogram', async () => {
    const series = 'hub_graphql_requests_total{operation="FactoryCount",role="ministry",code="OK"}';
    const before = value(await scrape(), series) ?? 0;
    const response = await fetch(t.graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${keys.ministry}` },
      body: JSON.stringify({ query: 'query FactoryCount { factories(first: 1) { totalCount } }', operationName: 'FactoryCount' }),
    });
    expect(response.status).toBe(200);
    const text = await scrape();
    expect(value(text, series)).toBe(before + 1);
    expect(value(text, 'hub_graphql_request_duration_seconds_count{operation="FactoryCount",role="ministry"}')).toBe(before + 1);
    expect(value(text, 'hub_graphql_request_duration_seconds_bucket{le="+Inf",operation="FactoryCount",role="ministry"}')).toBe(before + 1);
  });

  test('failures are counted with their code; callers without a key cannot add operation names', async () => {
    await t.graphql('query Broken { factories(first: 1) { noSuchField } }', {}, keys.ministry);
    await t.graphql('query WithoutKey { factories(first: 1) { totalCount } }');
    const text = await scrape();
    expect(value(text, 'hub_graphql_requests_total{operation="Broken",role="ministry",code="GRAPHQL_VALIDATION_FAILED"}')).toBe(1);
    expect(value(text, 'hub_graphql_requests_total{operation="-",role="anonymous",code="UNAUTHENTICATED"}')).toBeGreaterThanOrEqual(1);
    expect(text).not.toMatch(/operation="WithoutKey"/);
  });

  test('a bank or analyst cannot add operation names to the labels (red-team probe L6)', async () => {
    for (const key of [keys.analyst, keys.smed]) {
      // One at a time: a bank may have two requests in progress.
      for (let i = 0; i < 30; i++) expect((await t.graphql(`query Poison${i} { __typename }`, {}, key)).status).toBe(200);
    }
    const text = await scrape();
    expect(text).not.toMatch(/operation="Poison/);
    expect(value(text, 'hub_graphql_requests_total{operation="other",role="analyst",code="OK"}')).toBeGreaterThanOrEqual(30);
    expect(value(text, 'hub_graphql_requests_total{operation="other",role="bank",code="OK"}')).toBeGreaterThanOrEqual(30);
  });

  test('hostile operation names cannot grow the series without end', async () => {
    const names = Array.from({ length: MAX_OPERATION_LABELS + 50 }, (_, i) => `Op${i}`);
    for (let i = 0; i < names.length; i += 25) {
      await Promise.all(names.slice(i, i + 25).map((name) => t.graphql(`query ${name} { __typename }`, {}, keys.ministry)));
    }
    await t.graphql('query { __typename }', {}, keys.analyst);
    const weird = await fetch(t.graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${keys.analyst}` },
      body: JSON.stringify({ query: '{ __typename }', operationName: 'x"} 1\nhub_fake 2' }),
    });
    expect(weird.status).toBeLessThan(500);
    const text = await scrape();
    const operations = new Set([...text.matchAll(/^hub_graphql_requests_total\{operation="([^"]*)"/gm)].map((m) => m[1]));
    expect(operations.size).toBeLessThanOrEqual(MAX_OPERATION_LABELS + 4); // + anonymous, other, invalid, "-"
    expect(operations).toContain('other');
    expect(operations).toContain('anonymous');
    expect(text).not.toMatch(/^hub_fake/m);
  }, 60_000);

  test('an ingestion run moves the run, row and freshness series', async () => {
    const run = await t.ingestNow('diw');
    expect(run.status).toBe('succeeded');
    const [record] = await t.sql<{ rows_read: number; rows_inserted: number; rows_rejected: number }>('SELECT rows_read, rows_inserted, rows_rejected FROM ingestion.run WHERE id = $1', [run.runId]);
    const text = await scrape();
    expect(value(text, 'hub_ingestion_runs_total{source="diw",status="succeeded"}')).toBe(1);
    expect(value(text, 'hub_ingestion_rows_total{source="diw",outcome="read"}')).toBe(record!.rows_read);
    expect(value(text, 'hub_ingestion_rows_total{source="diw",outcome="inserted"}')).toBe(record!.rows_inserted);
    expect(value(text, 'hub_ingestion_rows_total{source="diw",outcome="rejected"}')).toBe(record!.rows_rejected);
    expect(value(text, 'hub_quarantine_open_rows{source="diw"}')).toBe(record!.rows_rejected);
    expect(value(text, 'hub_source_stale{source="diw"}')).toBe(0);
    expect(Math.abs(value(text, 'hub_source_last_success_timestamp_seconds{source="diw"}')! - Date.now() / 1000)).toBeLessThan(120);
    expect(value(text, 'hub_queue_jobs{queue="ingestion",state="completed"}')).toBe(1);

    t.feed.set('fault=http500');
    try {
      expect((await t.ingestNow('diw')).status).toBe('failed');
    } finally {
      t.feed.set('');
    }
    const after = await scrape();
    expect(value(after, 'hub_ingestion_runs_total{source="diw",status="failed"}')).toBe(1);
    expect(value(after, 'hub_ingestion_runs_total{source="diw",status="succeeded"}')).toBe(1);
  }, 60_000);

  test('METRICS_PORT serves the same text without a key, and nothing else', async () => {
    expect(t.hub.metricsUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
    const response = await fetch(t.hub.metricsUrl!);
    expect(response.status).toBe(200);
    expect(await response.text()).toMatch(/^hub_source_stale\{source="diw"\} 0$/m);
    expect((await fetch(t.hub.metricsUrl!.replace('/metrics', '/graphql'))).status).toBe(404);
  });
});
