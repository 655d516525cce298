// @node-runtime: HTTP bodies, sockets and streams (runs on every Node.js line .ci/run tests; docs/development.md#test-tiers)
import http from 'node:http';
import net from 'node:net';
import { gzipSync } from 'node:zlib';
import { startTestHub, type TestHub } from '../support/test-hub';

/**
 * The GraphQL endpoint's two HTTP paths (docs/performance.md#the-http-path): a POST of plain JSON to
 * /graphql is served without Express, every other request through it. What a client reads must not
 * depend on which path served it: the same answer, the same errors with the same codes, the same
 * headers; and what the hub's own body reader does (the size cap, JSON's first character, a client
 * leaving mid-body) is held here.
 */
jest.setTimeout(120_000);

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  json: { data?: unknown; errors?: { message: string; extensions?: { code?: string } }[] };
}

const TYPENAME = JSON.stringify({ query: '{ __typename }' });

describe('GraphQL over HTTP: the plain-JSON path and Express\'s answer alike', () => {
  let t: TestHub;
  let key: string;

  beforeAll(async () => {
    // One request executing at once: a request that kept its turn after its client left would stall the next.
    t = await startTestHub({ env: { API_CONCURRENCY: '1', HTTP_REQUEST_TIMEOUT_MS: '1000' } });
    key = await t.createApiKey('analyst');
  }, 300_000);
  afterAll(async () => {
    await t?.stop();
  });

  /** Sends a request with node:http (exact headers, chunked when there is no Content-Length). */
  function send(options: { path?: string; headers?: Record<string, string>; body?: Buffer | string | (Buffer | string)[]; method?: string }): Promise<Answer> {
    const url = new URL(t.graphqlUrl);
    return new Promise((resolve, reject) => {
      const request = http.request(
        { host: url.hostname, port: url.port, path: options.path ?? '/graphql', method: options.method ?? 'POST', headers: { authorization: `Bearer ${key}`, ...options.headers } },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            let json: Answer['json'] = {};
            try {
              json = JSON.parse(text) as Answer['json'];
            } catch {
              // asserted by the callers
            }
            resolve({ status: response.statusCode!, headers: response.headers, text, json });
          });
        },
      );
      request.on('error', reject);
      const parts = options.body === undefined ? [] : Array.isArray(options.body) ? options.body : [options.body];
      for (const part of parts) request.write(part);
      request.end();
    });
  }
  const codeOf = (answer: Answer): string | undefined => answer.json.errors?.[0]?.extensions?.code;

  test('a query answers the same whichever path serves it', async () => {
    const json = { 'content-type': 'application/json' };
    const answers = [
      // Without Express: plain JSON, with or without its charset.
      await send({ headers: json, body: TYPENAME }),
      await send({ headers: { 'content-type': 'application/json; charset=utf-8' }, body: TYPENAME }),
      await send({ path: '/graphql?ignored=1', headers: { 'content-type': 'Application/JSON;charset="UTF-8"' }, body: TYPENAME }),
      // Through Express: a compressed body, the path with a trailing slash, a GET.
      await send({ headers: { ...json, 'content-encoding': 'gzip' }, body: gzipSync(TYPENAME) }),
      await send({ path: '/graphql/', headers: json, body: TYPENAME }),
      await send({ method: 'GET', path: `/graphql?query=${encodeURIComponent('{ __typename }')}`, headers: { 'apollo-require-preflight': 'true' } }),
    ];
    for (const answer of answers) {
      expect(answer.status).toBe(200);
      expect(answer.json).toEqual({ data: { __typename: 'Query' } });
      expect(answer.headers['content-type']).toMatch(/^application\/json/);
      expect(Number(answer.headers['content-length'])).toBe(Buffer.byteLength(answer.text));
      expect(answer.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
      expect(answer.headers['x-powered-by']).toBeUndefined();
    }
  });

  test('the caller\'s request ID comes back when it is a plain token, and a new one otherwise', async () => {
    const given = await send({ headers: { 'content-type': 'application/json', 'x-request-id': 'sync-job.42' }, body: TYPENAME });
    expect(given.headers['x-request-id']).toBe('sync-job.42');
    const refused = await send({ headers: { 'content-type': 'application/json', 'x-request-id': 'a b/c' }, body: TYPENAME });
    expect(refused.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  test('a body over 1 MB sent in chunks, without Content-Length, answers 413 PAYLOAD_TOO_LARGE and the hub goes on', async () => {
    const chunk = 'x'.repeat(64 * 1024);
    const answer = await send({ headers: { 'content-type': 'application/json' }, body: ['{"query":"{ __typename }","pad":"', ...Array.from({ length: 20 }, () => chunk), '"}'] });
    expect(answer.status).toBe(413);
    expect(codeOf(answer)).toBe('PAYLOAD_TOO_LARGE');
    // Just under the limit is read and served.
    const under = JSON.stringify({ query: '{ __typename }', pad: 'x'.repeat(1024 * 1024 - 100) });
    expect(Buffer.byteLength(under)).toBeLessThanOrEqual(1024 * 1024);
    const served = await send({ headers: { 'content-type': 'application/json' }, body: [under.slice(0, 500_000), under.slice(500_000)] });
    expect(served.status).toBe(200);
    expect(served.json).toEqual({ data: { __typename: 'Query' } });
  });

  test('JSON that is not one object answers 400 BAD_REQUEST, as body-parser\'s strict mode did', async () => {
    for (const body of ['"{ __typename }"', '42', 'true', 'null', ' [] ', '{"query": "{ __typename }"', '{"query": "{ __typename }"} trailing']) {
      const answer = await send({ headers: { 'content-type': 'application/json' }, body });
      expect({ body, status: answer.status, code: codeOf(answer) }).toEqual({ body, status: 400, code: 'BAD_REQUEST' });
      expect(answer.headers['content-type']).toMatch(/^application\/json/);
    }
  });

  test('an empty body is an operation without a query (400), and a byte-order mark before the JSON is read past', async () => {
    const empty = await send({ headers: { 'content-type': 'application/json' }, body: '' });
    expect(empty.status).toBe(400);
    expect(codeOf(empty)).toBe('BAD_REQUEST');
    const marked = await send({ headers: { 'content-type': 'application/json' }, body: `\uFEFF${TYPENAME}` });
    expect(marked.status).toBe(200);
    expect(marked.json).toEqual({ data: { __typename: 'Query' } });
  });

  test('a client that leaves mid-body gives its turn back (API_CONCURRENCY=1): the next request is served at once', async () => {
    const url = new URL(t.graphqlUrl);
    for (let i = 0; i < 3; i += 1) {
      await new Promise<void>((resolve, reject) => {
        const socket = net.connect(Number(url.port), url.hostname, () => {
          socket.write(`POST /graphql HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${key}\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"query":`);
          setTimeout(() => {
            socket.destroy();
            resolve();
          }, 100);
        });
        socket.on('error', reject);
      });
    }
    const started = Date.now();
    const next = await send({ headers: { 'content-type': 'application/json' }, body: TYPENAME });
    expect(next.status).toBe(200);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  test('a client that trickles its body loses its turn at HTTP_REQUEST_TIMEOUT_MS (408, JSON): another client is served meanwhile', async () => {
    const url = new URL(t.graphqlUrl);
    const other = await t.createApiKey('ministry');
    // A valid key's request takes the only turn, then sends its body a byte at a time, forever.
    const slow = new Promise<string>((resolve, reject) => {
      let answer = '';
      const socket = net.connect(Number(url.port), url.hostname, () => {
        socket.write(`POST /graphql HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${key}\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{`);
        const trickle = setInterval(() => socket.writable && socket.write(' '), 100);
        socket.on('close', () => {
          clearInterval(trickle);
          resolve(answer);
        });
      });
      socket.on('data', (chunk: Buffer) => (answer += chunk.toString('utf8')));
      socket.on('error', reject);
    });
    await new Promise((resolve) => setTimeout(resolve, 200));
    const started = Date.now();
    const served = await fetch(t.graphqlUrl, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${other}` }, body: TYPENAME });
    expect(served.status).toBe(200);
    // Within the timeout and the server's check interval, not Node's default of five minutes.
    expect(Date.now() - started).toBeLessThan(5000);
    const answer = await slow;
    expect(answer).toMatch(/^HTTP\/1\.1 408 /);
    expect(JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4))).toMatchObject({ errors: [{ extensions: { code: 'REQUEST_TIMEOUT' } }] });
  });

  test('without a key, 401 before the body is read, on the plain-JSON path too', async () => {
    const answer = await send({ headers: { 'content-type': 'application/json', authorization: '' }, body: '{"query": "{ __typename }"' });
    expect(answer.status).toBe(401);
    expect(codeOf(answer)).toBe('UNAUTHENTICATED');
  });
});
