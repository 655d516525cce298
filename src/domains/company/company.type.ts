import { Field, Float, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { IsoDateScalar, TisNoScalar } from '../scalars';
import { connectionType, type Connection, type SortKeyType } from '../../platform/graphql/connection';
import { Node } from '../node/node.type';
import { RegionCode } from '../geography/region-code';
import { Provenance } from '../provenance/provenance.type';
import { SortDirection } from '../../platform/graphql/sort-direction';

export enum CompanyStatus {
  ACTIVE = 'ACTIVE',
  DISSOLVED = 'DISSOLVED',
  ABANDONED = 'ABANDONED',
  BANKRUPT = 'BANKRUPT',
  UNKNOWN = 'UNKNOWN',
}
registerEnumType(CompanyStatus, {
  name: 'CompanyStatus',
  description: 'Registration status of a juristic person (สถานะนิติบุคคล), decoded from DBD\'s wording (kept in `statusText`).',
  valuesConfig: {
    ACTIVE: { description: 'Still trading (ยังดำเนินกิจการอยู่), including restored and under rehabilitation.' },
    DISSOLVED: { description: 'Dissolved or in liquidation (เลิก, อยู่ระหว่างชำระบัญชี).' },
    ABANDONED: { description: 'Struck off as defunct (ร้าง).' },
    BANKRUPT: { description: 'Bankrupt or under absolute receivership (ล้มละลาย).' },
    UNKNOWN: { description: 'DBD\'s wording was missing or not recognised.' },
  },
});

export enum JuristicType {
  COMPANY = 'COMPANY',
  PUBLIC_COMPANY = 'PUBLIC_COMPANY',
  LIMITED_PARTNERSHIP = 'LIMITED_PARTNERSHIP',
  ORDINARY_PARTNERSHIP = 'ORDINARY_PARTNERSHIP',
  UNKNOWN = 'UNKNOWN',
}
registerEnumType(JuristicType, {
  name: 'JuristicType',
  description: 'Form of the juristic person (ประเภทนิติบุคคล).',
  valuesConfig: {
    COMPANY: { description: 'Limited company (บริษัทจำกัด).' },
    PUBLIC_COMPANY: { description: 'Public limited company (บริษัทมหาชนจำกัด).' },
    LIMITED_PARTNERSHIP: { description: 'Limited partnership (ห้างหุ้นส่วนจำกัด).' },
    ORDINARY_PARTNERSHIP: { description: 'Registered ordinary partnership (ห้างหุ้นส่วนสามัญนิติบุคคล).' },
    UNKNOWN: { description: 'DBD\'s wording was missing or not recognised.' },
  },
});

export enum SmeSize {
  MICRO = 'MICRO',
  SMALL = 'SMALL',
  MEDIUM = 'MEDIUM',
  LARGE = 'LARGE',
}
registerEnumType(SmeSize, {
  name: 'SmeSize',
  description: 'Enterprise size by the 2019 SME definition (the larger of the employee and revenue sizes).',
  valuesConfig: {
    MICRO: { description: 'Micro enterprise (วิสาหกิจรายย่อย).' },
    SMALL: { description: 'Small enterprise (วิสาหกิจขนาดย่อม).' },
    MEDIUM: { description: 'Medium enterprise (วิสาหกิจขนาดกลาง).' },
    LARGE: { description: 'Larger than medium: not an SME.' },
  },
});

export enum SmeSector {
  MANUFACTURING = 'MANUFACTURING',
  TRADE_AND_SERVICES = 'TRADE_AND_SERVICES',
}
registerEnumType(SmeSector, {
  name: 'SmeSector',
  description: 'Sector whose thresholds the SME size uses, from the TSIC section (manufacturing is section C).',
  valuesConfig: {
    MANUFACTURING: { description: 'Manufacturing (ภาคการผลิต).' },
    TRADE_AND_SERVICES: { description: 'Trade and services (ภาคการค้าและบริการ).' },
  },
});

@ObjectType({ description: 'A director of a company (กรรมการ). Names are personal data: masked unless the caller is granted them.' })
export class Director {
  @Field({ description: 'The director\'s name, or the marker `***` when masked.' })
  name!: string;

  @Field(() => String, { nullable: true, description: 'Position as DBD lists it, e.g. กรรมการผู้มีอำนาจ (authorised director).' })
  position!: string | null;

  @Field({ description: 'True when `name` is withheld (personal data).' })
  masked!: boolean;
}

@ObjectType({ description: 'A shareholder (ผู้ถือหุ้น). Names and personal IDs of individuals are personal data: masked unless granted.' })
export class Shareholder {
  @Field({ description: 'Shareholder\'s name; `***` when masked. Juristic persons holding shares are not masked.' })
  name!: string;

  @Field(() => String, { nullable: true, description: 'Personal ID (เลขประจำตัวประชาชน) of an individual; `***` when masked, null when DBD gave none.' })
  personalId!: string | null;

  @Field(() => String, { nullable: true, description: 'Juristic ID of a shareholder that is itself a juristic person.' })
  juristicId!: string | null;

  @Field(() => String, { nullable: true, description: 'Nationality as DBD lists it (สัญชาติ).' })
  nationality!: string | null;

  @Field(() => Float, { description: 'Number of shares held.' })
  shares!: number;

  @Field({ description: 'True when the name and personal ID are withheld (personal data).' })
  masked!: boolean;
}

@ObjectType({ implements: Node, description: 'A financial statement filed with DBD for one fiscal year (งบการเงิน); amounts in baht.' })
export class FinancialStatement extends Node {
  @Field(() => String, { description: 'Juristic ID of the company that filed it.' })
  juristicId!: string;

  @Field(() => Int, { description: 'Fiscal year, Common Era (ปีงบการเงิน, e.g. 2024).' })
  fiscalYear!: number;

  @Field(() => Float, { nullable: true, description: 'Total revenue (รายได้รวม), baht.' })
  revenueBaht!: number | null;

  @Field(() => Float, { nullable: true, description: 'Total assets (สินทรัพย์รวม), baht.' })
  totalAssetsBaht!: number | null;

  @Field(() => Float, { nullable: true, description: 'Fixed assets (สินทรัพย์ถาวร), baht.' })
  fixedAssetsBaht!: number | null;

  @Field(() => Float, { nullable: true, description: 'Total liabilities (หนี้สินรวม), baht.' })
  liabilitiesBaht!: number | null;

  @Field(() => Float, { nullable: true, description: 'Shareholders\' equity (ส่วนของผู้ถือหุ้น), baht.' })
  equityBaht!: number | null;

  @Field(() => Float, { nullable: true, description: 'Net profit or loss (กำไรสุทธิ), baht.' })
  netProfitBaht!: number | null;

  @Field(() => Int, { nullable: true, description: 'Employees at the end of the year (จำนวนพนักงาน).' })
  employees!: number | null;

  @Field({ description: 'Unit the amounts were filed in (THB or THB_MILLION); they are always returned in baht.' })
  reportedUnit!: string;

  @Field(() => Provenance, { description: 'Where and when this record came from.' })
  provenance!: Provenance;
}

@ObjectType({ implements: Node, description: 'A juristic person registered with DBD (นิติบุคคล): the firm the other datasets are linked to.' })
export class Company extends Node {
  @Field({ description: 'Juristic ID (เลขทะเบียนนิติบุคคล), 13 digits; also the firm\'s tax ID.' })
  juristicId!: string;

  @Field(() => JuristicType, { description: 'Form of the juristic person.' })
  juristicType!: JuristicType;

  @Field(() => String, { nullable: true, description: 'The form as DBD words it, e.g. บริษัทจำกัด.' })
  juristicTypeText!: string | null;

  @Field({ description: 'Registered Thai name (ชื่อภาษาไทย).' })
  nameTh!: string;

  @Field(() => String, { nullable: true, description: 'Registered English name, when there is one.' })
  nameEn!: string | null;

  @Field(() => CompanyStatus, { description: 'Registration status.' })
  status!: CompanyStatus;

  @Field(() => String, { nullable: true, description: 'The status as DBD words it, e.g. ยังดำเนินกิจการอยู่.' })
  statusText!: string | null;

  @Field(() => String, { nullable: true, description: 'Registration date (วันที่จดทะเบียน), ISO date.' })
  registeredOn!: string | null;

  @Field(() => Float, { nullable: true, description: 'Registered capital (ทุนจดทะเบียน), baht.' })
  registeredCapitalBaht!: number | null;

  @Field(() => Float, { nullable: true, description: 'Paid-up capital (ทุนชำระแล้ว), baht.' })
  paidUpCapitalBaht!: number | null;

  @Field(() => String, { nullable: true, description: 'Business objective as registered (วัตถุประสงค์).' })
  objective!: string | null;

  @Field(() => String, { nullable: true, description: 'TSIC 2009 code of the main business (รหัสประเภทธุรกิจ), 5 digits; see `industryClass` for its tree.' })
  tsicCode!: string | null;

  @Field(() => String, { nullable: true, description: 'Head-office address (ที่ตั้งสำนักงานใหญ่).' })
  address!: string | null;

  @Field(() => String, { nullable: true, description: 'Head-office province as DBD wrote it; see `province` for the reference entry.' })
  provinceText!: string | null;

  @Field(() => Float, { nullable: true, description: 'Share of the shares held by Thai nationals or Thai juristic persons, percent (0-100).' })
  thaiShareholdingPct!: number | null;

  @Field(() => SmeSize, { nullable: true, description: 'SME size by the 2019 rule; null when the sector or both measures are unknown (see `smeSizeReason`).' })
  smeSize!: SmeSize | null;

  @Field(() => SmeSector, { nullable: true, description: 'Sector whose SME thresholds apply.' })
  smeSector!: SmeSector | null;

  @Field(() => String, { nullable: true, description: 'Why the firm has its SME size (which measure decided, or what was missing).' })
  smeSizeReason!: string | null;

  @Field(() => Int, { nullable: true, description: 'Fiscal year of the statement the SME size used.' })
  smeFiscalYear!: number | null;

  @Field(() => Float, { nullable: true, description: 'Revenue of the latest financial statement, baht.' })
  latestRevenueBaht!: number | null;

  @Field(() => Int, { nullable: true, description: 'Employees in the latest financial statement.' })
  latestEmployees!: number | null;

  @Field(() => Int, { description: 'Factories linked to this firm that are operating (FFLAG 1). A derived count: it includes factories linked by a fuzzy name match whose operator is masked, which `factories` does not list.' })
  operatingFactoryCount!: number;

  @Field(() => Int, { description: 'TISI licences held by this firm that are valid.' })
  validLicenceCount!: number;

  @Field(() => Float, { nullable: true, description: 'Overall level (1.0-4.0) of the latest Industry 4.0 assessment (Thailand i4.0 Index).' })
  latestIndustry40Level!: number | null;

  @Field(() => RegionCode, { nullable: true, description: 'Region of the head office.' })
  regionCode!: RegionCode | null;

  @Field(() => [String], { description: 'Codes of the target industries (อุตสาหกรรมเป้าหมาย) the TSIC code maps to; see `targetIndustries`.' })
  targetIndustryCodes!: string[];

  @Field(() => Provenance, { description: 'Where and when this record came from.' })
  provenance!: Provenance;

  /** Not fields: what the relation resolvers need. */
  provinceCode!: string | null;
  /** Absent on companies read as part of a list: `personalDataOf` reads them by ID. */
  directorsData?: { name: string; position: string | null }[];
  shareholdersData?: { name: string; nationality: string | null; shares: number; personalId?: string; juristicId?: string }[];
  /** Read with the company by a read plan (company.read-plan.ts); `financialStatements` still passes the consent gate. */
  statementsData?: FinancialStatement[];
}

export const CompanyConnection = connectionType(Company, { name: 'Company', items: 'companies' });
export type CompanyConnection = Connection<Company>;

@InputType({ description: 'An inclusive range of baht amounts; either end may be left open.' })
export class BahtRange {
  @Field(() => Float, { nullable: true, description: 'At least this many baht.' })
  min?: number | null;

  @Field(() => Float, { nullable: true, description: 'At most this many baht.' })
  max?: number | null;
}

@InputType({ description: 'An inclusive range of ISO dates (YYYY-MM-DD); either end may be left open.' })
export class DateRange {
  @Field(() => IsoDateScalar, { nullable: true, description: 'On or after this date.' })
  from?: string | null;

  @Field(() => IsoDateScalar, { nullable: true, description: 'On or before this date.' })
  to?: string | null;
}

@InputType({ description: 'Company filters. Every filter given must match (AND); lists inside one filter match any of their values.' })
export class CompanyFilter {
  @Field(() => String, { nullable: true, description: 'Head-office province: code (`20`), ISO code (`TH-20`), Thai name (`ชลบุรี`) or English name (`Chon Buri`).' })
  province?: string | null;

  @Field(() => RegionCode, { nullable: true, description: 'Head-office region.' })
  region?: RegionCode | null;

  @Field(() => Int, { nullable: true, description: 'Regional industrial promotion centre (1-11) serving the head office\'s province (see `promotionCentres`).' })
  promotionCentre?: number | null;

  @Field(() => String, { nullable: true, description: 'Province group (กลุ่มจังหวัด) of the head office\'s province, by code, e.g. `NORTHEAST` (see `provinceGroups`).' })
  provinceGroup?: string | null;

  @Field(() => String, { nullable: true, description: 'Leading digits of the TSIC code, e.g. `10` (food products) or `2930`.' })
  tsicPrefix?: string | null;

  @Field(() => String, { nullable: true, description: 'Target industry code (see `targetIndustries`), e.g. `FOOD_FOR_THE_FUTURE`.' })
  targetIndustry?: string | null;

  @Field(() => [SmeSize], { nullable: true, description: 'Any of these SME sizes.' })
  smeSize?: SmeSize[] | null;

  @Field(() => [CompanyStatus], { nullable: true, description: 'Any of these statuses.' })
  status?: CompanyStatus[] | null;

  @Field(() => [JuristicType], { nullable: true, description: 'Any of these forms of juristic person.' })
  juristicType?: JuristicType[] | null;

  @Field(() => BahtRange, { nullable: true, description: 'Registered capital range.' })
  registeredCapital?: BahtRange | null;

  @Field(() => BahtRange, { nullable: true, description: 'Revenue range, from the latest financial statement.' })
  revenue?: BahtRange | null;

  @Field(() => Float, { nullable: true, description: 'Latest Industry 4.0 level at least this (1.0-4.0).' })
  industry40LevelAtLeast?: number | null;

  @Field(() => TisNoScalar, { nullable: true, description: 'Holds a valid TISI licence for this standard (มอก. number, e.g. `2536-2555`).' })
  holdsLicenceFor?: string | null;

  @Field(() => Boolean, { nullable: true, description: 'true: has at least one operating factory; false: has none.' })
  hasOperatingFactory?: boolean | null;

  @Field(() => DateRange, { nullable: true, description: 'Registered between these dates.' })
  registeredBetween?: DateRange | null;

  @Field(() => String, { nullable: true, description: 'Name search in Thai or English that tolerates spelling variants (trigram word similarity); company-form words like บริษัท or Co., Ltd. are ignored.' })
  nameSearch?: string | null;
}

export enum CompanyOrderField {
  JURISTIC_ID = 'JURISTIC_ID',
  NAME_TH = 'NAME_TH',
  REGISTERED_ON = 'REGISTERED_ON',
  REGISTERED_CAPITAL = 'REGISTERED_CAPITAL',
  REVENUE = 'REVENUE',
  RELEVANCE = 'RELEVANCE',
}

/** The type each ordering's sort value has in SQL: the repository casts a cursor's value to it, and the service checks it first. */
export const COMPANY_SORT_KEY_TYPES: Readonly<Record<CompanyOrderField, SortKeyType>> = {
  JURISTIC_ID: 'text',
  NAME_TH: 'text',
  REGISTERED_ON: 'date',
  REGISTERED_CAPITAL: 'numeric',
  REVENUE: 'numeric',
  RELEVANCE: 'real',
};
registerEnumType(CompanyOrderField, {
  name: 'CompanyOrderField',
  description: 'What to sort companies by; ties are broken by juristic ID. Missing values sort as lowest.',
  valuesConfig: {
    JURISTIC_ID: { description: 'Juristic ID (the default).' },
    NAME_TH: { description: 'Thai name.' },
    REGISTERED_ON: { description: 'Registration date.' },
    REGISTERED_CAPITAL: { description: 'Registered capital.' },
    REVENUE: { description: 'Revenue of the latest financial statement.' },
    RELEVANCE: { description: 'How closely the name matches `filter.nameSearch` (needs it); best first by default.' },
  },
});


@InputType({ description: 'Sort order of a company list.' })
export class CompanyOrder {
  @Field(() => CompanyOrderField, { description: 'Field to sort by.' })
  field!: CompanyOrderField;

  @Field(() => SortDirection, { nullable: true, description: 'Direction (default ascending; descending for RELEVANCE).' })
  direction?: SortDirection | null;
}
