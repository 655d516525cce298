/**
 * The declarative form of a loan product's eligibility criteria, as partner banks publish it and the
 * hub stores it (JSON), and its validation with zod. The form is documented in README.md beside this
 * file; evaluation is in evaluate.ts.
 *
 * Objects are strict: an unknown key (a typo such as `atmost`) is an error rather than a criterion
 * silently ignored, which would make more firms eligible than the bank meant.
 */
import { z } from 'zod';
import { REGIONS } from '../../reference/reference-data';
import { SME_SIZES } from '../../reference/sme-size';
import { JURISTIC_TYPE_CODES } from './company-attributes.type';

/** Bounds of a numeric criterion, each optional; at least one is given. */
export interface NumberRange {
  atLeast?: number;
  moreThan?: number;
  atMost?: number;
  lessThan?: number;
}

interface CriterionBase {
  /** The bank's name for the criterion, shown in results; paths name it otherwise. */
  id?: string;
  /** Free text, e.g. the bank's own wording in Thai. */
  note?: string;
}

export type RangeCriterionKind = 'yearsSinceRegistration' | 'employees' | 'revenueBaht' | 'fixedAssetsBaht' | 'thaiShareholdingPct' | 'i40Level';

export type Criterion =
  | (CriterionBase & { kind: 'juristicType'; in: (typeof JURISTIC_TYPE_CODES)[number][] })
  | (CriterionBase & { kind: 'activeStatus' })
  | (CriterionBase & NumberRange & { kind: RangeCriterionKind })
  | (CriterionBase & { kind: 'smeSize'; in: (typeof SME_SIZES)[number][] })
  | (CriterionBase & { kind: 'location'; provinces?: string[]; regions?: (typeof REGIONS)[number][]; eec?: true })
  | (CriterionBase & { kind: 'targetIndustry'; in: string[] })
  | (CriterionBase & { kind: 'tisiLicence'; standards?: string[] })
  | (CriterionBase & { kind: 'operatingFactory' })
  | (CriterionBase & { kind: 'anyOf' | 'allOf'; criteria: Criterion[] });

export type CriterionKind = Criterion['kind'];

export interface RuleSet {
  note?: string;
  /** Every criterion must pass (AND). */
  criteria: Criterion[];
}

const base = { id: z.string().trim().min(1).max(100).optional(), note: z.string().max(2000).optional() };
const bound = z.number().finite().min(0, { message: 'must be 0 or more' });

function rangeCriterion<K extends RangeCriterionKind>(kind: K, limit?: { max: number }) {
  const value = limit ? bound.max(limit.max, { message: `must be at most ${limit.max}` }) : bound;
  return z
    .strictObject({ kind: z.literal(kind), ...base, atLeast: value.optional(), moreThan: value.optional(), atMost: value.optional(), lessThan: value.optional() })
    .check((ctx) => {
      const r = ctx.value;
      const issue = (message: string): void => {
        ctx.issues.push({ code: 'custom', message, input: r });
      };
      if (r.atLeast === undefined && r.moreThan === undefined && r.atMost === undefined && r.lessThan === undefined) {
        issue('needs at least one bound: atLeast, moreThan, atMost or lessThan');
      }
      if (r.atLeast !== undefined && r.moreThan !== undefined) issue('give atLeast or moreThan, not both');
      if (r.atMost !== undefined && r.lessThan !== undefined) issue('give atMost or lessThan, not both');
      const low = r.atLeast ?? r.moreThan;
      const high = r.atMost ?? r.lessThan;
      // A range no value can fall in is a mistake in the catalogue, not a product nobody gets.
      if (low !== undefined && high !== undefined && (low > high || (low === high && (r.moreThan !== undefined || r.lessThan !== undefined)))) {
        issue(`the range is empty (lower bound ${low}, upper bound ${high})`);
      }
    });
}

const nonEmptyList = <T extends z.ZodType>(item: T) => z.array(item).min(1, { message: 'must list at least one value' });

