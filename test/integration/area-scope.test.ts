import { getNamedType, isAbstractType, isObjectType, type GraphQLSchema } from 'graphql';
import { buildHubSchema } from '../../src/app/api/schema';
import { FIRM_DATA_TYPES } from '../../src/domains/firm-data';
import { thaiIdCheckDigit } from '../../src/shared/thai-id';
import { startLoadedHub } from '../support/loaded-hub';
import type { TestHub } from '../support/test-hub';

/**
 * Area roles (a provincial office, a regional centre) see the firms of their area and nothing of
 * the rest: every firm-level entry point of the schema is tried from each, against SQL's answer of
 * what the area holds, and records outside it answer exactly as missing ones do.
 */

/**
 * The root fields that return firm-level records (directly, in a connection, as a Node) or an
 * object one step away from them (a province's companies, a standard's licences, a payload).
 */
function firmEntryPoints(schema: GraphQLSchema): string[] {
  const holdsFirms = (typeName: string): boolean => {
    if (firmLevel(typeName)) return true;
    const type = schema.getType(typeName);
    return isObjectType(type) && Object.values(type.getFields()).some((field) => firmLevel(getNamedType(field.type).name));
  };
  const firmLevel = (typeName: string): boolean => {
    if (FIRM_DATA_TYPES[typeName]) return true;
    const type = schema.getType(typeName);
    if (!type) return false;
    if (isAbstractType(type)) return true;
    // A connection: its edges' node.
    if (isObjectType(type) && type.getFields()['edges']) {
      const edge = getNamedType(type.getFields()['edges']!.type);
      return isObjectType(edge) && FIRM_DATA_TYPES[getNamedType(edge.getFields()['node']!.type).name] !== undefined;
    }
    return false;
  };
  const roots = [schema.getQueryType()!, schema.getMutationType()!];
  return roots.flatMap((root) => Object.values(root.getFields()).filter((field) => holdsFirms(getNamedType(field.type).name)).map((field) => `${root.name}.${field.name}`));
}

