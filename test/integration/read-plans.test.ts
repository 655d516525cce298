import { startHub, type RunningHub } from '../../src/app/hub';
import { COMPANY_FIELD_SQL } from '../../src/domains/company/company.repository';
import { FACTORY_FIELD_SQL } from '../../src/domains/factory/factory.repository';
import { encodeCursor } from '../../src/platform/graphql/connection';
import { createRootLogger } from '../../src/platform/logging/logger';
import { LOADED_HUB_TIMEOUT_MS, startLoadedHub } from '../support/loaded-hub';
import type { GraphQLBody, TestHub } from '../support/test-hub';

/**
 * Read plans (docs/performance.md): `companies` with plain fields and nested `factories`, read in
 * one statement, must answer exactly what the resolvers answer. Two API processes on one database,
 * one with READ_PLANS=on (the default) and one with it off, answer the same generated selections
 * for every role; answers, errors and the read-audit entries must be identical. Selections the plan
 * does not cover (relations, consent-gated fields, directives, refused arguments) are mixed in:
 * they fall back to the resolvers and must answer the same too.
 */
describe('Read plans against the resolvers', () => {
  let t: TestHub;
  let slow: RunningHub;
  const keys: Record<string, string> = {};
  let someFid: string;

  beforeAll(async () => {
    // Limits on, as served, but wide enough for this file's few hundred requests per key.
    t = await startLoadedHub({ scale: 1500, env: { RATE_LIMIT_REQUESTS_PER_MINUTE: '100000000', RATE_LIMIT_COST_PER_MINUTE: '2000000000' } });
    slow = await startHub({ ...t.config, readPlans: false }, 'api', createRootLogger('silent'));
    const [area] = await t.sql<{ code: string; centre: number }>(
      `SELECT p.province_code AS code, r.promotion_centre AS centre FROM registry.company_profile p JOIN reference.province r ON r.code = p.province_code
       GROUP BY 1, 2 ORDER BY count(*) DESC, 1 LIMIT 1`,
    );
    const [firm] = await t.sql<{ id: string }>(`SELECT company_juristic_id AS id FROM registry.factory WHERE company_juristic_id IS NOT NULL GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1`);
    const [middle] = await t.sql<{ fid: string }>(`SELECT fid FROM registry.factory ORDER BY fid OFFSET (SELECT count(*) / 2 FROM registry.factory) LIMIT 1`);
    someFid = middle!.fid;
    // The world links every factory by tax ID or exact name, so no listed operator would be masked:
    // some of the first companies' factories get a fuzzy link or a personal tax ID (masked for all).
    await t.sql(
      `UPDATE registry.factory f SET link_method = CASE WHEN right(f.fid, 1) IN ('1', '4', '7') THEN 'FUZZY_NAME' ELSE f.link_method END,
         operator_tax_id = CASE WHEN right(f.fid, 1) IN ('2', '5') THEN '1101700203451' ELSE f.operator_tax_id END,
         operator_name = coalesce(f.operator_name, 'นายสมชาย ใจดี')
       WHERE f.fid IN (SELECT fid FROM registry.factory WHERE company_juristic_id IS NOT NULL ORDER BY company_juristic_id, fid LIMIT 300)`,
    );
    const create = async (name: string, input: Record<string, unknown>): Promise<void> => {
      keys[name] = (await t.hub.services.clients.create({ name: `plans-${name}`, rateLimitPerMinute: 1_000_000, ...input } as Parameters<typeof t.hub.services.clients.create>[0])).key;
    };
    await create('admin', { role: 'admin' });
    await create('ministry', { role: 'ministry' });
    await create('analyst', { role: 'analyst' });
    await create('bank', { role: 'bank', bankCode: 'SMED' });
    await create('province', { role: 'province', provinceCode: area!.code });
    await create('centre', { role: 'centre', centre: area!.centre });
    await create('firm', { role: 'firm', juristicId: firm!.id });
  }, LOADED_HUB_TIMEOUT_MS);
  afterAll(async () => {
    await slow?.stop();
    await t?.stop();
  });

  /** A deterministic pseudo-random sequence (mulberry32), so a failure names a selection that can be rerun. */
  function random(seed: number): () => number {
    let a = seed;
    return () => {
      a = (a + 0x6d2b79f5) | 0;
      let x = Math.imul(a ^ (a >>> 15), 1 | a);
      x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
      return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
    };
  }

  const COMPANY_FIELDS = [...Object.keys(COMPANY_FIELD_SQL).filter((f) => f !== 'provinceCode'), 'id'];
  const FACTORY_FIELDS = [...Object.keys(FACTORY_FIELD_SQL), 'id'];
  const PROVENANCE = ['source', 'runId', 'fetchedAt', 'sourceUpdatedAt'];
  const FILTERS = [
    null,
    '{ status: [ACTIVE] }',
    '{ smeSize: [SMALL, MEDIUM], hasOperatingFactory: true }',
    '{ region: CENTRAL }',
    '{ province: "10" }',
    '{ hasOperatingFactory: true, status: [ACTIVE] }',
    '{ tsicPrefix: "10" }',
  ];
  const ORDERS = [null, '{ field: NAME_TH }', '{ field: REVENUE, direction: DESC }', '{ field: REGISTERED_ON }', '{ field: REGISTERED_CAPITAL, direction: DESC }', '{ field: JURISTIC_ID, direction: DESC }'];
  /** What the plan does not cover: each makes the request fall back to the resolvers. */
  const FALLBACKS = [
    'province { code nameEn }',
    'financialStatements { fiscalYear revenueBaht }',
    'directors { name masked }',
    'nameTh @include(if: true)',
    'factories(first: 2) { edges { node { fid company { juristicId } } } }',
    'factories(first: 0) { totalCount }',
    'factories(first: 500) { totalCount }',
    'factories(after: "not-a-cursor") { totalCount }',
    'certifications(first: 2) { totalCount }',
  ];

  interface Generated {
    text: string;
    planned: boolean;
    withCount: boolean;
  }

  function generate(seed: number): Generated {
    const next = random(seed);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
    const some = (items: readonly string[], max: number): string[] => {
      const chosen = new Set<string>();
      const n = 1 + Math.floor(next() * max);
      while (chosen.size < n) chosen.add(pick(items));
      return [...chosen];
    };
    const provenance = (): string => (next() < 0.3 ? ` provenance { ${some(PROVENANCE, 4).join(' ')} }` : '');
    const factories = (alias: string): string => {
      const args: string[] = [];
      if (next() < 0.8) args.push(`first: ${pick([1, 2, 5, 20])}`);
      if (next() < 0.25) args.push(`after: "${encodeCursor('factory', someFid)}"`);
      const parts: string[] = [];
      if (next() < 0.4) parts.push('totalCount');
      if (next() < 0.4) parts.push(`pageInfo { ${some(['hasNextPage', 'hasPreviousPage', 'startCursor', 'endCursor'], 3).join(' ')} }`);
      parts.push(`edges { ${next() < 0.3 ? 'cursor ' : ''}node { ${some(FACTORY_FIELDS, 8).join(' ')}${provenance()}${next() < 0.2 ? ' __typename' : ''} } }`);
      return `${alias}factories${args.length ? `(${args.join(', ')})` : ''} { ${parts.join(' ')} }`;
    };
    const fields = some(COMPANY_FIELDS, 10).map((field) => (next() < 0.1 ? `alias_${field}: ${field}` : field));
    let node = fields.join(' ') + provenance();
    if (next() < 0.6) node += ` ${factories('')}`;
    if (next() < 0.2) node += ` few: ${factories('')}`;
    let fragments = '';
    const shape = next();
    if (shape < 0.15) {
      fragments = ` fragment picked on Company { ${node} }`;
      node = '...picked';
    } else if (shape < 0.3) node = `... on Company { ${node} } ... on Node { id }`;
    let planned = true;
    if (next() < 0.3) {
      node += ` ${pick(FALLBACKS)}`;
      planned = false;
    }
    const args: string[] = [`first: ${pick([1, 3, 10, 25, 50])}`];
    const filter = pick(FILTERS);
    if (filter) args.push(`filter: ${filter}`);
    const order = pick(ORDERS);
    if (order) args.push(`orderBy: ${order}`);
    const withCount = next() < 0.4;
    const connection = [withCount ? 'totalCount' : '', `edges { ${next() < 0.4 ? 'cursor ' : ''}node { ${node} } }`, 'pageInfo { hasNextPage endCursor }'].filter(Boolean).join(' ');
    return { text: `query($after: String) { companies(${args.join(', ')}, after: $after) { ${connection} } }${fragments}`, planned, withCount };
  }

  type Answer = GraphQLBody<{ companies?: { edges?: unknown[]; pageInfo?: { endCursor: string | null } } }> & { extensions?: { sqlStatements?: number } };

  async function ask(url: string, text: string, variables: Record<string, unknown>, key: string): Promise<{ body: Answer; audit: unknown[] }> {
    const [{ seq }] = (await t.sql<{ seq: string }>(`SELECT coalesce(max(seq), 0)::text AS seq FROM audit.read_entry`)) as [{ seq: string }];
    const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` }, body: JSON.stringify({ query: text, variables }) });
    const body = (await response.json()) as Answer;
    const audit = await t.sql(`SELECT role, juristic_ids, entities, field_groups, consent_ids FROM audit.read_entry WHERE seq > $1 ORDER BY seq`, [seq]);
    return { body, audit };
  }

  const withoutExtensions = (body: Answer): Answer => ({ ...body, extensions: undefined });

  test('generated selections answer the same, with the same audit, for every role, and planned ones in one statement', async () => {
    let planned = 0;
    let compared = 0;
    let withRecords = 0;
    for (let seed = 1; seed <= 32; seed++) {
      const query = generate(seed);
      for (const [role, key] of Object.entries(keys)) {
        let after: string | null = null;
        // The first page, then the next one from its cursor.
        for (let page = 0; page < 2; page++) {
          const fast = await ask(t.graphqlUrl, query.text, { after }, key);
          const reference = await ask(`${slow.apiUrl!}/graphql`, query.text, { after }, key);
          expect([seed, role, page, query.text, withoutExtensions(fast.body)]).toEqual([seed, role, page, query.text, withoutExtensions(reference.body)]);
          expect([seed, role, page, fast.audit]).toEqual([seed, role, page, reference.audit]);
          compared += 1;
          const edges = fast.body.data?.companies?.edges?.length ?? 0;
          if (edges > 0) withRecords += 1;
          if (role === 'admin' && query.planned) {
            // The plan ran: the page and all that is nested in it in one statement (an empty page's count is one more).
            expect([seed, page, fast.body.extensions?.sqlStatements]).toEqual([seed, page, edges === 0 && query.withCount ? 2 : 1]);
            planned += 1;
          }
          after = fast.body.data?.companies?.pageInfo?.endCursor ?? null;
          if (!after) break;
        }
      }
    }
    expect(planned).toBeGreaterThan(20);
    expect(compared).toBeGreaterThan(250);
    expect(withRecords).toBeGreaterThan(150);
  }, 600_000);

  test('the nested read is one statement for 1, 10 and 100 companies, its factories included', async () => {
    const nested = `query($n: Int) { companies(first: $n, filter: { hasOperatingFactory: true }) { totalCount edges { node { juristicId nameTh factories(first: 5) { totalCount edges { node { fid name } } } } } } }`;
    const counts: number[] = [];
    const listing: number[] = [];
    for (const n of [1, 10, 100]) {
      const { body } = await ask(t.graphqlUrl, nested, { n }, keys['admin']!);
      expect(body.errors).toBeUndefined();
      const companies = (body.data as { companies: { edges: { node: { factories: { edges: unknown[] } } }[] } }).companies;
      expect(companies.edges.length).toBe(n);
      // hasOperatingFactory counts every factory linked to the firm (a derived fact), a masked operator's too, which
      // Company.factories does not list (the setup masks some): a company may list none.
      listing.push(companies.edges.filter((e) => e.node.factories.edges.length > 0).length);
      counts.push(body.extensions!.sqlStatements!);
    }
    expect(counts).toEqual([1, 1, 1]);
    expect(listing[2]).toBeGreaterThan(50);
  });
});
