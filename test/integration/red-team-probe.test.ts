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
});
