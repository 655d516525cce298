/**
 * Parses a bank's product catalogue (JSON, see README.md): the envelope must be the expected bank's
 * catalogue (else FeedFormatError: the run fails and yesterday's products stay); each product is
 * checked on its own, so one product with a bad field or a bad rule is quarantined with the reason
 * and the others load.
 */
import { z } from 'zod';
import { parseRuleSet, RuleSetValidationError, type RuleVocabulary } from '../../eligibility/rules/rule-set';
import { FeedFormatError, type JsonValue, type ParsedRow } from '../../ingestion/feed';
import { loadProvinces, loadTargetIndustries } from '../../reference/reference-data';
import { POLICY_THEMES, type BankCode, type LoanProductRecord } from './bank-product.record';

const text = z.string().trim().min(1, { message: 'must not be empty' });
const positive = z.number().finite().positive({ message: 'must be a positive number' });

/** Product fields; unknown fields are ignored (a bank may publish more than the hub reads). */
const productSchema = z.object({
  productCode: z
    .string()
    .trim()
    .transform((code) => code.toUpperCase())
    .pipe(z.string().regex(/^[A-Z0-9][A-Z0-9_-]*$/, { message: 'must be letters, digits, - and _' })),
  nameTh: text,
  nameEn: text,
  maxAmountBaht: positive.nullable().optional(),
  maxTermMonths: positive.int({ message: 'must be a whole number of months' }).nullable().optional(),
  rateDescription: z.string().trim().nullable().optional(),
  policyTheme: z.enum(POLICY_THEMES, { message: `must be one of ${POLICY_THEMES.join(', ')}` }),
  eligibility: z.unknown(),
});

let vocabulary: RuleVocabulary | undefined;

/** Province and target industry codes from the reference data the hub ships (read once). */
export function ruleVocabulary(): RuleVocabulary {
  vocabulary ??= {
    provinceCodes: new Set(loadProvinces().rows.map((p) => p.code)),
    targetIndustries: new Set(loadTargetIndustries().rows.map((t) => t.code)),
  };
  return vocabulary;
}

export function* parseProductCatalogue(body: unknown, bankCode: BankCode): Generator<ParsedRow<LoanProductRecord>> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new FeedFormatError(`${bankCode} product catalogue: the answer is not a JSON object`);
  const { bank, products } = body as { bank?: unknown; products?: unknown };
  if (bank !== bankCode) throw new FeedFormatError(`${bankCode} product catalogue: the catalogue is for bank ${JSON.stringify(bank ?? null)}, expected "${bankCode}"`);
  if (!Array.isArray(products)) throw new FeedFormatError(`${bankCode} product catalogue: has no products list`);
  for (const [i, product] of (products as JsonValue[]).entries()) yield { ...parseProduct(product, bankCode), line: i + 1 };
}

/** One product as received (also a quarantined product's raw form, for reparse). */
export function parseProduct(raw: JsonValue, bankCode: BankCode): ParsedRow<LoanProductRecord> {
  const rejected = (reason: string): ParsedRow<LoanProductRecord> => ({ kind: 'rejected', line: 0, raw, reason });
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return rejected('product is not a JSON object');
  const fields = productSchema.safeParse(raw);
  const code = typeof raw['productCode'] === 'string' ? raw['productCode'] : '(no code)';
  if (!fields.success) {
    return rejected(`product ${code}: ${fields.error.issues.map((issue) => `${issue.path.join('.') || '(product)'}: ${issue.message}`).join('; ')}`);
  }
  const product = fields.data;
  let rules;
  try {
    rules = parseRuleSet(product.eligibility, ruleVocabulary());
  } catch (error) {
    if (!(error instanceof RuleSetValidationError)) throw error;
    return rejected(`product ${product.productCode}: eligibility: ${error.message}`);
  }
  return {
    kind: 'record',
    line: 0,
    record: {
      bankCode,
      productCode: product.productCode,
      nameTh: product.nameTh,
      nameEn: product.nameEn,
      maxAmountBaht: product.maxAmountBaht ?? null,
      maxTermMonths: product.maxTermMonths ?? null,
      rateDescription: product.rateDescription || null,
      policyTheme: product.policyTheme,
      rules,
    },
  };
}
