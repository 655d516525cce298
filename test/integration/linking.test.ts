import { loadConfig } from '../../src/config/config';
import { IngestionRunRepository } from '../../src/ingestion/ingestion-run.repository';
import { factoryAt, factoryCount } from '../../src/simulator/world/world';
import { startTestHub, type TestHub } from '../support/test-hub';

/**
 * Factories linked to companies, scored against the simulator's ground truth (it knows which firm
 * runs each factory, and it blanked TRADE for some and wrote operator names as clerks do), at the
 * default quirk and bad-row rates; then derived facts, recomputed only for the firms a run touched.
 */
const defaults = loadConfig({}).simulator;

describe.each([
  ['the default quirk rate', defaults.quirkRate],
  ['every row quirky (stress)', 1],
])('linking factories to companies, and derived facts, at %s', (_label, quirkRate) => {
  let t: TestHub;
  const scale = 5000;
  const query = async <T = Record<string, unknown>>(sql: string, params: unknown[] = []): Promise<T[]> => t.hub.database.dataSource.query(sql, params);

  beforeAll(async () => {
    t = await startTestHub({ scale, simulator: { quirkRate, badRowRate: defaults.badRowRate } });
    // Factories first, companies second: the company run must link what the factory run could not.
    expect((await t.ingestNow('diw')).status).toBe('succeeded');
    expect((await t.ingestNow('dbd-companies')).status).toBe('succeeded');
    expect((await t.ingestNow('dbd-financials')).status).toBe('succeeded');
  }, 120_000);
  afterAll(async () => {
    await t?.stop();
  });

  test('precision ≥ 0.99 and recall ≥ 0.95 against the ground truth, each link with its method and confidence', async () => {
    const truth = new Map<string, string>();
    for (let i = 0; i < factoryCount(scale); i += 1) {
      const factory = factoryAt(t.simulatorOptions.seed, i);
      truth.set(factory.fid, factory.firm.juristicId);
    }
    const rows = await query<{ fid: string; company: string | null; method: string | null; confidence: string | null; owner_loaded: boolean }>(
      `SELECT f.fid, f.company_juristic_id AS company, f.link_method AS method, f.link_confidence::text AS confidence,
              EXISTS (SELECT 1 FROM registry.company c WHERE c.juristic_id = $1::jsonb ->> f.fid) AS owner_loaded
       FROM registry.factory f`,
      [JSON.stringify(Object.fromEntries(truth))],
    );
    const linked = rows.filter((r) => r.company !== null);
    const correct = linked.filter((r) => r.company === truth.get(r.fid));
    const linkable = rows.filter((r) => r.owner_loaded);
    const precision = correct.length / linked.length;
    const recall = correct.filter((r) => r.owner_loaded).length / linkable.length;
    process.stdout.write(`[linking] quirk rate ${quirkRate}: factories ${rows.length}, linkable ${linkable.length}, linked ${linked.length}, precision ${precision.toFixed(4)}, recall ${recall.toFixed(4)}\n`);
    expect(precision).toBeGreaterThanOrEqual(0.99);
    expect(recall).toBeGreaterThanOrEqual(0.95);

    const methods = new Set(linked.map((r) => r.method));
    expect(methods).toContain('TAX_ID');
    expect([...methods].some((m) => m !== 'TAX_ID')).toBe(true);
    for (const row of linked) {
      expect(Number(row.confidence)).toBeGreaterThan(0);
      expect(Number(row.confidence)).toBeLessThanOrEqual(1);
      if (row.method === 'TAX_ID') expect(Number(row.confidence)).toBe(1);
    }
  });

  test('every loaded company has a profile: region through its province, SME size, operating factories', async () => {
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
    const [factories] = await query<{ mismatched: number }>(
      `SELECT count(*)::int AS mismatched FROM registry.company_profile p
       WHERE p.operating_factories <> (SELECT count(*) FROM registry.factory f
         WHERE f.company_juristic_id = p.juristic_id AND f.status = 'OPERATING' AND f.absent_since_run_id IS NULL)`,
    );
    expect(factories!.mismatched).toBe(0);
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
