import type { Attribute, CompanyAttributes, ProvinceFacts } from '../../src/eligibility/rules/company-attributes.type';
import { evaluateRuleSet, fullYearsBetween, type Outcome } from '../../src/eligibility/rules/evaluate';
import { parseRuleSet, RuleSetValidationError, type Criterion, type RuleSet } from '../../src/eligibility/rules/rule-set';
import { loadProvinces } from '../../src/reference/reference-data';
import { smeSize, type SmeSector } from '../../src/reference/sme-size';

/** The rule form and its evaluation: validation messages, and every boundary of every criterion. */

const DBD = { source: 'dbd-companies', runId: '11' };
const FIN = { source: 'dbd-financials', runId: '12' };
const known = <T>(value: T, provenance = DBD): Attribute<T> => ({ value, provenance });
const missing = <T>(): Attribute<T> => ({ value: null, provenance: DBD });

const provinces = loadProvinces().rows;
const province = (nameEn: string): ProvinceFacts => {
  const p = provinces.find((row) => row.nameEn === nameEn);
  if (!p) throw new Error(`no province ${nameEn}`);
  return { code: p.code, region: p.region, eec: p.eec };
};

/** A firm that has every attribute known (a small Thai manufacturer in Chon Buri). */
function firm(overrides: Partial<CompanyAttributes> = {}): CompanyAttributes {
  return {
    juristicId: '0105536112014',
    juristicType: known('COMPANY'),
    status: known('ACTIVE'),
    registeredOn: known('2015-06-15'),
    smeSize: known({ size: 'SMALL', exact: true }, FIN),
    employees: known(40, FIN),
    revenueBaht: known(80_000_000, FIN),
    fixedAssetsBaht: known(30_000_000, FIN),
    thaiShareholdingPct: known(100),
    province: known(province('Chon Buri')),
    targetIndustries: known(['NEXT_GEN_AUTOMOTIVE']),
    i40Level: known(2.5, { source: 'dip-i40-assessments', runId: '13' }),
    validLicenceStandards: known(['2416-2552'], { source: 'tisi-licences', runId: '14' }),
    operatingFactories: known(1, { source: 'diw', runId: '15' }),
    ...overrides,
  };
}

const AS_OF = '2024-06-15';
const one = (criterion: Criterion): RuleSet => ({ criteria: [criterion] });
const outcomeOf = (criterion: Criterion, company: CompanyAttributes, asOf = AS_OF): Outcome => evaluateRuleSet(one(criterion), company, { asOf }).outcome;

/** SME D Bank's general rule: ≤ 200 employees OR ≤ 500 M baht revenue OR ≤ 200 M fixed assets. */
const SMED_GENERAL: Criterion = {
  kind: 'anyOf',
  id: 'smed-general',
  criteria: [
    { kind: 'employees', atMost: 200 },
    { kind: 'revenueBaht', atMost: 500_000_000 },
    { kind: 'fixedAssetsBaht', atMost: 200_000_000 },
  ],
};

