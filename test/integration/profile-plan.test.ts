import fs from 'node:fs';
import path from 'node:path';
import { startHub, type RunningHub } from '../../src/app/hub';
import { encodeCursor } from '../../src/platform/graphql/connection';
import { createRootLogger } from '../../src/platform/logging/logger';
import { LOADED_HUB_TIMEOUT_MS, startLoadedHub } from '../support/loaded-hub';
import type { GraphQLBody, TestHub } from '../support/test-hub';

/**
 * The read plan of `Query.company(juristicId)` (src/domains/company/company.read-plan.ts,
 * plannedCompany): the company and its relations in one statement must answer exactly what the
 * resolvers and their loaders answer. Two API processes on one database, one with READ_PLANS=on
 * (the default) and one with it off, answer the ministry's documented profile and variants of it
 * (aliases, cursors, fragments, directives, refused arguments) for every role, over a firm with
 * masked factory operators and a masked licensee, a firm outside an area key's area, a firm a bank
 * has consent for, an unknown and malformed IDs; answers, errors and read-audit entries must be
 * identical, and the plan must read the profile in one statement.
 */
describe('The company profile plan against the resolvers', () => {
  let t: TestHub;
  let slow: RunningHub;
  const keys: Record<string, string> = {};
  let profiled: string;
  let elsewhere: string;
  let consented: string;
  let factoryCursor: string;
  let licenceCursor: string;
  let hiddenLicence: string;
  let shownLicences: number;
  let maskedFids: string[];
  const PROFILE = fs.readFileSync(path.join(__dirname, '..', '..', 'docs', 'queries', 'ministry-company-profile.graphql'), 'utf8');

  beforeAll(async () => {
    t = await startLoadedHub({ scale: 1500, env: { RATE_LIMIT_REQUESTS_PER_MINUTE: '100000000', RATE_LIMIT_COST_PER_MINUTE: '2000000000' } });
    slow = await startHub({ ...t.config, readPlans: false }, 'api', createRootLogger('silent'));
    // A firm with the whole profile: several factories, licences, DIP records and statements.
    const [firm] = await t.sql<{ id: string; province: string; centre: number }>(
      `SELECT p.juristic_id AS id, p.province_code AS province, r.promotion_centre AS centre
       FROM registry.company_profile p JOIN reference.province r ON r.code = p.province_code
       WHERE p.certifications > 0 AND p.latest_i40_level IS NOT NULL
         AND (SELECT count(*) FROM registry.factory f WHERE f.company_juristic_id = p.juristic_id) >= 2
         AND EXISTS (SELECT 1 FROM registry.financial_statement s WHERE s.juristic_id = p.juristic_id)
       ORDER BY p.juristic_id LIMIT 1`,
    );
    profiled = firm!.id;
    const [other] = await t.sql<{ id: string }>(
      `SELECT p.juristic_id AS id FROM registry.company_profile p JOIN reference.province r ON r.code = p.province_code
       WHERE r.promotion_centre <> $1 AND p.operating_factories > 0 ORDER BY p.juristic_id LIMIT 1`,
      [firm!.centre],
    );
    elsewhere = other!.id;
    const [withConsent] = await t.sql<{ id: string }>(
      `SELECT juristic_id AS id FROM access.consent WHERE bank_code = 'SMED' AND revoked_at IS NULL AND valid_until >= current_date
         AND juristic_id IN (SELECT juristic_id FROM registry.company) ORDER BY juristic_id LIMIT 1`,
    );
    consented = withConsent!.id;
    // Masking to keep: one factory's operator has a personal tax ID, another firm's factory was linked
    // by a fuzzy name, and so was one licence's licensee: none of them is listed under the company.
    const fids = await t.sql<{ fid: string }>(`SELECT fid FROM registry.factory WHERE company_juristic_id = $1 ORDER BY fid`, [profiled]);
    await t.sql(`UPDATE registry.factory SET operator_tax_id = '1101700203451', operator_name = 'นายสมชาย ใจดี' WHERE fid = $1`, [fids[0]!.fid]);
    // Another firm's factory linked to this one by a fuzzy name, its operator's tax ID unknown.
    const [fuzzy] = await t.sql<{ fid: string }>(
      `UPDATE registry.factory SET company_juristic_id = $1, link_method = 'FUZZY_NAME', link_confidence = 0.8, operator_tax_id = NULL
       WHERE fid = (SELECT fid FROM registry.factory WHERE company_juristic_id <> $1 ORDER BY fid LIMIT 1) RETURNING fid`,
      [profiled],
    );
    maskedFids = [fids[0]!.fid, fuzzy!.fid];
    factoryCursor = encodeCursor('factory', fids[0]!.fid);
    const licences = await t.sql<{ licence_no: string; issued_on: string }>(
      `SELECT licence_no, to_char(issued_on, 'YYYY-MM-DD') AS issued_on FROM registry.tis_licence WHERE company_juristic_id = $1 ORDER BY issued_on DESC, licence_no DESC`,
      [profiled],
    );
    licenceCursor = encodeCursor('tisLicense', `${licences[0]!.issued_on}|${licences[0]!.licence_no}`);
    // Another firm's licence linked to this one by a fuzzy name: its licensee is masked.
    const [hidden] = await t.sql<{ licence_no: string }>(
      `UPDATE registry.tis_licence SET company_juristic_id = $1, link_method = 'FUZZY_NAME', link_confidence = 0.8
       WHERE licence_no = (SELECT licence_no FROM registry.tis_licence WHERE company_juristic_id <> $1 ORDER BY issued_on DESC, licence_no LIMIT 1) RETURNING licence_no`,
      [profiled],
    );
    hiddenLicence = hidden!.licence_no;
    shownLicences = licences.length;
    const create = async (name: string, input: Record<string, unknown>): Promise<void> => {
      keys[name] = (await t.hub.services.clients.create({ name: `profile-${name}`, rateLimitPerMinute: 1_000_000, ...input } as Parameters<typeof t.hub.services.clients.create>[0])).key;
    };
    await create('admin', { role: 'admin' });
    await create('ministry', { role: 'ministry' });
    await create('analyst', { role: 'analyst' });
    await create('bank', { role: 'bank', bankCode: 'SMED' });
    await create('exim', { role: 'bank', bankCode: 'EXIM' });
    await create('bankOtherPurpose', { role: 'bank', bankCode: 'SMED', purpose: 'a purpose no consent names' });
    await create('province', { role: 'province', provinceCode: firm!.province });
    await create('centre', { role: 'centre', centre: firm!.centre });
    await create('firm', { role: 'firm', juristicId: profiled });
  }, LOADED_HUB_TIMEOUT_MS);
  afterAll(async () => {
    await slow?.stop();
    await t?.stop();
  });

  type Answer = GraphQLBody<{ company?: Record<string, unknown> | null }> & { extensions?: { sqlStatements?: number } };

  async function ask(url: string, text: string, variables: Record<string, unknown>, key: string): Promise<{ body: Answer; audit: unknown[] }> {
    const [{ seq }] = (await t.sql<{ seq: string }>(`SELECT coalesce(max(seq), 0)::text AS seq FROM audit.read_entry`)) as [{ seq: string }];
    const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` }, body: JSON.stringify({ query: text, variables }) });
    const body = (await response.json()) as Answer;
    const audit = await t.sql(`SELECT role, juristic_ids, entities, field_groups, consent_ids FROM audit.read_entry WHERE seq > $1 ORDER BY seq`, [seq]);
    return { body, audit };
  }

  /** The plan's answer and the resolvers' for each role: the same bodies (less the statement count) and the same audit entries. */
  async function expectSame(text: string, id: string, roles = Object.keys(keys)): Promise<Map<string, Answer>> {
    const answers = new Map<string, Answer>();
    for (const role of roles) {
      const fast = await ask(t.graphqlUrl, text, { juristicId: id }, keys[role]!);
      const reference = await ask(`${slow.apiUrl!}/graphql`, text, { juristicId: id }, keys[role]!);
      expect([role, id, text, { ...fast.body, extensions: undefined }]).toEqual([role, id, text, { ...reference.body, extensions: undefined }]);
      expect([role, id, text, fast.audit]).toEqual([role, id, text, reference.audit]);
      answers.set(role, fast.body);
    }
    return answers;
  }

  const VARIANTS = [
    // Every relation twice under aliases, with other pages, cursors and counts.
    `query($juristicId: JuristicId!) { company(juristicId: $juristicId) { juristicId
      a: factories(first: 1) { totalCount pageInfo { hasNextPage endCursor } edges { cursor node { fid operatorName operatorTaxId operatorMasked company { juristicId } } } }
      b: factories(first: 5, after: "FACTORY_CURSOR") { edges { node { id fid name provenance { source fetchedAt } licences(first: 2) { totalCount } } } pageInfo { hasNextPage startCursor } }
      c: certifications(first: 1) { totalCount edges { cursor node { licenceNo licenseeName companyJuristicId linkMethod fid standard { tisNo nameTh mandatory status provenance { fetchedAt } } } } pageInfo { hasNextPage } }
      d: certifications(after: "LICENCE_CURSOR") { totalCount edges { node { licenceNo standard { tisNo } } } }
      p: programmeParticipations { id programmeCode year company { juristicId } }
      q: programmeParticipations { programmeName }
      i40: industry40Assessments { id assessedOn overallLevel provenance { source runId fetchedAt } }
      s: financialStatements { id fiscalYear revenueBaht equityBaht provenance { fetchedAt sourceUpdatedAt } company { juristicId } }
      directors { name masked } shareholders { name personalId juristicId masked } } }`,
    // Fragments and a relation under a directive (not planned: its resolver answers).
    `query($juristicId: JuristicId!) { company(juristicId: $juristicId) { ...profile factories(first: 2) @include(if: true) { totalCount } } }
     fragment profile on Company { nameTh certifications(first: 2) { ...licences } industry40Assessments { overallLevel } }
     fragment licences on TisLicenseConnection { totalCount edges { node { licenceNo status } } }`,
    // Refused arguments: each relation's resolver refuses it with its own error.
    `query($juristicId: JuristicId!) { company(juristicId: $juristicId) { juristicId factories(first: 1000) { totalCount } certifications(after: "not-a-cursor") { totalCount } programmeParticipations { year } } }`,
    // The same company again below a licence and a factory, asking other pages under the same keys:
    // what the plan read for the root's selection must not answer theirs.
    `query($juristicId: JuristicId!) { company(juristicId: $juristicId) { factories(first: 3) { totalCount edges { node { fid company { factories(first: 1) { totalCount edges { node { fid } } } financialStatements { fiscalYear } } } } }
      certifications(first: 1) { edges { node { company { juristicId factories(first: 1) { edges { node { fid } } } certifications(first: 5) { totalCount } programmeParticipations { year } } } } } } }`,
    // Only the company's own fields, and only what the consent gate guards.
    `query($juristicId: JuristicId!) { company(juristicId: $juristicId) { id nameTh province { nameEn } industryClass { code } } }`,
    `query($juristicId: JuristicId!) { company(juristicId: $juristicId) { financialStatements { fiscalYear } directors { name } } }`,
  ];
  const variant = (text: string): string => text.replace('FACTORY_CURSOR', factoryCursor).replace('LICENCE_CURSOR', licenceCursor);

  test('the documented profile answers the same for every role, in one statement, with masked operators and licensees kept out', async () => {
    const answers = await expectSame(PROFILE, profiled);
    type Profile = {
      factories: { edges: { node: Record<string, unknown> }[] };
      certifications: { totalCount: number; edges: { node: { licenceNo: string } }[] };
      directors: { masked: boolean }[];
    };
    const ministry = answers.get('ministry')!.data!.company as Profile;
    // The two masked operators' factories are listed under no company (docs/api.md, personal data); the others are.
    expect(ministry.factories.edges.length).toBeGreaterThanOrEqual(1);
    expect(ministry.factories.edges.map((e) => e.node['fid'])).not.toEqual(expect.arrayContaining([maskedFids[0]]));
    expect(ministry.factories.edges.map((e) => e.node['fid'])).not.toEqual(expect.arrayContaining([maskedFids[1]]));
    // The licence whose licensee is masked is neither listed nor counted under the company.
    expect(ministry.certifications.totalCount).toBe(shownLicences);
    expect(ministry.certifications.edges.map((e) => e.node.licenceNo)).not.toContain(hiddenLicence);
    expect(ministry.directors.every((d) => d.masked)).toBe(true);
    // The area keys of the firm's province and centre and the firm itself read it too.
    for (const role of ['province', 'centre', 'firm']) expect(answers.get(role)!.errors).toBeUndefined();
    // A bank without consent: the gated fields are refused, the rest answers.
    expect(answers.get('bank')!.errors?.map((e) => e.extensions?.['reason'])).toEqual(expect.arrayContaining(['CONSENT_REQUIRED']));
    const { body } = await ask(t.graphqlUrl, PROFILE, { juristicId: profiled }, keys['admin']!);
    expect(body.extensions?.sqlStatements).toBe(1);
  });

  test('variants (aliases, cursors, fragments, directives, refused arguments) answer the same for every role', async () => {
    for (const text of VARIANTS) await expectSame(variant(text), profiled);
    // The variants' statements: one, whatever they ask (a directive's field and refused ones are not read ahead).
    const { body } = await ask(t.graphqlUrl, variant(VARIANTS[0]!), { juristicId: profiled }, keys['admin']!);
    expect(body.errors).toBeUndefined();
    const statements = body.extensions!.sqlStatements!;
    // The plan's statement, the factories' licences (one level below, batched), nothing per record.
    expect(statements).toBeLessThanOrEqual(2);
  });

  test('an area key asking for a firm outside its area, a firm key for another firm: FORBIDDEN as from the resolvers, and no audit of the firm', async () => {
    const answers = await expectSame(PROFILE, elsewhere, ['province', 'centre', 'firm', 'ministry']);
    for (const role of ['province', 'centre', 'firm']) {
      expect(answers.get(role)!.data?.company ?? null).toBeNull();
      expect(answers.get(role)!.errors?.[0]?.extensions).toMatchObject({ code: 'FORBIDDEN', reason: 'OUTSIDE_SCOPE' });
    }
    expect(answers.get('ministry')!.errors).toBeUndefined();
  });

  test('a bank with consent sees personal data and the audit names the consent; another bank, or another purpose, is refused', async () => {
    const answers = await expectSame(PROFILE, consented, ['bank', 'exim', 'bankOtherPurpose', 'ministry']);
    expect(answers.get('bankOtherPurpose')!.errors?.map((e) => e.extensions?.['reason'])).toEqual(expect.arrayContaining(['CONSENT_PURPOSE_MISMATCH']));
    const bank = answers.get('bank')!;
    expect(bank.errors).toBeUndefined();
    expect((bank.data!.company as { directors: { masked: boolean }[] }).directors.some((d) => !d.masked)).toBe(true);
    expect(answers.get('exim')!.errors?.map((e) => e.extensions?.['reason'])).toEqual(expect.arrayContaining(['CONSENT_REQUIRED']));
    const { audit } = await ask(t.graphqlUrl, PROFILE, { juristicId: consented }, keys['bank']!);
    expect(audit).toEqual([expect.objectContaining({ role: 'bank', juristic_ids: [consented], consent_ids: [expect.any(String)] })]);
  });

  test('unknown and malformed juristic IDs answer the same errors, with their codes', async () => {
    const cases: [string, string][] = [
      ['0105599999997', 'NOT_FOUND'],
      ['12', 'BAD_USER_INPUT'],
      ['0105599999998', 'BAD_USER_INPUT'],
      ['0-10-5-599-99999-7', 'NOT_FOUND'],
    ];
    for (const [id, code] of cases) {
      const answers = await expectSame(PROFILE, id, ['ministry', 'province', 'bank']);
      expect([id, answers.get('ministry')!.errors?.[0]?.extensions?.code]).toEqual([id, code]);
      // A scoped caller learns nothing of whether the firm exists.
      if (code === 'NOT_FOUND') expect(answers.get('province')!.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    }
  });
});
