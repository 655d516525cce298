import { SUPPRESSED_GROUPS_DESCRIPTION } from './small-cells';
import { Field, Float, Int, ObjectType, registerEnumType } from 'type-graphql';

/** At most this many dimensions per request: beyond three, groups outnumber what an analyst reads. */
export const MAX_DIMENSIONS = 3;
/** A request whose groups exceed this is refused: a breakdown that large is an export, not a statistic. */
export const MAX_GROUPS = 10_000;

export enum CompanyStatsDimension {
  REGION = 'REGION',
  PROVINCE = 'PROVINCE',
  PROMOTION_CENTRE = 'PROMOTION_CENTRE',
  PROVINCE_GROUP = 'PROVINCE_GROUP',
  TSIC_DIVISION = 'TSIC_DIVISION',
  TARGET_INDUSTRY = 'TARGET_INDUSTRY',
  SME_SIZE = 'SME_SIZE',
  INDUSTRY40_LEVEL = 'INDUSTRY40_LEVEL',
  REGISTRATION_YEAR = 'REGISTRATION_YEAR',
  STATUS = 'STATUS',
  JURISTIC_TYPE = 'JURISTIC_TYPE',
}
registerEnumType(CompanyStatsDimension, {
  name: 'CompanyStatsDimension',
  description: 'What companies can be grouped by. Companies whose value is unknown form a group whose key `code` is null.',
  valuesConfig: {
    REGION: { description: 'Region of the head office (`RegionCode`).' },
    PROVINCE: { description: 'Province of the head office: 2-digit Interior ministry code.' },
    PROMOTION_CENTRE: { description: 'Regional industrial promotion centre (1-11) serving the head office\'s province (`PromotionCentre`; assumed assignment).' },
    PROVINCE_GROUP: { description: 'Province group of the head office\'s province, by code (`ProvinceGroup`; assumed membership).' },
    TSIC_DIVISION: { description: 'TSIC 2009 division: the first two digits of the TSIC code.' },
    TARGET_INDUSTRY: {
      description: 'Target industry (อุตสาหกรรมเป้าหมาย). Multi-valued: a company counts once in each of its target industries, so these groups may add up to more than the companies; a company in none is in the null group.',
    },
    SME_SIZE: { description: 'SME size by the 2019 rule (`SmeSize`).' },
    INDUSTRY40_LEVEL: {
      description: 'Latest Industry 4.0 level, bucketed down to the level reached: 1.0 to 1.9 is `1.0`, ..., 4.0 is `4.0` (a firm at 2.7 has reached 2.0, not 3.0).',
    },
    REGISTRATION_YEAR: { description: 'Year of registration, Common Era.' },
    STATUS: { description: 'Registration status (`CompanyStatus`).' },
    JURISTIC_TYPE: { description: 'Form of juristic person (`JuristicType`).' },
  },
});

export enum FactoryStatsDimension {
  REGION = 'REGION',
  PROVINCE = 'PROVINCE',
  PROMOTION_CENTRE = 'PROMOTION_CENTRE',
  PROVINCE_GROUP = 'PROVINCE_GROUP',
  ISIC_DIVISION = 'ISIC_DIVISION',
  TARGET_INDUSTRY = 'TARGET_INDUSTRY',
  STATUS = 'STATUS',
  SME_SIZE = 'SME_SIZE',
  INDUSTRY40_LEVEL = 'INDUSTRY40_LEVEL',
  REGISTRATION_YEAR = 'REGISTRATION_YEAR',
}
registerEnumType(FactoryStatsDimension, {
  name: 'FactoryStatsDimension',
  description: 'What factories can be grouped by. Factories whose value is unknown form a group whose key `code` is null.',
  valuesConfig: {
    REGION: { description: 'Region of the province the registry gives (`RegionCode`).' },
    PROVINCE: { description: 'Province: 2-digit Interior ministry code, from the Thai name in the registry (null when it names no known province).' },
    PROMOTION_CENTRE: { description: 'Regional industrial promotion centre (1-11) serving the factory\'s province (`PromotionCentre`; assumed assignment).' },
    PROVINCE_GROUP: { description: 'Province group of the factory\'s province, by code (`ProvinceGroup`; assumed membership).' },
    ISIC_DIVISION: { description: 'ISIC/TSIC division: the first two digits of the factory\'s ISIC code.' },
    TARGET_INDUSTRY: {
      description: 'Target industry (อุตสาหกรรมเป้าหมาย) of the factory\'s own ISIC code, by the ministry\'s TSIC mapping. Multi-valued like the company dimension: a factory counts once in each; one in none is in the null group.',
    },
    STATUS: { description: 'Licence status (`FactoryStatus`).' },
    SME_SIZE: { description: 'SME size of the operating company (`SmeSize`); factories not linked to a company, or whose operator is masked (`Factory.operatorMasked`), are in the null group.' },
    INDUSTRY40_LEVEL: { description: 'Latest Industry 4.0 level of the operating company, bucketed as for companies (`2.0` for 2.0 to 2.9); null when unlinked, the operator masked, or never assessed.' },
    REGISTRATION_YEAR: { description: 'Registration year (Common Era) of the operating company: the registry carries no permit date per factory; null when unlinked or the operator masked.' },
  },
});

