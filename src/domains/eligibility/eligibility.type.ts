import { GraphQLJSON } from 'graphql-scalars';
import { Field, Float, Int, ObjectType, registerEnumType } from 'type-graphql';
import { connectionType, type Connection } from '../../platform/graphql/connection';
import { Node } from '../node/node.type';

export enum PartnerBank {
  SMED = 'SMED',
  EXIM = 'EXIM',
}
registerEnumType(PartnerBank, {
  name: 'PartnerBank',
  description: 'A partner bank of the ministry.',
  valuesConfig: {
    SMED: { description: 'SME Development Bank (ธพว., SME D Bank).' },
    EXIM: { description: 'Export-Import Bank of Thailand (ธสน., EXIM Bank).' },
  },
});

export enum CriterionOutcome {
  PASS = 'PASS',
  FAIL = 'FAIL',
  UNKNOWN = 'UNKNOWN',
}
registerEnumType(CriterionOutcome, {
  name: 'CriterionOutcome',
  description: 'Outcome of an eligibility criterion; UNKNOWN never counts as a pass.',
  valuesConfig: {
    PASS: { description: 'The firm meets the criterion.' },
    FAIL: { description: 'The firm does not meet the criterion.' },
    UNKNOWN: { description: 'The data the criterion needs is missing.' },
  },
});

export enum EligibilityEventKind {
  BECAME_ELIGIBLE = 'BECAME_ELIGIBLE',
  NO_LONGER_ELIGIBLE = 'NO_LONGER_ELIGIBLE',
  DETAILS_CHANGED = 'DETAILS_CHANGED',
}
registerEnumType(EligibilityEventKind, {
  name: 'EligibilityEventKind',
  description: 'What changed about a firm’s eligibility for a product.',
  valuesConfig: {
    BECAME_ELIGIBLE: { description: 'The firm is now eligible (newly evaluated, or it was not before).' },
    NO_LONGER_ELIGIBLE: { description: 'The firm was eligible and is not any more (or the product was withdrawn).' },
    DETAILS_CHANGED: { description: 'The firm is still eligible, but criteria values or outcomes changed.' },
  },
});

export enum RuleOperator {
  IN_RANGE = 'IN_RANGE',
  ONE_OF = 'ONE_OF',
  EQUALS = 'EQUALS',
  LOCATED_IN = 'LOCATED_IN',
  HOLDS_VALID_LICENCE = 'HOLDS_VALID_LICENCE',
  HAS_OPERATING_FACTORY = 'HAS_OPERATING_FACTORY',
  ANY_OF = 'ANY_OF',
  ALL_OF = 'ALL_OF',
}
registerEnumType(RuleOperator, {
  name: 'RuleOperator',
  description: 'How a criterion compares the firm’s value with the rule.',
  valuesConfig: {
    IN_RANGE: { description: 'The value meets every one of `comparisons`.' },
    ONE_OF: { description: 'The value (or one of the firm’s values) is one of `values`.' },
    EQUALS: { description: 'The value equals `equals` (`ACTIVE`).' },
    LOCATED_IN: { description: 'The head office’s province is one of `values` (province codes), or its region is, or `eec` is true and it is in the EEC.' },
    HOLDS_VALID_LICENCE: { description: 'The firm holds a valid TISI licence, for one of `values` (standards) when any are listed.' },
    HAS_OPERATING_FACTORY: { description: 'A DIW factory with status OPERATING is linked to the firm.' },
    ANY_OF: { description: 'At least one of `criteria` passes.' },
    ALL_OF: { description: 'Every one of `criteria` passes.' },
  },
});

export enum ComparisonOperator {
  GTE = 'GTE',
  GT = 'GT',
  LTE = 'LTE',
  LT = 'LT',
}
registerEnumType(ComparisonOperator, {
  name: 'ComparisonOperator',
  description: 'One bound of a range.',
  valuesConfig: { GTE: { description: 'at least (≥)' }, GT: { description: 'more than (>)' }, LTE: { description: 'at most (≤)' }, LT: { description: 'less than (<)' } },
});

@ObjectType({ description: 'One bound of a range criterion: `{ operator: LTE, threshold: 200 }` is "at most 200".' })
export class RuleComparison {
  @Field(() => ComparisonOperator, { description: 'How the value compares with the threshold.' })
  operator!: ComparisonOperator;

  @Field(() => Float, { description: 'The threshold, in the criterion’s `unit`.' })
  threshold!: number;
}

