import { loadHubConfig } from '../../src/app/config';
import { IngestionEngine } from '../../src/ingestion/ingestion.engine';
import { openDatabase, type Database } from '../../src/platform/database/database';
import { createRootLogger } from '../../src/platform/logging/logger';
import { startSimulator, type RunningSimulator } from '../../src/simulator/simulator';
import { hubSources } from '../../src/sources/registry';
import { type TestDatabase } from '../support/test-database';
import { createMigratedDatabase } from '../support/template-database';
import { IngestionRunRepository } from '../../src/ingestion/ingestion-run.repository';
import { FUZZY_MIN_CROSS_PROVINCE } from '../../src/linking/company-linker';
import { assessmentAt, assessmentCount, assessmentRecord, participationAt, participationCount, participationRecord } from '../../src/simulator/dip/dip.feed';
import { licenceAt, licenceCount, licenseeTaxIdWritten } from '../../src/simulator/tisi/tisi.feed';
import { dipIdWritten } from '../../src/simulator/simulator';
import { factoryAt, factoryCount } from '../../src/simulator/world/world';
import { normaliseCompanyName } from '../../src/sources/dbd/company-name';
import { DEMO_WORLD, LOADED_HUB_TIMEOUT_MS, startLoadedHub } from '../support/loaded-hub';
import { startTestHub, type TestHub } from '../support/test-hub';

/**
 * Factories, TISI licences and DIP records linked to companies, scored against the simulator's
 * ground truth (it knows which firm runs each factory, holds each licence and took part in each
 * programme; it blanked TRADE for some factories, left the tax ID out of some licences and DIP
 * records, and wrote their names as clerks do), at the default quirk and bad-row rates and with
 * every row quirky; then derived facts, through the links, recomputed only for the firms a run touched.
 */
const defaults = loadHubConfig({}).simulator;

interface LinkRow {
  key: string;
  company: string | null;
  method: string | null;
  confidence: string | null;
  owner_loaded: boolean;
  /** The agency gave the firm's tax ID: false where only a name links the record. */
  with_id: boolean;
  /** The record and the company it is linked to each give a province, and they differ. */
  crosses_provinces: boolean;
}

