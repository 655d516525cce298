import type { HubConfig } from '../../config/config';
import type { SourceDefinition } from '../../ingestion/source-definition';
import { parseProduct, parseProductCatalogue } from './bank-product.parser';
import type { BankCode, LoanProductRecord } from './bank-product.record';

/** Default schedule of the SME D Bank catalogue load: daily at 05:00 Bangkok time. */
export const SMED_PRODUCTS_DEFAULT_SCHEDULE = '0 5 * * *';
/** Default schedule of the EXIM Bank catalogue load: daily at 05:15 Bangkok time. */
export const EXIM_PRODUCTS_DEFAULT_SCHEDULE = '15 5 * * *';

type FeedSettings = HubConfig['sources']['smedProducts'];

function bankProductSource(id: string, bankCode: BankCode, agency: string, settings: (config: HubConfig) => FeedSettings): SourceDefinition<LoanProductRecord> {
  return {
    id,
    title: `${agency} loan products and eligibility rules`,
    agency,
    // The catalogue is the bank's whole list: a product missing from it is withdrawn (marked absent).
    mode: 'snapshot',
    feedUrl: (config) => settings(config).feedUrl,
    schedule: (config) => settings(config).schedule,
    staleAfterHours: 48,
    read: async function* (context) {
      yield* parseProductCatalogue(await context.fetchJson<unknown>(settings(context.config).feedUrl), bankCode);
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
  };
}

export const smedProductSource = bankProductSource('smed-products', 'SMED', 'SME Development Bank', (config) => config.sources.smedProducts);
export const eximProductSource = bankProductSource('exim-products', 'EXIM', 'Export-Import Bank of Thailand', (config) => config.sources.eximProducts);

/** The sources whose runs write loan products (and so new rule set versions). */
export const BANK_PRODUCT_SOURCE_IDS: readonly string[] = [smedProductSource.id, eximProductSource.id];