describe('Area roles', () => {
  let t: TestHub;
  let office: string;
  let centreKey: string;
  let province: { code: string; name: string; centre: number };
  let neighbour: { code: string; name: string; centre: number };
  let insider: string;
  let outsider: string;
  const missing = (() => {
    const body = '099999999999';
    return `${body}${thaiIdCheckDigit(body)}`;
  })();

  const sql = <T>(text: string, params: unknown[] = []): Promise<T[]> => t.hub.database.dataSource.query(text, params);
  async function ok<T>(query: string, variables: Record<string, unknown>, key: string): Promise<T> {
    const { body } = await t.graphql<T>(query, variables, key);
    expect(body.errors).toBeUndefined();
    return body.data!;
  }
  async function refusal(query: string, variables: Record<string, unknown>, key: string): Promise<{ code?: string; reason?: unknown; message?: string }> {
    const { body } = await t.graphql(query, variables, key);
    const error = body.errors?.[0];
    return { code: error?.extensions?.code, reason: error?.extensions?.['reason'], message: error?.message };
  }

  beforeAll(async () => {
    t = await startLoadedHub({ scale: 600 });
    // The province with most companies is the office's; a neighbour of another centre has firms too.
    const ranked = await sql<{ code: string; name: string; centre: number }>(
      `SELECT p.province_code AS code, r.name_th AS name, r.promotion_centre AS centre FROM registry.company_profile p
       JOIN reference.province r ON r.code = p.province_code GROUP BY 1, 2, 3 ORDER BY count(*) DESC, 1`,
    );
    province = ranked[0]!;
    neighbour = ranked.find((r) => r.centre !== province.centre)!;
    insider = (await sql<{ id: string }>(`SELECT juristic_id AS id FROM registry.company_profile WHERE province_code = $1 ORDER BY 1 LIMIT 1`, [province.code]))[0]!.id;
    outsider = (await sql<{ id: string }>(`SELECT juristic_id AS id FROM registry.company_profile WHERE province_code = $1 ORDER BY 1 LIMIT 1`, [neighbour.code]))[0]!.id;
    office = (await t.hub.services.clients.create({ name: 'office', role: 'province', provinceCode: province.code })).key;
    centreKey = (await t.hub.services.clients.create({ name: 'centre', role: 'centre', centre: province.centre })).key;
  });
  afterAll(async () => {
    await t?.stop();
  });

  test('client:create refuses an area role without its area, with a wrong one, or with an option of another role', async () => {
    const create = (input: Parameters<typeof t.hub.services.clients.create>[0]) => t.hub.services.clients.create(input).then(() => 'created', (error: Error) => error.message);
    expect(await create({ name: 'x', role: 'province' })).toMatch(/needs --province/);
    expect(await create({ name: 'x', role: 'province', provinceCode: '00' })).toMatch(/no province with code "00"/);
    expect(await create({ name: 'x', role: 'province', provinceCode: 'Bangkok' })).toMatch(/2-digit/);
    expect(await create({ name: 'x', role: 'centre', centre: 12 })).toMatch(/1 to 11/);
    expect(await create({ name: 'x', role: 'ministry', centre: 3 })).toMatch(/only a client with role "centre"/);
    expect(await create({ name: 'x', role: 'firm', juristicId: '0105536112015' })).toMatch(/not a juristic ID/);
    const bangkok = await t.hub.services.clients.create({ name: 'bangkok office', role: 'province', provinceCode: '10' });
    expect(bangkok.client.areaProvinceCodes).toEqual(['10']);
    const centre7 = await t.hub.services.clients.create({ name: 'centre 7', role: 'centre', centre: 7 });
    expect(centre7.client.areaProvinceCodes).toEqual(expect.arrayContaining(['31', '32', '33']));
  });

  test('every firm-level entry point of the schema has a case here', async () => {
    const schema = await buildHubSchema();
    expect(firmEntryPoints(schema).sort()).toEqual(Object.keys(ENTRY_POINT_CASES).sort());
  });

  test('node(id) of a DIP participation or Industry 4.0 assessment outside the area, or linked to no firm and placed elsewhere, answers null', async () => {
    const admin = await adminKey();
    const idsOf = async (juristicId: string): Promise<string[]> => {
      const data = await ok<{ company: { programmeParticipations: { id: string }[]; industry40Assessments: { id: string }[] } }>(
        `query($id: JuristicId!) { company(juristicId: $id) { programmeParticipations { id } industry40Assessments { id } } }`,
        { id: juristicId },
        admin,
      );
      return [...data.company.programmeParticipations, ...data.company.industry40Assessments].map((r) => r.id);
    };
    // Firms of the office's province, or outside the centre's provinces, with DIP records of both kinds among them.
    const recordsOf = async (inArea: boolean): Promise<string[]> => {
      const area = inArea ? [province.code] : (await sql<{ code: string }>(`SELECT code FROM reference.province WHERE promotion_centre = $1`, [province.centre])).map((r) => r.code);
      const firms = await sql<{ id: string }>(
        `(SELECT p.juristic_id AS id FROM registry.company_profile p JOIN registry.dip_participation d ON d.company_juristic_id = p.juristic_id
          WHERE (p.province_code = ANY($1)) = $2 ORDER BY 1 LIMIT 2)
         UNION (SELECT p.juristic_id FROM registry.company_profile p JOIN registry.dip_i40_assessment d ON d.company_juristic_id = p.juristic_id
          WHERE (p.province_code = ANY($1)) = $2 ORDER BY 1 LIMIT 2)`,
        [area, inArea],
      );
      return (await Promise.all(firms.map((f) => idsOf(f.id)))).flat();
    };
    const far = await recordsOf(false);
    const near = await recordsOf(true);
    expect(far.some((id) => Buffer.from(id, 'base64url').toString().startsWith('ProgrammeParticipation:'))).toBe(true);
    expect(far.some((id) => Buffer.from(id, 'base64url').toString().startsWith('Industry40Assessment:'))).toBe(true);
    expect(near.length).toBeGreaterThanOrEqual(1);
    // A participation linked to no firm is masked: in the area of the province DIP gave for it only (src/shared/firm-identity.ts).
    const [unlinked] = await sql<{ key: string }>(
      `SELECT registry.dip_record_key(participant_key || ':' || year::text || ':' || programme_code) AS key FROM registry.dip_participation
       WHERE company_juristic_id IS NULL AND (province IS NULL OR province NOT IN (SELECT name_th FROM reference.province WHERE promotion_centre = $1)) LIMIT 1`,
      [province.centre],
    );
    const unlinkedId = unlinked ? Buffer.from(`ProgrammeParticipation:${unlinked.key}`).toString('base64url') : undefined;
    for (const key of [office, centreKey]) {
      for (const id of far) expect([id, (await ok<{ node: unknown }>(`query($id: ID!) { node(id: $id) { id ... on ProgrammeParticipation { companyName } } }`, { id }, key)).node]).toEqual([id, null]);
      const many = await ok<{ nodes: unknown[] }>(`query($ids: [ID!]!) { nodes(ids: $ids) { id } }`, { ids: [...far, ...near] }, key);
      expect(many.nodes).toEqual([...far.map(() => null), ...near.map((id) => ({ id }))]);
      if (unlinkedId) expect((await ok<{ node: unknown }>(`query($id: ID!) { node(id: $id) { id } }`, { id: unlinkedId }, key)).node).toBeNull();
    }
  });

  /** Each case runs from the office and the centre; `area` is the provinces the key sees. */
  const ENTRY_POINT_CASES: Record<string, (key: string, area: string[]) => Promise<void>> = {
    'Query.companies': async (key, area) => {
      const data = await ok<{ companies: { totalCount: number; edges: { node: { province: { code: string } } }[] } }>(
        `{ companies(first: 100) { totalCount edges { node { province { code } } } } }`,
        {},
        key,
      );
      const [{ n }] = (await sql<{ n: number }>(`SELECT count(*)::int AS n FROM registry.company_profile WHERE province_code = ANY($1)`, [area])) as [{ n: number }];
      expect(n).toBeGreaterThan(0);
      expect(data.companies.totalCount).toBe(n);
      for (const { node } of data.companies.edges) expect(area).toContain(node.province.code);
    },
    'Query.company': async (key) => {
      expect((await ok<{ company: { juristicId: string } }>(`query($id: JuristicId!) { company(juristicId: $id) { juristicId } }`, { id: insider }, key)).company.juristicId).toBe(insider);
      const outside = await refusal(`query($id: JuristicId!) { company(juristicId: $id) { juristicId } }`, { id: outsider }, key);
      const absent = await refusal(`query($id: JuristicId!) { company(juristicId: $id) { juristicId } }`, { id: missing }, key);
      expect(outside).toEqual({ code: 'FORBIDDEN', reason: 'OUTSIDE_SCOPE', message: expect.any(String) });
      // A neighbour's firm and a firm that does not exist answer alike: existence is not revealed.
      expect(absent).toEqual(outside);
    },
    'Query.factories': async (key, area) => {
      const data = await ok<{ factories: { totalCount: number } }>(`{ factories(first: 5) { totalCount } }`, {}, key);
      const [{ n }] = (await sql<{ n: number }>(
        `SELECT count(*)::int AS n FROM registry.factory f WHERE f.province IN (SELECT name_th FROM reference.province WHERE code = ANY($1))
           OR f.company_juristic_id IN (SELECT juristic_id FROM registry.company_profile WHERE province_code = ANY($1))`,
        [area],
      )) as [{ n: number }];
      expect(data.factories.totalCount).toBe(n);
    },
    'Query.factory': async (key, area) => {
      const [far] = await sql<{ fid: string }>(
        `SELECT fid FROM registry.factory f WHERE f.province NOT IN (SELECT name_th FROM reference.province WHERE code = ANY($1))
           AND (f.company_juristic_id IS NULL OR f.company_juristic_id NOT IN (SELECT juristic_id FROM registry.company_profile WHERE province_code = ANY($1))) LIMIT 1`,
        [area],
      );
      const outside = await refusal(`query($fid: String!) { factory(fid: $fid) { fid } }`, { fid: far!.fid }, key);
      expect(outside.code).toBe('FORBIDDEN');
      expect(await refusal(`query($fid: String!) { factory(fid: $fid) { fid } }`, { fid: '99999999999999' }, key)).toEqual(outside);
    },
    'Query.tisLicenses': async (key, area) => {
      const data = await ok<{ tisLicenses: { totalCount: number } }>(`{ tisLicenses(first: 5) { totalCount } }`, {}, key);
      const [{ n }] = (await sql<{ n: number }>(
        `SELECT count(*)::int AS n FROM registry.tis_licence l WHERE l.company_juristic_id IN (SELECT juristic_id FROM registry.company_profile WHERE province_code = ANY($1))
           OR l.fid IN (SELECT fid FROM registry.factory WHERE province IN (SELECT name_th FROM reference.province WHERE code = ANY($1)))`,
        [area],
      )) as [{ n: number }];
      expect(data.tisLicenses.totalCount).toBe(n);
    },
    'Query.tisLicense': async (key, area) => {
      const [far] = await sql<{ no: string }>(
        `SELECT licence_no AS no FROM registry.tis_licence l WHERE l.company_juristic_id IN (SELECT juristic_id FROM registry.company_profile WHERE NOT province_code = ANY($1))
           AND (l.fid IS NULL OR l.fid NOT IN (SELECT fid FROM registry.factory WHERE province IN (SELECT name_th FROM reference.province WHERE code = ANY($1)))) LIMIT 1`,
        [area],
      );
      expect((await refusal(`query($no: String!) { tisLicense(licenceNo: $no) { licenceNo } }`, { no: far!.no }, key)).code).toBe('FORBIDDEN');
    },
    'Query.eligibleCompanies': async (key, area) => {
      const [product] = await sql<{ code: string }>(`SELECT product_code AS code FROM lending.eligibility_result WHERE eligible GROUP BY 1 ORDER BY count(*) DESC LIMIT 1`);
      const data = await ok<{ eligibleCompanies: { totalCount: number } }>(`query($p: String!) { eligibleCompanies(product: $p, first: 1) { totalCount } }`, { p: product!.code }, key);
      const [{ n }] = (await sql<{ n: number }>(
        `SELECT count(DISTINCT e.juristic_id)::int AS n FROM lending.eligibility_result e JOIN registry.company_profile p USING (juristic_id)
         WHERE e.product_code = $1 AND e.eligible AND p.province_code = ANY($2)`,
        [product!.code, area],
      )) as [{ n: number }];
      expect(data.eligibleCompanies.totalCount).toBe(n);
    },
    'Query.node': async (key) => {
      const ids = await ok<{ a: { id: string }; b: { id: string } }>(`query($a: JuristicId!, $b: JuristicId!) { a: company(juristicId: $a) { id } b: company(juristicId: $b) { id } }`, { a: insider, b: outsider }, await adminKey());
      expect((await ok<{ node: unknown }>(`query($id: ID!) { node(id: $id) { id } }`, { id: ids.b.id }, key)).node).toBeNull();
      expect((await ok<{ node: { id: string } }>(`query($id: ID!) { node(id: $id) { id } }`, { id: ids.a.id }, key)).node).toEqual({ id: ids.a.id });
    },
    'Query.nodes': async (key) => {
      const ids = await ok<{ a: { id: string }; b: { id: string } }>(`query($a: JuristicId!, $b: JuristicId!) { a: company(juristicId: $a) { id } b: company(juristicId: $b) { id } }`, { a: insider, b: outsider }, await adminKey());
      const data = await ok<{ nodes: ({ id: string } | null)[] }>(`query($ids: [ID!]!) { nodes(ids: $ids) { id } }`, { ids: [ids.b.id, ids.a.id] }, key);
      expect(data.nodes).toEqual([null, { id: ids.a.id }]);
    },
    // Reference objects: the firms below them are the area's only, and counted so.
    'Query.province': async (key, area) => {
      const inside = await ok<{ province: { companies: { totalCount: number } } }>(`query($p: String!) { province(codeOrName: $p) { companies(first: 1) { totalCount } } }`, { p: area[0] }, key);
      const [{ n }] = (await sql<{ n: number }>(`SELECT count(*)::int AS n FROM registry.company_profile WHERE province_code = $1`, [area[0]])) as [{ n: number }];
      expect(inside.province.companies.totalCount).toBe(n);
      const far = await ok<{ province: { companies: { totalCount: number } } }>(`query($p: String!) { province(codeOrName: $p) { companies(first: 1) { totalCount } } }`, { p: neighbour.code }, key);
      expect(far.province.companies.totalCount).toBe(0);
    },
    'Query.provinces': async (key, area) => {
      const data = await ok<{ provinces: { code: string; companies: { totalCount: number } }[] }>(`{ provinces { code companies(first: 1) { totalCount } } }`, {}, key);
      const [{ n }] = (await sql<{ n: number }>(`SELECT count(*)::int AS n FROM registry.company_profile WHERE province_code = ANY($1)`, [area])) as [{ n: number }];
      expect(data.provinces.reduce((sum, p) => sum + p.companies.totalCount, 0)).toBe(n);
      for (const p of data.provinces) if (!area.includes(p.code)) expect(p.companies.totalCount).toBe(0);
    },
    'Query.regions': async (key, area) => {
      const data = await ok<{ regions: { companies: { totalCount: number }; factories: { totalCount: number } }[] }>(`{ regions { companies(first: 1) { totalCount } factories(first: 1) { totalCount } } }`, {}, key);
      const [{ n }] = (await sql<{ n: number }>(`SELECT count(*)::int AS n FROM registry.company_profile WHERE province_code = ANY($1) AND region IS NOT NULL`, [area])) as [{ n: number }];
      expect(data.regions.reduce((sum, r) => sum + r.companies.totalCount, 0)).toBe(n);
    },
    'Query.targetIndustries': async (key, area) => {
      const data = await ok<{ targetIndustries: { companies: { totalCount: number } }[] }>(`{ targetIndustries { companies(first: 1) { totalCount } } }`, {}, key);
      const [{ n }] = (await sql<{ n: number }>(`SELECT count(*)::int AS n FROM registry.company_profile p, unnest(p.target_industries) WHERE p.province_code = ANY($1)`, [area])) as [{ n: number }];
      expect(data.targetIndustries.reduce((sum, i) => sum + i.companies.totalCount, 0)).toBe(n);
    },
    'Query.industryClass': async (key, area) => {
      const data = await ok<{ industryClass: { companies: { totalCount: number } } }>(`{ industryClass(code: "10") { companies(first: 1) { totalCount } } }`, {}, key);
      const [{ n }] = (await sql<{ n: number }>(
        `SELECT count(*)::int AS n FROM registry.company c JOIN registry.company_profile p USING (juristic_id) WHERE c.tsic_code LIKE '10%' AND p.province_code = ANY($1)`,
        [area],
      )) as [{ n: number }];
      expect(data.industryClass.companies.totalCount).toBe(n);
    },
    'Query.industryClasses': async (key, area) => {
      const data = await ok<{ industryClasses: { code: string; companies: { totalCount: number } }[] }>(`{ industryClasses(parentCode: "C") { code companies(first: 1) { totalCount } } }`, {}, key);
      const [{ n }] = (await sql<{ n: number }>(
        `SELECT count(*)::int AS n FROM registry.company c JOIN registry.company_profile p USING (juristic_id) WHERE substr(c.tsic_code, 1, 2) = ANY($2) AND p.province_code = ANY($1)`,
        [area, data.industryClasses.map((c) => c.code)],
      )) as [{ n: number }];
      expect(data.industryClasses.reduce((sum, c) => sum + c.companies.totalCount, 0)).toBe(n);
    },
    'Query.tisStandard': async (key, area) => {
      const [standard] = await sql<{ tis_no: string }>(`SELECT tis_no FROM registry.tis_licence GROUP BY 1 ORDER BY count(*) DESC LIMIT 1`);
      const data = await ok<{ tisStandard: { licences: { totalCount: number } } }>(`query($n: TisNo!) { tisStandard(tisNo: $n) { licences(first: 1) { totalCount } } }`, { n: standard!.tis_no }, key);
      const [{ n }] = (await sql<{ n: number }>(
        `SELECT count(*)::int AS n FROM registry.tis_licence l WHERE l.tis_no = $2 AND (l.company_juristic_id IN (SELECT juristic_id FROM registry.company_profile WHERE province_code = ANY($1))
           OR l.fid IN (SELECT fid FROM registry.factory WHERE province IN (SELECT name_th FROM reference.province WHERE code = ANY($1))))`,
        [area, standard!.tis_no],
      )) as [{ n: number }];
      expect(data.tisStandard.licences.totalCount).toBe(n);
    },
    'Query.promotionCentres': async (key, area) => {
      const data = await ok<{ promotionCentres: { number: number; companies: { totalCount: number }; factories: { totalCount: number } }[] }>(
        `{ promotionCentres { number companies(first: 1) { totalCount } factories(first: 1) { totalCount } } }`,
        {},
        key,
      );
      const [{ n }] = (await sql<{ n: number }>(`SELECT count(*)::int AS n FROM registry.company_profile WHERE province_code = ANY($1)`, [area])) as [{ n: number }];
      expect(data.promotionCentres.reduce((sum, c) => sum + c.companies.totalCount, 0)).toBe(n);
      for (const c of data.promotionCentres) if (c.number !== province.centre) expect([c.number, c.companies.totalCount, c.factories.totalCount]).toEqual([c.number, 0, expect.any(Number)]);
    },
    'Query.promotionCentre': async (key, area) => {
      const Q = `query($n: Int!) { promotionCentre(number: $n) { companies(first: 100) { totalCount edges { node { province { code } } } } } }`;
      const own = await ok<{ promotionCentre: { companies: { totalCount: number; edges: { node: { province: { code: string } } }[] } } }>(Q, { n: province.centre }, key);
      const [{ n }] = (await sql<{ n: number }>(`SELECT count(*)::int AS n FROM registry.company_profile WHERE province_code = ANY($1)`, [area])) as [{ n: number }];
      expect(own.promotionCentre.companies.totalCount).toBe(n);
      for (const { node } of own.promotionCentre.companies.edges) expect(area).toContain(node.province.code);
      const far = await ok<{ promotionCentre: { companies: { totalCount: number; edges: unknown[] } } }>(Q, { n: neighbour.centre }, key);
      expect(far.promotionCentre.companies).toEqual({ totalCount: 0, edges: [] });
    },
    'Query.provinceGroups': async (key, area) => {
      const data = await ok<{ provinceGroups: { companies: { totalCount: number } }[] }>(`{ provinceGroups { companies(first: 1) { totalCount } } }`, {}, key);
      const [{ n }] = (await sql<{ n: number }>(`SELECT count(*)::int AS n FROM registry.company_profile WHERE province_code = ANY($1) AND region IS NOT NULL`, [area])) as [{ n: number }];
      expect(data.provinceGroups.reduce((sum, g) => sum + g.companies.totalCount, 0)).toBe(n);
    },
    'Query.provinceGroup': async (key, area) => {
      const [far] = await sql<{ code: string }>(
        `SELECT g.code FROM reference.province_group g WHERE g.region NOT IN (SELECT region FROM reference.province WHERE code = ANY($1)) ORDER BY 1 LIMIT 1`,
        [area],
      );
      const data = await ok<{ provinceGroup: { companies: { totalCount: number }; factories: { edges: { node: { province: { code: string } | null } }[] } } }>(
        `query($g: String!) { provinceGroup(code: $g) { companies(first: 1) { totalCount } factories(first: 50) { edges { node { province { code } } } } } }`,
        { g: far!.code },
        key,
      );
      expect(data.provinceGroup.companies.totalCount).toBe(0);
      // Only a factory of the area's own companies can stand in another group's province.
      const [{ n }] = (await sql<{ n: number }>(
        `SELECT count(*)::int AS n FROM registry.factory f JOIN reference.province r ON r.name_th = f.province JOIN reference.province_group g ON g.region = r.region
         WHERE g.code = $2 AND f.company_juristic_id IN (SELECT juristic_id FROM registry.company_profile WHERE province_code = ANY($1))`,
        [area, far!.code],
      )) as [{ n: number }];
      expect(data.provinceGroup.factories.edges.length).toBe(Math.min(50, n));
    },
    // Roles without the permission: refused outright, before any data is read.
    'Query.consents': async (key) => expect((await refusal(`{ consents(first: 1) { totalCount } }`, {}, key)).code).toBe('FORBIDDEN'),
    'Query.eligibilityFeed': async (key) => expect((await refusal(`{ eligibilityFeed(first: 1) { totalCount } }`, {}, key)).code).toBe('FORBIDDEN'),
    'Query.loanOutcomes': async (key) => expect((await refusal(`{ loanOutcomes(first: 1) { totalCount } }`, {}, key)).code).toBe('FORBIDDEN'),
    'Mutation.grantConsent': async (key) =>
      expect((await refusal(`mutation($id: JuristicId!) { grantConsent(input: { juristicId: $id, bank: SMED, purpose: "x", validUntil: "2099-01-01" }) { id } }`, { id: insider }, key)).code).toBe('FORBIDDEN'),
    'Mutation.revokeConsent': async (key) => expect((await refusal(`mutation { revokeConsent(id: "x", reason: "x") { id } }`, {}, key)).code).toBe('FORBIDDEN'),
    'Mutation.reportLoanOutcome': async (key) =>
      expect((await refusal(`mutation { reportLoanOutcome(input: { juristicId: "0105536112014", productCode: "x", outcome: APPLIED, outcomeOn: "2026-01-01" }) { __typename } }`, {}, key)).code).toBe('FORBIDDEN'),
  };

  let admin: string | undefined;
  const adminKey = async (): Promise<string> => (admin ??= (await t.hub.services.clients.create({ name: 'admin', role: 'admin' })).key);

  test.each(['province', 'centre'] as const)('from a %s key, every firm-level entry point holds only the area', async (role) => {
    const key = role === 'province' ? office : centreKey;
    const area =
      role === 'province' ? [province.code] : (await sql<{ code: string }>(`SELECT code FROM reference.province WHERE promotion_centre = $1`, [province.centre])).map((r) => r.code);
    for (const [entryPoint, run] of Object.entries(ENTRY_POINT_CASES)) {
      try {
        await run(key, area);
      } catch (error) {
        throw new Error(`${entryPoint} from ${role}: ${(error as Error).message}`);
      }
    }
  });

  test('nested paths: a neighbour province’s lists are empty, a link out of the area is null', async () => {
    const data = await ok<{ province: { companies: { totalCount: number; edges: unknown[] }; factories: { totalCount: number } } }>(
      `query($p: String!) { province(codeOrName: $p) { companies(first: 5) { totalCount edges { node { juristicId } } } factories(first: 5) { totalCount } } }`,
      { p: neighbour.code },
      office,
    );
    expect(data.province.companies).toEqual({ totalCount: 0, edges: [] });
    // A factory standing in the office's province, operated by a company headquartered elsewhere.
    const [crossing] = await sql<{ fid: string }>(
      `SELECT f.fid FROM registry.factory f JOIN registry.company_profile p ON p.juristic_id = f.company_juristic_id
       WHERE f.province = $1 AND p.province_code <> $2 LIMIT 1`,
      [province.name, province.code],
    );
    if (crossing) {
      const factory = await ok<{ factory: { fid: string; company: unknown } }>(`query($fid: String!) { factory(fid: $fid) { fid company { juristicId } } }`, { fid: crossing.fid }, office);
      expect(factory.factory).toEqual({ fid: crossing.fid, company: null });
    }
    // A standard's licences: only the area's, and counted so.
    const [standard] = await sql<{ tis_no: string }>(`SELECT tis_no FROM registry.tis_licence GROUP BY 1 ORDER BY count(*) DESC LIMIT 1`);
    const licences = await ok<{ tisStandard: { licences: { totalCount: number; edges: unknown[] } } }>(
      `query($n: TisNo!) { tisStandard(tisNo: $n) { licences(first: 100) { totalCount edges { node { licenceNo } } } } }`,
      { n: standard!.tis_no },
      office,
    );
    expect(licences.tisStandard.licences.edges.length).toBe(Math.min(100, licences.tisStandard.licences.totalCount));
    const national = await ok<{ tisStandard: { licences: { totalCount: number } } }>(`query($n: TisNo!) { tisStandard(tisNo: $n) { licences(first: 1) { totalCount } } }`, { n: standard!.tis_no }, await adminKey());
    expect(licences.tisStandard.licences.totalCount).toBeLessThan(national.tisStandard.licences.totalCount);
  });

  test('statistics stay national, with groups of fewer than 5 firms left out for analysts and area roles (take-up too)', async () => {
    const analyst = (await t.hub.services.clients.create({ name: 'analyst', role: 'analyst' })).key;
    const STATS = `{ companyStats(groupBy: [PROVINCE]) { suppressedGroups groups { count keys { code } } } }`;
    type Stats = { companyStats: { suppressedGroups: number; groups: { count: number; keys: { code: string | null }[] }[] } };
    const full = (await ok<Stats>(STATS, {}, await adminKey())).companyStats;
    const small = full.groups.filter((g) => g.count < 5);
    expect(full.suppressedGroups).toBe(0);
    expect(small.length).toBeGreaterThan(0);
    for (const key of [analyst, office, centreKey]) {
      const shown = (await ok<Stats>(STATS, {}, key)).companyStats;
      expect(shown.groups).toEqual(full.groups.filter((g) => g.count >= 5));
      expect(shown.suppressedGroups).toBe(small.length);
    }
    const TAKE_UP = `{ loanTakeUpStats(groupBy: [PROVINCE]) { suppressedGroups groups { eligibleFirms appliedFirms approvedFirms disbursedFirms rejectedFirms } } }`;
    type TakeUp = { loanTakeUpStats: { suppressedGroups: number; groups: Record<string, number>[] } };
    const fullTakeUp = (await ok<TakeUp>(TAKE_UP, {}, await adminKey())).loanTakeUpStats;
    const analystTakeUp = (await ok<TakeUp>(TAKE_UP, {}, analyst)).loanTakeUpStats;
    for (const group of analystTakeUp.groups) expect(Math.max(...Object.values(group))).toBeGreaterThanOrEqual(5);
    expect(analystTakeUp.groups.length + analystTakeUp.suppressedGroups).toBe(fullTakeUp.groups.length);
  });
  test('a centre key naming another centre or group in a filter gets nothing of it, and its own centre as ever', async () => {
    const area = (await sql<{ code: string }>(`SELECT code FROM reference.province WHERE promotion_centre = $1`, [province.centre])).map((r) => r.code);
    const [{ n }] = (await sql<{ n: number }>(`SELECT count(*)::int AS n FROM registry.company_profile WHERE province_code = ANY($1)`, [area])) as [{ n: number }];
    const companies = (filter: Record<string, unknown>) =>
      ok<{ companies: { totalCount: number; edges: unknown[] } }>(`query($f: CompanyFilter) { companies(first: 5, filter: $f) { totalCount edges { node { juristicId } } } }`, { f: filter }, centreKey);
    expect(await companies({ promotionCentre: neighbour.centre })).toEqual({ companies: { totalCount: 0, edges: [] } });
    expect((await companies({ promotionCentre: province.centre })).companies.totalCount).toBe(n);
    const [{ code: farGroup }] = (await sql<{ code: string }>(
      `SELECT g.code FROM reference.province_group g WHERE g.region <> (SELECT region FROM reference.province WHERE code = $1) ORDER BY 1 LIMIT 1`,
      [province.code],
    )) as [{ code: string }];
    expect(await companies({ provinceGroup: farGroup })).toEqual({ companies: { totalCount: 0, edges: [] } });
    // Below its own centre, a filter naming the neighbour's centre contradicts the parent: empty.
    const nested = await ok<{ promotionCentre: { companies: { totalCount: number } } }>(
      `query($n: Int!, $f: CompanyFilter) { promotionCentre(number: $n) { companies(first: 1, filter: $f) { totalCount } } }`,
      { n: province.centre, f: { promotionCentre: neighbour.centre } },
      centreKey,
    );
    expect(nested.promotionCentre.companies.totalCount).toBe(0);
    // Factories: only those the area holds (standing there, or run by its companies), whatever the filter names.
    const factories = await ok<{ factories: { totalCount: number } }>(`query($n: Int) { factories(first: 1, filter: { promotionCentre: $n }) { totalCount } }`, { n: neighbour.centre }, centreKey);
    const [{ f }] = (await sql<{ f: number }>(
      `SELECT count(*)::int AS f FROM registry.factory x WHERE x.province IN (SELECT name_th FROM reference.province WHERE promotion_centre = $2)
         AND x.company_juristic_id IN (SELECT juristic_id FROM registry.company_profile WHERE province_code = ANY($1))`,
      [area, neighbour.centre],
    )) as [{ f: number }];
    expect(factories.factories.totalCount).toBe(f);
    // A centre that does not exist is bad input, not an empty answer.
    const { body } = await t.graphql(`{ companies(first: 1, filter: { promotionCentre: 12 }) { totalCount } }`, {}, centreKey);
    expect(body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(body.errors?.[0]?.extensions?.['argument']).toBe('filter.promotionCentre');
  });

  test('breakdowns by centre and by group: national, with the small cells left out for area roles and analysts', async () => {
    type Stats = { suppressedGroups: number; groups: { count: number; keys: { code: string | null; nameEn: string | null }[] }[] };
    const analyst = (await t.hub.services.clients.create({ name: 'analyst (centres)', role: 'analyst' })).key;
    for (const groupBy of ['[PROMOTION_CENTRE, SME_SIZE, STATUS]', '[PROVINCE_GROUP, TSIC_DIVISION]', '[PROMOTION_CENTRE]']) {
      const Q = `{ companyStats(groupBy: ${groupBy}) { suppressedGroups groups { count keys { code nameEn } } } }`;
      const full = (await ok<{ companyStats: Stats }>(Q, {}, await adminKey())).companyStats;
      expect(full.suppressedGroups).toBe(0);
      for (const key of [analyst, office, centreKey]) {
        const shown = (await ok<{ companyStats: Stats }>(Q, {}, key)).companyStats;
        expect(shown.groups).toEqual(full.groups.filter((g) => g.count >= 5));
        expect(shown.suppressedGroups).toBe(full.groups.filter((g) => g.count < 5).length);
      }
      if (groupBy !== '[PROMOTION_CENTRE]') expect(full.groups.some((g) => g.count < 5)).toBe(true);
    }
    // Each centre's count is the count of its provinces' companies (the same reference rows as the filter).
    const byCentre = (await ok<{ companyStats: Stats }>(`{ companyStats(groupBy: [PROMOTION_CENTRE]) { suppressedGroups groups { count keys { code nameEn } } } }`, {}, await adminKey())).companyStats;
    const expected = await sql<{ code: string | null; n: number }>(
      `SELECT r.promotion_centre::text AS code, count(*)::int AS n FROM registry.company c LEFT JOIN registry.company_profile p USING (juristic_id)
       LEFT JOIN reference.province r ON r.code = p.province_code GROUP BY 1`,
    );
    expect(byCentre.groups.map((g) => [g.keys[0]!.code, g.count]).sort()).toEqual(expected.map((e) => [e.code, e.n]).sort());
    // Factories and take-up group by centre and group too, with the same suppression.
    const FACTORIES = `{ factoryStats(groupBy: [PROVINCE_GROUP, ISIC_DIVISION]) { suppressedGroups groups { count } } }`;
    const allFactories = (await ok<{ factoryStats: Stats }>(FACTORIES, {}, await adminKey())).factoryStats;
    const centreFactories = (await ok<{ factoryStats: Stats }>(FACTORIES, {}, centreKey)).factoryStats;
    for (const g of centreFactories.groups) expect(g.count).toBeGreaterThanOrEqual(5);
    expect(centreFactories.groups.length + centreFactories.suppressedGroups).toBe(allFactories.groups.length);
    const TAKE_UP = `{ loanTakeUpStats(groupBy: [PROMOTION_CENTRE, PRODUCT]) { suppressedGroups groups { eligibleFirms appliedFirms approvedFirms disbursedFirms rejectedFirms } } }`;
    type TakeUp = { loanTakeUpStats: { suppressedGroups: number; groups: Record<string, number>[] } };
    const fullTakeUp = (await ok<TakeUp>(TAKE_UP, {}, await adminKey())).loanTakeUpStats;
    const analystTakeUp = (await ok<TakeUp>(TAKE_UP, {}, analyst)).loanTakeUpStats;
    for (const group of analystTakeUp.groups) expect(Math.max(...Object.values(group))).toBeGreaterThanOrEqual(5);
    expect(analystTakeUp.groups.length + analystTakeUp.suppressedGroups).toBe(fullTakeUp.groups.length);
  });
});
