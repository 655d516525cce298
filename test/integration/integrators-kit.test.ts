import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { EXPORTS, followFeed, syncRegistry, type RecordType, type RegistryCopy } from '../../docs/examples/registry-sync';
import { MAX_PAGE_SIZE } from '../../src/platform/graphql/connection';
import { EXPORT_BATCH, EXPORT_MAX_LIMIT, EXPORT_STALL_MS, FEED_DEFAULT_LIMIT, FEED_MAX_LIMIT } from '../../src/domains/registry-changes/registry-ndjson.http';
import { startLoadedHub } from '../support/loaded-hub';
import type { TestHub } from '../support/test-hub';

const DOCS = join(__dirname, '../../docs');

/**
 * docs/integrators.md, run: its sync loop keeps a copy equal to the hub's exports across changes,
 * every NDJSON line of every stream validates against the shipped JSON Schemas, its curl example
 * works, and its tables of limits and errors are the code's.
 */
describe('the integrators’ kit (docs/integrators.md)', () => {
  let t: TestHub;
  let keys: { admin: string; ministry: string; analyst: string; smed: string; exim: string };
  const TYPES: RecordType[] = ['COMPANY', 'FACTORY', 'TIS_LICENSE', 'DIP_PARTICIPATION', 'I40_ASSESSMENT', 'LOAN_PRODUCT'];

  beforeAll(async () => {
    t = await startLoadedHub({ scale: 150 });
    keys = await t.createApiKeys();
  });
  afterAll(async () => {
    t?.feed.set('');
    await t?.stop();
  });

  async function ndjsonLines(path: string, key: string): Promise<Record<string, unknown>[]> {
    const response = await fetch(`${t.baseUrl}${path}`, { headers: { authorization: `Bearer ${key}` } });
    expect(response.status).toBe(200);
    return (await response.text()).split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
  }

  /** What the exports say now, by type and key: the copy must equal it. */
  async function exported(key: string): Promise<Record<string, Record<string, unknown>>> {
    const out: Record<string, Record<string, unknown>> = {};
    for (const type of TYPES) {
      const lines = (await ndjsonLines(`/exports/${EXPORTS[type].name}.ndjson`, key)).slice(0, -1);
      out[type] = Object.fromEntries(lines.map((r) => [EXPORTS[type].key(r), r]));
    }
    return out;
  }
  const asObject = (copy: RegistryCopy): Record<string, Record<string, unknown>> =>
    Object.fromEntries(TYPES.map((type) => [type, Object.fromEntries(copy.records.get(type) ?? new Map())]));

  test('the sync loop keeps a copy equal to the exports, through changes and absences', async () => {
    const hub = { baseUrl: t.baseUrl, apiKey: keys.smed };
    const copy: RegistryCopy = { records: new Map(), cursor: null };
    await syncRegistry(hub, copy, TYPES);
    expect(asObject(copy)).toEqual(await exported(keys.smed));
    // A bank's copy holds its own products only.
    expect([...copy.records.get('LOAN_PRODUCT')!.keys()].every((k) => k.startsWith('SMED:'))).toBe(true);
    // Companies change, factories disappear from DIW's snapshot.
    t.feed.set('epoch=1&scale=120');
    for (const source of ['dbd-companies', 'diw', 'tisi-licences']) expect((await t.ingestNow(source)).status).toBe('succeeded');
    expect(await followFeed(hub, copy, TYPES)).toBeGreaterThan(0);
    const afterChanges = await exported(keys.smed);
    expect(Object.values(afterChanges['FACTORY']!).some((f) => (f as { absent: boolean }).absent)).toBe(true);
    expect(asObject(copy)).toEqual(afterChanges);
    // Nothing new: nothing applied.
    expect(await followFeed(hub, copy, TYPES)).toBe(0);
  });

  test('every line of every stream validates against its shipped JSON Schema', async () => {
    const ajv = new Ajv2020({ allErrors: true, strict: false });
    addFormats(ajv);
    const files = (await readdir(join(DOCS, 'schemas'))).filter((f) => f.endsWith('.schema.json'));
    for (const file of files) ajv.addSchema(JSON.parse(await readFile(join(DOCS, 'schemas', file), 'utf8')) as object);
    const validator = (file: string) => ajv.getSchema(`https://github.com/i-industry-hub/schemas/${file}`)!;
    const streams: [string, string, string][] = [
      ['registry-feed-line.schema.json', '/feeds/registry?limit=1000000', keys.admin],
      ['registry-feed-line.schema.json', '/feeds/registry?limit=1000000', keys.smed],
      ['eligibility-feed-line.schema.json', '/feeds/eligibility?limit=1000000&trailer=1', keys.smed],
      ...TYPES.flatMap((type): [string, string, string][] => [
        [`export-${EXPORTS[type].name}-line.schema.json`, `/exports/${EXPORTS[type].name}.ndjson`, keys.admin],
        [`export-${EXPORTS[type].name}-line.schema.json`, `/exports/${EXPORTS[type].name}.ndjson?limit=3`, keys.exim],
      ]),
    ];
    const kinds = new Set<string>();
    for (const [schema, path, key] of streams) {
      const validate = validator(schema);
      expect(validate).toBeDefined();
      const lines = await ndjsonLines(path, key);
      expect(lines.length).toBeGreaterThan(1);
      for (const line of lines) {
        if (typeof line['kind'] === 'string') kinds.add(line['kind']);
        if (!validate(line)) throw new Error(`${path}: ${JSON.stringify(line).slice(0, 300)}: ${ajv.errorsText(validate.errors)}`);
      }
    }
    // The schemas were met by the kinds a sync sees (created, changed, absent, back, linked).
    for (const kind of ['CREATED', 'CHANGED', 'MARKED_ABSENT', 'LINKED', 'BECAME_ELIGIBLE']) expect(kinds).toContain(kind);
    // A line that breaks a schema is caught: a record with a field the schema does not know.
    const companies = await ndjsonLines('/exports/companies.ndjson?limit=1', keys.admin);
    expect(validator('export-companies-line.schema.json')({ ...companies[0], salary: 1 })).toBe(false);
    // An error line validates too.
    const error = { code: 'INTERNAL_SERVER_ERROR', message: 'x', requestId: 'r' };
    expect(validator('registry-feed-line.schema.json')({ errors: [{ message: 'x', extensions: { code: error.code, requestId: 'r' } }], error })).toBe(true);
    // The first format alone (`error` without `errors`) is no longer what the hub sends.
    expect(validator('registry-feed-line.schema.json')({ error })).toBe(false);
  });

  test('the curl example runs as written', async () => {
    const doc = await readFile(join(DOCS, 'integrators.md'), 'utf8');
    const script = /```shell\n([\s\S]*?)```/.exec(doc)![1]!;
    const dir = await mkdtemp(join(tmpdir(), 'integrators-'));
    try {
      const [{ max }] = (await t.sql<{ max: string }>(`SELECT max(position)::text AS max FROM registry.record_change`)) as [{ max: string }];
      const cursor = Buffer.from(`registryChange:${Number(max) - 5}`).toString('base64url');
      const { stdout } = await promisify(execFile)('sh', ['-e', '-c', script], { cwd: dir, env: { ...process.env, HUB: t.baseUrl, HUB_KEY: keys.ministry, CURSOR: cursor } });
      const out = stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
      expect(out[0]!['end']).toMatchObject({ complete: true });
      expect(out.at(-1)!['end']).toMatchObject({ hasMore: false });
      expect(await readFile(join(dir, 'headers.txt'), 'utf8')).toMatch(/x-registry-feed-cursor: /i);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('the page’s tables are the code’s: every limit, every error code, every schema', async () => {
    const doc = await readFile(join(DOCS, 'integrators.md'), 'utf8');
    expect(doc).toContain(`1 to ${MAX_PAGE_SIZE} (default 20)`);
    expect(doc).toContain(`1 to ${FEED_MAX_LIMIT} changes sent (default ${FEED_DEFAULT_LIMIT})`);
    expect(doc).toContain(`1 to ${EXPORT_MAX_LIMIT} records`);
    expect(doc).toContain(`exports ${EXPORT_BATCH.toLocaleString('en-US')}`);
    expect(doc).toContain(`${EXPORT_STALL_MS / 1000} s without reading`);
    for (const code of ['UNAUTHENTICATED', 'FORBIDDEN', 'BAD_USER_INPUT', 'NOT_FOUND', 'RATE_LIMITED', 'QUERY_TIMEOUT', 'INTERNAL_SERVER_ERROR']) expect(doc).toContain(`| \`${code}\` |`);
    for (const file of await readdir(join(DOCS, 'schemas'))) expect(doc).toContain(`(schemas/${file})`);
  });
});