describe('rule set validation', () => {
  test('the documented example parses as written', () => {
    const input = {
      note: 'SME D Bank: Thai-owned juristic persons',
      criteria: [
        { kind: 'juristicType', in: ['COMPANY', 'PUBLIC_COMPANY', 'LIMITED_PARTNERSHIP'] },
        { kind: 'activeStatus' },
        { kind: 'thaiShareholdingPct', moreThan: 50, note: 'ผู้ถือหุ้นสัญชาติไทยเกินกึ่งหนึ่ง' },
        SMED_GENERAL,
        { kind: 'location', eec: true, regions: ['North'] },
        { kind: 'tisiLicence', standards: ['2416-2552'] },
      ],
    };
    expect(parseRuleSet(input)).toEqual(input);
  });

  test.each([
    ['an unknown kind', { criteria: [{ kind: 'activeStatus' }, { kind: 'turnover', atMost: 5 }] }, /^invalid rule set: criteria\[1\]\.kind \(turnover\): unknown kind; expected one of juristicType, /],
    ['a bound that is not a number', { criteria: [{ kind: 'employees', atMost: 'fifty' }] }, /criteria\[0\]\.atMost \(employees\): Invalid input: expected number, received string/],
    ['a misspelt key', { criteria: [{ kind: 'employees', atmost: 50 }] }, /criteria\[0\] \(employees\): unknown key\(s\) "atmost"/],
    ['a range with no bound', { criteria: [{ kind: 'revenueBaht' }] }, /criteria\[0\] \(revenueBaht\): needs at least one bound/],
    ['an empty range', { criteria: [{ kind: 'employees', id: 'staff', atLeast: 10, atMost: 5 }] }, /criteria\[0\] \(employees "staff"\): the range is empty \(lower bound 10, upper bound 5\)/],
    ['both atLeast and moreThan', { criteria: [{ kind: 'employees', atLeast: 1, moreThan: 1 }] }, /give atLeast or moreThan, not both/],
    ['a share over 100 %', { criteria: [{ kind: 'thaiShareholdingPct', moreThan: 150 }] }, /criteria\[0\]\.moreThan \(thaiShareholdingPct\): must be at most 100/],
    ['a negative bound', { criteria: [{ kind: 'fixedAssetsBaht', atMost: -1 }] }, /criteria\[0\]\.atMost \(fixedAssetsBaht\): must be 0 or more/],
    ['an Industry 4.0 level over 4', { criteria: [{ kind: 'i40Level', atLeast: 5 }] }, /criteria\[0\]\.atLeast \(i40Level\): must be at most 4/],
    ['a bad rule inside anyOf', { criteria: [{ kind: 'anyOf', criteria: [{ kind: 'employees', atMost: 200 }, { kind: 'smeSize', in: ['TINY'] }] }] }, /criteria\[0\]\.criteria\[1\]\.in\[0\] \(smeSize\): /],
    ['an anyOf with one criterion', { criteria: [{ kind: 'anyOf', criteria: [{ kind: 'activeStatus' }] }] }, /criteria\[0\]\.criteria \(anyOf\): an anyOf group needs at least two criteria/],
    ['a location with nothing in it', { criteria: [{ kind: 'location' }] }, /criteria\[0\] \(location\): needs provinces, regions or eec: true/],
    ['eec: false', { criteria: [{ kind: 'location', eec: false }] }, /criteria\[0\]\.eec \(location\): eec may only be true/],
    ['a province name instead of a code', { criteria: [{ kind: 'location', provinces: ['Chon Buri'] }] }, /criteria\[0\]\.provinces\[0\] \(location\): must be a 2-digit province code/],
    ['a standard without its year', { criteria: [{ kind: 'tisiLicence', standards: ['2416'] }] }, /must be a standard number-year/],
    ['no criteria', { criteria: [] }, /^invalid rule set: criteria: a rule set needs at least one criterion$/],
    ['not an object', 'anything', /^invalid rule set: \(rule set\): /],
  ])('%s is refused, naming the rule', (_name, input, message) => {
    expect(() => parseRuleSet(input)).toThrow(RuleSetValidationError);
    expect(() => parseRuleSet(input)).toThrow(message);
  });

  test('each problem carries its path, rule and reason', () => {
    try {
      parseRuleSet({ criteria: [{ kind: 'activeStatus' }, { kind: 'anyOf', criteria: [{ kind: 'employees', atMost: 'x' }, { kind: 'activeStatus' }] }] });
      throw new Error('expected a validation error');
    } catch (error) {
      expect((error as RuleSetValidationError).problems).toEqual([{ path: 'criteria[1].criteria[0].atMost', rule: 'employees', reason: expect.stringMatching(/expected number/) }]);
    }
  });

  test('with the reference vocabulary, unknown province and target industry codes are refused', () => {
    const vocabulary = { provinceCodes: new Set(provinces.map((p) => p.code)), targetIndustries: new Set(['ROBOTICS', 'DIGITAL']) };
    expect(() => parseRuleSet({ criteria: [{ kind: 'location', provinces: ['20', '99'] }] }, vocabulary)).toThrow(
      /criteria\[0\]\.provinces\[1\] \(location\): unknown province code "99"/,
    );
    expect(() => parseRuleSet({ criteria: [{ kind: 'anyOf', criteria: [{ kind: 'activeStatus' }, { kind: 'targetIndustry', in: ['ROBOT'] }] }] }, vocabulary)).toThrow(
      /criteria\[0\]\.criteria\[1\]\.in\[0\] \(targetIndustry\): unknown target industry "ROBOT"/,
    );
    expect(parseRuleSet({ criteria: [{ kind: 'targetIndustry', in: ['DIGITAL'] }] }, vocabulary).criteria).toHaveLength(1);
  });
});

