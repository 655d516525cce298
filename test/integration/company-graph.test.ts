import { LOADED_HUB_TIMEOUT_MS, startLoadedHub } from '../support/loaded-hub';
import type { TestHub } from '../support/test-hub';

/** Companies in the graph: filters, ordering, relations, global IDs, masking and batched SQL. */
describe('Company graph', () => {
  let t: TestHub;
  let analyst: string;
  let admin: string;

  beforeAll(async () => {
    t = await startLoadedHub({ scale: 1500 });
    analyst = await t.createApiKey('analyst');
    admin = await t.createApiKey('admin');
  }, LOADED_HUB_TIMEOUT_MS);
  afterAll(async () => {
    await t?.stop();
  });

  const sql = <T>(text: string, params: unknown[] = []): Promise<T[]> => t.sql<T>(text, params);

  const ok = <T>(query: string, variables: Record<string, unknown> = {}, key = analyst): Promise<T> => t.graphqlData<T>(query, variables, key);

  type CompanyPage = { companies: { totalCount?: number; edges: { node: Record<string, unknown> }[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } } };

  test('one company answers its registration, derived facts and provenance', async () => {
    const [row] = await sql<{ juristic_id: string; name_th: string }>(`SELECT juristic_id, name_th FROM registry.company ORDER BY juristic_id LIMIT 1`);
    const data = await ok<{ company: Record<string, unknown> }>(
      `query($id: JuristicId!) { company(juristicId: $id) { id juristicId nameTh juristicType status smeSize operatingFactoryCount targetIndustryCodes provenance { source runId } } }`,
      { id: row!.juristic_id },
    );
    expect(data.company).toMatchObject({ juristicId: row!.juristic_id, nameTh: row!.name_th, provenance: { source: 'dbd-companies' } });
  });

  test('a date that does not exist is BAD_USER_INPUT naming the argument, not an internal error', async () => {
    const { body } = await t.graphql(`{ companies(filter: { registeredBetween: { from: "2025-02-30" } }) { totalCount } }`, {}, analyst);
    expect(body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(body.errors?.[0]?.message).toMatch(/registeredBetween\.from/);
  });

  test('an unknown or malformed juristic ID answers NOT_FOUND or BAD_USER_INPUT', async () => {
    expect((await t.graphql('{ company(juristicId: "0105599999997") { juristicId } }', {}, analyst)).body.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    expect((await t.graphql('{ company(juristicId: "12") { juristicId } }', {}, analyst)).body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  test('filters combine with AND and agree with the database', async () => {
    const filter = { region: 'CENTRAL', status: ['ACTIVE'], smeSize: ['SMALL', 'MEDIUM'] };
    const data = await ok<CompanyPage>(`query($f: CompanyFilter) { companies(first: 100, filter: $f) { totalCount edges { node { juristicId regionCode status smeSize } } pageInfo { hasNextPage endCursor } } }`, { f: filter });
    const [expected] = await sql<{ n: number }>(
      `SELECT count(*)::int AS n FROM registry.company c JOIN registry.company_profile p USING (juristic_id)
       WHERE p.region = 'Central' AND c.status = 'ACTIVE' AND p.sme_size IN ('SMALL', 'MEDIUM')`,
    );
    expect(expected!.n).toBeGreaterThan(0);
    expect(data.companies.totalCount).toBe(expected!.n);
    for (const { node } of data.companies.edges) expect(node).toMatchObject({ regionCode: 'CENTRAL', status: 'ACTIVE', smeSize: expect.stringMatching(/SMALL|MEDIUM/) });
  });

  test('a page and its totalCount come in one statement, also through fragments and on the last page', async () => {
    const filter = { status: ['ACTIVE'], smeSize: ['SMALL', 'MEDIUM'] };
    const [expected] = await sql<{ n: number }>(
      `SELECT count(*)::int AS n FROM registry.company c JOIN registry.company_profile p USING (juristic_id) WHERE c.status = 'ACTIVE' AND p.sme_size IN ('SMALL', 'MEDIUM')`,
    );
    type Counted = CompanyPage & { extensions?: never };
    const run = async (query: string, variables: Record<string, unknown>) => {
      const { body } = await t.graphql<Counted>(query, variables, admin);
      expect(body.errors).toBeUndefined();
      return { total: body.data!.companies.totalCount, endCursor: body.data!.companies.pageInfo?.endCursor, statements: (body as { extensions?: { sqlStatements?: number } }).extensions!.sqlStatements! };
    };
    await run(`{ companies(first: 1) { totalCount } }`, {}); // the key now comes from the cache
    const direct = await run(`query($f: CompanyFilter) { companies(first: 50, filter: $f) { totalCount edges { node { juristicId } } pageInfo { endCursor } } }`, { f: filter });
    expect(direct).toMatchObject({ total: expected!.n, statements: 1 });
    const viaFragment = await run(
      `query($f: CompanyFilter) { companies(first: 50, filter: $f) { ...counted edges { node { juristicId } } pageInfo { endCursor } } } fragment counted on CompanyConnection { totalCount }`,
      { f: filter },
    );
    expect(viaFragment).toMatchObject({ total: expected!.n, statements: 1 });
    // Past the last row the page is empty and cannot carry the count: it is counted on its own.
    let after: string | null = null;
    for (let hasNextPage = true; hasNextPage; ) {
      const page: CompanyPage = await ok<CompanyPage>(`query($f: CompanyFilter, $after: String) { companies(first: 100, filter: $f, after: $after) { edges { node { juristicId } } pageInfo { hasNextPage endCursor } } }`, { f: filter, after });
      ({ hasNextPage, endCursor: after } = page.companies.pageInfo);
    }
    const empty = await run(`query($f: CompanyFilter, $after: String) { companies(first: 50, filter: $f, after: $after) { totalCount edges { node { juristicId } } } }`, { f: filter, after });
    expect(empty).toMatchObject({ total: expected!.n, statements: 2 });
  });

  test('totalCount agrees with the companies themselves, whether the stored aggregate or the rows answer it', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ status: ['ACTIVE'], smeSize: ['SMALL', 'MEDIUM'], targetIndustry: 'FOOD_FOR_THE_FUTURE', hasOperatingFactory: true }, `c.status = 'ACTIVE' AND p.sme_size IN ('SMALL', 'MEDIUM') AND p.target_industries @> ARRAY['FOOD_FOR_THE_FUTURE'] AND p.operating_factories > 0`],
      [{ hasOperatingFactory: false, region: 'EAST' }, `coalesce(p.operating_factories, 0) = 0 AND p.region = 'East'`],
      [{ province: '10', industry40LevelAtLeast: 2 }, `p.province_code = '10' AND p.latest_i40_level >= 2`],
      [{ juristicType: ['COMPANY'], smeSize: ['MICRO'] }, `c.juristic_type_code = 'COMPANY' AND p.sme_size = 'MICRO'`],
      // Not in the aggregate: counted over the rows.
      [{ status: ['ACTIVE'], tsicPrefix: '10' }, `c.status = 'ACTIVE' AND c.tsic_code LIKE '10%'`],
    ];
    for (const [filter, where] of cases) {
      const [expected] = await sql<{ n: number }>(`SELECT count(*)::int AS n FROM registry.company c LEFT JOIN registry.company_profile p USING (juristic_id) WHERE ${where}`);
      const data = await ok<CompanyPage>(`query($f: CompanyFilter) { companies(first: 5, filter: $f) { totalCount edges { node { juristicId } } } }`, { f: filter });
      expect([filter, data.companies.totalCount]).toEqual([filter, expected!.n]);
    }
    const [some] = await sql<{ n: number }>(`SELECT count(*)::int AS n FROM registry.company c JOIN registry.company_profile p USING (juristic_id) WHERE p.operating_factories > 0 AND p.sme_size IN ('SMALL', 'MEDIUM')`);
    expect(some!.n).toBeGreaterThan(0);
  });

  test('directors and shareholders of a listed page are read in one more statement, whatever the page size', async () => {
    const counts: number[] = [];
    for (const n of [1, 10, 100]) {
      const { body } = await t.graphql<{ companies: { edges: { node: { juristicId: string; directors: { position: string | null; masked: boolean }[]; shareholders: { shares: number }[] } }[] } }>(
        `query($n: Int) { companies(first: $n) { edges { node { juristicId directors { position masked } shareholders { shares } } } } }`,
        { n },
        admin,
      );
      expect(body.errors).toBeUndefined();
      const nodes = body.data!.companies.edges.map((e) => e.node);
      const stored = await sql<{ juristic_id: string; directors: number; shareholders: number }>(
        `SELECT juristic_id, jsonb_array_length(directors)::int AS directors, jsonb_array_length(shareholders)::int AS shareholders FROM registry.company WHERE juristic_id = ANY($1)`,
        [nodes.map((node) => node.juristicId)],
      );
      const byId = new Map(stored.map((row) => [row.juristic_id, row]));
      for (const node of nodes) {
        expect([node.directors.length, node.shareholders.length]).toEqual([byId.get(node.juristicId)!.directors, byId.get(node.juristicId)!.shareholders]);
      }
      expect(nodes.some((node) => node.directors.length > 0)).toBe(true);
      counts.push((body as { extensions?: { sqlStatements?: number } }).extensions!.sqlStatements!);
    }
    // The lean page, then the listed companies' personal-data columns by ID.
    expect(counts).toEqual([2, 2, 2]);
  });

  test('province by code, ISO code, Thai or English name gives the same companies; an unknown one is BAD_USER_INPUT', async () => {
    const counts = [];
    for (const province of ['20', 'TH-20', 'ชลบุรี', 'chon buri']) {
      counts.push((await ok<CompanyPage>(`query($p: String) { companies(filter: { province: $p }) { totalCount } }`, { p: province })).companies.totalCount);
    }
    expect(new Set(counts).size).toBe(1);
    expect(counts[0]).toBeGreaterThan(0);
    const { body } = await t.graphql(`{ companies(filter: { province: "Atlantis" }) { totalCount } }`, {}, analyst);
    expect(body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  test('target industry, operating factory, licence and Industry 4.0 filters match the derived facts', async () => {
    const [licence] = await sql<{ tis_no: string }>(`SELECT tis_no FROM registry.tis_licence WHERE status = 'VALID' GROUP BY tis_no ORDER BY count(*) DESC LIMIT 1`);
    const data = await ok<CompanyPage>(
      `query($tis: TisNo) {
        companies(first: 100, filter: { hasOperatingFactory: true, holdsLicenceFor: $tis }) { totalCount edges { node { juristicId operatingFactoryCount validLicenceCount } } }
      }`,
      { tis: licence!.tis_no },
    );
    const [expected] = await sql<{ n: number }>(
      `SELECT count(*)::int AS n FROM registry.company_profile p WHERE p.operating_factories > 0
       AND EXISTS (SELECT 1 FROM registry.tis_licence l WHERE l.licensee_tax_id = p.juristic_id AND l.tis_no = $1 AND l.status = 'VALID')`,
      [licence!.tis_no],
    );
    expect(data.companies.totalCount).toBe(expected!.n);
    for (const { node } of data.companies.edges) expect(node['operatingFactoryCount']).toBeGreaterThan(0);

    const i40 = await ok<CompanyPage>(`{ companies(first: 100, filter: { industry40LevelAtLeast: 3 }) { totalCount edges { node { latestIndustry40Level } } } }`);
    expect(i40.companies.totalCount).toBeGreaterThan(0);
    for (const { node } of i40.companies.edges) expect(node['latestIndustry40Level']).toBeGreaterThanOrEqual(3);

    const [target] = await sql<{ code: string; n: number }>(`SELECT t AS code, count(*)::int AS n FROM registry.company_profile, unnest(target_industries) t GROUP BY t ORDER BY n DESC LIMIT 1`);
    const byTarget = await ok<CompanyPage>(`query($t: String) { companies(filter: { targetIndustry: $t }) { totalCount } }`, { t: target!.code });
    expect(byTarget.companies.totalCount).toBe(target!.n);
  });

  test('name search finds a company under a misspelt name, best match first', async () => {
    const [row] = await sql<{ juristic_id: string; name_th: string }>(`SELECT juristic_id, name_th FROM registry.company WHERE length(name_th_normalised) > 12 ORDER BY juristic_id LIMIT 1 OFFSET 7`);
    // Drop one character from the middle of the name: a typing slip.
    const name = row!.name_th;
    const misspelt = name.slice(0, Math.floor(name.length / 2)) + name.slice(Math.floor(name.length / 2) + 1);
    const data = await ok<CompanyPage>(
      `query($q: String) { companies(first: 5, filter: { nameSearch: $q }, orderBy: { field: RELEVANCE }) { edges { node { juristicId nameTh } } } }`,
      { q: misspelt },
    );
    expect(data.companies.edges[0]?.node['juristicId']).toBe(row!.juristic_id);
  });

  test('name search finds a company by its English name, in another case and misspelt', async () => {
    const [row] = await sql<{ juristic_id: string; name_en: string }>(
      `SELECT juristic_id, name_en FROM registry.company WHERE length(name_en) > 16 AND name_en ~ '^[A-Za-z .,()&-]+$' ORDER BY juristic_id LIMIT 1 OFFSET 11`,
    );
    // Lower case, and one letter of the first word swapped with its neighbour.
    const name = row!.name_en.toLowerCase();
    const misspelt = name.slice(0, 1) + name.slice(2, 3) + name.slice(1, 2) + name.slice(3);
    const data = await ok<CompanyPage>(
      `query($q: String) { companies(first: 5, filter: { nameSearch: $q }, orderBy: { field: RELEVANCE }) { edges { node { juristicId nameEn } } } }`,
      { q: misspelt },
    );
    expect(data.companies.edges[0]?.node['juristicId']).toBe(row!.juristic_id);
  });

  test('ordering by capital pages through every company once, in order, with stable cursors', async () => {
    const seen: { id: string; capital: number | null }[] = [];
    let after: string | null = null;
    for (let page = 0; page < 100; page++) {
      const data: CompanyPage = await ok<CompanyPage>(
        `query($after: String) { companies(first: 100, after: $after, orderBy: { field: REGISTERED_CAPITAL, direction: DESC }) { edges { node { juristicId registeredCapitalBaht } } pageInfo { hasNextPage endCursor } } }`,
        { after },
      );
      seen.push(...data.companies.edges.map(({ node }) => ({ id: node['juristicId'] as string, capital: node['registeredCapitalBaht'] as number | null })));
      if (!data.companies.pageInfo.hasNextPage) break;
      after = data.companies.pageInfo.endCursor;
    }
    const [total] = await sql<{ n: number }>(`SELECT count(*)::int AS n FROM registry.company`);
    expect(seen.length).toBe(total!.n);
    expect(new Set(seen.map((s) => s.id)).size).toBe(total!.n);
    const capitals = seen.map((s) => s.capital ?? -1);
    expect(capitals).toEqual([...capitals].sort((a, b) => b - a));
  });

  test('a cursor from another ordering is refused with BAD_USER_INPUT', async () => {
    const data = await ok<CompanyPage>(`{ companies(first: 1) { edges { node { juristicId } } pageInfo { endCursor hasNextPage } } }`);
    const { body } = await t.graphql(`query($a: String) { companies(first: 1, after: $a, orderBy: { field: NAME_TH }) { totalCount } }`, { a: data.companies.pageInfo.endCursor }, analyst);
    expect(body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  test('directors and individual shareholders are masked for the ministry, analysts and admins (banks: see consent.test.ts); juristic shareholders are not', async () => {
    const [row] = await sql<{ juristic_id: string }>(
      `SELECT juristic_id FROM registry.company WHERE jsonb_array_length(directors) > 0 AND jsonb_array_length(shareholders) > 0 ORDER BY juristic_id LIMIT 1`,
    );
    for (const key of [await t.createApiKey('ministry'), analyst, admin]) {
      const data = await ok<{ company: { directors: { name: string; masked: boolean }[]; shareholders: { name: string; personalId: string | null; juristicId: string | null; masked: boolean }[] } }>(
        `query($id: JuristicId!) { company(juristicId: $id) { directors { name position masked } shareholders { name personalId juristicId nationality shares masked } } }`,
        { id: row!.juristic_id },
        key,
      );
      expect(data.company.directors.length).toBeGreaterThan(0);
      for (const director of data.company.directors) expect(director).toMatchObject({ name: '***', masked: true });
      for (const holder of data.company.shareholders) {
        if (holder.juristicId === null) expect(holder).toMatchObject({ name: '***', masked: true });
        else expect(holder.masked).toBe(false);
        if (holder.personalId !== null) expect(holder.personalId).toBe('***');
      }
    }
  });

  test('node(id) and nodes(ids) fetch companies, factories and statements by global ID', async () => {
    const data = await ok<{ companies: { edges: { node: { id: string; juristicId: string; financialStatements: { id: string; fiscalYear: number }[]; factories: { edges: { node: { id: string; fid: string } }[] } } }[] } }>(
      `{ companies(first: 100, filter: { hasOperatingFactory: true }) { edges { node { id juristicId financialStatements { id fiscalYear } factories(first: 1) { edges { node { id fid } } } } } } }`,
    );
    const company = data.companies.edges.find((e) => e.node.financialStatements.length > 0)!.node;
    const factory = company.factories.edges[0]!.node;
    const one = await ok<{ node: { __typename: string; juristicId: string } }>(`query($id: ID!) { node(id: $id) { __typename ... on Company { juristicId } } }`, { id: company.id });
    expect(one.node).toEqual({ __typename: 'Company', juristicId: company.juristicId });
    const many = await ok<{ nodes: ({ __typename: string } | null)[] }>(
      `query($ids: [ID!]!) { nodes(ids: $ids) { __typename id ... on Factory { fid company { juristicId } } ... on FinancialStatement { fiscalYear } } }`,
      { ids: [factory.id, company.financialStatements[0]!.id, Buffer.from('Company:0999999999999').toString('base64url')] },
    );
    expect(many.nodes).toEqual([
      { __typename: 'Factory', id: factory.id, fid: factory.fid, company: { juristicId: company.juristicId } },
      { __typename: 'FinancialStatement', id: company.financialStatements[0]!.id, fiscalYear: company.financialStatements[0]!.fiscalYear },
      null,
    ]);
    const bad = await t.graphql(`{ node(id: "not-an-id") { id } }`, {}, analyst);
    expect(bad.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  test('financial statements come newest year first', async () => {
    const [row] = await sql<{ juristic_id: string }>(`SELECT juristic_id FROM registry.financial_statement GROUP BY 1 HAVING count(*) > 1 LIMIT 1`);
    const data = await ok<{ company: { financialStatements: { fiscalYear: number }[] } }>(`query($id: JuristicId!) { company(juristicId: $id) { financialStatements { fiscalYear revenueBaht } } }`, { id: row!.juristic_id });
    const years = data.company.financialStatements.map((s) => s.fiscalYear);
    expect(years.length).toBeGreaterThan(1);
    expect(years).toEqual([...years].sort((a, b) => b - a));
  });

  test('a nested query issues the same number of SQL statements for 1, 10 and 100 companies', async () => {
    const nested = `query($n: Int) {
      companies(first: $n, filter: { hasOperatingFactory: true }) {
        edges { node { juristicId financialStatements { fiscalYear revenueBaht } factories(first: 5) { totalCount edges { node { fid company { juristicId } } } } } }
      }
    }`;
    // Warm up: the key's first use of the minute also records it (one UPDATE).
    await t.graphql(nested, { n: 1 }, admin);
    const counts: number[] = [];
    for (const n of [1, 10, 100]) {
      const { body } = await t.graphql<CompanyPage>(nested, { n }, admin);
      expect(body.errors).toBeUndefined();
      expect(body.data!.companies.edges.length).toBe(n);
      counts.push((body as { extensions?: { sqlStatements?: number } }).extensions!.sqlStatements!);
    }
    // One per level (the key comes from the API's cache): companies, their statements, their
    // factories with their counts (asked together: one statement), the factories' companies.
    expect(counts).toEqual([4, 4, 4]);
  });

  test('a list below a company and its totalCount asked together are one statement, counting what each asked alone counts', async () => {
    const statements = (body: unknown): number => (body as { extensions: { sqlStatements: number } }).extensions.sqlStatements;
    const firms = await sql<{ juristic_id: string; factories: number }>(
      `WITH counted AS (SELECT c.juristic_id, (SELECT count(*)::int FROM registry.factory f WHERE f.company_juristic_id = c.juristic_id) AS factories FROM registry.company c)
       (SELECT * FROM counted WHERE factories >= 2 ORDER BY juristic_id LIMIT 1) UNION ALL (SELECT * FROM counted WHERE factories = 0 ORDER BY juristic_id LIMIT 1)`,
    );
    expect(firms.map((f) => f.factories > 0)).toEqual([true, false]);
    const alone = `query($id: JuristicId!) { company(juristicId: $id) { factories(first: 1) { totalCount } certifications(first: 1) { totalCount } } }`;
    const together = `query($id: JuristicId!, $after: String) { company(juristicId: $id) {
      certifications(first: 1) { totalCount edges { node { licenceNo } } }
      factories(first: 1, after: $after) { totalCount edges { cursor node { fid } } pageInfo { hasNextPage } }
    } }`;
    type Lists = { company: { factories: { totalCount: number; edges: { cursor: string }[]; pageInfo: { hasNextPage: boolean } }; certifications: { totalCount: number } } };
    for (const firm of firms) {
      const counted = await t.graphql<Lists>(alone, { id: firm.juristic_id }, admin);
      expect(counted.body.data!.company.factories.totalCount).toBe(firm.factories);
      // Page to the end and one page past it: the count stays the database's, also on an empty page after a cursor.
      let after: string | undefined;
      for (let page = 0; page <= firm.factories; page++) {
        const { body } = await t.graphql<Lists>(together, { id: firm.juristic_id, after }, admin);
        expect(body.errors).toBeUndefined();
        expect(body.data!.company.factories.totalCount).toBe(firm.factories);
        expect(body.data!.company.certifications.totalCount).toBe(counted.body.data!.company.certifications.totalCount);
        // The company, then each list with its count: as many statements as the counts alone.
        if (after === undefined) expect(statements(body)).toBe(statements(counted.body));
        after = body.data!.company.factories.edges.at(-1)?.cursor ?? after;
        if (!body.data!.company.factories.pageInfo.hasNextPage && page < firm.factories - 1) break;
      }
    }
  });

  test('company lists below many parents (each province\'s companies) cost one statement for all parents', async () => {
    const perProvince = `query($region: RegionCode) {
      provinces(region: $region) { code companies(first: 2, filter: { status: [ACTIVE] }) { totalCount edges { node { juristicId } } } }
    }`;
    await t.graphql(perProvince, { region: 'EAST' }, admin);
    const counts: number[] = [];
    const answers: { provinces: { code: string; companies: { totalCount: number; edges: { node: { juristicId: string } }[] } }[] }[] = [];
    for (const region of ['EAST', null]) {
      const { body } = await t.graphql<(typeof answers)[number]>(perProvince, { region }, admin);
      expect(body.errors).toBeUndefined();
      answers.push(body.data!);
      counts.push((body as { extensions?: { sqlStatements?: number } }).extensions!.sqlStatements!);
    }
    expect(answers[1]!.provinces.length).toBe(77);
    expect(counts[0]).toBe(counts[1]);
    // Each province's page is its own: what the root list answers for that province.
    const chonBuri = answers[1]!.provinces.find((p) => p.code === '20')!;
    const direct = await ok<CompanyPage>(`{ companies(first: 2, filter: { province: "20", status: [ACTIVE] }) { totalCount edges { node { juristicId } } } }`);
    expect(chonBuri.companies).toEqual(direct.companies);
  });

  test('a parent\'s company list applies the filter as well (AND): another province or region matches nothing, another industry is a second condition', async () => {
    const data = await ok<{
      same: { companies: { totalCount: number } };
      other: { companies: { totalCount: number } };
      region: { companies: { totalCount: number } };
      industries: { code: string; companies: { totalCount: number } }[];
    }>(`{
      same: province(codeOrName: "20") { companies(filter: { province: "Chon Buri" }) { totalCount } }
      other: province(codeOrName: "20") { companies(filter: { province: "10" }) { totalCount } }
      region: province(codeOrName: "20") { companies(filter: { region: NORTH }) { totalCount } }
      industries: targetIndustries { code companies(filter: { targetIndustry: "SMART_ELECTRONICS" }) { totalCount } }
    }`);
    const [chonBuri] = await sql<{ n: number }>(`SELECT count(*)::int AS n FROM registry.company_profile WHERE province_code = '20'`);
    expect(chonBuri!.n).toBeGreaterThan(0);
    expect(data.same.companies.totalCount).toBe(chonBuri!.n);
    expect(data.other.companies.totalCount).toBe(0);
    expect(data.region.companies.totalCount).toBe(0);
    // A company may be in several target industries: below one industry, the filter's is a second condition.
    const both = await sql<{ code: string; n: number }>(
      `SELECT ti.code, count(p.juristic_id)::int AS n FROM reference.target_industry ti
       LEFT JOIN registry.company_profile p ON p.target_industries @> ARRAY[ti.code, 'SMART_ELECTRONICS'] GROUP BY 1`,
    );
    for (const industry of data.industries) expect(industry.companies.totalCount).toBe(both.find((r) => r.code === industry.code)!.n);
    expect(data.industries.find((i) => i.code === 'SMART_ELECTRONICS')!.companies.totalCount).toBeGreaterThan(0);
  });

  test('query statistics are reported to admins only', async () => {
    const { body } = await t.graphql(`{ companies(first: 1) { edges { node { juristicId } } } }`, {}, analyst);
    expect((body as { extensions?: unknown }).extensions).toBeUndefined();
  });
});
