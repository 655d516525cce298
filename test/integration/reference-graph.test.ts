import { LOADED_HUB_TIMEOUT_MS, startLoadedHub } from '../support/loaded-hub';
import type { TestHub } from '../support/test-hub';

/** Reference data in the graph: TSIC tree, target industries, provinces and regions, OIE indices, source runs. */
describe('Reference graph', () => {
  let t: TestHub;
  let analyst: string;
  let admin: string;
  let bank: string;

  beforeAll(async () => {
    t = await startLoadedHub({ scale: 1500 });
    [analyst, admin, bank] = await Promise.all([t.createApiKey('analyst'), t.createApiKey('admin'), t.createApiKey('bank', 'SMED')]);
  }, LOADED_HUB_TIMEOUT_MS);
  afterAll(async () => {
    await t?.stop();
  });

  const sql = <T>(text: string, params: unknown[] = []): Promise<T[]> => t.sql<T>(text, params);

  const ok = <T>(query: string, variables: Record<string, unknown> = {}, key = analyst): Promise<T> => t.graphqlData<T>(query, variables, key);

  async function errorCode(query: string, variables: Record<string, unknown> = {}, key = analyst): Promise<string | undefined> {
    return (await t.graphql(query, variables, key)).body.errors?.[0]?.extensions?.code;
  }

  const globalId = (type: string, key: string): string => Buffer.from(`${type}:${key}`).toString('base64url');

  type Entry = { code: string; level: string; nameEn: string; parent: { code: string } | null; ancestors: { code: string }[]; children: { code: string }[] };

  test('the TSIC tree answers parent, children and ancestors as the reference table has them', async () => {
    const data = await ok<{ industryClass: Entry }>(
      `{ industryClass(code: "1072") { code level nameEn parent { code } ancestors { code level } children { code } } }`,
    );
    expect(data.industryClass).toMatchObject({ code: '1072', level: 'CLASS', parent: { code: '107' }, children: [] });
    expect(data.industryClass.ancestors).toEqual([
      { code: 'C', level: 'SECTION' },
      { code: '10', level: 'DIVISION' },
      { code: '107', level: 'GROUP' },
    ]);

    const divisions = await ok<{ industryClasses: Entry[] }>(`{ industryClasses(parentCode: "C") { code level parent { code } ancestors { code } } }`);
    const expected = await sql<{ code: string }>(`SELECT code FROM reference.tsic WHERE parent_code = 'C' ORDER BY code`);
    expect(divisions.industryClasses.map((d) => d.code)).toEqual(expected.map((r) => r.code));
    for (const division of divisions.industryClasses) expect(division).toMatchObject({ level: 'DIVISION', parent: { code: 'C' }, ancestors: [{ code: 'C' }] });

    const food = await ok<{ industryClass: Entry }>(`{ industryClass(code: "10") { children { code } } }`);
    const foodGroups = await sql<{ code: string }>(`SELECT code FROM reference.tsic WHERE parent_code = '10' ORDER BY code`);
    expect(food.industryClass.children.map((c) => c.code)).toEqual(foodGroups.map((r) => r.code));

    const sections = await ok<{ industryClasses: Entry[] }>(`{ industryClasses(level: SECTION) { code parent { code } ancestors { code } } }`);
    const [sectionCount] = await sql<{ n: number }>(`SELECT count(*)::int AS n FROM reference.tsic WHERE level = 'section'`);
    expect(sections.industryClasses.length).toBe(sectionCount!.n);
    for (const section of sections.industryClasses) expect(section).toMatchObject({ parent: null, ancestors: [] });
  });

  test('an unknown TSIC code is NOT_FOUND and a malformed one BAD_USER_INPUT', async () => {
    expect(await errorCode(`{ industryClass(code: "1999") { code } }`)).toBe('NOT_FOUND');
    expect(await errorCode(`{ industryClass(code: "food") { code } }`)).toBe('BAD_USER_INPUT');
    expect(await errorCode(`{ industryClasses(parentCode: "1999") { code } }`)).toBe('NOT_FOUND');
  });

  test('a company\'s province, region, industry class and target industries agree with its profile', async () => {
    type Node = {
      juristicId: string;
      tsicCode: string | null;
      regionCode: string | null;
      province: { code: string; region: { code: string } } | null;
      region: { code: string } | null;
      industryClass: { code: string } | null;
      targetIndustries: { code: string }[];
    };
    const data = await ok<{ companies: { edges: { node: Node }[] } }>(
      `{ companies(first: 100) { edges { node { juristicId tsicCode regionCode province { code region { code } } region { code } industryClass { code } targetIndustries { code } } } } }`,
    );
    const nodes = data.companies.edges.map((e) => e.node);
    const rows = await sql<{ juristic_id: string; province_code: string | null; region: string | null; class_code: string | null; targets: string[] }>(
      `SELECT c.juristic_id, p.province_code, upper(p.region) AS region,
              (SELECT t.code FROM reference.tsic t WHERE c.tsic_code LIKE t.code || '%' ORDER BY length(t.code) DESC LIMIT 1) AS class_code,
              coalesce((SELECT array_agg(ti.code ORDER BY ti.display_order) FROM reference.target_industry ti WHERE ti.code = ANY(p.target_industries)), '{}') AS targets
       FROM registry.company c LEFT JOIN registry.company_profile p USING (juristic_id) WHERE c.juristic_id = ANY($1::text[])`,
      [nodes.map((n) => n.juristicId)],
    );
    const byId = new Map(rows.map((r) => [r.juristic_id, r]));
    expect(nodes.filter((n) => n.province !== null && n.industryClass !== null && n.targetIndustries.length > 0).length).toBeGreaterThan(0);
    for (const node of nodes) {
      const row = byId.get(node.juristicId)!;
      expect(node.province?.code ?? null).toBe(row.province_code);
      expect(node.region?.code ?? null).toBe(row.region);
      expect(node.region?.code ?? null).toBe(node.regionCode);
      if (node.province) expect(node.province.region.code).toBe(node.region?.code);
      expect(node.industryClass?.code ?? null).toBe(row.class_code);
      expect(node.targetIndustries.map((i) => i.code)).toEqual(row.targets);
    }
  });

  type Page = { totalCount: number; edges: { node: { juristicId: string } }[] };
  const PAGE = `totalCount edges { node { juristicId } }`;

  test('a province\'s, region\'s and industry\'s companies are the root companies under the same filter', async () => {
    const args = `first: 20, filter: { status: [ACTIVE] }, orderBy: { field: REGISTERED_CAPITAL, direction: DESC }`;
    const data = await ok<{ province: { companies: Page }; companies: Page }>(
      `{ province(codeOrName: "20") { companies(${args}) { ${PAGE} } }
         companies(first: 20, filter: { status: [ACTIVE], province: "20" }, orderBy: { field: REGISTERED_CAPITAL, direction: DESC }) { ${PAGE} } }`,
    );
    expect(data.province.companies.totalCount).toBeGreaterThan(0);
    expect(data.province.companies).toEqual(data.companies);

    const region = await ok<{ regions: { code: string; companies: Page }[]; companies: Page }>(
      `{ regions { code companies(${args}) { ${PAGE} } } companies(first: 20, filter: { status: [ACTIVE], region: EAST }, orderBy: { field: REGISTERED_CAPITAL, direction: DESC }) { ${PAGE} } }`,
    );
    expect(region.regions.find((r) => r.code === 'EAST')!.companies).toEqual(region.companies);
    const [{ n: companyCount }] = (await sql<{ n: number }>(`SELECT count(*)::int AS n FROM registry.company c JOIN registry.company_profile p USING (juristic_id) WHERE c.status = 'ACTIVE' AND p.region IS NOT NULL`)) as [{ n: number }];
    expect(region.regions.reduce((sum, r) => sum + r.companies.totalCount, 0)).toBe(companyCount);

    const target = await ok<{ targetIndustries: { code: string; companies: Page }[]; companies: Page }>(
      `{ targetIndustries { code companies(first: 5) { ${PAGE} } } companies(first: 5, filter: { targetIndustry: "FOOD_FOR_THE_FUTURE" }) { ${PAGE} } }`,
    );
    expect(target.targetIndustries.find((i) => i.code === 'FOOD_FOR_THE_FUTURE')!.companies).toEqual(target.companies);
    expect(target.companies.totalCount).toBeGreaterThan(0);

    const manufacturing = await ok<{ industryClass: { companies: Page } }>(`{ industryClass(code: "C") { companies(first: 5) { ${PAGE} } } }`);
    const [{ n: manufacturers }] = (await sql<{ n: number }>(`SELECT count(*)::int AS n FROM registry.company WHERE substr(tsic_code, 1, 2) BETWEEN '10' AND '33'`)) as [{ n: number }];
    expect(manufacturing.industryClass.companies.totalCount).toBe(manufacturers);
    const food = await ok<{ industryClass: { companies: Page }; companies: Page }>(
      `{ industryClass(code: "10") { companies(first: 5) { ${PAGE} } } companies(first: 5, filter: { tsicPrefix: "10" }) { ${PAGE} } }`,
    );
    expect(food.industryClass.companies).toEqual(food.companies);
  });

  test('provinces and regions come from the reference table; a province is found by code or any of its names', async () => {
    const east = await ok<{ provinces: { code: string; eec: boolean; promotionCentre: number; region: { code: string; nameTh: string } }[] }>(
      `{ provinces(region: EAST) { code eec promotionCentre region { code nameTh } } }`,
    );
    const rows = await sql<{ code: string; eec: boolean; promotion_centre: number }>(`SELECT code, eec, promotion_centre::int FROM reference.province WHERE region = 'East' ORDER BY code`);
    expect(east.provinces.map((p) => ({ code: p.code, eec: p.eec, promotionCentre: p.promotionCentre }))).toEqual(
      rows.map((r) => ({ code: r.code, eec: r.eec, promotionCentre: r.promotion_centre })),
    );
    for (const province of east.provinces) expect(province.region).toEqual({ code: 'EAST', nameTh: 'ภาคตะวันออก' });

    for (const name of ['20', 'TH-20', 'ชลบุรี', 'จ.ชลบุรี', 'Chon Buri', 'chonburi']) {
      const data = await ok<{ province: { code: string; nameEn: string; isoCode: string } }>(`query($p: String!) { province(codeOrName: $p) { code nameEn isoCode } }`, { p: name });
      expect(data.province).toEqual({ code: '20', nameEn: 'Chon Buri', isoCode: 'TH-20' });
    }
    expect(await errorCode(`{ province(codeOrName: "Atlantis") { code } }`)).toBe('NOT_FOUND');

    const regions = await ok<{ regions: { code: string; provinces: { code: string }[] }[] }>(`{ regions { code nameEn nameTh provinces { code } } }`);
    expect(regions.regions.map((r) => r.code).sort()).toEqual(['CENTRAL', 'EAST', 'NORTH', 'NORTHEAST', 'SOUTH', 'WEST']);
    const perRegion = await sql<{ region: string; n: number }>(`SELECT upper(region) AS region, count(*)::int AS n FROM reference.province GROUP BY region`);
    for (const row of perRegion) expect(regions.regions.find((r) => r.code === row.region)!.provinces.length).toBe(row.n);
  });

  test('regional centres and province groups: reference rows, their provinces, and the same companies as the filter', async () => {
    const data = await ok<{
      promotionCentres: { id: string; number: number; nameTh: string; seatConfirmed: boolean; seatProvince: { code: string }; provinces: { code: string; promotionCentre: number; centre: { number: number } }[]; transformationCentre: { nameEn: string } }[];
      provinceGroups: { code: string; regionCode: string; focusIndustries: { code: string }[]; provinces: { code: string; provinceGroup: { code: string } }[] }[];
    }>(
      `{ promotionCentres { id number nameTh seatConfirmed seatProvince { code } provinces { code promotionCentre centre { number } } transformationCentre { nameEn } }
         provinceGroups { code regionCode focusIndustries { code } provinces { code provinceGroup { code } } } }`,
    );
    expect(data.promotionCentres.map((c) => c.number)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    const rows = await sql<{ code: string; promotion_centre: number }>(`SELECT code, promotion_centre::int FROM reference.province ORDER BY code`);
    for (const centre of data.promotionCentres) {
      expect(centre.provinces.map((p) => p.code)).toEqual(rows.filter((r) => r.promotion_centre === centre.number).map((r) => r.code));
      // The deprecated number and the new object agree.
      for (const p of centre.provinces) expect([p.promotionCentre, p.centre.number]).toEqual([centre.number, centre.number]);
      expect(centre.transformationCentre.nameEn).toContain('ITC');
    }
    const seven = data.promotionCentres[6]!;
    expect([seven.seatProvince.code, seven.seatConfirmed]).toEqual(['31', true]);
    expect(seven.provinces.map((p) => p.code)).toEqual(expect.arrayContaining(['31', '32', '33']));
    expect(seven.provinces).toHaveLength(5);
    expect(data.promotionCentres[10]!.seatProvince.code).toBe('90');
    expect(data.promotionCentres.filter((c) => c.seatConfirmed).map((c) => c.number)).toEqual([7, 11]);
    expect(data.provinceGroups).toHaveLength(6);
    expect(data.provinceGroups.flatMap((g) => g.provinces.map((p) => p.code)).sort()).toEqual(rows.map((r) => r.code));
    for (const group of data.provinceGroups) {
      expect(group.focusIndustries.length).toBeGreaterThan(0);
      for (const p of group.provinces) expect(p.provinceGroup.code).toBe(group.code);
    }
    expect(await errorCode(`{ promotionCentre(number: 12) { number } }`)).toBe('NOT_FOUND');
    expect(await errorCode(`{ provinceGroup(code: "ATLANTIS") { code } }`)).toBe('NOT_FOUND');
    // Hostile numbers and codes: refused with a code, the hub still answering.
    for (const n of [0, -1, 2147483647]) expect([n, await errorCode(`query($n: Int!) { promotionCentre(number: $n) { number } }`, { n })]).toEqual([n, 'NOT_FOUND']);
    for (const code of ['x'.repeat(100_000), 'NORTH\u0000EAST', "' OR 1=1 --"]) {
      const { body } = await t.graphql(`query($g: String!) { provinceGroup(code: $g) { code } }`, { g: code }, analyst);
      expect(['NOT_FOUND', 'BAD_USER_INPUT']).toContain(body.errors?.[0]?.extensions?.code);
      expect(JSON.stringify(body).length).toBeLessThan(2_000);
    }
    expect(await errorCode(`{ provinceGroup(code: "NORTHEAST") { code } }`)).toBeUndefined();
    expect(await errorCode(`{ companies(first: 1, filter: { provinceGroup: "ATLANTIS" }) { totalCount } }`)).toBe('BAD_USER_INPUT');
    expect(await errorCode(`{ factories(first: 1, filter: { promotionCentre: 0 }) { totalCount } }`)).toBe('BAD_USER_INPUT');
    const node = await ok<{ node: { number: number } }>(`query($id: ID!) { node(id: $id) { ... on PromotionCentre { number } } }`, { id: seven.id });
    expect(node.node).toEqual({ number: 7 });

    // Lists below a centre and a group are the root lists under the same filter; the counts match SQL.
    const lists = await ok<{
      promotionCentre: { companies: Page; factories: { totalCount: number } };
      companies: Page;
      factories: { totalCount: number };
      provinceGroup: { companies: Page };
      byGroup: Page;
    }>(
      `{ promotionCentre(number: 7) { companies(first: 5) { ${PAGE} } factories(first: 1) { totalCount } }
         companies(first: 5, filter: { promotionCentre: 7 }) { ${PAGE} } factories(first: 1, filter: { promotionCentre: 7 }) { totalCount }
         provinceGroup(code: "northeast") { companies(first: 5) { ${PAGE} } } byGroup: companies(first: 5, filter: { provinceGroup: "NORTHEAST" }) { ${PAGE} } }`,
    );
    expect(lists.promotionCentre.companies).toEqual(lists.companies);
    expect(lists.promotionCentre.factories).toEqual(lists.factories);
    expect(lists.provinceGroup.companies).toEqual(lists.byGroup);
    const [{ n }] = (await sql<{ n: number }>(`SELECT count(*)::int AS n FROM registry.company_profile p JOIN reference.province r ON r.code = p.province_code WHERE r.promotion_centre = 7`)) as [{ n: number }];
    expect(lists.companies.totalCount).toBe(n);
    const [{ f }] = (await sql<{ f: number }>(`SELECT count(*)::int AS f FROM registry.factory x JOIN reference.province r ON r.name_th = x.province WHERE r.promotion_centre = 7`)) as [{ f: number }];
    expect(lists.factories.totalCount).toBe(f);
    // Statistics filter by centre too, from the aggregate and from the live rows alike.
    const stats = await ok<{ a: { source: string; groups: { count: number }[] }; b: { source: string; groups: { count: number }[] } }>(
      `{ a: companyStats(filter: { promotionCentre: 7 }, groupBy: [PROVINCE]) { source groups { count } }
         b: companyStats(filter: { promotionCentre: 7 }, groupBy: [PROVINCE, REGISTRATION_YEAR]) { source groups { count } } }`,
      {},
      admin,
    );
    expect(stats.a.source).toBe('AGGREGATE');
    expect(stats.b.source).toBe('LIVE');
    expect(stats.a.groups.reduce((sum, g) => sum + g.count, 0)).toBe(n);
    expect(stats.b.groups.reduce((sum, g) => sum + g.count, 0)).toBe(n);
  });

  test('target industries come in display order with their mapping', async () => {
    const data = await ok<{ targetIndustries: { code: string; wave: string; displayOrder: number; mappingVersion: string; tsicPrefixes: string[] }[] }>(
      `{ targetIndustries { code wave displayOrder nameEn nameTh mappingVersion tsicPrefixes } }`,
    );
    const rows = await sql<{ code: string; wave: string; prefixes: string[]; version: string }>(
      `SELECT ti.code, ti.wave, array_agg(m.tsic_prefix ORDER BY m.tsic_prefix COLLATE "C") AS prefixes, max(m.mapping_version) AS version
       FROM reference.target_industry ti JOIN reference.target_industry_tsic m ON m.industry_code = ti.code
       WHERE m.mapping_version = (SELECT max(mapping_version) FROM reference.target_industry_tsic)
       GROUP BY ti.code, ti.wave, ti.display_order ORDER BY ti.display_order`,
    );
    expect(rows.length).toBe(10);
    expect(data.targetIndustries.map((i) => ({ code: i.code, wave: i.wave === 'FIRST_S_CURVE' ? 'first' : 'new', prefixes: i.tsicPrefixes, version: i.mappingVersion }))).toEqual(
      rows.map((r) => ({ code: r.code, wave: r.wave, prefixes: r.prefixes, version: r.version })),
    );
  });

  type Month = { month: string; mpi: number; capacityUtilisation: number | null; provenance: { source: string; runId: string } };

  test('industrialIndex returns one group\'s months in order, within the range, as the table has them', async () => {
    const data = await ok<{ industrialIndex: Month[] }>(
      `{ industrialIndex(group: "10", from: "2023-03", to: "2023-08") { month mpi capacityUtilisation provenance { source runId } group { code } } }`,
    );
    const rows = await sql<{ month: string; mpi: string; cap: string | null }>(
      `SELECT to_char(month, 'YYYY-MM') AS month, mpi::text, capacity_utilisation::text AS cap FROM registry.industrial_index
       WHERE industry_code = '10' AND month BETWEEN '2023-03-01' AND '2023-08-01' ORDER BY month`,
    );
    expect(rows.length).toBe(6);
    expect(data.industrialIndex.map((m) => ({ month: m.month, mpi: m.mpi, cap: m.capacityUtilisation }))).toEqual(
      rows.map((r) => ({ month: r.month, mpi: Number(r.mpi), cap: r.cap === null ? null : Number(r.cap) })),
    );
    for (const month of data.industrialIndex) expect(month).toMatchObject({ provenance: { source: 'oie-mpi' }, group: { code: '10' } });

    const all = await ok<{ industrialIndex: Month[] }>(`{ industrialIndex(group: "c") { month } }`);
    const months = all.industrialIndex.map((m) => m.month);
    expect(months).toEqual([...months].sort());
    expect(new Set(months).size).toBe(months.length);
    const [{ n }] = (await sql<{ n: number }>(`SELECT count(*)::int AS n FROM registry.industrial_index WHERE industry_code = 'C'`)) as [{ n: number }];
    expect(months.length).toBe(n);

    const openEnded = await ok<{ industrialIndex: Month[] }>(`{ industrialIndex(group: "10", from: "2024-11") { month } }`);
    expect(openEnded.industrialIndex.map((m) => m.month)).toEqual(['2024-11', '2024-12']);
    // A known group with no month in the range: empty, not an error.
    expect((await ok<{ industrialIndex: Month[] }>(`{ industrialIndex(group: "10", from: "1990-01", to: "1990-12") { month } }`)).industrialIndex).toEqual([]);
  });

  test.each([
    ['a month that is not YYYY-MM', `{ industrialIndex(group: "10", from: "2023-13") { month } }`, 'BAD_USER_INPUT'],
    ['a Buddhist-Era month', `{ industrialIndex(group: "10", to: "2566-03") { month } }`, 'BAD_USER_INPUT'],
    ['a day instead of a month', `{ industrialIndex(group: "10", from: "2023-03-01") { month } }`, 'BAD_USER_INPUT'],
    ['from after to', `{ industrialIndex(group: "10", from: "2024-01", to: "2023-01") { month } }`, 'BAD_USER_INPUT'],
    ['a malformed group', `{ industrialIndex(group: "food") { month } }`, 'BAD_USER_INPUT'],
    ['a group OIE does not publish', `{ industrialIndex(group: "99") { month } }`, 'NOT_FOUND'],
  ])('industrialIndex refuses %s', async (_what, query, code) => {
    expect(await errorCode(query)).toBe(code);
  });

  test('industrialIndexGroups lists each group with its span, linked to its TSIC entry', async () => {
    const data = await ok<{ industrialIndexGroups: { code: string; name: string | null; firstMonth: string; lastMonth: string; monthCount: number; industryClass: { code: string; level: string } | null }[] }>(
      `{ industrialIndexGroups { code name firstMonth lastMonth monthCount industryClass { code level } } }`,
    );
    const rows = await sql<{ code: string; first: string; last: string; n: number }>(
      `SELECT industry_code AS code, to_char(min(month), 'YYYY-MM') AS first, to_char(max(month), 'YYYY-MM') AS last, count(*)::int AS n
       FROM registry.industrial_index GROUP BY 1 ORDER BY industry_code <> 'C', industry_code`,
    );
    expect(rows.length).toBeGreaterThan(1);
    expect(data.industrialIndexGroups.map((g) => ({ code: g.code, first: g.firstMonth, last: g.lastMonth, n: g.monthCount }))).toEqual(rows);
    expect(data.industrialIndexGroups[0]).toMatchObject({ code: 'C', industryClass: { code: 'C', level: 'SECTION' } });
    expect(data.industrialIndexGroups.find((g) => g.code === '10')).toMatchObject({ industryClass: { code: '10', level: 'DIVISION' }, name: expect.any(String) });
  });

  test('dataSources list their last runs newest first, batched; banks may not see runs', async () => {
    await t.ingestNow('oie-mpi');
    await t.ingestNow('oie-mpi');
    type Sources = { dataSources: { id: string; lastRuns: { runId: string; id: string; source: string; status: string }[] }[] };
    const data = await ok<Sources>(`{ dataSources { id lastRuns(first: 2) { id runId source status } } }`);
    const latest = await sql<{ id: string }>(`SELECT id::text FROM ingestion.run WHERE source = 'oie-mpi' ORDER BY run.id DESC LIMIT 2`);
    const oie = data.dataSources.find((s) => s.id === 'oie-mpi')!;
    expect(oie.lastRuns.map((r) => r.runId)).toEqual(latest.map((r) => r.id));
    expect(oie.lastRuns[0]).toMatchObject({ source: 'oie-mpi', status: 'SUCCEEDED', id: globalId('IngestionRun', latest[0]!.id) });
    expect(data.dataSources.find((s) => s.id === 'diw')!.lastRuns.length).toBe(1);

    const byDefault = await ok<Sources>(`{ dataSources { id lastRuns { runId } } }`);
    expect(byDefault.dataSources.find((s) => s.id === 'oie-mpi')!.lastRuns.length).toBe(3);
    expect(await errorCode(`{ dataSources { id lastRuns(first: 0) { runId } } }`)).toBe('BAD_USER_INPUT');
    expect(await errorCode(`{ dataSources { id lastRuns { runId } } }`, {}, bank)).toBe('FORBIDDEN');

    // One statement for the runs of every source, whatever their number.
    const statements = async (query: string): Promise<number> => {
      const { body } = await t.graphql(query, {}, admin);
      expect(body.errors).toBeUndefined();
      return (body as { extensions?: { sqlStatements?: number } }).extensions!.sqlStatements!;
    };
    await statements(`{ dataSources { id } }`);
    expect(await statements(`{ dataSources { id lastRuns(first: 3) { runId } } }`)).toBe((await statements(`{ dataSources { id } }`)) + 1);
  });

  test('node(id) fetches every new type by its global ID, within the roles of its list', async () => {
    const [run] = await sql<{ id: string }>(`SELECT id::text FROM ingestion.run WHERE source = 'diw' ORDER BY run.id LIMIT 1`);
    const [quarantined] = await sql<{ id: string; run_id: string }>(`SELECT id::text, run_id::text FROM ingestion.quarantined_row WHERE resolved_at IS NULL ORDER BY id LIMIT 1`);
    const ids = [
      globalId('IndustryClass', '107'),
      globalId('TargetIndustry', 'DIGITAL'),
      globalId('Province', '50'),
      globalId('Region', 'SOUTH'),
      globalId('IndustrialIndexGroup', '10'),
      globalId('IndustrialIndexMonth', '10:2024-03'),
      globalId('IngestionRun', run!.id),
      globalId('IndustryClass', '1999'),
      globalId('Region', 'ATLANTIS'),
      globalId('IndustrialIndexMonth', '10:2024-13'),
      globalId('IngestionRun', 'nope'),
    ];
    const data = await ok<{ nodes: (Record<string, unknown> | null)[] }>(
      `query($ids: [ID!]!) { nodes(ids: $ids) { __typename id
        ... on IndustryClass { code parent { code } }
        ... on TargetIndustry { code }
        ... on Province { code nameEn }
        ... on Region { regionCode: code }
        ... on IndustrialIndexGroup { code }
        ... on IndustrialIndexMonth { groupCode month mpi }
        ... on IngestionRun { runId source } } }`,
      { ids },
    );
    expect(data.nodes).toEqual([
      { __typename: 'IndustryClass', id: ids[0], code: '107', parent: { code: '10' } },
      { __typename: 'TargetIndustry', id: ids[1], code: 'DIGITAL' },
      { __typename: 'Province', id: ids[2], code: '50', nameEn: 'Chiang Mai' },
      { __typename: 'Region', id: ids[3], regionCode: 'SOUTH' },
      { __typename: 'IndustrialIndexGroup', id: ids[4], code: '10' },
      { __typename: 'IndustrialIndexMonth', id: ids[5], groupCode: '10', month: '2024-03', mpi: expect.any(Number) },
      { __typename: 'IngestionRun', id: ids[6], runId: run!.id, source: 'diw' },
      null,
      null,
      null,
      null,
    ]);
    // Each object's id is the one node(id) takes.
    const province = await ok<{ province: { id: string } }>(`{ province(codeOrName: "50") { id } }`);
    expect(province.province.id).toBe(ids[2]);

    expect(await errorCode(`query($id: ID!) { node(id: $id) { id } }`, { id: ids[6] }, bank)).toBe('FORBIDDEN');
    const rowId = globalId('QuarantinedRow', quarantined!.id);
    expect(await errorCode(`query($id: ID!) { node(id: $id) { id } }`, { id: rowId }, analyst)).toBe('FORBIDDEN');
    const row = await ok<{ node: { quarantineId: string; run: { runId: string } } }>(
      `query($id: ID!) { node(id: $id) { ... on QuarantinedRow { quarantineId reason run { runId } } } }`,
      { id: rowId },
      admin,
    );
    expect(row.node).toMatchObject({ quarantineId: quarantined!.id, run: { runId: quarantined!.run_id } });
  });

  test('companies with their province, region, industry class and target industries cost the same SQL for 1, 10 and 100', async () => {
    const nested = `query($n: Int) {
      companies(first: $n) {
        edges { node { juristicId province { code region { code provinces { code } } } region { code } industryClass { code parent { code } ancestors { code } } targetIndustries { code } } }
      }
    }`;
    // Warm up: the key's first use of the minute also records it (one UPDATE).
    await t.graphql(nested, { n: 1 }, admin);
    const counts: number[] = [];
    for (const n of [1, 10, 100]) {
      const { body } = await t.graphql<{ companies: { edges: unknown[] } }>(nested, { n }, admin);
      expect(body.errors).toBeUndefined();
      expect(body.data!.companies.edges.length).toBe(n);
      counts.push((body as { extensions?: { sqlStatements?: number } }).extensions!.sqlStatements!);
    }
    // The companies page alone: the key comes from the API's cache, the reference relations from
    // the reference cache.
    expect(counts).toEqual([1, 1, 1]);
  });
});