/** Province codes as the Interior ministry writes them (`20` Chon Buri). */
const provinceCode = z.string().regex(/^[0-9]{2}$/, { message: 'must be a 2-digit province code such as "20"' });
/** A target industry code of reference.target_industry, e.g. `ROBOTICS`. */
const targetIndustryCode = z.string().regex(/^[A-Z][A-Z0-9_]*$/, { message: 'must be a target industry code such as "ROBOTICS"' });
/** A TISI standard as the hub keys it: number-BE year, e.g. `2416-2552`. */
const tisNo = z.string().regex(/^[1-9][0-9]*-[0-9]{4}$/, { message: 'must be a standard number-year such as "2416-2552"' });

export const criterionSchema: z.ZodType<Criterion> = z.lazy(() =>
  z.discriminatedUnion('kind', [
    z.strictObject({ kind: z.literal('juristicType'), ...base, in: nonEmptyList(z.enum(JURISTIC_TYPE_CODES)) }),
    z.strictObject({ kind: z.literal('activeStatus'), ...base }),
    rangeCriterion('yearsSinceRegistration'),
    z.strictObject({ kind: z.literal('smeSize'), ...base, in: nonEmptyList(z.enum(SME_SIZES)) }),
    rangeCriterion('employees'),
    rangeCriterion('revenueBaht'),
    rangeCriterion('fixedAssetsBaht'),
    rangeCriterion('thaiShareholdingPct', { max: 100 }),
    z
      .strictObject({
        kind: z.literal('location'),
        ...base,
        provinces: nonEmptyList(provinceCode).optional(),
        regions: nonEmptyList(z.enum(REGIONS)).optional(),
        eec: z.literal(true, { message: 'eec may only be true (leave it out otherwise)' }).optional(),
      })
      .refine((c) => c.provinces !== undefined || c.regions !== undefined || c.eec !== undefined, { message: 'needs provinces, regions or eec: true' }),
    z.strictObject({ kind: z.literal('targetIndustry'), ...base, in: nonEmptyList(targetIndustryCode) }),
    rangeCriterion('i40Level', { max: 4 }),
    z.strictObject({ kind: z.literal('tisiLicence'), ...base, standards: nonEmptyList(tisNo).optional() }),
    z.strictObject({ kind: z.literal('operatingFactory'), ...base }),
    z.strictObject({ kind: z.literal('anyOf'), ...base, criteria: z.array(criterionSchema).min(2, { message: 'an anyOf group needs at least two criteria' }) }),
    z.strictObject({ kind: z.literal('allOf'), ...base, criteria: z.array(criterionSchema).min(1, { message: 'an allOf group needs at least one criterion' }) }),
  ]),
);

export const ruleSetSchema: z.ZodType<RuleSet> = z.strictObject({
  note: z.string().max(2000).optional(),
  criteria: z.array(criterionSchema).min(1, { message: 'a rule set needs at least one criterion' }),
});

/** Codes a rule set may name, from the reference data, so that a typo fails loading instead of matching nobody. */
export interface RuleVocabulary {
  provinceCodes: ReadonlySet<string>;
  targetIndustries: ReadonlySet<string>;
}

export interface RuleSetProblem {
  /** Where, e.g. `criteria[2].criteria[1].atMost`. */
  path: string;
  /** The criterion's kind (and id) at that place, when the input says, e.g. `employees`. */
  rule: string | null;
  reason: string;
}

export class RuleSetValidationError extends Error {
  override readonly name = 'RuleSetValidationError';
  constructor(readonly problems: RuleSetProblem[]) {
    super(`invalid rule set: ${problems.map(describeProblem).join('; ')}`);
  }
}

function describeProblem(problem: RuleSetProblem): string {
  return `${problem.path || '(rule set)'}${problem.rule ? ` (${problem.rule})` : ''}: ${problem.reason}`;
}

