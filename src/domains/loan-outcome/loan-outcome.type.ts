import { SUPPRESSED_GROUPS_DESCRIPTION } from '../statistics/small-cells';
import { Field, Float, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { IsoDateScalar, JuristicIdScalar } from '../scalars';
import { connectionType, type Connection } from '../../platform/graphql/connection';
import { Node } from '../node/node.type';
import { CompanyFilter, DateRange } from '../company/company.type';
import { CriterionOutcome, PartnerBank } from '../eligibility/eligibility.type';

/**
 * The stages a bank reports about a firm's application for one of its products. Each report is one
 * row; a firm's application usually moves APPLIED → APPROVED → DISBURSED, or ends REJECTED or
 * WITHDRAWN. Amounts: the amount applied for (APPLIED, REJECTED, WITHDRAWN: optional), approved
 * (APPROVED: required) or paid out (DISBURSED: required).
 */
export enum LoanOutcomeKind {
  APPLIED = 'APPLIED',
  APPROVED = 'APPROVED',
  REJECTED = 'REJECTED',
  DISBURSED = 'DISBURSED',
  WITHDRAWN = 'WITHDRAWN',
}
registerEnumType(LoanOutcomeKind, {
  name: 'LoanOutcomeKind',
  description: 'A stage of a firm’s application for a loan product, as the bank reports it. Every kind implies that the firm applied.',
  valuesConfig: {
    APPLIED: { description: 'The firm applied (ยื่นคำขอสินเชื่อ). `amountBaht`, optional: the amount applied for.' },
    APPROVED: { description: 'The bank approved the loan (อนุมัติ). `amountBaht`, required: the amount approved.' },
    REJECTED: { description: 'The bank turned the application down (ปฏิเสธ). `amountBaht`, optional: the amount applied for.' },
    DISBURSED: { description: 'The bank paid the loan out (เบิกจ่าย); counts as approved too. `amountBaht`, required: the amount paid out on that day.' },
    WITHDRAWN: { description: 'The firm withdrew, or the application lapsed, before disbursement (ยกเลิก). `amountBaht`, optional: the amount applied for.' },
  },
});

/** Kinds whose report must carry the amount. */
export const AMOUNT_REQUIRED: ReadonlySet<LoanOutcomeKind> = new Set([LoanOutcomeKind.APPROVED, LoanOutcomeKind.DISBURSED]);

@ObjectType({ description: 'What the hub said about the firm and product when the bank reported: its stored eligibility result then.' })
export class EligibilityAtReport {
  @Field({ description: 'Whether the firm was eligible.' })
  eligible!: boolean;

  @Field(() => CriterionOutcome, { description: 'Outcome of the whole rule set (UNKNOWN: no criterion failed but data was missing).' })
  outcome!: CriterionOutcome;

  @Field({ description: 'When that result had been computed.' })
  computedAt!: Date;
}

@ObjectType({ implements: Node, description: 'One report of a partner bank about a firm’s application for one of its loan products (`reportLoanOutcome`).' })
export class LoanOutcome extends Node {
  @Field({ description: 'The report’s own ID: its bank and its number in that bank’s own sequence (`SMED-17`), so a bank’s IDs tell nothing of the other bank’s reports.' })
  outcomeId!: string;

  /** The hub-wide row id: the cursor of the ministry's list of every bank; never shown to a bank. */
  hubId!: string;

  @Field(() => PartnerBank, { description: 'The bank that reported it (the product’s bank).' })
  bank!: PartnerBank;

  @Field({ description: 'The product’s code, e.g. `SMED-SMALL-1M`.' })
  productCode!: string;

  @Field({ description: 'Juristic ID of the firm.' })
  juristicId!: string;

  @Field(() => LoanOutcomeKind, { description: 'What happened.' })
  outcome!: LoanOutcomeKind;

  @Field(() => Float, { nullable: true, description: 'Amount in baht (THB): applied for, approved or paid out, by `outcome`; null when not given.' })
  amountBaht!: number | null;

  @Field({ description: 'The day it happened at the bank (ISO date, Bangkok), as the bank reported it.' })
  outcomeOn!: string;

  @Field(() => String, { nullable: true, description: 'The bank’s own reference of this report; a retry with the same reference returns this report instead of adding one.' })
  bankReference!: string | null;

  @Field(() => EligibilityAtReport, { nullable: true, description: 'The firm’s stored eligibility for the product when the bank reported; null when the hub had none (e.g. a firm it had not evaluated).' })
  eligibilityAtReport!: EligibilityAtReport | null;

  @Field(() => Int, { nullable: true, description: 'Version of the product’s eligibility rule set in force when the bank reported (null if the product had none).' })
  ruleSetVersion!: number | null;

  @Field({ description: 'When the hub recorded the report.' })
  reportedAt!: Date;
}

export const LoanOutcomeConnection = connectionType(LoanOutcome, { name: 'LoanOutcome', items: 'loan outcome reports' });
export type LoanOutcomeConnection = Connection<LoanOutcome>;

@InputType({ description: 'A bank’s report of what happened to a firm’s application for one of its products.' })
export class ReportLoanOutcomeInput {
  @Field(() => JuristicIdScalar, { description: 'Juristic ID of the firm (dashes and spaces allowed). It must be a company the hub knows.' })
  juristicId!: string;

  @Field({ description: 'Code of one of your bank’s products, e.g. `SMED-SMALL-1M` (a product withdrawn from the catalogue may still be reported on).' })
  productCode!: string;

  @Field(() => LoanOutcomeKind, { description: 'What happened.' })
  outcome!: LoanOutcomeKind;

  @Field(() => Float, {
    nullable: true,
    description: 'Amount in baht (THB), at least 0.01, at most 2 decimals and at most the product’s maximum amount (100 billion baht for a product without one). Required for APPROVED (amount approved) and DISBURSED (amount paid out); optional otherwise (amount applied for).',
  })
  amountBaht?: number | null;

  @Field(() => IsoDateScalar, { description: 'The day it happened (Bangkok); from 2019-01-01, not in the future.' })
  outcomeOn!: string;

  @Field(() => String, {
    nullable: true,
    description: 'Your own reference of this report (1 to 100 printable characters: no control or format characters), unique per report, e.g. `APP-2025-0042/APPROVED`. Recommended: a retry with the same reference returns the report already recorded instead of adding a duplicate.',
  })
  bankReference?: string | null;
}

@ObjectType({ description: 'The result of `reportLoanOutcome`.' })
export class ReportLoanOutcomePayload {
  @Field(() => LoanOutcome, { description: 'The report as recorded.' })
  loanOutcome!: LoanOutcome;

  @Field({ description: 'True when a report with the same `bankReference` was already recorded and is returned unchanged (a retry); false when this call recorded it.' })
  replayed!: boolean;
}

@InputType({ description: 'Which loan outcome reports to list. Every filter given must match.' })
export class LoanOutcomeFilter {
  @Field(() => PartnerBank, { nullable: true, description: 'Only this bank’s reports (ministry and admin; a bank client always gets its own and may only name it).' })
  bank?: PartnerBank | null;

  @Field(() => String, { nullable: true, description: 'Only reports on this product code.' })
  productCode?: string | null;

  @Field(() => JuristicIdScalar, { nullable: true, description: 'Only reports about this firm.' })
  juristicId?: string | null;

  @Field(() => [LoanOutcomeKind], { nullable: true, description: 'Only these kinds.' })
  outcome?: LoanOutcomeKind[] | null;

  @Field(() => DateRange, { nullable: true, description: 'Only reports whose `outcomeOn` is in this range.' })
  outcomeBetween?: DateRange | null;
}

export enum LoanTakeUpDimension {
  BANK = 'BANK',
  PRODUCT = 'PRODUCT',
  REGION = 'REGION',
  PROVINCE = 'PROVINCE',
  PROMOTION_CENTRE = 'PROMOTION_CENTRE',
  PROVINCE_GROUP = 'PROVINCE_GROUP',
  TARGET_INDUSTRY = 'TARGET_INDUSTRY',
  SME_SIZE = 'SME_SIZE',
}
registerEnumType(LoanTakeUpDimension, {
  name: 'LoanTakeUpDimension',
  description: 'What take-up can be grouped by. Firms whose value is unknown form a group whose key `code` is null.',
  valuesConfig: {
    BANK: { description: 'The partner bank (`PartnerBank`).' },
    PRODUCT: { description: 'The loan product (its code; names from the catalogue).' },
    REGION: { description: 'Region of the firm’s head office (`RegionCode`).' },
    PROVINCE: { description: 'Province of the firm’s head office: 2-digit Interior ministry code.' },
    PROMOTION_CENTRE: { description: 'Regional industrial promotion centre (1-11) serving the firm’s head-office province (`PromotionCentre`).' },
    PROVINCE_GROUP: { description: 'Province group of the firm’s head-office province, by code (`ProvinceGroup`).' },
    TARGET_INDUSTRY: {
      description: 'Target industry of the firm. Multi-valued: a firm counts once in each of its target industries, so these groups may add up to more than the firms; a firm in none is in the null group.',
    },
    SME_SIZE: { description: 'SME size of the firm by the 2019 rule (`SmeSize`), as the hub knows it today.' },
  },
});

@InputType({ description: 'Which products, reports and firms take-up is computed over. Every filter given must match.' })
export class LoanTakeUpFilter {
  @Field(() => PartnerBank, { nullable: true, description: 'Only this bank’s products (a bank client always gets its own and may only name it).' })
  bank?: PartnerBank | null;

  @Field(() => [String], { nullable: true, description: 'Only these product codes.' })
  products?: string[] | null;

  @Field(() => DateRange, { nullable: true, description: 'Only reports whose `outcomeOn` is in this range (eligibility is always today’s).' })
  outcomeBetween?: DateRange | null;

  @Field(() => CompanyFilter, { nullable: true, description: 'Only these firms: the same filters as `companies` (province, region, target industry, SME size, ...).' })
  companies?: CompanyFilter | null;
}

@ObjectType({ description: 'The value of one take-up dimension that identifies a group, with its human names.' })
export class LoanTakeUpKey {
  @Field(() => LoanTakeUpDimension, { description: 'The dimension.' })
  dimension!: LoanTakeUpDimension;

  @Field(() => String, { nullable: true, description: 'The value: bank, product, region or size code, province code or target industry code; null for firms whose value is unknown.' })
  code!: string | null;

  @Field(() => String, { nullable: true, description: 'English name of the value; null when unknown.' })
  nameEn!: string | null;

  @Field(() => String, { nullable: true, description: 'Thai name of the value; null when unknown or when there is none.' })
  nameTh!: string | null;
}

@ObjectType({
  description:
    'Take-up in one group. Firms are counted once per group, whatever the number of products or reports; a firm counts in a stage for a product when the bank reported that stage (or a later one) for it in the period.',
})
export class LoanTakeUpGroup {
  @Field(() => [LoanTakeUpKey], { description: 'One key per requested dimension, in the order of `groupBy`.' })
  keys!: LoanTakeUpKey[];

  @Field(() => Int, { description: 'Firms eligible today (stored eligibility) for at least one product in scope.' })
  eligibleFirms!: number;

  @Field(() => Int, { description: 'Firms with an application: any report (every kind implies one).' })
  appliedFirms!: number;

  @Field(() => Int, { description: 'Firms with an APPROVED or DISBURSED report.' })
  approvedFirms!: number;

  @Field(() => Int, { description: 'Firms with a DISBURSED report.' })
  disbursedFirms!: number;

  @Field(() => Int, { description: 'Firms with a REJECTED report.' })
  rejectedFirms!: number;

  @Field(() => Int, { description: 'Firms eligible today for a product that they were also approved for or paid out on (APPROVED or DISBURSED): the numerator of `takeUpRate`.' })
  takenUpEligibleFirms!: number;

  @Field(() => Float, {
    nullable: true,
    description:
      'Take-up rate: `takenUpEligibleFirms / eligibleFirms`, the share of the firms eligible today that were approved for or paid out on a product they are eligible for (0 to 1); null when no firm is eligible. Firms approved without being eligible in the hub are in `approvedFirms` but not in the rate.',
  })
  takeUpRate!: number | null;

  @Field(() => Float, { description: 'Sum of the amounts of APPLIED reports, baht (0 when none).' })
  appliedAmountBaht!: number;

  @Field(() => Float, { description: 'Sum of the amounts of APPROVED reports, baht (0 when none).' })
  approvedAmountBaht!: number;

  @Field(() => Float, { description: 'Sum of the amounts of DISBURSED reports, baht (0 when none).' })
  disbursedAmountBaht!: number;
}

@ObjectType({ description: 'Take-up of the partner banks’ loan products: eligible firms against what the banks reported, per group.' })
export class LoanTakeUpStats {
  @Field(() => [LoanTakeUpDimension], { description: 'The dimensions the groups are keyed by.' })
  groupBy!: LoanTakeUpDimension[];

  @Field(() => [LoanTakeUpGroup], {
    description:
      'Groups with at least one eligible firm or report, ordered by their keys in `groupBy` order (each dimension in its natural order, unknown last). For analysts, groups where banks reported on 1 to 4 firms are left out (see `suppressedGroups`).',
  })
  groups!: LoanTakeUpGroup[];

  @Field(() => Int, { description: SUPPRESSED_GROUPS_DESCRIPTION })
  suppressedGroups!: number;
}
