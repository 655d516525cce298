// @node-runtime: HTTP parsing limits, sockets and request deadlines (runs on every Node.js line .ci/run tests; docs/development.md#test-tiers)
import { execFile } from 'node:child_process';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';
import { createRootLogger } from '../../src/platform/logging/logger';
import { startLoadedHub } from '../support/loaded-hub';
import type { TestHub } from '../support/test-hub';

/**
 * Hostile and careless clients against a real hub (issue 14): each case sends the request over
 * HTTP, checks the stable `extensions.code`, that nothing leaked (no stack, no SQL, no install
 * path, no personal data), and that the hub still answers a normal query afterwards.
 */
jest.setTimeout(120_000);

interface ErrorBody {
  data?: Record<string, unknown> | null;
  errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, unknown> & { code?: string } }[];
}

const CLI = path.resolve(__dirname, '..', '..', 'dist', 'src', 'cli.js');
const NORMAL = '{ factories(first: 2) { totalCount edges { node { fid } } } }';
/** No stack frames, no file paths, no SQL in anything a client reads. */
const LEAK = /at [\w.<>]+ \(|node_modules|\/work\/|\/src\/|\.ts:\d|SELECT |FROM registry|stack/i;

describe('hostile clients', () => {
  let t: TestHub;
  let keys: Awaited<ReturnType<TestHub['createApiKeys']>>;
  const logged: Record<string, unknown>[] = [];

  beforeAll(async () => {
    const destination = { write: (line: string): void => void logged.push(JSON.parse(line) as Record<string, unknown>) };
    t = await startLoadedHub({
      scale: 600,
      logger: createRootLogger('info', destination),
      env: {
        // Small deadlines for the analyst (statement) and ministry (whole request), so a held lock shows them.
        STATEMENT_TIMEOUT_MS: 'analyst=400',
        REQUEST_TIMEOUT_MS: 'ministry=600',
      },
    });
    keys = await t.createApiKeys();
  }, 300_000);
  afterAll(async () => {
    await t?.stop();
  });

  async function post(body: string, key: string | undefined = keys.analyst, headers: Record<string, string> = {}): Promise<{ status: number; text: string; json: ErrorBody; headers: Headers }> {
    const response = await fetch(t.graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}), ...headers },
      body,
    });
    const text = await response.text();
    let json: ErrorBody = {};
    try {
      json = JSON.parse(text) as ErrorBody;
    } catch {
      // asserted by the callers: every answer must be JSON
    }
    return { status: response.status, text, json, headers: response.headers };
  }
  const gql = (query: string, variables: Record<string, unknown> = {}, key: string = keys.analyst) => post(JSON.stringify({ query, variables }), key);

  async function stillServes(key: string = keys.analyst): Promise<void> {
    const { status, json } = await gql(NORMAL, {}, key);
    expect(json.errors).toBeUndefined();
    expect(status).toBe(200);
  }
  function codeOf(json: ErrorBody): string | undefined {
    return json.errors?.[0]?.extensions?.code;
  }

  describe('cost before execution (issue 14, failures 1 to 3)', () => {
    test('a 250-byte province -> companies -> province fan-out from a bank key is refused unexecuted with its cost', async () => {
      const bomb = `{ province(codeOrName: "10") { companies(first: 100) { edges { node { province { companies(first: 100) { edges { node {
        province { companies(first: 100) { edges { node { juristicId } } } } } } } } } } } } }`;
      const { status, json, text } = await gql(bomb, {}, keys.smed);
      expect(codeOf(json)).toBe('QUERY_TOO_COMPLEX');
      const extensions = json.errors![0]!.extensions!;
      expect(extensions['measure']).toBe('cost');
      expect(Number(extensions['cost'])).toBeGreaterThan(Number(extensions['limit']));
      expect(Number(extensions['cost'])).toBeGreaterThanOrEqual(1_000_000);
      expect(json.data).toBeUndefined();
      expect(status).toBe(400);
      expect(text).not.toMatch(LEAK);
      // Refused before execution: not one statement of it reached the database (admins see the count).
      const asAdmin = await post(JSON.stringify({ query: bomb }), keys.admin);
      expect(codeOf(asAdmin.json)).toBe('QUERY_TOO_COMPLEX');
      expect((asAdmin.json as { extensions?: { sqlStatements?: number } }).extensions?.sqlStatements).toBe(0);
      await stillServes(keys.smed);
    });

    test('1,000 aliases of companyStats are refused unexecuted; 100 with the alias count and limit', async () => {
      const aliases = (n: number) => Array.from({ length: n }, (_, i) => `s${i}: companyStats(groupBy: [REGION]) { groups { count } }`).join(' ');
      const started = Date.now();
      const thousand = await gql(`{ ${aliases(1000)} }`);
      expect(codeOf(thousand.json)).toBe('QUERY_TOO_COMPLEX');
      // 1,000 of them are over the token limit already: the parser stops before the aliases are counted.
      expect(['tokens', 'aliases']).toContain(thousand.json.errors![0]!.extensions!['measure']);
      expect(Date.now() - started).toBeLessThan(2_000);
      const hundred = await gql(`{ ${aliases(100)} }`);
      expect(codeOf(hundred.json)).toBe('QUERY_TOO_COMPLEX');
      expect(hundred.json.errors![0]!.extensions).toMatchObject({ measure: 'aliases', value: 100, limit: 30 });
      await stillServes();
    });

    test('122 nested selection levels are refused with the depth and limit', async () => {
      let query = 'code';
      for (let i = 0; i < 61; i++) query = `provinces { region { ${query} } }`;
      const { json } = await gql(`{ regions { ${query} } }`);
      expect(codeOf(json)).toBe('QUERY_TOO_COMPLEX');
      expect(json.errors![0]!.extensions!['measure']).toBe('depth');
      expect(Number(json.errors![0]!.extensions!['value'])).toBeGreaterThan(Number(json.errors![0]!.extensions!['limit']));
      await stillServes();
    });

    test('the canonical queries fit every role\'s budget', async () => {
      const { json } = await gql('{ companies(first: 100) { totalCount edges { node { juristicId factories(first: 20) { edges { node { fid } } } } } } }', {}, keys.smed);
      expect(json.errors).toBeUndefined();
    });

    test('a fragment spread bomb (each fragment spreading the next twice) is refused quickly', async () => {
      const fragments = Array.from({ length: 40 }, (_, i) => `fragment F${i} on Query { ...F${i + 1} ...F${i + 1} }`).join('\n');
      const started = Date.now();
      const { json } = await gql(`{ ...F0 }\n${fragments}\nfragment F40 on Query { companies(first: 100) { edges { node { juristicId } } } }`);
      expect(codeOf(json)).toBe('QUERY_TOO_COMPLEX');
      expect(Date.now() - started).toBeLessThan(5_000);
      await stillServes();
    });

    test('fragment cycles are a validation error', async () => {
      const { json } = await gql('{ ...A } fragment A on Query { ...B } fragment B on Query { ...A }');
      expect(codeOf(json)).toBe('GRAPHQL_VALIDATION_FAILED');
      await stillServes();
    });

    test('a document of too many tokens is refused before it is parsed further', async () => {
      const { json, text } = await gql(`{ ${'__typename '.repeat(20_000)}}`);
      expect(codeOf(json)).toBe('QUERY_TOO_COMPLEX');
      expect(json.errors![0]!.extensions!['measure']).toBe('tokens');
      expect(text.length).toBeLessThan(2_000);
      await stillServes();
    });

    test('too many directives are refused', async () => {
      const fields = Array.from({ length: 30 }, (_, i) => `f${i}: __typename @include(if: true) @skip(if: false)`).join(' ');
      const { json } = await gql(`{ ${fields} } fragment X on Query { ...Y ...Y ...Y } fragment Y on Query { a: __typename @include(if: true) }`.replace('{ f0', '{ ...X ...X f0'));
      expect(codeOf(json)).toBe('QUERY_TOO_COMPLEX');
      expect(json.errors![0]!.extensions).toMatchObject({ measure: 'directives', limit: 50 });
      await stillServes();
    });

    test('nodes(ids) with 100,000 IDs is refused without resolving them', async () => {
      const ids = Array.from({ length: 100_000 }, (_, i) => `x${i}`);
      const { json, status } = await gql('query ($ids: [ID!]!) { nodes(ids: $ids) { id } }', { ids });
      expect(['QUERY_TOO_COMPLEX', 'BAD_USER_INPUT', 'PAYLOAD_TOO_LARGE']).toContain(codeOf(json));
      expect(status).toBeGreaterThanOrEqual(400);
      await stillServes();
    });

    test('first: -1 and first: 1000000 answer BAD_USER_INPUT', async () => {
      for (const first of [-1, 1_000_000, 0]) {
        const { json } = await gql('query ($first: Int) { companies(first: $first) { edges { node { juristicId } } } }', { first });
        expect(codeOf(json)).toBe('BAD_USER_INPUT');
      }
      await stillServes();
    });

    test('a batched JSON array of operations is refused with BAD_REQUEST', async () => {
      const one = { query: NORMAL };
      const { status, json, text } = await post(JSON.stringify(Array.from({ length: 500 }, () => one)));
      expect(status).toBe(400);
      expect(codeOf(json)).toBe('BAD_REQUEST');
      expect(text).not.toMatch(LEAK);
      await stillServes();
    });
  });

  describe('HTTP errors are JSON with a stable code and no stack (failure 7)', () => {
    test.each([
      ['malformed JSON', '{"query": "{ __typename }"', 'BAD_REQUEST', 400],
      ['a null body', 'null', 'BAD_REQUEST', 400],
      ['a body over the limit', JSON.stringify({ query: `{ __typename } #${'x'.repeat(1_200_000)}` }), 'PAYLOAD_TOO_LARGE', 413],
    ])('%s answers JSON with its code; without a key, 401 before the body is read', async (_name, body, code, status) => {
      for (const [key, expected] of [
        [keys.analyst, { status, code }],
        // '' sends no Authorization header (undefined would take post's default key).
        ['', { status: 401, code: 'UNAUTHENTICATED' }],
        ['iih_not-a-key', { status: 401, code: 'UNAUTHENTICATED' }],
      ] as const) {
        const response = await post(body, key);
        expect(response.status).toBe(expected.status);
        expect(response.headers.get('content-type')).toMatch(/application\/json/);
        expect(codeOf(response.json)).toBe(expected.code);
        expect(response.text).not.toMatch(LEAK);
        expect(response.text).not.toMatch(/<html|<pre/i);
      }
      await stillServes();
    });

    test('HEAD, OPTIONS, PUT, DELETE and PATCH answer 405 JSON with Allow, not a 500', async () => {
      for (const method of ['HEAD', 'OPTIONS', 'PUT', 'DELETE', 'PATCH']) {
        const response = await fetch(t.graphqlUrl, { method, headers: { authorization: `Bearer ${keys.analyst}` } });
        expect(response.status).toBe(405);
        expect(response.headers.get('allow')).toBe('GET, POST');
        if (method !== 'HEAD') expect(codeOf((await response.json()) as ErrorBody)).toBe('METHOD_NOT_ALLOWED');
      }
      await stillServes();
    });

    test('a body in an encoding it is not answers 400 BAD_REQUEST, not a 500', async () => {
      for (const encoding of ['br', 'deflate', 'gzip', 'x-unknown']) {
        const response = await fetch(t.graphqlUrl, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'content-encoding': encoding, authorization: `Bearer ${keys.analyst}` },
          body: 'not compressed at all',
        });
        expect([400, 415]).toContain(response.status);
        expect(codeOf((await response.json()) as ErrorBody)).toBe('BAD_REQUEST');
      }
      await stillServes();
    });

    test('automatic persisted queries that do not match answer client errors, logged as nothing unexpected', async () => {
      const before = logged.filter((line) => line['level'] === 'error').length;
      const cases = [
        { query: '{ __typename }', extensions: { persistedQuery: { version: 1, sha256Hash: 'a'.repeat(64) } } },
        { query: '{ __typename }', extensions: { persistedQuery: { version: 2, sha256Hash: 'a'.repeat(64) } } },
        { query: '{ __typename }', extensions: { persistedQuery: 'x' } },
        { query: '{ __typename }', extensions: { persistedQuery: { version: 1, sha256Hash: 12345 } } },
      ];
      for (const body of cases) {
        const response = await post(JSON.stringify(body));
        expect(response.status).toBe(400);
        expect(['BAD_REQUEST', 'PERSISTED_QUERY_NOT_SUPPORTED', 'PERSISTED_QUERY_NOT_FOUND']).toContain(codeOf(response.json));
        expect(response.text).not.toMatch(LEAK);
      }
      expect(logged.filter((line) => line['level'] === 'error').length).toBe(before);
    });


    test('a wrong content type answers JSON', async () => {
      const response = await fetch(t.graphqlUrl, { method: 'POST', headers: { 'content-type': 'text/xml', authorization: `Bearer ${keys.analyst}` }, body: '<q/>' });
      const text = await response.text();
      expect(response.status).toBeGreaterThanOrEqual(400);
      expect(JSON.parse(text)).toHaveProperty('errors');
      expect(text).not.toMatch(LEAK);
    });

    test('a GET with a 100 KB query string answers JSON', async () => {
      const response = await fetch(`${t.graphqlUrl}?query=${encodeURIComponent(`{ __typename #${'x'.repeat(100_000)} }`)}`, { headers: { authorization: `Bearer ${keys.analyst}` } });
      const text = await response.text();
      expect(response.status).toBe(431);
      expect((JSON.parse(text) as ErrorBody).errors![0]!.extensions!.code).toBe('REQUEST_HEADER_FIELDS_TOO_LARGE');
      await stillServes();
    });

    test('an unknown path answers JSON 404', async () => {
      const response = await fetch(`${t.baseUrl}/nothing-here`);
      expect(response.status).toBe(404);
      expect(((await response.json()) as ErrorBody).errors![0]!.extensions!.code).toBe('NOT_FOUND');
    });

    test('GraphiQL assets that do not exist, or climb out of the asset folder, answer JSON 404 naming no file', async () => {
      for (const asset of ['nope.js', '..%2F..%2Fpackage.json', '%2e%2e/%2e%2e/etc/passwd', `${'a/'.repeat(2000)}x.js`, 'react@1.0.0/%00.js']) {
        const response = await fetch(`${t.baseUrl}/graphiql/assets/${asset}`);
        const text = await response.text();
        expect([asset, response.status, (JSON.parse(text) as ErrorBody).errors![0]!.extensions!.code]).toEqual([asset, 404, 'NOT_FOUND']);
        expect(text).not.toMatch(/node_modules|\/work\/|root:|"name":/);
      }
      await stillServes();
    });
  });

  describe('text arguments (failure 6)', () => {
    test('a NUL byte in a text filter answers BAD_USER_INPUT', async () => {
      const { json, text } = await gql('query ($q: String) { companies(first: 1, filter: { nameSearch: $q }) { totalCount } }', { q: 'ab\u0000cd' });
      expect(codeOf(json)).toBe('BAD_USER_INPUT');
      expect(text).not.toMatch(LEAK);
      const inline = await gql('{ factories(first: 1, filter: { nameContains: "x\\u0000y" }) { totalCount } }');
      expect(codeOf(inline.json)).toBe('BAD_USER_INPUT');
      await stillServes();
    });

    test('invalid Unicode (a lone surrogate) answers BAD_USER_INPUT', async () => {
      const { json } = await post('{"query":"query ($q: String) { companies(first: 1, filter: { nameSearch: $q }) { totalCount } }","variables":{"q":"\\ud800abc"}}');
      expect(codeOf(json)).toBe('BAD_USER_INPUT');
      await stillServes();
    });

    test('a 900 KB nameSearch answers BAD_USER_INPUT at once, holding no connection', async () => {
      const started = Date.now();
      const { json } = await gql('query ($q: String) { companies(first: 1, filter: { nameSearch: $q }) { totalCount } }', { q: 'ab'.repeat(450_000) });
      expect(codeOf(json)).toBe('BAD_USER_INPUT');
      expect(json.errors![0]!.extensions).toMatchObject({ maxLength: expect.any(Number) });
      expect(Date.now() - started).toBeLessThan(3_000);
      await stillServes();
    });

    test('a name search longer than a name (101 characters) is refused before it reaches the trigram index', async () => {
      const thai = 'บริษัทอุตสาหกรรม'.repeat(7).slice(0, 101);
      for (const query of [
        'query ($q: String) { companies(first: 1, filter: { nameSearch: $q }) { totalCount } }',
        'query ($q: String) { tisStandards(first: 1, filter: { nameSearch: $q }) { totalCount } }',
      ]) {
        const { json } = await gql(query, { q: thai });
        expect(codeOf(json)).toBe('BAD_USER_INPUT');
        expect(json.errors![0]!.extensions).toMatchObject({ argument: 'filter.nameSearch', maxLength: 100 });
        expect((await gql(query, { q: thai.slice(0, 100) })).json.errors).toBeUndefined();
      }
    });

    test('a 200 KB cursor and a cursor of invalid base64 answer BAD_USER_INPUT', async () => {
      for (const after of ['A'.repeat(200_000), '!!!not-base64!!!', '']) {
        const { json } = await gql('query ($after: String) { companies(first: 1, after: $after) { totalCount } }', { after });
        expect(codeOf(json)).toBe('BAD_USER_INPUT');
      }
      await stillServes();
    });

    test('a deeply nested variable answers an error, not a crash', async () => {
      const deep = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
      const { status, json } = await post(`{"query":"query ($ids: [ID!]!) { nodes(ids: $ids) { id } }","variables":{"ids":${deep}}}`);
      expect(status).toBeGreaterThanOrEqual(400);
      expect(['BAD_REQUEST', 'BAD_USER_INPUT']).toContain(codeOf(json));
      await stillServes();
    });

    test('NUL bytes and non-ASCII in headers do not break the hub', async () => {
      // A NUL byte in a header: Node's parser refuses the request; the answer is still JSON.
      const raw = await new Promise<string>((resolve, reject) => {
        const socket = net.connect(Number(new URL(t.baseUrl).port), '127.0.0.1');
        let received = '';
        socket.on('data', (chunk) => (received += chunk.toString('latin1')));
        socket.on('end', () => resolve(received));
        socket.on('error', reject);
        socket.write(`POST /graphql HTTP/1.1\r\nHost: x\r\nX-Request-Id: a\u0000b\r\nContent-Length: 2\r\n\r\n{}`);
      });
      expect(raw).toMatch(/^HTTP\/1\.1 400/);
      expect(raw).toContain('"code":"BAD_REQUEST"');
      expect(raw).not.toMatch(LEAK);
      // Bytes above ASCII in a header (Thai text sent as Latin-1) are not taken as a request ID.
      const answer = await new Promise<{ status: number; requestId: string | undefined }>((resolve, reject) => {
        const request = http.request(
          t.graphqlUrl,
          { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${keys.analyst}`, 'x-request-id': Buffer.from('ทดสอบ', 'utf8').toString('latin1') } },
          (response) => {
            response.resume();
            response.on('end', () => resolve({ status: response.statusCode!, requestId: response.headers['x-request-id'] as string | undefined }));
          },
        );
        request.on('error', reject);
        request.end(JSON.stringify({ query: NORMAL }));
      });
      expect(answer.status).toBe(200);
      expect(answer.requestId).toMatch(/^[0-9a-f-]{36}$/);
      await stillServes();
    });
  });

  describe('deadlines (failure 5)', () => {
    async function holdingLock<T>(table: string, fn: () => Promise<T>): Promise<T> {
      const locker = new Client({ connectionString: t.database.url });
      await locker.connect();
      try {
        await locker.query('BEGIN');
        await locker.query(`LOCK TABLE ${table} IN ACCESS EXCLUSIVE MODE`);
        return await fn();
      } finally {
        await locker.query('ROLLBACK').catch(() => undefined);
        await locker.end();
      }
    }
    const waitingHubStatements = () =>
      t.sql<{ n: number }>(
        `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND application_name LIKE 'i-industry-hub-all%' AND state = 'active' AND wait_event_type = 'Lock'`,
      );

    test('a statement over the role\'s statement timeout answers QUERY_TIMEOUT and frees its connection', async () => {
      await holdingLock('registry.tis_standard', async () => {
        const started = Date.now();
        const { json, text } = await gql('{ tisStandards(first: 1) { totalCount } }');
        expect(codeOf(json)).toBe('QUERY_TIMEOUT');
        expect(text).not.toMatch(LEAK);
        expect(Date.now() - started).toBeLessThan(5_000);
        // The cancelled statement no longer waits: its connection is back in the pool.
        expect((await waitingHubStatements())[0]!.n).toBe(0);
        // Other tables still answer while the lock is held.
        await stillServes();
      });
    });

    test('a request over the role\'s overall deadline answers QUERY_TIMEOUT', async () => {
      await holdingLock('registry.tis_standard', async () => {
        const started = Date.now();
        const { json } = await gql('{ tisStandards(first: 1) { totalCount } }', {}, keys.ministry);
        expect(codeOf(json)).toBe('QUERY_TIMEOUT');
        expect(Date.now() - started).toBeLessThan(5_000);
        expect((await waitingHubStatements())[0]!.n).toBe(0);
      });
      await stillServes(keys.ministry);
    });

    test('a client that closes its connection mid-request leaves no statement running and frees its slot', async () => {
      // A bank may have 2 requests at once. Closing the socket used to free the slot while the
      // request's statements ran on: 14 such requests held every pooled connection.
      await holdingLock('registry.tis_standard', async () => {
        const body = JSON.stringify({ query: '{ tisStandards(first: 1) { totalCount } }' });
        for (let i = 0; i < 6; i++) {
          await new Promise<void>((resolve) => {
            const url = new URL(t.graphqlUrl);
            const socket = net.connect(Number(url.port), url.hostname, () => {
              socket.write(
                `POST ${url.pathname} HTTP/1.1\r\nHost: ${url.host}\r\nContent-Type: application/json\r\nAuthorization: Bearer ${keys.exim}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
              );
              setTimeout(() => {
                socket.destroy();
                resolve();
              }, 300);
            });
            socket.on('error', () => resolve());
          });
        }
        // Within a moment of each close, its statement was cancelled: nothing of the hub waits on the lock.
        let waiting = -1;
        for (let i = 0; i < 20 && waiting !== 0; i++) {
          await new Promise((resolve) => setTimeout(resolve, 100));
          waiting = (await waitingHubStatements())[0]!.n;
        }
        expect(waiting).toBe(0);
      });
      // And the bank's two slots are free again.
      const answers = await Promise.all([0, 1].map(() => gql(NORMAL, {}, keys.exim)));
      for (const answer of answers) expect(answer.json.errors).toBeUndefined();
    });
  });

  describe('introspection', () => {
    test('is closed to bank clients and open to analysts', async () => {
      const bank = await gql('{ __schema { types { name } } }', {}, keys.smed);
      expect(codeOf(bank.json)).toBe('FORBIDDEN');
      const typeQuery = await gql('{ __type(name: "Company") { fields { name } } }', {}, keys.smed);
      expect(codeOf(typeQuery.json)).toBe('FORBIDDEN');
      const analyst = await gql('{ __schema { queryType { name } } }');
      expect(analyst.json.errors).toBeUndefined();
      // __typename is not introspection of the schema.
      expect((await gql('{ __typename }', {}, keys.smed)).json.errors).toBeUndefined();
    });
  });

  describe('personal data (failures 8 to 10)', () => {
    test('quarantined raw rows show their shape with personal fields masked, for admins too', async () => {
      const stored = await t.sql<{ raw: unknown }>(`SELECT raw FROM ingestion.quarantined_row WHERE source = 'dbd-companies'`);
      expect(stored.length).toBeGreaterThan(0);
      const names: string[] = [];
      const collect = (value: unknown, key = ''): void => {
        if (Array.isArray(value)) value.forEach((v) => collect(v, key));
        else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) collect(v, k);
        else if (typeof value === 'string' && /name|personal|id_?card|citizen/i.test(key) && value.length > 3) names.push(value);
      };
      for (const row of stored) {
        collect((row.raw as Record<string, unknown>)['directors']);
        // Shareholders that are juristic persons are business data, shown as they are.
        const holders = (row.raw as Record<string, unknown>)['shareholders'];
        collect(Array.isArray(holders) ? holders.filter((h: Record<string, unknown>) => !h['juristicId']) : holders);
      }
      expect(names.length).toBeGreaterThan(0);
      const { json, text } = await gql('{ quarantinedRows(source: "dbd-companies", first: 100) { edges { node { raw reason } } } }', {}, keys.admin);
      expect(json.errors).toBeUndefined();
      for (const name of names) expect(text).not.toContain(JSON.stringify(name).slice(1, -1));
      expect(text).toContain('***');
      // The operator's CLI shows the same rows as masked as the API does.
      const { stdout } = await promisify(execFile)(process.execPath, [CLI, 'quarantine', '--source', 'dbd-companies', '--limit', '1000'], {
        env: { ...process.env, DATABASE_URL: t.database.url, LOG_LEVEL: 'warn' },
      });
      expect(stdout).toContain('***');
      for (const name of names) expect(stdout).not.toContain(JSON.stringify(name).slice(1, -1));
    });

    test('a factory operated by an individual shows no name or personal ID, by any path', async () => {
      // The simulator's operators are firms: make a few individuals, with a personal ID as their tax ID.
      const individuals = await t.sql<{ fid: string; operator_name: string }>(
        `WITH changed AS (UPDATE registry.factory SET operator_tax_id = '3100600125412', operator_name = 'นาย สมชาย ใจดีมาก'
          WHERE fid IN (SELECT fid FROM registry.factory WHERE operator_name IS NOT NULL ORDER BY fid LIMIT 3)
          RETURNING fid, operator_name) SELECT * FROM changed`,
      );
      expect(individuals.length).toBe(3);
      for (const key of [keys.admin, keys.analyst, keys.smed]) {
        const fid = individuals[0]!.fid;
        const one = await gql('query ($fid: String!) { factory(fid: $fid) { id operatorName operatorTaxId operatorMasked } }', { fid }, key);
        expect(one.json.errors).toBeUndefined();
        expect(one.json.data).toEqual({ factory: { id: expect.any(String), operatorName: '***', operatorTaxId: '***', operatorMasked: true } });
        const id = (one.json.data as { factory: { id: string } }).factory.id;
        const viaNode = await gql('query ($id: ID!) { node(id: $id) { ... on Factory { operatorName operatorTaxId } } }', { id }, key);
        const list = await gql('{ factories(first: 100, orderBy: { field: FID }) { edges { node { fid operatorName operatorTaxId } } } }', {}, key);
        // Searching by the hidden name must not answer what the mask hides.
        const search = await gql('{ factories(first: 5, filter: { nameContains: "สมชาย ใจดีมาก" }) { totalCount } }', {}, key);
        expect(search.json.data).toEqual({ factories: { totalCount: 0 } });
        for (const answer of [viaNode, list]) {
          expect(answer.json.errors).toBeUndefined();
          expect(answer.text).not.toContain('3100600125412');
          expect(answer.text).not.toContain('สมชาย');
        }
      }
      // A firm's operator is still shown.
      const firm = await gql('{ factories(first: 5, filter: { linked: true }) { edges { node { operatorName operatorMasked } } } }');
      const nodes = (firm.json.data as { factories: { edges: { node: { operatorName: string | null; operatorMasked: boolean } }[] } }).factories.edges.map((e) => e.node);
      expect(nodes.some((n) => !n.operatorMasked && n.operatorName !== null && n.operatorName !== '***')).toBe(true);
    });

    test('a masked TISI licensee is not re-identified through its factory', async () => {
      // The simulator's licensees are firms: make a few individuals (a personal ID, no company link)
      // on plants DIW lists with an operator linked to a company.
      await t.sql(
        `UPDATE registry.tis_licence l SET licensee_tax_id = '1101700203451', company_juristic_id = NULL, link_method = NULL, link_confidence = NULL
         WHERE l.licence_no IN (SELECT l2.licence_no FROM registry.tis_licence l2 JOIN registry.factory f ON f.fid = l2.fid
                                WHERE f.company_juristic_id IS NOT NULL AND f.operator_name IS NOT NULL ORDER BY l2.licence_no LIMIT 3)`,
      );
      const candidates = await t.sql<{ licence_no: string }>(`SELECT licence_no FROM registry.tis_licence WHERE licensee_tax_id = '1101700203451'`);
      expect(candidates.length).toBeGreaterThan(0);
      let seen = 0;
      for (const { licence_no: licenceNo } of candidates) {
        const { json, text } = await gql(
          `query ($no: String!) { tisLicense(licenceNo: $no) { licenseeMasked fid factory { fid operatorName operatorTaxId company { juristicId } } } }`,
          { no: licenceNo },
          keys.analyst,
        );
        expect(json.errors).toBeUndefined();
        const licence = (json.data as { tisLicense: { licenseeMasked: boolean; fid: string | null; factory: unknown } }).tisLicense;
        expect(licence.licenseeMasked).toBe(true);
        seen += 1;
        // No handle on the plant at all: its FID or global ID would lead to its operator and company
        // through factory(fid) or node(id).
        expect(licence.fid).toBeNull();
        expect(licence.factory).toBeNull();
        const [stored] = await t.sql<{ fid: string; operator_name: string | null; operator_tax_id: string | null }>(
          `SELECT f.fid, f.operator_name, f.operator_tax_id FROM registry.factory f JOIN registry.tis_licence l ON l.fid = f.fid WHERE l.licence_no = $1`,
          [licenceNo],
        );
        expect(stored).toBeDefined();
        expect(text).not.toContain(stored!.fid);
        if (stored?.operator_name) expect(text).not.toContain(stored.operator_name);
        if (stored?.operator_tax_id) expect(text).not.toContain(stored.operator_tax_id);
      }
      expect(seen).toBeGreaterThan(0);

      // Nor from the other side: a masked licence is listed under no plant and no company, and no
      // filter answers which firm it resembles. Link one by fuzzy name, as the linker may.
      const licenceNo = candidates[0]!.licence_no;
      const [target] = await t.sql<{ juristic_id: string; tis_no: string; fid: string }>(
        `SELECT c.juristic_id, l.tis_no, l.fid FROM registry.tis_licence l, registry.company c
          WHERE l.licence_no = $1 AND NOT EXISTS (SELECT 1 FROM registry.tis_licence o WHERE o.company_juristic_id = c.juristic_id AND o.tis_no = l.tis_no)
          ORDER BY c.juristic_id LIMIT 1`,
        [licenceNo],
      );
      await t.sql(
        `UPDATE registry.tis_licence SET company_juristic_id = $2, link_method = 'FUZZY_NAME', link_confidence = 0.91, status = 'VALID', absent_since_run_id = NULL WHERE licence_no = $1`,
        [licenceNo, target!.juristic_id],
      );
      for (const key of [keys.analyst, keys.smed, keys.admin]) {
        const viaCompany = await gql(
          'query ($id: JuristicId!) { company(juristicId: $id) { certifications(first: 100) { totalCount edges { node { licenceNo } } } } }',
          { id: target!.juristic_id },
          key,
        );
        expect(viaCompany.json.errors).toBeUndefined();
        expect(viaCompany.text).not.toContain(licenceNo);
        expect(viaCompany.json.data).toMatchObject({ company: { certifications: { totalCount: 0 } } });
        const viaPlant = await gql('query ($fid: String!) { factory(fid: $fid) { licences(first: 100) { edges { node { licenceNo } } } } }', { fid: target!.fid }, key);
        expect(viaPlant.json.errors).toBeUndefined();
        expect(viaPlant.text).not.toContain(licenceNo);
        const viaFilter = await gql('query ($tis: TisNo!) { companies(first: 100, filter: { holdsLicenceFor: $tis }) { edges { node { juristicId } } } }', { tis: target!.tis_no }, key);
        expect(viaFilter.json.errors).toBeUndefined();
        expect(viaFilter.text).not.toContain(target!.juristic_id);
      }
    });

    test('a bank\'s feed positions are its own sequence, dense from 1', async () => {
      for (const key of [keys.smed, keys.exim]) {
        const { json } = await gql('{ eligibilityFeed(first: 100) { edges { node { position } } } }', {}, key);
        expect(json.errors).toBeUndefined();
        const positions = (json.data as { eligibilityFeed: { edges: { node: { position: string } }[] } }).eligibilityFeed.edges.map((e) => Number(e.node.position));
        expect(positions.length).toBeGreaterThan(0);
        expect(positions).toEqual(positions.map((_, i) => i + 1));
      }
    });
  });

  describe('logs', () => {
    test('a failing field on many parents is logged once, with its SQL and operation name cut short', async () => {
      const before = logged.length;
      await t.sql('ALTER TABLE registry.company RENAME TO company_hidden');
      try {
        // Factory.company is nullable: each of the page's linked factories gets its own error. The
        // operation's 200 KB name must not reach the log whole either.
        const name = `Op${'x'.repeat(200_000)}`;
        const { json } = await post(
          JSON.stringify({ query: `query ${name} { factories(first: 100, filter: { linked: true }) { edges { node { fid company { nameTh } } } } }`, operationName: name }),
          keys.admin,
        );
        expect(codeOf(json)).toBe('INTERNAL_SERVER_ERROR');
        expect(json.errors!.length).toBeGreaterThan(10);
      } finally {
        await t.sql('ALTER TABLE registry.company_hidden RENAME TO company');
      }
      const errors = logged.slice(before).filter((line) => line['level'] === 'error');
      expect(errors.length).toBe(1);
      expect(errors[0]!['occurrences']).toBeGreaterThan(1);
      expect(JSON.stringify(errors[0]).length).toBeLessThan(20_000);
      await stillServes();
    });
  });
});
