import { Field, Int, ObjectType } from 'type-graphql';
import { toGlobalId } from '../../platform/graphql/global-id';
import { Node } from '../node/node.type';
import type { Province as ProvinceRow } from '../../reference/reference-data';
import { RegionCode, regionCodeOf } from './region-code';

@ObjectType({ implements: Node, description: 'A province of Thailand (จังหวัด): the 76 provinces and Bangkok.' })
export class Province extends Node {
  @Field({ description: 'The Interior ministry\'s 2-digit province code (รหัสจังหวัด), e.g. `20` Chon Buri; ISO 3166-2 uses it too.' })
  code!: string;

  @Field({ description: 'ISO 3166-2 code, e.g. `TH-20`.' })
  isoCode!: string;

  @Field({ description: 'Official Thai name (ชื่อจังหวัด), e.g. ชลบุรี.' })
  nameTh!: string;

  @Field({ description: 'English name (ISO 3166-2 romanisation; `Bangkok` for Krung Thep Maha Nakhon).' })
  nameEn!: string;

  @Field(() => RegionCode, { description: 'Region (ภาค) in the six-region scheme; see `region` for the region itself.' })
  regionCode!: RegionCode;

  @Field(() => Int, {
    description: 'Number (1-11) of the regional industrial promotion centre serving the province; `centre` gives the centre itself.',
    deprecationReason: 'Use `centre { number }`, which also gives the centre\'s names, seat and provinces.',
  })
  promotionCentre!: number;

  @Field({ description: 'True for the Eastern Economic Corridor provinces (EEC, ระเบียงเศรษฐกิจพิเศษภาคตะวันออก): Chachoengsao, Chon Buri, Rayong.' })
  eec!: boolean;
}

export function toProvince(row: ProvinceRow): Province {
  const regionCode = regionCodeOf(row.region);
  if (regionCode === null) throw new Error(`province ${row.code} has the unknown region "${row.region}"`);
  return {
    id: toGlobalId('Province', row.code),
    code: row.code,
    isoCode: row.isoCode,
    nameTh: row.nameTh,
    nameEn: row.nameEn,
    regionCode,
    promotionCentre: row.promotionCentre,
    eec: row.eec,
  };
}

@ObjectType({ implements: Node, description: 'A region of Thailand (ภาค) in the six-region scheme of the reference data.' })
export class Region extends Node {
  @Field(() => RegionCode, { description: 'Region code; `CompanyFilter.region` and `provinces(region)` take it.' })
  code!: RegionCode;

  @Field({ description: 'English name, e.g. Eastern region.' })
  nameEn!: string;

  @Field({ description: 'Thai name (ชื่อภาค), e.g. ภาคตะวันออก.' })
  nameTh!: string;
}

/** Region names: the six regions are fixed by the scheme, so they live with the enum, not in a table. */
const REGION_NAMES: Readonly<Record<RegionCode, { nameEn: string; nameTh: string }>> = {
  NORTH: { nameEn: 'Northern region', nameTh: 'ภาคเหนือ' },
  NORTHEAST: { nameEn: 'Northeastern region', nameTh: 'ภาคตะวันออกเฉียงเหนือ' },
  CENTRAL: { nameEn: 'Central region', nameTh: 'ภาคกลาง' },
  EAST: { nameEn: 'Eastern region', nameTh: 'ภาคตะวันออก' },
  WEST: { nameEn: 'Western region', nameTh: 'ภาคตะวันตก' },
  SOUTH: { nameEn: 'Southern region', nameTh: 'ภาคใต้' },
};

export function toRegion(code: RegionCode): Region {
  return { id: toGlobalId('Region', code), code, ...REGION_NAMES[code] };
}

/** The regions in the order of the enum (north to south, as the scheme lists them). */
export const ALL_REGIONS: readonly Region[] = Object.values(RegionCode).map(toRegion);
