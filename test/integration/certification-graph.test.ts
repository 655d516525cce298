import type { PoolClient } from 'pg';
import { linkRecords } from '../../src/linking/company-linker';
import { TIS_LICENCE_LINKS } from '../../src/sources/tisi/tisi.source';
import { DEMO_WORLD, LOADED_HUB_TIMEOUT_MS, startLoadedHub } from '../support/loaded-hub';
import type { TestHub } from '../support/test-hub';

/**
 * TISI standards and licences and DIP programmes in the graph: relations agree with the database,
 * pages, global IDs, masking of licensees who are not companies, errors, and batched SQL.
 */
describe('Certification and programme graph', () => {
  let t: TestHub;
  let analyst: string;
  let admin: string;
  // Licensees the simulator never produces: an individual (personal ID) and a juristic ID DBD does not list.
  const PERSON_TAX_ID = '1101700203451';
  const UNLISTED_JURISTIC_ID = '0105599999999';

  beforeAll(async () => {
    // The demo world's 5,000 firms: enough firms hold licences for a page of 100 of them.
    t = await startLoadedHub(DEMO_WORLD);
    analyst = await t.createApiKey('analyst');
    admin = await t.createApiKey('admin');
    await sql(
      `INSERT INTO registry.tis_licence (licence_no, licence_type, issued_on, tis_no, licensee_name, licensee_tax_id, fid, status, status_text,
         row_hash, source, source_run_id, fetched_at)
       SELECT v.licence_no, 'ทำ', DATE '2030-01-02', l.tis_no, v.name, v.tax_id, NULL, 'VALID', 'ปกติ', 'test', l.source, l.source_run_id, l.fetched_at
       FROM (VALUES ('ทTEST-PERSON', 'นายสมชาย ใจดี', $1::text), ('ทTEST-UNLISTED', 'ร้านค้าไม่ปรากฏ', $2::text)) AS v(licence_no, name, tax_id),
            (SELECT * FROM registry.tis_licence ORDER BY licence_no LIMIT 1) l`,
      [PERSON_TAX_ID, UNLISTED_JURISTIC_ID],
    );
  }, LOADED_HUB_TIMEOUT_MS);
  afterAll(async () => {
    await t?.stop();
  });

  const sql = <T>(text: string, params: unknown[] = []): Promise<T[]> => t.sql<T>(text, params);

  const ok = <T>(query: string, variables: Record<string, unknown> = {}, key = analyst): Promise<T> => t.graphqlData<T>(query, variables, key);

  async function errorCode(query: string, variables: Record<string, unknown> = {}): Promise<string | undefined> {
    const { body } = await t.graphql(query, variables, analyst);
    return body.errors?.[0]?.extensions?.code;
  }

  type Page<N> = { totalCount?: number; edges: { cursor: string; node: N }[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } };
  type LicenceNode = { licenceNo: string; issuedOn: string; tisNo: string; status: string; licenseeName: string | null; licenseeTaxId: string; licenseeMasked: boolean };

  /** The licence order of every list: newest issue date first, then licence number descending. */
  const LICENCE_ORDER = 'issued_on DESC, licence_no DESC';

  test('one standard answers its fields, provenance and licences as the database has them', async () => {
    const [row] = await sql<{ tis_no: string; number: number; year_be: number; year_ce: number; name_th: string; mandatory: boolean; status: string; status_text: string | null; n: number }>(
      `SELECT s.tis_no, s.number, s.year_be, s.year_ce, s.name_th, s.mandatory, s.status, s.status_text, count(l.*)::int AS n
       FROM registry.tis_standard s JOIN registry.tis_licence l USING (tis_no) GROUP BY s.tis_no ORDER BY n DESC, s.tis_no LIMIT 1`,
    );
    const data = await ok<{ tisStandard: Record<string, unknown> & { licences: Page<LicenceNode> } }>(
      `query($tis: TisNo!) { tisStandard(tisNo: $tis) {
        id tisNo number yearCe yearBe nameTh mandatory status statusText withdrawnFromSource provenance { source runId fetchedAt sourceUpdatedAt }
        licences(first: 100) { totalCount edges { node { licenceNo tisNo } } }
      } }`,
      { tis: `มอก. ${row!.tis_no}` },
    );
    expect(data.tisStandard).toMatchObject({
      tisNo: row!.tis_no,
      number: row!.number,
      yearBe: row!.year_be,
      yearCe: row!.year_ce,
      nameTh: row!.name_th,
      mandatory: row!.mandatory,
      status: row!.status,
      statusText: row!.status_text,
      withdrawnFromSource: false,
      provenance: { source: 'tisi-standards', sourceUpdatedAt: null },
    });
    const expected = await sql<{ licence_no: string }>(`SELECT licence_no FROM registry.tis_licence WHERE tis_no = $1 ORDER BY ${LICENCE_ORDER}`, [row!.tis_no]);
    expect(row!.n).toBeGreaterThan(1);
    expect(data.tisStandard.licences.totalCount).toBe(row!.n);
    expect(data.tisStandard.licences.edges.map((e) => e.node.licenceNo)).toEqual(expected.map((r) => r.licence_no));
  });

  test('an unknown standard is NOT_FOUND; a malformed number, page size or cursor is BAD_USER_INPUT', async () => {
    expect(await errorCode('{ tisStandard(tisNo: "2999-2400") { tisNo } }')).toBe('NOT_FOUND');
    expect(await errorCode('{ tisStandard(tisNo: "2536") { tisNo } }')).toBe('BAD_USER_INPUT');
    expect(await errorCode('{ tisStandard(tisNo: "0-2555") { tisNo } }')).toBe('BAD_USER_INPUT');
    expect(await errorCode('{ tisLicense(licenceNo: "ท0000-00/0") { licenceNo } }')).toBe('NOT_FOUND');
    expect(await errorCode('{ tisStandards(first: 0) { totalCount } }')).toBe('BAD_USER_INPUT');
    expect(await errorCode('{ tisLicenses(filter: { tisNo: "steel" }) { totalCount } }')).toBe('BAD_USER_INPUT');
    expect(await errorCode('{ tisLicenses(filter: { issuedFrom: "15/03/2565" }) { totalCount } }')).toBe('BAD_USER_INPUT');
    const standards = await ok<{ tisStandards: Page<unknown> }>(`{ tisStandards(first: 1) { edges { cursor } pageInfo { hasNextPage endCursor } } }`);
    // A standards cursor is not a position in a licence list.
    expect(await errorCode(`query($a: String) { tisLicenses(after: $a) { totalCount } }`, { a: standards.tisStandards.pageInfo.endCursor })).toBe('BAD_USER_INPUT');
    expect(await errorCode(`query($a: String) { tisStandards(first: 1) { edges { node { licences(after: $a) { totalCount } } } } }`, { a: 'bm90LWEtY3Vyc29y' })).toBe('BAD_USER_INPUT');
  });

  test('standards page through every one once, by number then year, and filters agree with the database', async () => {
    const seen: string[] = [];
    let after: string | null = null;
    for (let page = 0; page < 50; page++) {
      const data: { tisStandards: Page<{ tisNo: string }> } = await ok(`query($after: String) { tisStandards(first: 30, after: $after) { edges { node { tisNo } } pageInfo { hasNextPage endCursor } } }`, { after });
      seen.push(...data.tisStandards.edges.map((e) => e.node.tisNo));
      if (!data.tisStandards.pageInfo.hasNextPage) break;
      after = data.tisStandards.pageInfo.endCursor;
    }
    const all = await sql<{ tis_no: string }>(`SELECT tis_no FROM registry.tis_standard ORDER BY number, year_be`);
    expect(all.length).toBeGreaterThan(30);
    expect(seen).toEqual(all.map((r) => r.tis_no));

    const filtered = await ok<{ tisStandards: Page<{ mandatory: boolean; status: string }> }>(
      `{ tisStandards(first: 100, filter: { mandatory: true, status: IN_FORCE }) { totalCount edges { node { mandatory status } } } }`,
    );
    const [expected] = await sql<{ n: number }>(`SELECT count(*)::int AS n FROM registry.tis_standard WHERE mandatory AND status = 'IN_FORCE'`);
    expect(expected!.n).toBeGreaterThan(0);
    expect(filtered.tisStandards.totalCount).toBe(expected!.n);
    for (const { node } of filtered.tisStandards.edges) expect(node).toEqual({ mandatory: true, status: 'IN_FORCE' });
  });

  test('name search finds a standard under a misspelt name and by a part of it', async () => {
    const [row] = await sql<{ tis_no: string; name_th: string }>(`SELECT tis_no, name_th FROM registry.tis_standard WHERE length(name_th) > 12 ORDER BY tis_no LIMIT 1`);
    const name = row!.name_th;
    // A typing slip: one character dropped from the middle.
    const misspelt = name.slice(0, Math.floor(name.length / 2)) + name.slice(Math.floor(name.length / 2) + 1);
    const search = (q: string) => ok<{ tisStandards: Page<{ tisNo: string; nameTh: string }> }>(
      `query($q: String) { tisStandards(first: 100, filter: { nameSearch: $q }) { totalCount edges { node { tisNo nameTh } } } }`,
      { q },
    );
    expect((await search(misspelt)).tisStandards.edges.map((e) => e.node.tisNo)).toContain(row!.tis_no);
    const part = name.slice(2, 8);
    const byPart = await search(part);
    expect(byPart.tisStandards.edges.map((e) => e.node.tisNo)).toContain(row!.tis_no);
    expect((await search('zzqxv')).tisStandards.totalCount).toBe(0);
    expect(await errorCode('{ tisStandards(filter: { nameSearch: " x " }) { totalCount } }')).toBe('BAD_USER_INPUT');
  });

  test('licences page newest first with stable cursors and filter as the database does', async () => {
    const [standard] = await sql<{ tis_no: string }>(`SELECT tis_no FROM registry.tis_licence GROUP BY tis_no HAVING count(*) >= 3 ORDER BY count(*) DESC, tis_no LIMIT 1`);
    expect(standard).toBeDefined();
    const seen: LicenceNode[] = [];
    let after: string | null = null;
    for (let page = 0; page < 50; page++) {
      const data: { tisLicenses: Page<LicenceNode> } = await ok(
        `query($tis: TisNo, $after: String) { tisLicenses(first: 1, after: $after, filter: { tisNo: $tis }) { totalCount edges { node { licenceNo issuedOn tisNo } } pageInfo { hasNextPage endCursor } } }`,
        { tis: standard!.tis_no, after },
      );
      seen.push(...data.tisLicenses.edges.map((e) => e.node));
      if (!data.tisLicenses.pageInfo.hasNextPage) break;
      after = data.tisLicenses.pageInfo.endCursor;
    }
    const expected = await sql<{ licence_no: string }>(`SELECT licence_no FROM registry.tis_licence WHERE tis_no = $1 ORDER BY ${LICENCE_ORDER}`, [standard!.tis_no]);
    expect(seen.map((l) => l.licenceNo)).toEqual(expected.map((r) => r.licence_no));
    const dates = seen.map((l) => l.issuedOn);
    expect(dates).toEqual([...dates].sort().reverse());

    const suspended = await ok<{ tisLicenses: Page<{ status: string; suspendedOn: string | null }> }>(
      `{ tisLicenses(first: 100, filter: { status: [SUSPENDED] }) { totalCount edges { node { status suspendedOn } } } }`,
    );
    const [count] = await sql<{ n: number }>(`SELECT count(*)::int AS n FROM registry.tis_licence WHERE status = 'SUSPENDED'`);
    expect(count!.n).toBeGreaterThan(0);
    expect(suspended.tisLicenses.totalCount).toBe(count!.n);
    for (const { node } of suspended.tisLicenses.edges) expect(node.status).toBe('SUSPENDED');
  });

  test('a licence links to its standard, company and factory as the database does', async () => {
    const [row] = await sql<{ licence_no: string; tis_no: string; licensee_tax_id: string; fid: string; licensee_name: string }>(
      `SELECT l.licence_no, l.tis_no, l.licensee_tax_id, l.fid, l.licensee_name FROM registry.tis_licence l
       JOIN registry.company c ON c.juristic_id = l.licensee_tax_id JOIN registry.factory f ON f.fid = l.fid
       JOIN registry.tis_standard s ON s.tis_no = l.tis_no ORDER BY l.licence_no LIMIT 1`,
    );
    const data = await ok<{ tisLicense: LicenceNode & { standard: { tisNo: string }; company: { juristicId: string }; factory: { fid: string } } }>(
      `query($no: String!) { tisLicense(licenceNo: $no) { licenceNo tisNo licenseeName licenseeTaxId licenseeMasked standard { tisNo } company { juristicId } factory { fid } provenance { source } } }`,
      { no: row!.licence_no },
    );
    expect(data.tisLicense).toMatchObject({
      licenceNo: row!.licence_no,
      licenseeName: row!.licensee_name,
      licenseeTaxId: row!.licensee_tax_id,
      licenseeMasked: false,
      standard: { tisNo: row!.tis_no },
      company: { juristicId: row!.licensee_tax_id },
      factory: { fid: row!.fid },
    });

    const imported = await sql<{ licence_no: string }>(`SELECT licence_no FROM registry.tis_licence WHERE fid IS NULL AND licence_no NOT LIKE 'ทTEST%' ORDER BY licence_no LIMIT 1`);
    const noFactory = await ok<{ tisLicense: { factory: unknown; company: unknown } }>(`query($no: String!) { tisLicense(licenceNo: $no) { factory { fid } company { juristicId } } }`, { no: imported[0]!.licence_no });
    expect(noFactory.tisLicense.factory).toBeNull();
  });

  test('licensees that are not DBD companies are masked for every role, with the flag; companies are not', async () => {
    for (const key of [analyst, admin]) {
      const data = await ok<{ tisLicenses: Page<LicenceNode & { company: unknown }> }>(
        `{ tisLicenses(first: 3) { edges { node { licenceNo licenseeName licenseeTaxId licenseeMasked company { juristicId } } } } }`,
        {},
        key,
      );
      // The two test licences are the newest (2030), so they come first.
      const byNo = new Map(data.tisLicenses.edges.map((e) => [e.node.licenceNo, e.node]));
      for (const licenceNo of ['ทTEST-PERSON', 'ทTEST-UNLISTED']) {
        expect(byNo.get(licenceNo)).toEqual({ licenceNo, licenseeName: '***', licenseeTaxId: '***', licenseeMasked: true, company: null });
      }
      const body = JSON.stringify(data);
      expect(body).not.toContain(PERSON_TAX_ID);
      expect(body).not.toContain('สมชาย');
    }
    const [companyLicence] = await sql<{ licence_no: string; licensee_tax_id: string }>(
      `SELECT licence_no, licensee_tax_id FROM registry.tis_licence l WHERE EXISTS (SELECT 1 FROM registry.company c WHERE c.juristic_id = l.licensee_tax_id) LIMIT 1`,
    );
    const visible = await ok<{ tisLicense: LicenceNode }>(`query($no: String!) { tisLicense(licenceNo: $no) { licenseeTaxId licenseeMasked } }`, { no: companyLicence!.licence_no });
    expect(visible.tisLicense).toEqual({ licenseeTaxId: companyLicence!.licensee_tax_id, licenseeMasked: false });
  });

  test('Company.certifications lists the licences linked to it, newest first, and pages', async () => {
    const [row] = await sql<{ juristic_id: string; n: number }>(
      `SELECT c.juristic_id, count(*)::int AS n FROM registry.company c JOIN registry.tis_licence l ON l.company_juristic_id = c.juristic_id
       GROUP BY 1 HAVING count(*) >= 3 ORDER BY n DESC, 1 LIMIT 1`,
    );
    expect(row).toBeDefined();
    const expected = await sql<{ licence_no: string }>(`SELECT licence_no FROM registry.tis_licence WHERE company_juristic_id = $1 ORDER BY ${LICENCE_ORDER}`, [row!.juristic_id]);
    const seen: string[] = [];
    let after: string | null = null;
    for (let page = 0; page < 20; page++) {
      const data: { company: { certifications: Page<LicenceNode> } } = await ok(
        `query($id: JuristicId!, $after: String) { company(juristicId: $id) { certifications(first: 2, after: $after) { totalCount edges { node { licenceNo companyJuristicId licenseeMasked } } pageInfo { hasNextPage endCursor } } } }`,
        { id: row!.juristic_id, after },
      );
      expect(data.company.certifications.totalCount).toBe(row!.n);
      for (const { node } of data.company.certifications.edges) {
        const { companyJuristicId, licenseeMasked } = node as unknown as { companyJuristicId: string | null; licenseeMasked: boolean };
        expect(companyJuristicId).toBe(licenseeMasked ? null : row!.juristic_id);
      }
      seen.push(...data.company.certifications.edges.map((e) => e.node.licenceNo));
      if (!data.company.certifications.pageInfo.hasNextPage) break;
      after = data.company.certifications.pageInfo.endCursor;
    }
    expect(seen).toEqual(expected.map((r) => r.licence_no));
  });

  test('records DIP or TISI sent without the firm\'s ID answer the company their name linked them to, with the method, both ways, and by global ID', async () => {
    const [licence] = await sql<{ licence_no: string; company: string; method: string }>(
      `SELECT licence_no, company_juristic_id AS company, link_method AS method FROM registry.tis_licence
       WHERE licensee_tax_id IS NULL AND link_method LIKE 'EXACT_NAME%' ORDER BY licence_no LIMIT 1`,
    );
    const [participation] = await sql<{ company: string; name: string; method: string; programme_code: string; year: number }>(
      `SELECT company_juristic_id AS company, company_name AS name, link_method AS method, programme_code, year FROM registry.dip_participation
       WHERE juristic_id IS NULL AND company_juristic_id IS NOT NULL AND link_method LIKE 'EXACT_NAME%' ORDER BY participant_key LIMIT 1`,
    );
    expect(licence).toBeDefined();
    expect(participation).toBeDefined();
    expect(licence!.method).not.toBe('TAX_ID');
    const data = await ok<{
      tisLicense: { licenseeTaxId: string | null; licenseeMasked: boolean; companyJuristicId: string; linkMethod: string; linkConfidence: number; company: { juristicId: string; certifications: { edges: { node: { licenceNo: string } }[] } } };
      company: { programmeParticipations: { id: string; juristicId: string | null; companyName: string; companyJuristicId: string; linkMethod: string; programmeCode: string; year: number; company: { juristicId: string } }[] };
    }>(
      `query($no: String!, $id: JuristicId!) {
        tisLicense(licenceNo: $no) { licenseeTaxId licenseeMasked companyJuristicId linkMethod linkConfidence company { juristicId certifications(first: 100) { edges { node { licenceNo } } } } }
        company(juristicId: $id) { programmeParticipations { id juristicId companyName companyJuristicId linkMethod programmeCode year company { juristicId } } }
      }`,
      { no: licence!.licence_no, id: participation!.company },
    );
    expect(data.tisLicense).toMatchObject({ licenseeTaxId: null, licenseeMasked: false, companyJuristicId: licence!.company, linkMethod: licence!.method, company: { juristicId: licence!.company } });
    expect(data.tisLicense.linkConfidence).toBeGreaterThan(0);
    expect(data.tisLicense.company.certifications.edges.map((e) => e.node.licenceNo)).toContain(licence!.licence_no);
    const byName = data.company.programmeParticipations.find((p) => p.juristicId === null && p.programmeCode === participation!.programme_code && p.year === participation!.year);
    expect(byName).toMatchObject({ companyName: participation!.name, companyJuristicId: participation!.company, linkMethod: participation!.method, company: { juristicId: participation!.company } });
    const again = await ok<{ node: { companyName: string } | null }>(`query($id: ID!) { node(id: $id) { ... on ProgrammeParticipation { companyName } } }`, { id: byName!.id });
    expect(again.node).toEqual({ companyName: participation!.name });
  });

  test('a licence is linked by name only when TISI gave no tax ID, and a fuzzy name match keeps the licensee masked with its company', async () => {
    const [firm] = await sql<{ juristic_id: string; name_th: string; name: string; fid: string }>(
      `SELECT c.juristic_id, c.name_th, c.name_th_normalised AS name, f.fid FROM registry.company c JOIN registry.factory f ON f.province = c.province
       WHERE c.name_th_normalised <> '' AND NOT EXISTS (SELECT 1 FROM registry.company o WHERE o.name_th_normalised = c.name_th_normalised AND o.juristic_id <> c.juristic_id)
       ORDER BY c.juristic_id, f.fid LIMIT 1`,
    );
    const [template] = await sql<{ tis_no: string; source: string; source_run_id: string }>(`SELECT tis_no, source, source_run_id::text FROM registry.tis_licence ORDER BY licence_no LIMIT 1`);
    const runner = t.hub.database.dataSource.createQueryRunner();
    const client = (await runner.connect()) as PoolClient;
    try {
      await client.query('BEGIN');
      // An individual whose name is a company's (personal tax ID), the same licensee with no tax ID,
      // and one whose name only resembles it.
      await client.query(
        `INSERT INTO registry.tis_licence (licence_no, licence_type, issued_on, tis_no, licensee_name, licensee_name_normalised, licensee_tax_id, fid, status,
           row_hash, source, source_run_id, fetched_at)
         SELECT v.no, 'ทำ', DATE '2001-01-01', $1, $2, v.name, v.tax_id, $3, 'VALID', 'test', $4, $5::bigint, now()
         FROM (VALUES ('ทLINK-PERSON', $6::text, $7::text), ('ทLINK-NOID', $6::text, NULL), ('ทLINK-FUZZY', $6::text || 'ซ', NULL)) AS v(no, name, tax_id)`,
        [template!.tis_no, firm!.name_th, firm!.fid, template!.source, template!.source_run_id, firm!.name, PERSON_TAX_ID],
      );
      await linkRecords(client, TIS_LICENCE_LINKS, { kind: 'all' });
      const { rows } = await client.query<{ licence_no: string; company: string | null; method: string | null }>(
        `SELECT licence_no, company_juristic_id AS company, link_method AS method FROM registry.tis_licence WHERE licence_no LIKE 'ทLINK-%' ORDER BY 1`,
      );
      expect(rows).toEqual([
        { licence_no: 'ทLINK-FUZZY', company: firm!.juristic_id, method: 'FUZZY_NAME' },
        { licence_no: 'ทLINK-NOID', company: firm!.juristic_id, method: 'EXACT_NAME_PROVINCE' },
        { licence_no: 'ทLINK-PERSON', company: null, method: null },
      ]);
      await client.query('COMMIT');
    } finally {
      await runner.release();
    }
    const data = await ok<Record<string, { licenseeName: string | null; licenseeMasked: boolean; companyJuristicId: string | null; linkMethod: string | null; company: { juristicId: string } | null }>>(
      `{ fuzzy: tisLicense(licenceNo: "ทLINK-FUZZY") { ...L } noId: tisLicense(licenceNo: "ทLINK-NOID") { ...L } person: tisLicense(licenceNo: "ทLINK-PERSON") { ...L } }
       fragment L on TisLicense { licenseeName licenseeMasked companyJuristicId linkMethod company { juristicId } }`,
    );
    expect(data['fuzzy']).toEqual({ licenseeName: '***', licenseeMasked: true, companyJuristicId: null, linkMethod: null, company: null });
    expect(data['noId']).toEqual({ licenseeName: firm!.name_th, licenseeMasked: false, companyJuristicId: firm!.juristic_id, linkMethod: 'EXACT_NAME_PROVINCE', company: { juristicId: firm!.juristic_id } });
    expect(data['person']).toEqual({ licenseeName: '***', licenseeMasked: true, companyJuristicId: null, linkMethod: null, company: null });
    await sql(`DELETE FROM registry.tis_licence WHERE licence_no LIKE 'ทLINK-%'`);
  });

  test('Factory.licences lists the licences naming its FID', async () => {
    const [row] = await sql<{ fid: string }>(`SELECT fid FROM registry.tis_licence WHERE fid IS NOT NULL GROUP BY fid ORDER BY count(*) DESC, fid LIMIT 1`);
    const expected = await sql<{ licence_no: string }>(`SELECT licence_no FROM registry.tis_licence WHERE fid = $1 ORDER BY ${LICENCE_ORDER}`, [row!.fid]);
    const data = await ok<{ factory: { licences: Page<{ licenceNo: string; factory: { fid: string } }> } }>(
      `query($fid: String!) { factory(fid: $fid) { licences { totalCount edges { node { licenceNo factory { fid } } } } } }`,
      { fid: row!.fid },
    );
    expect(data.factory.licences.totalCount).toBe(expected.length);
    expect(data.factory.licences.edges.map((e) => e.node.licenceNo)).toEqual(expected.map((r) => r.licence_no));
    for (const { node } of data.factory.licences.edges) expect(node.factory.fid).toBe(row!.fid);
  });

  test('a company\'s programme participations and Industry 4.0 assessments come newest first, as the database has them', async () => {
    const [participant] = await sql<{ juristic_id: string }>(
      `SELECT company_juristic_id AS juristic_id FROM registry.dip_participation p WHERE company_juristic_id IS NOT NULL
       GROUP BY 1 HAVING count(*) > 1 ORDER BY 1 LIMIT 1`,
    );
    const participations = await sql<{ programme_code: string; year: number; programme_name: string | null; province: string | null }>(
      `SELECT programme_code, year, programme_name, province FROM registry.dip_participation WHERE company_juristic_id = $1 ORDER BY year DESC, programme_code, participant_key`,
      [participant!.juristic_id],
    );
    const data = await ok<{ company: { programmeParticipations: Record<string, unknown>[] } }>(
      `query($id: JuristicId!) { company(juristicId: $id) { programmeParticipations { programmeCode year programmeName province withdrawnFromSource company { juristicId } provenance { source } } } }`,
      { id: participant!.juristic_id },
    );
    expect(data.company.programmeParticipations).toEqual(
      participations.map((p) => ({
        programmeCode: p.programme_code,
        year: p.year,
        programmeName: p.programme_name,
        province: p.province,
        withdrawnFromSource: false,
        company: { juristicId: participant!.juristic_id },
        provenance: { source: 'dip-participations' },
      })),
    );

    const [assessed] = await sql<{ juristic_id: string }>(
      `SELECT company_juristic_id AS juristic_id FROM registry.dip_i40_assessment a WHERE company_juristic_id IS NOT NULL
       GROUP BY 1 HAVING count(*) > 1 ORDER BY 1 LIMIT 1`,
    );
    const assessments = await sql<Record<string, string | null>>(
      `SELECT to_char(assessed_on, 'YYYY-MM-DD') AS assessed_on, overall_level::float8 AS overall, smart_operation::float8 AS smart, it_data::float8 AS it
       FROM registry.dip_i40_assessment WHERE company_juristic_id = $1 ORDER BY assessed_on DESC, participant_key`,
      [assessed!.juristic_id],
    );
    const i40 = await ok<{ company: { industry40Assessments: Record<string, unknown>[] } }>(
      `query($id: JuristicId!) { company(juristicId: $id) { industry40Assessments { assessedOn overallLevel smartOperation strategyOrganisation workforce technologyInnovation marketCustomerStandard itData company { juristicId } } } }`,
      { id: assessed!.juristic_id },
    );
    expect(i40.company.industry40Assessments.map((a) => [a['assessedOn'], a['overallLevel'], a['smartOperation'], a['itData']])).toEqual(
      assessments.map((a) => [a['assessed_on'], a['overall'], a['smart'], a['it']]),
    );
    for (const a of i40.company.industry40Assessments) expect(a['company']).toEqual({ juristicId: assessed!.juristic_id });
  });

  test('node(id) and nodes(ids) fetch standards, licences, participations and assessments by global ID', async () => {
    const [row] = await sql<{ juristic_id: string }>(
      `SELECT p.company_juristic_id AS juristic_id FROM registry.dip_participation p JOIN registry.dip_i40_assessment a USING (company_juristic_id)
       JOIN registry.tis_licence l ON l.company_juristic_id = p.company_juristic_id ORDER BY 1 LIMIT 1`,
    );
    const data = await ok<{
      company: {
        certifications: { edges: { node: { id: string; licenceNo: string; standard: { id: string; tisNo: string } } }[] };
        programmeParticipations: { id: string; programmeCode: string; year: number }[];
        industry40Assessments: { id: string; assessedOn: string }[];
      };
    }>(
      `query($id: JuristicId!) { company(juristicId: $id) {
        certifications(first: 1) { edges { node { id licenceNo standard { id tisNo } } } }
        programmeParticipations { id programmeCode year } industry40Assessments { id assessedOn }
      } }`,
      { id: row!.juristic_id },
    );
    const licence = data.company.certifications.edges[0]!.node;
    const participation = data.company.programmeParticipations[0]!;
    const assessment = data.company.industry40Assessments[0]!;
    const one = await ok<{ node: unknown }>(`query($id: ID!) { node(id: $id) { __typename ... on TisStandard { tisNo } } }`, { id: licence.standard.id });
    expect(one.node).toEqual({ __typename: 'TisStandard', tisNo: licence.standard.tisNo });
    const many = await ok<{ nodes: unknown[] }>(
      `query($ids: [ID!]!) { nodes(ids: $ids) { __typename id
        ... on TisLicense { licenceNo } ... on ProgrammeParticipation { programmeCode year } ... on Industry40Assessment { assessedOn } } }`,
      { ids: [licence.id, participation.id, assessment.id, Buffer.from('TisLicense:no-such-licence').toString('base64url'), Buffer.from('Industry40Assessment:garbage').toString('base64url')] },
    );
    expect(many.nodes).toEqual([
      { __typename: 'TisLicense', id: licence.id, licenceNo: licence.licenceNo },
      { __typename: 'ProgrammeParticipation', id: participation.id, programmeCode: participation.programmeCode, year: participation.year },
      { __typename: 'Industry40Assessment', id: assessment.id, assessedOn: assessment.assessedOn },
      null,
      null,
    ]);
  });

  /** Statements of a request, after a warm-up (the key's first use of the minute also records it). */
  async function statementCounts(query: string, idsFor: (n: number) => string[]): Promise<number[]> {
    await t.graphql(query, { ids: idsFor(1) }, admin);
    const counts: number[] = [];
    for (const n of [1, 10, 100]) {
      const { body } = await t.graphql<{ nodes: unknown[] }>(query, { ids: idsFor(n) }, admin);
      expect(body.errors).toBeUndefined();
      expect(body.data!.nodes.filter((node) => node !== null).length).toBe(n);
      counts.push((body as { extensions?: { sqlStatements?: number } }).extensions!.sqlStatements!);
    }
    return counts;
  }

  const companyId = (juristicId: string): string => Buffer.from(`Company:${juristicId}`).toString('base64url');

  test('companies → certifications → standard, with programmes, costs the same SQL statements for 1, 10 and 100 companies', async () => {
    // Companies that hold a licence, so every level runs at every size.
    const holders = (await sql<{ juristic_id: string }>(
      `SELECT DISTINCT c.juristic_id FROM registry.company c JOIN registry.tis_licence l ON l.company_juristic_id = c.juristic_id ORDER BY 1 LIMIT 100`,
    )).map((r) => companyId(r.juristic_id));
    expect(holders.length).toBe(100);
    const counts = await statementCounts(
      `query($ids: [ID!]!) { nodes(ids: $ids) { ... on Company { juristicId
        certifications(first: 5) { totalCount edges { node { licenceNo licenseeName licenseeMasked standard { tisNo nameTh } } } }
        programmeParticipations { programmeCode year } industry40Assessments { assessedOn overallLevel }
      } } }`,
      (n) => holders.slice(0, n),
    );
    // One per level (the key comes from the API's cache): companies, certification pages with
    // their counts (asked together: one statement), standards, participations, assessments.
    expect(counts).toEqual([5, 5, 5]);
  });

  test('companies → factories → licences costs the same SQL statements for 1, 10 and 100 companies', async () => {
    // Companies with a licensed factory among their first five, so every level runs at every size.
    const owners = (await sql<{ juristic_id: string }>(
      `SELECT DISTINCT f.company_juristic_id AS juristic_id
       FROM (SELECT fid, company_juristic_id, row_number() OVER (PARTITION BY company_juristic_id ORDER BY fid) AS rank
             FROM registry.factory WHERE company_juristic_id IS NOT NULL) f
       JOIN registry.tis_licence l ON l.fid = f.fid WHERE f.rank <= 5 ORDER BY 1 LIMIT 100`,
    )).map((r) => companyId(r.juristic_id));
    expect(owners.length).toBe(100);
    const counts = await statementCounts(
      `query($ids: [ID!]!) { nodes(ids: $ids) { ... on Company { juristicId
        factories(first: 5) { edges { node { fid licences(first: 5) { totalCount edges { node { licenceNo factory { fid } standard { tisNo } } } } } } }
      } } }`,
      (n) => owners.slice(0, n),
    );
    // One per level (the key comes from the API's cache): companies, factory pages, licence pages
    // with their counts (asked together: one statement), the licences' factories, their standards.
    expect(counts).toEqual([5, 5, 5]);
  });
});
