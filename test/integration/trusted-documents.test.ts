import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { startTestHub, type TestHub } from '../support/test-hub';

/**
 * Trusted documents (issue 14): an operator registers operations from .graphql files with the CLI;
 * a client created with --trusted-documents-only may run only those (by hash, or by their exact
 * text), anything else answers PERSISTED_QUERY_NOT_FOUND; other clients keep Apollo's automatic
 * persisted queries.
 */
jest.setTimeout(120_000);

const ROOT = path.resolve(__dirname, '..', '..');
const CLI = path.join(ROOT, 'dist', 'src', 'cli.js');
const SCREENING = path.join(ROOT, 'docs', 'queries', 'bank-screening.graphql');

describe('trusted documents', () => {
  let t: TestHub;
  const run = (args: string[]) => promisify(execFile)(process.execPath, [CLI, ...args], { env: { ...process.env, DATABASE_URL: t.database.url, LOG_LEVEL: 'warn' } });
  const post = async (key: string, body: Record<string, unknown>) => {
    const response = await fetch(t.graphqlUrl, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` }, body: JSON.stringify(body) });
    return { status: response.status, body: (await response.json()) as { data?: Record<string, unknown>; errors?: { message: string; extensions?: { code?: string } }[] } };
  };

  beforeAll(async () => {
    t = await startTestHub({ scale: 100 });
  });
  afterAll(async () => {
    await t?.stop();
  });

  test('a trusted-documents-only client runs registered operations and nothing else', async () => {
    const text = await fs.readFile(SCREENING, 'utf8');
    const hash = createHash('sha256').update(text).digest('hex');
    const variables = JSON.parse(await fs.readFile(SCREENING.replace('.graphql', '.variables.json'), 'utf8')) as Record<string, unknown>;

    const added = await run(['documents:add', SCREENING]);
    expect(added.stdout).toContain(`added  sha256:${hash}  BankScreening`);
    expect((await run(['documents:add', SCREENING])).stdout).toContain('already registered');
    expect((await run(['documents:list'])).stdout).toContain(`sha256:${hash}  BankScreening  bank-screening.graphql`);
    const invalid = path.join(ROOT, 'dist', 'not-a-query.graphql');
    await fs.writeFile(invalid, '{ noSuchField }');
    try {
      await expect(run(['documents:add', invalid])).rejects.toMatchObject({ code: 2, stderr: expect.stringContaining('does not validate') });
    } finally {
      await fs.rm(invalid, { force: true });
    }

    const created = await run(['client:create', '--name', 'trusted-bank', '--role', 'bank', '--bank', 'SMED', '--trusted-documents-only']);
    expect(created.stdout).toContain('trusted documents only');
    const key = created.stdout.trim().split('\n').at(-1)!;

    // By documentId, by Apollo's persisted-query hash, and by the registered text itself.
    for (const body of [{ documentId: `sha256:${hash}`, variables }, { extensions: { persistedQuery: { version: 1, sha256Hash: hash } }, variables }, { query: text, variables }]) {
      const answer = await post(key, body);
      expect(answer.body.errors).toBeUndefined();
      expect(answer.body.data).toHaveProperty('companies');
    }
    // Anything else: refused before it is parsed.
    for (const body of [{ query: '{ companies(first: 1) { totalCount } }' }, { query: `${text} ` , variables }, { documentId: `sha256:${'a'.repeat(64)}` }, { extensions: { persistedQuery: { version: 1, sha256Hash: 'b'.repeat(64) } } }]) {
      const answer = await post(key, body);
      expect(answer.status).toBe(400);
      expect(answer.body.errors![0]!.extensions!.code).toBe('PERSISTED_QUERY_NOT_FOUND');
    }

    // A registered document named beside an unregistered text does not let the text through.
    const sneaky = { query: '{ companies(first: 1) { totalCount } }', documentId: `sha256:${hash}`, variables };
    expect((await post(key, sneaky)).body.errors![0]!.extensions!.code).toBe('PERSISTED_QUERY_NOT_FOUND');
    const viaGet = (params: Record<string, string>) =>
      fetch(`${t.graphqlUrl}?${new URLSearchParams(params).toString()}`, { headers: { authorization: `Bearer ${key}` } }).then(async (r) => ({
        status: r.status,
        body: (await r.json()) as { data?: unknown; errors?: { extensions?: { code?: string } }[] },
      }));
    const sneakyGet = await viaGet({ query: '{ companies(first: 1) { totalCount } }', documentId: `sha256:${hash}` });
    expect(sneakyGet.status).toBe(400);
    expect(sneakyGet.body.errors![0]!.extensions!.code).toBe('PERSISTED_QUERY_NOT_FOUND');
    const registeredGet = await viaGet({ query: text, variables: JSON.stringify(variables) });
    expect(registeredGet.body.errors).toBeUndefined();

    // Other clients run anything, registered documents by hash too, and Apollo's APQ as usual.
    const other = await t.createApiKey('analyst');
    expect((await post(other, { documentId: `sha256:${hash}`, variables })).body.data).toHaveProperty('companies');
    const adhoc = '{ factories(first: 1) { totalCount } }';
    const adhocHash = createHash('sha256').update(adhoc).digest('hex');
    const persisted = { extensions: { persistedQuery: { version: 1, sha256Hash: adhocHash } } };
    expect((await post(other, persisted)).body.errors![0]!.extensions!.code).toBe('PERSISTED_QUERY_NOT_FOUND');
    expect((await post(other, { query: adhoc, ...persisted })).body.errors).toBeUndefined();
    expect((await post(other, persisted)).body.data).toEqual({ factories: { totalCount: 0 } });

    // Lifting the restriction takes effect in the running hub.
    await run(['client:update', 'trusted-bank', '--trusted-documents-only', 'false']);
    let status = 400;
    for (let i = 0; i < 50 && status !== 200; i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      status = (await post(key, { query: '{ companies(first: 1) { totalCount } }' })).status;
    }
    expect(status).toBe(200);
  });
});
