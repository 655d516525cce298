import { LOADED_HUB_TIMEOUT_MS, startLoadedHub } from '../support/loaded-hub';
import type { TestHub } from '../support/test-hub';

/**
 * Factories and licences in the graph: provinces and regions as objects both ways, the province
 * filter in every spelling, ordering with keyset cursors, and a statement's company. Every answer
 * is checked against SQL written here over the registry tables.
 */
describe('Factory graph', () => {
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

  async function errorOf(query: string, variables: Record<string, unknown> = {}): Promise<{ code?: string; argument?: unknown }> {
    const { body } = await t.graphql(query, variables, analyst);
    const extensions = body.errors?.[0]?.extensions ?? {};
    return { code: extensions['code'], argument: extensions['argument'] };
  }

  type FactoryPage = { factories: { totalCount?: number; edges: { node: { fid: string } }[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } } };

  /** The province with the most factories, with its names. */
  async function busiestProvince(): Promise<{ code: string; iso_code: string; name_th: string; name_en: string; region: string; n: number }> {
    const [row] = await sql<{ code: string; iso_code: string; name_th: string; name_en: string; region: string; n: number }>(
      `SELECT p.code, p.iso_code, p.name_th, p.name_en, p.region, count(*)::int AS n
       FROM registry.factory f JOIN reference.province p ON p.name_th = f.province GROUP BY 1, 2, 3, 4, 5 ORDER BY n DESC, p.code LIMIT 1`,
    );
    return row!;
  }

  test('a factory answers its province and region as objects, from the registry\'s Thai name', async () => {
    const [row] = await sql<{ fid: string; province: string; code: string; region: string }>(
      `SELECT f.fid, f.province, p.code, upper(p.region) AS region FROM registry.factory f JOIN reference.province p ON p.name_th = f.province ORDER BY f.fid LIMIT 1`,
    );
    const data = await ok<{ factory: { provinceName: string; province: { code: string; nameTh: string }; region: { code: string } } }>(
      `query($fid: String!) { factory(fid: $fid) { provinceName province { code nameTh } region { code } } }`,
      { fid: row!.fid },
    );
    expect(data.factory).toEqual({ provinceName: row!.province, province: { code: row!.code, nameTh: row!.province }, region: { code: row!.region } });
  });

  test('the province filter takes a code, ISO code, Thai or English name; a region filters too; an unknown province is BAD_USER_INPUT', async () => {
    const province = await busiestProvince();
    const count = async (filter: Record<string, unknown>): Promise<number> =>
      (await ok<FactoryPage>(`query($f: FactoryFilter) { factories(filter: $f) { totalCount } }`, { f: filter })).factories.totalCount!;
    for (const written of [province.code, province.iso_code, province.name_th, `จ.${province.name_th}`, province.name_en.toUpperCase()]) {
      expect(await count({ province: written })).toBe(province.n);
    }
    const [east] = await sql<{ n: number }>(`SELECT count(*)::int AS n FROM registry.factory f JOIN reference.province p ON p.name_th = f.province WHERE p.region = 'East'`);
    expect(east!.n).toBeGreaterThan(0);
    expect(await count({ region: 'EAST' })).toBe(east!.n);
    // Both given: AND, so a province outside the region matches nothing.
    const outside = province.region === 'East' ? 'NORTH' : 'EAST';
    expect(await count({ province: province.code, region: outside })).toBe(0);
    expect(await errorOf(`{ factories(filter: { province: "Atlantis" }) { totalCount } }`)).toEqual({ code: 'BAD_USER_INPUT', argument: 'filter.province' });
  });

  test('linked: true and false split the factories between those with an operating company and those without', async () => {
    const [row] = await sql<{ linked: number; unlinked: number }>(
      `SELECT count(*) FILTER (WHERE company_juristic_id IS NOT NULL)::int AS linked, count(*) FILTER (WHERE company_juristic_id IS NULL)::int AS unlinked FROM registry.factory`,
    );
    const data = await ok<{ yes: { totalCount: number }; no: { totalCount: number } }>(
      `{ yes: factories(filter: { linked: true }) { totalCount } no: factories(filter: { linked: false }) { totalCount } }`,
    );
    expect(row!.unlinked).toBeGreaterThan(0);
    expect([data.yes.totalCount, data.no.totalCount]).toEqual([row!.linked, row!.unlinked]);
  });

  test('each province\'s and region\'s factories are what the root list answers, ANDed with the filter, one statement for all parents', async () => {
    const perProvince = `query($region: RegionCode) {
      provinces(region: $region) { code factories(first: 2, filter: { status: OPERATING }) { totalCount edges { node { fid } } } }
    }`;
    await ok(perProvince, { region: 'EAST' }, admin);
    type Answer = { provinces: { code: string; factories: { totalCount: number; edges: { node: { fid: string } }[] } }[] };
    const answers: Answer[] = [];
    const statements: number[] = [];
    for (const region of ['EAST', null]) {
      const { body } = await t.graphql<Answer>(perProvince, { region }, admin);
      expect(body.errors).toBeUndefined();
      answers.push(body.data!);
      statements.push((body as { extensions?: { sqlStatements?: number } }).extensions!.sqlStatements!);
    }
    expect(answers[1]!.provinces.length).toBe(77);
    // Pages in one statement, counts in another, whether 7 provinces or 77.
    expect(statements[0]).toBe(statements[1]);
    expect(statements[1]).toBe(2);
    const province = await busiestProvince();
    const listed = answers[1]!.provinces.find((p) => p.code === province.code)!;
    const direct = await ok<FactoryPage>(`query($p: String) { factories(first: 2, filter: { province: $p, status: OPERATING }) { totalCount edges { node { fid } } } }`, { p: province.code });
    expect(listed.factories).toEqual(direct.factories);
    expect(listed.factories.totalCount).toBeGreaterThan(0);

    const other = province.code === '10' ? '20' : '10';
    const scoped = await ok<{ province: { factories: { totalCount: number } }; regions: { code: string; factories: { totalCount: number } }[] }>(
      `query($p: String!, $other: String) { province(codeOrName: $p) { factories(filter: { province: $other }) { totalCount } } regions { code factories { totalCount } } }`,
      { p: province.code, other },
    );
    expect(scoped.province.factories.totalCount).toBe(0);
    const perRegion = await sql<{ region: string; n: number }>(
      `SELECT upper(p.region) AS region, count(*)::int AS n FROM registry.factory f JOIN reference.province p ON p.name_th = f.province GROUP BY 1`,
    );
    for (const region of scoped.regions) expect(region.factories.totalCount).toBe(perRegion.find((r) => r.region === region.code)?.n ?? 0);
  });

  test('factories sort by capital, workers and name either way; pages follow each other without gap or repeat', async () => {
    const province = await busiestProvince();
    const orders = [
      { field: 'CAPITAL', direction: 'DESC', sql: 'coalesce(capital_baht, -1) DESC, fid DESC' },
      { field: 'WORKERS', direction: 'ASC', sql: 'coalesce(workers, -1) ASC, fid ASC' },
      { field: 'NAME', direction: 'DESC', sql: 'name DESC, fid DESC' },
      { field: 'FID', direction: 'DESC', sql: 'fid DESC' },
    ];
    for (const order of orders) {
      const expected = (await sql<{ fid: string }>(`SELECT fid FROM registry.factory WHERE province = $1 ORDER BY ${order.sql}`, [province.name_th])).map((r) => r.fid);
      const seen: string[] = [];
      let after: string | null = null;
      for (let page = 0; page < 100; page += 1) {
        const data: FactoryPage = await ok<FactoryPage>(
          `query($p: String, $o: FactoryOrder, $after: String) { factories(first: 7, after: $after, orderBy: $o, filter: { province: $p }) { edges { node { fid } } pageInfo { hasNextPage endCursor } } }`,
          { p: province.code, o: { field: order.field, direction: order.direction }, after },
        );
        seen.push(...data.factories.edges.map((e) => e.node.fid));
        if (!data.factories.pageInfo.hasNextPage) break;
        after = data.factories.pageInfo.endCursor;
      }
      expect(seen).toEqual(expected);
    }
    // A cursor read under another order is refused, not misread.
    const first = await ok<FactoryPage>(`{ factories(first: 1, orderBy: { field: CAPITAL }) { pageInfo { endCursor } edges { node { fid } } } }`);
    expect(await errorOf(`query($a: String) { factories(first: 1, after: $a, orderBy: { field: WORKERS }) { totalCount } }`, { a: first.factories.pageInfo.endCursor })).toEqual({
      code: 'BAD_USER_INPUT',
      argument: 'after',
    });
    expect((await errorOf(`query($a: String) { factories(first: 1, after: $a) { totalCount } }`, { a: first.factories.pageInfo.endCursor })).code).toBe('BAD_USER_INPUT');
  });

  test('licences sort by number or by issue date; the default order is unchanged, newest first', async () => {
    type LicencePage = { tisLicenses: { edges: { node: { licenceNo: string } }[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } } };
    const cases = [
      { order: { field: 'LICENCE_NO' }, sql: 'licence_no ASC' },
      { order: { field: 'ISSUED_ON', direction: 'ASC' }, sql: 'issued_on ASC, licence_no ASC' },
      { order: null, sql: 'issued_on DESC, licence_no DESC' },
    ];
    for (const { order, sql: orderSql } of cases) {
      const expected = (await sql<{ licence_no: string }>(`SELECT licence_no FROM registry.tis_licence WHERE status = 'VALID' ORDER BY ${orderSql}`)).map((r) => r.licence_no);
      expect(expected.length).toBeGreaterThan(20);
      const seen: string[] = [];
      let after: string | null = null;
      for (let page = 0; page < 200; page += 1) {
        const data: LicencePage = await ok<LicencePage>(
          `query($o: TisLicenseOrder, $after: String) { tisLicenses(first: 50, after: $after, orderBy: $o, filter: { status: [VALID] }) { edges { node { licenceNo } } pageInfo { hasNextPage endCursor } } }`,
          { o: order, after },
        );
        seen.push(...data.tisLicenses.edges.map((e) => e.node.licenceNo));
        if (!data.tisLicenses.pageInfo.hasNextPage) break;
        after = data.tisLicenses.pageInfo.endCursor;
      }
      expect(seen).toEqual(expected);
    }
  });

  test('a financial statement names the company that filed it, also when fetched by its own ID', async () => {
    const [row] = await sql<{ juristic_id: string }>(`SELECT juristic_id FROM registry.financial_statement ORDER BY juristic_id LIMIT 1`);
    const data = await ok<{ company: { financialStatements: { id: string; company: { juristicId: string } }[] } }>(
      `query($id: JuristicId!) { company(juristicId: $id) { financialStatements { id company { juristicId } } } }`,
      { id: row!.juristic_id },
    );
    const statements = data.company.financialStatements;
    expect(statements.length).toBeGreaterThan(0);
    for (const statement of statements) expect(statement.company.juristicId).toBe(row!.juristic_id);
    const byId = await ok<{ node: { company: { juristicId: string } } }>(`query($id: ID!) { node(id: $id) { ... on FinancialStatement { company { juristicId } } } }`, { id: statements[0]!.id });
    expect(byId.node.company.juristicId).toBe(row!.juristic_id);
  });
});