describe.each([
  ['the default quirk rate', defaults.quirkRate],
  ['every row quirky (stress)', 1],
])('linking factories, licences and DIP records to companies, and derived facts, at %s', (_label, quirkRate) => {
  let t: TestHub;
  // Both worlds are `npm start`'s size.
  const scale = DEMO_WORLD.scale;
  const query = async <T = Record<string, unknown>>(sql: string, params: unknown[] = []): Promise<T[]> => t.hub.database.dataSource.query(sql, params);

  beforeAll(async () => {
    if (quirkRate === defaults.quirkRate) {
      // The default path: what `npm start` serves (DEMO_WORLD, the default quirk and bad-row rates),
      // every source loaded: a copy of the loaded world the documentation's examples run against, so
      // the run loads it once. That `npm start`'s first loads (queued at once, two runs at a time)
      // end in the same links as this sequential load is load-order-convergence.test.ts's to show.
      t = await startLoadedHub(DEMO_WORLD);
    } else {
      t = await startTestHub({ scale, simulator: { quirkRate, badRowRate: defaults.badRowRate } });
      // Factories and licences first, companies second: the company run must link what their runs
      // could not. DIP after the companies: its own runs link it.
      for (const source of ['diw', 'tisi-licences', 'dbd-companies', 'dbd-financials', 'dip-participations', 'dip-i40-assessments']) {
        expect((await t.ingestNow(source)).status).toBe('succeeded');
      }
    }
  }, LOADED_HUB_TIMEOUT_MS);
  afterAll(async () => {
    await t?.stop();
  });

  /** The links of `table`, keyed by `key` (SQL over the row), with whether the true firm is loaded. */
  const linksOf = (table: string, key: string, withId: string, truth: Map<string, string>, province = 'NULL::text'): Promise<LinkRow[]> =>
    query<LinkRow>(
      `SELECT ${key} AS key, x.company_juristic_id AS company, x.link_method AS method, x.link_confidence::text AS confidence, ${withId} AS with_id,
              EXISTS (SELECT 1 FROM registry.company c WHERE c.juristic_id = $1::jsonb ->> (${key})) AS owner_loaded,
              coalesce((SELECT c.province <> ${province} FROM registry.company c WHERE c.juristic_id = x.company_juristic_id), false) AS crosses_provinces
       FROM ${table} x`,
      [JSON.stringify(Object.fromEntries(truth))],
    );

  /**
   * A fuzzy name link across provinces (both sides giving one) must clear the much higher bar
   * (FUZZY_MIN_CROSS_PROVINCE), and none the ground truth calls wrong may pass it.
   */
  function expectNoWrongCrossProvinceFuzzyLinks(label: string, rows: LinkRow[], truth: Map<string, string>): void {
    const crossing = rows.filter((r) => r.method === 'FUZZY_NAME' && r.crosses_provinces);
    const wrong = crossing.filter((r) => r.company !== truth.get(r.key));
    process.stdout.write(`[linking] quirk rate ${quirkRate}: ${label}: ${crossing.length} fuzzy links across provinces, ${wrong.length} wrong\n`);
    expect(wrong).toEqual([]);
    for (const row of crossing) expect(Number(row.confidence)).toBeGreaterThanOrEqual(FUZZY_MIN_CROSS_PROVINCE);
  }

  /** Precision over the links made, recall over the records whose firm is loaded. */
  function score(label: string, rows: LinkRow[], truth: Map<string, string>): { precision: number; recall: number } {
    const measure = (subset: LinkRow[]) => {
      const linked = subset.filter((r) => r.company !== null);
      const correct = linked.filter((r) => r.company === truth.get(r.key));
      const linkable = subset.filter((r) => r.owner_loaded);
      return {
        linkable: linkable.length,
        linked: linked.length,
        precision: linked.length === 0 ? 1 : correct.length / linked.length,
        recall: linkable.length === 0 ? 1 : correct.filter((r) => r.owner_loaded).length / linkable.length,
      };
    };
    const all = measure(rows);
    const byName = measure(rows.filter((r) => !r.with_id));
    process.stdout.write(
      `[linking] quirk rate ${quirkRate}: ${label} ${rows.length}, linkable ${all.linkable}, linked ${all.linked}, ` +
        `precision ${all.precision.toFixed(4)}, recall ${all.recall.toFixed(4)}; without ID ${rows.length - rows.filter((r) => r.with_id).length}: ` +
        `linked ${byName.linked}, precision ${byName.precision.toFixed(4)}, recall ${byName.recall.toFixed(4)}\n`,
    );
    return all;
  }

  /** Each link has a method and a confidence in (0, 1], 1 for TAX_ID; at least one link is not by ID. */
  function expectMethods(rows: LinkRow[]): void {
    const linked = rows.filter((r) => r.company !== null);
    const methods = new Set(linked.map((r) => r.method));
    expect([...methods].some((m) => m !== 'TAX_ID')).toBe(true);
    for (const row of linked) {
      expect(['TAX_ID', 'EXACT_NAME_PROVINCE', 'EXACT_NAME', 'FUZZY_NAME']).toContain(row.method);
      expect(Number(row.confidence)).toBeGreaterThan(0);
      expect(Number(row.confidence)).toBeLessThanOrEqual(1);
      if (row.method === 'TAX_ID') expect(Number(row.confidence)).toBe(1);
    }
    for (const row of rows.filter((r) => r.company === null)) expect([row.method, row.confidence]).toEqual([null, null]);
  }

  test('factories: precision ≥ 0.99 and recall ≥ 0.95 against the ground truth, each link with its method and confidence', async () => {
    const truth = new Map<string, string>();
    for (let i = 0; i < factoryCount(scale); i += 1) {
      const factory = factoryAt(t.simulatorOptions.seed, i);
      truth.set(factory.fid, factory.firm.juristicId);
    }
    const rows = await linksOf('registry.factory', 'x.fid', 'x.operator_tax_id IS NOT NULL', truth, 'x.province');
    const { precision, recall } = score('factories', rows, truth);
    expectNoWrongCrossProvinceFuzzyLinks('factories', rows, truth);
    expect(precision).toBeGreaterThanOrEqual(0.99);
    expect(recall).toBeGreaterThanOrEqual(0.95);
    expect(new Set(rows.map((r) => r.method))).toContain('TAX_ID');
    expectMethods(rows);
  });

  test('TISI licences: precision ≥ 0.99 and recall ≥ 0.95, those without the tax ID linked by name', async () => {
    const options = t.simulatorOptions;
    const truth = new Map<string, string>();
    let withoutTaxId = 0;
    for (let i = 0; i < licenceCount(scale); i += 1) {
      truth.set(licenceAt(options.seed, i).licenceNo, licenceAt(options.seed, i).licenseeTaxId);
      if (!licenseeTaxIdWritten(options, i)) withoutTaxId++;
    }
    expect(withoutTaxId).toBeGreaterThan(0);
    const rows = await linksOf('registry.tis_licence', 'x.licence_no', 'x.licensee_tax_id IS NOT NULL', truth, '(SELECT f.province FROM registry.factory f WHERE f.fid = x.fid)');
    expect(rows.some((r) => !r.with_id)).toBe(true);
    const { precision, recall } = score('licences', rows, truth);
    expectNoWrongCrossProvinceFuzzyLinks('licences', rows, truth);
    expect(precision).toBeGreaterThanOrEqual(0.99);
    // With every licence written without its tax ID, a licensee whose plant is outside its own
    // province links by name only when the name clears FUZZY_MIN_CROSS_PROVINCE (0.93 measured,
    // against 0.98 before that rule): the precision the rule buys is measured below, with firms
    // missing from the register.
    expect(recall).toBeGreaterThanOrEqual(quirkRate === 1 ? 0.9 : 0.95);
    expectMethods(rows);
    // The name rules only ever link what the tax ID could not.
    expect(rows.filter((r) => r.with_id && r.owner_loaded).every((r) => r.method === 'TAX_ID')).toBe(true);
  });

  test('DIP participations and assessments: precision ≥ 0.99 and recall ≥ 0.95, those without the juristic ID linked by name', async () => {
    const options = t.simulatorOptions;
    // The key the hub stores: the juristic ID, or name: and the normalised name as written.
    const participant = (record: Record<string, unknown>, written: boolean, juristicId: string) =>
      written ? juristicId : `name:${normaliseCompanyName(String(record['company_name']))}`;
    const participations = new Map<string, string>();
    for (let i = 0; i < participationCount(scale); i += 1) {
      const p = participationAt(options.seed, i);
      const key = participant(participationRecord(options, i), dipIdWritten(options, 'participations', i), p.firm.juristicId);
      participations.set(`${key}|${p.programme.code}|${p.yearBe - 543}`, p.firm.juristicId);
    }
    const assessments = new Map<string, string>();
    for (let i = 0; i < assessmentCount(scale); i += 1) {
      const a = assessmentAt(options.seed, i);
      const key = participant(assessmentRecord(options, i), dipIdWritten(options, 'i40-assessments', i), a.firm.juristicId);
      assessments.set(`${key}|${a.assessedOn}`, a.firm.juristicId);
    }
    for (const [label, table, key, truth, province] of [
      ['participations', 'registry.dip_participation', `x.participant_key || '|' || x.programme_code || '|' || x.year`, participations, 'x.province'],
      ['assessments', 'registry.dip_i40_assessment', `x.participant_key || '|' || to_char(x.assessed_on, 'YYYY-MM-DD')`, assessments, 'NULL::text'],
    ] as const) {
      const rows = await linksOf(table, key, 'x.juristic_id IS NOT NULL', truth, province);
      expectNoWrongCrossProvinceFuzzyLinks(label, rows, truth);
      // Every loaded record is one the simulator wrote, under the key it predicts.
      expect(rows.filter((r) => !truth.has(r.key))).toEqual([]);
      expect(rows.some((r) => !r.with_id)).toBe(true);
      const { precision, recall } = score(label, rows, truth);
      expect(precision).toBeGreaterThanOrEqual(0.99);
      expect(recall).toBeGreaterThanOrEqual(0.95);
      expectMethods(rows);
    }
  });

  test('every loaded company has a profile: region through its province, SME size, and facts through the links', async () => {
    const [counts] = await query<{ companies: number; profiles: number; with_region: number; with_size: number }>(
      `SELECT (SELECT count(*)::int FROM registry.company) AS companies,
              count(*)::int AS profiles,
              count(*) FILTER (WHERE region IS NOT NULL)::int AS with_region,
              count(*) FILTER (WHERE sme_size IS NOT NULL)::int AS with_size
       FROM registry.company_profile`,
    );
    expect(counts!.profiles).toBe(counts!.companies);
    expect(counts!.with_region).toBe(counts!.companies);
    expect(counts!.with_size).toBeGreaterThan(counts!.companies * 0.5);
    const [mismatched] = await query<{ factories: number; certifications: number; i40: number }>(
      `SELECT count(*) FILTER (WHERE p.operating_factories <> (SELECT count(*) FROM registry.factory f
                 WHERE f.company_juristic_id = p.juristic_id AND f.status = 'OPERATING' AND f.absent_since_run_id IS NULL))::int AS factories,
              count(*) FILTER (WHERE p.certifications <> (SELECT count(*) FROM registry.tis_licence l
                 WHERE l.company_juristic_id = p.juristic_id AND l.status = 'VALID' AND l.absent_since_run_id IS NULL))::int AS certifications,
              count(*) FILTER (WHERE p.latest_i40_level IS DISTINCT FROM (SELECT x.overall_level FROM registry.dip_i40_assessment x
                 WHERE x.company_juristic_id = p.juristic_id AND x.absent_since_run_id IS NULL ORDER BY x.assessed_on DESC LIMIT 1))::int AS i40
       FROM registry.company_profile p`,
    );
    expect(mismatched).toEqual({ factories: 0, certifications: 0, i40: 0 });
    // Records the agencies gave no ID for count for the firms they were linked to by name.
    const [byName] = await query<{ certified: number; assessed: number }>(
      `SELECT (SELECT count(DISTINCT l.company_juristic_id)::int FROM registry.tis_licence l JOIN registry.company_profile p ON p.juristic_id = l.company_juristic_id
               WHERE l.licensee_tax_id IS NULL AND l.status = 'VALID' AND l.absent_since_run_id IS NULL AND p.certifications > 0) AS certified,
              (SELECT count(DISTINCT x.company_juristic_id)::int FROM registry.dip_i40_assessment x JOIN registry.company_profile p ON p.juristic_id = x.company_juristic_id
               WHERE x.juristic_id IS NULL AND p.latest_i40_level IS NOT NULL) AS assessed`,
    );
    expect(byName!.certified).toBeGreaterThan(0);
    expect(byName!.assessed).toBeGreaterThan(0);
  });

  test('an incremental run recomputes the profiles of the firms it changed, not of all firms', async () => {
    t.feed.set('epoch=1');
    try {
      const { runId, status } = await t.ingestNow('dbd-companies');
      expect(status).toBe('succeeded');
      const run = (await new IngestionRunRepository(t.hub.database.dataSource).findById(runId))!;
      expect(run.fullRefresh).toBe(false);
      const [touched] = await query<{ changed: number; recomputed: number; companies: number }>(
        `SELECT (SELECT count(*)::int FROM registry.company WHERE source_run_id = $1) AS changed,
                (SELECT count(*)::int FROM registry.company_profile WHERE computed_by_run_id = $1) AS recomputed,
                (SELECT count(*)::int FROM registry.company) AS companies`,
        [runId],
      );
      expect(touched!.changed).toBeGreaterThan(0);
      expect(touched!.recomputed).toBeGreaterThanOrEqual(touched!.changed);
      // Changed firms, plus the few whose factory links moved because a name changed.
      expect(touched!.recomputed).toBeLessThan(touched!.changed * 2 + 10);
      expect(touched!.recomputed).toBeLessThan(touched!.companies / 10);
    } finally {
      t.feed.set('');
    }
  });
});

