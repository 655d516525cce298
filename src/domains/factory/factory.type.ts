import { Field, Float, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { connectionType, type Connection, type SortKeyType } from '../../platform/graphql/connection';
import { SortDirection } from '../../platform/graphql/sort-direction';
import { RegionCode } from '../geography/region-code';
import { Node } from '../node/node.type';
import { Provenance } from '../provenance/provenance.type';

export enum FactoryStatus {
  PERMITTED = 'PERMITTED',
  OPERATING = 'OPERATING',
  CLOSED = 'CLOSED',
  TEMPORARILY_STOPPED = 'TEMPORARILY_STOPPED',
  UNKNOWN = 'UNKNOWN',
}

registerEnumType(FactoryStatus, {
  name: 'FactoryStatus',
  description: 'Licence status of a factory, decoded from DIW\'s FFLAG (decoding assumed, not confirmed by DIW).',
  valuesConfig: {
    PERMITTED: { description: 'FFLAG 0: licensed, not yet operating (ได้รับอนุญาต).' },
    OPERATING: { description: 'FFLAG 1: operating (ประกอบกิจการ).' },
    CLOSED: { description: 'FFLAG 2: closed (เลิกกิจการ).' },
    TEMPORARILY_STOPPED: { description: 'FFLAG 3: temporarily stopped (หยุดกิจการชั่วคราว).' },
    UNKNOWN: { description: 'The feed gave no status.' },
  },
});

export enum LinkMethod {
  TAX_ID = 'TAX_ID',
  EXACT_NAME_PROVINCE = 'EXACT_NAME_PROVINCE',
  EXACT_NAME = 'EXACT_NAME',
  FUZZY_NAME = 'FUZZY_NAME',
}

registerEnumType(LinkMethod, {
  name: 'LinkMethod',
  description: 'How a record was linked to its company.',
  valuesConfig: {
    TAX_ID: { description: 'By the tax (juristic) ID the agency gave: DIW\'s operator, TISI\'s licensee, DIP\'s participant (certain).' },
    EXACT_NAME_PROVINCE: { description: 'By the normalised name the agency gave, equal to exactly one company\'s within the record\'s province.' },
    EXACT_NAME: { description: 'By the normalised name, equal to exactly one company\'s nationwide.' },
    FUZZY_NAME: { description: 'By trigram name similarity, clearly ahead of the runner-up; `linkConfidence` is the similarity.' },
  },
});

@ObjectType({ implements: Node, description: 'A factory licensed under the Factory Act, from the DIW registry (โรงงาน).' })
export class Factory extends Node {
  @Field(() => String, { description: 'DIW factory ID (FID), 14 digits (เลขทะเบียนโรงงาน 14 หลัก).' })
  fid!: string;

  @Field(() => String, { nullable: true, description: 'Display registration number, e.g. `3-106-33/50` (DISPFACREG).' })
  displayRegNo!: string | null;

  @Field(() => String, { nullable: true, description: 'Older registration number (FACREG).' })
  legacyRegNo!: string | null;

  @Field(() => String, { nullable: true, description: 'Factory type code under the Factory Act (ประเภทโรงงาน, FACTYPE).' })
  factoryType!: string | null;

  @Field({ description: 'Factory name (ชื่อโรงงาน, FNAME).' })
  name!: string;

  @Field(() => String, { nullable: true, description: 'Name of the operator (ผู้ประกอบการ, ONAME); `***` when masked (see `operatorMasked`).' })
  operatorName!: string | null;

  @Field(() => String, { nullable: true, description: 'Operator tax ID (TRADE), when the feed gives it: 13 digits; `***` when masked (see `operatorMasked`).' })
  operatorTaxId!: string | null;

  @Field({
    description:
      'True when the operator is not known to be a company (a tax ID that is not a juristic ID, or no tax ID and no link by tax ID or exact name): it may be an individual, whose name and personal ID are personal data, so for every role `operatorName` and `operatorTaxId` are `***`, the company a name match may have linked it to is withheld (`companyJuristicId`, `linkMethod`, `linkConfidence`, `company` null), and the factory is listed under no company (`Company.factories`).',
  })
  operatorMasked!: boolean;

  @Field(() => String, { nullable: true, description: 'What the factory makes or does (วัตถุประสงค์, OBJECT).' })
  objective!: string | null;

  @Field(() => String, { nullable: true, description: 'House number and street address (FADDR).' })
  address!: string | null;

  @Field(() => String, { nullable: true, description: 'Village number (หมู่, FMOO).' })
  moo!: string | null;

  @Field(() => String, { nullable: true, description: 'Lane (ซอย, FSOI).' })
  soi!: string | null;

  @Field(() => String, { nullable: true, description: 'Road (ถนน, FROAD).' })
  road!: string | null;

  @Field(() => String, { nullable: true, description: 'Subdistrict (ตำบล/แขวง, FTUMNAME).' })
  subdistrict!: string | null;

  @Field(() => String, { nullable: true, description: 'District (อำเภอ/เขต, FAMPNAME).' })
  district!: string | null;

  @Field(() => String, { nullable: true, description: 'Province as the registry writes it (จังหวัด, FPROVNAME), in Thai; `province` is the province itself.' })
  provinceName!: string | null;

  @Field(() => Float, { nullable: true, description: 'Invested capital in baht (เงินทุน, TOTAL_CAP).' })
  capitalBaht!: number | null;

  @Field(() => Int, { nullable: true, description: 'Number of workers (คนงาน, TOTAL_WORKER).' })
  workers!: number | null;

  @Field(() => Float, { nullable: true, description: 'Machine horsepower (แรงม้า, HP).' })
  horsepower!: number | null;

  @Field(() => Float, { nullable: true, description: 'Latitude; null when the feed gave none or an impossible one (outside Thailand, 0 or 1).' })
  latitude!: number | null;

  @Field(() => Float, { nullable: true, description: 'Longitude; null when unknown (see latitude).' })
  longitude!: number | null;

  @Field(() => String, { nullable: true, description: 'ISIC/TSIC industry code (ISIC_CODE).' })
  isicCode!: string | null;

  @Field(() => String, { nullable: true, description: 'Industrial estate code (นิคมอุตสาหกรรม, ESTATE).' })
  estateCode!: string | null;

  @Field(() => String, { nullable: true, description: 'Industrial estate name in Thai (ESTATE_NAME_TH).' })
  estateName!: string | null;

  @Field(() => FactoryStatus, { description: 'Licence status (decoded FFLAG).' })
  status!: FactoryStatus;

  @Field(() => String, { nullable: true, description: 'The raw FFLAG code as DIW sent it.' })
  statusCode!: string | null;

  @Field(() => String, { nullable: true, description: 'Juristic ID of the operating company, when the factory is linked to one; see `company`. Null when unlinked or when the operator is masked (see `operatorMasked`).' })
  companyJuristicId!: string | null;

  @Field(() => LinkMethod, { nullable: true, description: 'How the factory was linked to its company; null when unlinked or when the operator is masked.' })
  linkMethod!: LinkMethod | null;

  @Field(() => Float, { nullable: true, description: 'Confidence of the link, 0-1: 1 by tax ID, 0.97 by exact name in the province, 0.9 nationwide, the trigram similarity for fuzzy names; null when unlinked or when the operator is masked.' })
  linkConfidence!: number | null;

  @Field(() => Provenance, { description: 'Where and when this record came from.' })
  provenance!: Provenance;
}

export const FactoryConnection = connectionType(Factory, { name: 'Factory', items: 'factories' });
export type FactoryConnection = Connection<Factory>;

@InputType({ description: 'Factory filters; all given filters must match (AND).' })
export class FactoryFilter {
  @Field(() => String, {
    nullable: true,
    description: 'Province (จังหวัด) by code (`20`), ISO code (`TH-20`), Thai name (`ชลบุรี`, `จ.ชลบุรี`) or English name (`Chon Buri`); BAD_USER_INPUT when it names none.',
  })
  province?: string | null;

  @Field(() => RegionCode, { nullable: true, description: 'Region (ภาค) of the factory\'s province.' })
  region?: RegionCode | null;

  @Field(() => Int, { nullable: true, description: 'Regional industrial promotion centre (1-11) serving the factory\'s province (see `promotionCentres`).' })
  promotionCentre?: number | null;

  @Field(() => String, { nullable: true, description: 'Province group (กลุ่มจังหวัด) of the factory\'s province, by code, e.g. `EAST` (see `provinceGroups`).' })
  provinceGroup?: string | null;

  @Field(() => FactoryStatus, { nullable: true, description: 'Licence status.' })
  status?: FactoryStatus | null;

  @Field(() => String, { nullable: true, description: 'Leading digits of the ISIC/TSIC code, e.g. "10" for food products.' })
  isicPrefix?: string | null;

  @Field(() => String, { nullable: true, description: 'Part of the factory name or of an unmasked operator\'s name (Thai or English, case-insensitive).' })
  nameContains?: string | null;

  @Field(() => Boolean, { nullable: true, description: 'true: only factories linked to a company; false: only unlinked ones. As `companyJuristicId` shows it: a factory whose operator is masked counts as unlinked.' })
  linked?: boolean | null;
}

export enum FactoryOrderField {
  FID = 'FID',
  NAME = 'NAME',
  CAPITAL = 'CAPITAL',
  WORKERS = 'WORKERS',
}

/** The type each ordering's sort value has in SQL: the repository casts a cursor's value to it, and the service checks it first. */
export const FACTORY_SORT_KEY_TYPES: Readonly<Record<FactoryOrderField, SortKeyType>> = {
  FID: 'text',
  NAME: 'text',
  CAPITAL: 'numeric',
  WORKERS: 'int',
};
registerEnumType(FactoryOrderField, {
  name: 'FactoryOrderField',
  description: 'What to sort factories by; ties are broken by FID. Missing values sort as lowest.',
  valuesConfig: {
    FID: { description: 'Factory ID (the default).' },
    NAME: { description: 'Factory name (ชื่อโรงงาน).' },
    CAPITAL: { description: 'Invested capital (เงินทุน).' },
    WORKERS: { description: 'Number of workers (คนงาน).' },
  },
});

@InputType({ description: 'Sort order of a factory list.' })
export class FactoryOrder {
  @Field(() => FactoryOrderField, { description: 'Field to sort by.' })
  field!: FactoryOrderField;

  @Field(() => SortDirection, { nullable: true, description: 'Direction (default ascending).' })
  direction?: SortDirection | null;
}