@ObjectType({ description: 'A criterion of a product’s rule set as the bank published it: its operator and thresholds as data, and as a sentence in Thai and in English.' })
export class CriterionRule {
  @Field({ description: 'Where the criterion sits in the rule set, e.g. `criteria[2].criteria[0]` (the same path as the evaluated criterion).' })
  path!: string;

  @Field({ description: 'The criterion’s kind, e.g. `employees` (src/eligibility/rules/README.md).' })
  kind!: string;

  @Field(() => String, { nullable: true, description: 'The criterion’s id in the rule set, when the bank gave one.' })
  id!: string | null;

  @Field(() => RuleOperator, { description: 'How the firm’s value is compared.' })
  operator!: RuleOperator;

  @Field(() => [RuleComparison], { description: 'The bounds of a range (IN_RANGE), low bound first; empty for other operators.' })
  comparisons!: RuleComparison[];

  @Field(() => [String], { description: 'The listed values (ONE_OF: juristic types, SME sizes, target industries; LOCATED_IN: province codes and regions; HOLDS_VALID_LICENCE: standards); empty otherwise.' })
  values!: string[];

  @Field(() => String, { nullable: true, description: 'The value an EQUALS criterion asks for, e.g. `ACTIVE`.' })
  equals!: string | null;

  @Field({ description: 'LOCATED_IN only: a head office in the Eastern Economic Corridor passes.' })
  eec!: boolean;

  @Field(() => String, { nullable: true, description: 'Unit of the thresholds: `baht`, `employees`, `percent`, `years` or `level`; null for other operators.' })
  unit!: string | null;

  @Field(() => String, { nullable: true, description: 'The bank’s own wording, when it gave one.' })
  note!: string | null;

  @Field({ description: 'The rule in Thai, e.g. `จำนวนพนักงานไม่เกิน 200 คน`.' })
  textTh!: string;

  @Field({ description: 'The rule in English, e.g. `employees at most 200`.' })
  textEn!: string;

  @Field(() => [CriterionRule], { description: 'The criteria of an ANY_OF or ALL_OF group; empty for others.' })
  criteria!: CriterionRule[];
}

@ObjectType({ implements: Node, description: 'A partner bank’s loan product (สินเชื่อ) with the version of its eligibility rules.' })
export class LoanProduct extends Node {
  @Field(() => PartnerBank, { description: 'The bank offering it.' })
  bank!: PartnerBank;

  @Field({ description: 'The bank’s product code, e.g. `SMED-SMALL-1M`.' })
  code!: string;

  @Field({ description: 'Name in Thai.' })
  nameTh!: string;

  @Field({ description: 'Name in English.' })
  nameEn!: string;

  @Field(() => Float, { nullable: true, description: 'Largest loan in baht; null when the bank sets none.' })
  maxAmountBaht!: number | null;

  @Field(() => Int, { nullable: true, description: 'Longest term in months; null when the bank sets none.' })
  maxTermMonths!: number | null;

  @Field(() => Int, { nullable: true, description: 'Version of the rule set now published (eligibility results name the version they used).' })
  ruleSetVersion!: number | null;

  @Field({ description: 'The ministry policy the product serves: `SME_UPLIFT`, `TARGET_INDUSTRY`, `INDUSTRY_4_0`, `AREA_DEVELOPMENT`, `EXPORT` or `GREEN`.' })
  policyTheme!: string;

  @Field(() => String, { nullable: true, description: 'The interest rate as the bank words it, e.g. `1 % a year for 3 years`; null when the bank gives none.' })
  rateDescription!: string | null;

  @Field(() => [CriterionRule], { description: 'The eligibility rules now published, each as data and as text (every one must pass).' })
  rules!: CriterionRule[];

  @Field(() => GraphQLJSON, { description: 'The rule set now published, as the bank’s JSON form (src/eligibility/rules/README.md).' })
  ruleSet!: unknown;
}

@ObjectType({ description: 'Which source, and which of its ingestion runs, a criterion’s value came from.' })
export class CriterionProvenance {
  @Field({ description: 'Source identifier, e.g. `dbd-financials`.' })
  source!: string;

  @Field({ description: 'ID of the ingestion run that supplied the value.' })
  runId!: string;
}

