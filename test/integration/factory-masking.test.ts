import { startLoadedHub } from '../support/loaded-hub';
import type { TestHub } from '../support/test-hub';

/**
 * One firm-identity rule for factories (src/shared/firm-identity.ts), as for TISI licences and DIP
 * records (dip-masking.test.ts), hostile callers first: a factory whose operator the linker only
 * guessed to be a company (a fuzzy name match, no tax ID) or whose tax ID is a personal ID is
 * masked for every role, admins included: its operator's name and ID, and the company the linker
 * found with its method and confidence, through every path (`factory(fid)`, `node(id)`, `nodes`,
 * the root list, the registry feed and the exports). It is not listed under the company it
 * resembles (`Company.factories`, its totalCount, planned or not), is in no area but its own
 * province's, and the firm it resembles does not see it. Factories linked by tax ID or an exact
 * name are the control: shown with their company, the same everywhere.
 */
describe('Factories: a masked operator withholds its company link on every path', () => {
  let t: TestHub;
  let keys: Record<string, string>;
  let insider: string;
  let insiderProvince: { code: string; name: string };
  let elsewhere: { code: string; name: string };
  const PERSON = 'นายสมปอง ทดสอบโรงงานปกปิด';
  const PERSON_ID = '3100500765432';
  const SURE_NAME = 'บริษัท ทดสอบโรงงานชื่อตรง จำกัด';

  type Rec = Record<string, unknown>;
  const LINK_FIELDS = ['operatorName', 'operatorTaxId', 'operatorMasked', 'companyJuristicId', 'linkMethod', 'linkConfidence'] as const;
  const identity = (r: Rec): Rec => Object.fromEntries(LINK_FIELDS.map((f) => [f, r[f]]));
  const globalId = (fid: string): string => Buffer.from(`Factory:${fid}`).toString('base64url');
  /** The rule, frozen here over `registry.factory f`: the operator is shown (a juristic tax ID, or none and a sure link). */
  const SHOWN = `(CASE WHEN f.operator_tax_id IS NOT NULL THEN f.operator_tax_id ~ '^0[0-9]{12}$' ELSE coalesce(f.link_method IN ('TAX_ID', 'EXACT_NAME_PROVINCE', 'EXACT_NAME'), false) END)`;

  async function ndjson(path: string, key: string): Promise<{ status: number; body: string; lines: Rec[] }> {
    const response = await fetch(`${t.baseUrl}${path}`, { headers: { authorization: `Bearer ${key}` } });
    const body = await response.text();
    return { status: response.status, body, lines: body.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Rec) };
  }

  /** The test's factories: four plants of another province, each given an operator and a link to `insider`. */
  const plants: { tag: string; fid: string; name: string; masked: boolean; expected: Rec }[] = [];

  beforeAll(async () => {
    t = await startLoadedHub({ scale: 200 });
    const national = await t.createApiKeys();
    const [firm] = await t.sql<{ id: string; code: string; name: string }>(
      `SELECT p.juristic_id AS id, p.province_code AS code, rp.name_th AS name FROM registry.company_profile p JOIN reference.province rp ON rp.code = p.province_code
       ORDER BY 1 LIMIT 1`,
    );
    insider = firm!.id;
    insiderProvince = { code: firm!.code, name: firm!.name };
    // A province with factories, none of them the insider's, that is not the insider's.
    const [other] = await t.sql<{ code: string; name: string }>(
      `SELECT rp.code, rp.name_th AS name FROM registry.factory f JOIN reference.province rp ON rp.name_th = f.province
       WHERE rp.code <> $1 GROUP BY 1, 2 HAVING count(*) >= 4 ORDER BY 1 LIMIT 1`,
      [insiderProvince.code],
    );
    elsewhere = other!;
    const create = async (input: Parameters<typeof t.hub.services.clients.create>[0]): Promise<string> => (await t.hub.services.clients.create(input)).key;
    keys = {
      admin: national.admin,
      ministry: national.ministry,
      analyst: national.analyst,
      bank: national.smed,
      office: await create({ name: 'resembled firm’s office', role: 'province', provinceCode: insiderProvince.code }),
      plantOffice: await create({ name: 'plants’ office', role: 'province', provinceCode: elsewhere.code }),
      firm: await create({ name: 'resembled firm', role: 'firm', juristicId: insider }),
    };
    const chosen = await t.sql<{ fid: string }>(
      `SELECT fid FROM registry.factory WHERE province = $1
         AND (company_juristic_id IS NULL OR company_juristic_id NOT IN (SELECT juristic_id FROM registry.company_profile WHERE province_code = $2))
       ORDER BY fid LIMIT 4`,
      [elsewhere.name, insiderProvince.code],
    );
    const setups = [
      // Fuzzy: DIW gave a person's name and no tax ID; the linker guessed the insider.
      { tag: 'fuzzy, no tax ID', masked: true, operatorName: PERSON, taxId: null, method: 'FUZZY_NAME', confidence: 0.71 },
      // A sole trader's personal ID as the tax ID: masked whatever the name matched.
      { tag: 'personal ID, exact name', masked: true, operatorName: PERSON, taxId: PERSON_ID, method: 'EXACT_NAME', confidence: 0.9 },
      { tag: 'exact name', masked: false, operatorName: SURE_NAME, taxId: null, method: 'EXACT_NAME_PROVINCE', confidence: 0.97 },
      { tag: 'tax ID', masked: false, operatorName: SURE_NAME, taxId: 'INSIDER', method: 'TAX_ID', confidence: 1 },
    ];
    for (const [i, s] of setups.entries()) {
      const fid = chosen[i]!.fid;
      const name = `โรงงานทดสอบปกปิดลิงก์ ${i}`;
      const taxId = s.taxId === 'INSIDER' ? insider : s.taxId;
      await t.sql(
        `UPDATE registry.factory SET name = $2, operator_name = $3, operator_tax_id = $4, company_juristic_id = $5, link_method = $6, link_confidence = $7, status = 'OPERATING' WHERE fid = $1`,
        [fid, name, s.operatorName, taxId, insider, s.method, s.confidence],
      );
      const expected = s.masked
        ? { operatorName: '***', operatorTaxId: taxId === null ? null : '***', operatorMasked: true, companyJuristicId: null, linkMethod: null, linkConfidence: null }
        : { operatorName: SURE_NAME, operatorTaxId: taxId, operatorMasked: false, companyJuristicId: insider, linkMethod: s.method, linkConfidence: s.confidence };
      plants.push({ tag: s.tag, fid, name, masked: s.masked, expected });
    }
  });
  afterAll(async () => {
    await t?.stop();
  });

  const FIELDS = `id fid ${LINK_FIELDS.join(' ')} company { juristicId }`;

  test('every role, admins included, reads a masked operator’s factory without its link on every path; a sure one with it', async () => {
    for (const [role, key] of Object.entries(keys)) {
      const feed = await ndjson('/feeds/registry?types=FACTORY&limit=1000000', key);
      const exported = await ndjson('/exports/factories.ndjson', key);
      const bodies: string[] = [];
      // A firm's key holds no registry:sync (refused); every other role reads both.
      if (role === 'firm') expect([role, feed.status, exported.status]).toEqual([role, 403, 403]);
      else {
        expect([role, feed.status, exported.status]).toEqual([role, 200, 200]);
        bodies.push(feed.body, exported.body);
      }
      const ids = plants.map((p) => globalId(p.fid));
      const nodes = await t.graphql<{ nodes: (Rec | null)[] }>(`query($ids: [ID!]!) { nodes(ids: $ids) { ... on Factory { ${FIELDS} } } }`, { ids }, key);
      expect([role, nodes.body.errors]).toEqual([role, undefined]);
      const listed = await t.graphql<{ factories: { edges: { node: Rec }[] } }>(
        `{ factories(first: 10, filter: { nameContains: "โรงงานทดสอบปกปิดลิงก์" }) { edges { node { ${FIELDS} } } } }`,
        {},
        key,
      );
      expect([role, listed.body.errors]).toEqual([role, undefined]);
      for (const [i, p] of plants.entries()) {
        const node = await t.graphql<{ node: Rec | null }>(`query($id: ID!) { node(id: $id) { ... on Factory { ${FIELDS} } } }`, { id: ids[i] }, key);
        const byFid = await t.graphql<{ factory: Rec | null }>(`query($fid: String!) { factory(fid: $fid) { ${FIELDS} } }`, { fid: p.fid }, key);
        const paths: Record<string, Rec | null> = {
          node: node.body.data?.node ?? null,
          nodes: nodes.body.data!.nodes[i] ?? null,
          factory: byFid.body.data?.factory ?? null,
          list: listed.body.data!.factories.edges.find((e) => e.node['fid'] === p.fid)?.node ?? null,
        };
        if (role !== 'firm') {
          paths['feed'] = (feed.lines.find((l) => l['key'] === p.fid)?.['record'] ?? null) as Rec | null;
          paths['export'] = exported.lines.find((l) => l['fid'] === p.fid) ?? null;
        }
        // Who sees the plant: national roles; the office of the province it stands in; the office of the
        // insider's province and the insider's own key only when it is surely the insider's.
        const sees = role === 'office' || role === 'firm' ? !p.masked : true;
        for (const [path, record] of Object.entries(paths)) {
          expect([role, p.tag, path, record === null ? null : identity(record)]).toEqual([role, p.tag, path, sees ? p.expected : null]);
        }
        if (!sees) continue;
        // The company itself only where the role may read it (not the plants' office: the insider is another province's).
        expect([role, p.tag, paths['node']!['company']]).toEqual([role, p.tag, p.masked || role === 'plantOffice' ? null : { juristicId: insider }]);
        bodies.push(JSON.stringify(paths['node']));
      }
      // Nothing that names the person or ties a masked plant to the insider, anywhere.
      const text = bodies.join('\n');
      expect([role, text.includes(PERSON), text.includes(PERSON_ID)]).toEqual([role, false, false]);
      for (const p of plants.filter((x) => x.masked)) {
        const line = exported.lines.find((l) => l['fid'] === p.fid);
        if (line) expect([role, p.tag, JSON.stringify(line).includes(insider)]).toEqual([role, p.tag, false]);
      }
    }
  });

  test('a masked operator’s factory is not listed under the company it resembles, nor counted there, planned or not', async () => {
    const [own] = await t.sql<{ n: number }>(`SELECT count(*)::int AS n FROM registry.factory f WHERE f.company_juristic_id = $1 AND ${SHOWN}`, [insider]);
    expect(own!.n).toBeGreaterThanOrEqual(2);
    const LIST = `juristicId factories(first: 20) { totalCount edges { node { fid operatorMasked companyJuristicId } } }`;
    for (const [role, key] of Object.entries(keys)) {
      if (role === 'plantOffice') continue;
      const direct = await t.graphql<{ company: Rec & { factories: { totalCount: number; edges: { node: Rec }[] } } }>(
        `query($id: JuristicId!) { company(juristicId: $id) { ${LIST} } }`,
        { id: insider },
        key,
      );
      expect([role, direct.body.errors]).toEqual([role, undefined]);
      // The root list (a read plan: one statement) and through the province (the loaders).
      const planned = await t.graphql<{ companies: { edges: { node: Rec & { factories: { totalCount: number; edges: { node: Rec }[] } } }[] } }>(
        `{ companies(first: 10, filter: { province: "${insiderProvince.code}" }) { edges { node { ${LIST} } } } }`,
        {},
        key,
      );
      expect([role, planned.body.errors]).toEqual([role, undefined]);
      const viaProvince = await t.graphql<{ province: { companies: { edges: { node: Rec & { factories: { totalCount: number; edges: { node: Rec }[] } } }[] } } }>(
        `query($code: String!) { province(codeOrName: $code) { companies(first: 10) { edges { node { ${LIST} id } } } } }`,
        { code: insiderProvince.code },
        key,
      );
      expect([role, viaProvince.body.errors]).toEqual([role, undefined]);
      const companies = {
        direct: direct.body.data!.company,
        planned: planned.body.data!.companies.edges.find((e) => e.node['juristicId'] === insider)?.node,
        viaProvince: viaProvince.body.data!.province.companies.edges.find((e) => e.node['juristicId'] === insider)?.node,
      };
      for (const [path, company] of Object.entries(companies)) {
        expect([role, path, company === undefined]).toEqual([role, path, false]);
        const fids = company!.factories.edges.map((e) => e.node['fid']);
        for (const p of plants) expect([role, path, p.tag, fids.includes(p.fid)]).toEqual([role, path, p.tag, !p.masked]);
        expect([role, path, company!.factories.totalCount]).toEqual([role, path, own!.n]);
        expect([role, path, company!.factories.edges.every((e) => e.node['operatorMasked'] === false && e.node['companyJuristicId'] === insider)]).toEqual([role, path, true]);
      }
    }
  });

  test('the area of the resembled company does not hold a masked factory; its own province does', async () => {
    const count = async (key: string, filter = ''): Promise<number> =>
      (await t.graphqlData<{ factories: { totalCount: number } }>(`{ factories(first: 1${filter}) { totalCount } }`, {}, key)).factories.totalCount;
    const [expected] = await t.sql<{ office: number; firm: number }>(
      `SELECT (SELECT count(*)::int FROM registry.factory f WHERE f.province = $2
                 OR (f.company_juristic_id IN (SELECT juristic_id FROM registry.company_profile WHERE province_code = $1) AND ${SHOWN})) AS office,
              (SELECT count(*)::int FROM registry.factory f WHERE f.company_juristic_id = $3 AND ${SHOWN}) AS firm`,
      [insiderProvince.code, insiderProvince.name, insider],
    );
    expect(await count(keys['office']!)).toBe(expected!.office);
    expect(await count(keys['firm']!)).toBe(expected!.firm);
    const names = (await t.graphqlData<{ factories: { edges: { node: { fid: string } }[] } }>(
      `{ factories(first: 10, filter: { nameContains: "โรงงานทดสอบปกปิดลิงก์" }) { edges { node { fid } } } }`,
      {},
      keys['plantOffice'],
    )).factories.edges.map((e) => e.node.fid);
    expect(names.sort()).toEqual(plants.map((p) => p.fid).sort());
    // The office of the resembled company's province exports none of them, its feed carries none.
    for (const path of ['/exports/factories.ndjson', '/feeds/registry?types=FACTORY&limit=1000000']) {
      const answer = await ndjson(path, keys['office']!);
      const fids = answer.lines.filter((l) => l['kind'] !== 'LEFT_SCOPE').map((l) => (l['fid'] ?? l['key']) as string);
      for (const p of plants) expect([path, p.tag, fids.includes(p.fid)]).toEqual([path, p.tag, !p.masked]);
    }
  });

  test('filters and statistics treat a masked operator’s factory as linked to no company', async () => {
    const filtered = async (linked: boolean): Promise<string[]> =>
      (await t.graphqlData<{ factories: { edges: { node: { fid: string } }[] } }>(
        `{ factories(first: 10, filter: { nameContains: "โรงงานทดสอบปกปิดลิงก์", linked: ${linked} }) { edges { node { fid } } } }`,
        {},
        keys['admin'],
      )).factories.edges.map((e) => e.node.fid);
    expect((await filtered(true)).sort()).toEqual(plants.filter((p) => !p.masked).map((p) => p.fid).sort());
    expect((await filtered(false)).sort()).toEqual(plants.filter((p) => p.masked).map((p) => p.fid).sort());
    // Grouped by the operating company's registration year: a masked plant is in the unknown group, as
    // an unlinked one (grouped by the company it resembles, one plant named by its own name would tell its year).
    for (const p of plants) {
      const stats = await t.graphqlData<{ factoryStats: { groups: { count: number; keys: { code: string | null }[] }[] } }>(
        `query($name: String!) { factoryStats(filter: { nameContains: $name }, groupBy: [REGISTRATION_YEAR]) { groups { count keys { code } } } }`,
        { name: p.name },
        keys['admin'],
      );
      expect([p.tag, stats.factoryStats.groups.length, stats.factoryStats.groups[0]!.keys[0]!.code === null]).toEqual([p.tag, 1, p.masked]);
    }
  });
});
