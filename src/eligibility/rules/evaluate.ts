/**
 * Evaluates a rule set against one company's attributes: a pure function (no database, no clock:
 * the evaluation date is given), cheap enough to run for a million firms in batches.
 *
 * Three outcomes per criterion: PASS, FAIL, and UNKNOWN when the data needed is missing. Unknown
 * never counts as a pass:
 * - a rule set (AND) is PASS when every criterion passes; FAIL when any fails; else UNKNOWN;
 * - `allOf` is the same;
 * - `anyOf`: any PASS → PASS; else any UNKNOWN → UNKNOWN; else FAIL;
 * - the firm is eligible only when the rule set is PASS (UNKNOWN with no FAIL is not eligible).
 */
import { SME_SIZES, type SmeSize } from '../../reference/sme-size';
import type { Attribute, CompanyAttributes, Provenance } from './company-attributes.type';
import type { Criterion, NumberRange, RangeCriterionKind, RuleSet } from './rule-set';

export type Outcome = 'PASS' | 'FAIL' | 'UNKNOWN';

/** A value as a result reports it (JSON). */
export type ReportedValue = string | number | boolean | null | string[] | { [key: string]: string | number | boolean | null };

export interface CriterionResult {
  /** Where the criterion sits in the rule set, e.g. `criteria[2].criteria[0]`. */
  path: string;
  kind: Criterion['kind'];
  id: string | null;
  outcome: Outcome;
  /** The company's value the outcome was decided on (null when unknown); null for groups. */
  value: ReportedValue;
  provenance: Provenance | null;
  /** The criteria of an anyOf or allOf group. */
  criteria?: CriterionResult[];
}

export interface EligibilityResult {
  juristicId: string;
  eligible: boolean;
  outcome: Outcome;
  criteria: CriterionResult[];
}

export interface EvaluationOptions {
  /** The day the rules are applied on (ISO date), for years since registration. */
  asOf: string;
}

export function evaluateRuleSet(ruleSet: RuleSet, company: CompanyAttributes, options: EvaluationOptions): EligibilityResult {
  const criteria = ruleSet.criteria.map((criterion, i) => evaluateCriterion(criterion, `criteria[${i}]`, company, options));
  const outcome = allOf(criteria.map((c) => c.outcome));
  return { juristicId: company.juristicId, eligible: outcome === 'PASS', outcome, criteria };
}

/** AND: any FAIL → FAIL; else any UNKNOWN → UNKNOWN; else PASS. */
export function allOf(outcomes: readonly Outcome[]): Outcome {
  if (outcomes.includes('FAIL')) return 'FAIL';
  return outcomes.includes('UNKNOWN') ? 'UNKNOWN' : 'PASS';
}

/** OR: any PASS → PASS; else any UNKNOWN → UNKNOWN; else FAIL. */
export function anyOf(outcomes: readonly Outcome[]): Outcome {
  if (outcomes.includes('PASS')) return 'PASS';
  return outcomes.includes('UNKNOWN') ? 'UNKNOWN' : 'FAIL';
}