/** `['criteria', 2, 'atMost']` → `criteria[2].atMost`. */
export function formatPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((text, key) => (typeof key === 'number' ? `${text}[${key}]` : text === '' ? String(key) : `${text}.${String(key)}`), '');
}

/**
 * Validates a rule set as received (parsed JSON) and returns it typed; throws RuleSetValidationError
 * naming every bad rule by its path, kind and reason. With a vocabulary, province and target industry
 * codes must exist.
 */
export function parseRuleSet(input: unknown, vocabulary?: RuleVocabulary): RuleSet {
  const result = ruleSetSchema.safeParse(input);
  if (!result.success) {
    throw new RuleSetValidationError(
      result.error.issues.map((issue) => ({ path: formatPath(issue.path), rule: ruleAt(input, issue.path), reason: reasonOf(issue) })),
    );
  }
  if (vocabulary) {
    const problems = unknownCodes(result.data.criteria, 'criteria', vocabulary);
    if (problems.length > 0) throw new RuleSetValidationError(problems);
  }
  return result.data;
}

function reasonOf(issue: z.core.$ZodIssue): string {
  if (issue.code === 'unrecognized_keys') return `unknown key(s) ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
  if (issue.code === 'invalid_union' && 'discriminator' in issue && issue.discriminator === 'kind') {
    return `unknown kind; expected one of ${CRITERION_KINDS.join(', ')}`;
  }
  return issue.message;
}

export const CRITERION_KINDS: readonly CriterionKind[] = [
  'juristicType',
  'activeStatus',
  'yearsSinceRegistration',
  'smeSize',
  'employees',
  'revenueBaht',
  'fixedAssetsBaht',
  'thaiShareholdingPct',
  'location',
  'targetIndustry',
  'i40Level',
  'tisiLicence',
  'operatingFactory',
  'anyOf',
  'allOf',
];

/** The innermost criterion on the path (its kind and id, as the input wrote them). */
function ruleAt(input: unknown, path: readonly PropertyKey[]): string | null {
  let node: unknown = input;
  let rule: string | null = null;
  for (const key of path) {
    if (typeof node !== 'object' || node === null) break;
    node = (node as Record<PropertyKey, unknown>)[key];
    if (typeof node === 'object' && node !== null && !Array.isArray(node)) {
      const { kind, id } = node as { kind?: unknown; id?: unknown };
      if (typeof kind === 'string') rule = typeof id === 'string' ? `${kind} "${id}"` : kind;
    }
  }
  return rule;
}

function unknownCodes(criteria: readonly Criterion[], at: string, vocabulary: RuleVocabulary): RuleSetProblem[] {
  return criteria.flatMap((criterion, i): RuleSetProblem[] => {
    const path = `${at}[${i}]`;
    const rule = criterion.id ? `${criterion.kind} "${criterion.id}"` : criterion.kind;
    if (criterion.kind === 'location') {
      return (criterion.provinces ?? []).flatMap((code, j) =>
        vocabulary.provinceCodes.has(code) ? [] : [{ path: `${path}.provinces[${j}]`, rule, reason: `unknown province code "${code}"` }],
      );
    }
    if (criterion.kind === 'targetIndustry') {
      return criterion.in.flatMap((code, j) =>
        vocabulary.targetIndustries.has(code) ? [] : [{ path: `${path}.in[${j}]`, rule, reason: `unknown target industry "${code}"` }],
      );
    }
    if (criterion.kind === 'anyOf' || criterion.kind === 'allOf') return unknownCodes(criterion.criteria, `${path}.criteria`, vocabulary);
    return [];
  });
}

/** True when some criterion of the rule set, at any depth, is of one of the kinds. */
export function ruleSetUses(ruleSet: RuleSet, kinds: readonly CriterionKind[]): boolean {
  const uses = (criterion: Criterion): boolean => kinds.includes(criterion.kind) || ('criteria' in criterion && criterion.criteria.some(uses));
  return ruleSet.criteria.some(uses);
}
