import { Field, Int, ObjectType } from 'type-graphql';
import { toGlobalId } from '../../platform/graphql/global-id';
import { Node } from '../node/node.type';
import type { PromotionCentre as PromotionCentreRow, ProvinceGroup as ProvinceGroupRow } from '../../reference/promotion-areas';
import { RegionCode, regionCodeOf } from './region-code';

@ObjectType({ description: 'An Industry Transformation Center (ITC 4.0) of the Department of Industrial Promotion, hosted by a regional centre.' })
export class IndustryTransformationCentre {
  @Field({ description: 'Thai name. Assumed wording: the domain brief confirms that every centre hosts one, not its name (data/reference/README.md).' })
  nameTh!: string;

  @Field({ description: 'English name (assumed wording, like `nameTh`).' })
  nameEn!: string;
}

@ObjectType({
  implements: Node,
  description:
    'A regional industrial promotion centre of the Department of Industrial Promotion (ศูนย์ส่งเสริมอุตสาหกรรมภาคที่ 1-11) and the provinces it serves. ' +
    'Only centre 7 (Buri Ram) and centre 11 (Songkhla) have confirmed seats (`seatConfirmed`); the other seats and the provinces of each centre are assumed (data/reference/README.md).',
})
export class PromotionCentre extends Node {
  @Field(() => Int, { description: 'Centre number, 1-11 (`CompanyFilter.promotionCentre`, `--centre` of a centre key).' })
  number!: number;

  @Field({ description: 'Thai name, e.g. ศูนย์ส่งเสริมอุตสาหกรรมภาคที่ 7.' })
  nameTh!: string;

  @Field({ description: 'English name, e.g. Industrial Promotion Centre Region 7.' })
  nameEn!: string;

  /** The province the centre sits in; `seatProvince` resolves it. */
  seatProvinceCode!: string;

  @Field({ description: 'True when a public source (the centre\'s own pages) confirms the seat; false for an assumed one.' })
  seatConfirmed!: boolean;

  @Field(() => IndustryTransformationCentre, { description: 'The Industry Transformation Center (ITC 4.0) the centre hosts, at its seat.' })
  transformationCentre!: IndustryTransformationCentre;

  @Field({ description: 'Version of the centres\' reference data (`YYYY-MM`, data/reference/promotion-centres.csv).' })
  version!: string;
}

export function toPromotionCentre(row: PromotionCentreRow): PromotionCentre {
  return {
    id: toGlobalId('PromotionCentre', String(row.number)),
    number: row.number,
    nameTh: row.nameTh,
    nameEn: row.nameEn,
    seatProvinceCode: row.seatProvinceCode,
    seatConfirmed: row.seatConfirmed,
    transformationCentre: { nameTh: row.itcNameTh, nameEn: row.itcNameEn },
    version: row.version,
  };
}

@ObjectType({
  implements: Node,
  description:
    'One of the ministry\'s six groups of provinces (กลุ่มจังหวัด), each with its focus industries. Assumed: the ministry did not publish the membership; ' +
    'here each group is the provinces of one region of the six-region scheme (`region`), kept as versioned data (data/reference/province-groups.csv).',
})
export class ProvinceGroup extends Node {
  @Field({ description: 'Stable code, e.g. `NORTHEAST` (`CompanyFilter.provinceGroup`).' })
  code!: string;

  @Field({ description: 'Thai name, e.g. กลุ่มจังหวัดภาคตะวันออกเฉียงเหนือ.' })
  nameTh!: string;

  @Field({ description: 'English name, e.g. Northeastern provinces group.' })
  nameEn!: string;

  @Field(() => RegionCode, { description: 'The region (six-region scheme) whose provinces make up the group, in this version of the data.' })
  regionCode!: RegionCode;

  /** Target-industry codes; `focusIndustries` resolves them. */
  focusIndustryCodes!: string[];

  @Field({ description: 'Version of the groups\' reference data (`YYYY-MM`).' })
  version!: string;
}

export function toProvinceGroup(row: ProvinceGroupRow): ProvinceGroup {
  const regionCode = regionCodeOf(row.region);
  if (regionCode === null) throw new Error(`province group ${row.code} has the unknown region "${row.region}"`);
  return {
    id: toGlobalId('ProvinceGroup', row.code),
    code: row.code,
    nameTh: row.nameTh,
    nameEn: row.nameEn,
    regionCode,
    focusIndustryCodes: row.focusIndustryCodes,
    version: row.version,
  };
}
