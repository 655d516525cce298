import { toGlobalId } from '../../src/platform/graphql/global-id';
import { createRootLogger } from '../../src/platform/logging/logger';
import { startLoadedHub } from '../support/loaded-hub';
import type { TestHub } from '../support/test-hub';

/**
 * The red-team probe's second round (issue 14, findings L3 to L13 and M1): each case sends the
 * hostile request to a real hub over HTTP, checks the stable `extensions.code`, that nothing
 * leaked (no SQL, stack or path in the answer, no unexpected error in the log), and that the hub
 * still answers a normal query afterwards.
 */
jest.setTimeout(120_000);

interface ErrorBody {
  data?: Record<string, unknown> | null;
  errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, unknown> & { code?: string } }[];
}

const NORMAL = '{ factories(first: 2) { totalCount edges { node { fid } } } }';
/** No stack frames, no file paths, no SQL in anything a client reads. */
const LEAK = /at [\w.<>]+ \(|node_modules|\/work\/|\/src\/|\.ts:\d|SELECT |FROM [a-z_]+\.|stack/i;

const encode = (text: string): string => Buffer.from(text, 'utf8').toString('base64url');
const decode = (cursor: string): string => Buffer.from(cursor, 'base64url').toString('utf8');

describe('red-team probe, second round', () => {
  let t: TestHub;
  let keys: Awaited<ReturnType<TestHub['createApiKeys']>>;
  const logged: Record<string, unknown>[] = [];
  const errorsLogged = (): Record<string, unknown>[] => logged.filter((line) => line['level'] === 'error' || line['level'] === 50);

  beforeAll(async () => {
    const destination = { write: (line: string): void => void logged.push(JSON.parse(line) as Record<string, unknown>) };
    t = await startLoadedHub({ scale: 600, logger: createRootLogger('info', destination) });
    keys = await t.createApiKeys();
  }, 300_000);
  afterAll(async () => {
    await t?.stop();
  });

  async function gql(query: string, variables: Record<string, unknown> = {}, key: string = keys.admin): Promise<{ status: number; text: string; json: ErrorBody }> {
    const response = await fetch(t.graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      body: JSON.stringify({ query, variables }),
    });
    const text = await response.text();
    return { status: response.status, text, json: JSON.parse(text) as ErrorBody };
  }
  const codeOf = (json: ErrorBody): string | undefined => json.errors?.[0]?.extensions?.code;
  async function stillServes(key: string = keys.analyst): Promise<void> {
    const { status, json } = await gql(NORMAL, {}, key);
    expect(json.errors).toBeUndefined();
    expect(status).toBe(200);
  }

  describe('L3: forged cursors answer BAD_USER_INPUT on every connection field', () => {
    /** Every list with `after`, with each ordering whose cursor has its own shape; `$after` is the cursor. */
    const lists: { name: string; key: 'admin' | 'smed'; query: string; tag?: string }[] = [
      ...['JURISTIC_ID', 'NAME_TH', 'REGISTERED_ON', 'REGISTERED_CAPITAL', 'REVENUE'].flatMap((field) =>
        ['ASC', 'DESC'].map((direction) => ({
          name: `companies by ${field} ${direction}`,
          key: 'admin' as const,
          query: `query ($after: String) { list: companies(first: 1, after: $after, orderBy: { field: ${field}, direction: ${direction} }) { pageInfo { endCursor } } }`,
        })),
      ),
      { name: 'companies by RELEVANCE', key: 'admin', query: 'query ($after: String, $q: String) { list: companies(first: 1, after: $after, filter: { nameSearch: $q }, orderBy: { field: RELEVANCE }) { pageInfo { endCursor } } }' },
      ...['FID', 'NAME', 'CAPITAL', 'WORKERS'].flatMap((field) =>
        ['ASC', 'DESC'].map((direction) => ({
          name: `factories by ${field} ${direction}`,
          key: 'admin' as const,
          query: `query ($after: String) { list: factories(first: 1, after: $after, orderBy: { field: ${field}, direction: ${direction} }) { pageInfo { endCursor } } }`,
        })),
      ),
      ...['ISSUED_ON', 'LICENCE_NO'].flatMap((field) =>
        ['ASC', 'DESC'].map((direction) => ({
          name: `tisLicenses by ${field} ${direction}`,
          key: 'admin' as const,
          query: `query ($after: String) { list: tisLicenses(first: 1, after: $after, orderBy: { field: ${field}, direction: ${direction} }) { pageInfo { endCursor } } }`,
        })),
      ),
      { name: 'tisStandards', key: 'admin', query: 'query ($after: String) { list: tisStandards(first: 1, after: $after) { pageInfo { endCursor } } }' },
      { name: 'consents', key: 'admin', query: 'query ($after: String) { list: consents(first: 1, after: $after) { pageInfo { endCursor } } }' },
      { name: 'dataAccessLog', key: 'admin', query: 'query ($after: String) { list: dataAccessLog(first: 1, after: $after) { pageInfo { endCursor } } }' },
      { name: 'eligibilityFeed (ministry)', key: 'admin', query: 'query ($after: String) { list: eligibilityFeed(first: 1, after: $after) { pageInfo { endCursor } } }' },
      { name: 'eligibilityFeed (bank)', key: 'smed', query: 'query ($after: String) { list: eligibilityFeed(first: 1, after: $after) { pageInfo { endCursor } } }' },
      { name: 'ingestionRuns', key: 'admin', query: 'query ($after: String) { list: ingestionRuns(first: 1, after: $after) { pageInfo { endCursor } } }' },
      { name: 'quarantinedRows', key: 'admin', query: 'query ($after: String) { list: quarantinedRows(first: 1, after: $after) { pageInfo { endCursor } } }' },
      { name: 'loanOutcomes (ministry)', key: 'admin', tag: 'loanOutcome:1', query: 'query ($after: String) { list: loanOutcomes(first: 1, after: $after) { pageInfo { endCursor } } }' },
      { name: 'loanOutcomes (bank)', key: 'smed', tag: 'loanOutcome:SMED.1', query: 'query ($after: String) { list: loanOutcomes(first: 1, after: $after) { pageInfo { endCursor } } }' },
      { name: 'registryChanges', key: 'admin', query: 'query ($after: String) { list: registryChanges(first: 1, after: $after) { pageInfo { endCursor } } }' },
      { name: 'Province.companies', key: 'admin', query: 'query ($after: String) { province(codeOrName: "10") { list: companies(first: 1, after: $after) { pageInfo { endCursor } } } }' },
      { name: 'Province.factories', key: 'admin', query: 'query ($after: String) { province(codeOrName: "10") { list: factories(first: 1, after: $after) { pageInfo { endCursor } } } }' },
    ];

    /** Payloads that are not a cursor of any list, whatever its tag. */
    function forgedPayloads(real: string): string[] {
      const payloads = ['garbage', '\u0000', 'x\u0000y', '-1', '1e5', '1.5', '99999999999999999999999999', '0', 'SMED.1', 'EXIM.99999999999999999999', '2024-99-99|X', '0000-00-00|', '[]', '{}', '[1,2]', 'null', '["a"]', `${'9'.repeat(1400)}`];
      let parsed: unknown;
      try {
        parsed = JSON.parse(real);
      } catch {
        parsed = undefined;
      }
      if (Array.isArray(parsed) && parsed.length === 2) {
        const id = String(parsed[1]);
        payloads.push(
          JSON.stringify(['not-a-number', 'x']),
          JSON.stringify(['2024-99-99', id]),
          JSON.stringify([`${'9'.repeat(400)}.5e99`, id]),
          JSON.stringify([1, id]),
          JSON.stringify([parsed[0], 'x\u0000']),
          JSON.stringify([parsed[0], 12]),
          JSON.stringify([parsed[0]]),
          JSON.stringify([parsed[0], id, 'extra']),
        );
      }
      return payloads;
    }

    test.each(lists.map((list) => [list.name, list] as const))('%s', async (_name, list) => {
      const key = keys[list.key];
      // A relevance ordering needs a search that finds something: a registered name.
      const names = await t.sql<{ name_th: string }>('SELECT name_th FROM registry.company WHERE name_th IS NOT NULL ORDER BY juristic_id LIMIT 1');
      const q = list.query.includes('$q') ? names[0]!.name_th.slice(0, 20) : undefined;
      const gqlList = (variables: Record<string, unknown>) => gql(list.query, q === undefined ? variables : { ...variables, q }, key);
      const first = await gqlList({});
      expect(first.json.errors).toBeUndefined();
      const data = JSON.stringify(first.json.data);
      // A forged cursor starts from a real one's tag; a list the loaded world leaves empty (no bank
      // has reported an outcome yet) names its tag.
      const endCursor = /"endCursor":"([^"]+)"/.exec(data)?.[1] ?? (list.tag && encode(list.tag));
      expect(endCursor).toBeDefined();
      const real = decode(endCursor!);
      const tag = real.slice(0, real.indexOf(':'));
      const payload = real.slice(tag.length + 1);
      const errorsBefore = errorsLogged().length;
      const cursors = [encode(`nope:${payload}`), encode(`${tag}x:${payload}`), ...forgedPayloads(payload).map((forged) => encode(`${tag}:${forged}`))];
      const answers: string[] = [];
      for (const after of cursors) {
        const { json, text, status } = await gqlList({ after });
        expect(text).not.toMatch(LEAK);
        // A forged payload may happen to be a real position of a text ordering (a name "garbage"):
        // then a page; otherwise BAD_USER_INPUT, and never anything else.
        if (json.errors) {
          answers.push(`${decode(after).slice(0, 60)} -> ${codeOf(json)} ${status} ${json.errors[0]!.message}`);
          expect({ after: decode(after).slice(0, 60), code: codeOf(json) }).toEqual({ after: decode(after).slice(0, 60), code: 'BAD_USER_INPUT' });
          expect(json.errors[0]!.message).toMatch(/cursor/);
        }
      }
      // Wrong tags, NUL bytes and structural garbage are refused on every list.
      for (const forged of [encode(`nope:${payload}`), encode(`${tag}:\u0000`), encode(`${tag}:[1,2]`), encode(`${tag}:${'9'.repeat(1400)}`)]) {
        expect(codeOf((await gqlList({ after: forged })).json)).toBe('BAD_USER_INPUT');
      }
      expect(errorsLogged().slice(errorsBefore)).toEqual([]);
      await stillServes();
    });
  });

  describe('L8: node(id) tells no refused object from a missing one', () => {
    test('a statement of a firm without consent and a filing year that does not exist both answer null', async () => {
      const [row] = await t.sql<{ juristic_id: string; fiscal_year: number }>(
        `SELECT s.juristic_id, s.fiscal_year FROM registry.financial_statement s
         WHERE NOT EXISTS (SELECT 1 FROM access.consent c WHERE c.juristic_id = s.juristic_id AND c.bank_code = 'SMED' AND c.revoked_at IS NULL)
         ORDER BY s.juristic_id, s.fiscal_year LIMIT 1`,
      );
      const existing = toGlobalId('FinancialStatement', `${row!.juristic_id}:${row!.fiscal_year}`);
      const missing = toGlobalId('FinancialStatement', `${row!.juristic_id}:1901`);
      const query = 'query ($a: ID!, $b: ID!) { a: node(id: $a) { id } b: node(id: $b) { id } both: nodes(ids: [$a, $b]) { id } }';
      const asBank = await gql(query, { a: existing, b: missing }, keys.smed);
      expect(asBank.json).toEqual({ data: { a: null, b: null, both: [null, null] } });
      // The ministry reads it: the statement exists.
      const asMinistry = await gql(query, { a: existing, b: missing }, keys.ministry);
      expect(asMinistry.json).toEqual({ data: { a: { id: existing }, b: null, both: [{ id: existing }, null] } });
      await stillServes(keys.smed);
    });
  });

  describe('L10: no "Did you mean" for roles that may not introspect', () => {
    const typo = '{ companies(first: 1) { edges { node { juristicI } } } }';
    const enumTypo = ['query ($o: CompanyOrderField!) { companies(first: 1, orderBy: { field: $o }) { totalCount } }', { o: 'JURISTIC' }] as const;
    test('a bank key gets the error without suggestions; an analyst (GraphiQL) keeps them', async () => {
      const bank = await gql(typo, {}, keys.smed);
      expect(codeOf(bank.json)).toBe('GRAPHQL_VALIDATION_FAILED');
      expect(bank.json.errors![0]!.message).toBe('Cannot query field "juristicI" on type "Company".');
      expect(bank.text).not.toMatch(/Did you mean|juristicId/);
      const bankEnum = await gql(enumTypo[0], enumTypo[1], keys.smed);
      expect(codeOf(bankEnum.json)).toBe('BAD_USER_INPUT');
      expect(bankEnum.text).not.toMatch(/Did you mean|JURISTIC_ID/);
      const analyst = await gql(typo, {}, keys.analyst);
      expect(analyst.json.errors![0]!.message).toMatch(/Did you mean "juristicId"/);
      await stillServes(keys.smed);
    });
  });

  describe('L11: a range whose start is after its end is BAD_USER_INPUT', () => {
    test.each([
      ['registeredBetween', '{ companies(first: 1, filter: { registeredBetween: { from: "2024-01-01", to: "2020-01-01" } }) { totalCount } }', 'filter.registeredBetween'],
      ['registeredCapital', '{ companies(first: 1, filter: { registeredCapital: { min: 5000000, max: 1000 } }) { totalCount } }', 'filter.registeredCapital'],
      ['revenue', '{ companies(first: 1, filter: { revenue: { min: 2, max: 1 } }) { totalCount } }', 'filter.revenue'],
      ['companyStats', '{ companyStats(groupBy: [REGION], filter: { registeredBetween: { from: "2024-01-01", to: "2020-01-01" } }) { groups { count } } }', 'filter.registeredBetween'],
      ['tisLicenses issuedFrom/issuedTo', '{ tisLicenses(first: 1, filter: { issuedFrom: "2024-01-01", issuedTo: "2020-01-01" }) { totalCount } }', 'filter.issuedFrom'],
      ['loanOutcomes outcomeBetween', '{ loanOutcomes(first: 1, filter: { outcomeBetween: { from: "2024-01-01", to: "2020-01-01" } }) { totalCount } }', 'filter.outcomeBetween'],
    ])('%s', async (_name, query, argument) => {
      const { json } = await gql(query, {}, keys.admin);
      expect(codeOf(json)).toBe('BAD_USER_INPUT');
      expect(json.errors![0]!.extensions!['argument']).toBe(argument);
      expect(json.errors![0]!.message).toMatch(/is after/);
    });
    test('an equal start and end is a one-day range, not an error', async () => {
      const { json } = await gql('{ companies(first: 1, filter: { registeredBetween: { from: "2020-01-01", to: "2020-01-01" } }) { totalCount } }', {}, keys.admin);
      expect(json.errors).toBeUndefined();
    });
  });

  describe('L12: a bank reads no other client\'s name on a consent', () => {
    test('grantedByClient of a consent the ministry granted is null for the bank, named for the ministry', async () => {
      const [firm] = await t.sql<{ juristic_id: string }>('SELECT juristic_id FROM registry.company ORDER BY juristic_id LIMIT 1 OFFSET 7');
      const grant = await gql(
        'mutation ($input: GrantConsentInput!) { grantConsent(input: $input) { id grantedByClient } }',
        { input: { juristicId: firm!.juristic_id, bank: 'SMED', purpose: 'loan screening', validUntil: '2030-12-31' } },
        keys.ministry,
      );
      expect(grant.json.errors).toBeUndefined();
      const id = (grant.json.data!['grantConsent'] as { id: string }).id;
      expect((grant.json.data!['grantConsent'] as { grantedByClient: string }).grantedByClient).toBe('test-ministry');
      const query = 'query ($id: ID!) { node(id: $id) { ... on Consent { grantedByClient revokedByClient } } }';
      expect((await gql(query, { id }, keys.smed)).json).toEqual({ data: { node: { grantedByClient: null, revokedByClient: null } } });
      const listed = await gql('{ consents(first: 100) { edges { node { grantedByClient } } } }', {}, keys.smed);
      expect(listed.json.errors).toBeUndefined();
      expect(JSON.stringify(listed.json.data)).not.toMatch(/test-ministry|test-admin/);
      expect((await gql(query, { id }, keys.ministry)).json).toEqual({ data: { node: { grantedByClient: 'test-ministry', revokedByClient: null } } });
    });
  });

  describe('L9: routes outside GraphQL answer errors in GraphQL\'s shape, and refuse odd query parameters', () => {
    async function route(path: string, key: string = keys.admin): Promise<{ status: number; text: string; json: ErrorBody }> {
      const response = await fetch(`${t.baseUrl}${path}`, { headers: key ? { authorization: `Bearer ${key}` } : {} });
      const text = await response.text();
      let json: ErrorBody = {};
      try {
        json = JSON.parse(text) as ErrorBody;
      } catch {
        // NDJSON: not an error
      }
      return { status: response.status, text, json };
    }
    const routes = ['/feeds/eligibility', '/feeds/registry', '/exports/companies.ndjson'];

    test.each(routes)('%s: limit repeated, in exponent form, negative, zero, not a number, huge, fractional: 400 BAD_USER_INPUT', async (path) => {
      for (const query of ['limit=1&limit=2', 'limit=1e3', 'limit=-1', 'limit=0', 'limit=abc', 'limit=99999999999999999999', 'limit=1.5', 'limit=0x10', 'limit=%201', 'after=a&after=b']) {
        const answer = await route(`${path}?${query}`);
        expect({ query, status: answer.status, code: codeOf(answer.json) }).toEqual({ query, status: 400, code: 'BAD_USER_INPUT' });
        expect(answer.json.errors![0]!.message).toEqual(expect.any(String));
        expect(answer.text).not.toMatch(LEAK);
      }
      // The plain form still works.
      const ok = await route(`${path}?limit=2`);
      expect(ok.status).toBe(200);
    });

    test.each(routes)('%s: no key (401), a bad cursor (400) in the one error shape', async (path) => {
      const anonymous = await route(path, ''); // '' sends no key (undefined would take the admin's)
      expect(anonymous.status).toBe(401);
      expect(codeOf(anonymous.json)).toBe('UNAUTHENTICATED');
      expect(anonymous.json).not.toHaveProperty('error');
      const forged = await route(`${path}?after=${encode('nope:1')}`);
      expect(forged.status).toBe(400);
      expect(codeOf(forged.json)).toBe('BAD_USER_INPUT');
      expect(forged.json).not.toHaveProperty('error');
    });

    test('an unknown export (404) and the admin routes (401, 403) answer in the one shape', async () => {
      const unknown = await route('/exports/nothing.ndjson');
      expect({ status: unknown.status, code: codeOf(unknown.json) }).toEqual({ status: 404, code: 'NOT_FOUND' });
      for (const path of ['/metrics', '/admin/queues']) {
        const anonymous = await route(path, ''); // '' sends no key (undefined would take the admin's)
        if (anonymous.status === 404) continue; // not served by this hub's API port
        expect({ path, status: anonymous.status, code: codeOf(anonymous.json) }).toEqual({ path, status: 401, code: 'UNAUTHENTICATED' });
        const analyst = await route(path, keys.analyst);
        expect({ path, status: analyst.status, code: codeOf(analyst.json) }).toEqual({ path, status: 403, code: 'FORBIDDEN' });
      }
      await stillServes();
    });
  });
});
