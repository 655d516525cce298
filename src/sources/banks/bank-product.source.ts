import { recomputeForProductRun } from '../../eligibility/eligibility.service';
import type { Queryable } from '../../ingestion/ingestion-run.repository';
import type { SourceDefinition } from '../../ingestion/source-definition';
import { dbdCompanySource, dbdFinancialStatementSource } from '../dbd/dbd.source';
import { dipI40AssessmentSource } from '../dip/dip.source';
import { diwFactorySource } from '../diw/diw.source';
import { tisiLicenceSource } from '../tisi/tisi.source';
import { parseProduct, parseProductCatalogue } from './bank-product.parser';
import type { BankCode, LoanProductRecord } from './bank-product.record';
import { recordRuleSetVersions } from './rule-set-versions';

/** Default schedule of the SME D Bank catalogue load: daily at 05:00 Bangkok time. */
export const SMED_PRODUCTS_DEFAULT_SCHEDULE = '0 5 * * *';
/** Default schedule of the EXIM Bank catalogue load: daily at 05:15 Bangkok time. */
export const EXIM_PRODUCTS_DEFAULT_SCHEDULE = '15 5 * * *';

/** Every firm: a product with a new rule set is evaluated for the whole register (a first load's bulk mode may apply). */
async function everyFirm(client: Queryable): Promise<{ table: string; rows: number }[]> {
  const { rows } = await client.query<{ n: number }>('SELECT count(*)::int AS n FROM (SELECT 1 FROM registry.company LIMIT 1000000) c');
  return [{ table: 'lending.eligibility_result', rows: rows[0]!.n }];
}

function bankProductSource(id: string, bankCode: BankCode, agency: string, defaultSchedule: string): SourceDefinition<LoanProductRecord> {
  return {
    id,
    title: `${agency} loan products and eligibility rules`,
    agency,
    // The catalogue is the bank's whole list: a product missing from it is withdrawn (marked absent).
    mode: 'snapshot',
    feed: {
      variablePrefix: `${bankCode}_PRODUCTS`,
      urlDescription: `${agency}'s loan product catalogue (JSON, with each product's eligibility rules)`,
      simulatorPath: `/banks/${bankCode.toLowerCase()}/products.json`,
      defaultSchedule,
      scheduleDescription: `the ${agency} product catalogue load`,
    },
    // Judged on every register the rules read: loaded after them, each firm is evaluated once.
    after: [dbdCompanySource.id, dbdFinancialStatementSource.id, diwFactorySource.id, tisiLicenceSource.id, dipI40AssessmentSource.id],
    staleAfterHours: 48,
    read: async function* (context) {
      yield* parseProductCatalogue(await context.fetchJson<unknown>(context.feedUrl), bankCode);
    },
    reparse: (raw) => parseProduct(raw, bankCode),
    target: {
      table: 'lending.loan_product',
      key: ['bank_code', 'product_code'],
      columns: [
        { name: 'bank_code', type: 'text', value: (r) => r.bankCode },
        { name: 'product_code', type: 'text', value: (r) => r.productCode },
        { name: 'name_th', type: 'text', value: (r) => r.nameTh },
        { name: 'name_en', type: 'text', value: (r) => r.nameEn },
        { name: 'max_amount_baht', type: 'numeric(18,2)', value: (r) => r.maxAmountBaht },
        { name: 'max_term_months', type: 'integer', value: (r) => r.maxTermMonths },
        { name: 'rate_description', type: 'text', value: (r) => r.rateDescription },
        { name: 'policy_theme', type: 'text', value: (r) => r.policyTheme },
        { name: 'rules', type: 'jsonb', value: (r) => JSON.stringify(r.rules) },
      ],
    },
    derive: {
      // A product whose rules changed gets a new rule set version, and every firm is judged on it.
      afterLoad: { name: 'ruleSetVersions', run: recordRuleSetVersions },
      eligibility: { recompute: recomputeForProductRun, bulkCandidates: everyFirm },
    },
  };
}

export const smedProductSource = bankProductSource('smed-products', 'SMED', 'SME Development Bank', SMED_PRODUCTS_DEFAULT_SCHEDULE);
export const eximProductSource = bankProductSource('exim-products', 'EXIM', 'Export-Import Bank of Thailand', EXIM_PRODUCTS_DEFAULT_SCHEDULE);
