import { loadHubConfig } from '../../src/app/config';
import { ELIGIBILITY_RECOMPUTE_DEFAULT_SCHEDULE } from '../../src/eligibility/eligibility.queue';
import { isDateDependent } from '../../src/eligibility/rules/date-dependence';
import { parseRuleSet } from '../../src/eligibility/rules/rule-set';

describe('date-dependent rule sets', () => {
  test('a rule set depends on the date when a yearsSinceRegistration criterion sits anywhere in it', () => {
    expect(isDateDependent(parseRuleSet({ criteria: [{ kind: 'activeStatus' }, { kind: 'employees', atMost: 50 }] }))).toBe(false);
    expect(isDateDependent(parseRuleSet({ criteria: [{ kind: 'yearsSinceRegistration', atLeast: 2 }] }))).toBe(true);
    expect(
      isDateDependent(
        parseRuleSet({ criteria: [{ kind: 'activeStatus' }, { kind: 'anyOf', criteria: [{ kind: 'employees', atMost: 50 }, { kind: 'allOf', criteria: [{ kind: 'yearsSinceRegistration', lessThan: 3 }] }] }] }),
      ),
    ).toBe(true);
  });

  test('the daily recompute runs on its named default schedule unless configured', () => {
    expect(loadHubConfig({}).eligibilityRecomputeSchedule).toBe(ELIGIBILITY_RECOMPUTE_DEFAULT_SCHEDULE);
    expect(loadHubConfig({ ELIGIBILITY_RECOMPUTE_SCHEDULE: '0 1 * * *' }).eligibilityRecomputeSchedule).toBe('0 1 * * *');
  });
});
