import type { AddressInfo } from 'node:net';
import express from 'express';
import { exportsRouter } from '../../src/domains/registry-changes/registry-ndjson.http';
import { REGISTRY_RECORDS } from '../../src/domains/registry-changes/registry-records';
import { createRootLogger } from '../../src/platform/logging/logger';
import { startLoadedHub } from '../support/loaded-hub';
import type { TestHub } from '../support/test-hub';

/**
 * The registry change feed (GraphQL `registryChanges`, `GET /feeds/registry`) and the bulk exports
 * (`GET /exports/<name>.ndjson`): hostile callers first, then what a ministry app or a bank syncing
 * a copy relies on: every change once, in commit order, while runs commit concurrently; an export
 * equal to the graph's data, continued by the feed from its cursor.
 */
describe('Registry change feed and exports', () => {
  let t: TestHub;
  let keys: { admin: string; ministry: string; analyst: string; smed: string; exim: string };

  beforeAll(async () => {
    t = await startLoadedHub({ scale: 200, env: { ELIGIBILITY_FEED_BATCH_SIZE: '50' } });
    keys = await t.createApiKeys();
  });
  afterAll(async () => {
    t?.feed.set('');
    await t?.stop();
  });

  type Line = Record<string, unknown> & { cursor?: string; position?: string; type?: string; key?: string; kind?: string; changedFields?: string[]; record?: Record<string, unknown>; end?: Record<string, unknown>; error?: Record<string, unknown> };
  async function ndjson(path: string, key: string | null): Promise<{ status: number; lines: Line[]; body: string; headers: Headers }> {
    const response = await fetch(`${t.baseUrl}${path}`, { headers: key ? { authorization: `Bearer ${key}` } : {} });
    const body = await response.text();
    const lines = response.headers.get('content-type')?.includes('ndjson') ? body.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Line) : [];
    return { status: response.status, lines, body, headers: response.headers };
  }
  /** The error of a refused request: every route answers GraphQL's `{ errors: [...] }` shape. */
  const errorOf = (body: string): { code: string; message: string } => {
    const parsed = JSON.parse(body) as { error?: unknown; errors: { message: string; extensions: { code: string } }[] };
    expect(parsed.error).toBeUndefined();
    return { code: parsed.errors[0]!.extensions.code, message: parsed.errors[0]!.message };
  };

  describe('hostile callers', () => {
    test('no key or a wrong key: 401 on the feed and on exports; nothing streamed', async () => {
      for (const path of ['/feeds/registry', '/exports/companies.ndjson']) {
        for (const key of [null, 'not-a-key']) {
          const answer = await ndjson(path, key);
          expect(answer.status).toBe(401);
          expect(errorOf(answer.body).code).toBe('UNAUTHENTICATED');
        }
      }
    });

    test('bad cursors, types, keys and limits are 400 BAD_USER_INPUT before the first byte', async () => {
      const eligibilityCursor = Buffer.from('eligibilityEvent:5').toString('base64url');
      const cases = [
        '/feeds/registry?after=garbage',
        `/feeds/registry?after=${eligibilityCursor}`,
        `/feeds/registry?after=${Buffer.from('registryChange:-1').toString('base64url')}`,
        `/feeds/registry?after=${Buffer.from(`registryChange:${'9'.repeat(40)}`).toString('base64url')}`,
        '/feeds/registry?types=COMPANY,PERSON',
        '/feeds/registry?limit=0',
        '/feeds/registry?limit=1000001',
        '/feeds/registry?limit=ten',
        '/feeds/registry?after=a&after=b',
        '/exports/companies.ndjson?after=not-a-juristic-id',
        `/exports/factories.ndjson?after=${'1'.repeat(15)}`,
        '/exports/companies.ndjson?limit=-5',
      ];
      for (const path of cases) {
        const answer = await ndjson(path, keys.ministry);
        expect([path, answer.status]).toEqual([path, 400]);
        expect(errorOf(answer.body).code).toBe('BAD_USER_INPUT');
      }
    });

    test('GraphQL: a huge first, a foreign cursor and an unknown type are refused with a stable code', async () => {
      const query = `query($first: Int, $after: String) { registryChanges(first: $first, after: $after) { edges { cursor } } }`;
      const huge = await t.graphql(query, { first: 1_000_000 }, keys.analyst);
      expect(huge.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
      const foreign = await t.graphql(query, { after: Buffer.from('eligibilityEvent:1').toString('base64url') }, keys.analyst);
      expect(foreign.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
      const unknownType = await t.graphql(`{ registryChanges(types: [PERSON]) { edges { cursor } } }`, {}, keys.analyst);
      expect(unknownType.body.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    });

    test('an unknown export is 404 and names the exports there are', async () => {
      for (const path of ['/exports/people.ndjson', '/exports/companies.csv', '/exports/..%2F..%2Fetc%2Fpasswd']) {
        const answer = await ndjson(path, keys.ministry);
        expect(answer.status).toBe(404);
        expect(errorOf(answer.body).code).toBe('NOT_FOUND');
      }
      expect(errorOf((await ndjson('/exports/people.ndjson', keys.ministry)).body).message).toContain('companies.ndjson');
    });

    test('a bank never reads another bank’s products: not in its export, its feed, nor its GraphQL feed', async () => {
      const all = await ndjson('/exports/loan-products.ndjson', keys.admin);
      const banks = new Set(all.lines.filter((l) => !l.end).map((l) => l['bank']));
      expect(banks).toEqual(new Set(['SMED', 'EXIM']));
      for (const [key, bank] of [[keys.smed, 'SMED'], [keys.exim, 'EXIM']] as const) {
        const exported = (await ndjson('/exports/loan-products.ndjson', key)).lines.filter((l) => !l.end);
        expect(exported.length).toBeGreaterThan(0);
        expect(exported.every((l) => l['bank'] === bank)).toBe(true);
        // Resuming after the other bank's key does not reveal it either.
        const fed = (await ndjson('/feeds/registry?types=LOAN_PRODUCT&limit=100000', key)).lines.filter((l) => !l.end);
        expect(fed.length).toBeGreaterThan(0);
        expect(fed.every((l) => (l.record as { bank: string }).bank === bank && l.key!.startsWith(`${bank}:`))).toBe(true);
        const page = await t.graphqlData<{ registryChanges: { edges: { node: { key: string; record: { bank: string } } }[] } }>(
          `{ registryChanges(types: [LOAN_PRODUCT], first: 100) { edges { node { key record } } } }`,
          {},
          key,
        );
        expect(page.registryChanges.edges.every((e) => e.node.record.bank === bank)).toBe(true);
      }
    });

    test('personal data stays masked in bulk: directors, individual shareholders, individual operators and licensees', async () => {
      const companies = (await ndjson('/exports/companies.ndjson', keys.smed)).lines.filter((l) => !l.end);
      const directors = companies.flatMap((c) => c['directors'] as { name: string; masked: boolean }[]);
      expect(directors.length).toBeGreaterThan(0);
      expect(directors.every((d) => d.name === '***' && d.masked)).toBe(true);
      const individuals = companies.flatMap((c) => (c['shareholders'] as { name: string; personalId: string | null; juristicId: string | null }[]).filter((s) => s.juristicId === null));
      expect(individuals.length).toBeGreaterThan(0);
      expect(individuals.every((s) => s.name === '***' && (s.personalId === null || s.personalId === '***'))).toBe(true);
      const body = (await ndjson('/exports/companies.ndjson', keys.admin)).body;
      const [stored] = await t.sql<{ names: string[] }>(`SELECT array_agg(d->>'name') AS names FROM registry.company c, jsonb_array_elements(c.directors) d`);
      for (const name of stored!.names.slice(0, 50)) expect(body).not.toContain(name);
      // Factories and licences: masked exactly where the graph masks them.
      const graph = await t.graphqlData<{ factories: { edges: { node: { fid: string; operatorName: string | null; operatorMasked: boolean } }[] } }>(
        `{ factories(first: 100) { edges { node { fid operatorName operatorMasked } } } }`,
        {},
        keys.ministry,
      );
      const exported = new Map((await ndjson('/exports/factories.ndjson', keys.ministry)).lines.filter((l) => !l.end).map((l) => [l['fid'], l]));
      for (const { node } of graph.factories.edges) {
        expect([node.fid, exported.get(node.fid)?.['operatorName'], exported.get(node.fid)?.['operatorMasked']]).toEqual([node.fid, node.operatorName, node.operatorMasked]);
      }
      const licences = (await ndjson('/exports/tis-licences.ndjson', keys.ministry)).lines.filter((l) => !l.end);
      const masked = licences.filter((l) => l['licenseeMasked'] === true);
      const [notCompanies] = await t.sql<{ n: number }>(`SELECT count(*)::int AS n FROM registry.tis_licence WHERE NOT coalesce(link_method IN ('TAX_ID', 'EXACT_NAME_PROVINCE', 'EXACT_NAME'), false)`);
      expect(masked).toHaveLength(notCompanies!.n);
      expect(masked.every((l) => l['licenseeTaxId'] === '***' && l['companyJuristicId'] === null && l['fid'] === null)).toBe(true);
    });

    test('rate limits count the NDJSON routes: a client of 3 requests a minute gets 429 on the 4th, feed or export', async () => {
      const { key } = await t.hub.services.clients.create({ name: 'three-a-minute', role: 'ministry', rateLimitPerMinute: 3 });
      const statuses: number[] = [];
      for (const path of ['/feeds/registry?limit=1', '/exports/loan-products.ndjson', '/feeds/registry?limit=1', '/exports/loan-products.ndjson', '/feeds/registry?limit=1']) {
        const answer = await ndjson(path, key);
        statuses.push(answer.status);
        if (answer.status === 429) {
          expect(errorOf(answer.body).code).toBe('RATE_LIMITED');
          expect(Number(answer.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
        }
      }
      expect(statuses).toEqual([200, 200, 200, 429, 429]);
      // Everyone else is still served.
      expect((await ndjson('/feeds/registry?limit=1', keys.analyst)).status).toBe(200);
    });
  });

  describe('the feed', () => {
    test('after the first loads: every record created once, links recorded, dense positions, same lines in GraphQL and NDJSON', async () => {
      const log = await t.sql<{ position: string; entity: string; record_key: string; kind: string }>(`SELECT position::text, entity, record_key, kind FROM registry.record_change c ORDER BY c.position`);
      expect(log.map((c) => c.position)).toEqual(log.map((_, i) => String(i + 1)));
      const created = log.filter((c) => c.kind === 'CREATED');
      const [counts] = await t.sql<{ companies: number; factories: number; licences: number; products: number }>(
        `SELECT (SELECT count(*) FROM registry.company)::int AS companies, (SELECT count(*) FROM registry.factory)::int AS factories,
                (SELECT count(*) FROM registry.tis_licence)::int AS licences, (SELECT count(*) FROM lending.loan_product)::int AS products`,
      );
      expect(created.filter((c) => c.entity === 'COMPANY')).toHaveLength(counts!.companies);
      expect(created.filter((c) => c.entity === 'FACTORY')).toHaveLength(counts!.factories);
      expect(created.filter((c) => c.entity === 'TIS_LICENSE')).toHaveLength(counts!.licences);
      expect(created.filter((c) => c.entity === 'LOAN_PRODUCT')).toHaveLength(counts!.products);
      expect(new Set(created.map((c) => `${c.entity}:${c.record_key}`)).size).toBe(created.length);
      // Factories and licences are linked to companies after they load (DBD comes first or later).
      expect(log.some((c) => c.kind === 'LINKED')).toBe(true);

      const nd = (await ndjson('/feeds/registry?limit=1000000', keys.ministry)).lines;
      expect(nd.at(-1)!.end).toEqual({ cursor: nd.at(-2)!.cursor, changes: log.length, hasMore: false });
      expect(nd.slice(0, -1).map((l) => l.position)).toEqual(log.map((c) => c.position));
      // GraphQL pages give the same changes.
      let after: string | null = null;
      const graph: { position: string; key: string; kind: string }[] = [];
      for (let i = 0; i < 3; i++) {
        const page: { registryChanges: { edges: { cursor: string; node: { position: string; key: string; kind: string } }[]; pageInfo: { endCursor: string; hasNextPage: boolean } } } = await t.graphqlData(
          `query($after: String) { registryChanges(first: 100, after: $after) { edges { cursor node { position key kind } } pageInfo { endCursor hasNextPage } } }`,
          { after },
          keys.analyst,
        );
        graph.push(...page.registryChanges.edges.map((e) => e.node));
        after = page.registryChanges.pageInfo.endCursor;
      }
      expect(graph).toEqual(nd.slice(0, 300).map((l) => ({ position: l.position, key: l.key, kind: l.kind })));
      // The types filter keeps the positions.
      const factories = (await ndjson('/feeds/registry?limit=1000000&types=FACTORY', keys.ministry)).lines.slice(0, -1);
      expect(factories.map((l) => l.position)).toEqual(log.filter((c) => c.entity === 'FACTORY').map((c) => c.position));
    });

    test('a record changed, marked absent, back, and relinked: each change once, with the changed fields', async () => {
      const [before] = await t.sql<{ n: string }>(`SELECT coalesce(max(position), 0)::text AS n FROM registry.record_change`);
      const cursor = Buffer.from(`registryChange:${before!.n}`).toString('base64url');
      // DBD a day later: some companies change. DIW's snapshot of a smaller world: factories disappear; then they are back.
      t.feed.set('epoch=1');
      expect((await t.ingestNow('dbd-companies')).status).toBe('succeeded');
      t.feed.set('scale=150');
      expect((await t.ingestNow('diw')).status).toBe('succeeded');
      t.feed.set('');
      expect((await t.ingestNow('diw')).status).toBe('succeeded');
      const lines = (await ndjson(`/feeds/registry?after=${cursor}&limit=1000000`, keys.ministry)).lines;
      const changes = lines.slice(0, -1);
      expect(changes.length).toBeGreaterThan(0);
      const log = await t.sql<{ position: string; kind: string; changed_fields: string[] }>(`SELECT position::text, kind, changed_fields FROM registry.record_change c WHERE c.position > $1 ORDER BY c.position`, [before!.n]);
      expect(changes.map((c) => [c.position, c.kind])).toEqual(log.map((c) => [c.position, c.kind]));
      for (const change of changes) {
        if (change.kind === 'CHANGED') expect(change.changedFields!.length).toBeGreaterThan(0);
        // The record is as it is now (these factories are back), the change says what happened.
        if (change.kind === 'MARKED_ABSENT' || change.kind === 'RETURNED') expect(change.changedFields).toContain('absent');
        // Every changed field is a field of the record.
        for (const field of change.changedFields!) expect(Object.keys(change.record!)).toContain(field);
      }
      const kinds = new Set(changes.map((c) => c.kind));
      expect(['CHANGED', 'MARKED_ABSENT', 'RETURNED'].filter((k) => kinds.has(k))).toEqual(['CHANGED', 'MARKED_ABSENT', 'RETURNED']);
      // Every factory marked absent came back, in that order.
      const absent = changes.filter((c) => c.kind === 'MARKED_ABSENT' && c.type === 'FACTORY').map((c) => c.key);
      const returned = changes.filter((c) => c.kind === 'RETURNED' && c.type === 'FACTORY').map((c) => c.key);
      expect(absent.length).toBeGreaterThan(0);
      expect(new Set(returned)).toEqual(new Set(absent));
      // A run that changes nothing records nothing.
      const [last] = await t.sql<{ n: string }>(`SELECT coalesce(max(position), 0)::text AS n FROM registry.record_change`);
      expect((await t.ingestNow('diw')).status).toBe('succeeded');
      expect(await t.sql(`SELECT count(*)::int AS n FROM registry.record_change WHERE position > $1`, [last!.n])).toEqual([{ n: 0 }]);
    });
  });

  describe('exports', () => {
    test('an export equals the graph’s data for the same caller, resumes by key, and carries the cursor the feed continues from', async () => {
      const full = await ndjson('/exports/companies.ndjson', keys.analyst);
      expect(full.status).toBe(200);
      const records = full.lines.slice(0, -1);
      const end = full.lines.at(-1)!.end as { records: number; lastKey: string; complete: boolean; feedCursor: string };
      const [count] = await t.sql<{ n: number; max: string }>(`SELECT count(*)::int AS n, (SELECT max(position)::text FROM registry.record_change) AS max FROM registry.company`);
      expect(end).toEqual({ records: count!.n, lastKey: records.at(-1)!['juristicId'], complete: true, feedCursor: full.headers.get('x-registry-feed-cursor') });
      expect(Buffer.from(end.feedCursor, 'base64url').toString()).toBe(`registryChange:${count!.max}`);
      const ids = records.map((r) => r['juristicId'] as string);
      expect(ids).toEqual([...ids].sort());
      // The graph's view of the same companies.
      const graph = await t.graphqlData<{ companies: { edges: { node: { juristicId: string; nameTh: string; status: string; registeredCapitalBaht: number | null; provinceText: string | null } }[] } }>(
        `{ companies(first: 100, orderBy: { field: JURISTIC_ID, direction: ASC }) { edges { node { juristicId nameTh status registeredCapitalBaht provinceText } } } }`,
        {},
        keys.analyst,
      );
      const byId = new Map(records.map((r) => [r['juristicId'], r]));
      for (const { node } of graph.companies.edges) {
        const r = byId.get(node.juristicId)!;
        expect([r['juristicId'], r['nameTh'], r['status'], r['registeredCapitalBaht'], r['provinceText']]).toEqual([node.juristicId, node.nameTh, node.status, node.registeredCapitalBaht, node.provinceText]);
      }
      // Cut after 25 and resumed by key: the same records.
      const first = await ndjson('/exports/companies.ndjson?limit=25', keys.analyst);
      expect(first.lines.at(-1)!.end).toMatchObject({ records: 25, lastKey: ids[24], complete: false });
      const rest = await ndjson(`/exports/companies.ndjson?after=${ids[24]}`, keys.analyst);
      expect([...first.lines.slice(0, -1), ...rest.lines.slice(0, -1)]).toEqual(records);
    });

    test('a record holding the export stream’s own delimiter bytes, newlines, quotes and backslashes is exported whole and intact', async () => {
      // The export reads its COPY stream by the bytes \x01 (quote) and \x02 (delimiter) and newlines:
      // a record's text holding them must come through as text, not cut the stream.
      const [firm] = await t.sql<{ juristic_id: string; objective: string | null }>(`SELECT juristic_id, objective FROM registry.company ORDER BY juristic_id LIMIT 1 OFFSET 3`);
      const hostile = 'a\u0001b\u0002c\nd\re\t"f"\\g\\u0002 โรงงาน';
      await t.sql(`UPDATE registry.company SET objective = $1 WHERE juristic_id = $2`, [hostile, firm!.juristic_id]);
      try {
        const whole = await ndjson('/exports/companies.ndjson', keys.analyst);
        expect(whole.status).toBe(200);
        const records = whole.lines.slice(0, -1);
        const [count] = await t.sql<{ n: number }>(`SELECT count(*)::int AS n FROM registry.company`);
        expect(whole.lines.at(-1)!.end).toMatchObject({ records: count!.n, complete: true });
        expect(records.find((r) => r['juristicId'] === firm!.juristic_id)!['objective']).toBe(hostile);
        // Resumed right after it: the next record first, nothing of it repeated.
        const rest = await ndjson(`/exports/companies.ndjson?after=${firm!.juristic_id}&limit=1`, keys.analyst);
        expect(rest.lines[0]!['juristicId']).toBe(records[records.findIndex((r) => r['juristicId'] === firm!.juristic_id) + 1]!['juristicId']);
      } finally {
        await t.sql(`UPDATE registry.company SET objective = $1 WHERE juristic_id = $2`, [firm!.objective, firm!.juristic_id]);
      }
      expect((await t.graphql('{ regions { code } }', {}, keys.analyst)).status).toBe(200);
    });

    test('an export read in many COPY chunks gives the same lines, and resumes at each chunk’s last key', async () => {
      // The same route with 7 records per COPY statement: chunk boundaries fall inside network chunks and lines.
      const app = express().use('/exports', exportsRouter(t.hub.services, createRootLogger('silent'), { batchSize: 7 }));
      const server = app.listen(0, '127.0.0.1');
      await new Promise((resolve) => server.once('listening', resolve));
      try {
        const port = (server.address() as AddressInfo).port;
        for (const name of ['companies', 'factories', 'tis-licences', 'loan-products']) {
          const whole = (await ndjson(`/exports/${name}.ndjson`, keys.ministry)).body;
          const response = await fetch(`http://127.0.0.1:${port}/exports/${name}.ndjson`, { headers: { authorization: `Bearer ${keys.ministry}` } });
          const chunked = await response.text();
          expect(chunked.split('\n').length).toBeGreaterThan(3);
          // Same records and end line (the feed cursor may have moved on since: compare the rest).
          const strip = (text: string): string => text.replace(/"feedCursor":"[^"]*"/, '');
          expect(strip(chunked)).toBe(strip(whole));
        }
      } finally {
        server.close();
      }
    });

    /** The export route behind a client that stops reading after `bytes`: writes are held (and say so) until `release()`. */
    async function stallingExport(bytes: number, stallMs: number) {
      let release!: () => void;
      let routeEnded!: () => void;
      const ended = new Promise<void>((resolve) => (routeEnded = resolve));
      const app = express()
        .use((_req, res, next) => {
          const write = res.write.bind(res) as (chunk: unknown) => boolean;
          const end = res.end.bind(res) as (chunk?: unknown) => unknown;
          const held: unknown[] = [];
          let written = 0;
          let heldEnd: { chunk: unknown } | undefined;
          res.write = ((chunk: unknown) => {
            if (written >= bytes) return held.push(chunk) < 0;
            written += Buffer.byteLength(chunk as string);
            return write(chunk);
          }) as typeof res.write;
          res.end = ((chunk?: unknown) => {
            if (written < bytes) return end(chunk);
            heldEnd = { chunk };
            routeEnded();
            return res;
          }) as typeof res.end;
          release = () => {
            for (const chunk of held) write(chunk);
            end(heldEnd?.chunk);
          };
          next();
        })
        .use('/exports', exportsRouter(t.hub.services, createRootLogger('silent'), { batchSize: 7, stallMs }));
      const server = app.listen(0, '127.0.0.1');
      await new Promise((resolve) => server.once('listening', resolve));
      return { server, port: (server.address() as AddressInfo).port, ended, release: () => release() };
    }
    const openExportTransactions = async (): Promise<number> =>
      (await t.sql<{ n: number }>(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND xact_start IS NOT NULL AND query ILIKE 'COPY (SELECT%'`))[0]!.n;

    test('a client that stops reading: its export ends with whole lines and the key to resume after, and its snapshot is freed', async () => {
      const whole = (await ndjson('/exports/factories.ndjson', keys.ministry)).lines.slice(0, -1);
      const stalling = await stallingExport(3000, 300);
      try {
        const response = fetch(`http://127.0.0.1:${stalling.port}/exports/factories.ndjson`, { headers: { authorization: `Bearer ${keys.ministry}` } });
        await stalling.ended;
        // The route has given up on the client: no transaction of the export is left open.
        expect(await openExportTransactions()).toBe(0);
        stalling.release();
        const body = await (await response).text();
        const lines = body.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Line);
        const end = lines.at(-1)!.end as { records: number; lastKey: string; complete: boolean; stopped: string };
        expect(end).toMatchObject({ complete: false, stopped: 'SLOW_CONSUMER' });
        const got = lines.slice(0, -1);
        expect(got.length).toBe(end.records);
        expect(got.length).toBeLessThan(whole.length);
        expect(end.lastKey).toBe(got.at(-1)!['fid']);
        // Resumed after its last key: the rest, nothing twice, nothing missing.
        const rest = (await ndjson(`/exports/factories.ndjson?after=${end.lastKey}`, keys.ministry)).lines.slice(0, -1);
        expect([...got, ...rest]).toEqual(whole);
      } finally {
        stalling.server.close();
      }
    });

    test('each COPY chunk runs under a statement timeout: a slow one is cancelled by PostgreSQL', async () => {
      const { client } = await t.hub.services.clients.create({ name: 'timeout probe', role: 'ministry' });
      const slowJson = `json_build_object('juristicId', r.juristic_id, 'slept', pg_sleep(0.2)::text)`;
      const slow = { ...REGISTRY_RECORDS.COMPANY, json: slowJson, recordJson: `(${slowJson})::text` };
      const snapshot = await t.hub.services.registryChanges.openSnapshot({ statementTimeoutMs: 50, idleInTransactionMs: 5_000 });
      try {
        const read = async (): Promise<void> => {
          for await (const _ of snapshot.copyPage(slow, client, null, 3) as AsyncIterable<Buffer>) void _;
        };
        await expect(read()).rejects.toMatchObject({ code: '57014' });
      } finally {
        await snapshot.close();
      }
      expect(await openExportTransactions()).toBe(0);
    });
  });
});
