import { bangkokDate, WITHDRAWN_FROM_REGISTRY } from '../../src/access/consent-rules';
import { IngestionRunRepository, type IngestionRunRecord } from '../../src/ingestion/ingestion-run.repository';
import { consentRegistry, consentRegistryTruth } from '../../src/simulator/consent/consent-registry.feed';
import { thaiIdCheckDigit } from '../../src/shared/thai-id';
import { LOADED_HUB_TIMEOUT_MS, startLoadedHub } from '../support/loaded-hub';
import type { GraphQLBody, TestHub } from '../support/test-hub';

/**
 * Consent end to end: the registry source, the mutations, and what a bank may read with and
 * without an active consent, against a hub loaded from the simulator (the consent registry last).
 */
describe('Consent', () => {
  let t: TestHub;
  let admin: string;
  let ministry: string;
  let analyst: string;
  let smed: string;
  let exim: string;
  const today = bangkokDate();
  const addDays = (days: number): string => new Date(Date.parse(`${today}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);

  beforeAll(async () => {
    t = await startLoadedHub({ scale: 600 });
    ({ admin, ministry, analyst, smed, exim } = await t.createApiKeys());
  }, LOADED_HUB_TIMEOUT_MS);
  afterAll(async () => {
    t?.feed.set('');
    await t?.stop();
  });

  const sql = <T>(text: string, params: unknown[] = []): Promise<T[]> => t.hub.database.dataSource.query(text, params);
  const run = async (source: string): Promise<IngestionRunRecord> => (await new IngestionRunRepository(t.hub.database.dataSource).findById((await t.ingestNow(source)).runId))!;

  async function ok<T>(query: string, variables: Record<string, unknown>, key: string): Promise<T> {
    const { body } = await t.graphql<T>(query, variables, key);
    expect(body.errors).toBeUndefined();
    return body.data!;
  }
  const errorOf = async (query: string, variables: Record<string, unknown>, key: string): Promise<{ code?: string; reason?: unknown; message: string }> => {
    const { body } = await t.graphql(query, variables, key);
    const error = body.errors?.[0];
    return { code: error?.extensions?.code, reason: error?.extensions?.['reason'], message: error?.message ?? '(no error)' };
  };

  const CONSENT = 'id juristicId bank purpose grantedAt validUntil status origin grantedByClient registryId loadedByRunId revokedAt revocationReason revokedByClient revokedByRunId';
  type ConsentView = {
    id: string;
    juristicId: string;
    bank: string;
    purpose: string;
    validUntil: string;
    status: string;
    origin: string;
    grantedByClient: string | null;
    registryId: string | null;
    revokedAt: string | null;
    revocationReason: string | null;
    revokedByClient: string | null;
    revokedByRunId: string | null;
  };
  const GRANT = `mutation($input: GrantConsentInput!) { grantConsent(input: $input) { ${CONSENT} } }`;
  const REVOKE = `mutation($id: ID!, $reason: String!) { revokeConsent(id: $id, reason: $reason) { ${CONSENT} } }`;
  const grant = async (juristicId: string, bank: 'SMED' | 'EXIM', validUntil = addDays(365), key = ministry): Promise<ConsentView> =>
    (await ok<{ grantConsent: ConsentView }>(GRANT, { input: { juristicId, bank, purpose: 'พิจารณาคำขอสินเชื่อ', validUntil } }, key)).grantConsent;
  const revoke = async (id: string, reason: string, key = ministry): Promise<ConsentView> => (await ok<{ revokeConsent: ConsentView }>(REVOKE, { id, reason }, key)).revokeConsent;
  const consentId = (uuid: string): string => Buffer.from(`Consent:${uuid}`).toString('base64url');
  const registryConsent = async (registryId: string): Promise<ConsentView> => {
    const [row] = await sql<{ id: string }>(`SELECT id::text FROM access.consent WHERE registry_id = $1`, [registryId]);
    return (await ok<{ node: ConsentView }>(`query($id: ID!) { node(id: $id) { ... on Consent { ${CONSENT} } } }`, { id: consentId(row!.id) }, admin)).node;
  };

  const PROFILE = `query($id: JuristicId!) { company(juristicId: $id) { juristicId nameTh smeSize eligibility { eligible }
    financialStatements { id fiscalYear revenueBaht } directors { name position masked } shareholders { name personalId juristicId masked } } }`;
  type Profile = {
    company: {
      juristicId: string;
      nameTh: string;
      financialStatements: { id: string; fiscalYear: number }[] | null;
      directors: { name: string; masked: boolean }[] | null;
      shareholders: { name: string; personalId: string | null; juristicId: string | null; masked: boolean }[] | null;
    };
  };
  const profile = (juristicId: string, key: string, requestId?: string): Promise<{ body: GraphQLBody<Profile> }> =>
    fetch(t.graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}`, ...(requestId ? { 'x-request-id': requestId } : {}) },
      body: JSON.stringify({ query: PROFILE, variables: { id: juristicId } }),
    }).then(async (response) => ({ body: (await response.json()) as GraphQLBody<Profile> }));

  /** The three gated fields answered CONSENT_REQUIRED, the rest of the company normally. */
  async function expectConsentRequired(juristicId: string, key: string): Promise<void> {
    const { body } = await profile(juristicId, key);
    // Business identity and eligibility answer; the detailed profile does not.
    expect(body.data?.company).toMatchObject({ juristicId, nameTh: expect.any(String), eligibility: expect.any(Array), financialStatements: null, directors: null, shareholders: null });
    expect(body.errors?.map((e) => [e.path?.join('.'), e.extensions?.code, e.extensions?.['reason']]).sort()).toEqual([
      ['company.directors', 'FORBIDDEN', 'CONSENT_REQUIRED'],
      ['company.financialStatements', 'FORBIDDEN', 'CONSENT_REQUIRED'],
      ['company.shareholders', 'FORBIDDEN', 'CONSENT_REQUIRED'],
    ]);
  }

  /** Firms with directors, individual shareholders and statements, and no consent of any bank yet. */
  async function unconsentedFirms(n: number): Promise<string[]> {
    const rows = await sql<{ juristic_id: string }>(
      `SELECT c.juristic_id FROM registry.company c
       WHERE jsonb_array_length(c.directors) > 0
         AND EXISTS (SELECT 1 FROM jsonb_array_elements(c.shareholders) s WHERE s ? 'personalId')
         AND EXISTS (SELECT 1 FROM registry.financial_statement f WHERE f.juristic_id = c.juristic_id)
         AND NOT EXISTS (SELECT 1 FROM access.consent k WHERE k.juristic_id = c.juristic_id)
       ORDER BY c.juristic_id DESC LIMIT $1`,
      [n],
    );
    expect(rows.length).toBe(n);
    return rows.map((r) => r.juristic_id);
  }

  test('the consent-registry source loads the simulator’s consents, quarantines a bad entry, and a repeated load changes nothing', async () => {
    const options = { seed: t.simulatorOptions.seed, scale: t.simulatorOptions.scale, revision: 1 as const, badRow: false };
    const served = consentRegistry(options);
    const truth = consentRegistryTruth(options, today);
    const stored = await sql<{ bank_code: 'SMED' | 'EXIM'; status: string; n: number }>(
      `SELECT bank_code, CASE WHEN revoked_at IS NOT NULL THEN 'REVOKED' WHEN valid_until < $1::date THEN 'EXPIRED' ELSE 'ACTIVE' END AS status, count(*)::int AS n
       FROM access.consent WHERE origin = 'REGISTRY' GROUP BY 1, 2`,
      [today],
    );
    for (const bank of ['SMED', 'EXIM'] as const) {
      for (const status of ['ACTIVE', 'REVOKED', 'EXPIRED'] as const) {
        expect({ bank, status, n: stored.find((s) => s.bank_code === bank && s.status === status)?.n ?? 0 }).toEqual({ bank, status, n: truth.byBank[bank][status] });
        expect(truth.byBank[bank][status]).toBeGreaterThan(0);
      }
    }
    // Each entry's terms, as served.
    const revoked = served.find((c) => c.revokedAt !== null)!;
    expect(await registryConsent(revoked.consentId)).toMatchObject({
      juristicId: revoked.juristicId,
      bank: revoked.bank,
      purpose: revoked.purpose,
      validUntil: revoked.validUntil,
      status: 'REVOKED',
      origin: 'REGISTRY',
      registryId: revoked.consentId,
      revokedAt: new Date(revoked.revokedAt!).toISOString(),
      revocationReason: revoked.revocationReason,
      revokedByClient: null,
      revokedByRunId: expect.any(String),
    });

    const snapshot = () => sql(`SELECT id, registry_id, revoked_at, valid_until, loaded_by_run_id, updated_at FROM access.consent WHERE origin = 'REGISTRY' ORDER BY registry_id`);
    const before = await snapshot();
    const again = await run('consent-registry');
    expect(again).toMatchObject({ status: 'succeeded', rowsRead: served.length, rowsUnchanged: served.length, rowsInserted: 0, rowsUpdated: 0 });
    expect(await snapshot()).toEqual(before);

    t.feed.set('fault=bad-row');
    const bad = await run('consent-registry');
    t.feed.set('');
    expect(bad).toMatchObject({ status: 'succeeded', rowsRejected: 1, rowsInserted: 0 });
    const [quarantined] = await sql<{ reason: string }>(`SELECT reason FROM ingestion.quarantined_row WHERE run_id = $1`, [bad.id]);
    expect(quarantined!.reason).toMatch(/^consent CR-SMED-BAD-000001: juristicId: .*check digit/);
    expect(await snapshot()).toEqual(before);
  });

  test('granted: the bank sees financial statements, directors and shareholders unmasked, and each read is logged', async () => {
    const [firm] = await unconsentedFirms(1);
    await expectConsentRequired(firm!, smed);

    const consent = await grant(firm!, 'SMED');
    expect(consent).toMatchObject({ juristicId: firm, bank: 'SMED', status: 'ACTIVE', origin: 'MUTATION', grantedByClient: 'test-ministry', registryId: null, revokedAt: null });

    const [row] = await sql<{ directors: { name: string }[]; shareholders: { name: string; personalId?: string; shares: number }[] }>(
      `SELECT directors, shareholders FROM registry.company WHERE juristic_id = $1`,
      [firm],
    );
    const requestId = `consent-test-${Date.now()}`;
    const { body } = await profile(firm!, smed, requestId);
    expect(body.errors).toBeUndefined();
    const company = body.data!.company;
    expect(company.financialStatements!.length).toBeGreaterThan(0);
    expect(company.directors!.map((d) => d.name).sort()).toEqual(row!.directors.map((d) => d.name).sort());
    expect(company.directors!.every((d) => !d.masked)).toBe(true);
    const individual = row!.shareholders.find((s) => s.personalId)!;
    expect(company.shareholders).toContainEqual({ name: individual.name, personalId: individual.personalId, juristicId: null, masked: false });

    // One read-audit entry for the request: who, which company, which field groups, on which consent.
    const log = await sql<{ client_name: string; organisation: string; juristic_ids: string[]; field_groups: string[]; consent_ids: string[] }>(
      `SELECT client_name, organisation, juristic_ids, field_groups, consent_ids FROM audit.read_entry WHERE request_id = $1`,
      [requestId],
    );
    expect(log).toEqual([{ client_name: 'test-bank', organisation: 'bank:SMED', juristic_ids: [firm], field_groups: ['eligibility', 'finances', 'identity', 'persons'], consent_ids: [expect.any(String)] }]);
    expect(consentId(log[0]!.consent_ids[0]!)).toBe(consent.id);
    // The old consented-read log is gone: the audit is the one record (migration 1763935300000).
    expect(await sql(`SELECT to_regclass('access.data_access_log') AS t`)).toEqual([{ t: null }]);
    // The read audit has the bank's read: its organisation, the field groups, the consent it relied on.
    const ministryView = await ok<{ dataAccessLog: { totalCount: number; edges: { node: { requestId: string; clientName: string; bank: string; fields: string[]; consent: { id: string } | null } }[] } }>(
      `query($id: JuristicId) { dataAccessLog(juristicId: $id, first: 50) { totalCount edges { node { requestId clientName bank juristicId fields consent { id } } } } }`,
      { id: firm },
      ministry,
    );
    const bankRead = ministryView.dataAccessLog.edges.filter((e) => e.node.requestId === requestId);
    expect(bankRead.map((e) => e.node)).toEqual([
      { requestId, clientName: 'test-bank', bank: 'SMED', juristicId: firm, fields: ['eligibility', 'finances', 'identity', 'persons'], consent: { id: consent.id } },
    ]);
    expect((await errorOf(`{ dataAccessLog { totalCount } }`, {}, smed)).code).toBe('FORBIDDEN');

    // A statement fetched by its own ID is gated too, and logged.
    const statementId = company.financialStatements![0]!.id;
    const byNode = await ok<{ node: { fiscalYear: number } }>(`query($id: ID!) { node(id: $id) { ... on FinancialStatement { fiscalYear } } }`, { id: statementId }, smed);
    expect(byNode.node.fiscalYear).toBe(company.financialStatements![0]!.fiscalYear);
    // Without consent, a statement answers null as a missing one does (a refusal would say which years exist).
    expect(await ok(`query($id: ID!) { node(id: $id) { id } }`, { id: statementId }, exim)).toEqual({ node: null });
    expect((await errorOf(`query($id: JuristicId!) { company(juristicId: $id) { financialStatements { id } } }`, { id: firm }, exim)).reason).toBe('CONSENT_REQUIRED');

    // Consent opens the company to the bank only: the ministry and analysts still see personal data masked, and nothing is logged for them.
    for (const key of [ministry, analyst, admin]) {
      const other = await ok<Profile>(`query($id: JuristicId!) { company(juristicId: $id) { juristicId nameTh financialStatements { id fiscalYear } directors { name masked } shareholders { name personalId juristicId masked } } }`, { id: firm }, key);
      expect(other.company.directors!.every((d) => d.masked && d.name === '***')).toBe(true);
      expect(other.company.shareholders!.filter((s) => s.juristicId === null).every((s) => s.masked && s.name === '***')).toBe(true);
      expect(other.company.financialStatements!.length).toBeGreaterThan(0);
    }
    expect(await sql(`SELECT count(*)::int AS n FROM audit.read_entry WHERE juristic_ids @> ARRAY[$1::text] AND role <> 'bank' AND cardinality(consent_ids) > 0`, [firm])).toEqual([{ n: 0 }]);
  });

  test('revoked: the bank gets CONSENT_REQUIRED again, and revoking twice changes nothing', async () => {
    const [firm] = await unconsentedFirms(1);
    const consent = await grant(firm!, 'EXIM');
    expect((await profile(firm!, exim)).body.errors).toBeUndefined();

    const revoked = await revoke(consent.id, 'บริษัทถอนความยินยอม');
    expect(revoked).toMatchObject({ status: 'REVOKED', revocationReason: 'บริษัทถอนความยินยอม', revokedByClient: 'test-ministry', revokedByRunId: null, revokedAt: expect.any(String) });
    await expectConsentRequired(firm!, exim);
    expect(await revoke(consent.id, 'another reason', admin)).toEqual(revoked);

    // A consent revoked in the registry opens nothing either.
    const [registryRevoked] = await sql<{ juristic_id: string; bank_code: string }>(
      `SELECT k.juristic_id, k.bank_code FROM access.consent k JOIN registry.company c USING (juristic_id)
       WHERE k.origin = 'REGISTRY' AND k.revoked_at IS NOT NULL
         AND NOT EXISTS (SELECT 1 FROM access.consent a WHERE a.juristic_id = k.juristic_id AND a.bank_code = k.bank_code AND a.revoked_at IS NULL AND a.valid_until >= $1::date)
       ORDER BY k.registry_id LIMIT 1`,
      [today],
    );
    await expectConsentRequired(registryRevoked!.juristic_id, registryRevoked!.bank_code === 'SMED' ? smed : exim);
  });

  test('expired: a consent past its last day opens nothing; on its last day it still does', async () => {
    const [firm] = await unconsentedFirms(1);
    const consent = await grant(firm!, 'SMED', today);
    expect(consent.status).toBe('ACTIVE');
    expect((await profile(firm!, smed)).body.errors).toBeUndefined();
    // The day passes.
    await sql(`UPDATE access.consent SET valid_until = $2::date WHERE id = $1::uuid`, [Buffer.from(consent.id, 'base64url').toString().slice('Consent:'.length), addDays(-1)]);
    await expectConsentRequired(firm!, smed);
    const list = await ok<{ consents: { edges: { node: { id: string; status: string } }[] } }>(
      `query($id: JuristicId) { consents(filter: { juristicId: $id, status: [EXPIRED] }) { edges { node { id status } } } }`,
      { id: firm },
      ministry,
    );
    expect(list.consents.edges.map((e) => e.node)).toEqual([{ id: consent.id, status: 'EXPIRED' }]);

    const [registryExpired] = await sql<{ juristic_id: string; bank_code: string }>(
      `SELECT k.juristic_id, k.bank_code FROM access.consent k JOIN registry.company c USING (juristic_id)
       WHERE k.origin = 'REGISTRY' AND k.revoked_at IS NULL AND k.valid_until < $1::date
         AND NOT EXISTS (SELECT 1 FROM access.consent a WHERE a.juristic_id = k.juristic_id AND a.bank_code = k.bank_code AND a.revoked_at IS NULL AND a.valid_until >= $1::date)
       ORDER BY k.registry_id LIMIT 1`,
      [today],
    );
    await expectConsentRequired(registryExpired!.juristic_id, registryExpired!.bank_code === 'SMED' ? smed : exim);
  });

  test('SME D Bank’s consent does not open the company to EXIM Bank', async () => {
    const [row] = await sql<{ juristic_id: string }>(
      `SELECT k.juristic_id FROM access.consent k JOIN registry.company c USING (juristic_id)
       WHERE k.bank_code = 'SMED' AND k.revoked_at IS NULL AND k.valid_until >= $1::date
         AND NOT EXISTS (SELECT 1 FROM access.consent e WHERE e.juristic_id = k.juristic_id AND e.bank_code = 'EXIM' AND e.revoked_at IS NULL AND e.valid_until >= $1::date)
       ORDER BY k.juristic_id LIMIT 1`,
      [today],
    );
    expect((await profile(row!.juristic_id, smed)).body.errors).toBeUndefined();
    await expectConsentRequired(row!.juristic_id, exim);
  });

  test('in a list, each company without consent answers its own errors and the others their data', async () => {
    const firms = await unconsentedFirms(3);
    await grant(firms[1]!, 'SMED');
    type Node = { juristicId: string; nameTh: string; financialStatements: unknown[] | null; directors: { masked: boolean }[] | null };
    const { body } = await t.graphql<{ companies: { edges: { node: Node }[] } }>(
      `{ companies(first: 100, orderBy: { field: JURISTIC_ID, direction: DESC }) { edges { node { juristicId nameTh financialStatements { fiscalYear } directors { masked } } } } }`,
      {},
      smed,
    );
    const nodes = body.data!.companies.edges.map((e) => e.node);
    expect(nodes.length).toBe(100);
    const consented = new Set(
      (
        await sql<{ juristic_id: string }>(`SELECT DISTINCT juristic_id FROM access.consent WHERE bank_code = 'SMED' AND revoked_at IS NULL AND valid_until >= $1::date AND juristic_id = ANY ($2::text[])`, [
          today,
          nodes.map((n) => n.juristicId),
        ])
      ).map((r) => r.juristic_id),
    );
    expect(consented.has(firms[1]!)).toBe(true);
    expect(consented.size).toBeLessThan(nodes.length);
    const expectedErrors: string[] = [];
    nodes.forEach((node, i) => {
      expect(node.nameTh.length).toBeGreaterThan(0);
      if (consented.has(node.juristicId)) {
        expect(node.financialStatements).not.toBeNull();
        expect(node.directors!.every((d) => !d.masked)).toBe(true);
      } else {
        expect(node).toMatchObject({ financialStatements: null, directors: null });
        expectedErrors.push(`companies.edges.${i}.node.directors`, `companies.edges.${i}.node.financialStatements`);
      }
    });
    expect(body.errors!.map((e) => e.path!.join('.')).sort()).toEqual(expectedErrors.sort());
    expect(body.errors!.every((e) => e.extensions?.code === 'FORBIDDEN' && e.extensions['reason'] === 'CONSENT_REQUIRED')).toBe(true);
  });

  test('a bank sees only its own bank’s consents, and can neither see nor revoke another bank’s: FORBIDDEN, revealing nothing', async () => {
    const LIST = `query($filter: ConsentFilter, $after: String) { consents(first: 100, filter: $filter, after: $after) { totalCount edges { node { id bank } } pageInfo { hasNextPage endCursor } } }`;
    type Page = { consents: { totalCount: number; edges: { node: { id: string; bank: string } }[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } } };
    const mine = await ok<Page>(LIST, {}, smed);
    const [counts] = await sql<{ smed: number; all: number }>(`SELECT count(*) FILTER (WHERE bank_code = 'SMED')::int AS smed, count(*)::int AS all FROM access.consent`);
    expect(mine.consents.totalCount).toBe(counts!.smed);
    expect(mine.consents.edges.every((e) => e.node.bank === 'SMED')).toBe(true);
    expect((await ok<Page>(LIST, {}, ministry)).consents.totalCount).toBe(counts!.all);
    // Pages cover every consent once.
    const seen: string[] = [];
    for (let after: string | null = null; ; ) {
      const page: Page = await ok<Page>(LIST.replace('first: 100', 'first: 7'), { after }, admin);
      seen.push(...page.consents.edges.map((e) => e.node.id));
      if (!page.consents.pageInfo.hasNextPage) break;
      after = page.consents.pageInfo.endCursor;
    }
    expect(new Set(seen).size).toBe(counts!.all);
    expect(seen.length).toBe(counts!.all);

    expect((await errorOf(LIST, { filter: { bank: 'EXIM' } }, smed)).code).toBe('FORBIDDEN');
    const [theirs] = await sql<{ id: string }>(`SELECT id::text FROM access.consent WHERE bank_code = 'EXIM' AND revoked_at IS NULL AND valid_until >= $1::date ORDER BY id LIMIT 1`, [today]);
    const missing = consentId('00000000-0000-4000-8000-000000000000');
    const NODE = `query($id: ID!) { node(id: $id) { id } }`;
    // Another bank's consent answers null through node(id), as a missing one does.
    expect(await ok(NODE, { id: consentId(theirs!.id) }, smed)).toEqual({ node: null });
    expect(await ok(NODE, { id: missing }, smed)).toEqual({ node: null });
    const revokeTheirs = await errorOf(REVOKE, { id: consentId(theirs!.id), reason: 'not mine' }, smed);
    expect(revokeTheirs.code).toBe('FORBIDDEN');
    expect(revokeTheirs).toEqual(await errorOf(REVOKE, { id: missing, reason: 'not mine' }, smed));
    expect(await sql(`SELECT revoked_at FROM access.consent WHERE id = $1::uuid`, [theirs!.id])).toEqual([{ revoked_at: null }]);
    expect(await ok(NODE, { id: missing }, ministry)).toEqual({ node: null });

    // A bank may record a withdrawal of its own bank's consent.
    const own = mine.consents.edges.map((e) => e.node.id)[0]!;
    expect(await revoke(own, 'the company withdrew its consent at the branch', smed)).toMatchObject({ status: 'REVOKED', revokedByClient: 'test-bank' });

    // Only the ministry and admins grant; analysts see no consents at all.
    const [firm] = await unconsentedFirms(1);
    const input = { juristicId: firm, bank: 'SMED', purpose: 'x', validUntil: addDays(30) };
    expect((await errorOf(GRANT, { input }, analyst)).code).toBe('FORBIDDEN');
    expect((await errorOf(GRANT, { input }, smed)).code).toBe('FORBIDDEN');
    expect((await errorOf(LIST, {}, analyst)).code).toBe('FORBIDDEN');
    expect((await errorOf(NODE, { id: consentId(theirs!.id) }, analyst)).code).toBe('FORBIDDEN');
    expect((await errorOf(REVOKE, { id: consentId(theirs!.id), reason: 'x' }, analyst)).code).toBe('FORBIDDEN');
    expect(await sql(`SELECT count(*)::int AS n FROM access.consent WHERE juristic_id = $1`, [firm])).toEqual([{ n: 0 }]);
  });

  test('bad input answers BAD_USER_INPUT, an unknown company or consent NOT_FOUND', async () => {
    const [firm] = await unconsentedFirms(1);
    const input = { juristicId: firm, bank: 'SMED', purpose: 'พิจารณาคำขอสินเชื่อ', validUntil: addDays(30) };
    const refused = async (over: Record<string, unknown>) => {
      const { body } = await t.graphql(GRANT, { input: { ...input, ...over } }, ministry);
      return { code: body.errors?.[0]?.extensions?.code, argument: body.errors?.[0]?.extensions?.['argument'] };
    };
    expect(await refused({ validUntil: addDays(-1) })).toEqual({ code: 'BAD_USER_INPUT', argument: 'input.validUntil' });
    expect(await refused({ validUntil: '2030-02-30' })).toEqual({ code: 'BAD_USER_INPUT', argument: 'input.validUntil' });
    expect(await refused({ validUntil: addDays(366 * 11) })).toEqual({ code: 'BAD_USER_INPUT', argument: 'input.validUntil' });
    expect(await refused({ purpose: '  ' })).toEqual({ code: 'BAD_USER_INPUT', argument: 'input.purpose' });
    expect(await refused({ juristicId: `${firm!.slice(0, 12)}${(Number(firm![12]) + 1) % 10}` })).toEqual({ code: 'BAD_USER_INPUT', argument: 'input.juristicId' });
    expect((await refused({ bank: 'KBANK' })).code).toBe('BAD_USER_INPUT');
    // A valid juristic ID of a company the hub does not hold.
    const unknown = `010559999999${thaiIdCheckDigit('010559999999')}`;
    expect(await sql(`SELECT 1 FROM registry.company WHERE juristic_id = $1`, [unknown])).toEqual([]);
    expect((await refused({ juristicId: unknown })).code).toBe('NOT_FOUND');
    expect(await sql(`SELECT count(*)::int AS n FROM access.consent WHERE juristic_id = $1`, [firm])).toEqual([{ n: 0 }]);

    const consent = await grant(firm!, 'SMED');
    expect((await errorOf(REVOKE, { id: consent.id, reason: '   ' }, ministry)).code).toBe('BAD_USER_INPUT');
    expect((await errorOf(REVOKE, { id: 'not-an-id', reason: 'x' }, ministry)).code).toBe('BAD_USER_INPUT');
    expect((await errorOf(REVOKE, { id: consentId('00000000-0000-4000-8000-000000000000'), reason: 'x' }, ministry)).code).toBe('NOT_FOUND');
    expect((await errorOf(REVOKE, { id: Buffer.from(`Company:${firm}`).toString('base64url'), reason: 'x' }, ministry)).code).toBe('NOT_FOUND');
    expect((await errorOf(`{ consents(filter: { juristicId: "12" }) { totalCount } }`, {}, ministry)).code).toBe('BAD_USER_INPUT');
    expect((await errorOf(`{ consents(after: "bm90LWEtY3Vyc29y") { totalCount } }`, {}, ministry)).code).toBe('BAD_USER_INPUT');
  });

  test('a bank’s nested query costs the same SQL statements for 1, 10 and 100 companies, consent lookups included', async () => {
    // The first company of the list has an SMED consent, so every page size reads and logs some personal data.
    const [first] = await sql<{ juristic_id: string }>(`SELECT juristic_id FROM registry.company ORDER BY juristic_id LIMIT 1`);
    await grant(first!.juristic_id, 'SMED');
    const nested = `query($n: Int) { companies(first: $n) { edges { node { juristicId nameTh financialStatements { fiscalYear revenueBaht } directors { name } shareholders { name } } } } }`;
    // Statements are counted as TypeORM issues them (the same hook as the admin-only extensions.sqlStatements).
    const logger = t.hub.database.dataSource.logger as unknown as { logQuery: (...args: unknown[]) => void };
    const original = logger.logQuery.bind(logger);
    let statements = 0;
    logger.logQuery = (...args: unknown[]) => {
      statements += 1;
      original(...args);
    };
    try {
      const counted = async (key: string, n: number) => {
        statements = 0;
        const { body } = await t.graphql<{ companies: { edges: { node: { juristicId: string; financialStatements: unknown[] | null } }[] } }>(nested, { n }, key);
        expect(body.data!.companies.edges.length).toBe(n);
        return { statements, body };
      };
      // The counting agrees with the hub's own tally (admins see it in extensions).
      await counted(admin, 1);
      const check = await counted(admin, 10);
      expect(check.statements).toBe((check.body as { extensions?: { sqlStatements?: number } }).extensions!.sqlStatements);

      await counted(smed, 1); // warm-up: the key's first use records it (one UPDATE)
      const plain = `query($n: Int) { companies(first: $n) { edges { node { juristicId nameTh } } } }`;
      const counts: number[] = [];
      const added: number[] = [];
      for (const n of [1, 10, 100]) {
        const { statements: count, body } = await counted(smed, n);
        expect(body.data!.companies.edges[0]!.node.financialStatements).not.toBeNull();
        expect((body.errors ?? []).every((e) => e.extensions?.['reason'] === 'CONSENT_REQUIRED')).toBe(true);
        counts.push(count);
        statements = 0;
        await t.graphql(plain, { n }, smed);
        added.push(count - statements);
      }
      expect(new Set(counts).size).toBe(1);
      // Over the same list without them: the bank's consents for the page, the statements, the
      // directors and shareholders (list rows leave them out). The read audit's entry is written for
      // both (its pool connection is not counted here); the old access-log INSERT is gone.
      expect(added).toEqual([3, 3, 3]);
    } finally {
      logger.logQuery = original;
    }
  });

  test('a registry load never brings back a consent revoked through the API, unless the registry records a newer grant', async () => {
    // Revoked in the hub today: SMED's consent 1 (which revision 2 extends) and 4 (which revision 2 re-grants on 15 September 2026).
    const extended = await revoke((await registryConsent('CR-SMED-000001')).id, 'withdrawn at the counter');
    const regrantedEarlier = await revoke((await registryConsent('CR-SMED-000004')).id, 'withdrawn at the counter');
    // EXIM's consent 4 was revoked in the hub on 1 September 2026, before the registry's new grant.
    const regrantedLater = await revoke((await registryConsent('CR-EXIM-000004')).id, 'withdrawn by letter');
    await sql(`UPDATE access.consent SET revoked_at = '2026-09-01T03:00:00Z' WHERE registry_id = 'CR-EXIM-000004'`);

    // The same registry again: nothing changes.
    expect(await run('consent-registry')).toMatchObject({ status: 'succeeded', rowsInserted: 0, rowsUpdated: 0 });
    expect(await registryConsent('CR-SMED-000001')).toEqual(extended);

    t.feed.set('revision=2');
    const later = await run('consent-registry');
    expect(later).toMatchObject({ status: 'succeeded', rowsInserted: 2, rowsMarkedAbsent: 2 });
    const served = new Map(consentRegistry({ seed: t.simulatorOptions.seed, scale: t.simulatorOptions.scale, revision: 2, badRow: false }).map((c) => [c.consentId, c]));

    // Extended by the registry, still revoked as the hub recorded it.
    expect(await registryConsent('CR-SMED-000001')).toEqual({ ...extended, validUntil: served.get('CR-SMED-000001')!.validUntil, loadedByRunId: later.id });
    // Re-granted in the registry before the hub's revocation: still revoked.
    expect(await registryConsent('CR-SMED-000004')).toMatchObject({ status: 'REVOKED', revokedAt: regrantedEarlier.revokedAt, revokedByClient: 'test-ministry', grantedAt: new Date(served.get('CR-SMED-000004')!.grantedAt).toISOString() });
    // Re-granted after the hub's revocation: the company signed again, the consent is active.
    expect(await registryConsent('CR-EXIM-000004')).toMatchObject({ status: 'ACTIVE', revokedAt: null, revocationReason: null, revokedByClient: null, revokedByRunId: null });
    expect(regrantedLater.status).toBe('REVOKED');
    // Revoked in the registry, and no longer listed: revoked by the run.
    expect(await registryConsent('CR-SMED-000005')).toMatchObject({ status: 'REVOKED', revokedAt: new Date(served.get('CR-SMED-000005')!.revokedAt!).toISOString(), revokedByRunId: later.id, revokedByClient: null });
    expect(await registryConsent('CR-EXIM-000006')).toMatchObject({ status: 'REVOKED', revocationReason: WITHDRAWN_FROM_REGISTRY, revokedByRunId: later.id });
    const added = [...served.values()].filter((c) => c.grantedAt.startsWith('2026-09-25'));
    expect(added).toHaveLength(2);
    for (const consent of added) expect(await registryConsent(consent.consentId)).toMatchObject({ status: 'ACTIVE', loadedByRunId: later.id });

    // And again: a repeated snapshot changes nothing.
    const snapshot = () => sql(`SELECT id, revoked_at, valid_until, updated_at FROM access.consent ORDER BY id`);
    const before = await snapshot();
    expect(await run('consent-registry')).toMatchObject({ status: 'succeeded', rowsInserted: 0, rowsUpdated: 0, rowsMarkedAbsent: 0 });
    expect(await snapshot()).toEqual(before);
  });
});
