import { IngestionRunRepository, type IngestionRunRecord } from '../../src/ingestion/ingestion-run.repository';
import { bankCatalogue } from '../../src/simulator/banks/bank-catalogue.feed';
import { startTestHub, type TestHub } from '../support/test-hub';

/**
 * The partner banks' catalogue sources end to end: both catalogues served by the simulator, loaded
 * by the engine into lending.loan_product, with every rule set kept as a version.
 */
describe('Loan product catalogues', () => {
  let t: TestHub;
  let runs: IngestionRunRepository;

  const query = async <T = Record<string, unknown>>(sql: string, params: unknown[] = []): Promise<T[]> => t.hub.database.dataSource.query(sql, params);
  const ingest = async (source: string): Promise<IngestionRunRecord> => (await runs.findById((await t.ingestNow(source)).runId))!;
  const versions = (productCode: string) =>
    query<{ version: number; rules: { criteria: { kind: string }[] }; created_by_run_id: string }>(
      `SELECT version, rules, created_by_run_id::text FROM lending.loan_product_rule_set WHERE product_code = $1 ORDER BY version`,
      [productCode],
    );

  beforeAll(async () => {
    t = await startTestHub({ scale: 200 });
    runs = new IngestionRunRepository(t.hub.database.dataSource);
  });
  afterAll(async () => {
    await t?.stop();
  });

  test.each([
    ['smed-products', 'SMED'],
    ['exim-products', 'EXIM'],
  ] as const)('%s loads the bank’s whole catalogue, each product at rule set version 1', async (source, bank) => {
    const served = bankCatalogue(bank, { edition: 1, badRule: false }).products;
    expect(served.length).toBeGreaterThanOrEqual(3);
    const run = await ingest(source);
    expect(run).toMatchObject({ status: 'succeeded', rowsRead: served.length, rowsInserted: served.length, rowsRejected: 0 });

    const products = await query<{ product_code: string; source: string; source_run_id: string; rule_set_version: number; rules: unknown; name_en: string; policy_theme: string }>(
      `SELECT product_code, source, source_run_id::text, rule_set_version, rules, name_en, policy_theme FROM lending.loan_product WHERE bank_code = $1 ORDER BY product_code`,
      [bank],
    );
    expect(products.map((p) => p.product_code)).toEqual(served.map((p) => p['productCode']).sort());
    for (const product of products) {
      expect(product).toMatchObject({ source, source_run_id: run.id, rule_set_version: 1 });
      expect(product.rules).toEqual(served.find((p) => p['productCode'] === product.product_code)!['eligibility']);
      expect(await versions(product.product_code)).toEqual([{ version: 1, rules: product.rules, created_by_run_id: run.id }]);
    }
  });

  test('the catalogues hold the products of the domain brief', async () => {
    const rows = await query<{ product_code: string; max_amount_baht: string | null; max_term_months: number | null }>(
      `SELECT product_code, max_amount_baht::text, max_term_months FROM lending.loan_product ORDER BY product_code`,
    );
    const byCode = new Map(rows.map((r) => [r.product_code, r]));
    expect(byCode.get('SMED-SMALL-1M')).toMatchObject({ max_amount_baht: '1000000.00', max_term_months: 84 });
    expect(byCode.get('SMED-THAI-JURISTIC-15M')).toMatchObject({ max_amount_baht: '15000000.00' });
    expect(byCode.get('EXIM-EXPORT-LIQUIDITY-20M')).toMatchObject({ max_amount_baht: '20000000.00' });
    expect(byCode.get('EXIM-EEC-CREDIT-LINE')).toMatchObject({ max_amount_baht: null, max_term_months: 180 });
    expect([...byCode.keys()]).toEqual(expect.arrayContaining(['SMED-I40-UPGRADE', 'EXIM-S-CURVE']));
  });

  test('the same catalogue again writes nothing and adds no version', async () => {
    const run = await ingest('smed-products');
    expect(run).toMatchObject({ status: 'succeeded', rowsInserted: 0, rowsUpdated: 0, rowsUnchanged: 3 });
    expect(await query(`SELECT 1 FROM lending.loan_product_rule_set WHERE version > 1`)).toHaveLength(0);
  });

  test('a changed rule set creates version 2 and keeps version 1; a changed rate alone adds no version', async () => {
    t.feed.set('edition=2');
    try {
      const smed = await ingest('smed-products');
      expect(smed).toMatchObject({ status: 'succeeded', rowsUpdated: 1, rowsUnchanged: 2 });
      const small = await versions('SMED-SMALL-1M');
      expect(small.map((v) => v.version)).toEqual([1, 2]);
      expect(small[0]!.rules.criteria.map((c) => c.kind)).toEqual(['activeStatus', 'anyOf', 'anyOf']);
      expect(small[1]!.rules.criteria.map((c) => c.kind)).toEqual(['activeStatus', 'anyOf', 'anyOf', 'yearsSinceRegistration']);
      expect(small[1]!.created_by_run_id).toBe(smed.id);
      const [product] = await query<{ rule_set_version: number; rules: unknown }>(`SELECT rule_set_version, rules FROM lending.loan_product WHERE product_code = 'SMED-SMALL-1M'`);
      expect(product).toEqual({ rule_set_version: 2, rules: small[1]!.rules });

      const exim = await ingest('exim-products');
      expect(exim).toMatchObject({ status: 'succeeded', rowsUpdated: 1 });
      expect((await versions('EXIM-EXPORT-LIQUIDITY-20M')).map((v) => v.version)).toEqual([1]);
      const [rate] = await query<{ rate_description: string; rule_set_version: number }>(
        `SELECT rate_description, rule_set_version FROM lending.loan_product WHERE product_code = 'EXIM-EXPORT-LIQUIDITY-20M'`,
      );
      expect(rate).toEqual({ rate_description: expect.stringMatching(/1\.5%/), rule_set_version: 1 });
    } finally {
      t.feed.set('');
    }
  });

  test.each([
    ['smed-products', 'SMED-THAI-JURISTIC-15M', /^product SMED-THAI-JURISTIC-15M: eligibility: invalid rule set: criteria\[2\]\.moreThan \(thaiShareholdingPct\): /],
    ['exim-products', 'EXIM-EEC-CREDIT-LINE', /^product EXIM-EEC-CREDIT-LINE: eligibility: invalid rule set: criteria\[2\]\.eec \(location\): eec may only be true/],
  ])('%s: a product with a bad rule is quarantined naming the rule, and the others load', async (source, productCode, reason) => {
    expect((await ingest('dbd-companies')).status).toBe('succeeded'); // firms to evaluate
    t.feed.set('edition=2&fault=bad-rule');
    let run: IngestionRunRecord;
    try {
      run = await ingest(source);
    } finally {
      t.feed.set('edition=2');
    }
    expect(run).toMatchObject({ status: 'succeeded', rowsRejected: 1, rowsMarkedAbsent: 1, rowsInserted: 0, rowsUpdated: 0, rowsUnchanged: 2 });
    const quarantined = await runs.quarantinedRows(run.id, 10);
    expect(quarantined).toEqual([{ lineNo: expect.any(Number), reason: expect.stringMatching(reason), raw: expect.objectContaining({ productCode }) }]);
    // Withdrawn until the bank fixes it: no result may be computed from rules it no longer publishes.
    const [product] = await query<{ absent: boolean; rule_set_version: number }>(
      `SELECT absent_since_run_id IS NOT NULL AS absent, rule_set_version FROM lending.loan_product WHERE product_code = $1`,
      [productCode],
    );
    expect(product).toEqual({ absent: true, rule_set_version: 1 });

    const fixed = await ingest(source);
    expect(fixed).toMatchObject({ status: 'succeeded', rowsRejected: 0, rowsUpdated: 1 });
    const [back] = await query<{ absent: boolean }>(`SELECT absent_since_run_id IS NOT NULL AS absent FROM lending.loan_product WHERE product_code = $1`, [productCode]);
    expect(back!.absent).toBe(false);
    expect((await versions(productCode)).map((v) => v.version)).toEqual([1]);
    // Its results were dropped while withdrawn: back in the catalogue, every firm is evaluated again.
    const [evaluated] = await query<{ results: number; companies: number }>(
      `SELECT (SELECT count(*)::int FROM lending.eligibility_result WHERE product_code = $1) AS results, (SELECT count(*)::int FROM registry.company) AS companies`,
      [productCode],
    );
    expect(evaluated!.companies).toBeGreaterThan(0);
    expect(evaluated!.results).toBe(evaluated!.companies);
    t.feed.set('');
  });
});
