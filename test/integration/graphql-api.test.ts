import { startTestHub, type TestHub } from '../support/test-hub';

/** The GraphQL API over HTTP: authentication, roles, factories, runs and error codes. */
describe('GraphQL API', () => {
  let t: TestHub;
  let analyst: string;
  let admin: string;
  let bank: string;

  beforeAll(async () => {
    t = await startTestHub({ scale: 1250 }); // 250 factories
    analyst = await t.createApiKey('analyst');
    admin = await t.createApiKey('admin');
    bank = await t.createApiKey('bank', 'SMED');
    expect((await t.ingestNow('diw')).status).toBe('succeeded');
  });
  afterAll(async () => {
    await t?.stop();
  });

  const FACTORIES = `query($first: Int, $after: String, $filter: FactoryFilter) {
    factories(first: $first, after: $after, filter: $filter) {
      totalCount
      edges { cursor node { fid name provinceName status isicCode provenance { source runId fetchedAt } } }
      pageInfo { hasNextPage endCursor }
    }
  }`;
  type Page = {
    factories: {
      totalCount: number;
      edges: { cursor: string; node: { fid: string; name: string; provinceName: string | null; status: string; isicCode: string | null; provenance: { source: string } } }[];
      pageInfo: { hasNextPage: boolean; endCursor: string | null };
    };
  };

  describe('authentication and roles', () => {
    test('without a key every operation answers UNAUTHENTICATED with HTTP 401', async () => {
      const { status, body } = await t.graphql('{ factories(first: 1) { totalCount } }');
      expect(status).toBe(401);
      expect(body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
      expect(body.data).toBeUndefined();
    });

    test('a key in use has its last use recorded', async () => {
      const key = await t.createApiKey('analyst');
      const [before] = await t.hub.database.dataSource.query(`SELECT last_used_at FROM access.api_client ORDER BY created_at DESC LIMIT 1`);
      expect(before.last_used_at).toBeNull();
      expect((await t.graphql('{ factories(first: 1) { totalCount } }', {}, key)).body.errors).toBeUndefined();
      expect((await t.graphql('{ factories(first: 1) { totalCount } }', {}, key)).body.errors).toBeUndefined();
      const [after] = await t.hub.database.dataSource.query(`SELECT last_used_at FROM access.api_client ORDER BY created_at DESC LIMIT 1`);
      expect(after.last_used_at).toBeInstanceOf(Date);
    });

    test('an unknown key answers UNAUTHENTICATED', async () => {
      const { body } = await t.graphql('{ factories(first: 1) { totalCount } }', {}, 'iih_not-a-real-key');
      expect(body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    });

    test('a revoked key answers UNAUTHENTICATED', async () => {
      const key = await t.createApiKey('ministry');
      expect((await t.graphql('{ factories(first: 1) { totalCount } }', {}, key)).body.errors).toBeUndefined();
      const revoked = await t.hub.services.clients.revoke('test-ministry');
      expect(revoked).toHaveLength(1);
      const { status, body } = await t.graphql('{ factories(first: 1) { totalCount } }', {}, key);
      expect(status).toBe(401);
      expect(body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    });

    test('a bank key cannot trigger ingestion: FORBIDDEN, and nothing is queued', async () => {
      const before = await t.hub.ingestionQueue.queue.getJobCounts('waiting', 'active');
      const { body } = await t.graphql('mutation { triggerIngestion(source: "diw") { jobId } }', {}, bank);
      expect(body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
      expect(body.data).toBeNull();
      expect(await t.hub.ingestionQueue.queue.getJobCounts('waiting', 'active')).toEqual(before);
    });

    test('an admin can trigger ingestion and follow the run', async () => {
      const { body } = await t.graphql<{ triggerIngestion: { jobId: string; source: string } }>(
        'mutation { triggerIngestion(source: "diw") { jobId source queuedAt } }',
        {},
        admin,
      );
      expect(body.errors).toBeUndefined();
      expect(body.data?.triggerIngestion.source).toBe('diw');
      const { body: unknown } = await t.graphql('mutation { triggerIngestion(source: "nope") { jobId } }', {}, admin);
      expect(unknown.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
      expect(unknown.errors?.[0]?.message).toMatch(/known: .*\bdiw\b/);
    });
  });

  describe('factories', () => {
    test('pages through every factory with stable cursors and a total count', async () => {
      const seen: string[] = [];
      let after: string | null = null;
      let total = 0;
      for (let i = 0; i < 100; i += 1) {
        const response: { body: { data?: Page; errors?: unknown } } = await t.graphql<Page>(FACTORIES, { first: 40, after }, analyst);
        expect(response.body.errors).toBeUndefined();
        const page: Page['factories'] = response.body.data!.factories;
        total = page.totalCount;
        seen.push(...page.edges.map((e) => e.node.fid));
        if (!page.pageInfo.hasNextPage) break;
        after = page.pageInfo.endCursor;
      }
      const [{ n }] = await t.hub.database.dataSource.query('SELECT count(*)::int AS n FROM registry.factory');
      expect(total).toBe(n);
      expect(seen).toHaveLength(n);
      expect(new Set(seen).size).toBe(n);
      expect([...seen].sort()).toEqual(seen);
    });

    test('filters by province, status, ISIC prefix and name, combined with AND', async () => {
      const [sample] = await t.hub.database.dataSource.query(
        `SELECT province, status, left(isic_code, 2) AS isic, substr(name, 1, 4) AS part FROM registry.factory WHERE province IS NOT NULL AND isic_code IS NOT NULL LIMIT 1`,
      );
      const filter = { province: sample.province, status: sample.status, isicPrefix: sample.isic };
      const { body } = await t.graphql<Page>(FACTORIES, { first: 100, filter }, analyst);
      expect(body.errors).toBeUndefined();
      const [{ n }] = await t.hub.database.dataSource.query(
        `SELECT count(*)::int AS n FROM registry.factory WHERE province = $1 AND status = $2 AND isic_code LIKE $3 || '%'`,
        [sample.province, sample.status, sample.isic],
      );
      expect(body.data!.factories.totalCount).toBe(n);
      for (const { node } of body.data!.factories.edges) {
        expect(node.provinceName).toBe(sample.province);
        expect(node.status).toBe(sample.status);
        expect(node.isicCode!.startsWith(sample.isic)).toBe(true);
      }
      const byName = await t.graphql<Page>(FACTORIES, { first: 5, filter: { nameContains: sample.part } }, analyst);
      expect(byName.body.data!.factories.edges.length).toBeGreaterThan(0);
    });

    test('one factory by FID, with its provenance', async () => {
      const [row] = await t.hub.database.dataSource.query('SELECT fid, name, source_run_id::text AS run FROM registry.factory ORDER BY fid LIMIT 1');
      const { body } = await t.graphql<{ factory: { fid: string; name: string; provenance: { source: string; runId: string } } }>(
        'query($fid: String!) { factory(fid: $fid) { fid name provenance { source runId fetchedAt } } }',
        { fid: row.fid },
        bank,
      );
      expect(body.errors).toBeUndefined();
      expect(body.data!.factory).toMatchObject({ fid: row.fid, name: row.name, provenance: { source: 'diw', runId: row.run } });
    });

    test.each([
      ['a page size over the maximum', '{ factories(first: 1000) { totalCount } }', 'BAD_USER_INPUT'],
      ['a cursor that is not one', '{ factories(after: "bm9wZQ") { totalCount } }', 'BAD_USER_INPUT'],
      ['a malformed FID', '{ factory(fid: "12") { fid } }', 'BAD_USER_INPUT'],
      ['an unknown FID', '{ factory(fid: "99999999999999") { fid } }', 'NOT_FOUND'],
      ['an unknown field', '{ factories { nope } }', 'GRAPHQL_VALIDATION_FAILED'],
      ['a syntax error', '{ factories( ', 'GRAPHQL_PARSE_FAILED'],
    ])('%s gets a clear error with a stable code and no stack trace', async (_what, query, code) => {
      const { body } = await t.graphql(query, {}, analyst);
      expect(body.errors?.[0]?.extensions?.code).toBe(code);
      expect(JSON.stringify(body)).not.toMatch(/stacktrace|at .*\.ts:\d+/);
    });
  });

  test('ingestion runs are listed newest first for analysts, with their counts', async () => {
    const { body } = await t.graphql<{ ingestionRuns: { totalCount: number; edges: { node: { runId: string; source: string; status: string; rowsRead: number } }[] } }>(
      '{ ingestionRuns(source: "diw", first: 5) { totalCount edges { node { runId source status rowsRead rowsRejected durationMs } } } }',
      {},
      analyst,
    );
    expect(body.errors).toBeUndefined();
    const nodes = body.data!.ingestionRuns.edges.map((e) => e.node);
    expect(nodes.length).toBeGreaterThan(0);
    expect(nodes[0]!.source).toBe('diw');
    expect(nodes.map((n) => Number(n.runId))).toEqual([...nodes.map((n) => Number(n.runId))].sort((a, b) => b - a));
    const { body: forBank } = await t.graphql('{ ingestionRuns { totalCount } }', {}, bank);
    expect(forBank.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });

  test('data sources say how fresh each source is; operational fields are for admins', async () => {
    type Sources = { dataSources: { id: string; stale: boolean; lastSuccessAt: string | null; mode: string; feedUrl?: string }[] };
    const { body } = await t.graphql<Sources>('{ dataSources { id stale lastSuccessAt mode staleAfterHours } }', {}, analyst);
    expect(body.errors).toBeUndefined();
    const byId = new Map(body.data!.dataSources.map((s) => [s.id, s]));
    expect(byId.get('diw')).toMatchObject({ stale: false, mode: 'SNAPSHOT' });
    expect(byId.get('diw')!.lastSuccessAt).not.toBeNull();
    // Never loaded in this hub: stale.
    expect(byId.get('dbd-companies')).toMatchObject({ stale: true, lastSuccessAt: null, mode: 'INCREMENTAL' });

    const staleOnly = await t.graphql<Sources>('{ dataSources(stale: true) { id } }', {}, bank);
    expect(staleOnly.body.data!.dataSources.map((s) => s.id)).not.toContain('diw');
    expect(staleOnly.body.data!.dataSources.length).toBe(byId.size - 1);

    const forBank = await t.graphql<Sources>('{ dataSources { id feedUrl } }', {}, bank);
    expect(forBank.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const forAdmin = await t.graphql<Sources>('{ dataSources { id feedUrl cursor openQuarantinedRows } }', {}, admin);
    expect(forAdmin.body.errors).toBeUndefined();
    expect(forAdmin.body.data!.dataSources.find((s) => s.id === 'diw')!.feedUrl).toMatch(/\/diw\/factories\.csv$/);
  });

  test('admins list quarantined rows with their reasons, paged; other roles may not', async () => {
    type Page = { quarantinedRows: { totalCount: number; edges: { node: { source: string; reason: string; raw: string; lineNo: number } }[]; pageInfo: { hasNextPage: boolean; endCursor: string } } };
    const query = 'query($after: String) { quarantinedRows(source: "diw", first: 1, after: $after) { totalCount edges { node { source reason raw lineNo } } pageInfo { hasNextPage endCursor } } }';
    const first = await t.graphql<Page>(query, {}, admin);
    expect(first.body.errors).toBeUndefined();
    const [{ n }] = await t.hub.database.dataSource.query(`SELECT count(*)::int AS n FROM ingestion.quarantined_row WHERE source = 'diw' AND resolved_at IS NULL`);
    expect(n).toBeGreaterThan(0);
    expect(first.body.data!.quarantinedRows.totalCount).toBe(n);
    const row = first.body.data!.quarantinedRows.edges[0]!.node;
    expect(row).toMatchObject({ source: 'diw', reason: expect.stringMatching(/FID must be 14 digits/) });
    expect(JSON.parse(row.raw)).toHaveProperty('FID');
    if (n > 1) {
      const second = await t.graphql<Page>(query, { after: first.body.data!.quarantinedRows.pageInfo.endCursor }, admin);
      expect(second.body.data!.quarantinedRows.edges[0]!.node.lineNo).not.toBe(row.lineNo);
    }
    const forAnalyst = await t.graphql(query, {}, analyst);
    expect(forAnalyst.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });

  test('GET works for queries, with the same key, and refuses mutations', async () => {
    const query = encodeURIComponent('{ factories(first: 2) { edges { node { fid } } } }');
    const response = await fetch(`${t.baseUrl}/graphql?query=${query}`, { headers: { authorization: `Bearer ${analyst}` } });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { data: { factories: { edges: unknown[] } } };
    expect(body.data.factories.edges).toHaveLength(2);
    const mutation = encodeURIComponent('mutation { triggerIngestion(source: "diw") { jobId } }');
    const refused = await fetch(`${t.baseUrl}/graphql?query=${mutation}`, { headers: { authorization: `Bearer ${admin}` } });
    expect(refused.status).toBe(405);
  });

  test('health and readiness answer JSON', async () => {
    const health = await fetch(`${t.baseUrl}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: 'ok' });
    const ready = await fetch(`${t.baseUrl}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready', checks: { startup: 'ok', database: 'ok', queue: 'ok' } });
  });
});