export enum StatsSource {
  AGGREGATE = 'AGGREGATE',
  LIVE = 'LIVE',
}
registerEnumType(StatsSource, {
  name: 'StatsSource',
  description: 'Where a statistic was computed from.',
  valuesConfig: {
    AGGREGATE: { description: 'The materialised aggregate, refreshed in the same transaction as every ingestion run that changed companies or their profiles (so exactly as fresh as the company data).' },
    LIVE: { description: 'The company or factory rows themselves (a dimension or filter the aggregate does not hold).' },
  },
});

@ObjectType({ description: 'Sum and average of one measure over a group; the average is over the members whose value is known.' })
export class StatsMeasure {
  @Field(() => Float, { nullable: true, description: 'Sum over the members with a known value; null when none has one.' })
  sum!: number | null;

  @Field(() => Float, { nullable: true, description: 'Average over the members with a known value (`sum / known`); null when none has one.' })
  average!: number | null;

  @Field(() => Int, { description: 'Members of the group whose value is known.' })
  known!: number;
}

@ObjectType({ description: 'The value of one company dimension that identifies a group, with its human names.' })
export class CompanyStatsKey {
  @Field(() => CompanyStatsDimension, { description: 'The dimension.' })
  dimension!: CompanyStatsDimension;

  @Field(() => String, { nullable: true, description: 'The value: region or enum code, province, centre number, province group or TSIC division code, target industry code, level (`2.0`), year (`2015`); null for companies whose value is unknown.' })
  code!: string | null;

  @Field(() => String, { nullable: true, description: 'English name of the value (e.g. `Chon Buri`, `Manufacture of food products`); null when unknown.' })
  nameEn!: string | null;

  @Field(() => String, { nullable: true, description: 'Thai name of the value (e.g. `ชลบุรี`); null when unknown or when there is none.' })
  nameTh!: string | null;
}

@ObjectType({ description: 'One group of companies: its key and measures.' })
export class CompanyStatsGroup {
  @Field(() => [CompanyStatsKey], { description: 'One key per requested dimension, in the order of `groupBy`.' })
  keys!: CompanyStatsKey[];

  @Field(() => Int, { description: 'Companies in the group.' })
  count!: number;

  @Field(() => StatsMeasure, { description: 'Registered capital (ทุนจดทะเบียน), baht.' })
  registeredCapital!: StatsMeasure;

  @Field(() => StatsMeasure, { description: 'Revenue of the latest financial statement, baht.' })
  revenue!: StatsMeasure;

  @Field(() => StatsMeasure, { description: 'Employees in the latest financial statement.' })
  employees!: StatsMeasure;
}

@ObjectType({ description: 'Companies counted and summed per group.' })
export class CompanyStats {
  @Field(() => [CompanyStatsDimension], { description: 'The dimensions the groups are keyed by.' })
  groupBy!: CompanyStatsDimension[];

  @Field(() => [CompanyStatsGroup], { description: 'Non-empty groups, ordered by their keys in `groupBy` order (each dimension in its natural order, unknown last).' })
  groups!: CompanyStatsGroup[];

  @Field(() => StatsSource, { description: 'Whether the materialised aggregate or the live rows answered.' })
  source!: StatsSource;

  @Field(() => Date, { nullable: true, description: 'When the aggregate was last refreshed (when `source` is AGGREGATE).' })
  aggregateRefreshedAt!: Date | null;

  @Field(() => Int, { description: SUPPRESSED_GROUPS_DESCRIPTION })
  suppressedGroups!: number;
}

@ObjectType({ description: 'The value of one factory dimension that identifies a group, with its human names.' })
export class FactoryStatsKey {
  @Field(() => FactoryStatsDimension, { description: 'The dimension.' })
  dimension!: FactoryStatsDimension;

  @Field(() => String, { nullable: true, description: 'The value: region, status or SME size code, province, ISIC division or target industry code, level (`2.0`), year (`2015`); null for factories whose value is unknown.' })
  code!: string | null;

  @Field(() => String, { nullable: true, description: 'English name of the value; null when unknown.' })
  nameEn!: string | null;

  @Field(() => String, { nullable: true, description: 'Thai name of the value; null when unknown or when there is none.' })
  nameTh!: string | null;
}

@ObjectType({ description: 'One group of factories: its key and measures.' })
export class FactoryStatsGroup {
  @Field(() => [FactoryStatsKey], { description: 'One key per requested dimension, in the order of `groupBy`.' })
  keys!: FactoryStatsKey[];

  @Field(() => Int, { description: 'Factories in the group.' })
  count!: number;

  @Field(() => StatsMeasure, { description: 'Capital (TOTAL_CAP), baht.' })
  capital!: StatsMeasure;

  @Field(() => StatsMeasure, { description: 'Workers (TOTAL_WORKER).' })
  workers!: StatsMeasure;
}

@ObjectType({ description: 'Factories counted and summed per group, computed from the registry rows.' })
export class FactoryStats {
  @Field(() => [FactoryStatsDimension], { description: 'The dimensions the groups are keyed by.' })
  groupBy!: FactoryStatsDimension[];

  @Field(() => [FactoryStatsGroup], { description: 'Non-empty groups, ordered by their keys in `groupBy` order (each dimension in its natural order, unknown last).' })
  groups!: FactoryStatsGroup[];

  @Field(() => Int, { description: SUPPRESSED_GROUPS_DESCRIPTION })
  suppressedGroups!: number;
}