@ObjectType({ description: 'One criterion of a product’s rule set, evaluated for one firm.' })
export class EligibilityCriterion {
  @Field({ description: 'Where the criterion sits in the rule set, e.g. `criteria[2].criteria[0]`.' })
  path!: string;

  @Field(() => String, { nullable: true, description: 'The criterion’s id in the rule set, when the bank gave one.' })
  id!: string | null;

  @Field({ description: 'The criterion’s kind, e.g. `employees` or `anyOf` (see the rule form in docs/eligibility.md).' })
  kind!: string;

  @Field(() => CriterionOutcome, { description: 'PASS, FAIL or UNKNOWN.' })
  outcome!: CriterionOutcome;

  @Field(() => String, {
    nullable: true,
    deprecationReason: 'JSON inside a string; read `valueJson`, the same value as typed JSON.',
    description: 'The firm’s value the outcome was decided on, as JSON text (e.g. `42`, `"ACTIVE"`, `{"code":"20",...}`); null when unknown and for groups.',
  })
  value!: string | null;

  @Field(() => GraphQLJSON, { nullable: true, description: 'The firm’s value the outcome was decided on, as typed JSON: a number (`42`), a string (`"ACTIVE"`), a list or an object (`{"size":"SMALL","exact":true}`); null when unknown and for groups.' })
  valueJson!: unknown;

  @Field(() => CriterionRule, { nullable: true, description: 'The rule the value was judged against, from the rule set version the result was computed with; null only if that version is not on record.' })
  rule!: CriterionRule | null;

  @Field(() => CriterionProvenance, { nullable: true, description: 'Where the value came from when the result was last written (see `ProductEligibility.computedAt`); null when no source has it.' })
  provenance!: CriterionProvenance | null;

  @Field(() => [EligibilityCriterion], { description: 'The criteria of an `anyOf` or `allOf` group; empty for others.' })
  criteria!: EligibilityCriterion[];
}

@ObjectType({ description: 'A firm’s stored eligibility for one loan product, recomputed when its data or the product’s rules change.' })
export class ProductEligibility {
  @Field(() => LoanProduct, { description: 'The product.' })
  product!: LoanProduct;

  @Field({ description: 'True only when every criterion passes.' })
  eligible!: boolean;

  @Field(() => CriterionOutcome, { description: 'Outcome of the whole rule set (UNKNOWN: no criterion fails but some data is missing).' })
  outcome!: CriterionOutcome;

  @Field(() => Int, { description: 'Version of the product’s rule set this result was computed with.' })
  ruleSetVersion!: number;

  @Field({
    description:
      'When this result was last written: first computed, or recomputed with a different outcome, criteria values or rule set version. A recomputation that gives the same result leaves it as it was, so this (and each criterion’s provenance) tells since when the result has held.',
  })
  computedAt!: Date;

  @Field({ description: 'The ingestion run (or daily recompute) that last wrote it (see `computedAt`).' })
  computedByRunId!: string;

  @Field(() => [EligibilityCriterion], { description: 'Each top-level criterion with its outcome, value and provenance.' })
  criteria!: EligibilityCriterion[];
}

@ObjectType({ description: 'A change in a firm’s eligibility for a product, in the order the hub committed it.' })
export class EligibilityEvent {
  @Field({ description: 'Position in the feed read: in one bank’s feed (a bank client’s, or `bank:` given) that bank’s own sequence, in the feed of every bank the hub-wide log’s; dense and in commit order either way, so resuming after a cursor never misses or repeats an event, and a bank’s positions tell nothing of the other bank’s events.' })
  position!: string;

  @Field(() => PartnerBank, { description: 'The bank of the product.' })
  bank!: PartnerBank;

  @Field({ description: 'The product code.' })
  productCode!: string;

  @Field({ description: 'Juristic ID of the firm.' })
  juristicId!: string;

  @Field(() => EligibilityEventKind, { description: 'What changed.' })
  kind!: EligibilityEventKind;

  @Field({ description: 'Eligibility after the change.' })
  eligible!: boolean;

  @Field(() => Int, { description: 'Rule set version the new result was computed with.' })
  ruleSetVersion!: number;

  @Field({ description: 'The ingestion run that caused the change.' })
  runId!: string;

  @Field({ description: 'When the change was recorded.' })
  occurredAt!: Date;
}

export const EligibilityEventConnection = connectionType(EligibilityEvent, { name: 'EligibilityEvent', items: 'eligibility events' });
export type EligibilityEventConnection = Connection<EligibilityEvent>;
