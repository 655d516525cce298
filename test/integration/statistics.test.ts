import { type CompanyStatsDimension, StatsSource } from '../../src/domains/statistics/statistics.type';
import type { PoolClient } from 'pg';
import { refreshCompanyAggregate } from '../../src/linking/company-aggregate';
import { recomputeProfiles } from '../../src/linking/company-profile';
import { targetIndustriesOfTsic } from '../../src/reference/target-industry';
import { LOADED_HUB_TIMEOUT_MS, startLoadedHub } from '../support/loaded-hub';
import type { TestHub } from '../support/test-hub';

/**
 * Analyst aggregations: every figure is checked against SQL written here over the raw tables
 * (company, province, the target-industry mapping, statements, assessments), not over the profiles
 * or the aggregate the hub computes them from; then again after a run changes the data.
 */
describe('Statistics', () => {
  let t: TestHub;
  let analyst: string;
  // The counts are compared with the raw rows, small groups included: a role that sees every group
  // (analysts see groups of 5 firms or more: test/integration/area-scope.test.ts).
  let exact: string;

  beforeAll(async () => {
    t = await startLoadedHub({ scale: 1500 });
    analyst = await t.createApiKey('analyst');
    exact = await t.createApiKey('ministry');
    // The simulated world has no firm in two target industries; make 25 (TSIC 26510, measuring
    // instruments, is smart electronics and robotics) and derive their facts as a run does.
    const runner = t.hub.database.dataSource.createQueryRunner();
    const client = (await runner.connect()) as PoolClient;
    try {
      await client.query('BEGIN');
      await client.query(`CREATE TEMP TABLE profile_affected ON COMMIT DROP AS
        SELECT juristic_id FROM registry.company WHERE tsic_code NOT LIKE '26%' ORDER BY juristic_id LIMIT 25`);
      await client.query(`UPDATE registry.company SET tsic_code = '26510' WHERE juristic_id IN (SELECT juristic_id FROM pg_temp.profile_affected)`);
      const { rows } = await client.query<{ id: string }>(`SELECT max(id)::text AS id FROM ingestion.run`);
      await recomputeProfiles(client, rows[0]!.id);
      await refreshCompanyAggregate(client, rows[0]!.id);
      await client.query('COMMIT');
    } finally {
      await runner.release();
    }
  }, LOADED_HUB_TIMEOUT_MS);
  afterAll(async () => {
    await t?.stop();
  });

  const sql = <T>(text: string, params: unknown[] = []): Promise<T[]> => t.hub.database.dataSource.query(text, params);

  type Measure = { sum: number | null; average: number | null; known: number };
  type Key = { dimension: string; code: string | null; nameEn: string | null; nameTh: string | null };
  type Group = { keys: Key[]; count: number; registeredCapital: Measure; revenue: Measure; employees: Measure };
  type Stats = { groupBy: string[]; groups: Group[]; source: string; aggregateRefreshedAt: string | null };

  const COMPANY_STATS = `query($f: CompanyFilter, $g: [CompanyStatsDimension!]!) {
    companyStats(filter: $f, groupBy: $g) {
      groupBy source aggregateRefreshedAt
      groups { keys { dimension code nameEn nameTh } count registeredCapital { sum average known } revenue { sum average known } employees { sum average known } }
    }
  }`;

  async function companyStats(groupBy: string[], filter?: Record<string, unknown>, key = exact): Promise<Stats> {
    const { body } = await t.graphql<{ companyStats: Stats }>(COMPANY_STATS, { g: groupBy, f: filter }, key);
    expect(body.errors).toBeUndefined();
    return body.data!.companyStats;
  }

  /**
   * Each dimension's key over the raw rows: region and province through the province's Thai name,
   * target industries through the latest version of the TSIC mapping, the Industry 4.0 level from
   * the latest assessment (floored after the profile's one-decimal rounding).
   */
  const RAW_KEYS: Record<string, string> = {
    REGION: 'upper(rp.region)',
    PROVINCE: 'rp.code',
    TSIC_DIVISION: `nullif(substr(c.tsic_code, 1, 2), '')`,
    TARGET_INDUSTRY: 'ti.industry_code',
    SME_SIZE: 'p.sme_size',
    INDUSTRY40_LEVEL: `floor(i40.overall_level)::int || '.0'`,
    REGISTRATION_YEAR: `to_char(c.registered_on, 'YYYY')`,
    STATUS: 'c.status',
    JURISTIC_TYPE: 'c.juristic_type_code',
  };
  const IN_TARGET_INDUSTRY = `c.tsic_code LIKE m.tsic_prefix || '%' AND m.mapping_version = (SELECT max(mapping_version) FROM reference.target_industry_tsic)`;
  /** The rows, with one row per target industry of a firm (or one null) only when grouping by it. */
  const rawFrom = (byIndustry: boolean): string => `registry.company c
    LEFT JOIN reference.province rp ON rp.name_th = c.province
    LEFT JOIN registry.company_profile p ON p.juristic_id = c.juristic_id
    ${byIndustry ? `LEFT JOIN LATERAL (SELECT DISTINCT m.industry_code FROM reference.target_industry_tsic m WHERE ${IN_TARGET_INDUSTRY}) ti ON true` : ''}
    LEFT JOIN LATERAL (
      SELECT fs.revenue_baht, fs.employees FROM registry.financial_statement fs
      WHERE fs.juristic_id = c.juristic_id AND fs.absent_since_run_id IS NULL ORDER BY fs.fiscal_year DESC LIMIT 1
    ) fin ON true
    LEFT JOIN LATERAL (
      SELECT a.overall_level FROM registry.dip_i40_assessment a
      -- the firm's assessments are those linked to it (by ID, or by name when DIP left the ID out)
      WHERE a.company_juristic_id = c.juristic_id AND a.absent_since_run_id IS NULL ORDER BY a.assessed_on DESC LIMIT 1
    ) i40 ON true`;

  type Expected = { count: number; capital: [number | null, number]; revenue: [number | null, number]; employees: [number | null, number] };

  /** Groups computed here, keyed by their codes joined with `|` (null as `∅`). */
  async function expected(groupBy: string[], where = 'true'): Promise<Map<string, Expected>> {
    const keys = groupBy.map((d, i) => `(${RAW_KEYS[d]})::text AS k${i}`).join(', ');
    const rows = await sql<Record<string, string | null>>(
      `SELECT ${keys}, count(*)::int AS n,
         sum(c.registered_capital_baht)::text AS cap, count(c.registered_capital_baht)::int AS cap_n,
         sum(fin.revenue_baht)::text AS rev, count(fin.revenue_baht)::int AS rev_n,
         sum(fin.employees)::text AS emp, count(fin.employees)::int AS emp_n
       FROM ${rawFrom(groupBy.includes('TARGET_INDUSTRY'))} WHERE ${where} GROUP BY ${groupBy.map((_, i) => i + 1).join(', ')}`,
    );
    const num = (v: string | null | undefined): number | null => (v === null || v === undefined ? null : Number(v));
    return new Map(
      rows.map((r) => [
        groupBy.map((_, i) => r[`k${i}`] ?? '∅').join('|'),
        { count: Number(r['n']), capital: [num(r['cap']), Number(r['cap_n'])], revenue: [num(r['rev']), Number(r['rev_n'])], employees: [num(r['emp']), Number(r['emp_n'])] },
      ]),
    );
  }

  function asMap(stats: Stats): Map<string, Expected> {
    return new Map(
      stats.groups.map((g) => [
        g.keys.map((k) => k.code ?? '∅').join('|'),
        {
          count: g.count,
          capital: [g.registeredCapital.sum, g.registeredCapital.known],
          revenue: [g.revenue.sum, g.revenue.known],
          employees: [g.employees.sum, g.employees.known],
        },
      ]),
    );
  }

  function expectSameGroups(stats: Stats, wanted: Map<string, Expected>): void {
    expect(wanted.size).toBeGreaterThan(0);
    const got = asMap(stats);
    expect([...got.keys()].sort()).toEqual([...wanted.keys()].sort());
    for (const [key, value] of wanted) {
      const actual = got.get(key)!;
      expect({ key, count: actual.count, capitalKnown: actual.capital[1], revenueKnown: actual.revenue[1], employeesKnown: actual.employees[1] }).toEqual({
        key,
        count: value.count,
        capitalKnown: value.capital[1],
        revenueKnown: value.revenue[1],
        employeesKnown: value.employees[1],
      });
      for (const m of ['capital', 'revenue', 'employees'] as const) {
        if (value[m][0] === null) expect(actual[m][0]).toBeNull();
        else expect(actual[m][0]).toBeCloseTo(value[m][0], 2);
      }
    }
    for (const g of stats.groups) {
      for (const m of [g.registeredCapital, g.revenue, g.employees]) {
        if (m.known === 0) expect(m.average).toBeNull();
        else expect(m.average).toBeCloseTo(m.sum! / m.known, 6);
      }
    }
  }

  test('grouped by region and target industry: from the aggregate, equal to the raw rows, each company once per target industry', async () => {
    const stats = await companyStats(['REGION', 'TARGET_INDUSTRY']);
    expect(stats.source).toBe('AGGREGATE');
    expect(stats.aggregateRefreshedAt).not.toBeNull();
    expectSameGroups(stats, await expected(['REGION', 'TARGET_INDUSTRY']));
    // Multi-valued: the groups add up to at least the companies, and to the companies plus the extra memberships.
    const [{ companies, memberships }] = await sql<{ companies: number; memberships: number }>(
      `SELECT count(*)::int AS companies, sum(greatest(cardinality(p.target_industries), 1))::int AS memberships
       FROM registry.company c LEFT JOIN registry.company_profile p USING (juristic_id)`,
    ) as [{ companies: number; memberships: number }];
    const total = stats.groups.reduce((n, g) => n + g.count, 0);
    expect(total).toBe(memberships);
    expect(memberships).toBeGreaterThan(companies);
  });

  test('keys carry human names and groups come in each dimension\'s natural order, unknown last', async () => {
    const stats = await companyStats(['REGION', 'TARGET_INDUSTRY']);
    const central = stats.groups.find((g) => g.keys[0]!.code === 'CENTRAL')!;
    expect(central.keys[0]).toEqual({ dimension: 'REGION', code: 'CENTRAL', nameEn: 'Central', nameTh: 'ภาคกลาง' });
    const food = stats.groups.find((g) => g.keys[1]!.code === 'FOOD_FOR_THE_FUTURE')!;
    const [names] = await sql<{ name_en: string; name_th: string }>(`SELECT name_en, name_th FROM reference.target_industry WHERE code = 'FOOD_FOR_THE_FUTURE'`);
    expect(food.keys[1]).toMatchObject({ dimension: 'TARGET_INDUSTRY', nameEn: names!.name_en, nameTh: names!.name_th });

    const regionOrder = ['NORTH', 'NORTHEAST', 'CENTRAL', 'EAST', 'WEST', 'SOUTH'];
    const industryOrder = (await sql<{ code: string }>(`SELECT code FROM reference.target_industry ORDER BY display_order`)).map((r) => r.code);
    const rank = (code: string | null, order: string[]): number => (code === null ? order.length : order.indexOf(code));
    const ranks = stats.groups.map((g) => [rank(g.keys[0]!.code, regionOrder), rank(g.keys[1]!.code, industryOrder)] as const);
    const sorted = [...ranks].sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    expect(ranks).toEqual(sorted);
    // Companies in no target industry form the null group, last within each region.
    const nullGroups = stats.groups.filter((g) => g.keys[1]!.code === null);
    expect(nullGroups.length).toBeGreaterThan(0);
    expect(nullGroups[0]!.keys[1]).toEqual({ dimension: 'TARGET_INDUSTRY', code: null, nameEn: null, nameTh: null });
    // The same request twice gives the same order.
    expect((await companyStats(['REGION', 'TARGET_INDUSTRY'])).groups).toEqual(stats.groups);
  });

  test.each([
    { groupBy: ['REGION'], filter: undefined, where: 'true', source: 'AGGREGATE' },
    { groupBy: ['PROVINCE', 'SME_SIZE'], filter: { status: ['ACTIVE'] }, where: `c.status = 'ACTIVE'`, source: 'AGGREGATE' },
    { groupBy: ['INDUSTRY40_LEVEL', 'JURISTIC_TYPE'], filter: { industry40LevelAtLeast: 2 }, where: 'i40.overall_level >= 2', source: 'AGGREGATE' },
    { groupBy: ['STATUS', 'TARGET_INDUSTRY', 'SME_SIZE'], filter: { region: 'EAST', smeSize: ['MICRO', 'SMALL'] }, where: `rp.region = 'East' AND p.sme_size IN ('MICRO', 'SMALL')`, source: 'AGGREGATE' },
    {
      groupBy: ['REGION', 'SME_SIZE'],
      filter: { targetIndustry: 'FOOD_FOR_THE_FUTURE', hasOperatingFactory: false },
      where: `EXISTS (SELECT 1 FROM reference.target_industry_tsic m WHERE m.industry_code = 'FOOD_FOR_THE_FUTURE' AND ${IN_TARGET_INDUSTRY}) AND coalesce(p.operating_factories, 0) = 0`,
      source: 'AGGREGATE',
    },
    { groupBy: ['TSIC_DIVISION'], filter: undefined, where: 'true', source: 'LIVE' },
    { groupBy: ['REGISTRATION_YEAR', 'STATUS'], filter: { province: 'ชลบุรี' }, where: `rp.code = '20'`, source: 'LIVE' },
    // Filters the aggregate does not hold: answered live, still exact.
    { groupBy: ['REGION'], filter: { tsicPrefix: '10' }, where: `c.tsic_code LIKE '10%'`, source: 'LIVE' },
    { groupBy: ['SME_SIZE'], filter: { revenue: { min: 5_000_000 } }, where: 'fin.revenue_baht >= 5000000', source: 'LIVE' },
    { groupBy: ['TARGET_INDUSTRY'], filter: { registeredBetween: { from: '2010-01-01' }, registeredCapital: { max: 5_000_000 } }, where: `c.registered_on >= '2010-01-01' AND c.registered_capital_baht <= 5000000`, source: 'LIVE' },
  ])('$groupBy with $filter: $source, equal to the raw rows', async ({ groupBy, filter, where, source }) => {
    const stats = await companyStats(groupBy, filter);
    expect(stats.source).toBe(source);
    expect(stats.groupBy).toEqual(groupBy);
    expectSameGroups(stats, await expected(groupBy, where));
  });

  test('the aggregate and the live rows agree on every grouping the aggregate serves', async () => {
    const served = ['REGION', 'PROVINCE', 'TARGET_INDUSTRY', 'SME_SIZE', 'INDUSTRY40_LEVEL', 'STATUS', 'JURISTIC_TYPE'] as CompanyStatsDimension[];
    const service = t.hub.services.statistics;
    for (let i = 0; i < served.length; i += 1) {
      const groupBy = [served[i]!, served[(i + 1) % served.length]!];
      const fromAggregate = await service.companyStats({ hasOperatingFactory: true }, groupBy);
      const live = await service.companyStats({ hasOperatingFactory: true }, groupBy, StatsSource.LIVE);
      expect(fromAggregate.source).toBe(StatsSource.AGGREGATE);
      expect(live.source).toBe(StatsSource.LIVE);
      expect(live.groups.length).toBeGreaterThan(0);
      expect(fromAggregate.groups).toEqual(live.groups);
    }
  });

  test('after a run changes companies and statements, the aggregate was refreshed in that run and still equals the raw rows', async () => {
    const groupBy = ['STATUS', 'REGION'];
    const before = await expected(groupBy);
    const refreshedBefore = (await companyStats(groupBy)).aggregateRefreshedAt!;
    t.feed.set('epoch=1');
    try {
      const companies = await t.ingestNow('dbd-companies');
      expect(companies.status).toBe('succeeded');
      const [refresh] = await sql<{ run_id: string }>(`SELECT run_id::text FROM stats.aggregate_refresh WHERE name = 'company'`);
      expect(refresh!.run_id).toBe(companies.runId);
      const statements = await t.ingestNow('dbd-financials');
      expect(statements.status).toBe('succeeded');
    } finally {
      t.feed.set('');
    }
    const after = await expected(groupBy);
    // The run did change what these groups measure (statuses, capital, statements).
    expect(after).not.toEqual(before);
    const stats = await companyStats(groupBy);
    expect(stats.source).toBe('AGGREGATE');
    expect(new Date(stats.aggregateRefreshedAt!).getTime()).toBeGreaterThan(new Date(refreshedBefore).getTime());
    expectSameGroups(stats, after);
    expectSameGroups(await companyStats(['TARGET_INDUSTRY', 'SME_SIZE']), await expected(['TARGET_INDUSTRY', 'SME_SIZE']));
  });

  test('factories grouped by region and status, and by ISIC division under a filter, equal the raw rows', async () => {
    const query = `query($f: FactoryFilter, $g: [FactoryStatsDimension!]!) {
      factoryStats(filter: $f, groupBy: $g) { groupBy groups { keys { dimension code nameEn nameTh } count capital { sum average known } workers { sum average known } } }
    }`;
    const cases = [
      { groupBy: ['REGION', 'STATUS'], filter: undefined, keys: ['upper(rp.region)', 'f.status'], where: 'true' },
      { groupBy: ['ISIC_DIVISION'], filter: { status: 'OPERATING' }, keys: [`nullif(substr(f.isic_code, 1, 2), '')`], where: `f.status = 'OPERATING'` },
    ];
    for (const { groupBy, filter, keys, where } of cases) {
      const { body } = await t.graphql<{ factoryStats: { groups: { keys: Key[]; count: number; capital: Measure; workers: Measure }[] } }>(query, { g: groupBy, f: filter }, exact);
      expect(body.errors).toBeUndefined();
      const rows = await sql<Record<string, string | null>>(
        `SELECT ${keys.map((k, i) => `(${k})::text AS k${i}`).join(', ')}, count(*)::int AS n, sum(f.capital_baht)::text AS cap, count(f.capital_baht)::int AS cap_n,
           sum(f.workers)::text AS wrk, count(f.workers)::int AS wrk_n
         FROM registry.factory f LEFT JOIN reference.province rp ON rp.name_th = f.province WHERE ${where} GROUP BY ${keys.map((_, i) => i + 1).join(', ')}`,
      );
      expect(rows.length).toBeGreaterThan(1);
      const got = new Map(body.data!.factoryStats.groups.map((g) => [g.keys.map((k) => k.code ?? '∅').join('|'), g]));
      expect([...got.keys()].sort()).toEqual(rows.map((r) => keys.map((_, i) => r[`k${i}`] ?? '∅').join('|')).sort());
      for (const r of rows) {
        const g = got.get(keys.map((_, i) => r[`k${i}`] ?? '∅').join('|'))!;
        expect([g.count, g.capital.known, g.workers.known]).toEqual([Number(r['n']), Number(r['cap_n']), Number(r['wrk_n'])]);
        expect(g.capital.sum).toBeCloseTo(Number(r['cap']), 2);
        expect(g.workers.sum).toBe(Number(r['wrk']));
      }
    }
  });

  test('factories grouped by their target industries and their operators\' SME size, I4.0 level and registration year equal a count made here', async () => {
    // The oracle: every factory read raw and grouped in TypeScript, target industries by the
    // reference rule over the factory's own ISIC code, operator facts by its linked company.
    const mapping = (await sql<{ industryCode: string; tsicPrefix: string; mappingVersion: string }>(
      `SELECT industry_code AS "industryCode", tsic_prefix AS "tsicPrefix", mapping_version AS "mappingVersion" FROM reference.target_industry_tsic`,
    ));
    const factories = await sql<{ isic: string | null; capital: string | null; workers: number | null; sme: string | null; level: string | null; year: number | null; province: string | null; linked: boolean }>(
      `SELECT f.isic_code AS isic, f.capital_baht::text AS capital, f.workers, p.sme_size AS sme, p.latest_i40_level::text AS level,
              extract(year FROM c.registered_on)::int AS year, f.province, f.company_juristic_id IS NOT NULL AS linked
       FROM registry.factory f LEFT JOIN registry.company c ON c.juristic_id = f.company_juristic_id
       LEFT JOIN registry.company_profile p ON p.juristic_id = f.company_juristic_id`,
    );
    const central = new Set((await sql<{ name_th: string }>(`SELECT name_th FROM reference.province WHERE region = 'Central'`)).map((r) => r.name_th));
    const cases: { groupBy: string[]; filter?: Record<string, unknown>; keysOf: (f: (typeof factories)[number]) => (string | null)[][]; keep?: (f: (typeof factories)[number]) => boolean }[] = [
      {
        groupBy: ['TARGET_INDUSTRY', 'SME_SIZE'],
        keysOf: (f) => {
          const industries = targetIndustriesOfTsic(f.isic, mapping).map((m) => m.industryCode);
          return (industries.length ? industries : [null]).map((industry) => [industry, f.sme]);
        },
      },
      {
        groupBy: ['INDUSTRY40_LEVEL', 'REGISTRATION_YEAR'],
        filter: { linked: true, region: 'CENTRAL' },
        keep: (f) => f.linked && central.has(f.province ?? ''),
        keysOf: (f) => [[f.level === null ? null : `${Math.floor(Number(f.level))}.0`, f.year === null ? null : String(f.year)]],
      },
    ];
    for (const { groupBy, filter, keysOf, keep } of cases) {
      const expected = new Map<string, { count: number; capital: number; workers: number }>();
      for (const f of factories.filter((row) => keep?.(row) ?? true)) {
        for (const keys of keysOf(f)) {
          const key = keys.map((k) => k ?? '∅').join('|');
          const group = expected.get(key) ?? { count: 0, capital: 0, workers: 0 };
          group.count += 1;
          group.capital += f.capital === null ? 0 : Number(f.capital);
          group.workers += f.workers ?? 0;
          expected.set(key, group);
        }
      }
      const { body } = await t.graphql<{ factoryStats: { groups: { keys: Key[]; count: number; capital: Measure; workers: Measure }[] } }>(
        `query($f: FactoryFilter, $g: [FactoryStatsDimension!]!) { factoryStats(filter: $f, groupBy: $g) { groups { keys { dimension code nameEn } count capital { sum } workers { sum } } } }`,
        { g: groupBy, f: filter },
        exact,
      );
      expect(body.errors).toBeUndefined();
      const groups = body.data!.factoryStats.groups;
      expect(groups.length).toBeGreaterThan(2);
      expect(groups.map((g) => g.keys.map((k) => k.code ?? '∅').join('|')).sort()).toEqual([...expected.keys()].sort());
      for (const g of groups) {
        const want = expected.get(g.keys.map((k) => k.code ?? '∅').join('|'))!;
        expect(g.count).toBe(want.count);
        expect(g.capital.sum ?? 0).toBeCloseTo(want.capital, 2);
        expect(g.workers.sum ?? 0).toBe(want.workers);
        for (const key of g.keys) if (key.code !== null) expect(key.nameEn).not.toBeNull();
      }
    }
  });

  test('analysts, ministry and admins may call the statistics; banks may not, nor anonymous callers', async () => {
    for (const role of ['ministry', 'admin'] as const) {
      const { body } = await t.graphql(`{ companyStats(groupBy: [REGION]) { source } factoryStats(groupBy: [STATUS]) { groupBy } }`, {}, await t.createApiKey(role));
      expect(body.errors).toBeUndefined();
    }
    const bank = await t.createApiKey('bank', 'SMED');
    for (const field of ['companyStats(groupBy: [REGION]) { source }', 'factoryStats(groupBy: [STATUS]) { groupBy }']) {
      const { body } = await t.graphql(`{ ${field} }`, {}, bank);
      expect(body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
      expect(body.data ?? null).toBeNull();
    }
    const { status } = await t.graphql(`{ companyStats(groupBy: [REGION]) { source } }`);
    expect(status).toBe(401);
  });

  test('bad input: no dimension, too many, one twice, an unknown province or ISIC prefix, an unknown dimension', async () => {
    const code = async (query: string): Promise<string | undefined> => (await t.graphql(query, {}, analyst)).body.errors?.[0]?.extensions?.code;
    expect(await code(`{ companyStats(groupBy: []) { source } }`)).toBe('BAD_USER_INPUT');
    expect(await code(`{ factoryStats(groupBy: []) { groupBy } }`)).toBe('BAD_USER_INPUT');
    expect(await code(`{ companyStats(groupBy: [REGION, STATUS, SME_SIZE, JURISTIC_TYPE]) { source } }`)).toBe('BAD_USER_INPUT');
    expect(await code(`{ companyStats(groupBy: [REGION, REGION]) { source } }`)).toBe('BAD_USER_INPUT');
    expect(await code(`{ companyStats(groupBy: [REGION], filter: { province: "Atlantis" }) { source } }`)).toBe('BAD_USER_INPUT');
    expect(await code(`{ factoryStats(groupBy: [STATUS], filter: { isicPrefix: "1x" }) { groupBy } }`)).toBe('BAD_USER_INPUT');
    expect(await code(`{ companyStats(groupBy: [COLOUR]) { source } }`)).toBe('GRAPHQL_VALIDATION_FAILED');
    // Three dimensions are allowed.
    expect(await code(`{ companyStats(groupBy: [REGION, STATUS, SME_SIZE]) { source } }`)).toBeUndefined();
  });
});