describe('rule evaluation', () => {
  /** An SME size fact as the 2019 rule gives it, for a manufacturer. */
  const sizeOf = (revenueBaht: number | null, employees: number | null, sector: SmeSector = 'MANUFACTURING'): Attribute<{ size: 'MICRO' | 'SMALL' | 'MEDIUM' | 'LARGE'; exact: boolean }> => {
    const { size } = smeSize({ sector, revenueBaht, employees });
    return size === null ? missing() : known({ size, exact: revenueBaht !== null && employees !== null }, FIN);
  };

  test.each<[string, Outcome, Attribute<{ size: 'MICRO' | 'SMALL' | 'MEDIUM' | 'LARGE'; exact: boolean }>]>([
    ['micro: 1.8 M baht and 5 employees', 'PASS', sizeOf(1_800_000, 5)],
    ['small at its limits: 100 M and 50', 'PASS', sizeOf(100_000_000, 50)],
    ['medium at its limits: 500 M and 200', 'PASS', sizeOf(500_000_000, 200)],
    ['large: 500 M + 1 baht', 'FAIL', sizeOf(500_000_001, 200)],
    ['large: 201 employees', 'FAIL', sizeOf(500_000_000, 201)],
    ['trade and services, medium limit 300 M / 100', 'PASS', sizeOf(300_000_000, 100, 'TRADE_AND_SERVICES')],
    ['trade and services, 101 employees is large', 'FAIL', sizeOf(300_000_000, 101, 'TRADE_AND_SERVICES')],
    ['small by employees, revenue unknown: could be large', 'UNKNOWN', sizeOf(null, 50)],
    ['large by revenue, employees unknown: large whatever they are', 'FAIL', sizeOf(600_000_000, null)],
    ['both unknown', 'UNKNOWN', sizeOf(null, null)],
  ])('SME size in [MICRO, SMALL, MEDIUM]: %s → %s', (_name, expected, size) => {
    expect(outcomeOf({ kind: 'smeSize', in: ['MICRO', 'SMALL', 'MEDIUM'] }, firm({ smeSize: size }))).toBe(expected);
  });

  test('a lower bound passes when every size it could be is listed', () => {
    expect(outcomeOf({ kind: 'smeSize', in: ['MEDIUM', 'LARGE'] }, firm({ smeSize: sizeOf(null, 150) }))).toBe('PASS');
    expect(outcomeOf({ kind: 'smeSize', in: ['MICRO', 'SMALL'] }, firm({ smeSize: sizeOf(null, 150) }))).toBe('FAIL');
    expect(outcomeOf({ kind: 'smeSize', in: ['SMALL'] }, firm({ smeSize: sizeOf(50_000_000, 40) }))).toBe('PASS');
  });

  test.each<[number | null, Outcome]>([
    [50, 'FAIL'],
    [50.01, 'PASS'],
    [49.99, 'FAIL'],
    [100, 'PASS'],
    [0, 'FAIL'],
    [null, 'UNKNOWN'],
  ])('Thai shareholding more than 50 %%: %s %% → %s', (pct, expected) => {
    expect(outcomeOf({ kind: 'thaiShareholdingPct', moreThan: 50 }, firm({ thaiShareholdingPct: pct === null ? missing() : known(pct) }))).toBe(expected);
  });

  test('Thai shareholding of at least 50 % includes exactly 50 %', () => {
    expect(outcomeOf({ kind: 'thaiShareholdingPct', atLeast: 50 }, firm({ thaiShareholdingPct: known(50) }))).toBe('PASS');
  });

  test.each<[string, Outcome, Outcome]>([
    ['Chachoengsao', 'PASS', 'PASS'],
    ['Chon Buri', 'PASS', 'PASS'],
    ['Rayong', 'PASS', 'PASS'],
    ['Chanthaburi', 'FAIL', 'PASS'],
    ['Prachin Buri', 'FAIL', 'PASS'],
    ['Bangkok', 'FAIL', 'FAIL'],
  ])('EEC: a firm in %s → eec %s, region East %s', (name, eec, east) => {
    const company = firm({ province: known(province(name)) });
    expect(outcomeOf({ kind: 'location', eec: true }, company)).toBe(eec);
    expect(outcomeOf({ kind: 'location', regions: ['East'] }, company)).toBe(east);
  });

  test('location lists combine with OR, and an unknown province is UNKNOWN', () => {
    const criterion: Criterion = { kind: 'location', provinces: ['50'], eec: true };
    expect(outcomeOf(criterion, firm({ province: known(province('Chiang Mai')) }))).toBe('PASS');
    expect(outcomeOf(criterion, firm({ province: known(province('Rayong')) }))).toBe('PASS');
    expect(outcomeOf(criterion, firm({ province: known(province('Lampang')) }))).toBe('FAIL');
    expect(outcomeOf(criterion, firm({ province: missing() }))).toBe('UNKNOWN');
  });

  test.each<[string, string, number]>([
    ['2021-06-15', '2024-06-14', 2],
    ['2021-06-15', '2024-06-15', 3],
    ['2021-06-15', '2024-06-16', 3],
    ['2021-12-31', '2022-01-01', 0],
    ['2020-02-29', '2021-02-28', 0],
    ['2020-02-29', '2021-03-01', 1],
    ['2020-02-29', '2024-02-29', 4],
  ])('full years from %s to %s: %i', (from, to, years) => {
    expect(fullYearsBetween(from, to)).toBe(years);
  });

  test.each<[string, Outcome, Outcome]>([
    ['2024-06-14', 'FAIL', 'PASS'],
    ['2024-06-15', 'PASS', 'FAIL'],
    ['2024-06-16', 'PASS', 'FAIL'],
  ])('registered 2021-06-15, evaluated %s: at least 3 years %s, less than 3 years %s', (asOf, atLeast3, lessThan3) => {
    const company = firm({ registeredOn: known('2021-06-15') });
    expect(outcomeOf({ kind: 'yearsSinceRegistration', atLeast: 3 }, company, asOf)).toBe(atLeast3);
    expect(outcomeOf({ kind: 'yearsSinceRegistration', lessThan: 3 }, company, asOf)).toBe(lessThan3);
  });

  test.each<[string, number, number, Criterion]>([
    ['employees at most 200', 200, 201, { kind: 'employees', atMost: 200 }],
    ['revenue at most 500 M', 500_000_000, 500_000_000.01, { kind: 'revenueBaht', atMost: 500_000_000 }],
    ['fixed assets at most 200 M', 200_000_000, 200_000_001, { kind: 'fixedAssetsBaht', atMost: 200_000_000 }],
    ['employees more than 5', 6, 5, { kind: 'employees', moreThan: 5 }],
    ['Industry 4.0 level at least 3', 3, 2.9, { kind: 'i40Level', atLeast: 3 }],
  ])('%s: %s passes, %s fails', (_name, passing, failing, criterion) => {
    const attribute = criterion.kind === 'i40Level' ? 'i40Level' : (criterion.kind as 'employees' | 'revenueBaht' | 'fixedAssetsBaht');
    expect(outcomeOf(criterion, firm({ [attribute]: known(passing) }))).toBe('PASS');
    expect(outcomeOf(criterion, firm({ [attribute]: known(failing) }))).toBe('FAIL');
  });

  test.each<[string, Outcome, Partial<CompanyAttributes>]>([
    ['ACTIVE', 'PASS', { status: known('ACTIVE') }],
    ['DISSOLVED', 'FAIL', { status: known('DISSOLVED') }],
    ['ABANDONED', 'FAIL', { status: known('ABANDONED') }],
    ['BANKRUPT', 'FAIL', { status: known('BANKRUPT') }],
    ['unknown', 'UNKNOWN', { status: missing() }],
  ])('active status: %s → %s', (_name, expected, overrides) => {
    expect(outcomeOf({ kind: 'activeStatus' }, firm(overrides))).toBe(expected);
  });

  test.each<[string, Outcome, Criterion, Partial<CompanyAttributes>]>([
    ['juristic type listed', 'PASS', { kind: 'juristicType', in: ['COMPANY', 'PUBLIC_COMPANY'] }, {}],
    ['juristic type not listed', 'FAIL', { kind: 'juristicType', in: ['PUBLIC_COMPANY'] }, {}],
    ['target industry among the firm’s', 'PASS', { kind: 'targetIndustry', in: ['ROBOTICS', 'NEXT_GEN_AUTOMOTIVE'] }, {}],
    ['a firm in no target industry', 'FAIL', { kind: 'targetIndustry', in: ['ROBOTICS'] }, { targetIndustries: known([]) }],
    ['any TISI licence', 'PASS', { kind: 'tisiLicence' }, {}],
    ['a licence for the listed standard', 'PASS', { kind: 'tisiLicence', standards: ['2416-2552', '1-2530'] }, {}],
    ['a licence for another standard only', 'FAIL', { kind: 'tisiLicence', standards: ['1-2530'] }, {}],
    ['no licence at all', 'FAIL', { kind: 'tisiLicence' }, { validLicenceStandards: known([]) }],
    ['an operating factory', 'PASS', { kind: 'operatingFactory' }, {}],
    ['no operating factory', 'FAIL', { kind: 'operatingFactory' }, { operatingFactories: known(0) }],
  ])('%s → %s', (_name, expected, criterion, overrides) => {
    expect(outcomeOf(criterion, firm(overrides))).toBe(expected);
  });

  test.each<[keyof CompanyAttributes, Criterion]>([
    ['juristicType', { kind: 'juristicType', in: ['COMPANY'] }],
    ['status', { kind: 'activeStatus' }],
    ['registeredOn', { kind: 'yearsSinceRegistration', atLeast: 1 }],
    ['smeSize', { kind: 'smeSize', in: ['SMALL'] }],
    ['employees', { kind: 'employees', atMost: 200 }],
    ['revenueBaht', { kind: 'revenueBaht', atMost: 1 }],
    ['fixedAssetsBaht', { kind: 'fixedAssetsBaht', atMost: 1 }],
    ['thaiShareholdingPct', { kind: 'thaiShareholdingPct', moreThan: 50 }],
    ['province', { kind: 'location', eec: true }],
    ['targetIndustries', { kind: 'targetIndustry', in: ['ROBOTICS'] }],
    ['i40Level', { kind: 'i40Level', atLeast: 1 }],
    ['validLicenceStandards', { kind: 'tisiLicence' }],
    ['operatingFactories', { kind: 'operatingFactory' }],
  ])('missing %s gives UNKNOWN, never PASS or FAIL', (attribute, criterion) => {
    const result = evaluateRuleSet(one(criterion), firm({ [attribute]: { value: null, provenance: null } }), { asOf: AS_OF });
    expect(result).toMatchObject({ eligible: false, outcome: 'UNKNOWN', criteria: [{ outcome: 'UNKNOWN', value: null, provenance: null }] });
  });

  test.each<[string, Outcome, [Attribute<number>, Attribute<number>, Attribute<number>]]>([
    ['one PASS among FAILs', 'PASS', [known(250), known(600_000_000), known(150_000_000)]],
    ['a PASS beside an UNKNOWN', 'PASS', [missing(), known(400_000_000), missing()]],
    ['UNKNOWN and FAILs only', 'UNKNOWN', [known(250), missing(), known(300_000_000)]],
    ['all FAIL', 'FAIL', [known(250), known(600_000_000), known(300_000_000)]],
    ['all UNKNOWN', 'UNKNOWN', [missing(), missing(), missing()]],
  ])('anyOf (SME D Bank general rule): %s → %s', (_name, expected, [employees, revenueBaht, fixedAssetsBaht]) => {
    const result = evaluateRuleSet(one(SMED_GENERAL), firm({ employees, revenueBaht, fixedAssetsBaht }), { asOf: AS_OF });
    expect(result.outcome).toBe(expected);
    expect(result.eligible).toBe(expected === 'PASS');
    expect(result.criteria[0]).toMatchObject({ path: 'criteria[0]', kind: 'anyOf', id: 'smed-general', value: null });
    expect(result.criteria[0]!.criteria!.map((c) => c.path)).toEqual(['criteria[0].criteria[0]', 'criteria[0].criteria[1]', 'criteria[0].criteria[2]']);
  });

  test('allOf inside anyOf: (Thai-owned AND in the EEC) OR a target industry', () => {
    const rule: Criterion = {
      kind: 'anyOf',
      criteria: [
        { kind: 'allOf', criteria: [{ kind: 'thaiShareholdingPct', moreThan: 50 }, { kind: 'location', eec: true }] },
        { kind: 'targetIndustry', in: ['ROBOTICS'] },
      ],
    };
    expect(outcomeOf(rule, firm())).toBe('PASS');
    expect(outcomeOf(rule, firm({ thaiShareholdingPct: known(40) }))).toBe('FAIL');
    expect(outcomeOf(rule, firm({ thaiShareholdingPct: missing() }))).toBe('UNKNOWN');
    expect(outcomeOf(rule, firm({ thaiShareholdingPct: known(40), targetIndustries: known(['ROBOTICS']) }))).toBe('PASS');
  });

  test('a rule set: a FAIL decides over an UNKNOWN; an UNKNOWN without FAIL is not eligible', () => {
    const rules: RuleSet = { criteria: [{ kind: 'activeStatus' }, { kind: 'thaiShareholdingPct', moreThan: 50 }] };
    expect(evaluateRuleSet(rules, firm(), { asOf: AS_OF })).toMatchObject({ eligible: true, outcome: 'PASS' });
    expect(evaluateRuleSet(rules, firm({ thaiShareholdingPct: missing() }), { asOf: AS_OF })).toMatchObject({ eligible: false, outcome: 'UNKNOWN' });
    expect(evaluateRuleSet(rules, firm({ thaiShareholdingPct: missing(), status: known('BANKRUPT') }), { asOf: AS_OF })).toMatchObject({ eligible: false, outcome: 'FAIL' });
  });

  test('each result reports the value used and its provenance', () => {
    const rules: RuleSet = {
      criteria: [
        { kind: 'employees', id: 'staff', atMost: 50 },
        { kind: 'yearsSinceRegistration', atLeast: 2 },
        { kind: 'location', eec: true },
        { kind: 'smeSize', in: ['SMALL'] },
      ],
    };
    const result = evaluateRuleSet(rules, firm(), { asOf: AS_OF });
    expect(result).toEqual({
      juristicId: '0105536112014',
      eligible: true,
      outcome: 'PASS',
      criteria: [
        { path: 'criteria[0]', kind: 'employees', id: 'staff', outcome: 'PASS', value: 40, provenance: FIN },
        { path: 'criteria[1]', kind: 'yearsSinceRegistration', id: null, outcome: 'PASS', value: { registeredOn: '2015-06-15', years: 9 }, provenance: DBD },
        { path: 'criteria[2]', kind: 'location', id: null, outcome: 'PASS', value: { code: '20', region: 'East', eec: true }, provenance: DBD },
        { path: 'criteria[3]', kind: 'smeSize', id: null, outcome: 'PASS', value: { size: 'SMALL', exact: true }, provenance: FIN },
      ],
    });
  });
});
