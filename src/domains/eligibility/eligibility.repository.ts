import type { DataSource } from 'typeorm';
import type { BankCode } from '../../access/roles';
import type { CriterionResult } from '../../eligibility/rules/evaluate';
import type { RuleSet } from '../../eligibility/rules/rule-set';
import { describeRuleSet, ruleAtPath, type DescribedRule } from '../../eligibility/rules/rule-text';
import { toGlobalId } from '../../platform/graphql/global-id';
import type { CriterionOutcome, EligibilityCriterion, EligibilityEvent, EligibilityEventKind, LoanProduct, PartnerBank, ProductEligibility } from './eligibility.type';

interface ProductRow {
  bank_code: PartnerBank;
  product_code: string;
  name_th: string;
  name_en: string;
  max_amount_baht: string | null;
  max_term_months: number | null;
  rule_set_version: number | null;
  policy_theme: string;
  rate_description: string | null;
  rules: RuleSet;
}

const PRODUCT_COLUMNS = 'bank_code, product_code, name_th, name_en, max_amount_baht::text, max_term_months, rule_set_version, policy_theme, rate_description, rules';

/** Stored rule sets were validated when loaded (src/sources/banks), so they are described as they are. */
const describedRules = (rules: RuleSet): DescribedRule[] => describeRuleSet(rules);

/** Key of a product's global ID: bank and code (codes are unique per bank only). */
export const productKey = (bank: string, code: string): string => `${bank}:${code}`;

const toProduct = (r: ProductRow): LoanProduct => ({
  id: toGlobalId('LoanProduct', productKey(r.bank_code, r.product_code)),
  bank: r.bank_code,
  code: r.product_code,
  nameTh: r.name_th,
  nameEn: r.name_en,
  maxAmountBaht: r.max_amount_baht === null ? null : Number(r.max_amount_baht),
  maxTermMonths: r.max_term_months,
  ruleSetVersion: r.rule_set_version,
  policyTheme: r.policy_theme,
  rateDescription: r.rate_description,
  rules: describedRules(r.rules) as LoanProduct['rules'],
  ruleSet: r.rules,
});

interface EventRow {
  position: string;
  bank_code: PartnerBank;
  product_code: string;
  juristic_id: string;
  kind: EligibilityEventKind;
  eligible: boolean;
  rule_set_version: number;
  run_id: string;
  occurred_at: Date;
}

const EVENT_COLUMNS = 'position::text, bank_code, product_code, juristic_id, kind, eligible, rule_set_version, run_id::text, occurred_at';

const toEvent = (r: EventRow): EligibilityEvent => ({
  position: r.position,
  bank: r.bank_code,
  productCode: r.product_code,
  juristicId: r.juristic_id,
  kind: r.kind,
  eligible: r.eligible,
  ruleSetVersion: r.rule_set_version,
  runId: r.run_id,
  occurredAt: r.occurred_at,
});

/** A stored criterion result with the rule it was judged against (from `rules`, the version it was computed with). */
function toCriterion(c: CriterionResult, rules: readonly DescribedRule[] | null): EligibilityCriterion {
  const value = c.value ?? null;
  return {
    path: c.path,
    id: c.id,
    kind: c.kind,
    outcome: c.outcome as CriterionOutcome,
    value: value === null ? null : JSON.stringify(value),
    valueJson: value,
    rule: rules ? ((ruleAtPath(rules, c.path) ?? null) as EligibilityCriterion['rule']) : null,
    provenance: c.provenance,
    criteria: (c.criteria ?? []).map((child) => toCriterion(child, rules)),
  };
}

