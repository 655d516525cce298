import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { attributesHash, loadCompanyAttributes } from '../../src/eligibility/company-attributes';
import type { Queryable } from '../../src/ingestion/ingestion-run.repository';
import { bangkokDate } from '../../src/shared/calendar';
import { detailsHash } from '../../src/eligibility/criteria-text';
import { evaluateRuleSet } from '../../src/eligibility/rules/evaluate';
import { parseRuleSet } from '../../src/eligibility/rules/rule-set';
import { ruleSetUses } from '../../src/eligibility/rules/rule-set';
import { createRootLogger } from '../../src/platform/logging/logger';
import { startTestHub, type TestHub } from '../support/test-hub';

/**
 * A whole register (DIW's factories, TISI's licences) that first loads after eligibility was
 * computed: until then no firm's count in it is known; after it, every firm's is, most of them
 * none. The banks' stored results must say so for every firm, not only for the firms the
 * register holds rows for, and not only from the firm's next change on.
 */
describe('The first load of a whole register after eligibility was computed', () => {
  let t: TestHub;
  const logged: { msg?: string; runId?: string; eligibility?: { results: number } }[] = [];

  beforeAll(async () => {
    const destination = { write: (line: string): void => void logged.push(JSON.parse(line) as (typeof logged)[number]) };
    t = await startTestHub({ scale: 400, logger: createRootLogger('info', destination) });
    // The order a hub meets when DIW's or TISI's feed was down on its first day.
    for (const source of ['dbd-companies', 'dbd-financials', 'smed-products', 'exim-products']) {
      const { status } = await t.ingestNow(source);
      if (status !== 'succeeded') throw new Error(`loading ${source} for the test ended ${status}`);
    }
  });
  afterAll(async () => {
    await t?.stop();
  });

  const db = (): Queryable => ({
    query: async <T>(text: string, params?: unknown[]) => ({ rows: await t.sql<T>(text, params), rowCount: null }),
  });

  type Criterion = { kind: string; outcome: string; provenance: { source: string; runId: string } | null; criteria?: Criterion[] };
  const flatten = (criteria: Criterion[]): Criterion[] => criteria.flatMap((c) => [c, ...flatten(c.criteria ?? [])]);
  const operatingFactoryCriteria = async (): Promise<Criterion[]> =>
    (await t.sql<{ criteria: Criterion[] }>(`SELECT criteria FROM lending.eligibility_result`)).flatMap((r) => flatten(r.criteria)).filter((c) => c.kind === 'operatingFactory');

  /** Every firm's stored results and attribute digest are what evaluating its attributes now gives. */
  async function expectNoFirmStale(): Promise<void> {
    const ids = (await t.sql<{ juristic_id: string }>(`SELECT juristic_id FROM registry.company ORDER BY 1`)).map((r) => r.juristic_id);
    expect(ids.length).toBeGreaterThan(300);
    const attributes = await loadCompanyAttributes(db(), ids);
    const digests = new Map((await t.sql<{ juristic_id: string; attributes_hash: string }>(`SELECT juristic_id, attributes_hash FROM lending.eligibility_input`)).map((r) => [r.juristic_id, r.attributes_hash]));
    const products = await t.sql<{ bank_code: string; product_code: string; rules: unknown }>(
      `SELECT bank_code, product_code, rules FROM lending.loan_product WHERE absent_since_run_id IS NULL AND rule_set_version IS NOT NULL`,
    );
    expect(products.length).toBeGreaterThan(0);
    const stored = new Map(
      (await t.sql<{ key: string; eligible: boolean; outcome: string; details_hash: string }>(
        `SELECT juristic_id || bank_code || product_code AS key, eligible, outcome, details_hash FROM lending.eligibility_result`,
      )).map(({ key, ...rest }) => [key, rest]),
    );
    let stale = 0;
    for (const [id, company] of attributes) {
      if (digests.get(id) !== attributesHash(company)) stale += 1;
      for (const p of products) {
        const result = evaluateRuleSet(parseRuleSet(p.rules), company, { asOf: bangkokDate() });
        const now = { eligible: result.eligible, outcome: result.outcome, details_hash: detailsHash(result.criteria) };
        if (JSON.stringify(stored.get(id + p.bank_code + p.product_code)) !== JSON.stringify(now)) stale += 1;
      }
    }
    expect(stale).toBe(0);
  }

  test('before it, no firm’s operating factories are known', async () => {
    const criteria = await operatingFactoryCriteria();
    expect(criteria.length).toBeGreaterThan(0);
    expect(criteria.every((c) => c.outcome === 'UNKNOWN' && c.provenance === null)).toBe(true);
    await expectNoFirmStale();
  });

  test('DIW’s first load makes every firm’s known, from that run, in every stored result', async () => {
    const withFactories = async (): Promise<number> => (await t.sql<{ n: number }>(`SELECT count(DISTINCT company_juristic_id)::int AS n FROM registry.factory`))[0]!.n;
    const { runId, status } = await t.ingestNow('diw');
    expect(status).toBe('succeeded');
    const firms = (await t.sql<{ n: number }>(`SELECT count(*)::int AS n FROM registry.company`))[0]!.n;
    // Most firms have no factory: their results changed although the run wrote no row of theirs.
    expect(await withFactories()).toBeLessThan(firms / 2);
    const criteria = await operatingFactoryCriteria();
    expect(criteria.filter((c) => c.outcome === 'UNKNOWN')).toEqual([]);
    expect(criteria.some((c) => c.outcome === 'FAIL') && criteria.some((c) => c.outcome === 'PASS')).toBe(true);
    expect(new Set(criteria.map((c) => `${c.provenance?.source}:${c.provenance?.runId}`))).toEqual(new Set([`diw:${runId}`]));
    await expectNoFirmStale();
    // Firms whose only change was the register were evaluated only for the products that read it.
    const products = await t.sql<{ rules: unknown }>(`SELECT rules FROM lending.loan_product WHERE absent_since_run_id IS NULL AND rule_set_version IS NOT NULL`);
    const readers = products.filter((p) => ruleSetUses(parseRuleSet(p.rules), ['operatingFactory'])).length;
    expect(readers).toBeGreaterThan(0);
    expect(readers).toBeLessThan(products.length);
    const derived = logged.find((line) => line.msg === 'links and derived facts updated' && line.runId === runId);
    expect(derived?.eligibility?.results).toBeGreaterThanOrEqual(firms * readers);
    expect(derived?.eligibility?.results).toBeLessThan(firms * products.length);
  });

  test('TISI’s first load leaves every firm’s digest current too (licences held or none)', async () => {
    for (const source of ['tisi-standards', 'tisi-licences']) expect((await t.ingestNow(source)).status).toBe('succeeded');
    // Every firm's digest: no product of the simulator's banks reads licences, so no result changes.
    await expectNoFirmStale();
  });

  test('`hub eligibility:recompute` repairs the results an older hub left stale, and only those', async () => {
    // What a hub before this fix left after DIW's first load: firms without factories still stored
    // with their factories unknown (and the digest of that). Firms with factories stay as they are.
    const stale = (
      await t.sql<{ juristic_id: string }>(
        `SELECT c.juristic_id FROM registry.company c
         WHERE NOT EXISTS (SELECT 1 FROM registry.factory f WHERE f.company_juristic_id = c.juristic_id) ORDER BY 1 LIMIT 25`,
      )
    ).map((r) => r.juristic_id);
    expect(stale.length).toBe(25);
    await t.sql(`UPDATE lending.eligibility_input SET attributes_hash = 'left by an older hub' WHERE juristic_id = ANY ($1)`, [stale]);
    await t.sql(`UPDATE lending.eligibility_result SET outcome = 'UNKNOWN', eligible = false, details_hash = 'left by an older hub' WHERE juristic_id = ANY ($1)`, [stale]);
    const untouched = `SELECT juristic_id || bank_code || product_code AS key, computed_by_run_id::text AS run FROM lending.eligibility_result WHERE NOT juristic_id = ANY ($1) ORDER BY 1`;
    const before = await t.sql(untouched, [stale]);

    const cli = path.resolve(__dirname, '..', '..', 'dist', 'src', 'cli.js');
    const { stdout } = await promisify(execFile)(process.execPath, [cli, 'eligibility:recompute'], { env: { ...process.env, DATABASE_URL: t.database.url, LOG_LEVEL: 'warn' } });
    expect(stdout).toMatch(/source=eligibility-recompute .*status=succeeded/);
    const firms = (await t.sql<{ n: number }>(`SELECT count(*)::int AS n FROM registry.company`))[0]!.n;
    expect(stdout).toContain(`${firms - stale.length} firms unchanged (skipped)`);
    await expectNoFirmStale();
    // Every other firm's results were skipped, not rewritten.
    expect(await t.sql(untouched, [stale])).toEqual(before);
  });
});
