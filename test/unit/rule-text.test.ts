import { CRITERION_KINDS, parseRuleSet, type Criterion, type CriterionKind } from '../../src/eligibility/rules/rule-set';
import { describeRuleSet, ruleAtPath } from '../../src/eligibility/rules/rule-text';

/** One criterion of every kind, as a bank would publish it: each must come back with its rule as data and as text. */
const EXAMPLES: Record<CriterionKind, Criterion> = {
  juristicType: { kind: 'juristicType', in: ['COMPANY', 'LIMITED_PARTNERSHIP'] },
  activeStatus: { kind: 'activeStatus' },
  yearsSinceRegistration: { kind: 'yearsSinceRegistration', atLeast: 2 },
  smeSize: { kind: 'smeSize', in: ['SMALL', 'MEDIUM'] },
  employees: { kind: 'employees', atMost: 200 },
  revenueBaht: { kind: 'revenueBaht', moreThan: 1_800_000, lessThan: 500_000_000 },
  fixedAssetsBaht: { kind: 'fixedAssetsBaht', atMost: 200_000_000 },
  thaiShareholdingPct: { kind: 'thaiShareholdingPct', moreThan: 50, note: 'ผู้ถือหุ้นสัญชาติไทยมากกว่าร้อยละ 50' },
  location: { kind: 'location', provinces: ['20'], regions: ['East'], eec: true },
  targetIndustry: { kind: 'targetIndustry', in: ['ROBOTICS'] },
  i40Level: { kind: 'i40Level', atLeast: 3 },
  tisiLicence: { kind: 'tisiLicence', standards: ['2416-2552'] },
  operatingFactory: { kind: 'operatingFactory' },
  anyOf: { kind: 'anyOf', id: 'size', criteria: [{ kind: 'employees', atMost: 50 }, { kind: 'fixedAssetsBaht', atMost: 50_000_000 }] },
  allOf: { kind: 'allOf', criteria: [{ kind: 'activeStatus' }] },
};

describe('criteria as a credit officer reads them', () => {
  const rules = describeRuleSet(parseRuleSet({ criteria: CRITERION_KINDS.map((kind) => EXAMPLES[kind]) }));

  test.each(CRITERION_KINDS.map((kind, i) => [kind, i] as const))('%s: operator, data and text in Thai and English', (kind, i) => {
    const rule = rules[i]!;
    expect(rule.kind).toBe(kind);
    expect(rule.path).toBe(`criteria[${i}]`);
    expect(rule.textEn.length).toBeGreaterThan(5);
    // Thai text is in Thai script.
    expect(rule.textTh).toMatch(/[\u0E00-\u0E7F]/);
    expect(rule.textEn).not.toMatch(/undefined|\[object/);
    expect(rule.textTh).not.toMatch(/undefined|\[object/);
  });

  test('a range names each bound as a typed comparison and its unit, and the text says the thresholds', () => {
    const employees = rules[CRITERION_KINDS.indexOf('employees')]!;
    expect(employees).toMatchObject({ operator: 'IN_RANGE', comparisons: [{ operator: 'LTE', threshold: 200 }], unit: 'employees', textEn: 'employees at most 200', textTh: 'จำนวนพนักงานไม่เกิน 200 คน' });
    const revenue = rules[CRITERION_KINDS.indexOf('revenueBaht')]!;
    expect(revenue.comparisons).toEqual([{ operator: 'GT', threshold: 1_800_000 }, { operator: 'LT', threshold: 500_000_000 }]);
    expect(revenue.textEn).toBe('yearly revenue more than 1,800,000 baht and less than 500,000,000 baht');
    expect(revenue.textTh).toBe('รายได้ต่อปีมากกว่า 1,800,000 บาท และน้อยกว่า 500,000,000 บาท');
    const shareholding = rules[CRITERION_KINDS.indexOf('thaiShareholdingPct')]!;
    expect(shareholding).toMatchObject({ unit: 'percent', textEn: 'Thai shareholding more than 50 %', note: 'ผู้ถือหุ้นสัญชาติไทยมากกว่าร้อยละ 50' });
  });

  test('lists, equality, location and groups', () => {
    expect(rules[CRITERION_KINDS.indexOf('smeSize')]).toMatchObject({ operator: 'ONE_OF', values: ['SMALL', 'MEDIUM'], textEn: 'SME size (2019 regulation) is small or medium' });
    expect(rules[CRITERION_KINDS.indexOf('activeStatus')]).toMatchObject({ operator: 'EQUALS', equals: 'ACTIVE' });
    expect(rules[CRITERION_KINDS.indexOf('location')]).toMatchObject({ operator: 'LOCATED_IN', values: ['20', 'East'], eec: true });
    const group = rules[CRITERION_KINDS.indexOf('anyOf')]!;
    expect(group).toMatchObject({ operator: 'ANY_OF', id: 'size' });
    expect(group.criteria.map((c) => c.path)).toEqual([`${group.path}.criteria[0]`, `${group.path}.criteria[1]`]);
    expect(group.textEn).toBe('any of: employees at most 50; fixed assets (excluding land) at most 50,000,000 baht');
  });

  test('a result path finds its rule, nested or not; a path the rule set has not gives nothing', () => {
    const group = rules[CRITERION_KINDS.indexOf('anyOf')]!;
    expect(ruleAtPath(rules, group.path)).toBe(group);
    expect(ruleAtPath(rules, `${group.path}.criteria[1]`)).toBe(group.criteria[1]);
    expect(ruleAtPath(rules, 'criteria[99]')).toBeUndefined();
    expect(ruleAtPath(rules, `${group.path}.criteria[7]`)).toBeUndefined();
    expect(ruleAtPath(rules, 'nonsense')).toBeUndefined();
  });
});