/** Reads of loan products, stored results and the event log; `bank` null means every bank. */
export class EligibilityReadRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Products now published (withdrawn ones left out), by bank and code. */
  async products(bank: BankCode | null): Promise<LoanProduct[]> {
    const rows: ProductRow[] = await this.dataSource.query(
      `SELECT ${PRODUCT_COLUMNS} FROM lending.loan_product WHERE absent_since_run_id IS NULL AND ($1::text IS NULL OR bank_code = $1) ORDER BY bank_code, product_code`,
      [bank],
    );
    return rows.map(toProduct);
  }

  /** The product with this code, of the given bank only when one is given. */
  async product(bank: BankCode | null, code: string): Promise<LoanProduct | undefined> {
    const rows: ProductRow[] = await this.dataSource.query(
      `SELECT ${PRODUCT_COLUMNS} FROM lending.loan_product WHERE product_code = $1 AND absent_since_run_id IS NULL AND ($2::text IS NULL OR bank_code = $2)`,
      [code, bank],
    );
    return rows[0] && toProduct(rows[0]);
  }

  /** Published products by `productKey`, of the given bank only when one is given (one statement for many keys). */
  async productsByKeys(keys: readonly string[], bank: BankCode | null): Promise<LoanProduct[]> {
    const rows: ProductRow[] = await this.dataSource.query(
      `SELECT ${PRODUCT_COLUMNS} FROM lending.loan_product
       WHERE bank_code || ':' || product_code = ANY ($1::text[]) AND absent_since_run_id IS NULL AND ($2::text IS NULL OR bank_code = $2)`,
      [keys, bank],
    );
    return rows.map(toProduct);
  }

  /** Every stored result of the given firms (one statement for a page of firms), product order. */
  async resultsOf(juristicIds: readonly string[], bank: BankCode | null): Promise<(ProductEligibility & { juristicId: string })[]> {
    type ResultRow = ProductRow & { juristic_id: string; eligible: boolean; outcome: CriterionOutcome; result_version: number; computed_at: Date; computed_by_run_id: string; criteria: CriterionResult[]; result_rules: RuleSet | null };
    // The rules each result was judged against: its own rule set version's (one row per version and
    // product, joined by key), not the product's current rules, which may have changed since.
    const rows: ResultRow[] =
      await this.dataSource.query(
        `SELECT r.juristic_id, r.eligible, r.outcome, r.rule_set_version AS result_version, r.computed_at, r.computed_by_run_id::text, r.criteria,
                p.bank_code, p.product_code, p.name_th, p.name_en, p.max_amount_baht::text, p.max_term_months, p.rule_set_version,
                p.policy_theme, p.rate_description, p.rules, rs.rules AS result_rules
         FROM lending.eligibility_result r JOIN lending.loan_product p USING (bank_code, product_code)
         LEFT JOIN lending.loan_product_rule_set rs ON rs.bank_code = r.bank_code AND rs.product_code = r.product_code AND rs.version = r.rule_set_version
         WHERE r.juristic_id = ANY ($1::text[]) AND ($2::text IS NULL OR r.bank_code = $2)
         ORDER BY r.juristic_id, r.bank_code, r.product_code`,
        [juristicIds, bank],
      );
    // A page of firms shares each product's rule set versions: each is described once.
    const byVersion = new Map<string, DescribedRule[]>();
    const rulesOf = (r: ResultRow): DescribedRule[] | null => {
      if (!r.result_rules) return null;
      const key = `${r.bank_code}:${r.product_code}:${r.result_version}`;
      let rules = byVersion.get(key);
      if (!rules) byVersion.set(key, (rules = describedRules(r.result_rules)));
      return rules;
    };
    return rows.map((r) => ({
      juristicId: r.juristic_id,
      product: toProduct(r),
      eligible: r.eligible,
      outcome: r.outcome,
      ruleSetVersion: r.result_version,
      computedAt: r.computed_at,
      computedByRunId: r.computed_by_run_id,
      criteria: r.criteria.map((c) => toCriterion(c, rulesOf(r))),
    }));
  }

  /**
   * Events after a position, in position order. Safe to page by keyset while writers commit: they
   * number events densely in commit order (src/eligibility/eligibility.repository.ts), so every
   * snapshot holds a prefix of the log and a later page never finds an event before the cursor.
   */
  async events(bank: BankCode | null, afterPosition: string, limit: number): Promise<EligibilityEvent[]> {
    // One bank's feed is numbered in its own sequence (bank_position), so its positions tell nothing
    // of the other bank's events; the ministry's feed of every bank keeps the hub-wide one.
    const rows: EventRow[] = bank
      ? await this.dataSource.query(
          `SELECT e.bank_position::text AS position, ${EVENT_COLUMNS.replace('position::text, ', '')} FROM lending.eligibility_event e
           WHERE e.bank_code = $2 AND e.bank_position > $1::bigint ORDER BY e.bank_position LIMIT $3`,
          [afterPosition, bank, limit],
        )
      : await this.dataSource.query(
          // `e.position`: the bare name would sort by the output column, which is text.
          `SELECT ${EVENT_COLUMNS} FROM lending.eligibility_event e WHERE e.position > $1::bigint ORDER BY e.position LIMIT $2`,
          [afterPosition, limit],
        );
    return rows.map(toEvent);
  }

  async countEvents(bank: BankCode | null): Promise<number> {
    const rows: { n: number }[] = await this.dataSource.query(`SELECT count(*)::int AS n FROM lending.eligibility_event WHERE $1::text IS NULL OR bank_code = $1`, [bank]);
    return rows[0]!.n;
  }
}
