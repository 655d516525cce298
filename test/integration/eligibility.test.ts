import { attributesHash, loadCompanyAttributes } from '../../src/eligibility/company-attributes';
import type { Queryable } from '../../src/ingestion/ingestion-run.repository';
import { lockEventWriters, writeResults, type ComputedResult } from '../../src/eligibility/eligibility.repository';
import { bangkokDate } from '../../src/shared/calendar';
import { detailsHash } from '../../src/eligibility/criteria-text';
import { evaluateRuleSet, type CriterionResult } from '../../src/eligibility/rules/evaluate';
import { parseRuleSet } from '../../src/eligibility/rules/rule-set';
import { LOADED_HUB_TIMEOUT_MS, startLoadedHub } from '../support/loaded-hub';
import type { TestHub } from '../support/test-hub';

/**
 * Stored eligibility end to end: computed by the ingestion runs' derivations, read through GraphQL
 * and the NDJSON feed, scoped by bank, and the feed's exactly-once property while runs commit.
 */
describe('Eligibility', () => {
  let t: TestHub;
  let admin: string;
  let smed: string;
  let exim: string;

  beforeAll(async () => {
    t = await startLoadedHub({ scale: 600 });
    [admin, smed, exim] = await Promise.all([t.createApiKey('admin'), t.createApiKey('bank', 'SMED'), t.createApiKey('bank', 'EXIM')]);
  }, LOADED_HUB_TIMEOUT_MS);
  afterAll(async () => {
    t?.feed.set('');
    await t?.stop();
  });

  const sql = <T>(text: string, params: unknown[] = []): Promise<T[]> => t.hub.database.dataSource.query(text, params);

  /** The hub's DataSource as the Queryable the attribute loader takes. */
  const db = (): Queryable => ({
    query: async <T>(text: string, params?: unknown[]) => ({ rows: await t.hub.database.dataSource.query<T[]>(text, params), rowCount: null }),
  });

  async function ok<T>(query: string, variables: Record<string, unknown>, key: string): Promise<T> {
    const { body } = await t.graphql<T>(query, variables, key);
    expect(body.errors).toBeUndefined();
    return body.data!;
  }

  type FeedEvent = { cursor: string; position: string; bank: string; productCode: string; juristicId: string; kind: string; eligible: boolean; ruleSetVersion: number; runId: string; occurredAt: string };
  const FEED = `query($after: String, $bank: PartnerBank) { eligibilityFeed(first: 100, after: $after, bank: $bank) {
    edges { cursor node { position bank productCode juristicId kind eligible ruleSetVersion runId occurredAt } } pageInfo { hasNextPage endCursor } } }`;
  type Read = { events: FeedEvent[]; cursor: string | null };
  type FeedPage = { eligibilityFeed: { edges: { cursor: string; node: Omit<FeedEvent, 'cursor'> }[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } } };

  /** One pass of a GraphQL reader: pages from `after` to the current end. */
  async function readGraphQL(key: string, after: string | null, bank?: string): Promise<{ events: FeedEvent[]; cursor: string | null }> {
    const events: FeedEvent[] = [];
    let cursor = after;
    for (;;) {
      const page = (await ok<FeedPage>(FEED, { after: cursor, ...(bank ? { bank } : {}) }, key)).eligibilityFeed;
      events.push(...page.edges.map((e) => ({ cursor: e.cursor, ...e.node })));
      cursor = page.pageInfo.endCursor ?? cursor;
      if (!page.pageInfo.hasNextPage) return { events, cursor };
    }
  }

  async function readNdjson(key: string, after: string | null, limit: number, bank?: string): Promise<{ status: number; events: FeedEvent[]; body: string }> {
    const query = new URLSearchParams({ limit: String(limit), ...(after ? { after } : {}), ...(bank ? { bank } : {}) });
    const response = await fetch(`${t.baseUrl}/feeds/eligibility?${query.toString()}`, { headers: { authorization: `Bearer ${key}` } });
    const body = await response.text();
    const events = response.status === 200 ? body.split('\n').filter(Boolean).map((line) => JSON.parse(line) as FeedEvent) : [];
    return { status: response.status, events, body };
  }

  /** A reader that resumes with its last cursor until the end of the feed. */
  async function readNdjsonToEnd(key: string, after: string | null, limit: number): Promise<{ events: FeedEvent[]; cursor: string | null }> {
    const events: FeedEvent[] = [];
    let cursor = after;
    for (;;) {
      const batch = (await readNdjson(key, cursor, limit)).events;
      events.push(...batch);
      if (batch.length === 0) return { events, cursor };
      cursor = batch.at(-1)!.cursor;
    }
  }

  test('every published product has a result for every firm, and the event log is dense from 1', async () => {
    const [counts] = await sql<{ firms: number; products: number; results: number; eligible: number }>(
      `SELECT (SELECT count(*)::int FROM registry.company) AS firms,
              (SELECT count(*)::int FROM lending.loan_product WHERE absent_since_run_id IS NULL) AS products,
              (SELECT count(*)::int FROM lending.eligibility_result) AS results,
              (SELECT count(*)::int FROM lending.eligibility_result WHERE eligible) AS eligible`,
    );
    expect(counts!.results).toBe(counts!.firms * counts!.products);
    expect(counts!.eligible).toBeGreaterThan(0);
    const [log] = await sql<{ n: number; min: string; max: string; became: number }>(
      `SELECT count(*)::int AS n, min(position)::text AS min, max(position)::text AS max, count(*) FILTER (WHERE kind = 'BECAME_ELIGIBLE')::int AS became FROM lending.eligibility_event`,
    );
    // First evaluations: one BECAME_ELIGIBLE per eligible result, nothing for the others.
    expect(log).toEqual({ n: counts!.eligible, min: '1', max: String(counts!.eligible), became: counts!.eligible });
  });

  test('a firm’s criteria in GraphQL agree with evaluateRuleSet on its attributes', async () => {
    const [row] = await sql<{ juristic_id: string; bank_code: string; product_code: string; rules: unknown }>(
      `SELECT r.juristic_id, r.bank_code, r.product_code, p.rules FROM lending.eligibility_result r JOIN lending.loan_product p USING (bank_code, product_code)
       WHERE r.eligible AND r.bank_code = 'SMED' ORDER BY r.product_code, r.juristic_id LIMIT 1`,
    );
    const attributes = (await loadCompanyAttributes(db(), [row!.juristic_id])).get(row!.juristic_id)!;
    const expected = evaluateRuleSet(parseRuleSet(row!.rules), attributes, { asOf: bangkokDate() });
    const toGraphQL = (c: CriterionResult): unknown => ({
      path: c.path,
      id: c.id,
      kind: c.kind,
      outcome: c.outcome,
      value: c.value === null ? null : JSON.stringify(c.value),
      provenance: c.provenance,
      criteria: (c.criteria ?? []).map(toGraphQL),
    });
    const CRITERION = 'path id kind outcome value provenance { source runId }';
    const data = await ok<{ company: { eligibility: { product: { code: string; bank: string }; eligible: boolean; outcome: string; criteria: unknown[] }[] } }>(
      `query($id: JuristicId!) { company(juristicId: $id) { eligibility { product { code bank nameEn } eligible outcome ruleSetVersion
         criteria { ${CRITERION} criteria { ${CRITERION} criteria { ${CRITERION} criteria { ${CRITERION} } } } } } } }`,
      { id: row!.juristic_id },
      smed,
    );
    const result = data.company.eligibility.find((e) => e.product.code === row!.product_code)!;
    expect(result).toMatchObject({ eligible: true, outcome: 'PASS' });
    expect(expected.eligible).toBe(true);
    expect(result.criteria).toEqual(expected.criteria.map(toGraphQL));
  });

  test('a bank sees only its own bank’s products, results and events; other products are FORBIDDEN with the same message as missing ones', async () => {
    const products = await ok<{ loanProducts: { bank: string; code: string }[] }>('{ loanProducts { bank code } }', {}, smed);
    expect(products.loanProducts.length).toBeGreaterThan(0);
    expect(new Set(products.loanProducts.map((p) => p.bank))).toEqual(new Set(['SMED']));
    expect((await ok<{ loanProducts: { bank: string }[] }>('{ loanProducts { bank } }', {}, admin)).loanProducts.some((p) => p.bank === 'EXIM')).toBe(true);

    const [firm] = await sql<{ juristic_id: string }>(`SELECT juristic_id FROM lending.eligibility_result WHERE bank_code = 'EXIM' AND eligible LIMIT 1`);
    const eligibility = await ok<{ company: { eligibility: { product: { bank: string } }[] } }>(
      'query($id: JuristicId!) { company(juristicId: $id) { eligibility { product { bank } } } }',
      { id: firm!.juristic_id },
      smed,
    );
    expect(eligibility.company.eligibility.length).toBeGreaterThan(0);
    expect(eligibility.company.eligibility.every((e) => e.product.bank === 'SMED')).toBe(true);

    const eligible = `query($p: String!) { eligibleCompanies(product: $p, first: 5) { totalCount edges { node { juristicId } } } }`;
    const other = await t.graphql(eligible, { p: 'EXIM-EXPORT-LIQUIDITY-20M' }, smed);
    const missing = await t.graphql(eligible, { p: 'NO-SUCH-PRODUCT' }, smed);
    expect(other.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(other.body.data ?? null).toBeNull();
    expect(missing.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(other.body.errors?.[0]?.message.replace('EXIM-EXPORT-LIQUIDITY-20M', 'X')).toBe(missing.body.errors?.[0]?.message.replace('NO-SUCH-PRODUCT', 'X'));

    const own = await ok<{ eligibleCompanies: { totalCount: number } }>(eligible, { p: 'EXIM-EXPORT-LIQUIDITY-20M' }, exim);
    const [expected] = await sql<{ n: number }>(`SELECT count(*)::int AS n FROM lending.eligibility_result WHERE product_code = 'EXIM-EXPORT-LIQUIDITY-20M' AND eligible`);
    expect(own.eligibleCompanies.totalCount).toBe(expected!.n);

    expect((await t.graphql(FEED, { bank: 'EXIM' }, smed)).body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const smedFeed = await readGraphQL(smed, null);
    expect(smedFeed.events.length).toBeGreaterThan(0);
    expect(smedFeed.events.every((e) => e.bank === 'SMED')).toBe(true);
    expect((await readNdjson(smed, null, 10, 'EXIM')).status).toBe(403);
    expect((await readNdjson(exim, null, 100000)).events.every((e) => e.bank === 'EXIM')).toBe(true);
    const analyst = await t.createApiKey('analyst');
    expect((await t.graphql(FEED, {}, analyst)).body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect((await readNdjson(analyst, null, 10)).status).toBe(403);
    expect((await readNdjson('not-a-key', null, 10)).status).toBe(401);
  });

  test('the NDJSON feed equals the GraphQL feed, event for event and cursor for cursor', async () => {
    const graphql = await readGraphQL(smed, null);
    const ndjson = await readNdjsonToEnd(smed, null, 37);
    expect(ndjson.events).toEqual(graphql.events);
    // Cursors are interchangeable: resuming the NDJSON feed from a GraphQL cursor.
    const middle = graphql.events[Math.floor(graphql.events.length / 2)]!;
    expect((await readNdjson(smed, middle.cursor, 1_000_000)).events).toEqual(graphql.events.slice(graphql.events.indexOf(middle) + 1));
  });

  test('a run recomputes only the firms it touched, and rewrites only the results that changed', async () => {
    type Stored = { key: string; juristic_id: string; bank_code: string; product_code: string; eligible: boolean; outcome: string; details_hash: string; rule_set_version: number; run: string; at: Date };
    const STORED = `SELECT bank_code || product_code || juristic_id AS key, juristic_id, bank_code, product_code, eligible, outcome, details_hash, rule_set_version,
                           computed_by_run_id::text AS run, computed_at AS at FROM lending.eligibility_result`;
    const before = new Map((await sql<Stored>(STORED)).map((r) => [r.key, r]));
    t.feed.set('epoch=1');
    const { runId, status } = await t.ingestNow('dbd-financials');
    expect(status).toBe('succeeded');
    const touched = new Set((await sql<{ juristic_id: string }>(`SELECT DISTINCT juristic_id FROM registry.financial_statement WHERE source_run_id = $1 OR absent_since_run_id = $1`, [runId])).map((r) => r.juristic_id));
    expect(touched.size).toBeGreaterThan(0);
    const after = await sql<Stored>(STORED);
    const decisive = (r: Stored): unknown => [r.eligible, r.outcome, r.details_hash, r.rule_set_version];

    // Every result of a touched firm is what evaluating its attributes now gives: none left stale.
    const products = await sql<{ bank_code: string; product_code: string; rule_set_version: number; rules: unknown }>(
      `SELECT bank_code, product_code, rule_set_version, rules FROM lending.loan_product WHERE absent_since_run_id IS NULL AND rule_set_version IS NOT NULL`,
    );
    const attributes = await loadCompanyAttributes(db(), [...touched].slice(0, 5000));
    const byKey = new Map(after.map((r) => [r.key, r]));
    for (const [id, company] of attributes) {
      for (const p of products) {
        const result = evaluateRuleSet(parseRuleSet(p.rules), company, { asOf: bangkokDate() });
        expect(decisive(byKey.get(p.bank_code + p.product_code + id)!)).toEqual([result.eligible, result.outcome, detailsHash(result.criteria), p.rule_set_version]);
      }
    }

    const rewritten = after.filter((r) => r.run === runId);
    const kept = after.filter((r) => r.run !== runId);
    // Rewritten: only touched firms, and only results that changed in eligibility, outcome, values or version.
    expect(rewritten.length).toBeGreaterThan(0);
    for (const row of rewritten) {
      expect(touched.has(row.juristic_id)).toBe(true);
      expect(decisive(row)).not.toEqual(before.has(row.key) ? decisive(before.get(row.key)!) : undefined);
    }
    // Every other result is exactly as it was, including touched firms' results that came out equal
    // (products whose criteria do not read the statements, at least).
    expect(kept.some((r) => touched.has(r.juristic_id))).toBe(true);
    for (const row of kept) expect(row).toEqual(before.get(row.key));
  });

  test('a firm a run touched without changing what the rules read (capital, directors) is not re-evaluated; the others are, and none is left stale', async () => {
    const inputs = async (): Promise<Map<string, { hash: string; run: string }>> =>
      new Map((await sql<{ juristic_id: string; attributes_hash: string; run: string }>(`SELECT juristic_id, attributes_hash, run_id::text AS run FROM lending.eligibility_input`)).map((r) => [r.juristic_id, { hash: r.attributes_hash, run: r.run }]));
    const inputsBefore = await inputs();
    const resultsBefore = new Map((await sql<{ key: string; run: string }>(`SELECT juristic_id || bank_code || product_code AS key, computed_by_run_id::text AS run FROM lending.eligibility_result`)).map((r) => [r.key, r.run]));
    t.feed.set('epoch=1');
    const { runId, status } = await t.ingestNow('dbd-companies');
    expect(status).toBe('succeeded');
    const touched = (await sql<{ juristic_id: string }>(`SELECT juristic_id FROM registry.company WHERE source_run_id = $1`, [runId])).map((r) => r.juristic_id);
    expect(touched.length).toBeGreaterThan(0);
    const attributes = await loadCompanyAttributes(db(), touched);
    const inputsAfter = await inputs();
    const products = await sql<{ bank_code: string; product_code: string; rules: unknown }>(
      `SELECT bank_code, product_code, rules FROM lending.loan_product WHERE absent_since_run_id IS NULL AND rule_set_version IS NOT NULL`,
    );
    const stored = new Map((await sql<{ key: string; eligible: boolean; outcome: string; details_hash: string; run: string }>(
      `SELECT juristic_id || bank_code || product_code AS key, eligible, outcome, details_hash, computed_by_run_id::text AS run FROM lending.eligibility_result WHERE juristic_id = ANY ($1::text[])`,
      [touched],
    )).map((r) => [r.key, r]));
    let skipped = 0;
    for (const id of touched) {
      const digest = attributesHash(attributes.get(id)!);
      if (inputsBefore.get(id)?.hash === digest) {
        // Nothing the rules read changed: neither its digest nor any of its results was rewritten.
        skipped += 1;
        expect(inputsAfter.get(id)).toEqual(inputsBefore.get(id));
        for (const p of products) expect(stored.get(id + p.bank_code + p.product_code)!.run).toBe(resultsBefore.get(id + p.bank_code + p.product_code));
      } else {
        expect(inputsAfter.get(id)).toEqual({ hash: digest, run: runId });
      }
      // Either way, what is stored is what evaluating the firm now gives.
      for (const p of products) {
        const result = evaluateRuleSet(parseRuleSet(p.rules), attributes.get(id)!, { asOf: bangkokDate() });
        expect(stored.get(id + p.bank_code + p.product_code)).toMatchObject({ eligible: result.eligible, outcome: result.outcome, details_hash: detailsHash(result.criteria) });
      }
    }
    expect(skipped).toBeGreaterThan(0);
    expect(skipped).toBeLessThan(touched.length);
  });

  test('a product’s new rule set recomputes that product for every firm, and no other product', async () => {
    t.feed.set('epoch=1&edition=2');
    const { runId, status } = await t.ingestNow('smed-products');
    expect(status).toBe('succeeded');
    const byProduct = await sql<{ product_code: string; n: number; versions: number[] }>(
      `SELECT product_code, count(*)::int AS n, array_agg(DISTINCT rule_set_version) AS versions FROM lending.eligibility_result WHERE computed_by_run_id = $1 GROUP BY 1`,
      [runId],
    );
    const [firms] = await sql<{ n: number }>(`SELECT count(*)::int AS n FROM registry.company`);
    expect(byProduct).toEqual([{ product_code: 'SMED-SMALL-1M', n: firms!.n, versions: [2] }]);
    expect(await sql(`SELECT count(*)::int AS n FROM lending.eligibility_result WHERE product_code <> 'SMED-SMALL-1M' AND computed_by_run_id = $1`, [runId])).toEqual([{ n: 0 }]);
  });

  test('readers resuming with their last cursor while runs commit concurrently get every event exactly once, in order', async () => {
    const [start] = await sql<{ n: number }>(`SELECT count(*)::int AS n FROM lending.eligibility_event`);
    // Edition 1 again: SMED-SMALL-1M gets version 3 (every firm recomputed), while DBD and DIP runs of a later day commit beside it.
    t.feed.set('epoch=2');
    let ingesting = true;
    const ingestion = Promise.all(['smed-products', 'dbd-companies', 'dbd-financials', 'dip-i40-assessments', 'tisi-licences'].map((s) => t.ingestNow(s))).finally(() => {
      ingesting = false;
    });
    const all: FeedEvent[] = [];
    const mine: FeedEvent[] = [];
    const readers = (async () => {
      let adminCursor: string | null = null;
      let smedCursor: string | null = null;
      let passes = 0;
      // Keep reading while runs commit, then once more after the last commit.
      for (let last = false; ; ) {
        last = !ingesting;
        const pass: [Read, Read] = await Promise.all([readGraphQL(admin, adminCursor), readNdjsonToEnd(smed, smedCursor, 53)]);
        const [a, s] = pass;
        all.push(...a.events);
        mine.push(...s.events);
        adminCursor = a.cursor;
        smedCursor = s.cursor;
        passes += 1;
        if (last) return passes;
      }
    })();
    const runs = await ingestion;
    expect(runs.map((r) => r.status)).toEqual(['succeeded', 'succeeded', 'succeeded', 'succeeded', 'succeeded']);
    expect(await readers).toBeGreaterThan(1);
    // The worker runs two jobs at once: some runs really overlapped (their commits raced).
    const [overlaps] = await sql<{ n: number }>(
      `SELECT count(*)::int AS n FROM ingestion.run x JOIN ingestion.run y ON x.id < y.id AND x.started_at < y.finished_at AND y.started_at < x.finished_at
       WHERE x.id = ANY ($1::bigint[]) AND y.id = ANY ($1::bigint[])`,
      [runs.map((r) => r.runId)],
    );
    expect(overlaps!.n).toBeGreaterThan(0);

    const table = await sql<{ position: string; bank_position: string; bank_code: string; juristic_id: string; product_code: string }>(
      `SELECT position::text, bank_position::text, bank_code, juristic_id, product_code FROM lending.eligibility_event e ORDER BY e.position`,
    );
    expect(table.length).toBeGreaterThan(start!.n);
    // Dense positions: 1..n, and the readers saw exactly them, once each, in order.
    expect(table.map((e) => e.position)).toEqual(table.map((_, i) => String(i + 1)));
    expect(all.map((e) => [e.position, e.bank, e.productCode, e.juristicId])).toEqual(table.map((e) => [e.position, e.bank_code, e.product_code, e.juristic_id]));
    // A bank's feed is numbered in its own sequence: dense too, in the same commit order.
    const smedEvents = table.filter((e) => e.bank_code === 'SMED');
    expect(smedEvents.map((e) => e.bank_position)).toEqual(smedEvents.map((_, i) => String(i + 1)));
    expect(mine.map((e) => [e.position, e.productCode, e.juristicId])).toEqual(smedEvents.map((e) => [e.bank_position, e.product_code, e.juristic_id]));
  });

  test('an event writer waits for the one before it to commit, so positions become visible in commit order with no gaps', async () => {
    const rows = await sql<ComputedResult & { run: string }>(
      `SELECT bank_code, product_code, juristic_id, eligible, outcome, criteria, details_hash, rule_set_version, computed_by_run_id::text AS run
       FROM lending.eligibility_result WHERE product_code = 'SMED-SMALL-1M' ORDER BY juristic_id LIMIT 2`,
    );
    const flipped = rows.map(({ run: _run, ...r }) => ({ ...r, eligible: !r.eligible }));
    const runId = rows[0]!.run;
    const maxPosition = async (): Promise<number> => (await sql<{ n: number }>('SELECT coalesce(max(position), 0)::int AS n FROM lending.eligibility_event'))[0]!.n;
    const [first, second] = [t.hub.database.dataSource.createQueryRunner(), t.hub.database.dataSource.createQueryRunner()];
    const a = (await first.connect()) as Queryable;
    const b = (await second.connect()) as Queryable;
    try {
      const before = await maxPosition();
      await a.query('BEGIN');
      await lockEventWriters(a);
      expect(await writeResults(a, runId, [flipped[0]!])).toBe(1);
      await b.query('BEGIN');
      let secondDone = false;
      const secondWriter = (async () => {
        await lockEventWriters(b);
        await writeResults(b, runId, [flipped[1]!]);
        await b.query('COMMIT');
        secondDone = true;
      })();
      await new Promise((resolve) => setTimeout(resolve, 300));
      // The second writer waits, and readers see neither writer's events yet.
      expect(secondDone).toBe(false);
      expect(await maxPosition()).toBe(before);
      await a.query('COMMIT');
      await secondWriter;
      const added = await sql<{ position: number; juristic_id: string }>('SELECT position::int, juristic_id FROM lending.eligibility_event e WHERE e.position > $1 ORDER BY e.position', [before]);
      expect(added).toEqual([
        { position: before + 1, juristic_id: flipped[0]!.juristic_id },
        { position: before + 2, juristic_id: flipped[1]!.juristic_id },
      ]);
    } finally {
      await first.release();
      await second.release();
    }
  });
});
