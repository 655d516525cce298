import { companyIdBatches, loadCompanyAttributes } from '../../src/eligibility/company-attributes';
import { evaluateRuleSet, type Outcome } from '../../src/eligibility/rules/evaluate';
import { parseRuleSet } from '../../src/eligibility/rules/rule-set';
import type { Queryable } from '../../src/ingestion/ingestion-run.repository';
import { pgPool } from '../../src/platform/database/data-source';
import { LOADED_HUB_TIMEOUT_MS, startLoadedHub } from '../support/loaded-hub';
import type { TestHub } from '../support/test-hub';

/** The rule engine's view of companies, loaded from a hub holding every source's data. */
describe('Company attributes for eligibility', () => {
  let t: TestHub;
  let db: Queryable;
  let statements: number;
  /** Counts the statements the loader sends. */
  let counting: Queryable;

  const sql = <T>(text: string, params: unknown[] = []): Promise<T[]> => t.hub.database.dataSource.query(text, params);
  const lastRun = async (source: string): Promise<string> =>
    (await sql<{ id: string }>(`SELECT last_success_run_id::text AS id FROM ingestion.source_state WHERE source = $1`, [source]))[0]!.id;

  beforeAll(async () => {
    t = await startLoadedHub({ scale: 600 });
    db = pgPool(t.hub.database.dataSource);
    counting = {
      query: (text, params) => {
        statements += 1;
        return db.query(text, params);
      },
    };
  }, LOADED_HUB_TIMEOUT_MS);
  afterAll(async () => {
    await t?.stop();
  });

  test('one statement loads every requested firm; unknown IDs are left out', async () => {
    const ids = (await sql<{ juristic_id: string }>(`SELECT juristic_id FROM registry.company ORDER BY juristic_id`)).map((r) => r.juristic_id);
    expect(ids.length).toBeGreaterThan(500);
    statements = 0;
    const attributes = await loadCompanyAttributes(counting, [...ids, '0105599999990']);
    expect(statements).toBe(1);
    expect(attributes.size).toBe(ids.length);
    expect(attributes.has('0105599999990')).toBe(false);
    expect(await loadCompanyAttributes(counting, [])).toEqual(new Map());
  });

  test('each value agrees with the registry and names the source and run it came from', async () => {
    const companies = await sql<{ juristic_id: string; juristic_type_code: string; status: string; registered_on: string | null; thai: string | null; run: string; eec: boolean | null; code: string | null }>(
      `SELECT c.juristic_id, c.juristic_type_code, c.status, c.registered_on::text, c.thai_shareholding_pct::text AS thai, c.source_run_id::text AS run, p.eec, p.code
       FROM registry.company c LEFT JOIN reference.province p ON p.name_th = c.province ORDER BY c.juristic_id`,
    );
    const attributes = await loadCompanyAttributes(db, companies.map((c) => c.juristic_id));
    for (const c of companies) {
      const a = attributes.get(c.juristic_id)!;
      const dbd = { source: 'dbd-companies', runId: c.run };
      expect(a.juristicType).toEqual({ value: c.juristic_type_code === 'UNKNOWN' ? null : c.juristic_type_code, provenance: dbd });
      expect(a.status).toEqual({ value: c.status === 'UNKNOWN' ? null : c.status, provenance: dbd });
      expect(a.registeredOn).toEqual({ value: c.registered_on, provenance: dbd });
      expect(a.thaiShareholdingPct).toEqual({ value: c.thai === null ? null : Number(c.thai), provenance: dbd });
      expect(a.province.value?.code ?? null).toBe(c.code);
      expect(a.province.value?.eec ?? null).toBe(c.eec);
    }
    // The EEC flag comes from reference.province.
    const inEec = companies.filter((c) => c.eec === true);
    expect(inEec.length).toBeGreaterThan(0);
    for (const c of inEec) expect(['20', '21', '24']).toContain(attributes.get(c.juristic_id)!.province.value!.code);
  });

  test('financial values come from the latest statement, with its run', async () => {
    const latest = await sql<{ juristic_id: string; employees: number | null; revenue: string | null; fixed: string | null; run: string }>(
      `SELECT DISTINCT ON (juristic_id) juristic_id, employees, revenue_baht::text AS revenue, fixed_assets_baht::text AS fixed, source_run_id::text AS run
       FROM registry.financial_statement WHERE absent_since_run_id IS NULL AND juristic_id IN (SELECT juristic_id FROM registry.company)
       ORDER BY juristic_id, fiscal_year DESC`,
    );
    expect(latest.length).toBeGreaterThan(0);
    const attributes = await loadCompanyAttributes(db, latest.map((r) => r.juristic_id));
    for (const r of latest) {
      const a = attributes.get(r.juristic_id)!;
      const fin = { source: 'dbd-financials', runId: r.run };
      expect(a.employees).toEqual({ value: r.employees, provenance: fin });
      expect(a.revenueBaht).toEqual({ value: r.revenue === null ? null : Number(r.revenue), provenance: fin });
      expect(a.fixedAssetsBaht).toEqual({ value: r.fixed === null ? null : Number(r.fixed), provenance: fin });
      if (a.smeSize.value) expect(a.smeSize.value.exact).toBe(r.revenue !== null && r.employees !== null);
    }
    const [withoutStatement] = await sql<{ juristic_id: string }>(
      `SELECT juristic_id FROM registry.company c WHERE NOT EXISTS (SELECT 1 FROM registry.financial_statement f WHERE f.juristic_id = c.juristic_id) LIMIT 1`,
    );
    if (withoutStatement) {
      const a = (await loadCompanyAttributes(db, [withoutStatement.juristic_id])).get(withoutStatement.juristic_id)!;
      expect([a.employees, a.revenueBaht, a.smeSize]).toEqual([{ value: null, provenance: null }, { value: null, provenance: null }, { value: null, provenance: null }]);
    }
  });

  test('licences, factories and Industry 4.0 levels: a loaded register answers none rather than unknown; no assessment is unknown', async () => {
    const [licensed] = await sql<{ juristic_id: string; standards: string[] }>(
      // Licences and assessments are the firm's through their links (by ID, or by name where the agency gave none).
      `SELECT company_juristic_id AS juristic_id, array_agg(DISTINCT tis_no ORDER BY tis_no) AS standards FROM registry.tis_licence
       WHERE status = 'VALID' AND absent_since_run_id IS NULL AND company_juristic_id IS NOT NULL GROUP BY 1 LIMIT 1`,
    );
    const [operating] = await sql<{ juristic_id: string; n: number }>(
      `SELECT company_juristic_id AS juristic_id, count(*)::int AS n FROM registry.factory WHERE status = 'OPERATING' AND absent_since_run_id IS NULL
       AND company_juristic_id IS NOT NULL GROUP BY 1 ORDER BY 1 LIMIT 1`,
    );
    const [assessed] = await sql<{ juristic_id: string; level: string; run: string }>(
      `SELECT DISTINCT ON (company_juristic_id) company_juristic_id AS juristic_id, overall_level::text AS level, source_run_id::text AS run
       FROM registry.dip_i40_assessment WHERE company_juristic_id IS NOT NULL ORDER BY company_juristic_id, assessed_on DESC LIMIT 1`,
    );
    const [bare] = await sql<{ juristic_id: string }>(
      `SELECT juristic_id FROM registry.company c
       WHERE NOT EXISTS (SELECT 1 FROM registry.tis_licence l WHERE l.company_juristic_id = c.juristic_id AND l.status = 'VALID')
         AND NOT EXISTS (SELECT 1 FROM registry.factory f WHERE f.company_juristic_id = c.juristic_id AND f.status = 'OPERATING')
         AND NOT EXISTS (SELECT 1 FROM registry.dip_i40_assessment a WHERE a.company_juristic_id = c.juristic_id) LIMIT 1`,
    );
    const attributes = await loadCompanyAttributes(db, [licensed!.juristic_id, operating!.juristic_id, assessed!.juristic_id, bare!.juristic_id]);
    const tisi = { source: 'tisi-licences', runId: await lastRun('tisi-licences') };
    const diw = { source: 'diw', runId: await lastRun('diw') };
    expect(attributes.get(licensed!.juristic_id)!.validLicenceStandards).toEqual({ value: licensed!.standards, provenance: tisi });
    expect(attributes.get(operating!.juristic_id)!.operatingFactories).toEqual({ value: operating!.n, provenance: diw });
    expect(attributes.get(assessed!.juristic_id)!.i40Level).toEqual({ value: Number(assessed!.level), provenance: { source: 'dip-i40-assessments', runId: assessed!.run } });
    const none = attributes.get(bare!.juristic_id)!;
    expect(none.validLicenceStandards).toEqual({ value: [], provenance: tisi });
    expect(none.operatingFactories).toEqual({ value: 0, provenance: diw });
    expect(none.i40Level).toEqual({ value: null, provenance: null });
  });

  test('every firm, in batches, against the loaded catalogues: one outcome per firm and product, some eligible, most firms outside the EEC', async () => {
    const products = await sql<{ product_code: string; rules: unknown; rule_set_version: number }>(
      `SELECT product_code, rules, rule_set_version FROM lending.loan_product WHERE absent_since_run_id IS NULL ORDER BY product_code`,
    );
    expect(products.map((p) => p.product_code)).toEqual(expect.arrayContaining(['SMED-SMALL-1M', 'EXIM-EEC-CREDIT-LINE']));
    const ruleSets = products.map((p) => ({ code: p.product_code, version: p.rule_set_version, rules: parseRuleSet(p.rules) }));
    const tally = new Map<string, Record<Outcome, number>>(ruleSets.map((r) => [r.code, { PASS: 0, FAIL: 0, UNKNOWN: 0 }]));
    const total = (await sql<{ n: number }>(`SELECT count(*)::int AS n FROM registry.company`))[0]!.n;
    let firms = 0;
    statements = 0;
    for await (const ids of companyIdBatches(counting, 250)) {
      const attributes = await loadCompanyAttributes(counting, ids);
      for (const company of attributes.values()) {
        firms += 1;
        for (const { code, rules } of ruleSets) tally.get(code)![evaluateRuleSet(rules, company, { asOf: '2025-01-15' }).outcome] += 1;
      }
    }
    expect(firms).toBe(total);
    // Per batch one statement for the IDs and one for their attributes, then the empty last page.
    expect(statements).toBe(Math.ceil(total / 250) * 2 + 1);
    for (const counts of tally.values()) expect(counts.PASS + counts.FAIL + counts.UNKNOWN).toBe(total);
    expect(tally.get('SMED-SMALL-1M')!.PASS).toBeGreaterThan(0);
    expect(tally.get('EXIM-EEC-CREDIT-LINE')!.PASS).toBeGreaterThan(0);
    expect(tally.get('EXIM-EEC-CREDIT-LINE')!.FAIL).toBeGreaterThan(tally.get('EXIM-EEC-CREDIT-LINE')!.PASS);
  });
});
