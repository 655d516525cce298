import { createHash } from 'node:crypto';
import { criteriaText, detailsHash } from '../../src/eligibility/criteria-text';
import type { Attribute, CompanyAttributes } from '../../src/eligibility/rules/company-attributes.type';
import { evaluateRuleSet, type CriterionResult } from '../../src/eligibility/rules/evaluate';
import { parseRuleSet, type RuleSet } from '../../src/eligibility/rules/rule-set';
import { bankCatalogue } from '../../src/simulator/banks/bank-catalogue.feed';

/**
 * The stored criteria and the hashed details are written by hand for speed; they must stay exactly
 * what JSON.stringify writes, or every stored details_hash would stop comparing equal (and every
 * result would be rewritten, with a DETAILS_CHANGED event, on the next run).
 */

const DBD = { source: 'dbd-companies', runId: '11' };
const FIN = { source: 'dbd-financials', runId: '12' };
const known = <T>(value: T, provenance: Attribute<T>['provenance'] = DBD): Attribute<T> => ({ value, provenance });
const missing = <T>(): Attribute<T> => ({ value: null, provenance: null });

const firms: CompanyAttributes[] = [
  {
    juristicId: '0105536112014',
    juristicType: known('COMPANY'),
    status: known('ACTIVE'),
    registeredOn: known('2015-06-15'),
    smeSize: known({ size: 'SMALL', exact: true }, FIN),
    employees: known(40, FIN),
    revenueBaht: known(80_000_000.5, FIN),
    fixedAssetsBaht: known(30_000_000, FIN),
    thaiShareholdingPct: known(50.01),
    province: known({ code: '20', region: 'East', eec: true }),
    targetIndustries: known(['NEXT_GEN_AUTOMOTIVE', 'SMART_ELECTRONICS']),
    i40Level: known(2.5, { source: 'dip-i40-assessments', runId: '13' }),
    validLicenceStandards: known(['2416-2552'], { source: 'tisi-licences', runId: '14' }),
    operatingFactories: known(3, { source: 'diw', runId: '15' }),
  },
  {
    juristicId: '0105536112022',
    juristicType: known('LIMITED_PARTNERSHIP'),
    status: known('DISSOLVED'),
    registeredOn: missing(),
    smeSize: known({ size: 'MEDIUM', exact: false }, FIN),
    employees: missing(),
    revenueBaht: known(0, FIN),
    fixedAssetsBaht: missing(),
    thaiShareholdingPct: missing(),
    province: missing(),
    targetIndustries: known([]),
    i40Level: missing(),
    validLicenceStandards: known([], { source: 'tisi-licences', runId: '14' }),
    operatingFactories: known(0, { source: 'diw', runId: '15' }),
  },
];

/** Every product the simulated banks publish, and a rule set with nested groups, ids and Thai text. */
const ruleSets: RuleSet[] = [
  ...(['SMED', 'EXIM'] as const).flatMap((bank) =>
    bankCatalogue(bank, { edition: 2, badRule: false }).products.map((product) => parseRuleSet(product['eligibility'])),
  ),
  parseRuleSet({
    criteria: [
      { kind: 'anyOf', id: 'กลุ่ม "พิเศษ"', criteria: [{ kind: 'allOf', criteria: [{ kind: 'location', eec: true }, { kind: 'smeSize', in: ['SMALL'] }] }, { kind: 'targetIndustry', in: ['SMART_ELECTRONICS'] }] },
      { kind: 'yearsSinceRegistration', atLeast: 2, id: 'years\\2' },
      { kind: 'tisiLicence' },
    ],
  }),
];

const withoutProvenance = (list: readonly CriterionResult[]): unknown[] =>
  list.map(({ provenance: _provenance, criteria, ...rest }) => (criteria ? { ...rest, criteria: withoutProvenance(criteria) } : rest));

describe('criteria text', () => {
  const cases = ruleSets.flatMap((ruleSet, r) => firms.map((firm, f) => ({ name: `rule set ${r}, firm ${f}`, ruleSet, firm })));

  test.each(cases)('$name: equals JSON.stringify, with and without the rule set', ({ ruleSet, firm }) => {
    const { criteria } = evaluateRuleSet(ruleSet, firm, { asOf: '2024-06-15' });
    const expected = { details: JSON.stringify(withoutProvenance(criteria)), json: JSON.stringify(criteria) };
    expect(criteriaText(criteria, ruleSet.criteria)).toEqual(expected);
    // Again: the second time the rule set's table and the firm's list texts are cached.
    expect(criteriaText(criteria, ruleSet.criteria)).toEqual(expected);
    expect(criteriaText(criteria)).toEqual(expected);
    expect(detailsHash(criteria, ruleSet.criteria)).toBe(createHash('md5').update(expected.details).digest('hex'));
  });

  test('values of every JSON shape are written as JSON.stringify writes them', () => {
    const values = [true, false, Number.NaN, Number.POSITIVE_INFINITY, -0, 1e21, 0.1, 'ชื่อ "บริษัท"\n\u2028', ['a', 'b'], { size: 'SMALL', exact: false }, null, undefined];
    const criteria = values.map(
      (value, i): CriterionResult => ({ path: `criteria[${i}]`, kind: 'employees', id: null, outcome: 'PASS', value: value as CriterionResult['value'], provenance: i % 2 ? DBD : null }),
    );
    expect(criteriaText(criteria)).toEqual({ details: JSON.stringify(withoutProvenance(criteria)), json: JSON.stringify(criteria) });
  });

  test('criteria that do not mirror the rule set given are written from their own fields', () => {
    const [first, second] = ruleSets;
    const { criteria } = evaluateRuleSet(first!, firms[0]!, { asOf: '2024-06-15' });
    expect(criteriaText(criteria, second!.criteria).json).toBe(JSON.stringify(criteria));
  });
});
