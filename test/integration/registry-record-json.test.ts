import { Client } from 'pg';
import { REGISTRY_RECORDS } from '../../src/domains/registry-changes/registry-records';
import { relink } from '../../src/linking/relink';
import { createRootLogger } from '../../src/platform/logging/logger';
import { thaiIdCheckDigit } from '../../src/shared/thai-id';
import { hubSources } from '../../src/sources/registry';
import { keepRecordJson, RegistryRecordJson1763965000000 } from '../../migrations/1763965000000-registry-record-json';
import { KEPT_FACTORY_1763975000000 } from '../../migrations/1763975000000-factory-operator-masked';
import { startLoadedHub } from '../support/loaded-hub';
import type { TestHub } from '../support/test-hub';

/**
 * Companies, factories and TIS licences keep their export JSON in the row (migration
 * 1763965000000), so that an export is a COPY of it: what an export shows must still be the record
 * as the definition builds it now (masked as the graph), after any write: a link the linker or a
 * relink changes, a write from a session in another time zone, rows the migration found.
 */
describe('Kept record JSON of the exports', () => {
  let t: TestHub;
  let ministry: string;
  const KEPT = (['COMPANY', 'FACTORY', 'TIS_LICENSE'] as const).map((entity) => REGISTRY_RECORDS[entity]);

  beforeAll(async () => {
    t = await startLoadedHub({ scale: 200 });
    ministry = (await t.createApiKeys()).ministry;
  });
  afterAll(async () => {
    await t?.stop();
  });

  /** Per table, the rows whose kept JSON is not what the definition builds now. */
  const stale = async (): Promise<Record<string, number>> => {
    const counts: Record<string, number> = {};
    for (const d of KEPT) {
      const [row] = await t.sql<{ n: number }>(`SELECT count(*)::int AS n FROM ${d.table} r WHERE r.record_json IS DISTINCT FROM (${d.json})::text`);
      counts[d.table] = row!.n;
    }
    return counts;
  };
  const NONE_STALE = { 'registry.company': 0, 'registry.factory': 0, 'registry.tis_licence': 0 };

  type Line = Record<string, unknown>;
  const exported = async (name: string): Promise<Line[]> => {
    const response = await fetch(`${t.baseUrl}/exports/${name}.ndjson`, { headers: { authorization: `Bearer ${ministry}` } });
    expect(response.status).toBe(200);
    const lines = (await response.text()).split('\n').filter(Boolean).map((l) => JSON.parse(l) as Line);
    expect(lines.at(-1)!['end']).toMatchObject({ complete: true });
    return lines.slice(0, -1);
  };

  test('every kept JSON is the definition’s, masked records and shown ones alike', async () => {
    // A sole trader runs one plant: its operator's tax ID is a personal ID (masked, whatever the link).
    const personalId = `110020003000${thaiIdCheckDigit('110020003000')}`;
    await t.sql(`UPDATE registry.factory SET operator_tax_id = $1 WHERE fid = (SELECT max(fid) FROM registry.factory WHERE operator_name IS NOT NULL)`, [personalId]);
    // An operator that gave no tax ID, linked only by a resembling name: masked, with its link.
    await t.sql(
      `UPDATE registry.factory SET operator_tax_id = NULL, link_method = 'FUZZY_NAME', link_confidence = 0.7
       WHERE fid = (SELECT min(fid) FROM registry.factory WHERE operator_name IS NOT NULL AND company_juristic_id IS NOT NULL)`,
    );
    // A licensee the linker only found by a resembling name (masked: not known to be a company).
    await t.sql(`UPDATE registry.tis_licence SET link_method = 'FUZZY_NAME', link_confidence = 0.9 WHERE licence_no = (SELECT max(licence_no) FROM registry.tis_licence WHERE licensee_name IS NOT NULL)`);
    expect(await stale()).toEqual(NONE_STALE);
    const factories = await exported('factories');
    const licences = await exported('tis-licences');
    const companies = await exported('companies');
    // The world holds both sides of each mask, so the comparison above covers both.
    expect(new Set(factories.map((f) => f['operatorMasked']))).toEqual(new Set([true, false]));
    expect(new Set(licences.map((l) => l['licenseeMasked']))).toEqual(new Set([true, false]));
    // A masked operator's factory shows no company; a shown one its link.
    const masked = factories.filter((f) => f['operatorMasked'] === true);
    expect(masked.length).toBeGreaterThanOrEqual(2);
    expect(masked.every((f) => f['companyJuristicId'] === null && f['linkMethod'] === null && f['linkConfidence'] === null)).toBe(true);
    expect(factories.some((f) => f['operatorMasked'] === false && typeof f['companyJuristicId'] === 'string')).toBe(true);
    const directors = companies.flatMap((c) => c['directors'] as { name: string; masked: boolean }[]);
    expect(directors.length).toBeGreaterThan(0);
    expect(directors.every((d) => d.name === '***' && d.masked)).toBe(true);
  });

  test('a row written from a session in another time zone keeps fetchedAt in UTC, as the definition writes it anywhere', async () => {
    const [factory] = await t.sql<{ fid: string }>(`SELECT fid FROM registry.factory ORDER BY fid LIMIT 1`);
    const bangkok = new Client({ connectionString: t.database.url, options: '-c TimeZone=Asia/Bangkok' });
    await bangkok.connect();
    try {
      await bangkok.query(`UPDATE registry.factory SET workers = coalesce(workers, 0) + 1 WHERE fid = $1`, [factory!.fid]);
      const d = REGISTRY_RECORDS.FACTORY;
      const { rows } = await bangkok.query<{ kept: string; built: string }>(`SELECT r.record_json AS kept, (${d.json})::text AS built FROM registry.factory r WHERE r.fid = $1`, [factory!.fid]);
      expect(rows[0]!.kept).toBe(rows[0]!.built);
      expect((JSON.parse(rows[0]!.kept) as { provenance: { fetchedAt: string } }).provenance.fetchedAt).toMatch(/\+00:00$/);
    } finally {
      await bangkok.end();
    }
    expect(await stale()).toEqual(NONE_STALE);
  });

  test('an export after a relink shows the new links; a link lost masks at once what it showed', async () => {
    const [licence] = await t.sql<{ licence_no: string; company_juristic_id: string; licensee_name: string }>(
      `SELECT licence_no, company_juristic_id, licensee_name FROM registry.tis_licence WHERE link_method = 'TAX_ID' AND licensee_name IS NOT NULL ORDER BY licence_no LIMIT 1`,
    );
    const [factory] = await t.sql<{ fid: string; company_juristic_id: string }>(
      `SELECT fid, company_juristic_id FROM registry.factory WHERE link_method = 'TAX_ID' ORDER BY fid LIMIT 1`,
    );
    expect(licence).toBeDefined();
    expect(factory).toBeDefined();
    const licenceLine = async (): Promise<Line> => (await exported('tis-licences')).find((l) => l['licenceNo'] === licence!.licence_no)!;
    const factoryLine = async (): Promise<Line> => (await exported('factories')).find((f) => f['fid'] === factory!.fid)!;
    expect(await licenceLine()).toMatchObject({ licenseeMasked: false, licenseeName: licence!.licensee_name, companyJuristicId: licence!.company_juristic_id });

    // As an older hub's lost race left them: unlinked.
    await t.sql(`UPDATE registry.tis_licence SET company_juristic_id = NULL, link_method = NULL, link_confidence = NULL WHERE licence_no = $1`, [licence!.licence_no]);
    await t.sql(`UPDATE registry.factory SET company_juristic_id = NULL, link_method = NULL, link_confidence = NULL WHERE fid = $1`, [factory!.fid]);
    expect(await licenceLine()).toMatchObject({ licenseeMasked: true, licenseeName: '***', companyJuristicId: null, linkMethod: null });
    expect(await factoryLine()).toMatchObject({ companyJuristicId: null, linkMethod: null });

    const { run } = await relink(t.hub.database.dataSource, hubSources(), createRootLogger('silent'));
    expect(run.status).toBe('succeeded');
    expect(await licenceLine()).toMatchObject({ licenseeMasked: false, licenseeName: licence!.licensee_name, companyJuristicId: licence!.company_juristic_id, linkMethod: 'TAX_ID' });
    expect(await factoryLine()).toMatchObject({ companyJuristicId: factory!.company_juristic_id, linkMethod: 'TAX_ID' });
    expect(await stale()).toEqual(NONE_STALE);
  }, 60_000);

  test('the migration fills the JSON of every row it finds, and logs no change for it', async () => {
    const migration = new RegistryRecordJson1763965000000();
    const changes = async (): Promise<number> => (await t.sql<{ n: number }>(`SELECT count(*)::int AS n FROM registry.record_change`))[0]!.n;
    const before = await changes();
    const runner = t.hub.database.dataSource.createQueryRunner();
    try {
      await runner.startTransaction();
      await migration.down(runner);
      await migration.up(runner);
      // The factory's JSON as the later migration that changed it keeps it (1763975000000).
      await keepRecordJson(runner, KEPT_FACTORY_1763975000000);
      await runner.commitTransaction();
    } finally {
      await runner.release();
    }
    expect(await stale()).toEqual(NONE_STALE);
    expect(await changes()).toBe(before);
    // And the trigger is back: a write keeps its JSON.
    await t.sql(`UPDATE registry.company SET status_raw = coalesce(status_raw, '') || ' (probe)' WHERE juristic_id = (SELECT min(juristic_id) FROM registry.company)`);
    expect(await stale()).toEqual(NONE_STALE);
  }, 60_000);
});