function evaluateCriterion(criterion: Criterion, path: string, company: CompanyAttributes, options: EvaluationOptions): CriterionResult {
  const result = (outcome: Outcome, value: ReportedValue, attribute: Attribute<unknown> | null): CriterionResult => ({
    path,
    kind: criterion.kind,
    id: criterion.id ?? null,
    outcome,
    value,
    provenance: attribute?.provenance ?? null,
  });
  /** UNKNOWN when the attribute is missing, else the test's outcome. */
  const check = <T>(attribute: Attribute<T>, test: (value: T) => boolean, report: (value: T) => ReportedValue): CriterionResult =>
    attribute.value === null ? result('UNKNOWN', null, attribute) : result(test(attribute.value) ? 'PASS' : 'FAIL', report(attribute.value), attribute);
  const same = <T extends ReportedValue>(value: T): T => value;

  switch (criterion.kind) {
    case 'juristicType':
      return check(company.juristicType, (type) => criterion.in.includes(type), same);
    case 'activeStatus':
      return check(company.status, (status) => status === 'ACTIVE', same);
    case 'yearsSinceRegistration': {
      const years = company.registeredOn.value === null ? null : fullYearsBetween(company.registeredOn.value, options.asOf);
      return check({ value: years, provenance: company.registeredOn.provenance }, (n) => inRange(n, criterion), (n) => ({
        registeredOn: company.registeredOn.value,
        years: n,
      }));
    }
    case 'employees':
    case 'revenueBaht':
    case 'fixedAssetsBaht':
    case 'thaiShareholdingPct':
    case 'i40Level': {
      const attribute = company[RANGE_ATTRIBUTE[criterion.kind]];
      return check(attribute, (n) => inRange(n, criterion), same);
    }
    case 'smeSize': {
      const { value } = company.smeSize;
      if (value === null) return result('UNKNOWN', null, company.smeSize);
      // A lower bound passes only if every size it could really be is listed.
      const possible: readonly SmeSize[] = value.exact ? [value.size] : SME_SIZES.slice(SME_SIZES.indexOf(value.size));
      const listed = possible.filter((size) => criterion.in.includes(size)).length;
      const outcome: Outcome = listed === possible.length ? 'PASS' : listed === 0 ? 'FAIL' : 'UNKNOWN';
      return result(outcome, { size: value.size, exact: value.exact }, company.smeSize);
    }
    case 'location':
      return check(
        company.province,
        (p) => (criterion.provinces?.includes(p.code) ?? false) || (criterion.regions?.includes(p.region) ?? false) || (criterion.eec === true && p.eec),
        (p) => ({ code: p.code, region: p.region, eec: p.eec }),
      );
    case 'targetIndustry':
      return check(company.targetIndustries, (codes) => codes.some((code) => criterion.in.includes(code)), same);
    case 'tisiLicence': {
      const wanted = criterion.standards;
      return check(company.validLicenceStandards, (held) => (wanted ? held.some((tisNo) => wanted.includes(tisNo)) : held.length > 0), same);
    }
    case 'operatingFactory':
      return check(company.operatingFactories, (n) => n > 0, same);
    case 'anyOf':
    case 'allOf': {
      const children = criterion.criteria.map((child, i) => evaluateCriterion(child, `${path}.criteria[${i}]`, company, options));
      const combine = criterion.kind === 'anyOf' ? anyOf : allOf;
      return { ...result(combine(children.map((c) => c.outcome)), null, null), criteria: children };
    }
  }
}

const RANGE_ATTRIBUTE = {
  employees: 'employees',
  revenueBaht: 'revenueBaht',
  fixedAssetsBaht: 'fixedAssetsBaht',
  thaiShareholdingPct: 'thaiShareholdingPct',
  i40Level: 'i40Level',
} as const satisfies Record<Exclude<RangeCriterionKind, 'yearsSinceRegistration'>, keyof CompanyAttributes>;

export function inRange(value: number, range: NumberRange): boolean {
  return (
    (range.atLeast === undefined || value >= range.atLeast) &&
    (range.moreThan === undefined || value > range.moreThan) &&
    (range.atMost === undefined || value <= range.atMost) &&
    (range.lessThan === undefined || value < range.lessThan)
  );
}

/**
 * Whole years from one ISO date to another, as ages are counted: the anniversary day completes the
 * year. A firm registered on 29 February completes its year on 1 March in common years.
 */
export function fullYearsBetween(from: string, to: string): number {
  const [fy, fm, fd] = ymd(from);
  const [ty, tm, td] = ymd(to);
  const beforeAnniversary = tm < fm || (tm === fm && td < fd);
  return ty - fy - (beforeAnniversary ? 1 : 0);
}

function ymd(iso: string): [number, number, number] {
  const match = /^(\d{4})-(\d{2})-(\d{2})/.exec(iso);
  if (!match) throw new Error(`not an ISO date: "${iso}"`);
  return [Number(match[1]), Number(match[2]), Number(match[3])];
}
