import type { AddressInfo } from 'node:net';
import express from 'express';
import { verifyAuditChain } from '../../src/access/audit/audit-verify';
import { ReadAuditLog, type ReadAuditInput } from '../../src/access/audit/read-audit';
import type { ApiServices } from '../../src/domains/api-services';
import { exportsRouter, registryFeedRouter } from '../../src/domains/registry-changes/registry-ndjson.http';
import { pgPool } from '../../src/platform/database/data-source';
import { createRootLogger } from '../../src/platform/logging/logger';
import { startLoadedHub } from '../support/loaded-hub';
import type { TestHub } from '../support/test-hub';

/**
 * Every read accounted for (issue 17): the registry change feed (`GET /feeds/registry`, GraphQL
 * `registryChanges`) and the bulk exports (`GET /exports/<name>.ndjson`) write one read-audit entry
 * per page / per chunk, before its records leave, naming the firms the records reveal (never the
 * firm behind a masked, unsure link), the field groups, and the client; an area key's entries name
 * its area's firms; a stream whose entry cannot be written stops rather than sending unrecorded
 * records; and the chain still verifies.
 */
describe('Read audit of the registry change feed and the exports', () => {
  /** The feed reads this many changes per statement here, so one response is several pages. */
  const FEED_BATCH = 10;
  let t: TestHub;
  let ministry: string;
  let office: string;
  let province: string;
  /** A company known to DIP only by a guess: its participation is masked, its ID must not be audited. */
  let guessed: string;

  type Line = Record<string, unknown> & { type?: string; key?: string; record?: Record<string, unknown>; end?: Record<string, unknown>; error?: { code: string } };
  interface Entry {
    seq: string;
    client_name: string;
    role: string;
    organisation: string;
    operation_name: string | null;
    juristic_ids: string[];
    entities: string[];
    field_groups: string[];
    purpose: string | null;
    lawful_basis: string | null;
    document_hash: string | null;
  }
  const head = async (): Promise<number> => Number((await t.sql<{ seq: string }>('SELECT seq FROM audit.chain_head'))[0]!.seq);
  const entriesSince = (seq: number, operation?: string): Promise<Entry[]> =>
    t.sql<Entry>(`SELECT * FROM audit.read_entry WHERE seq > $1 AND ($2::text IS NULL OR operation_name = $2) ORDER BY seq`, [seq, operation ?? null]);

  async function ndjson(url: string, key: string): Promise<{ status: number; lines: Line[]; body: string }> {
    const response = await fetch(url.startsWith('http') ? url : `${t.baseUrl}${url}`, { headers: { authorization: `Bearer ${key}` } });
    const body = await response.text();
    const lines = response.headers.get('content-type')?.includes('ndjson') ? body.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Line) : [];
    return { status: response.status, lines, body };
  }
  const records = (lines: Line[]): Line[] => lines.filter((l) => !l.end && !l.error);

  /** The firm a record reveals, as the graph would: a company's own ID, else the company it is surely linked to (null when masked or unlinked). */
  const firmOf = (type: string, record: Record<string, unknown>): string | null =>
    type === 'COMPANY' ? (record['juristicId'] as string) : type === 'LOAN_PRODUCT' ? null : ((record['companyJuristicId'] as string | null) ?? null);
  const ENTITY: Record<string, string> = { FACTORY: 'Factory', TIS_LICENSE: 'TisLicense', DIP_PARTICIPATION: 'ProgrammeParticipation', I40_ASSESSMENT: 'Industry40Assessment' };
  const GROUPS: Record<string, string[]> = { COMPANY: ['finances', 'identity', 'persons'], FACTORY: ['identity'], TIS_LICENSE: ['identity'], DIP_PARTICIPATION: ['identity'], I40_ASSESSMENT: ['identity'] };
  const EXPORTS: Record<string, { type: string; keyField: string }> = {
    companies: { type: 'COMPANY', keyField: 'juristicId' },
    factories: { type: 'FACTORY', keyField: 'fid' },
    'tis-licences': { type: 'TIS_LICENSE', keyField: 'licenceNo' },
    'dip-participations': { type: 'DIP_PARTICIPATION', keyField: 'key' },
    'i40-assessments': { type: 'I40_ASSESSMENT', keyField: 'key' },
  };

  /** What an entry for these records must name: the firms they reveal, the records of no known firm, the groups. */
  function expectedOf(items: { type: string; key: string; record: Record<string, unknown> }[]): { ids: string[]; unlinked: string[]; groups: string[] } {
    const ids = new Set<string>();
    const unlinked: string[] = [];
    const groups = new Set<string>();
    for (const { type, key, record } of items) {
      if (type === 'LOAN_PRODUCT') continue;
      for (const g of GROUPS[type]!) groups.add(g);
      const firm = firmOf(type, record);
      if (firm) ids.add(firm);
      else unlinked.push(`${ENTITY[type]}:${key}`);
    }
    return { ids: [...ids].sort(), unlinked: unlinked.sort(), groups: [...groups].sort() };
  }

  /** A router of the hub's services on its own port: small batches, or another audit log. */
  async function mounted(router: 'feed' | 'exports', services: ApiServices, batchSize: number, pageLines?: number): Promise<{ url: string; close: () => Promise<void> }> {
    const logger = createRootLogger('silent');
    const app = express().use(
      router === 'feed' ? '/feeds/registry' : '/exports',
      router === 'feed' ? registryFeedRouter(services, logger, { batchSize }) : exportsRouter(services, logger, { batchSize, ...(pageLines ? { pageLines } : {}) }),
    );
    const server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => new Promise((resolve) => server.close(() => resolve())) };
  }

  /** The hub's audit log, made unwritable (as the "audit refusing to serve" tests do) after `okWrites` entries. */
  function failingAfter(okWrites: number): ReadAuditLog {
    const real = t.hub.services.readAudit;
    let written = 0;
    const log = Object.create(real) as ReadAuditLog;
    log.record = async (entry: ReadAuditInput): Promise<void> => {
      if (written === okWrites) await t.sql('ALTER TABLE audit.read_entry ADD CONSTRAINT audit_down CHECK (false) NOT VALID');
      written += 1;
      await real.record(entry);
    };
    return log;
  }
  const auditBack = (): Promise<unknown> => t.sql('ALTER TABLE audit.read_entry DROP CONSTRAINT IF EXISTS audit_down');

  beforeAll(async () => {
    t = await startLoadedHub({ scale: 200, env: { ELIGIBILITY_FEED_BATCH_SIZE: String(FEED_BATCH) } });
    ministry = (await t.hub.services.clients.create({ name: 'ministry sync', role: 'ministry', purpose: 'register copy' })).key;
    province = (
      await t.sql<{ code: string }>(`SELECT province_code AS code FROM registry.company_profile p GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1`)
    )[0]!.code;
    office = (await t.hub.services.clients.create({ name: 'office sync', role: 'province', provinceCode: province })).key;
    // A participation DIP sent for a company the linker only guessed (FUZZY_NAME): masked, link and all.
    guessed = (
      await t.sql<{ id: string }>(
        `SELECT juristic_id AS id FROM registry.company c WHERE NOT EXISTS (SELECT 1 FROM registry.dip_participation d WHERE d.company_juristic_id = c.juristic_id)
           AND NOT EXISTS (SELECT 1 FROM registry.dip_i40_assessment d WHERE d.company_juristic_id = c.juristic_id) ORDER BY 1 LIMIT 1`,
      )
    )[0]!.id;
    const [run] = await t.sql<{ id: string }>(`SELECT max(id)::text AS id FROM ingestion.run`);
    await t.sql(
      `INSERT INTO registry.dip_participation (participant_key, juristic_id, company_name, company_name_normalised, programme_code, year, programme_name, province,
         company_juristic_id, link_method, link_confidence, row_hash, source, source_run_id, fetched_at)
       VALUES ('name:บริษัท เดาเอา จำกัด', NULL, 'บริษัท เดาเอา จำกัด', 'เดาเอา', 'AUDIT-TEST', 2024, 'โครงการทดสอบ', 'เชียงใหม่', $1, 'FUZZY_NAME', 0.71, 'test', 'dip-participations', $2, now())`,
      [guessed, run!.id],
    );
  });
  afterAll(async () => {
    await auditBack().catch(() => undefined);
    await t?.stop();
  });

  test('the NDJSON feed writes one entry per page before it leaves: the client, the firms each page reveals, the groups', async () => {
    let unlinkedSeen = 0;
    for (const type of ['COMPANY', 'FACTORY', 'TIS_LICENSE', 'DIP_PARTICIPATION', 'I40_ASSESSMENT']) {
      const before = await head();
      const url = `/feeds/registry?types=${type}&limit=${2 * FEED_BATCH + 3}`;
      const served = await ndjson(url, ministry);
      expect(served.status).toBe(200);
      const changes = records(served.lines);
      expect(changes.length).toBeGreaterThan(0);
      const written = await entriesSince(before);
      expect([type, written.length]).toEqual([type, Math.ceil(changes.length / FEED_BATCH)]);
      for (const [i, entry] of written.entries()) {
        const page = changes.slice(i * FEED_BATCH, (i + 1) * FEED_BATCH).map((c) => ({ type: c.type!, key: c.key!, record: c.record! }));
        const expected = expectedOf(page);
        expect(entry).toMatchObject({
          client_name: 'ministry sync',
          role: 'ministry',
          organisation: 'ministry',
          operation_name: 'GET /feeds/registry',
          juristic_ids: expected.ids,
          field_groups: expected.groups,
          purpose: 'register copy',
          lawful_basis: 'PUBLIC_TASK',
          document_hash: expect.stringMatching(/^[0-9a-f]{64}$/),
        });
        expect(entry.entities.filter((e) => !e.startsWith('RegistryFeed:')).sort()).toEqual(expected.unlinked);
        unlinkedSeen += expected.unlinked.length;
      }
    }
    // Records of no known firm (unlinked factories, masked licences) were among them, named by their key.
    expect(unlinkedSeen).toBeGreaterThan(0);
    // Loan products are reference data, as in the graph: a page of them alone writes nothing.
    const before = await head();
    expect(records((await ndjson('/feeds/registry?types=LOAN_PRODUCT', ministry)).lines).length).toBeGreaterThan(0);
    expect(await entriesSince(before)).toEqual([]);
  });

  test('a masked participation (a guessed link) never puts the guessed company in the audit', async () => {
    const before = await head();
    const fed = records((await ndjson('/feeds/registry?types=DIP_PARTICIPATION&limit=1000000', ministry)).lines);
    const exported = records((await ndjson('/exports/dip-participations.ndjson', ministry)).lines);
    const masked = exported.find((r) => r['programmeCode'] === 'AUDIT-TEST')!;
    expect(masked).toMatchObject({ participantMasked: true, companyJuristicId: null });
    expect(fed.some((c) => c.key === masked['key'])).toBe(true);
    const written = await entriesSince(before);
    expect(written.length).toBeGreaterThanOrEqual(2);
    for (const entry of written) expect(entry.juristic_ids).not.toContain(guessed);
    expect(written.at(-1)!.entities).toContain(`ProgrammeParticipation:${String(masked['key'])}`);
  });

  test('each export writes an entry per chunk naming the chunk’s firms and groups; loan products write none', async () => {
    for (const [name, { type, keyField }] of Object.entries(EXPORTS)) {
      const before = await head();
      const served = await ndjson(`/exports/${name}.ndjson`, ministry);
      expect(served.status).toBe(200);
      const lines = records(served.lines);
      expect(lines.length).toBeGreaterThan(0);
      const written = await entriesSince(before);
      expect([name, written.length]).toEqual([name, 1]);
      const expected = expectedOf(lines.map((r) => ({ type, key: String(r[keyField]), record: r })));
      expect(written[0]).toMatchObject({ operation_name: `GET /exports/${name}.ndjson`, role: 'ministry', juristic_ids: expected.ids, field_groups: expected.groups, purpose: 'register copy' });
      expect(written[0]!.entities.filter((e) => !e.startsWith('Export:')).sort()).toEqual(expected.unlinked);
      expect(written[0]!.entities).toContain(`Export:${name}:${String(lines[0]![keyField])}..${String(lines.at(-1)![keyField])}`);
    }
    const before = await head();
    expect(records((await ndjson('/exports/loan-products.ndjson', ministry)).lines).length).toBeGreaterThan(0);
    expect(await entriesSince(before)).toEqual([]);

    // In chunks of 7: one entry per chunk, each naming exactly its chunk's companies.
    const small = await mounted('exports', t.hub.services, 7);
    try {
      const from = await head();
      const lines = records((await ndjson(`${small.url}/exports/companies.ndjson?limit=30`, ministry)).lines);
      expect(lines).toHaveLength(30);
      const written = await entriesSince(from);
      expect(written.map((e) => e.juristic_ids)).toEqual([0, 7, 14, 21, 28].map((i) => lines.slice(i, i + 7).map((r) => r['juristicId'] as string).sort()));
    } finally {
      await small.close();
    }
    // In pages of 7 within COPY chunks of 20 (the audit's pages are cut from the stream the client gets): one entry per page, naming its companies and key range.
    const paged = await mounted('exports', t.hub.services, 20, 7);
    try {
      const from = await head();
      const lines = records((await ndjson(`${paged.url}/exports/companies.ndjson?limit=30`, ministry)).lines);
      expect(lines).toHaveLength(30);
      const written = await entriesSince(from);
      const pages = [[0, 7], [7, 14], [14, 20], [20, 27], [27, 30]].map(([a, b]) => lines.slice(a, b).map((r) => r['juristicId'] as string));
      expect(written.map((e) => e.juristic_ids)).toEqual(pages.map((ids) => [...ids].sort()));
      expect(written.map((e) => e.entities)).toEqual(pages.map((ids) => [`Export:companies:${ids[0]}..${ids.at(-1)}`]));
    } finally {
      await paged.close();
    }
  });

  test('an area key’s entries name only what it was sent: its area’s companies', async () => {
    const area = new Set((await t.sql<{ id: string }>(`SELECT juristic_id AS id FROM registry.company_profile WHERE province_code = $1`, [province])).map((r) => r.id));
    const before = await head();
    const exported = records((await ndjson('/exports/companies.ndjson', office)).lines);
    const fed = records((await ndjson('/feeds/registry?types=COMPANY&limit=1000000', office)).lines);
    expect(exported.length).toBe(area.size);
    const written = await entriesSince(before);
    expect(written.length).toBeGreaterThan(1);
    for (const entry of written) {
      expect(entry).toMatchObject({ role: 'province', organisation: `province:${province}`, client_name: 'office sync' });
      for (const id of entry.juristic_ids) expect([id, area.has(id)]).toEqual([id, true]);
    }
    const named = new Set(written.flatMap((e) => e.juristic_ids));
    expect(named).toEqual(new Set([...exported.map((r) => r['juristicId'] as string), ...fed.map((c) => c.key!)]));
    // Factories: the entries name the operators the lines reveal, nothing more.
    const from = await head();
    const factories = records((await ndjson('/exports/factories.ndjson', office)).lines);
    const [entry] = await entriesSince(from);
    expect(entry!.juristic_ids).toEqual(expectedOf(factories.map((r) => ({ type: 'FACTORY', key: String(r['fid']), record: r }))).ids);
  });

  test('GraphQL registryChanges is audited like any read of firm data: one entry naming the page’s firms', async () => {
    const before = await head();
    const page = await t.graphqlData<{ registryChanges: { edges: { node: { type: string; key: string; record: Record<string, unknown> } }[] } }>(
      `query RegistrySync { registryChanges(first: 30, types: [COMPANY, FACTORY, TIS_LICENSE]) { edges { node { type key record } } } }`,
      {},
      ministry,
    );
    const written = await entriesSince(before);
    expect(written).toHaveLength(1);
    const expected = expectedOf(page.registryChanges.edges.map((e) => e.node));
    expect(expected.ids.length).toBeGreaterThan(0);
    expect(written[0]).toMatchObject({ operation_name: 'RegistrySync', juristic_ids: expected.ids, field_groups: expected.groups, purpose: 'register copy' });
    expect(written[0]!.entities.filter((e) => !e.startsWith('RegistryFeed:')).sort()).toEqual(expected.unlinked);
  });

  test('when the audit cannot be written: 503 before the first record; mid-stream an error line, and nothing unrecorded', async () => {
    // Refused at the first page / chunk: no record, 503.
    for (const path of ['/feeds/registry?types=COMPANY', '/exports/companies.ndjson']) {
      await t.sql('ALTER TABLE audit.read_entry ADD CONSTRAINT audit_down CHECK (false) NOT VALID');
      try {
        const refused = await ndjson(path, ministry);
        expect([path, refused.status]).toEqual([path, 503]);
        expect((JSON.parse(refused.body) as { errors: { extensions: { code: string } }[] }).errors[0]!.extensions.code).toBe('SERVICE_UNAVAILABLE');
        expect(refused.body).not.toContain('"juristicId"');
      } finally {
        await auditBack();
      }
    }
    // Refused at the second page / chunk: the first one's records, then the error line; nothing of the second.
    // The exports a second time in pages of 5 inside one COPY chunk of 50: refused at its second page.
    for (const [router, pageLines] of [['feed', undefined], ['exports', undefined], ['exports', 5]] as const) {
      const server = await mounted(router, { ...t.hub.services, readAudit: failingAfter(1) }, pageLines ? 50 : 5, pageLines);
      const before = await head();
      try {
        const answer = await ndjson(router === 'feed' ? `${server.url}/feeds/registry?types=COMPANY&limit=50` : `${server.url}/exports/companies.ndjson?limit=50`, ministry);
        expect(answer.status).toBe(200);
        expect(records(answer.lines)).toHaveLength(5);
        expect(answer.lines.at(-1)!.error).toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
        const sent = records(answer.lines).map((l) => (router === 'feed' ? l.key! : (l['juristicId'] as string)));
        const written = await entriesSince(before);
        expect(written).toHaveLength(1);
        expect(written[0]!.juristic_ids).toEqual([...new Set(sent)].sort());
        // The refused export's COPY was read to its end and its snapshot closed before the error line.
        const [open] = await t.sql<{ n: number }>(
          `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND xact_start IS NOT NULL AND query ILIKE 'COPY (SELECT%'`,
        );
        expect(open!.n).toBe(0);
      } finally {
        await auditBack();
        await server.close();
      }
    }
  });

  test('AUDIT=off writes nothing on these paths either; audit:verify passes over all of it', async () => {
    const off = new ReadAuditLog(pgPool(t.hub.database.dataSource), { enabled: false, checkpointEvery: 1000, checkpointIntervalMs: 600_000 });
    for (const router of ['feed', 'exports'] as const) {
      const server = await mounted(router, { ...t.hub.services, readAudit: off }, 5);
      const before = await head();
      try {
        const answer = await ndjson(router === 'feed' ? `${server.url}/feeds/registry?limit=12` : `${server.url}/exports/companies.ndjson?limit=12`, ministry);
        expect(records(answer.lines)).toHaveLength(12);
        expect(await entriesSince(before)).toEqual([]);
      } finally {
        await server.close();
      }
    }
    const verified = await verifyAuditChain(pgPool(t.hub.database.dataSource));
    expect(verified.problem).toBeUndefined();
    expect(verified.verified).toBeGreaterThan(20);
  });
});