/**
 * The cross-province rule (FUZZY_MIN_CROSS_PROVINCE), where it matters: records whose firm is not
 * in the register (DBD lists 600 of the world's 3000 firms, every row quirky), so that the best
 * similar name is often another firm's. Below the bar, cross-province fuzzy matches were wrong more
 * often than right (measured at the old nationwide bar of 0.72: 27 right, 36 wrong; none wrong at
 * 0.8 or above); at it, none may be wrong.
 */
describe('a fuzzy name link across provinces, with most firms missing from the register', () => {
  const scale = 3000;
  const world = { seed: defaults.seed, scale, quirkRate: 1, badRowRate: defaults.badRowRate };
  let simulator: RunningSimulator;
  let database: TestDatabase;
  let hub: Database;

  beforeAll(async () => {
    simulator = await startSimulator({ ...world, port: 0, host: '127.0.0.1' });
    database = await createMigratedDatabase();
    const env = { DATABASE_URL: database.url, SIMULATOR_URL: simulator.url, LOG_LEVEL: 'silent', DBD_COMPANIES_FEED_URL: `${simulator.url}/dbd/juristic-persons?scale=600` };
    hub = await openDatabase(loadHubConfig(env), createRootLogger('silent'), { migrate: true, owner: 'cli' });
    const engine = new IngestionEngine(hub.dataSource, hubSources(), loadHubConfig(env), createRootLogger('silent'));
    for (const source of ['dbd-companies', 'diw', 'tisi-standards', 'tisi-licences', 'dip-participations']) {
      expect((await engine.run({ source, trigger: 'manual' })).status).toBe('succeeded');
    }
  }, 180_000);
  afterAll(async () => {
    await hub?.close();
    await database?.drop();
    await simulator?.close();
  });

  test('none is to the wrong firm, and each clears the bar', async () => {
    const truth = new Map<string, string>();
    for (let i = 0; i < factoryCount(scale); i += 1) truth.set(`f:${factoryAt(world.seed, i).fid}`, factoryAt(world.seed, i).firm.juristicId);
    for (let i = 0; i < licenceCount(scale); i += 1) truth.set(`l:${licenceAt(world.seed, i).licenceNo}`, licenceAt(world.seed, i).licenseeTaxId);
    for (let i = 0; i < participationCount(scale); i += 1) {
      const p = participationAt(world.seed, i);
      const key = dipIdWritten(world, 'participations', i) ? p.firm.juristicId : `name:${normaliseCompanyName(String(participationRecord(world, i)['company_name']))}`;
      truth.set(`p:${key}|${p.programme.code}|${p.yearBe - 543}`, p.firm.juristicId);
    }
    const crossing: { key: string; company: string; confidence: number }[] = await hub.dataSource.query(
      `SELECT x.key, x.company, x.confidence::float AS confidence FROM (
         SELECT 'f:' || fid AS key, company_juristic_id AS company, link_confidence AS confidence, province, link_method FROM registry.factory
         UNION ALL SELECT 'l:' || licence_no, company_juristic_id, link_confidence, (SELECT f.province FROM registry.factory f WHERE f.fid = l.fid), link_method FROM registry.tis_licence l
         UNION ALL SELECT 'p:' || participant_key || '|' || programme_code || '|' || year, company_juristic_id, link_confidence, province, link_method FROM registry.dip_participation
       ) x JOIN registry.company c ON c.juristic_id = x.company
       WHERE x.link_method = 'FUZZY_NAME' AND x.province IS NOT NULL AND c.province <> x.province`,
    );
    const wrong = crossing.filter((r) => truth.get(r.key) !== r.company);
    process.stdout.write(`[linking] firms missing from the register: ${crossing.length} fuzzy links across provinces, ${wrong.length} wrong\n`);
    expect(wrong).toEqual([]);
    for (const row of crossing) expect(row.confidence).toBeGreaterThanOrEqual(FUZZY_MIN_CROSS_PROVINCE);
  });
});
