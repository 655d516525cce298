import { startLoadedHub } from '../support/loaded-hub';
import type { TestHub } from '../support/test-hub';

/**
 * What a credit officer reads in an explanation: every evaluated criterion with the rule it was
 * judged against (typed operator and thresholds, Thai and English text), its value as typed JSON,
 * outcome and provenance; and each product's policy theme, rate and rules.
 */
describe('Eligibility explanations', () => {
  let t: TestHub;
  let smed: string;
  let admin: string;

  beforeAll(async () => {
    t = await startLoadedHub({ scale: 200 });
    [smed, admin] = await Promise.all([t.createApiKey('bank', 'SMED'), t.createApiKey('admin')]);
  });
  afterAll(async () => {
    await t?.stop();
  });

  const RULE = 'path kind id operator comparisons { operator threshold } values equals eec unit note textTh textEn';
  type Rule = { path: string; kind: string; operator: string; comparisons: { operator: string; threshold: number }[]; values: string[]; textTh: string; textEn: string; criteria?: Rule[] };
  type Criterion = { path: string; kind: string; outcome: string; value: string | null; valueJson: unknown; provenance: { source: string; runId: string } | null; rule: Rule | null; criteria: Criterion[] };

  test('every criterion of every stored result answers its rule, typed value, outcome and provenance', async () => {
    const data = await t.graphqlData<{ companies: { edges: { node: { juristicId: string; eligibility: { product: { code: string }; ruleSetVersion: number; criteria: Criterion[] }[] } }[] } }>(
      `{ companies(first: 10) { edges { node { juristicId eligibility { product { code } ruleSetVersion criteria {
          path kind outcome value valueJson provenance { source runId } rule { ${RULE} }
          criteria { path kind outcome value valueJson rule { ${RULE} } criteria { path } } } } } } } }`,
      {},
      admin,
    );
    const all = data.companies.edges.flatMap(({ node: c }) => c.eligibility.flatMap((e) => e.criteria.flatMap((c) => [c, ...c.criteria])));
    expect(all.length).toBeGreaterThan(30);
    const kinds = new Set<string>();
    for (const c of all) {
      kinds.add(c.kind);
      // The rule is the one at the same place of the same rule set.
      expect(c.rule).not.toBeNull();
      expect(c.rule!.path).toBe(c.path);
      expect(c.rule!.kind).toBe(c.kind);
      expect(c.rule!.textEn).not.toBe('');
      expect(c.rule!.textTh).toMatch(/[\u0E00-\u0E7F]/);
      // The typed value is the deprecated text's JSON, no longer inside a string.
      expect(c.valueJson).toEqual(c.value === null ? null : JSON.parse(c.value));
      if (c.rule!.operator === 'IN_RANGE') {
        expect(c.rule!.comparisons.length).toBeGreaterThan(0);
        if (c.valueJson !== null && typeof c.valueJson === 'number') expect(typeof c.valueJson).toBe('number');
      }
    }
    // The simulated catalogues use most kinds: each one seen was explained.
    expect(kinds.size).toBeGreaterThanOrEqual(8);
    const employees = all.find((c) => c.kind === 'employees' && c.valueJson !== null)!;
    expect(typeof employees.valueJson).toBe('number');
    expect(employees.rule!.comparisons[0]).toEqual({ operator: 'LTE', threshold: expect.any(Number) });
    expect(employees.rule!.textEn).toMatch(/^employees at most \d/);
    const status = all.find((c) => c.kind === 'activeStatus' && c.valueJson !== null)!;
    expect(typeof status.valueJson).toBe('string');
  });

  test('a result keeps the rules of the version it was computed with, not the product’s current ones', async () => {
    const [row] = await t.sql<{ bank_code: string; product_code: string; juristic_id: string; rule_set_version: number }>(
      `SELECT bank_code, product_code, juristic_id, rule_set_version FROM lending.eligibility_result WHERE bank_code = 'SMED' ORDER BY juristic_id LIMIT 1`,
    );
    const [version] = await t.sql<{ rules: { criteria: { kind: string }[] } }>(
      `SELECT rules FROM lending.loan_product_rule_set WHERE bank_code = $1 AND product_code = $2 AND version = $3`,
      [row!.bank_code, row!.product_code, row!.rule_set_version],
    );
    const data = await t.graphqlData<{ company: { eligibility: { product: { code: string }; criteria: Criterion[] }[] } }>(
      `query($id: JuristicId!) { company(juristicId: $id) { eligibility { product { code } criteria { path kind rule { kind path } } } } }`,
      { id: row!.juristic_id },
      smed,
    );
    const result = data.company.eligibility.find((e) => e.product.code === row!.product_code)!;
    expect(result.criteria.map((c) => c.rule!.kind)).toEqual(version!.rules.criteria.map((c) => c.kind));
  });

  test('a product answers its policy theme, rate description and rules as data and as text', async () => {
    const { loanProducts } = await t.graphqlData<{ loanProducts: { bank: string; code: string; policyTheme: string; rateDescription: string | null; ruleSet: { criteria: unknown[] }; rules: Rule[] }[] }>(
      `{ loanProducts { bank code policyTheme rateDescription ruleSet rules { ${RULE} criteria { ${RULE} } } } }`,
      {},
      smed,
    );
    expect(loanProducts.length).toBeGreaterThan(0);
    expect(loanProducts.every((p) => p.bank === 'SMED')).toBe(true);
    const stored = await t.sql<{ product_code: string; policy_theme: string; rate_description: string | null; rules: { criteria: unknown[] } }>(
      `SELECT product_code, policy_theme, rate_description, rules FROM lending.loan_product WHERE bank_code = 'SMED' AND absent_since_run_id IS NULL ORDER BY product_code`,
    );
    expect(loanProducts.map((p) => [p.code, p.policyTheme, p.rateDescription, p.ruleSet])).toEqual(stored.map((s) => [s.product_code, s.policy_theme, s.rate_description, s.rules]));
    for (const p of loanProducts) {
      expect(p.rules).toHaveLength(p.ruleSet.criteria.length);
      expect(p.rules.every((r) => r.textEn !== '' && /[\u0E00-\u0E7F]/.test(r.textTh))).toBe(true);
    }
  });
});
