import { bangkokDate } from '../../src/access/consent-rules';
import { startLoadedHub } from '../support/loaded-hub';
import type { TestHub } from '../support/test-hub';

/**
 * A firm's own key (`client:create --role firm --juristic-id ID`): its profile and eligibility, its
 * consents granted and revoked by itself, and who read its data. Banks read consent-gated fields
 * only under a consent whose purpose is theirs.
 */
describe('Firm portal', () => {
  let t: TestHub;
  let firm: string;
  let other: string;
  let firmKey: string;
  let loanBank: string;
  let exportBank: string;
  let office: string;
  let otherOffice: string;
  const validUntil = (() => {
    const d = new Date(`${bangkokDate()}T00:00:00Z`);
    d.setUTCDate(d.getUTCDate() + 90);
    return d.toISOString().slice(0, 10);
  })();

  const sql = <T>(text: string, params: unknown[] = []): Promise<T[]> => t.hub.database.dataSource.query(text, params);
  async function ok<T>(query: string, variables: Record<string, unknown>, key: string): Promise<T> {
    const { body } = await t.graphql<T>(query, variables, key);
    expect(body.errors).toBeUndefined();
    return body.data!;
  }
  async function refusal(query: string, variables: Record<string, unknown>, key: string): Promise<{ code?: string; reason?: unknown }> {
    const { body } = await t.graphql(query, variables, key);
    return { code: body.errors?.[0]?.extensions?.code, reason: body.errors?.[0]?.extensions?.['reason'] };
  }
  const STATEMENTS = `query($id: JuristicId!) { company(juristicId: $id) { juristicId financialStatements { fiscalYear } } }`;

  beforeAll(async () => {
    t = await startLoadedHub({ scale: 600 });
    const firms = await sql<{ id: string; province: string }>(
      `SELECT c.juristic_id AS id, p.province_code AS province FROM registry.company c JOIN registry.company_profile p USING (juristic_id)
       WHERE EXISTS (SELECT 1 FROM registry.financial_statement s WHERE s.juristic_id = c.juristic_id)
         AND NOT EXISTS (SELECT 1 FROM access.consent k WHERE k.juristic_id = c.juristic_id) AND p.province_code IS NOT NULL
       ORDER BY 1 LIMIT 2`,
    );
    firm = firms[0]!.id;
    other = firms[1]!.id;
    const create = async (input: Parameters<typeof t.hub.services.clients.create>[0]) => (await t.hub.services.clients.create(input)).key;
    firmKey = await create({ name: 'firm portal', role: 'firm', juristicId: firm });
    loanBank = await create({ name: 'SME D loans', role: 'bank', bankCode: 'SMED', purpose: 'Working capital loan application' });
    exportBank = await create({ name: 'SME D export desk', role: 'bank', bankCode: 'SMED', purpose: 'export credit line' });
    office = await create({ name: 'firm’s office', role: 'province', provinceCode: firms[0]!.province });
    const [elsewhere] = await sql<{ code: string }>(`SELECT code FROM reference.province WHERE code <> $1 ORDER BY code LIMIT 1`, [firms[0]!.province]);
    otherOffice = await create({ name: 'another office', role: 'province', provinceCode: elsewhere!.code });
  });
  afterAll(async () => {
    await t?.stop();
  });

  test('a firm sees its own profile and eligibility, and no other firm', async () => {
    const own = await ok<{ company: { juristicId: string; eligibility: { product: { code: string }; criteria: unknown[] }[] } }>(
      `query($id: JuristicId!) { company(juristicId: $id) { juristicId eligibility { product { code } eligible outcome criteria { kind outcome value } } } }`,
      { id: firm },
      firmKey,
    );
    expect(own.company.juristicId).toBe(firm);
    expect(own.company.eligibility.length).toBeGreaterThan(0);
    expect(await refusal(STATEMENTS, { id: other }, firmKey)).toEqual({ code: 'FORBIDDEN', reason: 'OUTSIDE_SCOPE' });
    expect((await ok<{ companies: { totalCount: number } }>(`{ companies(first: 5) { totalCount } }`, {}, firmKey)).companies.totalCount).toBe(1);
    expect((await refusal(`{ companyStats(groupBy: [REGION]) { groups { count } } }`, {}, firmKey)).code).toBe('FORBIDDEN');
  });

  test('a firm grants a consent, a bank reads under it when the purposes match, and the firm sees the read; revoked, it closes', async () => {
    const grant = `mutation($id: JuristicId!, $until: IsoDate!) { grantConsent(input: { juristicId: $id, bank: SMED, purpose: "working capital  loan application", validUntil: $until }) { id juristicId status } }`;
    expect(await refusal(grant, { id: other, until: validUntil }, firmKey)).toEqual({ code: 'FORBIDDEN', reason: 'OUTSIDE_SCOPE' });
    const { grantConsent: consent } = await ok<{ grantConsent: { id: string; juristicId: string; status: string } }>(grant, { id: firm, until: validUntil }, firmKey);
    expect(consent).toMatchObject({ juristicId: firm, status: 'ACTIVE' });
    const mine = await ok<{ consents: { totalCount: number; edges: { node: { juristicId: string } }[] } }>(`{ consents(first: 50) { totalCount edges { node { juristicId } } } }`, {}, firmKey);
    expect(mine.consents.edges.map((e) => e.node.juristicId)).toEqual([firm]);

    // The purpose is the bank client's declared one (case and spacing aside); another purpose stays closed.
    expect((await ok<{ company: { financialStatements: unknown[] } }>(STATEMENTS, { id: firm }, loanBank)).company.financialStatements.length).toBeGreaterThan(0);
    expect(await refusal(STATEMENTS, { id: firm }, exportBank)).toEqual({ code: 'FORBIDDEN', reason: 'CONSENT_PURPOSE_MISMATCH' });

    const LOG = `query($id: JuristicId) { dataAccessLog(juristicId: $id, first: 50) { totalCount edges { node { organisation role clientName fields lawfulBasis juristicIds consent { id } } } } }`;
    const log = await ok<{ dataAccessLog: { edges: { node: { organisation: string; clientName: string; fields: string[]; lawfulBasis: string; juristicIds: string[]; consent: { id: string } | null } }[] } }>(LOG, {}, firmKey);
    const bankRead = log.dataAccessLog.edges.map((e) => e.node).find((n) => n.clientName === 'SME D loans');
    expect(bankRead).toEqual({ organisation: 'bank:SMED', role: 'bank', clientName: 'SME D loans', fields: ['finances', 'identity'], lawfulBasis: 'CONSENT', juristicIds: [firm], consent: { id: consent.id } });
    // Its own reads are there too, under no basis (its own data).
    expect(log.dataAccessLog.edges.some((e) => e.node.organisation === `firm:${firm}`)).toBe(true);
    expect(await refusal(LOG, { id: other }, firmKey)).toEqual({ code: 'FORBIDDEN', reason: 'OUTSIDE_SCOPE' });
    // The firm's provincial office reads its log; another office cannot, as for a firm that does not exist.
    expect((await ok<{ dataAccessLog: { totalCount: number } }>(LOG, { id: firm }, office)).dataAccessLog.totalCount).toBeGreaterThan(0);
    expect(await refusal(LOG, { id: firm }, otherOffice)).toEqual({ code: 'FORBIDDEN', reason: 'OUTSIDE_SCOPE' });
    expect((await refusal(LOG, {}, office)).code).toBe('BAD_USER_INPUT');
    expect((await refusal(LOG, { id: firm }, loanBank)).code).toBe('FORBIDDEN');

    const revoke = `mutation($id: ID!) { revokeConsent(id: $id, reason: "loan settled") { status } }`;
    expect((await ok<{ revokeConsent: { status: string } }>(revoke, { id: consent.id }, firmKey)).revokeConsent.status).toBe('REVOKED');
    expect(await refusal(STATEMENTS, { id: firm }, loanBank)).toEqual({ code: 'FORBIDDEN', reason: 'CONSENT_REQUIRED' });
  });

  test('a firm cannot revoke another firm’s consent', async () => {
    const ministry = (await t.hub.services.clients.create({ name: 'ministry', role: 'ministry' })).key;
    const { grantConsent } = await ok<{ grantConsent: { id: string } }>(
      `mutation($id: JuristicId!, $until: IsoDate!) { grantConsent(input: { juristicId: $id, bank: EXIM, purpose: "export", validUntil: $until }) { id } }`,
      { id: other, until: validUntil },
      ministry,
    );
    expect(await refusal(`mutation($id: ID!) { revokeConsent(id: $id, reason: "x") { status } }`, { id: grantConsent.id }, firmKey)).toEqual({ code: 'FORBIDDEN', reason: 'OUTSIDE_SCOPE' });
  });
});
