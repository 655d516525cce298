import { ruleSetUses, type CriterionKind, type RuleSet } from './rule-set';

/**
 * Criterion kinds whose outcome can change with the passage of time alone, with no new data: a firm
 * registered 1 year and 364 days ago passes `yearsSinceRegistration: { atLeast: 2 }` tomorrow.
 * The daily recompute (src/eligibility/daily-recompute.ts) re-evaluates the firms such a rule can
 * have changed for; a new kind added here needs its own way of finding them there.
 */
export const DATE_DEPENDENT_KINDS = ['yearsSinceRegistration'] as const satisfies readonly CriterionKind[];

/** True when some criterion of the rule set, at any depth, depends on the evaluation day. */
export function isDateDependent(ruleSet: RuleSet): boolean {
  return ruleSetUses(ruleSet, DATE_DEPENDENT_KINDS);
}
