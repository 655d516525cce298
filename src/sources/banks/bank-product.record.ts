/**
 * A partner bank's loan product as the bank-product parser produces it: cleaned, typed, its rule set
 * validated. See README.md for the catalogue format.
 */
import type { RuleSet } from '../../eligibility/rules/rule-set';

export const BANK_CODES = ['SMED', 'EXIM'] as const;
export type BankCode = (typeof BANK_CODES)[number];

/**
 * The policy a product serves: the ministry's themes (domain brief, "Who and why") and the banks' own
 * export mandate. Kept as a short list so products can be grouped by policy; a new theme is one line.
 */
export const POLICY_THEMES = ['SME_UPLIFT', 'TARGET_INDUSTRY', 'INDUSTRY_4_0', 'AREA_DEVELOPMENT', 'EXPORT', 'GREEN'] as const;
export type PolicyTheme = (typeof POLICY_THEMES)[number];

export interface LoanProductRecord {
  bankCode: BankCode;
  /** Key with the bank: upper case, e.g. `SMED-SMALL-1M`. */
  productCode: string;
  nameTh: string;
  nameEn: string;
  /** Null when the bank sets it case by case. */
  maxAmountBaht: number | null;
  maxTermMonths: number | null;
  /** As the bank words it, e.g. `1% ต่อปี คงที่ 3 ปีแรก`. */
  rateDescription: string | null;
  policyTheme: PolicyTheme;
  rules: RuleSet;
}
